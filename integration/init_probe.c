/* init_probe.c: the init helper's subcommands that report process and system attributes
 * (capabilities, namespaces, rlimits, scheduler, terminal, mounts, ...). See init.c. */
#include "init_probe.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/keyctl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "init.h"

/* Prints the lines of /proc/self/status whose key starts with one of prefixes. */
static int
status_lines(const char *const *prefixes)
{
	char line[512];
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return init_fail("/proc/self/status");
	while (fgets(line, sizeof(line), f))
		for (const char *const *p = prefixes; *p; p++)
			if (!strncmp(line, *p, strlen(*p)))
				fputs(line, stdout);
	fclose(f);
	return 0;
}

static int
cmd_caps(char **argv, int argc)
{
	static const char *const keys[] = {"CapInh:", "CapPrm:", "CapEff:", "CapBnd:",
					   "CapAmb:", NULL};
	(void)argv, (void)argc;
	return status_lines(keys);
}

static int
cmd_nnp(char **argv, int argc)
{
	static const char *const keys[] = {"NoNewPrivs:", NULL};
	(void)argv, (void)argc;
	return status_lines(keys);
}

static int
cmd_seccomp(char **argv, int argc)
{
	static const char *const keys[] = {"Seccomp:", NULL};
	(void)argv, (void)argc;
	return status_lines(keys);
}

static int
print_ns(const char *pid)
{
	static const char *const names[] = {"cgroup", "ipc", "mnt", "net", "pid",
					    "pid_for_children", "time", "time_for_children",
					    "user", "uts", NULL};
	char path[128], buf[256];

	for (const char *const *n = names; *n; n++) {
		snprintf(path, sizeof(path), "/proc/%s/ns/%s", pid, *n);
		ssize_t len = readlink(path, buf, sizeof(buf) - 1);
		if (len < 0)
			continue;
		buf[len] = 0;
		printf("%s %s\n", *n, buf);
	}
	return 0;
}

/* ns [PID]: `NAME LINK` for each namespace of this process (or of PID). */
static int
cmd_ns(char **argv, int argc)
{
	return print_ns(argc ? argv[0] : "self");
}

static const struct {
	const char *name;
	int res;
} rlimits[] = {
	{"AS", RLIMIT_AS},	     {"CORE", RLIMIT_CORE},
	{"CPU", RLIMIT_CPU},	     {"DATA", RLIMIT_DATA},
	{"FSIZE", RLIMIT_FSIZE},     {"LOCKS", RLIMIT_LOCKS},
	{"MEMLOCK", RLIMIT_MEMLOCK}, {"MSGQUEUE", RLIMIT_MSGQUEUE},
	{"NICE", RLIMIT_NICE},	     {"NOFILE", RLIMIT_NOFILE},
	{"NPROC", RLIMIT_NPROC},     {"RSS", RLIMIT_RSS},
	{"RTPRIO", RLIMIT_RTPRIO},   {"RTTIME", RLIMIT_RTTIME},
	{"SIGPENDING", RLIMIT_SIGPENDING}, {"STACK", RLIMIT_STACK},
};

static void
print_rlim(rlim_t v)
{
	if (v == RLIM_INFINITY)
		printf("unlimited");
	else
		printf("%llu", (unsigned long long)v);
}

/* rlimit NAME (NOFILE or RLIMIT_NOFILE): `SOFT HARD`. */
static int
cmd_rlimit(char **argv, int argc)
{
	const char *name = argv[0];
	struct rlimit rl;

	(void)argc;
	if (!strncmp(name, "RLIMIT_", 7))
		name += 7;
	for (size_t i = 0; i < sizeof(rlimits) / sizeof(rlimits[0]); i++) {
		if (strcmp(rlimits[i].name, name))
			continue;
		if (getrlimit(rlimits[i].res, &rl) < 0)
			return init_fail("getrlimit");
		print_rlim(rl.rlim_cur);
		printf(" ");
		print_rlim(rl.rlim_max);
		printf("\n");
		return 0;
	}
	errno = EINVAL;
	return init_fail(name);
}

static int
cmd_umask(char **argv, int argc)
{
	mode_t m = umask(0);

	(void)argv, (void)argc;
	umask(m);
	printf("%04o\n", (unsigned)m);
	return 0;
}

