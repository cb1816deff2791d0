#include "address.h"

#include <errno.h>
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

	sha256_hex(in, strlen(in), hex);
	return xasprintf("unix://%s/%s", dir ? dir : SHIM_SOCKET_DIR, hex);
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
		return err_set(err, ENAMETOOLONG, "socket path %s is too long", path);
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
