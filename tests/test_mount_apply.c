/* Unit tests for the apply side of mount_*.c with mount(2), mknodat, fchownat, statvfs, statfs
 * and mount_setattr wrapped: the exact call sequence for each kind of spec mount, /dev setup,
 * cgroup mounts and mount_rootfs_prepare. Targets are resolved in a real tmp rootfs; nothing is
 * mounted, so no root is needed. Pivot and finish: test_mount_pivot.c. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
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
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/cleanup.h"
#include "base/fdutil.h"
#include "base/xalloc.h"
#include "runtime/mount.h"
#include "runtime/mount_internal.h"
#include "runtime/spec.h"

#define OPTS(...) ((char *[]){__VA_ARGS__, NULL})
#define MAX_CALLS 128

static char rootfs[PATH_MAX];  /* realpath of the tmp rootfs */
static char *calls[MAX_CALLS]; /* what the wrapped functions saw, as text */
static size_t n_calls;
static int fail_at[MAX_CALLS];      /* errno for call i (0: success) */
static unsigned long statvfs_flags; /* what the wrapped statvfs reports */
static long statfs_magic;

/* "/proc/self/fd/N" -> the rootfs-relative path it names, for readable expectations */
static char *
show_path(const char *p)
{
	char buf[PATH_MAX];
	ssize_t n;
	size_t rl = strlen(rootfs);

	if (!p)
		return xstrdup("-");
	if (strncmp(p, "/proc/self/fd/", 14) != 0)
		return xstrdup(p);
	n = readlink(p, buf, sizeof(buf) - 1);
	if (n < 0)
		return xstrdup("?");
	buf[n] = '\0';
	if (strncmp(buf, rootfs, rl) == 0)
		return xstrdup(buf[rl] ? buf + rl : "/");
	return xstrdup(buf);
}

static const char *
show_flags(unsigned long f, char *buf, size_t len)
{
	static const struct {
		unsigned long f;
		const char *n;
	} names[] = {
	    {MS_RDONLY, "RDONLY"},
	    {MS_NOSUID, "NOSUID"},
	    {MS_NODEV, "NODEV"},
	    {MS_NOEXEC, "NOEXEC"},
	    {MS_REMOUNT, "REMOUNT"},
	    {MS_BIND, "BIND"},
	    {MS_MOVE, "MOVE"},
	    {MS_REC, "REC"},
	    {MS_PRIVATE, "PRIVATE"},
	    {MS_SLAVE, "SLAVE"},
	    {MS_SHARED, "SHARED"},
	    {MS_UNBINDABLE, "UNBINDABLE"},
	    {MS_RELATIME, "RELATIME"},
	    {MS_NOATIME, "NOATIME"},
	    {MS_STRICTATIME, "STRICTATIME"},
	    {MS_SYNCHRONOUS, "SYNC"},
	    {MS_NODIRATIME, "NODIRATIME"},
	};
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (f & names[i].f)
			o += (size_t)snprintf(buf + o, len - o, "%s%s", o ? "|" : "", names[i].n);
	if (o == 0)
		snprintf(buf, len, "0");
	return buf;
}

static int
record(char *text)
{
	size_t i = n_calls;

	assert_true(n_calls < MAX_CALLS);
	calls[n_calls++] = text;
	if (fail_at[i]) {
		errno = fail_at[i];
		return -1;
	}
	return 0;
}

int __wrap_mount(const char *src, const char *dst, const char *type, unsigned long fl,
                 const void *data);
int
__wrap_mount(const char *src, const char *dst, const char *type, unsigned long fl, const void *data)
{
	cleanup_free char *s = show_path(src), *d = show_path(dst);
	char f[256];

	return record(xasprintf("mount %s %s %s %s %s", s, d, type ? type : "-",
	                        show_flags(fl, f, sizeof(f)), data ? (const char *)data : "-"));
}

int __wrap_sys_mount_setattr(int dirfd, const char *path, unsigned int flags, void *attr,
                             size_t size);
