/*
 * init: the static test helper that runs as the container's process in the husk CLI
 * integration tests (integration/t_cli_*.sh). One binary, many small subcommands, each printing
 * one easy-to-parse answer on stdout. Failures print `ERR <ERRNO-NAME> <what>` and exit 1.
 * Several subcommands can run in one process, separated by an argument `;;`:
 *   /init hostname ';;' id ';;' caps
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/keyctl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

struct cmd {
	const char *name;
	int min_args;
	int (*fn)(char **argv, int argc);
	const char *usage;
};

static int
fail(const char *what)
{
	int e = errno;
	const char *name = strerrorname_np(e);

	printf("ERR %s %s\n", name ? name : "E?", what);
	fflush(stdout);
	return 1;
}

static int
cat_fd(int fd)
{
	char buf[65536];
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(1, buf + off, (size_t)(n - off));
			if (w < 0) {
				if (errno == EINTR)
					continue;
				return -1;
			}
			off += w;
		}
	}
	return 0;
}

static int
cat_path(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int rc;

	if (fd < 0)
		return fail(path);
	fflush(stdout);
	rc = cat_fd(fd);
	close(fd);
	return rc < 0 ? fail(path) : 0;
}

static int
cmd_echo(char **argv, int argc)
{
	for (int i = 0; i < argc; i++)
		printf("%s%s", i ? " " : "", argv[i]);
	printf("\n");
	return 0;
}

static int
cmd_cat(char **argv, int argc)
{
	(void)argv, (void)argc;
	fflush(stdout);
	return cat_fd(0) < 0 ? fail("stdin") : 0;
}

static int
cmd_printenv(char **argv, int argc)
{
	extern char **environ;

	if (argc == 0) {
		for (char **e = environ; *e; e++)
			printf("%s\n", *e);
		return 0;
	}
	const char *v = getenv(argv[0]);
	if (!v) {
		printf("UNSET %s\n", argv[0]);
		return 1;
	}
	printf("%s\n", v);
	return 0;
}

static int
cmd_pwd(char **argv, int argc)
{
	char buf[4096];

	(void)argv, (void)argc;
	if (!getcwd(buf, sizeof(buf)))
		return fail("getcwd");
	printf("%s\n", buf);
	return 0;
}

static int
cmd_id(char **argv, int argc)
{
	gid_t groups[256];
	int n = getgroups(256, groups);

	(void)argv, (void)argc;
	if (n < 0)
		return fail("getgroups");
	printf("uid=%u gid=%u euid=%u egid=%u groups=", getuid(), getgid(), geteuid(), getegid());
	for (int i = 0; i < n; i++)
		printf("%s%u", i ? "," : "", groups[i]);
	printf("\n");
	return 0;
}

/* Prints the lines of /proc/self/status whose key starts with one of prefixes. */
static int
status_lines(const char *const *prefixes)
{
	char line[512];
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return fail("/proc/self/status");
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
cmd_hostname(char **argv, int argc)
{
	struct utsname u;

	(void)argv, (void)argc;
	if (uname(&u) < 0)
		return fail("uname");
	printf("%s\n", u.nodename);
	return 0;
}

static int
cmd_domainname(char **argv, int argc)
{
	struct utsname u;

	(void)argv, (void)argc;
	if (uname(&u) < 0)
		return fail("uname");
	printf("%s\n", u.domainname);
	return 0;
}

static int
cmd_read(char **argv, int argc)
{
	(void)argc;
	return cat_path(argv[0]);
}

static int
cmd_mounts(char **argv, int argc)
{
	(void)argv, (void)argc;
	return cat_path("/proc/self/mountinfo");
}

static int
cmd_cgroup(char **argv, int argc)
{
	(void)argv, (void)argc;
	return cat_path("/proc/self/cgroup");
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
cmd_ls(char **argv, int argc)
{
	char *names[4096];
	size_t n = 0;
	struct dirent *de;
	DIR *d = opendir(argc ? argv[0] : ".");

	if (!d)
		return fail(argc ? argv[0] : ".");
	while ((de = readdir(d)) && n < 4096)
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			names[n++] = strdup(de->d_name);
	closedir(d);
	qsort(names, n, sizeof(names[0]), str_cmp);
	for (size_t i = 0; i < n; i++) {
		printf("%s\n", names[i]);
		free(names[i]);
	}
	return 0;
}

/* write FILE [TEXT]: creates or truncates FILE and writes TEXT (default "x") to it. */
static int
cmd_write(char **argv, int argc)
{
	const char *text = argc > 1 ? argv[1] : "x";
	int fd = open(argv[0], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0)
		return fail(argv[0]);
	if (write(fd, text, strlen(text)) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return fail(argv[0]);
	}
	close(fd);
	printf("OK\n");
	return 0;
}

static char
file_type(mode_t m)
{
	switch (m & S_IFMT) {
	case S_IFREG: return 'f';
	case S_IFDIR: return 'd';
	case S_IFCHR: return 'c';
	case S_IFBLK: return 'b';
	case S_IFLNK: return 'l';
	case S_IFIFO: return 'p';
	case S_IFSOCK: return 's';
	}
	return '?';
}

/* stat PATH: `TYPE MAJ:MIN MODE UID GID` (lstat; MODE in octal, permission bits only). */
static int
cmd_stat(char **argv, int argc)
{
	struct stat st;

	(void)argc;
	if (lstat(argv[0], &st) < 0)
		return fail(argv[0]);
	printf("%c %u:%u %04o %u %u\n", file_type(st.st_mode), major(st.st_rdev), minor(st.st_rdev),
	       (unsigned)(st.st_mode & 07777), st.st_uid, st.st_gid);
	return 0;
}

static int
cmd_readlink(char **argv, int argc)
{
	char buf[4096];
	ssize_t n = readlink(argv[0], buf, sizeof(buf) - 1);

	(void)argc;
	if (n < 0)
		return fail(argv[0]);
	buf[n] = 0;
	printf("%s\n", buf);
	return 0;
}

static int
cmd_sleep(char **argv, int argc)
{
	double s = strtod(argv[0], NULL);
	struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};

	(void)argc;
	fflush(stdout);
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
	return 0;
}

static int
cmd_pause(char **argv, int argc)
{
	(void)argv, (void)argc;
	fflush(stdout);
	for (;;)
		pause();
	return 0;
}

static int
cmd_exit(char **argv, int argc)
{
	(void)argc;
	fflush(stdout);
	_exit(atoi(argv[0]));
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
			return fail("getrlimit");
		print_rlim(rl.rlim_cur);
		printf(" ");
		print_rlim(rl.rlim_max);
		printf("\n");
		return 0;
	}
	errno = EINVAL;
	return fail(name);
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
		return fail("getcwd");
	printf("%s\n", buf);
	return 0;
}

