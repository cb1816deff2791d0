/* Unit tests for seccomp.c: real filters compiled with libseccomp and loaded in forked
 * children, the errors for bad profiles, SCMP_ACT_NOTIFY listeners and the listener message. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/seccomp.h>

#include <cmocka.h>
#include <seccomp.h>
#include <yajl/yajl_tree.h>

#include "base/cleanup.h"
#include "base/fdutil.h"
#include "runtime/seccomp.h"

#define NAMES(...) ((char *[]){__VA_ARGS__, NULL})

/* A profile with default ALLOW and one rule. */
static struct rt_seccomp
profile_one(struct rt_seccomp_rule *rule)
{
	struct rt_seccomp s = {
	    .default_action = "SCMP_ACT_ALLOW", .syscalls = rule, .n_syscalls = rule ? 1 : 0};
	return s;
}

/* cmocka catches SIGSYS, SIGSEGV, ...; a forked child must die of them instead. */
static void
child_reset_signals(void)
{
	static const int sigs[] = {SIGSYS, SIGSEGV, SIGILL, SIGFPE, SIGBUS, SIGABRT};

	for (size_t i = 0; i < ARRAY_SIZE(sigs); i++)
		signal(sigs[i], SIG_DFL);
}

/* Runs fn(arg) in a child after setting no_new_privs; returns the raw wait status. */
static int
run_child(int (*fn)(const struct seccomp_prog *), const struct seccomp_prog *p)
{
	int st = 0;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		child_reset_signals();
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
			_exit(90);
		_exit(fn(p));
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	return st;
}

