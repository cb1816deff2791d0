/* mount_dev: device nodes, /dev/ptmx and the /dev symlinks of a container whose /dev is not a
 * bind mount. In a user namespace (or where mknod gets EPERM) nodes are bind-mounted from the
 * host's same path onto empty files. */
#include "mount_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/xalloc.h"
#include "spec.h"

/* Created in every container unless linux.devices names the same path (runc's list). */
static const struct rt_device mount_default_devs[] = {
    {.type = 'c', .path = "/dev/null", .major = 1, .minor = 3},
    {.type = 'c', .path = "/dev/zero", .major = 1, .minor = 5},
    {.type = 'c', .path = "/dev/full", .major = 1, .minor = 7},
    {.type = 'c', .path = "/dev/random", .major = 1, .minor = 8},
    {.type = 'c', .path = "/dev/urandom", .major = 1, .minor = 9},
    {.type = 'c', .path = "/dev/tty", .major = 5, .minor = 0},
};

bool
mount_needs_dev_setup(const struct rt_spec *spec)
{
	for (size_t i = 0; i < spec->n_mounts; i++) {
		const struct rt_mount *m = &spec->mounts[i];
		cleanup_free char *dest = mount_clean_path(m->destination ? m->destination : "");
		bool bind = m->type && strcmp(m->type, "bind") == 0;

		for (char **o = m->options; !bind && o && *o; o++)
			bind = strcmp(*o, "bind") == 0 || strcmp(*o, "rbind") == 0;
		if (bind && strcmp(dest, "/dev") == 0)
			return false;
	}
	return true;
}

static int
mount_dev_bind(struct mount_ctx *ctx, const struct rt_device *d, struct err *err)
{
	cleanup_close int fd = -1;
	struct mount_fdpath fp = {0};

	if (mount_resolve(ctx->rootfd, d->path, ctx->env->resolve, MOUNT_CREATE_FILE, &fd, err) < 0)
		return -1;
	if (mount(d->path, mount_fdpath(fd, &fp), NULL, MS_BIND, NULL) < 0)
		return err_sys(err, "bind %s from the host", d->path);
	return 0;
}

static int
mount_dev_mode(const struct rt_device *d, mode_t *out, struct err *err)
{
	switch (d->type) {
	case 'c':
	case 'u':
		*out = S_IFCHR;
		break;
	case 'b':
		*out = S_IFBLK;
		break;
	case 'p':
		*out = S_IFIFO;
		break;
	default:
		return err_set(err, EINVAL, "%s: unknown device type '%c'", d->path, d->type);
	}
	return 0;
}

/* Parent directory fd and base name of a device path, parents created inside the rootfs. */
static int
mount_dev_parent(struct mount_ctx *ctx, const char *path, int *dirfd, char **base, struct err *err)
{
	cleanup_free char *clean = mount_clean_path(path);
	char *slash = strrchr(clean, '/');

	if (strcmp(clean, "/") == 0 || strcmp(slash + 1, "..") == 0)
		return err_set(err, EINVAL, "%s: not a device path", path);
	*base = xstrdup(slash + 1);
	*slash = '\0';
	if (mount_resolve(ctx->rootfd, *clean ? clean : "/", ctx->env->resolve, MOUNT_CREATE_DIR,
	                  dirfd, err) < 0) {
		free(*base);
		*base = NULL;
		return -1;
	}
	return 0;
}

static int
mount_dev_create(struct mount_ctx *ctx, const struct rt_device *d, struct err *err)
{
	cleanup_close int dirfd = -1;
	cleanup_free char *base = NULL;
	mode_t type = 0, mode = d->has_file_mode ? d->file_mode & 07777 : 0666;

	if (mount_dev_mode(d, &type, err) < 0)
		return -1;
	if (d->major < 0 || d->minor < 0 || d->major > 0xfff || d->minor > 0xfffff)
		return err_set(err, EINVAL, "%s: bad device number %lld:%lld", d->path,
		               (long long)d->major, (long long)d->minor);
	if (ctx->env->userns)
		return mount_dev_bind(ctx, d, err);
	if (mount_dev_parent(ctx, d->path, &dirfd, &base, err) < 0 || !base)
		return -1;
	if (mknodat(dirfd, base, type | mode, makedev((unsigned)d->major, (unsigned)d->minor)) <
	    0) {
		if (errno == EEXIST)
			return 0; /* the image has it: keep it (runc) */
		if (errno == EPERM)
			return mount_dev_bind(ctx, d, err);
		return err_sys(err, "mknod %s", d->path);
	}
	/* mknod applied our umask */
	if (fchmodat(dirfd, base, mode, 0) < 0)
		return err_sys(err, "chmod %s", d->path);
	if (fchownat(dirfd, base, d->has_uid ? d->uid : 0, d->has_gid ? d->gid : 0,
	             AT_SYMLINK_NOFOLLOW) < 0)
		return err_sys(err, "chown %s", d->path);
	return 0;
}

static bool
mount_dev_listed(const struct rt_spec *spec, const char *path)
{
	for (size_t i = 0; i < spec->linux.n_devices; i++) {
		cleanup_free char *p = mount_clean_path(spec->linux.devices[i].path);

		if (strcmp(p, path) == 0)
			return true;
	}
	return false;
}

static int
mount_dev_symlinks(struct mount_ctx *ctx, struct err *err)
{
	static const char *const links[][2] = {
	    {"/proc/self/fd", "fd"},       {"/proc/self/fd/0", "stdin"},
	    {"/proc/self/fd/1", "stdout"}, {"/proc/self/fd/2", "stderr"},
	    {"/proc/kcore", "core"},
	};
	cleanup_close int devfd = -1;

	if (mount_resolve(ctx->rootfd, "/dev", ctx->env->resolve, MOUNT_CREATE_DIR, &devfd, err) <
	    0)
		return -1;
	/* /dev/ptmx must be the container's devpts one: pts/ptmx */
	if (unlinkat(devfd, "ptmx", 0) < 0 && errno != ENOENT)
		return err_sys(err, "remove /dev/ptmx");
	if (symlinkat("pts/ptmx", devfd, "ptmx") < 0)
		return err_sys(err, "symlink /dev/ptmx");
	for (size_t i = 0; i < ARRAY_SIZE(links); i++) {
		/* kcore exists only with CONFIG_PROC_KCORE: judged on the host's /proc */
		if (strcmp(links[i][1], "core") == 0 && access("/proc/kcore", F_OK) < 0)
			continue;
		if (symlinkat(links[i][0], devfd, links[i][1]) < 0 && errno != EEXIST)
			return err_sys(err, "symlink /dev/%s", links[i][1]);
	}
	return 0;
}

int
mount_dev_setup(struct mount_ctx *ctx, const struct rt_spec *spec, struct err *err)
{
	mode_t old = umask(0);
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < spec->linux.n_devices; i++)
		rc = mount_dev_create(ctx, &spec->linux.devices[i], err);
	for (size_t i = 0; rc == 0 && i < ARRAY_SIZE(mount_default_devs); i++)
		if (!mount_dev_listed(spec, mount_default_devs[i].path))
			rc = mount_dev_create(ctx, &mount_default_devs[i], err);
	umask(old);
	if (rc < 0)
		return -1;
	return mount_dev_symlinks(ctx, err);
}