int
__wrap_sys_mount_setattr(int dirfd, const char *path, unsigned int flags, void *attr, size_t size)
{
	struct mount_attr *a = attr;
	struct mount_fdpath fp = {0};
	cleanup_free char *d = show_path(mount_fdpath(dirfd, &fp));

	(void)size;
	return record(xasprintf("setattr %s%s %s set=%#llx clr=%#llx", d, path,
	                        flags & AT_RECURSIVE ? "rec" : "flat",
	                        (unsigned long long)a->attr_set, (unsigned long long)a->attr_clr));
}

/* a regular file stands in for the node, so chmod/chown that follow find it */
int __wrap_mknodat(int dirfd, const char *name, mode_t mode, dev_t dev);
int
__wrap_mknodat(int dirfd, const char *name, mode_t mode, dev_t dev)
{
	struct mount_fdpath fp = {0};
	cleanup_free char *d = show_path(mount_fdpath(dirfd, &fp));
	int rc = record(xasprintf("mknod %s/%s %s %o %u:%u", d, name,
	                          S_ISCHR(mode)   ? "c"
	                          : S_ISBLK(mode) ? "b"
	                                          : "p",
	                          mode & 07777, major(dev), minor(dev)));

	if (rc == 0)
		close(openat(dirfd, name, O_CREAT | O_WRONLY | O_CLOEXEC, 0600));
	return rc;
}

int __wrap_fchownat(int dirfd, const char *name, uid_t uid, gid_t gid, int flags);
int
__wrap_fchownat(int dirfd, const char *name, uid_t uid, gid_t gid, int flags)
{
	(void)dirfd, (void)flags;
	return record(xasprintf("chown %s %u:%u", name, uid, gid));
}

int __wrap_statvfs(const char *path, struct statvfs *st);
int
__wrap_statvfs(const char *path, struct statvfs *st)
{
	(void)path;
	memset(st, 0, sizeof(*st));
	st->f_flag = statvfs_flags;
	return 0;
}

int __wrap_statfs(const char *path, struct statfs *st);
int
__wrap_statfs(const char *path, struct statfs *st)
{
	(void)path;
	memset(st, 0, sizeof(*st));
	st->f_type = statfs_magic;
	return 0;
}

static void
reset_calls(void)
{
	for (size_t i = 0; i < n_calls; i++)
		free(calls[i]);
	n_calls = 0;
	memset(fail_at, 0, sizeof(fail_at));
}

static void
expect_calls_(const char *const *want, size_t n, const char *file, int line)
{
	for (size_t i = 0; i < n || i < n_calls; i++) {
		const char *w = i < n ? want[i] : "(none)";
		const char *g = i < n_calls ? calls[i] : "(none)";

		if (strcmp(w, g) != 0) {
			for (size_t j = 0; j < n_calls; j++)
				print_message("  call %zu: %s\n", j, calls[j]);
			print_error("call %zu: want \"%s\", got \"%s\"\n", i, w, g);
			_fail(file, line);
		}
	}
	reset_calls();
}

#define expect_calls(...)                                                                          \
	expect_calls_((const char *const[]){__VA_ARGS__},                                          \
	              ARRAY_SIZE(((const char *const[]){__VA_ARGS__})), __FILE__, __LINE__)

struct fixture {
	char dir[64];
	struct mount_env env;
	struct mount_ctx ctx;
	int rootfd;
};

static int
setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));

	snprintf(f->dir, sizeof(f->dir), "/tmp/husk-apply-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	assert_non_null(realpath(f->dir, rootfs));
	f->rootfd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	f->env.resolve = MOUNT_RESOLVE_AUTO;
	f->env.new_netns = true;
	f->ctx.rootfs = rootfs;
	f->ctx.rootfd = f->rootfd;
	f->ctx.env = &f->env;
	f->ctx.idmap_fd = -1;
	statvfs_flags = ST_RELATIME;
	statfs_magic = TMPFS_MAGIC;
	reset_calls();
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	struct err err = {0};

	reset_calls();
	close(f->rootfd);
	assert_int_equal(rm_rf(f->dir, &err), 0);
	free(f);
	return 0;
}

