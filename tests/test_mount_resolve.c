/* Unit tests for mount_resolve.c: both implementations (openat2 RESOLVE_IN_ROOT and the O_PATH
 * walk) on the same tmp rootfs with hostile symlinks; creation of missing targets; the AUTO
 * fallback when openat2 is missing (sys_openat2 wrapped). No root needed. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/cleanup.h"
#include "base/fdutil.h"
#include "base/sys.h"
#include "base/xalloc.h"
#include "runtime/mount_internal.h"

/* --wrap=sys_openat2: pass through unless a test asks for ENOSYS */
int __wrap_sys_openat2(int dirfd, const char *path, struct open_how *how, size_t size);
int __real_sys_openat2(int dirfd, const char *path, struct open_how *how, size_t size);
static int openat2_fail_errno;
static int openat2_calls;

int
__wrap_sys_openat2(int dirfd, const char *path, struct open_how *how, size_t size)
{
	openat2_calls++;
	if (openat2_fail_errno) {
		errno = openat2_fail_errno;
		return -1;
	}
	return __real_sys_openat2(dirfd, path, how, size);
}

struct fixture {
	char dir[64];
	int rootfd;
	enum mount_resolve_mode mode;
};

static void
mk(const struct fixture *f, const char *rel, bool dir)
{
	cleanup_free char *p = xasprintf("%s/%s", f->dir, rel);

	if (dir)
		assert_int_equal(mkdir(p, 0755), 0);
	else
		assert_int_equal(close(open(p, O_CREAT | O_WRONLY, 0644)), 0);
}

static void
ln(const struct fixture *f, const char *target, const char *rel)
{
	cleanup_free char *p = xasprintf("%s/%s", f->dir, rel);

	assert_int_equal(symlink(target, p), 0);
}

