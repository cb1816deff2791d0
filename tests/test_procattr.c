/* Unit tests for procattr.c: the CPU list parser, and every attribute applied for real in a
 * forked child (or on a forked child's pid, for the parent-side functions). */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/keyctl.h>

#include <cmocka.h>

#include "base/cleanup.h"
#include "base/fdutil.h"
#include "runtime/procattr.h"

/* --- helpers --- */

/* Runs fn in a child; returns its exit code (fails the test if it was killed). */
static int
run_child(int (*fn)(void *), void *arg)
{
	int st = 0;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0)
		_exit(fn(arg));
	assert_int_equal(waitpid(pid, &st, 0), pid);
	if (!WIFEXITED(st))
		fail_msg("child killed by signal %d", WTERMSIG(st));
	return WEXITSTATUS(st);
}

/* A child that waits until the returned fd is closed; the parent works on its pid. */
static pid_t
spawn_waiter(int *release_fd)
{
	int p[2];
	pid_t pid;

	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char c;
		close(p[1]);
		(void)read(p[0], &c, 1);
		_exit(0);
	}
	close(p[0]);
	*release_fd = p[1];
	return pid;
}

static void
reap_waiter(pid_t pid, int release_fd)
{
	int st = 0;

	close(release_fd);
	assert_int_equal(waitpid(pid, &st, 0), pid);
}

static void
assert_err_contains(const struct err *err, const char *want)
{
	if (strstr(err->msg, want) == NULL)
		fail_msg("error \"%s\" does not contain \"%s\"", err->msg, want);
}

/* --- cpu lists --- */

static void
cpuset_parse_lists(void **state)
{
	struct procattr_cpuset c;
	struct err err = {0};

	(void)state;
	assert_int_equal(procattr_cpuset_parse("0-3,5", &c, &err), 0);
	assert_non_null(c.set);
	assert_int_equal(CPU_COUNT_S(c.size, c.set), 5);
	for (int i = 0; i <= 3; i++)
		assert_true(CPU_ISSET_S(i, c.size, c.set));
	assert_false(CPU_ISSET_S(4, c.size, c.set));
	assert_true(CPU_ISSET_S(5, c.size, c.set));
	procattr_cpuset_fini(&c);
	assert_null(c.set);

	assert_int_equal(procattr_cpuset_parse(" 7 , 2-2,1100-1101\n", &c, &err), 0);
	assert_int_equal(CPU_COUNT_S(c.size, c.set), 4);
	assert_true(CPU_ISSET_S(7, c.size, c.set));
	assert_true(CPU_ISSET_S(2, c.size, c.set));
	assert_true(CPU_ISSET_S(1101, c.size, c.set)); /* beyond a static cpu_set_t */
	assert_true(c.size >= 1102 / 8);
	procattr_cpuset_fini(&c);

	assert_int_equal(procattr_cpuset_parse("", &c, &err), 0);
	assert_null(c.set);
	assert_int_equal(procattr_cpuset_parse("  ", &c, &err), 0);
	assert_null(c.set);
	procattr_cpuset_fini(&c);
}

static void
cpuset_parse_errors(void **state)
{
	static const struct {
		const char *list, *want;
	} bad[] = {
	    {"3-1", "range 3-1 is reversed"},
	    {"1,,2", "expected a number at \",2\""},
	    {"a", "expected a number at \"a\""},
	    {"1-", "expected a number at \"\""},
	    {"-1", "expected a number at \"-1\""},
	    {"1,", "trailing comma"},
	    {"99999999", "cpu 99999999 out of range"},
	    {"1 2", "unexpected \"2\""},
	    {"0x3", "unexpected \"x3\""},
	    {"0-3;5", "unexpected \";5\""},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct procattr_cpuset c = {.set = (cpu_set_t *)1};
		struct err err = {0};

		if (procattr_cpuset_parse(bad[i].list, &c, &err) != -1)
			fail_msg("\"%s\" parsed", bad[i].list);
		assert_int_equal(err.code, EINVAL);
		assert_null(c.set);
		assert_err_contains(&err, bad[i].want);
		assert_err_contains(&err, bad[i].list);
	}
}

