/* Unit tests for mount_pivot.c with cmocka mocks of mount(2), umount2, chroot, pivot_root and
 * statvfs: the pivot_root(".", ".") sequence, --no-pivot, and mount_rootfs_finish (ro /dev, ro
 * root keeping the locked flags, readonly and masked paths, rootfsPropagation). No root. */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/cleanup.h"
#include "runtime/mount.h"
#include "runtime/spec.h"

#define OPTS(...) ((char *[]){__VA_ARGS__, NULL})

int __wrap_mount(const char *src, const char *dst, const char *type, unsigned long fl,
                 const void *data);
int
__wrap_mount(const char *src, const char *dst, const char *type, unsigned long fl, const void *data)
{
	(void)data;
	check_expected_ptr(src);
	check_expected(dst);
	check_expected_ptr(type);
	check_expected(fl);
	errno = mock_type(int);
	return errno ? -1 : 0;
}

int __wrap_umount2(const char *target, int flags);
int
__wrap_umount2(const char *target, int flags)
{
	check_expected(target);
	check_expected(flags);
	errno = mock_type(int);
	return errno ? -1 : 0;
}

int __wrap_chroot(const char *path);
int
__wrap_chroot(const char *path)
{
	check_expected(path);
	return 0;
}

int __wrap_sys_pivot_root(const char *new_root, const char *put_old);
int
__wrap_sys_pivot_root(const char *new_root, const char *put_old)
{
	check_expected(new_root);
	check_expected(put_old);
	errno = mock_type(int);
	return errno ? -1 : 0;
}

int __wrap_statvfs(const char *path, struct statvfs *st);
int
__wrap_statvfs(const char *path, struct statvfs *st)
{
	check_expected(path);
	memset(st, 0, sizeof(*st));
	st->f_flag = mock_type(unsigned long);
	return 0;
}

/* one mount(2): src/type NULL or a string */
static void
expect_mount(const char *src, const char *dst, const char *type, unsigned long fl, int rc)
{
	if (src)
		expect_string(__wrap_mount, src, src);
	else
		expect_value(__wrap_mount, src, NULL);
	expect_string(__wrap_mount, dst, dst);
	if (type)
		expect_string(__wrap_mount, type, type);
	else
		expect_value(__wrap_mount, type, NULL);
	expect_value(__wrap_mount, fl, fl);
	will_return(__wrap_mount, rc);
}

static void
expect_statvfs(const char *path, unsigned long st_flags)
{
	expect_string(__wrap_statvfs, path, path);
	will_return(__wrap_statvfs, st_flags);
}

static void
pivot(void **state)
{
	char cwd[PATH_MAX];
	struct err err = {0};

	(void)state;
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	expect_string(__wrap_sys_pivot_root, new_root, ".");
	expect_string(__wrap_sys_pivot_root, put_old, ".");
	will_return(__wrap_sys_pivot_root, 0);
	expect_mount(NULL, ".", NULL, MS_SLAVE | MS_REC, 0);
	expect_string(__wrap_umount2, target, ".");
	expect_value(__wrap_umount2, flags, MNT_DETACH);
	will_return(__wrap_umount2, 0);
	assert_int_equal(mount_rootfs_pivot("/tmp", false, &err), 0);
	/* the old root could not be detached: said so */
	expect_string(__wrap_sys_pivot_root, new_root, ".");
	expect_string(__wrap_sys_pivot_root, put_old, ".");
	will_return(__wrap_sys_pivot_root, 0);
	expect_mount(NULL, ".", NULL, MS_SLAVE | MS_REC, 0);
	expect_string(__wrap_umount2, target, ".");
	expect_value(__wrap_umount2, flags, MNT_DETACH);
	will_return(__wrap_umount2, EBUSY);
	assert_int_equal(mount_rootfs_pivot("/tmp", false, &err), -1);
	assert_int_equal(err.code, EBUSY);
	assert_non_null(strstr(err.msg, "old root"));
	/* pivot_root refused */
	expect_string(__wrap_sys_pivot_root, new_root, ".");
	expect_string(__wrap_sys_pivot_root, put_old, ".");
	will_return(__wrap_sys_pivot_root, EINVAL);
	assert_int_equal(mount_rootfs_pivot("/tmp", false, &err), -1);
	assert_int_equal(err.code, EINVAL);
	assert_non_null(strstr(err.msg, "pivot_root /tmp"));
	/* a rootfs that does not exist */
	assert_int_equal(mount_rootfs_pivot("/nonexistent-rootfs", false, &err), -1);
	assert_int_equal(err.code, ENOENT);
	assert_int_equal(chdir(cwd), 0);
}

