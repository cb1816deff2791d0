/* Unit tests for shim/rootfs.c's loop mounts and the mount option table it shares with the
 * runtime (runtime/mount_plan.h). The loop tests attach real loop devices to a small ext4
 * image (mkfs.ext4 -d), so they need root, /dev/loop-control and e2fsprogs, and are skipped
 * without them. They run in a private mount namespace: nothing they mount outlives the
 * binary. ioctl is wrapped (test_shim_rootfs.mk) to count the loop calls and to make
 * LOOP_CONFIGURE fail as on kernels before 5.8, or with EBUSY as when another attacher wins. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/loop.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/cleanup.h"
#include "base/fdutil.h"
#include "base/xalloc.h"
#include "runtime/mount_plan.h"
#include "shim/rootfs.h"

/* ---- the ioctl wrapper ---- */

static struct {
	int configure_errno; /* LOOP_CONFIGURE fails with this (0: real call) */
	int configure_ebusy; /* so many LOOP_CONFIGURE calls fail with EBUSY first */
	int status_errno;    /* LOOP_SET_STATUS64 fails with this (0: real call) */
	int n_get_free, n_configure, n_set_fd, n_status, n_clr_fd;
} fake;

int __real_ioctl(int fd, unsigned long req, ...);
int __wrap_ioctl(int fd, unsigned long req, ...);

int
__wrap_ioctl(int fd, unsigned long req, ...)
{
	unsigned long arg;
	va_list ap;

	va_start(ap, req);
	arg = va_arg(ap, unsigned long);
	va_end(ap);
	switch (req) {
	case LOOP_CTL_GET_FREE:
		fake.n_get_free++;
		break;
	case LOOP_CONFIGURE:
		fake.n_configure++;
		if (fake.configure_ebusy > 0) {
			fake.configure_ebusy--;
			errno = EBUSY;
			return -1;
		}
		if (fake.configure_errno) {
			errno = fake.configure_errno;
			return -1;
		}
		break;
	case LOOP_SET_FD:
		fake.n_set_fd++;
		break;
	case LOOP_SET_STATUS64:
		fake.n_status++;
		if (fake.status_errno) {
			errno = fake.status_errno;
			return -1;
		}
		break;
	case LOOP_CLR_FD:
		fake.n_clr_fd++;
		break;
	default:
		break;
	}
	return __real_ioctl(fd, req, arg);
}

/* ---- fixture: a temp dir with an ext4 image, a zero-filled file and a mount target ---- */

static char dir[PATH_MAX], img[PATH_MAX + 16], zero[PATH_MAX + 16], target[PATH_MAX + 16];
static bool loop_ok;
static char loop_why[200] = "not probed";

static int
group_setup(void **state)
{
	char tmpl[] = "/tmp/husk-rootfs-test.XXXXXX";
	cleanup_free char *cmd = NULL;
	int fd;

	(void)state;
	if (geteuid() != 0) {
		snprintf(loop_why, sizeof(loop_why), "needs root");
		return 0;
	}
	if (access("/dev/loop-control", R_OK | W_OK) < 0) {
		snprintf(loop_why, sizeof(loop_why), "no /dev/loop-control");
		return 0;
	}
	if (unshare(CLONE_NEWNS) < 0 || mount("", "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		snprintf(loop_why, sizeof(loop_why), "no private mount namespace: %s",
		         strerror(errno));
		return 0;
	}
	if (!mkdtemp(tmpl) || !realpath(tmpl, dir))
		return -1;
	snprintf(img, sizeof(img), "%s/img.ext4", dir);
	snprintf(zero, sizeof(zero), "%s/zero.img", dir);
	snprintf(target, sizeof(target), "%s/rootfs", dir);
	cmd = xasprintf("mkdir %s/content && echo 'from the image' >%s/content/hello && "
	                "mkfs.ext4 -q -F -d %s/content %s 4M >/dev/null 2>&1",
	                dir, dir, dir, img);
	if (system(cmd) != 0) {
		snprintf(loop_why, sizeof(loop_why), "mkfs.ext4 -d failed (e2fsprogs missing?)");
		return 0;
	}
	fd = open(zero, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 || ftruncate(fd, 4 << 20) < 0)
		return -1;
	close(fd);
	loop_ok = true;
	return 0;
}

