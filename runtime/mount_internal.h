/* mount_internal: shared between runtime/mount_*.c and tests/test_mount*.c only. */
#ifndef RUNTIME_MOUNT_INTERNAL_H
#define RUNTIME_MOUNT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "mount.h"

struct rt_mount;
struct rt_spec;

/* ---- plan (mount_plan.c): pure, no syscalls ---- */

enum mount_kind {
	MOUNT_KIND_FS = 0, /* a new filesystem instance: proc, tmpfs, sysfs, devpts, mqueue, ... */
	MOUNT_KIND_BIND,   /* type "bind" or option bind/rbind */
	MOUNT_KIND_CGROUP, /* type "cgroup" or "cgroup2": per-controller binds or a cgroupns mount
	                    */
};

#define MOUNT_MAX_PROPAGATION 4

enum mount_idmap {
	MOUNT_IDMAP_NONE = 0,
	MOUNT_IDMAP_TOP,       /* "idmap", or uidMappings/gidMappings alone: the top mount */
	MOUNT_IDMAP_RECURSIVE, /* "ridmap": every mount of an rbind tree */
};

struct mount_plan {
	enum mount_kind kind;
	unsigned long flags; /* MS_* to set; MS_BIND|MS_REC for binds (rbind), MS_REMOUNT, ... */
	unsigned long clear; /* MS_* explicitly cleared by an option (rw, suid, dev, exec, ...) */
	unsigned long propagation[MOUNT_MAX_PROPAGATION]; /* separate mount(2) calls, in order */
	size_t n_propagation;
	uint64_t attr_set, attr_clr; /* mount_setattr(AT_RECURSIVE) MOUNT_ATTR_*; both 0: none */
	char *data;                  /* owned: filesystem options joined with ',', NULL if none */
	bool needs_remount;          /* bind: a MS_BIND|MS_REMOUNT pass applies the flags */
	enum mount_idmap idmap;      /* bind only: an idmapped mount (mount_idmap.c) */
};

/* Turns a spec mount into what to call. Fails (EINVAL/EOPNOTSUPP, the option named) for an
 * empty destination, tmpcopyup, more than MOUNT_MAX_PROPAGATION propagation options, only one of
 * uidMappings/gidMappings, or an idmapped mount that is not a bind. plan is overwritten; release
 * with mount_plan_fini. */
int mount_plan_make(const struct rt_mount *m, struct mount_plan *plan, struct err *err);
void mount_plan_fini(struct mount_plan *plan);

/* rootfsPropagation value -> MS_* flags (NULL or "" -> 0). -1 + EINVAL if unknown. */
int mount_propagation_flags(const char *name, unsigned long *out, struct err *err);

/* statvfs f_flag (ST_*) -> MS_* (ro, nosuid, nodev, noexec, noatime, nodiratime, relatime,
 * nosymfollow; strictatime when neither noatime nor relatime). */
unsigned long mount_flags_from_statvfs(unsigned long st_flag);

/* Flags for the MS_BIND|MS_REMOUNT pass of a bind: want (the plan's flags) plus the source's
 * per-mount flags (src, from mount_flags_from_statvfs) that the spec did not clear, so locked
 * flags are kept and nothing the user did not ask for is dropped. */
unsigned long mount_bind_remount_flags(unsigned long want, unsigned long cleared,
                                       unsigned long src);

/* Normalises an absolute or relative container path: "/a//b/./c/" -> "/a/b/c". ".." is kept
 * (resolution clamps it at the root). Returned string owned by the caller. */
char *mount_clean_path(const char *path);

/* true if dest (clean, container-absolute) may be a mount target: not /proc itself unless
 * type is proc, and under /proc only runc's list of emulated files (lxcfs style). */
bool mount_dest_allowed(const char *dest, const char *type);

/* ---- resolution inside the rootfs (mount_resolve.c) ---- */

enum mount_create {
	MOUNT_CREATE_NONE = 0,
	MOUNT_CREATE_DIR,  /* missing components and the last one become directories (0755) */
	MOUNT_CREATE_FILE, /* missing parents become directories, the last one an empty file */
};

/* Opens path (container path, "/" = rootfd) as O_PATH|O_CLOEXEC; every symlink, absolute or
 * relative, and every ".." stays inside rootfd. Missing names are created per create, also
 * the target of a dangling symlink (inside rootfd: /etc/resolv.conf -> ../run/x creates
 * rootfs/run/x, as runc does). *out owned by caller. */