static void
no_pivot(void **state)
{
	char cwd[PATH_MAX];
	struct err err = {0};

	(void)state;
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	expect_mount("/tmp", "/", NULL, MS_MOVE, 0);
	expect_string(__wrap_chroot, path, ".");
	assert_int_equal(mount_rootfs_pivot("/tmp", true, &err), 0);
	expect_mount("/tmp", "/", NULL, MS_MOVE, EINVAL);
	assert_int_equal(mount_rootfs_pivot("/tmp", true, &err), -1);
	assert_int_equal(err.code, EINVAL);
	assert_int_equal(chdir(cwd), 0);
}

#define RO_KEEP (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_REMOUNT | MS_BIND | MS_RELATIME)

static void
finish(void **state)
{
	struct rt_mount dev = {.destination = "/dev/", .type = "tmpfs", .options = OPTS("ro")};
	struct rt_spec spec = {
	    .mounts = &dev, .n_mounts = 1, .root_readonly = true, .has_linux = true};
	struct mount_env env = {0};
	struct err err = {0};
	unsigned long st = ST_NOSUID | ST_NOEXEC | ST_NODEV | ST_RELATIME;

	(void)state;
	spec.linux.readonly_paths = OPTS("/proc/sys", "/nonexistent-ro");
	/* these exist on the test host: /etc a directory, /etc/hostname a file */
	spec.linux.masked_paths = OPTS("/etc", "/etc/hostname", "/nonexistent-masked");
	spec.linux.rootfs_propagation = "shared";
	expect_statvfs("/dev", st);
	expect_mount(NULL, "/dev", NULL, RO_KEEP, 0);
	expect_statvfs("/", st);
	expect_mount(NULL, "/", NULL, RO_KEEP, 0);
	expect_mount("/proc/sys", "/proc/sys", NULL, MS_BIND | MS_REC, 0);
	expect_statvfs("/proc/sys", st);
	expect_mount(NULL, "/proc/sys", NULL, RO_KEEP, 0);
	expect_mount("/nonexistent-ro", "/nonexistent-ro", NULL, MS_BIND | MS_REC, ENOENT);
	expect_mount("tmpfs", "/etc", "tmpfs", MS_RDONLY, 0);
	expect_mount("/dev/null", "/etc/hostname", NULL, MS_BIND, 0);
	expect_mount(NULL, "/", NULL, MS_SHARED, 0);
	if (mount_rootfs_finish(&spec, &env, &err) < 0)
		fail_msg("%s", err.msg);

	/* nothing to do: no calls */
	memset(&spec, 0, sizeof(spec));
	assert_int_equal(mount_rootfs_finish(&spec, &env, &err), 0);
}

static void
finish_errors(void **state)
{
	struct rt_spec spec = {.has_linux = true};
	struct mount_env env = {0};
	struct err err = {0};

	(void)state;
	spec.linux.readonly_paths = OPTS("/proc/sys");
	expect_mount("/proc/sys", "/proc/sys", NULL, MS_BIND | MS_REC, EACCES);
	assert_int_equal(mount_rootfs_finish(&spec, &env, &err), -1);
	assert_int_equal(err.code, EACCES);
	assert_non_null(strstr(err.msg, "readonly path /proc/sys"));

	spec.linux.readonly_paths = NULL;
	spec.root_readonly = true;
	expect_statvfs("/", 0);
	expect_mount(NULL, "/", NULL, MS_RDONLY | MS_REMOUNT | MS_BIND | MS_STRICTATIME, EPERM);
	assert_int_equal(mount_rootfs_finish(&spec, &env, &err), -1);
	assert_int_equal(err.code, EPERM);
	assert_non_null(strstr(err.msg, "readonly root"));

	spec.root_readonly = false;
	spec.linux.masked_paths = OPTS("/etc/hostname");
	expect_mount("/dev/null", "/etc/hostname", NULL, MS_BIND, ENOENT);
	assert_int_equal(mount_rootfs_finish(&spec, &env, &err), -1);
	assert_int_equal(err.code, ENOENT);
	assert_non_null(strstr(err.msg, "masked path /etc/hostname"));

	spec.linux.masked_paths = NULL;
	spec.linux.rootfs_propagation = "bogus";
	assert_int_equal(mount_rootfs_finish(&spec, &env, &err), -1);
	assert_int_equal(err.code, EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(pivot),
	    cmocka_unit_test(no_pivot),
	    cmocka_unit_test(finish),
	    cmocka_unit_test(finish_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