/* personality [VALUE]: prints the current persona (hex); with VALUE, sets it first. */
static int
cmd_personality(char **argv, int argc)
{
	int cur;

	if (argc && personality(strtoul(argv[0], NULL, 0)) < 0)
		return fail("personality");
	cur = personality(0xffffffff);
	if (cur < 0)
		return fail("personality");
	printf("0x%x\n", (unsigned)cur);
	return 0;
}

/* oom: touches memory in 1 MiB steps until the kernel kills us. */
static int
cmd_oom(char **argv, int argc)
{
	(void)argv, (void)argc;
	for (size_t total = 0;; total += 1 << 20) {
		char *p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			       -1, 0);
		if (p == MAP_FAILED)
			return fail("mmap");
		memset(p, 1, 1 << 20);
	}
	return 0;
}

/* fds: `FD TARGET` for every open fd except the one used to list them. */
static int
cmd_fds(char **argv, int argc)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	char path[64], buf[4096];
	int n[1024], cnt = 0;

	(void)argv, (void)argc;
	if (!d)
		return fail("/proc/self/fd");
	while ((de = readdir(d)) && cnt < 1024) {
		if (de->d_name[0] == '.' || atoi(de->d_name) == dirfd(d))
			continue;
		n[cnt++] = atoi(de->d_name);
	}
	closedir(d);
	for (int i = 0; i < cnt; i++)
		for (int j = i + 1; j < cnt; j++)
			if (n[j] < n[i]) {
				int t = n[i];
				n[i] = n[j];
				n[j] = t;
			}
	for (int i = 0; i < cnt; i++) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", n[i]);
		ssize_t len = readlink(path, buf, sizeof(buf) - 1);
		buf[len < 0 ? 0 : len] = 0;
		printf("%d %s\n", n[i], buf);
	}
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
		return fail("TIOCGWINSZ");
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
	return cat_path(path);
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
		return fail("keyctl get session keyring");
	n = syscall(SYS_keyctl, KEYCTL_DESCRIBE, serial, desc, sizeof(desc));
	if (n < 0)
		return fail("keyctl describe");
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
		return fail("sched_getscheduler");
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
		return fail("ioprio_get");
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

