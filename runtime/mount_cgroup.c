/* mount_cgroup: the "cgroup" spec mount. cgroup v2 host: a cgroup2 mount in a cgroup namespace,
 * else a bind of our own cgroup directory. v1 host: a tmpfs with one entry per hierarchy we
 * are in (a cgroup v1 mount in a cgroup namespace, else a bind of our cgroup directory there),
 * plus symlinks for combined controllers (cpu -> cpu,cpuacct). Paths come from
 * /proc/self/mountinfo and /proc/self/cgroup, read before pivot_root. */
#include "mount_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/fdutil.h"
#include "base/xalloc.h"
#include "spec.h"

/* true if every comma-separated item of want is an item of list */
static bool
mount_opts_contain_all(const char *list, const char *want)
{
	for (const char *w = want; *w;) {
		const char *we = strchrnul(w, ',');
		bool found = false;

		for (const char *l = list; *l && !found;) {
			const char *le = strchrnul(l, ',');

			found = le - l == we - w && strncmp(l, w, (size_t)(le - l)) == 0;
			l = *le ? le + 1 : le;
		}
		if (!found)
			return false;
		w = *we ? we + 1 : we;
	}
	return true;
}

/* For the /proc/self/cgroup line ctrl:path, the matching v1 mount, if any. */
static int
mount_cgroup_v1_match(const char *mountinfo, const char *ctrl, const char *path,
                      struct mount_cgroup_v1 *out)
{
	for (const char *s = mountinfo; *s;) {
		const char *e = strchrnul(s, '\n');
		struct mountinfo_line l;

		if (mountinfo_parse_line(s, (size_t)(e - s), &l) &&
		    strcmp(l.fstype, "cgroup") == 0 && mount_opts_contain_all(l.superopts, ctrl)) {
			out->mountpoint = take_ptr(l.mountpoint);
			out->root = take_ptr(l.root);
			out->controllers = xstrdup(ctrl);
			out->path = xstrdup(path);
			mountinfo_line_fini(&l);
			return 1;
		}
		mountinfo_line_fini(&l);
		s = *e ? e + 1 : e;
	}
	return 0;
}

const char *
mount_cgroup_rel(const char *root, const char *path)
{
	size_t rn = strcmp(root, "/") == 0 ? 0 : strlen(root);

	if (strncmp(path, root, rn) != 0 || (path[rn] != '/' && path[rn] != '\0'))
		return NULL;
	return path + rn;
}

void
mount_cgroup_v1_parse(const char *mountinfo, const char *self_cgroup, struct mount_cgroup_v1 **out,
                      size_t *n_out)
{
	struct mount_cgroup_v1 *v = NULL;
	size_t n = 0;

	for (const char *s = self_cgroup; *s;) {
		const char *e = strchrnul(s, '\n');
		const char *c1 = memchr(s, ':', (size_t)(e - s));
		const char *c2 = c1 ? memchr(c1 + 1, ':', (size_t)(e - c1 - 1)) : NULL;

		if (c2 && c2 > c1 + 1) {
			cleanup_free char *ctrl = xstrndup(c1 + 1, (size_t)(c2 - c1 - 1));
			cleanup_free char *path = xstrndup(c2 + 1, (size_t)(e - c2 - 1));

			v = xreallocarray(v, n + 1, sizeof(*v));
			memset(&v[n], 0, sizeof(v[n]));
			n += (size_t)mount_cgroup_v1_match(mountinfo, ctrl, path, &v[n]);
		}
		s = *e ? e + 1 : e;
	}
	*out = v;
	*n_out = n;
}

void
mount_cgroup_v1_free(struct mount_cgroup_v1 *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].mountpoint);
		free(v[i].root);
		free(v[i].controllers);
		free(v[i].path);
	}
	free(v);
}

char *
mount_cgroup_v2_path(const char *self_cgroup)
{
	for (const char *s = self_cgroup; *s;) {
		const char *e = strchrnul(s, '\n');

		if (strncmp(s, "0::", 3) == 0)
			return xstrndup(s + 3, (size_t)(e - s - 3));
		s = *e ? e + 1 : e;
	}
	return NULL;
}

