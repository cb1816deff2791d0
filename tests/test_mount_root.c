/* Real mounts (needs root; skipped otherwise): a forked child unshares a mount namespace (and,
 * in one case, a user + pid + ipc namespace), builds a tmp rootfs of directories, runs
 * mount_rootfs_prepare + pivot + terminal + finish, and checks from inside: /proc, /dev nodes
 * and links, the console, read-only and masked paths, the read-only root, a symlink escape
 * contained, cgroup and sysfs. The parent asserts on the child's report. Mounts die with the
 * child's namespace; the parent then checks the host's mountinfo is unchanged. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sched.h>
#include <signal.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/cleanup.h"
#include "base/fdutil.h"
#include "base/xalloc.h"
#include "runtime/mount.h"
#include "runtime/spec.h"
#include "runtime/terminal.h"

#define OPTS(...) ((char *[]){__VA_ARGS__, NULL})
#define MQUEUE_MAGIC 0x19800202 /* not in linux/magic.h */

static int report_fd = -1; /* child -> parent: the failed check */

/* In the child: a failed check writes its text and exits non-zero. */
#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			dprintf(report_fd, "line %d: ", __LINE__);                                 \
			dprintf(report_fd, __VA_ARGS__);                                           \
			dprintf(report_fd, " (errno %s)", strerror(errno));                        \
			_exit(1);                                                                  \
		}                                                                                  \
	} while (0)

struct scenario {
	char dir[64]; /* tmp dir: rootfs/ and host/ below */
	char rootfs[96];
	char hostdir[96];  /* bound to /data and /rro */
	char hostfile[96]; /* bound to /etc/hostname */
	enum mount_resolve_mode resolve;
	bool userns;
	bool cgroupns;
};

static void
mkdirs(const char *base, const char *const *rel)
{
	for (; *rel; rel++) {
		cleanup_free char *p = xasprintf("%s/%s", base, *rel);

		assert_int_equal(mkdir(p, 0755), 0);
	}
}

static void
scenario_build(struct scenario *s)
{
	static const char *const dirs[] = {"proc", "dev", "sys", "etc", "tmp", "data", NULL};
	cleanup_free char *link = NULL, *marker = NULL;

	snprintf(s->dir, sizeof(s->dir), "/tmp/husk-mountroot-XXXXXX");
	assert_non_null(mkdtemp(s->dir));
	snprintf(s->rootfs, sizeof(s->rootfs), "%s/rootfs", s->dir);
	snprintf(s->hostdir, sizeof(s->hostdir), "%s/hostdir", s->dir);
	snprintf(s->hostfile, sizeof(s->hostfile), "%s/hostname", s->dir);
	assert_int_equal(mkdir(s->rootfs, 0755), 0);
	assert_int_equal(mkdir(s->hostdir, 0755), 0);
	mkdirs(s->rootfs, dirs);
	marker = xasprintf("%s/marker", s->hostdir);
	assert_int_equal(close(open(marker, O_CREAT | O_WRONLY, 0644)), 0);
	assert_int_equal(close(open(s->hostfile, O_CREAT | O_WRONLY, 0644)), 0);
	/* /evil -> /tmp: a tmpfs "on /evil" must land on rootfs/tmp, not the host's /tmp */
	link = xasprintf("%s/evil", s->rootfs);
	assert_int_equal(symlink("/tmp", link), 0);
}