/* Detaches every loop device still bound to a file under our dir (only after a regression:
 * autoclear leaves none). */
static void
detach_leftovers(void)
{
	cleanup_dir DIR *d = opendir("/sys/block");
	struct dirent *e;

	while (d && (e = readdir(d))) {
		cleanup_free char *path = NULL, *back = NULL, *dev = NULL;
		struct err err = {0};
		size_t len;
		int fd;

		if (strncmp(e->d_name, "loop", 4) != 0)
			continue;
		path = xasprintf("/sys/block/%s/loop/backing_file", e->d_name);
		if (read_file_at(AT_FDCWD, path, &back, &len, &err) < 0 ||
		    strncmp(back, dir, strlen(dir)) != 0 || back[strlen(dir)] != '/')
			continue;
		back[strcspn(back, "\n")] = '\0';
		dev = xasprintf("/dev/%s", e->d_name);
		fd = open(dev, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			print_message("# detaching leftover %s (%s)\n", dev, back);
			__real_ioctl(fd, LOOP_CLR_FD, 0UL);
			close(fd);
		}
	}
}

static int
group_teardown(void **state)
{
	struct err err = {0};

	(void)state;
	if (dir[0]) {
		rootfs_unmount_all(target, &err);
		detach_leftovers();
		rm_rf(dir, &err);
	}
	return 0;
}

static int
reset(void **state)
{
	(void)state;
	memset(&fake, 0, sizeof(fake));
	return 0;
}

/* After each test, even a failed one: nothing stays mounted on the target. */
static int
unmount_target(void **state)
{
	struct err err = {0};

	(void)state;
	if (loop_ok && rootfs_unmount_all(target, &err) < 0) {
		print_message("# %s\n", err.msg);
		return -1;
	}
	return 0;
}

#define NEED_LOOP()                                                                                \
	do {                                                                                       \
		if (!loop_ok) {                                                                    \
			print_message("# skipped: %s\n", loop_why);                                \
			skip();                                                                    \
		}                                                                                  \
	} while (0)

/* How many loop devices have file as backing file (/sys/block/loop*\/loop/backing_file). */
static int
loops_of(const char *file)
{
	cleanup_dir DIR *d = opendir("/sys/block");
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d))) {
		char path[PATH_MAX], buf[PATH_MAX] = "";
		FILE *f;

		if (strncmp(e->d_name, "loop", 4) != 0)
			continue;
		snprintf(path, sizeof(path), "/sys/block/%s/loop/backing_file", e->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		if (fgets(buf, sizeof(buf), f))
			buf[strcspn(buf, "\n")] = '\0';
		fclose(f);
		n += strcmp(buf, file) == 0;
	}
	return n;
}

/* Waits (up to 2 s) until no loop device has file as backing file. */
static int
loops_of_settled(const char *file)
{
	struct timespec ts = {0, 20 * 1000 * 1000};
	int n = loops_of(file);

	for (int i = 0; i < 100 && n > 0; i++) {
		nanosleep(&ts, NULL);
		n = loops_of(file);
	}
	return n;
}

/* The source of the mount on path (the last one stacked there), or false if none. */
static bool
mount_source(const char *path, char *src, size_t len)
{
	cleanup_fclose FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096], mp[PATH_MAX], fstype[64], source[PATH_MAX];
	bool found = false;

	while (f && fgets(line, sizeof(line), f)) {
		const char *sep = strstr(line, " - ");
		if (sscanf(line, "%*s %*s %*s %*s %4095s", mp) != 1 || !sep ||
		    sscanf(sep, " - %63s %4095s", fstype, source) != 2)
			continue;
		if (strcmp(mp, path) == 0) {
			snprintf(src, len, "%s", source);
			found = true;
		}
	}
	return found;
}

/* "1\n" -> 1: /sys/block/<dev>/<attr> of a device path /dev/loopN. */
static int
loop_attr(const char *dev, const char *attr)
{
	char path[PATH_MAX], buf[64] = "";
	struct err err = {0};
	cleanup_free char *s = NULL;
	size_t len;

	snprintf(path, sizeof(path), "/sys/block/%s/%s", dev + strlen("/dev/"), attr);
	if (read_file_at(AT_FDCWD, path, &s, &len, &err) < 0)
		return -1;
	snprintf(buf, sizeof(buf), "%s", s);
	return atoi(buf);
}