static int
child_affinity(void *arg)
{
	const cpu_set_t *before = arg;
	struct procattr_cpuset c;
	struct err err = {0};
	cpu_set_t now;

	if (procattr_cpuset_parse("0", &c, &err) < 0 || procattr_cpuset_apply(0, &c, &err) < 0)
		return 1;
	procattr_cpuset_fini(&c);
	if (sched_getaffinity(0, sizeof(now), &now) < 0 || CPU_COUNT(&now) != 1 ||
	    !CPU_ISSET(0, &now))
		return 2;
	/* no set: back to every CPU allowed */
	if (procattr_cpuset_apply(0, &c, &err) < 0)
		return 3;
	if (sched_getaffinity(0, sizeof(now), &now) < 0 || !CPU_EQUAL(&now, before))
		return 4;
	return 0;
}

static void
cpuset_apply_real(void **state)
{
	cpu_set_t before;
	struct procattr_cpuset c;
	struct err err = {0};

	(void)state;
	assert_int_equal(sched_getaffinity(0, sizeof(before), &before), 0);
	if (!CPU_ISSET(0, &before))
		skip();
	assert_int_equal(run_child(child_affinity, &before), 0);
	/* a CPU that does not exist: the kernel says EINVAL */
	assert_int_equal(procattr_cpuset_parse("4000", &c, &err), 0);
	assert_int_equal(procattr_cpuset_apply(0, &c, &err), -1);
	assert_int_equal(err.code, EINVAL);
	procattr_cpuset_fini(&c);
}

/* --- rlimits --- */

static int
child_rlimits(void *arg)
{
	const struct rt_rlimit r[] = {{RLIMIT_NOFILE, 100, 200}, {RLIMIT_CORE, 0, 0}};
	struct err err = {0};
	struct rlimit rl;

	(void)arg;
	if (procattr_rlimits_apply(r, 2, &err) < 0)
		return 1;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur != 100 || rl.rlim_max != 200)
		return 2;
	if (getrlimit(RLIMIT_CORE, &rl) < 0 || rl.rlim_cur != 0 || rl.rlim_max != 0)
		return 3;
	return 0;
}

static void
rlimits_apply_self(void **state)
{
	(void)state;
	assert_int_equal(run_child(child_rlimits, NULL), 0);
}

static void
rlimits_apply_pid(void **state)
{
	const struct rt_rlimit r[] = {{RLIMIT_NOFILE, 64, 128}};
	struct err err = {0};
	struct rlimit rl;
	int release;
	pid_t pid = spawn_waiter(&release);

	(void)state;
	assert_int_equal(procattr_rlimits_apply_pid(pid, r, 1, &err), 0);
	assert_int_equal(prlimit(pid, RLIMIT_NOFILE, NULL, &rl), 0);
	assert_int_equal(rl.rlim_cur, 64);
	assert_int_equal(rl.rlim_max, 128);
	reap_waiter(pid, release);
	assert_int_equal(procattr_rlimits_apply_pid(0, r, 1, &err), -1);
}

static int
child_rlimit_raise(void *arg)
{
	const struct rt_rlimit lower[] = {{RLIMIT_NOFILE, 10, 20}};
	const struct rt_rlimit raise[] = {{RLIMIT_NOFILE, 10, 40}};
	struct err *err = arg;

	if (procattr_rlimits_apply(lower, 1, err) < 0)
		return 1;
	if (setresuid(65534, 65534, 65534) < 0)
		return 2;
	if (procattr_rlimits_apply(raise, 1, err) != -1 || err->code != EPERM)
		return 3;
	if (strstr(err->msg, "set RLIMIT_NOFILE (soft 10, hard 40)") == NULL)
		return 4;
	return 0;
}