static int
apply(struct fixture *f, const char *src, const char *dst, const char *type, char **opts,
      struct err *err)
{
	struct rt_mount m = {.source = (char *)src,
	                     .destination = (char *)dst,
	                     .type = (char *)type,
	                     .options = opts};

	return mount_apply(&f->ctx, &m, err);
}

static bool
is_type(const struct fixture *f, const char *rel, mode_t type)
{
	cleanup_free char *p = xasprintf("%s/%s", f->dir, rel);
	struct stat st;

	return lstat(p, &st) == 0 && (st.st_mode & S_IFMT) == type;
}

static void
fs_mounts(void **state)
{
	struct fixture *f = *state;
	struct err err = {0};

	assert_int_equal(apply(f, "proc", "/proc", "proc", OPTS("nosuid", "noexec", "nodev"), &err),
	                 0);
	expect_calls("mount proc /proc proc NOSUID|NODEV|NOEXEC -");
	assert_true(is_type(f, "proc", S_IFDIR));

	assert_int_equal(apply(f, "tmpfs", "/dev", "tmpfs",
	                       OPTS("nosuid", "strictatime", "mode=755", "size=65536k"), &err),
	                 0);
	expect_calls("mount tmpfs /dev tmpfs NOSUID|STRICTATIME mode=755,size=65536k");

	/* /dev is mounted writable even if ro: mount_rootfs_finish makes it ro */
	assert_int_equal(apply(f, "tmpfs", "/dev", "tmpfs", OPTS("ro", "mode=755"), &err), 0);
	expect_calls("mount tmpfs /dev tmpfs 0 mode=755");

	assert_int_equal(
	    apply(f, "devpts", "/dev/pts", "devpts",
	          OPTS("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"),
	          &err),
	    0);
	expect_calls("mount devpts /dev/pts devpts NOSUID|NOEXEC "
	             "newinstance,ptmxmode=0666,mode=0620,gid=5");
	assert_true(is_type(f, "dev/pts", S_IFDIR));

	/* no source: the type stands in */
	assert_int_equal(apply(f, NULL, "/dev/mqueue", "mqueue", OPTS("nosuid"), &err), 0);
	expect_calls("mount mqueue /dev/mqueue mqueue NOSUID -");

	/* ro tmpfs elsewhere keeps ro; tmpfs without mode= gets the covered dir's mode */
	assert_int_equal(apply(f, "tmpfs", "/run", "tmpfs", OPTS("ro"), &err), 0);
	expect_calls("mount tmpfs /run tmpfs RDONLY -");
}

static void
fs_mount_errors(void **state)
{
	struct fixture *f = *state;
	struct err err = {0};

	fail_at[0] = EPERM;
	assert_int_equal(apply(f, "proc", "/proc", "proc", NULL, &err), -1);
	assert_int_equal(err.code, EPERM);
	assert_string_equal(err.msg, "mount proc on /proc: Operation not permitted");
	reset_calls();

	/* a file in the way of a directory */
	assert_int_equal(close(openat(f->rootfd, "afile", O_CREAT | O_WRONLY, 0644)), 0);
	assert_int_equal(apply(f, "tmpfs", "/afile/x", "tmpfs", NULL, &err), -1);
	assert_int_equal(err.code, ENOTDIR);
	assert_non_null(strstr(err.msg, "mount tmpfs on /afile/x: "));
	expect_calls();
}