/* file scope: the spec outlives scenario_spec() */
static char *opts_0[] = {"nosuid", "noexec", "nodev", NULL};
static char *opts_1[] = {"nosuid", "strictatime", "mode=755", "size=65536k", NULL};
static char *opts_2[] = {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", NULL};
static char *opts_3[] = {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k", NULL};
static char *opts_4[] = {"nosuid", "noexec", "nodev", NULL};
static char *opts_5[] = {"nosuid", "noexec", "nodev", "ro", NULL};
static char *opts_6[] = {"nosuid", "noexec", "nodev", "relatime", "ro", NULL};
static char *opts_7[] = {"rbind", "ro", NULL};
static char *opts_8[] = {"rbind", "rro", NULL};
static char *opts_9[] = {"bind", NULL};
static char *opts_10[] = {"/proc/sys", "/proc/nonexistent", NULL};
static char *opts_11[] = {"/proc/timer_list", "/proc/kcore", "/sys/firmware", "/nonexistent", NULL};

static void
scenario_spec(const struct scenario *s, struct rt_spec *spec, struct rt_mount *m, size_t *n)
{
	size_t i = 0;

	m[i++] = (struct rt_mount){
	    .destination = "/proc", .type = "proc", .source = "proc", .options = opts_0};
	m[i++] = (struct rt_mount){
	    .destination = "/dev", .type = "tmpfs", .source = "tmpfs", .options = opts_1};
	m[i++] = (struct rt_mount){
	    .destination = "/dev/pts", .type = "devpts", .source = "devpts", .options = opts_2};
	m[i++] = (struct rt_mount){
	    .destination = "/dev/shm", .type = "tmpfs", .source = "shm", .options = opts_3};
	m[i++] = (struct rt_mount){
	    .destination = "/dev/mqueue", .type = "mqueue", .source = "mqueue", .options = opts_4};
	m[i++] = (struct rt_mount){
	    .destination = "/sys", .type = "sysfs", .source = "sysfs", .options = opts_5};
	m[i++] = (struct rt_mount){.destination = "/sys/fs/cgroup",
	                           .type = "cgroup",
	                           .source = "cgroup",
	                           .options = opts_6};
	m[i++] = (struct rt_mount){.destination = "/data",
	                           .type = "bind",
	                           .source = (char *)s->hostdir,
	                           .options = opts_7};
	m[i++] = (struct rt_mount){
	    .destination = "/rro", .type = "bind", .source = (char *)s->hostdir, .options = opts_8};
	m[i++] = (struct rt_mount){.destination = "/etc/hostname",
	                           .type = "bind",
	                           .source = (char *)s->hostfile,
	                           .options = opts_9};
	m[i++] = (struct rt_mount){.destination = "/evil", .type = "tmpfs", .source = "tmpfs"};
	*n = i;
	memset(spec, 0, sizeof(*spec));
	spec->mounts = m;
	spec->n_mounts = i;
	spec->root_readonly = true;
	spec->has_linux = true;
	spec->linux.readonly_paths = opts_10;
	spec->linux.masked_paths = opts_11;
	spec->linux.ns[RT_NS_MOUNT].present = true;
	spec->linux.ns[RT_NS_CGROUP].present = s->cgroupns;
	if (s->userns) {
		spec->linux.ns[RT_NS_USER].present = true;
		spec->linux.ns[RT_NS_PID].present = true;
	}
}

static struct rt_device fuse_dev = {.type = 'c',
                                    .path = "/dev/fuse",
                                    .major = 10,
                                    .minor = 229,
                                    .has_file_mode = true,
                                    .file_mode = 0600};

static void
check_file_ro(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

	CHECK(fd < 0 && errno == EROFS, "%s writable", path);
}

static bool
is_fs(const char *path, long magic)
{
	struct statfs st;

	return statfs(path, &st) == 0 && st.f_type == magic;
}

static void
check_inside(const struct scenario *s, int slave)
{
	struct stat st, pty;
	char buf[64];
	ssize_t n;
	DIR *d;
	int fd;

	CHECK(is_fs("/proc", PROC_SUPER_MAGIC), "/proc is not procfs");
	CHECK(access("/proc/self/stat", R_OK) == 0, "/proc/self/stat");
	fd = open("/proc/sys/kernel/hostname", O_WRONLY | O_CLOEXEC);
	CHECK(fd < 0 && errno == EROFS, "/proc/sys writable");
	/* a masked file reads as /dev/null; /proc/kcore may not exist (CONFIG_PROC_KCORE) */
	fd = open("/proc/timer_list", O_RDONLY | O_CLOEXEC);
	CHECK(fd >= 0 && read(fd, buf, sizeof(buf)) == 0, "/proc/timer_list not masked");
	close(fd);
	d = opendir("/sys/firmware");
	CHECK(d != NULL, "opendir /sys/firmware");
	for (struct dirent *e; (e = readdir(d));)
		CHECK(e->d_name[0] == '.', "/sys/firmware not masked: %s", e->d_name);
	closedir(d);
	CHECK(mkdir("/newdir", 0755) < 0 && errno == EROFS, "root writable");
	CHECK(access("/data/marker", F_OK) == 0, "/data/marker");
	check_file_ro("/data/x");
	check_file_ro("/rro/x");
	CHECK(access("/usr/bin", F_OK) < 0, "the host's /usr is visible");
	/* the escape: rootfs/tmp got the tmpfs, writable */
	CHECK(is_fs("/tmp", TMPFS_MAGIC), "/tmp is not the tmpfs mounted on /evil");
	fd = open("/tmp/ok", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	CHECK(fd >= 0, "/tmp not writable");
	close(fd);
	CHECK(stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3),
	      "/dev/null");
	fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	CHECK(fd >= 0 && write(fd, "x", 1) == 1, "write /dev/null");
	close(fd);
	CHECK(stat("/dev/fuse", &st) == 0 && st.st_rdev == makedev(10, 229), "/dev/fuse");
	if (!s->userns)
		CHECK((st.st_mode & 07777) == 0600, "/dev/fuse mode %o", st.st_mode & 07777);
	n = readlink("/dev/ptmx", buf, sizeof(buf) - 1);
	CHECK(n == 8 && memcmp(buf, "pts/ptmx", 8) == 0, "/dev/ptmx link");
	n = readlink("/dev/fd", buf, sizeof(buf) - 1);
	CHECK(n == 13 && memcmp(buf, "/proc/self/fd", 13) == 0, "/dev/fd link");
	CHECK(fstat(slave, &pty) == 0 && stat("/dev/console", &st) == 0 &&
	          st.st_rdev == pty.st_rdev,
	      "/dev/console is not the pty");
	CHECK(is_fs("/dev/shm", TMPFS_MAGIC) && stat("/dev/shm", &st) == 0 &&
	          (st.st_mode & 07777) == 01777,
	      "/dev/shm");
	CHECK(is_fs("/dev/mqueue", MQUEUE_MAGIC), "/dev/mqueue");
	CHECK(is_fs("/dev/pts", DEVPTS_SUPER_MAGIC), "/dev/pts");
	CHECK(is_fs("/sys", SYSFS_MAGIC), "/sys is not sysfs");
	CHECK(mkdir("/sys/x", 0755) < 0, "/sys writable");
	CHECK(is_fs("/sys/fs/cgroup", TMPFS_MAGIC) || is_fs("/sys/fs/cgroup", CGROUP2_SUPER_MAGIC),
	      "/sys/fs/cgroup");
	CHECK(access("/sys/fs/cgroup/memory/memory.limit_in_bytes", F_OK) == 0 ||
	          access("/sys/fs/cgroup/cgroup.procs", F_OK) == 0,
	      "no cgroup files");
	check_file_ro("/sys/fs/cgroup/x");
	if (s->cgroupns)
		CHECK(is_fs("/sys/fs/cgroup/memory", CGROUP_SUPER_MAGIC) ||
		          is_fs("/sys/fs/cgroup", CGROUP2_SUPER_MAGIC),
		      "no cgroup mount in the cgroup namespace");
	CHECK(access("/etc/hostname", F_OK) == 0, "/etc/hostname");
}

static void
child_run(const struct scenario *s)
{
	struct rt_mount m[16];
	struct rt_spec spec;
	struct mount_env env;
	struct err err = {0};
	size_t n;
	int master, slave;

	scenario_spec(s, &spec, m, &n);
	spec.linux.devices = &fuse_dev;
	spec.linux.n_devices = 1;
	mount_env_from_spec(&spec, &env);
	env.resolve = s->resolve;
	CHECK(mount_rootfs_prepare(&spec, s->rootfs, &env, &err) == 0, "prepare: %s", err.msg);
	CHECK(mount_rootfs_pivot(s->rootfs, false, NULL, &err) == 0, "pivot: %s", err.msg);
	CHECK(terminal_open(NULL, &master, &slave, &err) == 0, "terminal: %s", err.msg);
	CHECK(terminal_mount_console(slave, &err) == 0, "console: %s", err.msg);
	CHECK(mount_rootfs_finish(&spec, &env, &err) == 0, "finish: %s", err.msg);
	check_inside(s, slave);
	_exit(0);
}

static void
write_map(const char *file, const char *map)
{
	struct err err = {0};

	CHECK(write_file_at(AT_FDCWD, file, map, strlen(map), &err) == 0, "%s: %s", file, err.msg);
}

/* The namespaces, then (for a new pid namespace) one more fork to be its pid 1. */
static void
child_main(const struct scenario *s)
{
	int st;
	pid_t pid;

	if (!s->userns) {
		CHECK(unshare(CLONE_NEWNS | (s->cgroupns ? CLONE_NEWCGROUP : 0)) == 0, "unshare");
		child_run(s);
	}
	CHECK(unshare(CLONE_NEWUSER) == 0, "unshare user");
	write_map("/proc/self/setgroups", "deny");
	write_map("/proc/self/uid_map", "0 0 1");
	write_map("/proc/self/gid_map", "0 0 1");
	CHECK(unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC) == 0, "unshare ns");
	pid = fork();
	CHECK(pid >= 0, "fork");
	if (pid == 0)
		child_run(s);
	CHECK(waitpid(pid, &st, 0) == pid, "wait");
	_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 2);
}