static int
cmd_getcwd(char **argv, int argc)
{
	char buf[4096];

	(void)argv, (void)argc;
	if (syscall(SYS_getcwd, buf, sizeof(buf)) < 0)
		return init_fail("getcwd");
	printf("%s\n", buf);
	return 0;
}

/* personality [VALUE]: prints the current persona (hex); with VALUE, sets it first. */
static int
cmd_personality(char **argv, int argc)
{
	int cur;

	if (argc && personality(strtoul(argv[0], NULL, 0)) < 0)
		return init_fail("personality");
	cur = personality(0xffffffff);
	if (cur < 0)
		return init_fail("personality");
	printf("0x%x\n", (unsigned)cur);
	return 0;
}

static int
cmd_isatty(char **argv, int argc)
{
	(void)argv, (void)argc;
	for (int fd = 0; fd < 3; fd++)
		printf("%d %s\n", fd, isatty(fd) ? "tty" : "notty");
	return 0;
}

/* winsize: `ROWS COLS` of the terminal on stdin (or stdout). */
static int
cmd_winsize(char **argv, int argc)
{
	struct winsize ws;

	(void)argv, (void)argc;
	if (ioctl(0, TIOCGWINSZ, &ws) < 0 && ioctl(1, TIOCGWINSZ, &ws) < 0)
		return init_fail("TIOCGWINSZ");
	printf("%u %u\n", ws.ws_row, ws.ws_col);
	return 0;
}

/* sysctl NAME: contents of /proc/sys/NAME with dots as slashes. */
static int
cmd_sysctl(char **argv, int argc)
{
	char path[512];
	size_t o = snprintf(path, sizeof(path), "/proc/sys/");

	(void)argc;
	for (const char *s = argv[0]; *s && o + 1 < sizeof(path); s++)
		path[o++] = *s == '.' ? '/' : *s;
	path[o] = 0;
	return init_cat_path(path);
}

/* keyring: `SERIAL DESCRIPTION` of the session keyring (without creating one). */
static int
cmd_keyring(char **argv, int argc)
{
	char desc[512];
	long serial = syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0);
	long n;

	(void)argv, (void)argc;
	if (serial < 0)
		return init_fail("keyctl get session keyring");
	n = syscall(SYS_keyctl, KEYCTL_DESCRIBE, serial, desc, sizeof(desc));
	if (n < 0)
		return init_fail("keyctl describe");
	desc[sizeof(desc) - 1] = 0;
	printf("%ld %s\n", serial, desc);
	return 0;
}

static const char *
policy_name(int p)
{
	switch (p & ~SCHED_RESET_ON_FORK) {
	case SCHED_OTHER: return "SCHED_OTHER";
	case SCHED_FIFO: return "SCHED_FIFO";
	case SCHED_RR: return "SCHED_RR";
	case SCHED_BATCH: return "SCHED_BATCH";
	case SCHED_IDLE: return "SCHED_IDLE";
	}
	return "SCHED_?";
}

/* sched: `POLICY PRIORITY NICE` */
static int
cmd_sched(char **argv, int argc)
{
	struct sched_param sp;
	int p = sched_getscheduler(0);

	(void)argv, (void)argc;
	if (p < 0 || sched_getparam(0, &sp) < 0)
		return init_fail("sched_getscheduler");
	errno = 0;
	int nice = getpriority(PRIO_PROCESS, 0);
	printf("%s %d %d%s\n", policy_name(p), sp.sched_priority, nice,
	       (p & SCHED_RESET_ON_FORK) ? " reset-on-fork" : "");
	return 0;
}

/* ioprio: `CLASS LEVEL` (class 0 none, 1 RT, 2 BE, 3 IDLE). */
static int
cmd_ioprio(char **argv, int argc)
{
	long v = syscall(SYS_ioprio_get, 1 /* IOPRIO_WHO_PROCESS */, 0);

	(void)argv, (void)argc;
	if (v < 0)
		return init_fail("ioprio_get");
	printf("%ld %ld\n", v >> 13, v & 0xff);
	return 0;
}

static int
cmd_dumpable(char **argv, int argc)
{
	(void)argv, (void)argc;
	printf("%d\n", prctl(PR_GET_DUMPABLE, 0, 0, 0, 0));
	return 0;
}

/* clock: `MONOTONIC BOOTTIME` in seconds. */
static int
cmd_clock(char **argv, int argc)
{
	struct timespec m, b;

	(void)argv, (void)argc;
	clock_gettime(CLOCK_MONOTONIC, &m);
	clock_gettime(CLOCK_BOOTTIME, &b);
	printf("%lld %lld\n", (long long)m.tv_sec, (long long)b.tv_sec);
	return 0;
}