int mount_resolve(int rootfd, const char *path, enum mount_resolve_mode mode,
                  enum mount_create create, int *out, struct err *err);

/* The two implementations, exposed for tests. */
int mount_resolve_openat2(int rootfd, const char *path, enum mount_create create, int *out,
                          struct err *err);
int mount_resolve_walk(int rootfd, const char *path, enum mount_create create, int *out,
                       struct err *err);

/* "/proc/self/fd/N" for an fd (the target handed to mount(2) before pivot_root). */
struct mount_fdpath {
	char s[40];
};
const char *mount_fdpath(int fd, struct mount_fdpath *buf);

/* ---- apply (mount_rootfs.c, mount_special.c, mount_dev.c, mount_cgroup.c) ---- */

struct mount_ctx {
	const char *rootfs;              /* borrowed: absolute host path */
	int rootfd;                      /* O_PATH of the rootfs (after its self-bind) */
	const struct mount_env *env;     /* borrowed */
	const char *proc_self_cgroup;    /* borrowed test override of /proc/self/cgroup, or NULL */
	const char *proc_self_mountinfo; /* borrowed test override, or NULL */
	int idmap_fd;                    /* the current mount's idmapped tree, or -1 */
};

/* One spec mount, error prefixed "mount SRC on DEST". */
int mount_apply(struct mount_ctx *ctx, const struct rt_mount *m, struct err *err);

/* The steps after the initial mount(2) of a bind: remount with the flags (EPERM: retry with the
 * source's locked flags), propagation calls, recursive attributes. dest: for messages. */
int mount_apply_bind_flags(struct mount_ctx *ctx, const char *dest, const struct mount_plan *p,
                           struct err *err);
/* Propagation calls and recursive attributes on the mount now at dest. */
int mount_apply_propagation(struct mount_ctx *ctx, const char *dest, const struct mount_plan *p,
                            struct err *err);

int mount_apply_cgroup(struct mount_ctx *ctx, const struct rt_mount *m, const struct mount_plan *p,
                       struct err *err);

/* /dev: linux.devices + defaults, ptmx, symlinks (mount_dev.c). */
int mount_dev_setup(struct mount_ctx *ctx, const struct rt_spec *spec, struct err *err);

/* true unless a spec mount binds something onto /dev (then /dev is the caller's business). */
bool mount_needs_dev_setup(const struct rt_spec *spec);

/* ---- /proc/self/mountinfo (mount_info.c, pure) ---- */

struct mountinfo_line {
	char *root, *mountpoint, *fstype, *superopts; /* owned, unescaped */
};

/* Splits one line (without its newline): fields 4 and 5, then after " - ": fstype, source,
 * superopts. false (nothing allocated) for a line of another shape. */
bool mountinfo_parse_line(const char *line, size_t len, struct mountinfo_line *out);
void mountinfo_line_fini(struct mountinfo_line *l);

/* Mount points of the full (root "/") proc and sysfs mounts in mountinfo that are not the
 * rootfs or under it: what --no-pivot hides. *out: NULL-terminated, caller frees each. */
size_t mount_host_pseudofs(const char *mountinfo, const char *rootfs, char ***out);

/* ---- cgroup parsing (mount_cgroup.c, pure) ---- */

struct mount_cgroup_v1 {
	char *mountpoint;  /* owned: host mount point, e.g. /sys/fs/cgroup/cpu,cpuacct */
	char *root;        /* owned: mount root inside the hierarchy (mountinfo field 4) */
	char *controllers; /* owned: e.g. "cpu,cpuacct" or "name=systemd" */
	char *path;        /* owned: our cgroup in that hierarchy (/proc/self/cgroup) */
};

/* From /proc/self/mountinfo and /proc/self/cgroup text: every v1 hierarchy we are in. */
void mount_cgroup_v1_parse(const char *mountinfo, const char *self_cgroup,
                           struct mount_cgroup_v1 **out, size_t *n_out);
/* path relative to a mount's root (root "/" -> path itself), NULL if path is outside root. */
const char *mount_cgroup_rel(const char *root, const char *path);
void mount_cgroup_v1_free(struct mount_cgroup_v1 *v, size_t n);
/* The "0::/path" line of /proc/self/cgroup (owned copy), NULL if none. */
char *mount_cgroup_v2_path(const char *self_cgroup);

#endif