/* Mounts img with opts on target and checks it is a loop device of img with autoclear and the
 * wanted read-only mode; unmounts and checks the device is released. */
static void
mount_check_release(char **opts, size_t n, bool ro)
{
	struct rootfs_mount m = {.type = "ext4", .source = img, .options = opts, .n_options = n};
	struct err err = {0};
	char src[PATH_MAX], hello[64] = "";
	cleanup_free char *path = xasprintf("%s/hello", target);
	FILE *f;

	if (rootfs_mount_all(target, &m, 1, &err) < 0)
		fail_msg("mount: %s", err.msg);
	assert_true(mount_source(target, src, sizeof(src)));
	assert_int_equal(strncmp(src, "/dev/loop", 9), 0);
	assert_int_equal(loops_of(img), 1);
	assert_int_equal(loop_attr(src, "loop/autoclear"), 1);
	assert_int_equal(loop_attr(src, "ro"), ro ? 1 : 0);
	f = fopen(path, "re");
	assert_non_null(f);
	assert_non_null(fgets(hello, sizeof(hello), f));
	fclose(f);
	assert_string_equal(hello, "from the image\n");
	assert_int_equal(rootfs_unmount_all(target, &err), 0);
	assert_false(mount_source(target, src, sizeof(src)));
	assert_int_equal(loops_of_settled(img), 0);
}

/* ---- tests ---- */

/* containerd's 25 words are COMMON; mount(8)'s extra words EXTRA; propagation types;
 * anything else NONE with the outputs untouched. */
static void
flag_table_kinds(void **state)
{
	static const struct {
		const char *name;
		enum mount_flag_kind kind;
		bool clear;
		unsigned long flag;
	} cases[] = {
	    {"async", MOUNT_FLAG_COMMON, true, MS_SYNCHRONOUS},
	    {"atime", MOUNT_FLAG_COMMON, true, MS_NOATIME},
	    {"bind", MOUNT_FLAG_COMMON, false, MS_BIND},
	    {"defaults", MOUNT_FLAG_COMMON, false, 0},
	    {"dev", MOUNT_FLAG_COMMON, true, MS_NODEV},
	    {"diratime", MOUNT_FLAG_COMMON, true, MS_NODIRATIME},
	    {"dirsync", MOUNT_FLAG_COMMON, false, MS_DIRSYNC},
	    {"exec", MOUNT_FLAG_COMMON, true, MS_NOEXEC},
	    {"mand", MOUNT_FLAG_COMMON, false, MS_MANDLOCK},
	    {"noatime", MOUNT_FLAG_COMMON, false, MS_NOATIME},
	    {"nodev", MOUNT_FLAG_COMMON, false, MS_NODEV},
	    {"nodiratime", MOUNT_FLAG_COMMON, false, MS_NODIRATIME},
	    {"noexec", MOUNT_FLAG_COMMON, false, MS_NOEXEC},
	    {"nomand", MOUNT_FLAG_COMMON, true, MS_MANDLOCK},
	    {"norelatime", MOUNT_FLAG_COMMON, true, MS_RELATIME},
	    {"nostrictatime", MOUNT_FLAG_COMMON, true, MS_STRICTATIME},
	    {"nosuid", MOUNT_FLAG_COMMON, false, MS_NOSUID},
	    {"rbind", MOUNT_FLAG_COMMON, false, MS_BIND | MS_REC},
	    {"relatime", MOUNT_FLAG_COMMON, false, MS_RELATIME},
	    {"remount", MOUNT_FLAG_COMMON, false, MS_REMOUNT},
	    {"ro", MOUNT_FLAG_COMMON, false, MS_RDONLY},
	    {"rw", MOUNT_FLAG_COMMON, true, MS_RDONLY},
	    {"strictatime", MOUNT_FLAG_COMMON, false, MS_STRICTATIME},
	    {"suid", MOUNT_FLAG_COMMON, true, MS_NOSUID},
	    {"sync", MOUNT_FLAG_COMMON, false, MS_SYNCHRONOUS},
	    {"iversion", MOUNT_FLAG_EXTRA, false, MS_I_VERSION},
	    {"noiversion", MOUNT_FLAG_EXTRA, true, MS_I_VERSION},
	    {"lazytime", MOUNT_FLAG_EXTRA, false, MS_LAZYTIME},
	    {"nolazytime", MOUNT_FLAG_EXTRA, true, MS_LAZYTIME},
	    {"silent", MOUNT_FLAG_EXTRA, false, MS_SILENT},
	    {"loud", MOUNT_FLAG_EXTRA, true, MS_SILENT},
	    {"nosymfollow", MOUNT_FLAG_EXTRA, false, MS_NOSYMFOLLOW},
	    {"symfollow", MOUNT_FLAG_EXTRA, true, MS_NOSYMFOLLOW},
	    {"private", MOUNT_FLAG_PROPAGATION, false, MS_PRIVATE},
	    {"rprivate", MOUNT_FLAG_PROPAGATION, false, MS_PRIVATE | MS_REC},
	    {"shared", MOUNT_FLAG_PROPAGATION, false, MS_SHARED},
	    {"rshared", MOUNT_FLAG_PROPAGATION, false, MS_SHARED | MS_REC},
	    {"slave", MOUNT_FLAG_PROPAGATION, false, MS_SLAVE},
	    {"rslave", MOUNT_FLAG_PROPAGATION, false, MS_SLAVE | MS_REC},
	    {"unbindable", MOUNT_FLAG_PROPAGATION, false, MS_UNBINDABLE},
	    {"runbindable", MOUNT_FLAG_PROPAGATION, false, MS_UNBINDABLE | MS_REC},
	};
	static const char *const none[] = {"loop", "rro", "ratime", "size=1m", "", "RO", "idmap"};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned long flag = 12345;
		bool clear = !cases[i].clear;
		enum mount_flag_kind k = mount_flag_lookup(cases[i].name, &flag, &clear);
		if (k != cases[i].kind || flag != cases[i].flag || clear != cases[i].clear)
			fail_msg("%s: kind %d flag %#lx clear %d", cases[i].name, k, flag, clear);
	}
	for (size_t i = 0; i < sizeof(none) / sizeof(none[0]); i++) {
		unsigned long flag = 12345;
		bool clear = true;
		assert_int_equal(mount_flag_lookup(none[i], &flag, &clear), MOUNT_FLAG_NONE);
		assert_int_equal(flag, 12345);
		assert_true(clear);
	}
}