static void
bind_mounts(void **state)
{
	struct fixture *f = *state;
	struct err err = {0};

	/* rbind, no flags: one call, the source's flags stay */
	assert_int_equal(apply(f, "/etc", "/data", "bind", OPTS("rbind"), &err), 0);
	expect_calls("mount /etc /data - BIND|REC -");

	/* bind + ro: a remount that keeps the source's nosuid/nodev/atime */
	statvfs_flags = ST_NOSUID | ST_NODEV | ST_NOATIME;
	assert_int_equal(apply(f, "/etc", "/ro", NULL, OPTS("bind", "ro"), &err), 0);
	expect_calls("mount /etc /ro - BIND -",
	             "mount - /ro - RDONLY|NOSUID|NODEV|REMOUNT|BIND|NOATIME -");

	/* rw explicitly: not copied back from a read-only source */
	statvfs_flags = ST_RDONLY | ST_NOSUID | ST_RELATIME;
	assert_int_equal(apply(f, "/etc", "/rw", "none", OPTS("rbind", "rw"), &err), 0);
	expect_calls("mount /etc /rw - BIND|REC -", "mount - /rw - NOSUID|REMOUNT|BIND|RELATIME -");

	/* a file source gets a file target */
	assert_int_equal(
	    apply(f, "/etc/hostname", "/etc/hostname", "bind", OPTS("rbind", "rprivate"), &err), 0);
	expect_calls("mount /etc/hostname /etc/hostname - BIND|REC -",
	             "mount - /etc/hostname - REC|PRIVATE -");
	assert_true(is_type(f, "etc/hostname", S_IFREG));

	/* a relative source is relative to the bundle */
	f->env.bundle = "/etc";
	assert_int_equal(apply(f, "hostname", "/h", "bind", NULL, &err), 0);
	expect_calls("mount /etc/hostname /h - BIND -");
	assert_true(is_type(f, "h", S_IFREG));
	f->env.bundle = NULL;

	/* recursive attributes go to mount_setattr(AT_RECURSIVE) on the new mount */
	assert_int_equal(apply(f, "/etc", "/rro", "bind", OPTS("rbind", "rro", "rnosuid"), &err),
	                 0);
	expect_calls("mount /etc /rro - BIND|REC -", "setattr /rro rec set=0x3 clr=0");
}

static void
bind_errors(void **state)
{
	struct fixture *f = *state;
	struct err err = {0};

	assert_int_equal(apply(f, "/nonexistent", "/data", "bind", OPTS("rbind"), &err), -1);
	assert_int_equal(err.code, ENOENT);
	assert_string_equal(err.msg, "mount /nonexistent on /data: No such file or directory");
	expect_calls();
	assert_false(is_type(f, "data", S_IFDIR)); /* nothing created for a failed mount */

	assert_int_equal(apply(f, NULL, "/data", "bind", NULL, &err), -1);
	assert_int_equal(err.code, EINVAL);

	/* remount refused: the error says which step */
	fail_at[1] = EPERM;
	assert_int_equal(apply(f, "/etc", "/data", "bind", OPTS("rbind", "ro"), &err), -1);
	assert_int_equal(err.code, EPERM);
	assert_string_equal(err.msg, "mount /etc on /data: remount: Operation not permitted");
	reset_calls();

	/* an idmapped bind whose tree the runtime did not prepare: refused, nothing mounted */
	assert_int_equal(apply(f, "/etc", "/data", "bind", OPTS("rbind", "idmap"), &err), -1);
	assert_int_equal(err.code, EINVAL);
	assert_non_null(strstr(err.msg, "idmapped tree was not prepared"));
	expect_calls();
}

static void
symlink_escape_contained(void **state)
{
	struct fixture *f = *state;
	struct err err = {0};

	assert_int_equal(mkdirat(f->rootfd, "inside", 0755), 0);
	assert_int_equal(mkdirat(f->rootfd, "tmp", 0755), 0);
	assert_int_equal(symlinkat("/inside", f->rootfd, "etc"), 0);
	assert_int_equal(symlinkat("../../../../../../../tmp", f->rootfd, "up"), 0);
	assert_int_equal(apply(f, "tmpfs", "/etc", "tmpfs", NULL, &err), 0);
	expect_calls("mount tmpfs /inside tmpfs 0 -");
	assert_int_equal(apply(f, "tmpfs", "/up/x", "tmpfs", NULL, &err), 0);
	expect_calls("mount tmpfs /tmp/x tmpfs 0 -");
	assert_true(is_type(f, "tmp/x", S_IFDIR));
}

