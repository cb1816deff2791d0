/* Unit tests for mount_pivot.c with cmocka mocks of mount(2), umount2, chroot, pivot_root and
 * statvfs: the pivot_root(".", ".") sequence, --no-pivot (host proc and sysfs hidden first), and
 * mount_rootfs_finish (ro /dev, ro root keeping the locked flags, readonly and masked paths,
 * rootfsPropagation). No root. */
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
#include "runtime/mount_internal.h"
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
	assert_int_equal(mount_rootfs_pivot("/tmp", false, NULL, &err), 0);
	/* the old root could not be detached: said so */
	expect_string(__wrap_sys_pivot_root, new_root, ".");
	expect_string(__wrap_sys_pivot_root, put_old, ".");
	will_return(__wrap_sys_pivot_root, 0);
	expect_mount(NULL, ".", NULL, MS_SLAVE | MS_REC, 0);
	expect_string(__wrap_umount2, target, ".");
	expect_value(__wrap_umount2, flags, MNT_DETACH);
	will_return(__wrap_umount2, EBUSY);
	assert_int_equal(mount_rootfs_pivot("/tmp", false, NULL, &err), -1);
	assert_int_equal(err.code, EBUSY);
	assert_non_null(strstr(err.msg, "old root"));
	/* pivot_root refused */
	expect_string(__wrap_sys_pivot_root, new_root, ".");
	expect_string(__wrap_sys_pivot_root, put_old, ".");
	will_return(__wrap_sys_pivot_root, EINVAL);
	assert_int_equal(mount_rootfs_pivot("/tmp", false, NULL, &err), -1);
	assert_int_equal(err.code, EINVAL);
	assert_non_null(strstr(err.msg, "pivot_root /tmp"));
	/* a rootfs that does not exist */
	assert_int_equal(mount_rootfs_pivot("/nonexistent-rootfs", false, NULL, &err), -1);
	assert_int_equal(err.code, ENOENT);
	assert_int_equal(chdir(cwd), 0);
}

/* A host with proc, sysfs (one of them a non-full bind), the container's own proc under the
 * rootfs, a look-alike sibling of the rootfs and a path with an escaped space. */
static const char MOUNTINFO[] = "21 26 0:20 / /proc rw,relatime - proc proc rw\n"
                                "22 26 0:21 / /sys rw,nosuid - sysfs sysfs rw\n"
                                "23 22 0:22 / /sys/fs/cgroup rw - tmpfs tmpfs rw\n"
                                "24 26 0:21 /kernel /mnt/kernel rw - sysfs sysfs rw\n"
                                "25 26 0:20 / /tmp/rootfs/proc rw - proc proc rw\n"
                                "26 1 8:1 / / rw - ext4 /dev/sda1 rw\n"
                                "27 26 0:20 / /tmp/rootfs2/proc rw - proc proc rw\n"
                                "28 26 0:20 / /srv/a\\040b rw - proc proc rw\n"
                                "bad line\n";

static void
host_pseudofs_list(void **state)
{
	char **v = NULL;

	(void)state;
	assert_int_equal(mount_host_pseudofs(MOUNTINFO, "/tmp/rootfs", &v), 4);
	assert_string_equal(v[0], "/proc");
	assert_string_equal(v[1], "/sys");
	assert_string_equal(v[2], "/tmp/rootfs2/proc");
	assert_string_equal(v[3], "/srv/a b");
	assert_null(v[4]);
	for (size_t i = 0; v[i]; i++)
		free(v[i]);
	free(v);
	/* a trailing slash on the rootfs changes nothing */
	assert_int_equal(mount_host_pseudofs(MOUNTINFO, "/tmp/rootfs/", &v), 4);
	for (size_t i = 0; v[i]; i++)
		free(v[i]);
	free(v);
	assert_int_equal(mount_host_pseudofs("", "/tmp/rootfs", &v), 0);
	assert_null(v);
}

static void
expect_umount(const char *target, int rc)
{
	expect_string(__wrap_umount2, target, target);
	expect_value(__wrap_umount2, flags, MNT_DETACH);
	will_return(__wrap_umount2, rc);
}

#define COVER (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC)

static void
no_pivot(void **state)
{
	char cwd[PATH_MAX];
	struct err err = {0};
	const char *mi = "21 26 0:20 / /proc rw - proc proc rw\n"
	                 "22 26 0:21 / /sys rw - sysfs sysfs rw\n"
	                 "23 26 0:20 / /tmp/proc rw - proc proc rw\n";

	(void)state;
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	/* host proc and sysfs detached (rslave first), the container's own left alone */
	expect_mount(NULL, "/proc", NULL, MS_SLAVE | MS_REC, 0);
	expect_umount("/proc", 0);
	expect_mount(NULL, "/sys", NULL, MS_SLAVE | MS_REC, 0);
	expect_umount("/sys", 0);
	expect_mount("/tmp", "/", NULL, MS_MOVE, 0);
	expect_string(__wrap_chroot, path, ".");
	assert_int_equal(mount_rootfs_pivot("/tmp", true, mi, &err), 0);
	/* a refused detach is covered; one gone with an earlier one is skipped */
	expect_mount(NULL, "/proc", NULL, MS_SLAVE | MS_REC, 0);
	expect_umount("/proc", EPERM);
	expect_mount("tmpfs", "/proc", "tmpfs", COVER, 0);
	expect_mount(NULL, "/sys", NULL, MS_SLAVE | MS_REC, ENOENT);
	expect_mount("/tmp", "/", NULL, MS_MOVE, 0);
	expect_string(__wrap_chroot, path, ".");
	assert_int_equal(mount_rootfs_pivot("/tmp", true, mi, &err), 0);
	/* any other failure stops the create, naming the mount */
	expect_mount(NULL, "/proc", NULL, MS_SLAVE | MS_REC, 0);
	expect_umount("/proc", EBUSY);
	assert_int_equal(mount_rootfs_pivot("/tmp", true, mi, &err), -1);
	assert_int_equal(err.code, EBUSY);
	assert_non_null(strstr(err.msg, "detach /proc"));
	expect_mount(NULL, "/proc", NULL, MS_SLAVE | MS_REC, 0);
	expect_umount("/proc", EINVAL);
	expect_mount("tmpfs", "/proc", "tmpfs", COVER, EACCES);
	assert_int_equal(mount_rootfs_pivot("/tmp", true, mi, &err), -1);
	assert_non_null(strstr(err.msg, "cover /proc"));
	/* the move itself refused */
	expect_mount("/tmp", "/", NULL, MS_MOVE, EINVAL);
	assert_int_equal(mount_rootfs_pivot("/tmp", true, "", &err), -1);
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
	    cmocka_unit_test(pivot),         cmocka_unit_test(host_pseudofs_list),
	    cmocka_unit_test(no_pivot),      cmocka_unit_test(finish),
	    cmocka_unit_test(finish_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