static void
assert_exit0(int st)
{
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		fail_msg("child: exited %d, signal %d", WIFEXITED(st) ? WEXITSTATUS(st) : -1,
		         WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

static int
load_or_exit(const struct seccomp_prog *p)
{
	struct err err = {0};
	int nfd = -2;

	if (seccomp_prog_load(p, &nfd, &err) < 0 || nfd != -1)
		_exit(91);
	return 0;
}

static int
child_getcwd_errno(const struct seccomp_prog *p, int want)
{
	char buf[256];

	load_or_exit(p);
	if (getcwd(buf, sizeof(buf)) != NULL)
		return 1;
	if (errno != want)
		return 2;
	if (getpid() <= 0) /* others still work */
		return 3;
	return 0;
}

static int
child_getcwd_42(const struct seccomp_prog *p)
{
	return child_getcwd_errno(p, 42);
}

static int
child_getcwd_eperm(const struct seccomp_prog *p)
{
	return child_getcwd_errno(p, EPERM);
}

static void
errno_ret_blocks_getcwd(void **state)
{
	struct rt_seccomp_rule r = {.names = NAMES("getcwd", "chmod"),
	                            .action = "SCMP_ACT_ERRNO",
	                            .has_errno_ret = true,
	                            .errno_ret = 42};
	struct rt_seccomp s = profile_one(&r);
	struct seccomp_prog p;
	struct err err = {0};

	(void)state;
	assert_int_equal(seccomp_compile(&s, &p, &err), 0);
	assert_non_null(p.filter);
	assert_true(p.len > 0);
	assert_false(p.has_notify);
	assert_int_equal(p.flags, 0);
	assert_exit0(run_child(child_getcwd_42, &p));
	seccomp_prog_fini(&p);
	assert_null(p.filter);
}

static void
errno_defaults_to_eperm(void **state)
{
	struct rt_seccomp_rule r = {.names = NAMES("getcwd"), .action = "SCMP_ACT_ERRNO"};
	struct rt_seccomp s = profile_one(&r);
	struct seccomp_prog p;
	struct err err = {0};

	(void)state;
	assert_int_equal(seccomp_compile(&s, &p, &err), 0);
	assert_exit0(run_child(child_getcwd_eperm, &p));
	seccomp_prog_fini(&p);
}

/* Default ERRNO(42) with getcwd allowed and everything the child needs allowed. */
static void
default_errno_ret(void **state)
{
	struct rt_seccomp_rule r[] = {
	    /* what the child, libc and ASan need after the filter is in */
	    {.names = NAMES("exit_group", "exit", "getpid", "gettid", "write", "rt_sigreturn",
	                    "rt_sigprocmask", "rt_sigaction", "sigaltstack", "munmap", "mmap",
	                    "mprotect", "madvise", "brk", "futex", "prctl", "tgkill"),
	     .action = "SCMP_ACT_ALLOW"},
	};
	struct rt_seccomp s = {.default_action = "SCMP_ACT_ERRNO",
	                       .has_default_errno_ret = true,
	                       .default_errno_ret = 42,
	                       .syscalls = r,
	                       .n_syscalls = 1};
	struct seccomp_prog p;
	struct err err = {0};

	(void)state;
	assert_int_equal(seccomp_compile(&s, &p, &err), 0);
	assert_exit0(run_child(child_getcwd_42, &p));
	seccomp_prog_fini(&p);
}

/* kill(self, sig) with sig & 0x0c == 0x04 fails with 44 instead of delivering sig. */
static int
child_kill_masked(const struct seccomp_prog *p)
{
	signal(SIGUSR2, SIG_IGN);
	load_or_exit(p);
	if (kill(getpid(), 0) != 0) /* 0 & 0x0c != 0x04: allowed */
		return 1;
	if (kill(getpid(), SIGUSR2) != 0) /* 12 & 0x0c == 0x0c: allowed (and ignored) */
		return 2;
	if (kill(getpid(), SIGILL) != -1 || errno != 44) /* 4 & 0x0c == 0x04 */
		return 3;
	if (kill(getpid(), SIGTRAP) != -1 || errno != 44) /* 5 & 0x0c == 0x04 */
		return 4;
	return 0;
}

/* OCI: value is the mask, valueTwo the value compared with the masked argument. */
static void
masked_eq_uses_value_two(void **state)
{
	struct rt_seccomp_arg a = {
	    .index = 1, .value = 0x0c, .value_two = 0x04, .op = "SCMP_CMP_MASKED_EQ"};
	struct rt_seccomp_rule r = {.names = NAMES("kill"),
	                            .action = "SCMP_ACT_ERRNO",
	                            .has_errno_ret = true,
	                            .errno_ret = 44,
	                            .args = &a,
	                            .n_args = 1};
	struct rt_seccomp s = profile_one(&r);
	struct seccomp_prog p;
	struct err err = {0};

	(void)state;
	assert_int_equal(seccomp_compile(&s, &p, &err), 0);
	assert_exit0(run_child(child_kill_masked, &p));
	seccomp_prog_fini(&p);
}

static int
child_kill_either(const struct seccomp_prog *p)
{
	load_or_exit(p);
	if (kill(getpid(), SIGUSR1) != -1 || errno != 45)
		return 1;
	if (kill(getpid(), SIGUSR2) != -1 || errno != 45)
		return 2;
	if (kill(getpid(), 0) != 0)
		return 3;
	return 0;
}

/* Two conditions on one argument cannot be ANDed: each becomes its own rule (runc). */
static void
same_argument_twice_is_or(void **state)
{
	struct rt_seccomp_arg a[] = {{.index = 1, .value = SIGUSR1, .op = "SCMP_CMP_EQ"},
	                             {.index = 1, .value = SIGUSR2, .op = "SCMP_CMP_EQ"}};
	struct rt_seccomp_rule r = {.names = NAMES("kill"),
	                            .action = "SCMP_ACT_ERRNO",
	                            .has_errno_ret = true,
	                            .errno_ret = 45,
	                            .args = a,
	                            .n_args = 2};
	struct rt_seccomp s = profile_one(&r);
	struct seccomp_prog p;
	struct err err = {0};

	(void)state;
	assert_int_equal(seccomp_compile(&s, &p, &err), 0);
	assert_exit0(run_child(child_kill_either, &p));
	seccomp_prog_fini(&p);
}

static int
child_kill_and(const struct seccomp_prog *p)
{
	load_or_exit(p);
	if (kill(1, 0) != -1 || errno != 46) /* both match */
		return 1;
	if (kill(getpid(), 0) != 0) /* arg0 differs */
		return 2;
	if (kill(1, 999) != -1 || errno != EINVAL) /* arg1 differs: the kernel sees it */
		return 3;
	return 0;
}

/* Conditions on different arguments are ANDed: pid 1 AND signal 0 only. */
static void
different_arguments_are_and(void **state)
{
	struct rt_seccomp_arg a[] = {{.index = 0, .value = 1, .op = "SCMP_CMP_EQ"},
	                             {.index = 1, .value = 0, .op = "SCMP_CMP_EQ"}};
	struct rt_seccomp_rule r = {.names = NAMES("kill"),
	                            .action = "SCMP_ACT_ERRNO",
	                            .has_errno_ret = true,
	                            .errno_ret = 46,
	                            .args = a,
	                            .n_args = 2};
	struct rt_seccomp s = profile_one(&r);
	struct seccomp_prog p;
	struct err err = {0};

	(void)state;
	assert_int_equal(seccomp_compile(&s, &p, &err), 0);
	assert_exit0(run_child(child_kill_and, &p));
	seccomp_prog_fini(&p);
}

static int
child_getcwd_dies(const struct seccomp_prog *p)
{
	char buf[64];

	load_or_exit(p);
	(void)getcwd(buf, sizeof(buf));
	return 0;
}

static void
kill_and_trap_actions_raise_sigsys(void **state)
{
	static const char *const actions[] = {"SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS",
	                                      "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP"};

	(void)state;
	for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
		struct rt_seccomp_rule r = {.names = NAMES("getcwd"), .action = (char *)actions[i]};
		struct rt_seccomp s = profile_one(&r);
		struct seccomp_prog p;
		struct err err = {0};
		int st;

		assert_int_equal(seccomp_compile(&s, &p, &err), 0);
		st = run_child(child_getcwd_dies, &p);
		if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGSYS)
			fail_msg("%s: status %#x", actions[i], st);
		seccomp_prog_fini(&p);
	}
}