static void
proc_targets_refused(void **state)
{
	struct fixture *f = *state;
	struct err err = {0};

	assert_int_equal(mkdirat(f->rootfd, "proc", 0755), 0);
	assert_int_equal(apply(f, "/etc", "/proc/self", "bind", OPTS("rbind"), &err), -1);
	assert_int_equal(err.code, EPERM);
	assert_non_null(strstr(err.msg, "may not be mounted over"));
	/* through a symlink too: judged on the resolved path */
	assert_int_equal(mkdirat(f->rootfd, "proc/sys", 0755), 0);
	assert_int_equal(symlinkat("/proc/sys", f->rootfd, "innocent"), 0);
	assert_int_equal(apply(f, "tmpfs", "/innocent", "tmpfs", NULL, &err), -1);
	assert_int_equal(err.code, EPERM);
	assert_non_null(strstr(err.msg, "/proc/sys"));
	/* lxcfs-style files are fine */
	assert_int_equal(apply(f, "/etc/hostname", "/proc/meminfo", "bind", OPTS("bind"), &err), 0);
	expect_calls("mount /etc/hostname /proc/meminfo - BIND -");
}

static void
sysfs_fallback(void **state)
{
	struct fixture *f = *state;
	struct err err = {0};

	/* not in a user namespace: a plain sysfs */
	assert_int_equal(apply(f, "sysfs", "/sys", "sysfs", OPTS("nosuid", "ro"), &err), 0);
	expect_calls("mount sysfs /sys sysfs RDONLY|NOSUID -");

	/* user namespace, network namespace not ours: straight to a bind of /sys */
	f->env.userns = true;
	f->env.new_netns = false;
	statvfs_flags = ST_NOSUID | ST_NODEV | ST_NOEXEC | ST_RELATIME;
	assert_int_equal(apply(f, "sysfs", "/sys", "sysfs", OPTS("nosuid", "ro"), &err), 0);
	expect_calls("mount /sys /sys - BIND|REC -",
	             "mount - /sys - RDONLY|NOSUID|NODEV|NOEXEC|REMOUNT|BIND|RELATIME -",
	             "setattr /sys rec set=0x1 clr=0");

	/* user namespace with its own netns: try sysfs, EPERM falls back */
	f->env.new_netns = true;
	fail_at[0] = EPERM;
	assert_int_equal(apply(f, "sysfs", "/sys", "sysfs", NULL, &err), 0);
	expect_calls("mount sysfs /sys sysfs 0 -", "mount /sys /sys - BIND|REC -",
	             "mount - /sys - NOSUID|NODEV|NOEXEC|REMOUNT|BIND|RELATIME -");

	/* other errors are errors */
	fail_at[0] = EINVAL;
	assert_int_equal(apply(f, "sysfs", "/sys", "sysfs", NULL, &err), -1);
	assert_int_equal(err.code, EINVAL);
	reset_calls();
}

static const char *const default_nodes[] = {
    "mknod /dev/null c 666 1:3",    "chown null 0:0",
    "mknod /dev/zero c 666 1:5",    "chown zero 0:0",
    "mknod /dev/full c 666 1:7",    "chown full 0:0",
    "mknod /dev/random c 666 1:8",  "chown random 0:0",
    "mknod /dev/urandom c 666 1:9", "chown urandom 0:0",
    "mknod /dev/tty c 666 5:0",     "chown tty 0:0",
};

static void
check_dev_links(const struct fixture *f)
{
	static const char *const links[][2] = {
	    {"dev/ptmx", "pts/ptmx"},          {"dev/fd", "/proc/self/fd"},
	    {"dev/stdin", "/proc/self/fd/0"},  {"dev/stdout", "/proc/self/fd/1"},
	    {"dev/stderr", "/proc/self/fd/2"},
	};
	char buf[64];

	for (size_t i = 0; i < ARRAY_SIZE(links); i++) {
		ssize_t n = readlinkat(f->rootfd, links[i][0], buf, sizeof(buf) - 1);

		assert_true(n > 0);
		buf[n] = '\0';
		assert_string_equal(buf, links[i][1]);
	}
}