static int
setup(void **state, enum mount_resolve_mode mode)
{
	struct fixture *f = xcalloc(1, sizeof(*f));

	snprintf(f->dir, sizeof(f->dir), "/tmp/husk-resolve-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	f->mode = mode;
	mk(f, "a", true);
	mk(f, "a/b", true);
	mk(f, "data", true);
	mk(f, "data/etc", true);
	mk(f, "tmp", true);
	mk(f, "afile", false);
	ln(f, "/data/etc", "etc");            /* absolute: means rootfs/data/etc */
	ln(f, "../../../../../../tmp", "up"); /* climbs out: clamped to rootfs/tmp */
	ln(f, "../..", "a/b/top");            /* rootfs/a/b/../.. = rootfs */
	ln(f, "a", "l");                      /* relative, to a dir */
	ln(f, "/nowhere", "dangle");          /* dangling */
	ln(f, "/usr", "hostusr");             /* exists on the host, not in the rootfs */
	ln(f, "loop2", "loop1");
	ln(f, "loop1", "loop2");
	ln(f, "/proc/self/root", "magic"); /* host /proc: must not lead to the host root */
	f->rootfd = open(f->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(f->rootfd >= 0);
	openat2_fail_errno = 0;
	*state = f;
	return 0;
}

static int
setup_openat2(void **state)
{
	return setup(state, MOUNT_RESOLVE_OPENAT2);
}

static int
setup_walk(void **state)
{
	return setup(state, MOUNT_RESOLVE_WALK);
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	struct err err = {0};

	close(f->rootfd);
	assert_int_equal(rm_rf(f->dir, &err), 0);
	free(f);
	return 0;
}

static int
resolve(const struct fixture *f, const char *path, enum mount_create create, int *fd,
        struct err *err)
{
	if (f->mode == MOUNT_RESOLVE_WALK)
		return mount_resolve_walk(f->rootfd, path, create, fd, err);
	return mount_resolve_openat2(f->rootfd, path, create, fd, err);
}

/* path resolves to rel inside the rootfs (same inode) */
static void
check_resolves(const struct fixture *f, const char *path, enum mount_create create, const char *rel)
{
	cleanup_free char *want_path = xasprintf("%s/%s", f->dir, rel);
	cleanup_close int fd = -1;
	struct err err = {0};
	struct stat got, want;

	if (resolve(f, path, create, &fd, &err) < 0)
		fail_msg("%s (mode %d): %s", path, f->mode, err.msg);
	assert_int_equal(fstat(fd, &got), 0);
	assert_int_equal(lstat(want_path, &want), 0);
	if (got.st_ino != want.st_ino || got.st_dev != want.st_dev)
		fail_msg("%s did not resolve to %s", path, rel);
}

static void
check_fails(const struct fixture *f, const char *path, enum mount_create create, int code)
{
	int fd = -1;
	struct err err = {0};

	if (resolve(f, path, create, &fd, &err) == 0)
		fail_msg("%s (mode %d): resolved, want errno %d", path, f->mode, code);
	assert_int_equal(fd, -1);
	if (err.code != code)
		fail_msg("%s (mode %d): want errno %d, got %d (%s)", path, f->mode, code, err.code,
		         err.msg);
	if (!strstr(err.msg, path))
		fail_msg("%s (mode %d): error does not name the path: %s", path, f->mode, err.msg);
}

static void
plain_paths(void **state)
{
	struct fixture *f = *state;

	check_resolves(f, "/", MOUNT_CREATE_NONE, ".");
	check_resolves(f, "/a/b", MOUNT_CREATE_NONE, "a/b");
	check_resolves(f, "a/b/", MOUNT_CREATE_NONE, "a/b");
	check_resolves(f, "//a/./b", MOUNT_CREATE_NONE, "a/b");
	check_resolves(f, "/afile", MOUNT_CREATE_NONE, "afile");
	check_fails(f, "/missing", MOUNT_CREATE_NONE, ENOENT);
	check_fails(f, "/afile/x", MOUNT_CREATE_NONE, ENOTDIR);
}

static void
symlinks_stay_inside(void **state)
{
	struct fixture *f = *state;

	/* rootfs/etc -> /etc means rootfs/data/etc's target, not the host's /etc */
	check_resolves(f, "/etc", MOUNT_CREATE_NONE, "data/etc");
	check_resolves(f, "/up", MOUNT_CREATE_NONE, "tmp");
	check_resolves(f, "/../../../a", MOUNT_CREATE_NONE, "a");
	check_resolves(f, "/a/b/top", MOUNT_CREATE_NONE, ".");
	check_resolves(f, "/a/b/top/a/b/top/../../a", MOUNT_CREATE_NONE, "a");
	check_resolves(f, "/l/b", MOUNT_CREATE_NONE, "a/b");
	check_fails(f, "/hostusr", MOUNT_CREATE_NONE, ENOENT);
	check_fails(f, "/loop1", MOUNT_CREATE_NONE, ELOOP);
	check_fails(f, "/dangle", MOUNT_CREATE_NONE, ENOENT);
	/* the walk treats magic links as text (inside the root), openat2 refuses them: either
	 * way nothing outside the rootfs */
	{
		int fd = -1;
		struct err err = {0};

		assert_int_equal(resolve(f, "/magic", MOUNT_CREATE_NONE, &fd, &err), -1);
		assert_true(err.code == ENOENT || err.code == ELOOP || err.code == EXDEV);
	}
}

static void
creates_missing(void **state)
{
	struct fixture *f = *state;
	char *p = NULL;
	struct stat st;

	check_resolves(f, "/new/dir/x", MOUNT_CREATE_DIR, "new/dir/x");
	p = xasprintf("%s/new/dir/x", f->dir);
	assert_int_equal(stat(p, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	free(p);

	check_resolves(f, "/f/g/file", MOUNT_CREATE_FILE, "f/g/file");
	p = xasprintf("%s/f/g/file", f->dir);
	assert_int_equal(stat(p, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_size, 0);
	free(p);
	p = NULL;

	/* created inside the symlink's target, which is inside the rootfs */
	check_resolves(f, "/etc/sub", MOUNT_CREATE_DIR, "data/etc/sub");
	check_resolves(f, "/l/newdir", MOUNT_CREATE_DIR, "a/newdir");
	check_resolves(f, "/up/t", MOUNT_CREATE_FILE, "tmp/t");
	/* existing things are used as they are */
	check_resolves(f, "/afile", MOUNT_CREATE_DIR, "afile");
	check_resolves(f, "/a", MOUNT_CREATE_FILE, "a");
}

/* Creating through a dangling symlink creates its target inside the rootfs (bind-mounting
 * /etc/resolv.conf -> ../run/x must work), never outside. */
static void
creates_through_dangling_inside(void **state)
{
	struct fixture *f = *state;
	struct stat st;

	check_fails(f, "/dangle", MOUNT_CREATE_NONE, ENOENT);
	check_resolves(f, "/dangle", MOUNT_CREATE_DIR, "nowhere");
	assert_int_equal(fstatat(f->rootfd, "nowhere", &st, AT_SYMLINK_NOFOLLOW), 0);
	assert_true(S_ISDIR(st.st_mode));
	check_resolves(f, "/hostusr/bin/x", MOUNT_CREATE_FILE, "usr/bin/x");
	assert_int_equal(fstatat(f->rootfd, "usr/bin/x", &st, AT_SYMLINK_NOFOLLOW), 0);
	assert_true(S_ISREG(st.st_mode));
	/* relative dangling link, file target, several levels */
	ln(f, "../run/systemd/stub.conf", "data/etc/resolv.conf");
	check_resolves(f, "/etc/resolv.conf", MOUNT_CREATE_FILE, "data/run/systemd/stub.conf");
	/* climbing out of the root is clamped */
	ln(f, "../../../../../../../../escaped", "a/out");
	check_resolves(f, "/a/out/y", MOUNT_CREATE_DIR, "escaped/y");
	assert_int_equal(access("/escaped", F_OK), -1);
	check_fails(f, "/loop1", MOUNT_CREATE_DIR, ELOOP);
	check_fails(f, "/afile/x", MOUNT_CREATE_DIR, ENOTDIR);
}

static void
auto_falls_back(void **state)
{
	struct fixture *f = *state;
	cleanup_close int fd = -1;
	struct err err = {0};
	struct stat got, want;

	(void)state;
	openat2_fail_errno = ENOSYS;
	openat2_calls = 0;
	assert_int_equal(
	    mount_resolve(f->rootfd, "/etc", MOUNT_RESOLVE_AUTO, MOUNT_CREATE_NONE, &fd, &err), 0);
	assert_true(openat2_calls > 0);
	assert_int_equal(fstat(fd, &got), 0);
	assert_int_equal(fstatat(f->rootfd, "data/etc", &want, 0), 0);
	assert_int_equal(got.st_ino, want.st_ino);
	close(fd);
	fd = -1;
	/* OPENAT2 mode does not fall back */
	assert_int_equal(
	    mount_resolve(f->rootfd, "/etc", MOUNT_RESOLVE_OPENAT2, MOUNT_CREATE_NONE, &fd, &err),
	    -1);
	assert_int_equal(err.code, ENOSYS);
	/* WALK mode never calls openat2 */
	openat2_calls = 0;
	assert_int_equal(
	    mount_resolve(f->rootfd, "/a", MOUNT_RESOLVE_WALK, MOUNT_CREATE_NONE, &fd, &err), 0);
	assert_int_equal(openat2_calls, 0);
	/* other errors are not a reason to fall back */
	close(fd);
	fd = -1;
	openat2_fail_errno = EACCES;
	assert_int_equal(
	    mount_resolve(f->rootfd, "/a", MOUNT_RESOLVE_AUTO, MOUNT_CREATE_NONE, &fd, &err), -1);
	assert_int_equal(err.code, EACCES);
	openat2_fail_errno = 0;
}

static void
fdpath_format(void **state)
{
	struct mount_fdpath fp;

	(void)state;
	assert_string_equal(mount_fdpath(7, &fp), "/proc/self/fd/7");
	assert_string_equal(mount_fdpath(123456, &fp), "/proc/self/fd/123456");
}

#define BOTH(fn)                                                                                   \
	cmocka_unit_test_setup_teardown(fn, setup_openat2, teardown),                              \
	    cmocka_unit_test_setup_teardown(fn, setup_walk, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    BOTH(plain_paths),
	    BOTH(symlinks_stay_inside),
	    BOTH(creates_missing),
	    BOTH(creates_through_dangling_inside),
	    cmocka_unit_test_setup_teardown(auto_falls_back, setup_walk, teardown),
	    cmocka_unit_test(fdpath_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