static char *
host_mountinfo(void)
{
	char *text = NULL;
	size_t len;
	struct err err = {0};

	assert_int_equal(read_file_at(AT_FDCWD, "/proc/self/mountinfo", &text, &len, &err), 0);
	return text;
}

static void
run_scenario(enum mount_resolve_mode resolve, bool userns, bool cgroupns)
{
	struct scenario s = {.resolve = resolve, .userns = userns, .cgroupns = cgroupns};
	cleanup_free char *before = NULL, *after = NULL;
	char msg[1024] = "";
	int pfd[2], st = 0;
	struct err err = {0};
	ssize_t n;
	pid_t pid;

	if (geteuid() != 0)
		skip();
	scenario_build(&s);
	before = host_mountinfo();
	assert_int_equal(pipe2(pfd, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* cmocka catches these; a crash here must end the child, not run more tests */
		static const int sigs[] = {SIGSEGV, SIGILL, SIGFPE, SIGBUS, SIGABRT};

		for (size_t i = 0; i < ARRAY_SIZE(sigs); i++)
			signal(sigs[i], SIG_DFL);
		close(pfd[0]);
		report_fd = pfd[1];
		child_main(&s);
	}
	close(pfd[1]);
	n = read(pfd[0], msg, sizeof(msg) - 1);
	msg[n > 0 ? n : 0] = '\0';
	close(pfd[0]);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	after = host_mountinfo();
	assert_int_equal(rm_rf(s.dir, &err), 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		fail_msg("child: status %#x: %s", st, msg);
	assert_string_equal(before, after); /* nothing left on the host */
}

static void
root_openat2(void **state)
{
	(void)state;
	run_scenario(MOUNT_RESOLVE_OPENAT2, false, false);
}

static void
root_walk(void **state)
{
	(void)state;
	run_scenario(MOUNT_RESOLVE_WALK, false, false);
}

static void
root_userns(void **state)
{
	(void)state;
	run_scenario(MOUNT_RESOLVE_AUTO, true, false);
}

/* cgroup namespace: real cgroup mounts instead of binds */
static void
root_cgroupns(void **state)
{
	(void)state;
	run_scenario(MOUNT_RESOLVE_AUTO, false, true);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(root_openat2),
	    cmocka_unit_test(root_walk),
	    cmocka_unit_test(root_userns),
	    cmocka_unit_test(root_cgroupns),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