/* The shim keeps its reading of the table: propagation words are flags, "defaults" and empty
 * words vanish, mount(8)-only flag words are data (as containerd passes them). */
static void
rootfs_options_use_the_table(void **state)
{
	char *o[] = {"nosymfollow", "rshared", "lazytime", "defaults", "private", "silent",
	             "rw",          "nodev",   "dev",      "loop",     ""};
	unsigned long fl;
	char *data = NULL;
	bool loop;
	struct err err = {0};

	(void)state;
	assert_int_equal(rootfs_parse_options(o, sizeof(o) / sizeof(o[0]), &fl, &data, &loop, &err),
	                 0);
	assert_int_equal(fl, MS_SHARED | MS_REC | MS_PRIVATE);
	assert_string_equal(data, "nosymfollow,lazytime,silent");
	assert_true(loop);
	free(data);
}

/* LOOP_CONFIGURE (5.8+): one call, no LOOP_SET_FD; read-only and autoclear; released by the
 * unmount. */
static void
loop_configure_ro(void **state)
{
	char *opts[] = {"loop", "ro"};

	(void)state;
	NEED_LOOP();
	mount_check_release(opts, 2, true);
	assert_int_equal(fake.n_configure, 1);
	assert_int_equal(fake.n_set_fd, 0);
	assert_int_equal(fake.n_status, 0);
	assert_int_equal(fake.n_clr_fd, 0);
}

/* Kernels without LOOP_CONFIGURE (EINVAL, or ENOTTY): LOOP_SET_FD + LOOP_SET_STATUS64 give the
 * same device: autoclear, read-only only with "ro". */
static void
loop_fallback_set_fd(void **state)
{
	char *ro[] = {"ro", "loop"}, *rw[] = {"loop", "noatime"};

	(void)state;
	NEED_LOOP();
	fake.configure_errno = EINVAL;
	mount_check_release(ro, 2, true);
	assert_int_equal(fake.n_configure, 1);
	assert_int_equal(fake.n_set_fd, 1);
	assert_int_equal(fake.n_status, 1);
	memset(&fake, 0, sizeof(fake));
	fake.configure_errno = ENOTTY;
	mount_check_release(rw, 2, false);
	assert_int_equal(fake.n_set_fd, 1);
	assert_int_equal(fake.n_status, 1);
}