/* The cgroup2 mount point and root (for the bind source) from mountinfo. */
static int
mount_cgroup_v2_mount(const char *mountinfo, char **mountpoint, char **root, struct err *err)
{
	for (const char *s = mountinfo; *s;) {
		const char *e = strchrnul(s, '\n');
		struct mountinfo_line l;

		if (mountinfo_parse_line(s, (size_t)(e - s), &l) &&
		    strcmp(l.fstype, "cgroup2") == 0) {
			*mountpoint = take_ptr(l.mountpoint);
			*root = take_ptr(l.root);
			mountinfo_line_fini(&l);
			return 0;
		}
		mountinfo_line_fini(&l);
		s = *e ? e + 1 : e;
	}
	return err_set(err, ENOENT, "no cgroup2 mount in /proc/self/mountinfo");
}

static int
mount_read_text(const char *override, const char *path, char **out, struct err *err)
{
	size_t len;

	if (override) {
		*out = xstrdup(override);
		return 0;
	}
	return read_file_at(AT_FDCWD, path, out, &len, err);
}

/* Binds host directory src onto sub (a path inside the rootfs), then applies the plan's
 * flags with a remount (ro, nosuid, ...). */
static int
mount_cgroup_bind(struct mount_ctx *ctx, const char *src, const char *sub,
                  const struct mount_plan *p, struct err *err)
{
	cleanup_close int fd = -1;
	struct mount_fdpath fp = {0};
	struct mount_plan bind = *p;

	if (mount_resolve(ctx->rootfd, sub, ctx->env->resolve, MOUNT_CREATE_DIR, &fd, err) < 0)
		return -1;
	if (mount(src, mount_fdpath(fd, &fp), NULL, MS_BIND | MS_REC, NULL) < 0)
		return err_sys(err, "bind %s", src);
	bind.flags |= MS_BIND | MS_REC;
	bind.needs_remount = (bind.flags & ~(unsigned long)(MS_BIND | MS_REC)) || bind.clear;
	return mount_apply_bind_flags(ctx, sub, &bind, err);
}

static int
mount_cgroup_fs(struct mount_ctx *ctx, const char *sub, const char *type, const char *data,
                const struct mount_plan *p, struct err *err)
{
	cleanup_close int fd = -1;
	struct mount_fdpath fp = {0};

	if (mount_resolve(ctx->rootfd, sub, ctx->env->resolve, MOUNT_CREATE_DIR, &fd, err) < 0)
		return -1;
	if (mount(type, mount_fdpath(fd, &fp), type, p->flags & ~(unsigned long)MS_REC, data) < 0)
		return err_sys(err, "mount %s", type);
	return mount_apply_propagation(ctx, sub, p, err);
}

static int
mount_cgroup_v2(struct mount_ctx *ctx, const struct rt_mount *m, const struct mount_plan *p,
                const char *mountinfo, const char *self_cgroup, struct err *err)
{
	cleanup_free char *path = mount_cgroup_v2_path(self_cgroup);
	cleanup_free char *mnt = NULL, *root = NULL, *src = NULL;
	const char *rel;

	if (ctx->env->cgroupns) {
		struct err first = {0};

		if (mount_cgroup_fs(ctx, m->destination, "cgroup2", NULL, p, &first) == 0)
			return 0;
		/* EPERM/EBUSY: e.g. a user namespace that does not own the cgroupns: bind */
		if (first.code != EPERM && first.code != EBUSY) {
			*err = first;
			return -1;
		}
	}
	if (!path)
		return err_set(err, ENOENT, "no cgroup v2 entry in /proc/self/cgroup");
	if (mount_cgroup_v2_mount(mountinfo, &mnt, &root, err) < 0 || !mnt || !root)
		return -1;
	rel = mount_cgroup_rel(root, path);
	if (!rel)
		return err_set(err, EXDEV, "our cgroup %s is outside the cgroup2 mount root %s",
		               path, root);
	src = xasprintf("%s%s", mnt, rel);
	return mount_cgroup_bind(ctx, src, m->destination, p, err);
}

