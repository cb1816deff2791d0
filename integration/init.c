/*
 * init: the static test helper that runs as the container's process in the husk CLI
 * integration tests (integration/t_cli_*.sh). One binary, many small subcommands, each printing
 * one easy-to-parse answer on stdout. Failures print `ERR <ERRNO-NAME> <what>` and exit 1.
 * Several subcommands can run in one process, separated by an argument `;;`:
 *   /init hostname ';;' id ';;' caps
 */
#include "init.h"
#include "init_probe.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/keyctl.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

int
init_fail(const char *what)
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

int
init_cat_path(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int rc;

	if (fd < 0)
		return init_fail(path);
	fflush(stdout);
	rc = cat_fd(fd);
	close(fd);
	return rc < 0 ? init_fail(path) : 0;
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
	return cat_fd(0) < 0 ? init_fail("stdin") : 0;
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
		return init_fail("getcwd");
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
		return init_fail("getgroups");
	printf("uid=%u gid=%u euid=%u egid=%u groups=", getuid(), getgid(), geteuid(), getegid());
	for (int i = 0; i < n; i++)
		printf("%s%u", i ? "," : "", groups[i]);
	printf("\n");
	return 0;
}





static int
cmd_hostname(char **argv, int argc)
{
	struct utsname u;

	(void)argv, (void)argc;
	if (uname(&u) < 0)
		return init_fail("uname");
	printf("%s\n", u.nodename);
	return 0;
}

static int
cmd_domainname(char **argv, int argc)
{
	struct utsname u;

	(void)argv, (void)argc;
	if (uname(&u) < 0)
		return init_fail("uname");
	printf("%s\n", u.domainname);
	return 0;
}

static int
cmd_read(char **argv, int argc)
{
	(void)argc;
	return init_cat_path(argv[0]);
}

static int
cmd_mounts(char **argv, int argc)
{
	(void)argv, (void)argc;
	return init_cat_path("/proc/self/mountinfo");
}

static int
cmd_cgroup(char **argv, int argc)
{
	(void)argv, (void)argc;
	return init_cat_path("/proc/self/cgroup");
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
		return init_fail(argc ? argv[0] : ".");
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
		return init_fail(argv[0]);
	if (write(fd, text, strlen(text)) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return init_fail(argv[0]);
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
		return init_fail(argv[0]);
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
		return init_fail(argv[0]);
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









/* oom: touches memory in 1 MiB steps until the kernel kills us. */
static int
cmd_oom(char **argv, int argc)
{
	(void)argv, (void)argc;
	for (size_t total = 0;; total += 1 << 20) {
		char *p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			       -1, 0);
		if (p == MAP_FAILED)
			return init_fail("mmap");
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
		return init_fail("/proc/self/fd");
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
			return init_fail("fork");
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
		return init_fail("write-fd");
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
		return init_fail(argv[0]);
	while ((n = read(0, buf, sizeof(buf))) > 0)
		if (write(fd, buf, (size_t)n) < 0)
			break;
	if (write(fd, "\n", 1) < 0)
		return init_fail(argv[0]);
	close(fd);
	return 0;
}


/* notify TEXT: sends TEXT as one datagram to the unix socket $NOTIFY_SOCKET (sd_notify). */
static int
cmd_notify(char **argv, int argc)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd;

	(void)argc;
	if (!path || !*path || strlen(path) >= sizeof(sa.sun_path)) {
		errno = EINVAL;
		return init_fail("NOTIFY_SOCKET");
	}
	strcpy(sa.sun_path, path);
	if (path[0] == '@')
		sa.sun_path[0] = '\0';
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return init_fail("socket");
	if (sendto(fd, argv[0], strlen(argv[0]), 0, (struct sockaddr *)&sa,
		   (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path) +
			       (path[0] != '@'))) < 0) {
		close(fd);
		return init_fail(path);
	}
	close(fd);
	printf("notified\n");
	return 0;
}

static const struct init_cmd cmds[] = {
	{"echo", 0, cmd_echo, "ARGS..."},
	{"cat", 0, cmd_cat, "(stdin to stdout)"},
	{"printenv", 0, cmd_printenv, "[NAME]"},
	{"pwd", 0, cmd_pwd, ""},
	{"id", 0, cmd_id, "(uid gid groups)"},
	{"hostname", 0, cmd_hostname, ""},
	{"domainname", 0, cmd_domainname, ""},
	{"mounts", 0, cmd_mounts, "(/proc/self/mountinfo)"},
	{"cgroup", 0, cmd_cgroup, "(/proc/self/cgroup)"},
	{"ls", 0, cmd_ls, "[PATH]"},
	{"write", 1, cmd_write, "FILE [TEXT]"},
	{"read", 1, cmd_read, "FILE"},
	{"stat", 1, cmd_stat, "PATH"},
	{"readlink", 1, cmd_readlink, "PATH"},
	{"sleep", 1, cmd_sleep, "SECONDS"},
	{"pause", 0, cmd_pause, ""},
	{"exit", 1, cmd_exit, "CODE"},
	{"oom", 0, cmd_oom, "(allocate until killed)"},
	{"fds", 0, cmd_fds, "(open fds)"},
	{"signals", 0, cmd_signals, "(report signals until SIGTERM)"},
	{"ticker", 0, cmd_ticker, "(counter every 10ms)"},
	{"fork-sleep", 2, cmd_fork_sleep, "N SECONDS"},
	{"write-fd", 2, cmd_write_fd, "FD TEXT"},
	{"hook", 1, cmd_hook, "FILE (append stdin)"},
	{"notify", 1, cmd_notify, "TEXT (datagram to $NOTIFY_SOCKET)"},
};

static int
usage(void)
{
	fprintf(stderr, "usage: init CMD [ARGS] [';;' CMD [ARGS]]...\n");
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(stderr, "  %s %s\n", cmds[i].name, cmds[i].usage);
	for (const struct init_cmd *c = init_probe_cmds; c->name; c++)
		fprintf(stderr, "  %s %s\n", c->name, c->usage);
	return 2;
}

/* Runs one subcommand: argv[0] is its name, argc counts it. */
static const struct init_cmd *
find_cmd(const char *name)
{
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(cmds[i].name, name))
			return &cmds[i];
	for (const struct init_cmd *c = init_probe_cmds; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

static int
run_cmd(char **argv, int argc)
{
	const struct init_cmd *c = find_cmd(argv[0]);

	if (c) {
		if (argc - 1 < c->min_args) {
			fprintf(stderr, "init: %s needs %d argument(s): %s\n", c->name, c->min_args,
				c->usage);
			return 2;
		}
		return c->fn(argv + 1, argc - 1);
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