static void
log_trace_and_pseudo_syscalls_compile(void **state)
{
	struct rt_seccomp_rule r[] = {
	    {.names = NAMES("getcwd"), .action = "SCMP_ACT_LOG"},
	    {.names = NAMES("ptrace"),
	     .action = "SCMP_ACT_TRACE",
	     .has_errno_ret = true,
	     .errno_ret = 1},
	    /* not on x86_64, but known to libseccomp for other architectures */
	    {.names = NAMES("socketcall", "clock_gettime64"), .action = "SCMP_ACT_ERRNO"},
	    /* same as the default: skipped, not an error */
	    {.names = NAMES("getpid"), .action = "SCMP_ACT_ALLOW"},
	};
	struct rt_seccomp s = {.default_action = "SCMP_ACT_ALLOW",
	                       .syscalls = r,
	                       .n_syscalls = 4,
	                       .architectures =
	                           NAMES("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32")};
	struct seccomp_prog p;
	struct err err = {0};

	(void)state;
	if (seccomp_compile(&s, &p, &err) < 0)
		fail_msg("%s", err.msg);
	seccomp_prog_fini(&p);
}

/* More than 32 rules turns on libseccomp's binary tree; the filter still works. */
static void
large_profile_works(void **state)
{
	static char *many[] = {
	    "acct",
	    "add_key",
	    "bpf",
	    "chroot",
	    "delete_module",
	    "finit_module",
	    "fsconfig",
	    "fsmount",
	    "fsopen",
	    "fspick",
	    "get_mempolicy",
	    "init_module",
	    "ioperm",
	    "iopl",
	    "kcmp",
	    "kexec_file_load",
	    "kexec_load",
	    "keyctl",
	    "lookup_dcookie",
	    "mbind",
	    "mount",
	    "move_mount",
	    "move_pages",
	    "name_to_handle_at",
	    "nfsservctl",
	    "open_by_handle_at",
	    "open_tree",
	    "perf_event_open",
	    "pivot_root",
	    "process_vm_readv",
	    "process_vm_writev",
	    "quotactl",
	    "reboot",
	    "request_key",
	    "set_mempolicy",
	    "setns",
	    "swapoff",
	    "swapon",
	    "syslog",
	    "umount2",
	    "unshare",
	    "uselib",
	    "userfaultfd",
	    "vhangup",
	};
	char *names[ARRAY_SIZE(many)][2];
	struct rt_seccomp_rule r[ARRAY_SIZE(many) + 1];
	struct rt_seccomp s = {
	    .default_action = "SCMP_ACT_ALLOW", .syscalls = r, .n_syscalls = ARRAY_SIZE(r)};
	struct seccomp_prog p;
	struct err err = {0};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(many); i++) {
		names[i][0] = many[i];
		names[i][1] = NULL;
		r[i] = (struct rt_seccomp_rule){.names = names[i], .action = "SCMP_ACT_ERRNO"};
	}
	r[ARRAY_SIZE(many)] = (struct rt_seccomp_rule){.names = NAMES("getcwd"),
	                                               .action = "SCMP_ACT_ERRNO",
	                                               .has_errno_ret = true,
	                                               .errno_ret = 42};
	if (seccomp_compile(&s, &p, &err) < 0)
		fail_msg("%s", err.msg);
	assert_exit0(run_child(child_getcwd_42, &p));
	seccomp_prog_fini(&p);
}

