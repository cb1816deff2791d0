#include "address.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/fdutil.h"
#include "base/xalloc.h"
#include "sha256.h"

/* Hashed with the rest so our sockets never collide with containerd-shim-runc-v2's. */
#define ADDRESS_SALT "containerd-shim-husk-v2"

char *
address_for(const char *dir, const char *containerd_address, const char *ns, const char *group)
{
	cleanup_free char *in =
	    xasprintf("%s/%s/%s\n%s", containerd_address, ns, group, ADDRESS_SALT);
	char hex[2 * SHA256_LEN + 1];
	size_t n;

	sha256_hex(in, strlen(in), hex);
	dir = dir ? dir : SHIM_SOCKET_DIR;
	n = strlen(dir);
	return xasprintf("unix://%s%s%s", dir, n && dir[n - 1] == '/' ? "" : "/", hex);
}

const char *
address_path(const char *address)
{
	if (!address || strncmp(address, "unix://", 7) != 0)
		return NULL;
	return address + 7;
}

static int
address_sockaddr(const char *path, struct sockaddr_un *sa, struct err *err)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(path) > SHIM_SOCKET_LIMIT || strlen(path) >= sizeof(sa->sun_path))
		return err_set(err, ENAMETOOLONG,
		               "socket path %s is too long (%zu bytes, at most %d): its directory "
		               "(containerd's socket_dir) must be shorter",
		               path, strlen(path), SHIM_SOCKET_LIMIT);
	strcpy(sa->sun_path, path);
	return 0;
}

bool
address_alive(const char *path)
{
	struct sockaddr_un sa;
	struct err err = {0};
	int fd, r;

	if (address_sockaddr(path, &sa, &err) < 0)
		return false;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	r = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	close(fd);
	return r == 0;
}

int
address_listen(const char *path, bool *in_use, struct err *err)
{
	cleanup_free char *dir = xstrdup(path);
	cleanup_close int fd = -1;
	struct sockaddr_un sa;
	char *slash = strrchr(dir, '/');

	*in_use = false;
	if (address_sockaddr(path, &sa, err) < 0)
		return -1;
	if (slash && slash != dir) {
		*slash = '\0';
		if (mkdir_p(dir, 0700, err) < 0)
			return -1;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return err_sys(err, "socket");
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		if (errno != EADDRINUSE)
			return err_sys(err, "bind %s", path);
		if (address_alive(path)) {
			*in_use = true;
			return err_set(err, EADDRINUSE, "%s: a shim is already listening", path);
		}
		unlink(path);
		if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
			return err_sys(err, "bind %s", path);
	}
	if (chmod(path, 0600) < 0 || listen(fd, 128) < 0) {
		err_sys(err, "listen on %s", path);
		unlink(path);
		return -1;
	}
	return take_fd(&fd);
}

char *
address_clean_dir(const char *dir, struct err *err)
{
	cleanup_free char *d = NULL;
	size_t n;

	if (!dir || dir[0] != '/') {
		err_set(err, EINVAL, "socket dir \"%s\" is not an absolute path", dir ? dir : "");
		return NULL;
	}
	d = xstrdup(dir);
	n = strlen(d);
	while (n > 1 && d[n - 1] == '/')
		d[--n] = '\0';
	/* no trailing '/' is left (but for "/"): each '/' starts a component */
	for (const char *c = d; n > 1 && *c == '/'; c += strcspn(c, "/")) {
		size_t len = strcspn(++c, "/");

		if (len == 0 || (len == 1 && c[0] == '.') ||
		    (len == 2 && c[0] == '.' && c[1] == '.')) {
			err_set(err, EINVAL,
			        "socket dir %s has an empty, \".\" or \"..\" component", dir);
			return NULL;
		}
	}
	return take_ptr(d);
}

bool
address_is_ours(const char *address, const char *containerd_address, const char *ns,
                const char *group)
{
	const char *path = address_path(address), *slash;
	cleanup_free char *dir = NULL, *clean = NULL, *want = NULL;
	struct err err = {0};

	if (!path || !containerd_address || !ns || !group || !(slash = strrchr(path, '/')))
		return false;
	dir = slash == path ? xstrdup("/") : xstrndup(path, (size_t)(slash - path));
	clean = address_clean_dir(dir, &err);
	if (!clean || strcmp(clean, dir) != 0)
		return false;
	want = address_for(dir, containerd_address, ns, group);
	return strcmp(want, address) == 0;
}

int
address_remove_stale(const char *path, struct err *err)
{
	const char *slash = path ? strrchr(path, '/') : NULL;
	cleanup_free char *dir = NULL;
	cleanup_close int dfd = -1;
	struct stat st;

	if (!slash || !slash[1])
		return err_set(err, EINVAL, "socket path %s has no file name", path ? path : "");
	dir = slash == path ? xstrdup("/") : xstrndup(path, (size_t)(slash - path));
	dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return errno == ENOENT ? 0 : err_sys(err, "open %s", dir);
	if (fstatat(dfd, slash + 1, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : err_sys(err, "stat %s", path);
	if (!S_ISSOCK(st.st_mode))
		return err_set(err, EINVAL, "%s is not a socket: left alone", path);
	if (address_alive(path))
		return 0;
	if (unlinkat(dfd, slash + 1, 0) < 0)
		return errno == ENOENT ? 0 : err_sys(err, "remove %s", path);
	return 1;
}