static int
mount_cgroup_v1_links(struct mount_ctx *ctx, const char *dest, const char *name, struct err *err)
{
	cleanup_close int fd = -1;

	if (!strchr(name, ','))
		return 0;
	if (mount_resolve(ctx->rootfd, dest, ctx->env->resolve, MOUNT_CREATE_NONE, &fd, err) < 0)
		return -1;
	for (const char *s = name; *s;) {
		const char *e = strchrnul(s, ',');
		cleanup_free char *part = xstrndup(s, (size_t)(e - s));

		if (symlinkat(name, fd, part) < 0 && errno != EEXIST)
			return err_sys(err, "symlink %s/%s", dest, part);
		s = *e ? e + 1 : e;
	}
	return 0;
}

static int
mount_cgroup_v1(struct mount_ctx *ctx, const struct rt_mount *m, const struct mount_plan *p,
                const char *mountinfo, const char *self_cgroup, struct err *err)
{
	struct mount_cgroup_v1 *v = NULL;
	size_t n = 0;
	int rc = 0;
	struct mount_plan tmpfs = {.flags = MS_NOSUID | MS_NODEV | MS_NOEXEC};

	mount_cgroup_v1_parse(mountinfo, self_cgroup, &v, &n);
	rc = mount_cgroup_fs(ctx, m->destination, "tmpfs", "mode=755", &tmpfs, err);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		const char *name = strrchr(v[i].mountpoint, '/') + 1;
		cleanup_free char *sub = xasprintf("%s/%s", m->destination, name);
		/* in a cgroup namespace mountinfo roots are relative to ours ("/.."): no bind */
		const char *rel = mount_cgroup_rel(v[i].root, v[i].path);

		if (ctx->env->cgroupns) {
			rc = mount_cgroup_fs(ctx, sub, "cgroup", v[i].controllers, p, err);
		} else if (!rel) {
			rc = err_set(err, EXDEV,
			             "cgroup %s: our cgroup %s is outside the mount root %s",
			             v[i].controllers, v[i].path, v[i].root);
		} else {
			cleanup_free char *src = xasprintf("%s%s", v[i].mountpoint, rel);

			rc = mount_cgroup_bind(ctx, src, sub, p, err);
		}
		if (rc == 0)
			rc = mount_cgroup_v1_links(ctx, m->destination, name, err);
	}
	mount_cgroup_v1_free(v, n);
	if (rc == 0 && (p->flags & MS_RDONLY)) {
		/* the tmpfs itself read-only last, once the entries exist */
		tmpfs.flags |= MS_RDONLY | MS_BIND;
		tmpfs.needs_remount = true;
		rc = mount_apply_bind_flags(ctx, m->destination, &tmpfs, err);
	}
	return rc;
}

int
mount_apply_cgroup(struct mount_ctx *ctx, const struct rt_mount *m, const struct mount_plan *p,
                   struct err *err)
{
	cleanup_free char *mountinfo = NULL, *self_cgroup = NULL;
	struct statfs sfs;
	bool v2;

	if (mount_read_text(ctx->proc_self_mountinfo, "/proc/self/mountinfo", &mountinfo, err) <
	        0 ||
	    mount_read_text(ctx->proc_self_cgroup, "/proc/self/cgroup", &self_cgroup, err) < 0)
		return -1;
	if (statfs("/sys/fs/cgroup", &sfs) < 0)
		return err_sys(err, "statfs /sys/fs/cgroup");
	v2 = sfs.f_type == CGROUP2_SUPER_MAGIC || (m->type && strcmp(m->type, "cgroup2") == 0);
	if (v2)
		return mount_cgroup_v2(ctx, m, p, mountinfo, self_cgroup, err);
	return mount_cgroup_v1(ctx, m, p, mountinfo, self_cgroup, err);
}