/* Compiling s must fail with EINVAL and a message containing want. */
static void
assert_compile_fails(const struct rt_seccomp *s, const char *want)
{
	struct seccomp_prog p = {.filter = (void *)1};
	struct err err = {0};

	assert_int_equal(seccomp_compile(s, &p, &err), -1);
	if (strstr(err.msg, want) == NULL)
		fail_msg("error \"%s\" does not contain \"%s\"", err.msg, want);
	assert_int_equal(err.code, EINVAL);
	assert_null(p.filter); /* nothing left behind */
}

static void
unknown_syscall_is_an_error(void **state)
{
	struct rt_seccomp_rule r = {.names = NAMES("getcwd", "foo_bar"),
	                            .action = "SCMP_ACT_ERRNO"};
	struct rt_seccomp s = profile_one(&r);

	(void)state;
	assert_compile_fails(&s, "seccomp: unknown syscall \"foo_bar\"");
}

static void
unknown_architecture_is_an_error(void **state)
{
	struct rt_seccomp s = {.default_action = "SCMP_ACT_ALLOW",
	                       .architectures = NAMES("SCMP_ARCH_X86_64", "SCMP_ARCH_VAX")};
	struct rt_seccomp s2 = {.default_action = "SCMP_ACT_ALLOW",
	                        .architectures = NAMES("x86_64")};

	(void)state;
	assert_compile_fails(&s, "unknown architecture \"SCMP_ARCH_VAX\"");
	assert_compile_fails(&s2, "unknown architecture \"x86_64\"");
}

static void
bad_actions_ops_and_flags(void **state)
{
	struct rt_seccomp_arg bad_op = {.index = 0, .value = 1, .op = "SCMP_CMP_ALMOST"};
	struct rt_seccomp_arg bad_idx = {.index = 6, .value = 1, .op = "SCMP_CMP_EQ"};
	struct rt_seccomp_rule act = {.names = NAMES("getcwd"), .action = "SCMP_ACT_MAYBE"};
	struct rt_seccomp_rule allow_errno = {.names = NAMES("getcwd"),
	                                      .action = "SCMP_ACT_KILL",
	                                      .has_errno_ret = true,
	                                      .errno_ret = 1};
	struct rt_seccomp_rule big = {.names = NAMES("getcwd"),
	                              .action = "SCMP_ACT_ERRNO",
	                              .has_errno_ret = true,
	                              .errno_ret = 5000};
	struct rt_seccomp_rule op = {
	    .names = NAMES("kill"), .action = "SCMP_ACT_ERRNO", .args = &bad_op, .n_args = 1};
	struct rt_seccomp_rule idx = {
	    .names = NAMES("kill"), .action = "SCMP_ACT_ERRNO", .args = &bad_idx, .n_args = 1};
	struct rt_seccomp_rule empty = {.names = (char *[]){NULL}, .action = "SCMP_ACT_ERRNO"};
	struct rt_seccomp s;

	(void)state;
	s = profile_one(&act);
	assert_compile_fails(&s, "syscalls[0].action: unknown action \"SCMP_ACT_MAYBE\"");
	s = profile_one(&allow_errno);
	assert_compile_fails(&s, "errnoRet is only valid with SCMP_ACT_ERRNO");
	s = profile_one(&big);
	assert_compile_fails(&s, "errnoRet 5000 out of range");
	s = profile_one(&op);
	assert_compile_fails(&s, "unknown operator \"SCMP_CMP_ALMOST\"");
	s = profile_one(&idx);
	assert_compile_fails(&s, "index 6 > 5");
	s = profile_one(&empty);
	assert_compile_fails(&s, "syscalls[0]: names is empty");
	s = profile_one(NULL);
	s.default_action = "SCMP_ACT_NOPE";
	assert_compile_fails(&s, "defaultAction: unknown action \"SCMP_ACT_NOPE\"");
	s = profile_one(NULL);
	s.flags = NAMES("SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_FAST");
	assert_compile_fails(&s, "unknown flag \"SECCOMP_FILTER_FLAG_FAST\"");
	s = profile_one(NULL);
	s.default_action = "SCMP_ACT_ALLOW";
	s.has_default_errno_ret = true;
	assert_compile_fails(&s, "defaultAction: errnoRet is only valid");
}