static void
rlimits_errors_name_the_limit(void **state)
{
	const struct rt_rlimit inverted[] = {{RLIMIT_NPROC, 10, 5}};
	const struct rt_rlimit unknown[] = {{99, 1, 1}};
	struct err err = {0};

	(void)state;
	assert_int_equal(procattr_rlimits_apply(inverted, 1, &err), -1);
	assert_err_contains(&err, "RLIMIT_NPROC: soft limit 10 above hard limit 5");
	assert_int_equal(procattr_rlimits_apply(unknown, 1, &err), -1);
	assert_err_contains(&err, "unknown rlimit type 99");
	assert_int_equal(run_child(child_rlimit_raise, &err), 0);
}

/* --- user --- */

static int
child_user(void *arg)
{
	uint32_t gids[] = {2000, 2001};
	struct rt_user u = {.uid = 1000,
	                    .gid = 1001,
	                    .additional_gids = gids,
	                    .n_additional_gids = 2,
	                    .has_umask = true,
	                    .umask = 027};
	struct err err = {0};
	uid_t r, e, s;
	gid_t rg, eg, sg, list[8];

	(void)arg;
	if (procattr_user_apply(&u, true, &err) < 0)
		return 1;
	if (getresuid(&r, &e, &s) < 0 || r != 1000 || e != 1000 || s != 1000)
		return 2;
	if (getresgid(&rg, &eg, &sg) < 0 || rg != 1001 || eg != 1001 || sg != 1001)
		return 3;
	if (getgroups(8, list) != 2 || list[0] != 2000 || list[1] != 2001)
		return 4;
	if (umask(0) != 027)
		return 5;
	return 0;
}

static int
child_user_no_groups(void *arg)
{
	struct rt_user u = {.uid = 1000, .gid = 1000};
	struct err err = {0};
	gid_t list[8];

	(void)arg;
	if (procattr_user_apply(&u, true, &err) < 0)
		return 1;
	if (getgroups(8, list) != 0) /* nothing inherited */
		return 2;
	return 0;
}

static int
child_user_errors(void *arg)
{
	uint32_t gids[] = {2000, 2001};
	struct rt_user with_gids = {
	    .uid = 0, .gid = 0, .additional_gids = gids, .n_additional_gids = 2};
	struct rt_user to_root = {.uid = 0, .gid = 0};
	struct err err = {0};

	(void)arg;
	/* setgroups denied: asking for gids is an error, and nothing changes */
	if (procattr_user_apply(&with_gids, false, &err) != -1 || err.code != EPERM ||
	    strstr(err.msg, "cannot set additional gids [2000, 2001]") == NULL)
		return 1;
	/* gid 0 kept, uid 1000: setresgid(0) works, setresuid(0) does not */
	if (setresuid(1000, 1000, 1000) < 0)
		return 2;
	if (procattr_user_apply(&to_root, false, &err) != -1 || err.code != EPERM ||
	    strstr(err.msg, "setresuid to uid 0") == NULL)
		return 3;
	to_root.gid = 5;
	if (procattr_user_apply(&to_root, false, &err) != -1 ||
	    strstr(err.msg, "setresgid to gid 5") == NULL)
		return 4;
	return 0;
}

static void
user_apply_real(void **state)
{
	(void)state;
	if (getuid() != 0)
		skip();
	assert_int_equal(run_child(child_user, NULL), 0);
	assert_int_equal(run_child(child_user_no_groups, NULL), 0);
	assert_int_equal(run_child(child_user_errors, NULL), 0);
}

static int
child_setgroups_denied(void *arg)
{
	struct err err = {0};
	bool allowed = true;

	(void)arg;
	if (unshare(CLONE_NEWUSER) < 0)
		return 77;
	if (write_file_at(AT_FDCWD, "/proc/self/setgroups", "deny", 4, &err) < 0)
		return 1;
	if (procattr_setgroups_allowed(0, &allowed, &err) < 0 || allowed)
		return 2;
	return 0;
}