static volatile sig_atomic_t got_term;

static void
on_signal(int sig)
{
	char msg[32];
	int n = snprintf(msg, sizeof(msg), "signal %d\n", sig);

	if (write(1, msg, (size_t)n) < 0)
		return;
	if (sig == SIGTERM)
		got_term = 1;
}

/* signals: prints `ready`, then `signal N` for each signal received; exits 0 after SIGTERM. */
static int
cmd_signals(char **argv, int argc)
{
	struct sigaction sa = {.sa_handler = on_signal};

	(void)argv, (void)argc;
	for (int s = 1; s < NSIG; s++)
		if (s != SIGKILL && s != SIGSTOP && s != SIGCHLD)
			sigaction(s, &sa, NULL);
	printf("ready\n");
	fflush(stdout);
	while (!got_term)
		pause();
	return 0;
}

/* ticker: prints an increasing counter every 10 ms, forever. */
static int
cmd_ticker(char **argv, int argc)
{
	struct timespec ts = {0, 10 * 1000 * 1000};

	(void)argv, (void)argc;
	for (unsigned long i = 0;; i++) {
		printf("%lu\n", i);
		fflush(stdout);
		nanosleep(&ts, NULL);
	}
	return 0;
}

/* fork-sleep N SECONDS: starts N children that sleep, then sleeps itself. */
static int
cmd_fork_sleep(char **argv, int argc)
{
	int n = atoi(argv[0]);
	char *sec[] = {argv[1]};

	(void)argc;
	fflush(stdout);
	for (int i = 0; i < n; i++) {
		pid_t p = fork();
		if (p < 0)
			return fail("fork");
		if (p == 0) {
			cmd_sleep(sec, 1);
			_exit(0);
		}
	}
	printf("forked %d\n", n);
	fflush(stdout);
	cmd_sleep(sec, 1);
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	return 0;
}

/* write-fd FD TEXT: writes TEXT and a newline to an inherited fd. */
static int
cmd_write_fd(char **argv, int argc)
{
	int fd = atoi(argv[0]);

	(void)argc;
	if (dprintf(fd, "%s\n", argv[1]) < 0)
		return fail("write-fd");
	printf("OK\n");
	return 0;
}

/* hook FILE: a hook run inside the container: appends its stdin (the state) to FILE. */
static int
cmd_hook(char **argv, int argc)
{
	int fd = open(argv[0], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	char buf[65536];
	ssize_t n;

	(void)argc;
	if (fd < 0)
		return fail(argv[0]);
	while ((n = read(0, buf, sizeof(buf))) > 0)
		if (write(fd, buf, (size_t)n) < 0)
			break;
	if (write(fd, "\n", 1) < 0)
		return fail(argv[0]);
	close(fd);
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
		return fail("/proc/self/mountinfo");
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
		return fail(argv[0]);
	}
	printf("%s\n", found);
	return 0;
}