static void
flags_are_translated(void **state)
{
	struct rt_seccomp_rule r = {.names = NAMES("getcwd"),
	                            .action = "SCMP_ACT_ERRNO",
	                            .has_errno_ret = true,
	                            .errno_ret = 42};
	struct rt_seccomp s = profile_one(&r);
	struct seccomp_prog p;
	struct err err = {0};

	(void)state;
	s.flags = NAMES("SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
	                "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV");
	assert_int_equal(seccomp_compile(&s, &p, &err), 0);
	/* WAIT_KILLABLE_RECV needs a listener: dropped */
	assert_int_equal(p.flags, SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_LOG |
	                              SECCOMP_FILTER_FLAG_SPEC_ALLOW);
	assert_exit0(run_child(child_getcwd_42, &p)); /* the kernel takes them */
	seccomp_prog_fini(&p);
}

static void
notify_rules_need_a_listener(void **state)
{
	struct rt_seccomp_rule notify = {.names = NAMES("getppid"), .action = "SCMP_ACT_NOTIFY"};
	struct rt_seccomp_rule wr = {.names = NAMES("getppid", "write"),
	                             .action = "SCMP_ACT_NOTIFY"};
	struct rt_seccomp s;

	(void)state;
	s = profile_one(&notify);
	assert_compile_fails(&s, "SCMP_ACT_NOTIFY is used but listenerPath is not set");
	s = profile_one(&wr);
	s.listener_path = "/run/agent.sock";
	assert_compile_fails(&s, "SCMP_ACT_NOTIFY cannot be used for write");
	wr.names = NAMES("sendmsg");
	assert_compile_fails(&s, "SCMP_ACT_NOTIFY cannot be used for sendmsg");
	s = profile_one(NULL);
	s.default_action = "SCMP_ACT_NOTIFY";
	s.listener_path = "/run/agent.sock";
	assert_compile_fails(&s, "SCMP_ACT_NOTIFY cannot be the default action");
	s = profile_one(NULL);
	s.listener_metadata = "x";
	assert_compile_fails(&s, "listenerMetadata is set without listenerPath");
}

/* Child: load, pass the listener fd up, then getppid() is answered by the parent. */
static int sock_to_parent = -1;

static int
child_notify(const struct seccomp_prog *p)
{
	struct err err = {0};
	int nfd = -1;

	if (seccomp_prog_load(p, &nfd, &err) < 0 || nfd < 0)
		return 10;
	if (fd_send(sock_to_parent, "x", 1, &nfd, 1, &err) < 0)
		return 11;
	close(nfd);
	if (getppid() != 4242)
		return 12;
	return 0;
}

static void
notify_answer(int nfd, pid_t child)
{
	struct seccomp_notif *req = NULL;
	struct seccomp_notif_resp *resp = NULL;

	assert_int_equal(seccomp_notify_alloc(&req, &resp), 0);
	assert_int_equal(seccomp_notify_receive(nfd, req), 0);
	assert_int_equal(req->pid, child);
	assert_int_equal(req->data.nr, seccomp_syscall_resolve_name("getppid"));
	resp->id = req->id;
	resp->val = 4242;
	resp->error = 0;
	resp->flags = 0;
	assert_int_equal(seccomp_notify_respond(nfd, resp), 0);
	seccomp_notify_free(req, resp);
}