/* A free device taken by someone else between LOOP_CTL_GET_FREE and LOOP_CONFIGURE (EBUSY):
 * ask for another one. */
static void
loop_ebusy_retries(void **state)
{
	char *opts[] = {"loop", "ro"};

	(void)state;
	NEED_LOOP();
	fake.configure_ebusy = 2;
	mount_check_release(opts, 2, true);
	assert_int_equal(fake.n_get_free, 3);
	assert_int_equal(fake.n_configure, 3);
}

/* The fallback's LOOP_SET_STATUS64 fails: the device is detached again (LOOP_CLR_FD), the
 * error names it and the file, nothing is mounted. */
static void
loop_status_failure_detaches(void **state)
{
	char *opts[] = {"loop", "ro"};
	struct rootfs_mount m = {.type = "ext4", .source = img, .options = opts, .n_options = 2};
	struct err err = {0};
	char src[PATH_MAX];

	(void)state;
	NEED_LOOP();
	fake.configure_errno = ENOTTY;
	fake.status_errno = EIO;
	assert_int_equal(rootfs_mount_all(target, &m, 1, &err), -1);
	assert_int_equal(err.code, EIO);
	assert_non_null(strstr(err.msg, "set up loop device /dev/loop"));
	assert_non_null(strstr(err.msg, img));
	assert_int_equal(fake.n_clr_fd, 1);
	assert_false(mount_source(target, src, sizeof(src)));
	assert_int_equal(loops_of_settled(img), 0);
}

/* Attached, but the mount fails (not a filesystem): detached at once, error names the file and
 * the device. */
static void
loop_failed_mount_detaches(void **state)
{
	char *opts[] = {"loop", "ro"};
	struct rootfs_mount m = {.type = "ext4", .source = zero, .options = opts, .n_options = 2};
	struct err err = {0};
	char src[PATH_MAX], want[PATH_MAX + 64];

	(void)state;
	NEED_LOOP();
	assert_int_equal(rootfs_mount_all(target, &m, 1, &err), -1);
	snprintf(want, sizeof(want), "mount ext4 %s (loop device /dev/loop", zero);
	if (!strstr(err.msg, want))
		fail_msg("message: %s", err.msg);
	assert_int_equal(fake.n_configure, 1);
	assert_int_equal(fake.n_clr_fd, 1);
	assert_false(mount_source(target, src, sizeof(src)));
	assert_int_equal(loops_of_settled(zero), 0);
}

/* A missing backing file: ENOENT naming it, no loop device asked for. */
static void
loop_missing_file(void **state)
{
	char *opts[] = {"loop", "ro"};
	char missing[PATH_MAX + 32], want[PATH_MAX + 64], src[PATH_MAX];
	struct rootfs_mount m = {
	    .type = "ext4", .source = missing, .options = opts, .n_options = 2};
	struct err err = {0};

	(void)state;
	NEED_LOOP();
	snprintf(missing, sizeof(missing), "%s/no-such.img", dir);
	assert_int_equal(rootfs_mount_all(target, &m, 1, &err), -1);
	assert_int_equal(err.code, ENOENT);
	snprintf(want, sizeof(want), "open loop backing file %s: ", missing);
	if (!strstr(err.msg, want))
		fail_msg("message: %s", err.msg);
	assert_int_equal(fake.n_get_free, 0);
	assert_false(mount_source(target, src, sizeof(src)));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(flag_table_kinds),
	    cmocka_unit_test(rootfs_options_use_the_table),
	    cmocka_unit_test_setup_teardown(loop_configure_ro, reset, unmount_target),
	    cmocka_unit_test_setup_teardown(loop_fallback_set_fd, reset, unmount_target),
	    cmocka_unit_test_setup_teardown(loop_ebusy_retries, reset, unmount_target),
	    cmocka_unit_test_setup_teardown(loop_status_failure_detaches, reset, unmount_target),
	    cmocka_unit_test_setup_teardown(loop_failed_mount_detaches, reset, unmount_target),
	    cmocka_unit_test_setup_teardown(loop_missing_file, reset, unmount_target),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
