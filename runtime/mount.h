/* mount: the container's root filesystem: spec mounts, /dev, pivot_root, readonly and masked
 * paths. Called in the container child, already in its new mount namespace (and maybe a user
 * namespace), in its cgroup, as namespace root. Order:
 *
 *	mount_env_from_spec(spec, &env);               // then env.bundle = bundle dir
 *	mount_rootfs_prepare(spec, rootfs, &env, err); // before pivot_root: all mounts, /dev
 *	(hostname, sysctls, createRuntime/createContainer hooks: old root still visible)
 *	mount_rootfs_pivot(rootfs, no_pivot, err);     // cwd and root become the rootfs
 *	terminal_open() + terminal_mount_console()     // if process.terminal (terminal.h);
 *	terminal_attach() after setsid()
 *	mount_rootfs_finish(spec, &env, err);          // /dev ro, root ro, readonly/masked paths,
 *	                                               // final rootfsPropagation
 *
 * Every error names the mount, e.g. "mount proc on /proc: Operation not permitted". */
#ifndef RUNTIME_MOUNT_H
#define RUNTIME_MOUNT_H

#include <stdbool.h>

#include "base/err.h"

struct rt_spec;

enum mount_resolve_mode {
	MOUNT_RESOLVE_AUTO = 0, /* openat2(RESOLVE_IN_ROOT) if the kernel has it, else the walk */
	MOUNT_RESOLVE_OPENAT2,  /* openat2 only (ENOSYS is an error) */
	MOUNT_RESOLVE_WALK,     /* the O_PATH|O_NOFOLLOW walk (tests, old kernels) */
};

/* What the mount code needs to know that the spec alone does not say. */
struct mount_env {
	bool userns;    /* in a user namespace (new or joined): devices are bind-mounted from
	                 * the host instead of mknod; sysfs may fall back to a bind of /sys */
	bool new_netns; /* a network namespace owned by our user namespace: sysfs mountable */
	bool cgroupns;  /* in a cgroup namespace rooted at the container's cgroup: cgroup
	                 * mounts are real cgroup/cgroup2 mounts, not binds of host dirs */
	enum mount_resolve_mode resolve;
	const char *bundle; /* borrowed, may be NULL: a relative bind source is relative to it
	                     * (runc); NULL leaves it relative to the cwd */
	const int *idmap_fds; /* borrowed, may be NULL: per spec mount, its idmapped tree from
	                       * mount_idmap_prepare, or -1 */
};

/* Fills env from linux.namespaces: userns = user ns listed; new_netns = network ns listed
 * without a path (created) or no user ns at all; cgroupns = cgroup ns listed; resolve AUTO;
 * bundle NULL (set it to the bundle directory). */
void mount_env_from_spec(const struct rt_spec *spec, struct mount_env *env);

/* Before pivot_root. rootfs_abs: absolute, symlink-free path of the rootfs on the host.
 * Makes / rslave (or linux.rootfsPropagation's flag), makes the rootfs' parent mount private,
 * bind-mounts the rootfs onto itself, applies spec->mounts in order (targets resolved inside
 * the rootfs), then, unless /dev is a bind mount, creates linux.devices + null zero full random
 * urandom tty, /dev/ptmx -> pts/ptmx and the /dev/fd, stdin, stdout, stderr, core symlinks.
 * On failure mounts made so far stay in the (private) mount namespace: the child exits. */
int mount_rootfs_prepare(const struct rt_spec *spec, const char *rootfs_abs,
                         const struct mount_env *env, struct err *err);

/* Enters the rootfs: chdir(rootfs); pivot_root(".", "."), old root made rslave and detached;
 * chdir("/"). no_pivot (runc --no-pivot): the host's full proc and sysfs mounts outside the
 * rootfs are detached (or covered), then the rootfs is MS_MOVEd onto "/" and chroot(".").
 * mountinfo: NULL reads /proc/self/mountinfo (tests pass the text). */
int mount_rootfs_pivot(const char *rootfs_abs, bool no_pivot, const char *mountinfo,
                       struct err *err);

/* After pivot_root, after the console is mounted and after sysctls are written (readonlyPaths
 * usually has /proc/sys): remounts /dev read-only if its spec
 * mount says ro, readonly root (root.readonly), linux.readonlyPaths (bind + ro remount keeping
 * nosuid/nodev/noexec), linux.maskedPaths (dirs: ro empty tmpfs; files: /dev/null bind; missing
 * paths ignored), then rootfsPropagation on / if set. env is not used today. */
int mount_rootfs_finish(const struct rt_spec *spec, const struct mount_env *env, struct err *err);

/* Idmapped mounts, in the runtime before the child exists (mount_idmap.c): for each spec
 * mount with an id mapping, a detached clone of its source tree with
 * MOUNT_ATTR_IDMAP set (the mount's mappings, or for idmap/ridmap without them the container's
 * linux mappings); *fds_out: one fd per spec mount, -1 for the others, or NULL when no mount
 * is idmapped. Errors name the mount. Release with mount_idmap_close. */
int mount_idmap_prepare(const struct rt_spec *spec, const char *bundle, int **fds_out,
                        struct err *err);
void mount_idmap_close(int *fds, size_t n);

#endif
