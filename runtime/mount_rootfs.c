/* mount_rootfs: before pivot_root: the rootfs becomes a private-ish mount point and every spec
 * mount is applied in order onto a target resolved inside it. */
#include "mount.h"
#include "mount_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/sys.h"
#include "base/xalloc.h"
#include "spec.h"

/* errno alone: the caller's "mount SRC on DEST" says the rest */
static int
mount_errno(struct err *err)
{
	return err_set(err, errno, "%s", strerror(errno));
}

void
mount_env_from_spec(const struct rt_spec *spec, struct mount_env *env)
{
	const struct rt_namespace *ns = spec->linux.ns;

	memset(env, 0, sizeof(*env));
	env->userns = spec->has_linux && ns[RT_NS_USER].present;
	env->new_netns = !env->userns || (ns[RT_NS_NET].present && !ns[RT_NS_NET].path);
	env->cgroupns = spec->has_linux && ns[RT_NS_CGROUP].present;
	env->resolve = MOUNT_RESOLVE_AUTO;
}

/* Opens dest inside the rootfs (creating it as asked) and refuses targets in /proc that are
 * not allowed, judged on the path it really resolved to. */
static int
mount_target_open(struct mount_ctx *ctx, const char *dest, const char *type,
                  enum mount_create create, int *out, struct err *err)
{
	cleanup_close int fd = -1;
	struct mount_fdpath fp = {0};
	char real[PATH_MAX];
	size_t n = strcmp(ctx->rootfs, "/") == 0 ? 0 : strlen(ctx->rootfs);
	ssize_t len;
	const char *inside;

	if (mount_resolve(ctx->rootfd, dest, ctx->env->resolve, create, &fd, err) < 0)
		return -1;
	len = readlink(mount_fdpath(fd, &fp), real, sizeof(real) - 1);
	if (len < 0)
		return err_sys(err, "readlink %s", fp.s);
	real[len] = '\0';
	if (strncmp(real, ctx->rootfs, n) != 0 || (real[n] != '/' && real[n] != '\0'))
		return err_set(err, EXDEV, "%s resolved to %s, outside the rootfs", dest, real);
	inside = real[n] ? real + n : "/";
	if (!mount_dest_allowed(inside, type))
		return err_set(err, EPERM, "%s (%s) may not be mounted over", dest, inside);
	*out = take_fd(&fd);
	return 0;
}

int
mount_apply_propagation(struct mount_ctx *ctx, const char *dest, const struct mount_plan *p,
                        struct err *err)
{
	cleanup_close int fd = -1;
	struct mount_fdpath fp = {0};

	if (p->n_propagation == 0 && p->attr_set == 0 && p->attr_clr == 0)
		return 0;
	if (mount_resolve(ctx->rootfd, dest, ctx->env->resolve, MOUNT_CREATE_NONE, &fd, err) < 0)
		return -1;
	for (size_t i = 0; i < p->n_propagation; i++)
		if (mount(NULL, mount_fdpath(fd, &fp), NULL, p->propagation[i], NULL) < 0)
			return err_sys(err, "set propagation");
	if (p->attr_set || p->attr_clr) {
		struct mount_attr attr = {.attr_set = p->attr_set, .attr_clr = p->attr_clr};

		if (sys_mount_setattr(fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) <
		    0)
			return err_sys(err, "mount_setattr");
	}
	return 0;
}

int
mount_apply_bind_flags(struct mount_ctx *ctx, const char *dest, const struct mount_plan *p,
                       struct err *err)
{
	cleanup_close int fd = -1;
	struct mount_fdpath fp = {0};
	struct statvfs st;
	unsigned long flags;

	if (p->needs_remount) {
		/* the target now resolves to the new mount's root */
		if (mount_resolve(ctx->rootfd, dest, ctx->env->resolve, MOUNT_CREATE_NONE, &fd,
		                  err) < 0)
			return -1;
		if (statvfs(mount_fdpath(fd, &fp), &st) < 0)
			return err_sys(err, "statvfs");
		flags = mount_bind_remount_flags(p->flags, p->clear,
		                                 mount_flags_from_statvfs(st.f_flag));
		if (mount(NULL, fp.s, NULL, flags, NULL) < 0)
			return err_sys(err, "remount");
	}
	return mount_apply_propagation(ctx, dest, p, err);
}