static int
cmd_ttyname(char **argv, int argc)
{
	char *n = ttyname(0);

	(void)argv, (void)argc;
	if (!n)
		return fail("ttyname");
	printf("%s\n", n);
	return 0;
}

static const struct cmd cmds[] = {
	{"echo", 0, cmd_echo, "ARGS..."},
	{"cat", 0, cmd_cat, "(stdin to stdout)"},
	{"printenv", 0, cmd_printenv, "[NAME]"},
	{"pwd", 0, cmd_pwd, ""},
	{"id", 0, cmd_id, "(uid gid groups)"},
	{"caps", 0, cmd_caps, "(the five capability sets)"},
	{"nnp", 0, cmd_nnp, "(no_new_privs)"},
	{"seccomp", 0, cmd_seccomp, "(seccomp mode)"},
	{"hostname", 0, cmd_hostname, ""},
	{"domainname", 0, cmd_domainname, ""},
	{"mounts", 0, cmd_mounts, "(/proc/self/mountinfo)"},
	{"mountopt", 1, cmd_mountopt, "PATH"},
	{"cgroup", 0, cmd_cgroup, "(/proc/self/cgroup)"},
	{"ls", 0, cmd_ls, "[PATH]"},
	{"write", 1, cmd_write, "FILE [TEXT]"},
	{"read", 1, cmd_read, "FILE"},
	{"stat", 1, cmd_stat, "PATH"},
	{"readlink", 1, cmd_readlink, "PATH"},
	{"sleep", 1, cmd_sleep, "SECONDS"},
	{"pause", 0, cmd_pause, ""},
	{"exit", 1, cmd_exit, "CODE"},
	{"ns", 0, cmd_ns, "[PID]"},
	{"rlimit", 1, cmd_rlimit, "NAME"},
	{"umask", 0, cmd_umask, ""},
	{"getcwd", 0, cmd_getcwd, "(raw getcwd syscall)"},
	{"personality", 0, cmd_personality, "[VALUE]"},
	{"oom", 0, cmd_oom, "(allocate until killed)"},
	{"fds", 0, cmd_fds, "(open fds)"},
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
	{"signals", 0, cmd_signals, "(report signals until SIGTERM)"},
	{"ticker", 0, cmd_ticker, "(counter every 10ms)"},
	{"fork-sleep", 2, cmd_fork_sleep, "N SECONDS"},
	{"write-fd", 2, cmd_write_fd, "FD TEXT"},
	{"hook", 1, cmd_hook, "FILE (append stdin)"},
};

static int
usage(void)
{
	fprintf(stderr, "usage: init CMD [ARGS] [';;' CMD [ARGS]]...\n");
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(stderr, "  %s %s\n", cmds[i].name, cmds[i].usage);
	return 2;
}

/* Runs one subcommand: argv[0] is its name, argc counts it. */
static int
run_cmd(char **argv, int argc)
{
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (strcmp(cmds[i].name, argv[0]))
			continue;
		if (argc - 1 < cmds[i].min_args) {
			fprintf(stderr, "init: %s needs %d argument(s): %s\n", cmds[i].name,
				cmds[i].min_args, cmds[i].usage);
			return 2;
		}
		return cmds[i].fn(argv + 1, argc - 1);
	}
	fprintf(stderr, "init: unknown command %s\n", argv[0]);
	return usage();
}

int
main(int argc, char **argv)
{
	int rc = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2)
		return usage();
	for (int i = 1; i < argc;) {
		int j = i;
		while (j < argc && strcmp(argv[j], ";;"))
			j++;
		argv[j] = NULL;
		if (j > i) {
			int r = run_cmd(argv + i, j - i);
			if (r)
				rc = r;
		}
		fflush(stdout);
		i = j + 1;
	}
	return rc;
}