static void
notify_gives_a_listener_fd(void **state)
{
	struct rt_seccomp_rule r = {.names = NAMES("getppid"), .action = "SCMP_ACT_NOTIFY"};
	struct rt_seccomp s = profile_one(&r);
	struct seccomp_prog p;
	struct err err = {0};
	int sv[2], fds[1] = {-1}, st = 0;
	size_t n_fds = 1;
	char c;
	pid_t pid;

	(void)state;
	s.listener_path = "/run/agent.sock";
	s.flags = NAMES("SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV");
	assert_int_equal(seccomp_compile(&s, &p, &err), 0);
	assert_true(p.has_notify);
	/* TSYNC dropped (needs TSYNC_ESRCH with a listener), WAIT_KILLABLE_RECV kept */
	assert_int_equal(p.flags,
	                 SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	sock_to_parent = sv[1];
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		child_reset_signals();
		close(sv[0]);
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
			_exit(90);
		_exit(child_notify(&p));
	}
	close(sv[1]);
	assert_int_equal(fd_recv(sv[0], &c, 1, fds, &n_fds, &err), 1);
	assert_int_equal(n_fds, 1);
	assert_true(fds[0] >= 0);
	notify_answer(fds[0], pid);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_exit0(st);
	close(fds[0]);
	close(sv[0]);
	seccomp_prog_fini(&p);
}

static int
child_load_without_privs(const struct seccomp_prog *p)
{
	struct err err = {0};
	int nfd = -1;

	if (seccomp_prog_load(p, &nfd, &err) == 0)
		return 1;
	if (err.code != EACCES || strstr(err.msg, "needs CAP_SYS_ADMIN or no_new_privs") == NULL)
		return 2;
	return 0;
}