static void
dev_nodes(void **state)
{
	struct fixture *f = *state;
	struct rt_device fuse = {.type = 'c',
	                         .path = "/dev/fuse",
	                         .major = 10,
	                         .minor = 229,
	                         .has_file_mode = true,
	                         .file_mode = 0600,
	                         .has_uid = true,
	                         .uid = 1,
	                         .has_gid = true,
	                         .gid = 2};
	struct rt_device nulldev = {.type = 'c',
	                            .path = "/dev/null",
	                            .major = 1,
	                            .minor = 3,
	                            .has_file_mode = true,
	                            .file_mode = 0620};
	struct rt_device devs[] = {fuse, nulldev};
	struct rt_spec spec = {.has_linux = true};
	struct err err = {0};
	struct stat st;

	spec.linux.devices = devs;
	spec.linux.n_devices = 2;
	assert_int_equal(mount_dev_setup(&f->ctx, &spec, &err), 0);
	expect_calls("mknod /dev/fuse c 600 10:229", "chown fuse 1:2", "mknod /dev/null c 620 1:3",
	             "chown null 0:0", default_nodes[2], default_nodes[3], default_nodes[4],
	             default_nodes[5], default_nodes[6], default_nodes[7], default_nodes[8],
	             default_nodes[9], default_nodes[10], default_nodes[11]);
	/* the mode is exact despite the umask */
	assert_int_equal(fstatat(f->rootfd, "dev/fuse", &st, 0), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	check_dev_links(f);
	/* again: nodes and links exist, no error */
	fail_at[0] = EEXIST;
	assert_int_equal(mount_dev_setup(&f->ctx, &spec, &err), 0);
	reset_calls();
}

static void
dev_nodes_userns_and_eperm(void **state)
{
	struct fixture *f = *state;
	struct rt_spec spec = {.has_linux = true};
	struct err err = {0};

	/* mknod refused: bind the host's node onto an empty file */
	fail_at[0] = EPERM;
	assert_int_equal(mount_dev_setup(&f->ctx, &spec, &err), 0);
	assert_true(n_calls > 2);
	assert_string_equal(calls[0], "mknod /dev/null c 666 1:3");
	assert_string_equal(calls[1], "mount /dev/null /dev/null - BIND -");
	assert_true(is_type(f, "dev/null", S_IFREG));
	reset_calls();

	/* user namespace: no mknod at all */
	f->env.userns = true;
	assert_int_equal(mount_dev_setup(&f->ctx, &spec, &err), 0);
	expect_calls("mount /dev/null /dev/null - BIND -", "mount /dev/zero /dev/zero - BIND -",
	             "mount /dev/full /dev/full - BIND -", "mount /dev/random /dev/random - BIND -",
	             "mount /dev/urandom /dev/urandom - BIND -",
	             "mount /dev/tty /dev/tty - BIND -");

	/* bad device type */
	{
		struct rt_device bad = {.type = 'x', .path = "/dev/bad"};

		spec.linux.devices = &bad;
		spec.linux.n_devices = 1;
		assert_int_equal(mount_dev_setup(&f->ctx, &spec, &err), -1);
		assert_int_equal(err.code, EINVAL);
		assert_non_null(strstr(err.msg, "/dev/bad"));
	}
}

static const char cg_mountinfo[] =
    "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct\n"
    "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
    "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";
static const char cg_self[] = "4:memory:/ctr\n3:cpu,cpuacct:/ctr\n0::/ctr2\n";

static void
cgroup_v1(void **state)
{
	struct fixture *f = *state;
	struct err err = {0};
	char buf[64];
	ssize_t n;

	f->ctx.proc_self_mountinfo = cg_mountinfo;
	f->ctx.proc_self_cgroup = cg_self;
	statvfs_flags = ST_NOSUID | ST_NODEV | ST_NOEXEC | ST_RELATIME;
	assert_int_equal(apply(f, "cgroup", "/sys/fs/cgroup", "cgroup",
	                       OPTS("nosuid", "noexec", "nodev", "relatime", "ro"), &err),
	                 0);
	expect_calls(
	    "mount tmpfs /sys/fs/cgroup tmpfs NOSUID|NODEV|NOEXEC mode=755",
	    "mount /sys/fs/cgroup/memory/ctr /sys/fs/cgroup/memory - BIND|REC -",
	    "mount - /sys/fs/cgroup/memory - RDONLY|NOSUID|NODEV|NOEXEC|REMOUNT|BIND|RELATIME -",
	    "mount /sys/fs/cgroup/cpu,cpuacct/ctr /sys/fs/cgroup/cpu,cpuacct - BIND|REC -",
	    "mount - /sys/fs/cgroup/cpu,cpuacct - "
	    "RDONLY|NOSUID|NODEV|NOEXEC|REMOUNT|BIND|RELATIME -",
	    "mount - /sys/fs/cgroup - RDONLY|NOSUID|NODEV|NOEXEC|REMOUNT|BIND|RELATIME -");
	n = readlinkat(f->rootfd, "sys/fs/cgroup/cpu", buf, sizeof(buf) - 1);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_string_equal(buf, "cpu,cpuacct");
	assert_true(is_type(f, "sys/fs/cgroup/cpuacct", S_IFLNK));

	/* our cgroup outside the hierarchy's mount root: nothing to bind, a clear error */
	f->ctx.proc_self_cgroup = "4:memory:/elsewhere\n";
	f->ctx.proc_self_mountinfo = "35 31 0:32 /outer /sys/fs/cgroup/memory rw - cgroup cgroup "
	                             "rw,memory\n";
	assert_int_equal(apply(f, "cgroup", "/cg0", "cgroup", NULL, &err), -1);
	assert_int_equal(err.code, EXDEV);
	assert_non_null(strstr(err.msg, "/elsewhere"));
	reset_calls();
	f->ctx.proc_self_mountinfo = cg_mountinfo;
	f->ctx.proc_self_cgroup = cg_self;

	/* in a cgroup namespace: real cgroup mounts, controllers as data */
	f->env.cgroupns = true;
	assert_int_equal(apply(f, "cgroup", "/cg", "cgroup", OPTS("nosuid"), &err), 0);
	expect_calls("mount tmpfs /cg tmpfs NOSUID|NODEV|NOEXEC mode=755",
	             "mount cgroup /cg/memory cgroup NOSUID memory",
	             "mount cgroup /cg/cpu,cpuacct cgroup NOSUID cpu,cpuacct");
}

static void
cgroup_v2(void **state)
{
	struct fixture *f = *state;
	struct err err = {0};
	static const char mi[] = "30 23 0:27 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n";

	f->ctx.proc_self_mountinfo = mi;
	f->ctx.proc_self_cgroup = "0::/k8s/pod1\n";
	statfs_magic = CGROUP2_SUPER_MAGIC;
	f->env.cgroupns = true;
	assert_int_equal(apply(f, "cgroup", "/sys/fs/cgroup", "cgroup", OPTS("ro", "nosuid"), &err),
	                 0);
	expect_calls("mount cgroup2 /sys/fs/cgroup cgroup2 RDONLY|NOSUID -");

	/* cgroupns mount refused (e.g. user namespace): bind our cgroup instead */
	fail_at[0] = EPERM;
	assert_int_equal(apply(f, "cgroup", "/sys/fs/cgroup", "cgroup", OPTS("ro"), &err), 0);
	expect_calls("mount cgroup2 /sys/fs/cgroup cgroup2 RDONLY -",
	             "mount /sys/fs/cgroup/k8s/pod1 /sys/fs/cgroup - BIND|REC -",
	             "mount - /sys/fs/cgroup - RDONLY|REMOUNT|BIND|RELATIME -");

	/* no cgroupns: bind */
	f->env.cgroupns = false;
	assert_int_equal(apply(f, "cgroup", "/sys/fs/cgroup", "cgroup", NULL, &err), 0);
	expect_calls("mount /sys/fs/cgroup/k8s/pod1 /sys/fs/cgroup - BIND|REC -");

	/* type cgroup2 on a v1 host: the cgroup2 mount from mountinfo */
	statfs_magic = TMPFS_MAGIC;
	f->ctx.proc_self_mountinfo = cg_mountinfo;
	f->ctx.proc_self_cgroup = cg_self;
	assert_int_equal(apply(f, "cgroup2", "/u", "cgroup2", NULL, &err), 0);
	expect_calls("mount /sys/fs/cgroup/unified/ctr2 /u - BIND|REC -");
}

static void
prepare_sequence(void **state)
{
	struct fixture *f = *state;
	struct rt_mount mounts[] = {
	    {.destination = "/proc", .type = "proc", .source = "proc"},
	    {.destination = "/dev",
	     .type = "tmpfs",
	     .source = "tmpfs",
	     .options = OPTS("nosuid", "mode=755")},
	};
	struct rt_spec spec = {.mounts = mounts, .n_mounts = 2, .has_linux = true};
	struct err err = {0};
	cleanup_free char *rbind = xasprintf("mount %s %s - BIND|REC -", rootfs, rootfs);

	assert_int_equal(mount_rootfs_prepare(&spec, f->dir, &f->env, &err), 0);
	assert_true(n_calls == 4 + ARRAY_SIZE(default_nodes));
	assert_string_equal(calls[0], "mount - / - REC|SLAVE -");
	assert_string_equal(calls[1], rbind);
	assert_string_equal(calls[2], "mount proc /proc proc 0 -");
	assert_string_equal(calls[3], "mount tmpfs /dev tmpfs NOSUID mode=755");
	assert_string_equal(calls[4], default_nodes[0]);
	reset_calls();
	check_dev_links(f);

	/* rprivate is applied up front; other values after pivot_root */
	spec.n_mounts = 0;
	spec.linux.rootfs_propagation = "rprivate";
	assert_int_equal(mount_rootfs_prepare(&spec, f->dir, &f->env, &err), 0);
	assert_string_equal(calls[0], "mount - / - REC|PRIVATE -");
	reset_calls();
	spec.linux.rootfs_propagation = "rshared";
	assert_int_equal(mount_rootfs_prepare(&spec, f->dir, &f->env, &err), 0);
	assert_string_equal(calls[0], "mount - / - REC|SLAVE -");
	reset_calls();
	spec.linux.rootfs_propagation = "sideways";
	assert_int_equal(mount_rootfs_prepare(&spec, f->dir, &f->env, &err), -1);
	assert_int_equal(err.code, EINVAL);
	expect_calls();

	/* the first failing mount stops everything and is named */
	spec.linux.rootfs_propagation = NULL;
	spec.n_mounts = 2;
	fail_at[2] = EPERM;
	assert_int_equal(mount_rootfs_prepare(&spec, f->dir, &f->env, &err), -1);
	assert_string_equal(err.msg, "mount proc on /proc: Operation not permitted");
	assert_int_equal(n_calls, 3);
	reset_calls();

	assert_int_equal(mount_rootfs_prepare(&spec, "/nonexistent/rootfs", &f->env, &err), -1);
	assert_int_equal(err.code, ENOENT);
	expect_calls();
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    T(fs_mounts),
	    T(fs_mount_errors),
	    T(bind_mounts),
	    T(bind_errors),
	    T(symlink_escape_contained),
	    T(proc_targets_refused),
	    T(sysfs_fallback),
	    T(dev_nodes),
	    T(dev_nodes_userns_and_eperm),
	    T(cgroup_v1),
	    T(cgroup_v2),
	    T(prepare_sequence),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