static int
mount_apply_bind(struct mount_ctx *ctx, const struct rt_mount *m, const struct mount_plan *p,
                 struct err *err)
{
	cleanup_close int fd = -1;
	cleanup_free char *rel = NULL;
	struct mount_fdpath fp = {0};
	const char *src = m->source;
	struct stat st;

	if (!src || !*src)
		return err_set(err, EINVAL, "bind mount without a source");
	if (src[0] != '/' && ctx->env->bundle)
		src = rel = xasprintf("%s/%s", ctx->env->bundle, src);
	if (p->idmap && ctx->idmap_fd < 0)
		return err_set(err, EINVAL, "the idmapped tree was not prepared");
	if (p->idmap ? fstat(ctx->idmap_fd, &st) < 0 : stat(src, &st) < 0)
		return mount_errno(err);
	if (mount_target_open(ctx, m->destination, NULL,
	                      S_ISDIR(st.st_mode) ? MOUNT_CREATE_DIR : MOUNT_CREATE_FILE, &fd,
	                      err) < 0)
		return -1;
	if (p->idmap) {
		/* the runtime made it (mount_idmap.c): attach it where the bind would go */
		if (sys_move_mount(ctx->idmap_fd, "", fd, "",
		                   MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
			return err_sys(err, "move the idmapped tree");
	} else if (mount(src, mount_fdpath(fd, &fp), NULL, MS_BIND | (p->flags & MS_REC), NULL) <
	           0) {
		return mount_errno(err);
	}
	return mount_apply_bind_flags(ctx, m->destination, p, err);
}

/* sysfs needs the network namespace to belong to our user namespace; otherwise show the
 * host's /sys, recursively bound (runc does the same). */
static int
mount_sysfs_fallback(struct mount_ctx *ctx, const struct rt_mount *m, const struct mount_plan *p,
                     int fd, struct err *err)
{
	struct mount_plan bind = *p;
	struct mount_fdpath fp = {0};

	if (mount("/sys", mount_fdpath(fd, &fp), NULL, MS_BIND | MS_REC, NULL) < 0)
		return err_sys(err, "bind /sys");
	bind.kind = MOUNT_KIND_BIND;
	bind.flags |= MS_BIND | MS_REC;
	bind.needs_remount = true;
	if (p->flags & MS_RDONLY) {
		/* sub-mounts of /sys (cgroup, debugfs, ...) must be read-only too */
		bind.attr_set |= MOUNT_ATTR_RDONLY;
		bind.attr_clr &= ~(uint64_t)MOUNT_ATTR_RDONLY;
	}
	return mount_apply_bind_flags(ctx, m->destination, &bind, err);
}

static bool
mount_is(const char *s, const char *want)
{
	return s && strcmp(s, want) == 0;
}

/* tmpfs without mode= takes the mode of the directory it covers (runc). */
static int
mount_tmpfs_keep_mode(struct mount_ctx *ctx, const char *dest, mode_t mode, struct err *err)
{
	cleanup_close int fd = -1;
	struct mount_fdpath fp = {0};

	if (mount_resolve(ctx->rootfd, dest, ctx->env->resolve, MOUNT_CREATE_NONE, &fd, err) < 0)
		return -1;
	if (chmod(mount_fdpath(fd, &fp), mode & 07777) < 0)
		return err_sys(err, "chmod");
	return 0;
}

static int
mount_apply_fs(struct mount_ctx *ctx, const struct rt_mount *m, const struct mount_plan *p,
               struct err *err)
{
	cleanup_close int fd = -1;
	cleanup_free char *clean = mount_clean_path(m->destination);
	unsigned long flags = p->flags;
	struct mount_fdpath fp = {0};
	const char *src = m->source && *m->source ? m->source : m->type ? m->type : "none";
	bool is_tmpfs = mount_is(m->type, "tmpfs");
	bool is_sysfs = mount_is(m->type, "sysfs");
	bool keep_mode =
	    is_tmpfs &&
	    !(p->data && (strncmp(p->data, "mode=", 5) == 0 || strstr(p->data, ",mode=")));
	struct stat st = {0};

	/* /dev stays writable until the devices exist: mount_rootfs_finish makes it ro */
	if (strcmp(clean, "/dev") == 0)
		flags &= ~(unsigned long)MS_RDONLY;
	if (mount_target_open(ctx, m->destination, m->type, MOUNT_CREATE_DIR, &fd, err) < 0)
		return -1;
	if (keep_mode && fstat(fd, &st) < 0)
		return err_sys(err, "stat target");
	if (is_sysfs && ctx->env->userns && !ctx->env->new_netns)
		return mount_sysfs_fallback(ctx, m, p, fd, err);
	if (mount(src, mount_fdpath(fd, &fp), m->type, flags & ~(unsigned long)MS_REC, p->data) <
	    0) {
		if (is_sysfs && errno == EPERM && ctx->env->userns)
			return mount_sysfs_fallback(ctx, m, p, fd, err);
		return mount_errno(err);
	}
	if (keep_mode && mount_tmpfs_keep_mode(ctx, m->destination, st.st_mode, err) < 0)
		return -1;
	return mount_apply_propagation(ctx, m->destination, p, err);
}

int
mount_apply(struct mount_ctx *ctx, const struct rt_mount *m, struct err *err)
{
	struct mount_plan p;
	int rc;

	if (mount_plan_make(m, &p, err) < 0)
		return -1;
	switch (p.kind) {
	case MOUNT_KIND_BIND:
		rc = mount_apply_bind(ctx, m, &p, err);
		break;
	case MOUNT_KIND_CGROUP:
		rc = mount_apply_cgroup(ctx, m, &p, err);
		break;
	default:
		rc = mount_apply_fs(ctx, m, &p, err);
		break;
	}
	mount_plan_fini(&p);
	if (rc < 0)
		return err_wrap(err, "mount %s on %s",
		                m->source && *m->source ? m->source
		                : m->type               ? m->type
		                                        : "none",
		                m->destination);
	return 0;
}

/* Nothing we mount may propagate to the host: everything becomes a slave (or private) first;
 * then the rootfs is bound onto itself so that it is a mount point for pivot_root. */
static int
mount_prepare_root(const char *rootfs, unsigned long prop, struct err *err)
{
	unsigned long first = prop == (MS_PRIVATE | MS_REC) ? prop : MS_SLAVE | MS_REC;

	if (mount(NULL, "/", NULL, first, NULL) < 0)
		return err_sys(err, "make / %s", first & MS_PRIVATE ? "rprivate" : "rslave");
	if (mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
		return err_sys(err, "bind rootfs %s onto itself", rootfs);
	return 0;
}

int
mount_rootfs_prepare(const struct rt_spec *spec, const char *rootfs_abs,
                     const struct mount_env *env, struct err *err)
{
	cleanup_free char *rootfs = NULL;
	cleanup_close int rootfd = -1;
	struct mount_ctx ctx = {.env = env, .idmap_fd = -1};
	unsigned long prop;

	if (mount_propagation_flags(spec->linux.rootfs_propagation, &prop, err) < 0)
		return -1;
	rootfs = realpath(rootfs_abs, NULL);
	if (!rootfs)
		return err_sys(err, "rootfs %s", rootfs_abs);
	if (mount_prepare_root(rootfs, prop, err) < 0)
		return -1;
	rootfd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return err_sys(err, "open rootfs %s", rootfs);
	ctx.rootfs = rootfs;
	ctx.rootfd = rootfd;
	for (size_t i = 0; i < spec->n_mounts; i++) {
		ctx.idmap_fd = env->idmap_fds ? env->idmap_fds[i] : -1;
		if (mount_apply(&ctx, &spec->mounts[i], err) < 0)
			return -1;
	}
	if (mount_needs_dev_setup(spec) && mount_dev_setup(&ctx, spec, err) < 0)
		return err_wrap(err, "set up /dev");
	return 0;
}