/* Without no_new_privs the filter needs CAP_SYS_ADMIN: the error says so. */
static void
load_without_privileges_fails(void **state)
{
	struct rt_seccomp_rule r = {.names = NAMES("getcwd"), .action = "SCMP_ACT_ERRNO"};
	struct rt_seccomp s = profile_one(&r);
	struct seccomp_prog p;
	struct err err = {0};
	int st = 0;
	pid_t pid;

	(void)state;
	assert_int_equal(seccomp_compile(&s, &p, &err), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		child_reset_signals();
		if (setresgid(65534, 65534, 65534) < 0 || setresuid(65534, 65534, 65534) < 0)
			_exit(90);
		_exit(child_load_without_privs(&p));
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_exit0(st);
	seccomp_prog_fini(&p);
}

static void
listener_message_format(void **state)
{
	char *m;

	(void)state;
	m = seccomp_listener_message(77, NULL, "{\"id\":\"c\"}");
	assert_string_equal(m, "{\"ociVersion\":\"1.2.0\",\"fds\":[\"seccompFd\"],\"pid\":77,"
	                       "\"state\":{\"id\":\"c\"}}");
	free(m);
	m = seccomp_listener_message(77, "", "{}");
	assert_null(strstr(m, "metadata"));
	free(m);
	m = seccomp_listener_message(1, "a\"b\\c\n\x01", "{}");
	assert_non_null(strstr(m, "\"metadata\":\"a\\\"b\\\\c\\n\\u0001\""));
	free(m);
}

static const char *
tree_str(yajl_val root, const char *k1, const char *k2)
{
	const char *path[] = {k1, k2, NULL};
	yajl_val v = yajl_tree_get(root, path, yajl_t_string);

	return v != NULL ? YAJL_GET_STRING(v) : NULL;
}

/* Checks the message the listener got: valid JSON with the fields runc sends. */
static void
check_listener_json(const char *buf)
{
	char errbuf[128];
	yajl_val root = yajl_tree_parse(buf, errbuf, sizeof(errbuf));
	const char *fds_path[] = {"fds", NULL}, *pid_path[] = {"pid", NULL};
	yajl_val fds, pid;

	if (root == NULL)
		fail_msg("listener message is not JSON (%s): %s", errbuf, buf);
	assert_string_equal(tree_str(root, "ociVersion", NULL), "1.2.0");
	assert_string_equal(tree_str(root, "metadata", NULL), "MKNOD=/dev/null;\"q\"");
	assert_string_equal(tree_str(root, "state", "id"), "c1");
	assert_string_equal(tree_str(root, "state", "status"), "creating");
	fds = yajl_tree_get(root, fds_path, yajl_t_array);
	if (fds == NULL || fds->u.array.len != 1 || !YAJL_IS_STRING(fds->u.array.values[0]))
		fail_msg("fds is not [\"seccompFd\"]: %s", buf);
	assert_string_equal(fds->u.array.values[0]->u.string, "seccompFd");
	pid = yajl_tree_get(root, pid_path, yajl_t_number);
	if (pid == NULL || !YAJL_IS_INTEGER(pid))
		fail_msg("pid is not an integer: %s", buf);
	assert_int_equal(pid->u.number.i, 4422);
	yajl_tree_free(root);
}

static void
listener_gets_fd_and_state(void **state)
{
	char dir[] = "/tmp/test_seccomp.XXXXXX", path[64], buf[4096];
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	struct err err = {0};
	struct stat a, b;
	int lsock, conn, pipefd[2], fds[1] = {-1};
	size_t n_fds = 1;
	ssize_t n;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/agent.sock", dir);
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	lsock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(lsock >= 0);
	assert_int_equal(bind(lsock, (struct sockaddr *)&addr, sizeof(addr)), 0);
	assert_int_equal(listen(lsock, 1), 0);
	assert_int_equal(pipe2(pipefd, O_CLOEXEC), 0);
	/* connect completes from the backlog, so one thread can do both ends */
	assert_int_equal(seccomp_send_listener(path, pipefd[0], 4422, "MKNOD=/dev/null;\"q\"",
	                                       "{\"ociVersion\":\"1.2.0\",\"id\":\"c1\","
	                                       "\"status\":\"creating\",\"pid\":4422}",
	                                       &err),
	                 0);
	conn = accept4(lsock, NULL, NULL, SOCK_CLOEXEC);
	assert_true(conn >= 0);
	n = fd_recv(conn, buf, sizeof(buf) - 1, fds, &n_fds, &err);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_int_equal(n_fds, 1);
	assert_int_equal(fstat(fds[0], &a), 0);
	assert_int_equal(fstat(pipefd[0], &b), 0);
	assert_int_equal(a.st_ino, b.st_ino); /* the same pipe */
	check_listener_json(buf);
	assert_int_equal(read(conn, buf, 1), 0); /* one message, then closed */
	close(fds[0]), close(conn), close(lsock), close(pipefd[0]), close(pipefd[1]);
	unlink(path);
	rmdir(dir);
	/* nobody listening: the error names the path */
	assert_int_equal(seccomp_send_listener(path, 0, 1, NULL, "{}", &err), -1);
	assert_int_equal(err.code, ENOENT);
	assert_non_null(strstr(err.msg, path));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(errno_ret_blocks_getcwd),
	    cmocka_unit_test(errno_defaults_to_eperm),
	    cmocka_unit_test(default_errno_ret),
	    cmocka_unit_test(masked_eq_uses_value_two),
	    cmocka_unit_test(same_argument_twice_is_or),
	    cmocka_unit_test(different_arguments_are_and),
	    cmocka_unit_test(kill_and_trap_actions_raise_sigsys),
	    cmocka_unit_test(log_trace_and_pseudo_syscalls_compile),
	    cmocka_unit_test(large_profile_works),
	    cmocka_unit_test(unknown_syscall_is_an_error),
	    cmocka_unit_test(unknown_architecture_is_an_error),
	    cmocka_unit_test(bad_actions_ops_and_flags),
	    cmocka_unit_test(flags_are_translated),
	    cmocka_unit_test(notify_rules_need_a_listener),
	    cmocka_unit_test(notify_gives_a_listener_fd),
	    cmocka_unit_test(load_without_privileges_fails),
	    cmocka_unit_test(listener_message_format),
	    cmocka_unit_test(listener_gets_fd_and_state),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