static void
setgroups_allowed_reads_proc(void **state)
{
	struct err err = {0};
	bool allowed = false;
	int rc;

	(void)state;
	assert_int_equal(procattr_setgroups_allowed(0, &allowed, &err), 0);
	assert_true(allowed); /* the initial user namespace */
	assert_int_equal(procattr_setgroups_allowed(getpid(), &allowed, &err), 0);
	assert_true(allowed);
	assert_int_equal(procattr_setgroups_allowed(999999999, &allowed, &err), -1);
	rc = run_child(child_setgroups_denied, NULL);
	if (rc == 77)
		skip(); /* no user namespaces here */
	assert_int_equal(rc, 0);
}

/* --- the rest --- */

static int
child_no_new_privs(void *arg)
{
	struct err err = {0};

	(void)arg;
	if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 0)
		return 1;
	if (procattr_no_new_privs(&err) < 0)
		return 2;
	return prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1 ? 0 : 3;
}

static void
no_new_privs_real(void **state)
{
	(void)state;
	assert_int_equal(run_child(child_no_new_privs, NULL), 0);
}

static int
child_scheduler(void *arg)
{
	struct rt_scheduler s = {.policy = SCHED_BATCH, .nice = 5};
	struct rt_scheduler bad = {.policy = SCHED_FIFO, .priority = 0};
	struct err err = {0};

	(void)arg;
	if (procattr_scheduler_apply(0, &s, &err) < 0)
		return 1;
	if (sched_getscheduler(0) != SCHED_BATCH)
		return 2;
	errno = 0;
	if (getpriority(PRIO_PROCESS, 0) != 5 || errno != 0)
		return 3;
	if (procattr_scheduler_apply(0, &bad, &err) != -1 || err.code != EINVAL ||
	    strstr(err.msg, "sched_setattr SCHED_FIFO (1, nice 0, priority 0)") == NULL)
		return 4;
	return 0;
}

static void
scheduler_real(void **state)
{
	struct rt_scheduler idle = {.policy = SCHED_IDLE};
	struct err err = {0};
	int release;
	pid_t pid;

	(void)state;
	assert_int_equal(run_child(child_scheduler, NULL), 0);
	pid = spawn_waiter(&release);
	assert_int_equal(procattr_scheduler_apply(pid, &idle, &err), 0);
	assert_int_equal(sched_getscheduler(pid), SCHED_IDLE);
	reap_waiter(pid, release);
}

static int
child_ioprio(void *arg)
{
	struct rt_io_priority p = {.class = 2, .priority = 6};
	struct err err = {0};

	(void)arg;
	if (procattr_io_priority_apply(0, &p, &err) < 0)
		return 1;
	/* IOPRIO_WHO_PROCESS = 1 */
	return syscall(SYS_ioprio_get, 1, 0) == (2 << 13 | 6) ? 0 : 2;
}

static void
io_priority_real(void **state)
{
	struct rt_io_priority bad_class = {.class = 4, .priority = 0};
	struct rt_io_priority bad_prio = {.class = 2, .priority = 8};
	struct err err = {0};

	(void)state;
	assert_int_equal(run_child(child_ioprio, NULL), 0);
	assert_int_equal(procattr_io_priority_apply(0, &bad_class, &err), -1);
	assert_err_contains(&err, "unknown class 4");
	assert_int_equal(procattr_io_priority_apply(0, &bad_prio, &err), -1);
	assert_err_contains(&err, "priority 8 not in 0..7");
}

static int
child_personality(void *arg)
{
	struct err err = {0};
	struct utsname u;

	(void)arg;
	if (procattr_personality_apply("LINUX32", &err) < 0)
		return 1;
	if ((personality(0xffffffff) & PER_MASK) != PER_LINUX32)
		return 2;
	if (uname(&u) < 0 || strcmp(u.machine, "i686") != 0)
		return 3;
	if (procattr_personality_apply("LINUX", &err) < 0)
		return 4;
	return (personality(0xffffffff) & PER_MASK) == PER_LINUX ? 0 : 5;
}

