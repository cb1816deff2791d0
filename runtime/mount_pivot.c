/* mount_pivot: enter the rootfs (pivot_root, or MS_MOVE + chroot for --no-pivot) and, after
 * that, the read-only and masked parts of the container's view. Nothing here opens /proc
 * by path. */
#include "mount.h"
#include "mount_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/fdutil.h"
#include "base/sys.h"
#include "base/xalloc.h"
#include "spec.h"

static int
mount_pivot_root(const char *rootfs, struct err *err)
{
	cleanup_close int oldroot = -1, newroot = -1;

	oldroot = open("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	if (oldroot < 0)
		return err_sys(err, "open /");
	newroot = open(rootfs, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	if (newroot < 0)
		return err_sys(err, "open %s", rootfs);
	if (fchdir(newroot) < 0)
		return err_sys(err, "chdir %s", rootfs);
	/* new root and put_old the same directory: the old root ends up stacked on top of
	 * the new one at "/", where it can be detached without a directory to hide it in */
	if (sys_pivot_root(".", ".") < 0)
		return err_sys(err, "pivot_root %s", rootfs);
	/* the kernel leaves "." at the old root today; do not rely on it */
	if (fchdir(oldroot) < 0)
		return err_sys(err, "chdir to the old root");
	/* our unmount must not propagate to the host's mounts */
	if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		return err_sys(err, "make the old root rslave");
	if (umount2(".", MNT_DETACH) < 0)
		return err_sys(err, "detach the old root");
	return 0;
}

/* Whether path is dir or lies under it (both clean and absolute). */
static bool
path_is_under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	while (n > 1 && dir[n - 1] == '/')
		n--;
	return strncmp(path, dir, n) == 0 && (path[n] == '/' || path[n] == '\0' || n == 1);
}

size_t
mount_host_pseudofs(const char *mountinfo, const char *rootfs, char ***out)
{
	char **v = NULL;
	size_t n = 0;

	for (const char *s = mountinfo; *s;) {
		const char *e = strchrnul(s, '\n');
		struct mountinfo_line l;

		if (mountinfo_parse_line(s, (size_t)(e - s), &l)) {
			if (strcmp(l.root, "/") == 0 &&
			    (strcmp(l.fstype, "proc") == 0 || strcmp(l.fstype, "sysfs") == 0) &&
			    !path_is_under(l.mountpoint, rootfs)) {
				v = xreallocarray(v, n + 2, sizeof(*v));
				v[n++] = take_ptr(l.mountpoint);
				v[n] = NULL;
			}
			mountinfo_line_fini(&l);
		}
		s = *e ? e + 1 : e;
	}
	*out = v;
	return n;
}

/* --no-pivot keeps the host's mounts in the container's mount namespace, under the moved
 * rootfs. A full proc or sysfs mount among them lets a process in a nested user namespace
 * mount a fresh proc or sysfs (the kernel allows it when a fully visible one exists), without
 * the container's masked paths. Detach them first (the namespace's own copies; rslave so
 * nothing propagates to the host), or cover them with an empty read-only tmpfs where a
 * detach is refused. As runc's msMoveRoot. */
static int
mount_hide_host_pseudofs(const char *rootfs, const char *mountinfo, struct err *err)
{
	cleanup_free char *text = NULL;
	char **paths = NULL;
	size_t len, n;
	int rc = 0;

	if (!mountinfo) {
		if (read_file_at(AT_FDCWD, "/proc/self/mountinfo", &text, &len, err) < 0)
			return err_wrap(err, "--no-pivot");
		mountinfo = text;
	}
	n = mount_host_pseudofs(mountinfo, rootfs, &paths);
	for (size_t i = 0; i < n && rc == 0; i++) {
		const char *p = paths[i];

		if (mount(NULL, p, NULL, MS_SLAVE | MS_REC, NULL) < 0) {
			if (errno == ENOENT) /* under one detached before */
				continue;
			rc = err_sys(err, "--no-pivot: make %s rslave", p);
		} else if (umount2(p, MNT_DETACH) < 0) {
			if (errno != EINVAL && errno != EPERM)
				rc = err_sys(err, "--no-pivot: detach %s", p);
			else if (mount("tmpfs", p, "tmpfs",
			               MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
				rc = err_sys(err, "--no-pivot: cover %s", p);
		}
	}
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
	return rc;
}

static int
mount_move_root(const char *rootfs, const char *mountinfo, struct err *err)
{
	if (mount_hide_host_pseudofs(rootfs, mountinfo, err) < 0)
		return -1;
	if (chdir(rootfs) < 0)
		return err_sys(err, "chdir %s", rootfs);
	if (mount(rootfs, "/", NULL, MS_MOVE, NULL) < 0)
		return err_sys(err, "move %s onto /", rootfs);
	if (chroot(".") < 0)
		return err_sys(err, "chroot %s", rootfs);
	return 0;
}

int
mount_rootfs_pivot(const char *rootfs_abs, bool no_pivot, const char *mountinfo, struct err *err)
{
	int rc = no_pivot ? mount_move_root(rootfs_abs, mountinfo, err)
	                  : mount_pivot_root(rootfs_abs, err);

	if (rc < 0)
		return -1;
	if (chdir("/") < 0)
		return err_sys(err, "chdir /");
	return 0;
}

/* MS_BIND|MS_REMOUNT of the mount at path with want added to the flags it has. */
static int
mount_remount_keep(const char *path, unsigned long want, struct err *err)
{
	struct statvfs st;
	unsigned long flags;

	if (statvfs(path, &st) < 0)
		return err_sys(err, "statvfs %s", path);
	flags = mount_bind_remount_flags(want, 0, mount_flags_from_statvfs(st.f_flag));
	if (mount(NULL, path, NULL, flags, NULL) < 0)
		return err_sys(err, "remount %s read-only", path);
	return 0;
}

static int
mount_readonly_path(const char *path, struct err *err)
{
	if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0) {
		if (errno == ENOENT)
			return 0;
		return err_sys(err, "readonly path %s: bind", path);
	}
	if (mount_remount_keep(path, MS_RDONLY, err) < 0)
		return err_wrap(err, "readonly path %s", path);
	return 0;
}

static int
mount_masked_path(const char *path, struct err *err)
{
	struct stat st;

	if (stat(path, &st) < 0) {
		if (errno == ENOENT)
			return 0;
		return err_sys(err, "masked path %s", path);
	}
	if (S_ISDIR(st.st_mode)) {
		if (mount("tmpfs", path, "tmpfs", MS_RDONLY, NULL) < 0)
			return err_sys(err, "masked path %s: mount tmpfs", path);
	} else if (mount("/dev/null", path, NULL, MS_BIND, NULL) < 0) {
		return err_sys(err, "masked path %s: bind /dev/null", path);
	}
	return 0;
}

/* /dev was mounted writable for the device nodes; make it ro now if the spec said so. */
static int
mount_dev_readonly(const struct rt_spec *spec, struct err *err)
{
	for (size_t i = 0; i < spec->n_mounts; i++) {
		const struct rt_mount *m = &spec->mounts[i];
		cleanup_free char *dest = mount_clean_path(m->destination ? m->destination : "");
		struct mount_plan p;
		bool ro;

		if (strcmp(dest, "/dev") != 0)
			continue;
		if (mount_plan_make(m, &p, err) < 0)
			return -1;
		ro = p.kind == MOUNT_KIND_FS && (p.flags & MS_RDONLY);
		mount_plan_fini(&p);
		if (ro && mount_remount_keep("/dev", MS_RDONLY, err) < 0)
			return -1;
	}
	return 0;
}

int
mount_rootfs_finish(const struct rt_spec *spec, const struct mount_env *env, struct err *err)
{
	unsigned long prop;

	(void)env;
	if (mount_propagation_flags(spec->linux.rootfs_propagation, &prop, err) < 0)
		return -1;
	if (mount_dev_readonly(spec, err) < 0)
		return -1;
	if (spec->root_readonly && mount_remount_keep("/", MS_RDONLY, err) < 0)
		return err_wrap(err, "readonly root");
	for (char **p = spec->linux.readonly_paths; p && *p; p++)
		if (mount_readonly_path(*p, err) < 0)
			return -1;
	for (char **p = spec->linux.masked_paths; p && *p; p++)
		if (mount_masked_path(*p, err) < 0)
			return -1;
	if (prop && mount(NULL, "/", NULL, prop, NULL) < 0)
		return err_sys(err, "set rootfsPropagation %s on /",
		               spec->linux.rootfs_propagation);
	return 0;
}