/* pid: `PID PPID SID PGID` */
static int
cmd_pid(char **argv, int argc)
{
	(void)argv, (void)argc;
	printf("%d %d %d %d\n", getpid(), getppid(), getsid(0), getpgrp());
	return 0;
}

/* mountopt PATH: `FSTYPE MOUNTOPTS SUPEROPTS OPTIONALFIELDS` of the last mount on PATH. */
static int
cmd_mountopt(char **argv, int argc)
{
	char line[4096], found[4096] = "";
	FILE *f = fopen("/proc/self/mountinfo", "re");

	(void)argc;
	if (!f)
		return init_fail("/proc/self/mountinfo");
	while (fgets(line, sizeof(line), f)) {
		char *tok[64], *save = NULL, opt[1024] = "";
		int n = 0, dash = -1;
		for (char *t = strtok_r(line, " \n", &save); t && n < 64;
		     t = strtok_r(NULL, " \n", &save)) {
			if (dash < 0 && n >= 6 && !strcmp(t, "-"))
				dash = n;
			tok[n++] = t;
		}
		if (dash < 0 || n < dash + 4 || strcmp(tok[4], argv[0]))
			continue;
		for (int i = 6; i < dash; i++)
			snprintf(opt + strlen(opt), sizeof(opt) - strlen(opt), "%s%s", i > 6 ? "," : "",
				 tok[i]);
		snprintf(found, sizeof(found), "%.255s %.1000s %.1000s %.1000s", tok[dash + 1], tok[5],
			 tok[dash + 3], *opt ? opt : "-");
	}
	fclose(f);
	if (!*found) {
		errno = ENOENT;
		return init_fail(argv[0]);
	}
	printf("%s\n", found);
	return 0;
}

/* userns-mount FSTYPE: new user, mount and network namespaces, then a fresh FSTYPE on /dev.
 * Prints "mounted" or ERR with the errno of the step that failed (unshare, mount). No id maps
 * (mapping host root needs CAP_SETFCAP): the creator has every capability in the new
 * namespace anyway. The kernel lets a nested user namespace mount proc or sysfs only where
 * one is fully visible in the mount namespace already. */
static int
cmd_userns_mount(char **argv, int argc)
{
	(void)argc;
	if (unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWNET) < 0)
		return init_fail("unshare");
	if (mount(argv[0], "/dev", argv[0], 0, NULL) < 0)
		return init_fail("mount");
	printf("mounted\n");
	return 0;
}

static int
cmd_ttyname(char **argv, int argc)
{
	char *n = ttyname(0);

	(void)argv, (void)argc;
	if (!n)
		return init_fail("ttyname");
	printf("%s\n", n);
	return 0;
}

const struct init_cmd init_probe_cmds[] = {
	{"caps", 0, cmd_caps, "(the five capability sets)"},
	{"nnp", 0, cmd_nnp, "(no_new_privs)"},
	{"seccomp", 0, cmd_seccomp, "(seccomp mode)"},
	{"mountopt", 1, cmd_mountopt, "PATH"},
	{"ns", 0, cmd_ns, "[PID]"},
	{"rlimit", 1, cmd_rlimit, "NAME"},
	{"umask", 0, cmd_umask, ""},
	{"getcwd", 0, cmd_getcwd, "(raw getcwd syscall)"},
	{"personality", 0, cmd_personality, "[VALUE]"},
	{"isatty", 0, cmd_isatty, ""},
	{"ttyname", 0, cmd_ttyname, ""},
	{"winsize", 0, cmd_winsize, ""},
	{"sysctl", 1, cmd_sysctl, "NAME"},
	{"keyring", 0, cmd_keyring, "(session keyring)"},
	{"sched", 0, cmd_sched, "(policy priority nice)"},
	{"ioprio", 0, cmd_ioprio, "(class level)"},
	{"dumpable", 0, cmd_dumpable, ""},
	{"clock", 0, cmd_clock, "(monotonic boottime)"},
	{"pid", 0, cmd_pid, "(pid ppid sid pgid)"},
	{"userns-mount", 1, cmd_userns_mount, "FSTYPE (new user+mount+net namespaces)"},
	{NULL, 0, NULL, NULL},
};