static void
personality_real(void **state)
{
	struct err err = {0};
	struct utsname u;

	(void)state;
	assert_int_equal(uname(&u), 0);
	if (strcmp(u.machine, "x86_64") != 0)
		skip();
	assert_int_equal(run_child(child_personality, NULL), 0);
	assert_int_equal(procattr_personality_apply("WINDOWS", &err), -1);
	assert_err_contains(&err, "unknown domain \"WINDOWS\"");
}

static int
child_keyring(void *arg)
{
	const char *id = arg;
	struct err err = {0};
	char desc[512], want[128];
	long before, after, n;
	const char *perm;

	before = syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0);
	if (procattr_session_keyring(id, &err) < 0)
		return 1;
	after = syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0);
	if (after < 0 && (errno == ENOSYS || errno == EPERM))
		return 77;
	if (after < 0 || after == before)
		return 2;
	n = syscall(SYS_keyctl, KEYCTL_DESCRIBE, after, desc, sizeof(desc));
	if (n < 0 || (size_t)n > sizeof(desc))
		return 3;
	snprintf(want, sizeof(want), ";%s", id != NULL ? "_ses." : "_ses");
	if (strstr(desc, want) == NULL || (id != NULL && strstr(desc, id) == NULL))
		return 4;
	perm = desc; /* type;uid;gid;perm;description */
	for (int i = 0; i < 3 && perm != NULL; i++)
		perm = strchr(perm, ';') ? strchr(perm, ';') + 1 : NULL;
	if (perm == NULL || !(strtoul(perm, NULL, 16) & 0x00080000)) /* KEY_USR_SEARCH */
		return 5;
	return 0;
}

static void
session_keyring_real(void **state)
{
	int rc;

	(void)state;
	rc = run_child(child_keyring, "c1");
	if (rc == 77)
		skip(); /* keyrings unavailable here */
	assert_int_equal(rc, 0);
	assert_int_equal(run_child(child_keyring, NULL), 0);
}

static void
oom_score_adj_from_parent(void **state)
{
	cleanup_free char *buf = NULL;
	char path[64];
	struct err err = {0};
	int release;
	pid_t pid = spawn_waiter(&release);

	(void)state;
	assert_int_equal(procattr_oom_score_adj_write(pid, 500, &err), 0);
	snprintf(path, sizeof(path), "/proc/%d/oom_score_adj", (int)pid);
	assert_int_equal(read_file_at(AT_FDCWD, path, &buf, NULL, &err), 0);
	assert_string_equal(buf, "500\n");
	assert_int_equal(procattr_oom_score_adj_write(pid, 1001, &err), -1);
	assert_err_contains(&err, "oomScoreAdj 1001 not in -1000..1000");
	reap_waiter(pid, release);
	assert_int_equal(procattr_oom_score_adj_write(pid, 1, &err), -1);
	assert_int_equal(err.code, ENOENT);
	assert_err_contains(&err, path);
	assert_int_equal(procattr_oom_score_adj_write(0, 1, &err), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(cpuset_parse_lists),   cmocka_unit_test(cpuset_parse_errors),
	    cmocka_unit_test(cpuset_apply_real),    cmocka_unit_test(rlimits_apply_self),
	    cmocka_unit_test(rlimits_apply_pid),    cmocka_unit_test(rlimits_errors_name_the_limit),
	    cmocka_unit_test(user_apply_real),      cmocka_unit_test(setgroups_allowed_reads_proc),
	    cmocka_unit_test(no_new_privs_real),    cmocka_unit_test(scheduler_real),
	    cmocka_unit_test(io_priority_real),     cmocka_unit_test(personality_real),
	    cmocka_unit_test(session_keyring_real), cmocka_unit_test(oom_score_adj_from_parent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
