#include "fdutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "xalloc.h"

int
write_all(int fd, const void *buf, size_t len, struct err *err)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return err_sys(err, "write");
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int
read_all(int fd, char **out, size_t *len, struct err *err)
{
	size_t cap = 4096, n = 0;
	char *buf = xmalloc(cap);

	for (;;) {
		ssize_t r;
		if (cap - n < 1024) {
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		r = read(fd, buf + n, cap - n - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			free(buf);
			return err_sys(err, "read");
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	*out = buf;
	if (len)
		*len = n;
	return 0;
}

int
read_file_at(int dirfd, const char *path, char **out, size_t *len, struct err *err)
{
	cleanup_close int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return err_sys(err, "open %s", path);
	if (read_all(fd, out, len, err) < 0)
		return err_wrap(err, "%s", path);
	return 0;
}

int
write_file_at(int dirfd, const char *path, const char *data, size_t len, struct err *err)
{
	cleanup_close int fd = openat(dirfd, path, O_WRONLY | O_TRUNC | O_CLOEXEC);

	if (fd < 0)
		return err_sys(err, "open %s", path);
	for (;;) {
		ssize_t n = write(fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return err_sys(err, "write %s", path);
		if ((size_t)n != len)
			return err_set(err, EIO, "write %s: short write", path);
		return 0;
	}
}

int
write_file_atomic_at(int dirfd, const char *path, const char *data, size_t len, mode_t mode,
		     struct err *err)
{
	cleanup_free char *tmp = xasprintf("%s.tmp", path);
	cleanup_close int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

	if (fd < 0)
		return err_sys(err, "open %s", tmp);
	if (write_all(fd, data, len, err) < 0) {
		unlinkat(dirfd, tmp, 0);
		return err_wrap(err, "%s", tmp);
	}
	if (renameat(dirfd, tmp, dirfd, path) < 0) {
		err_sys(err, "rename %s", tmp);
		unlinkat(dirfd, tmp, 0);
		return -1;
	}
	return 0;
}

int
fd_set_cloexec(int fd, bool on)
{
	int fl = fcntl(fd, F_GETFD);
	if (fl < 0)
		return -1;
	fl = on ? (fl | FD_CLOEXEC) : (fl & ~FD_CLOEXEC);
	return fcntl(fd, F_SETFD, fl);
}

int
fd_set_nonblock(int fd, bool on)
{
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0)
		return -1;
	fl = on ? (fl | O_NONBLOCK) : (fl & ~O_NONBLOCK);
	return fcntl(fd, F_SETFL, fl);
}

#define FD_MAX_PASS 16

int
fd_send(int sock, const void *data, size_t len, const int *fds, size_t n_fds, struct err *err)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * FD_MAX_PASS)];
		struct cmsghdr align;
	} u;
	struct iovec iov = {.iov_base = (void *)data, .iov_len = len};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};

	if (n_fds > FD_MAX_PASS)
		return err_set(err, EINVAL, "too many fds to pass");
	if (n_fds > 0) {
		struct cmsghdr *c;
		memset(&u, 0, sizeof(u));
		msg.msg_control = u.buf;
		msg.msg_controllen = CMSG_SPACE(sizeof(int) * n_fds);
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * n_fds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * n_fds);
	}
	for (;;) {
		ssize_t n = sendmsg(sock, &msg, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return err_sys(err, "sendmsg");
		return 0;
	}
}

ssize_t
fd_recv(int sock, void *data, size_t len, int *fds, size_t *n_fds, struct err *err)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * FD_MAX_PASS)];
		struct cmsghdr align;
	} u;
	struct iovec iov = {.iov_base = data, .iov_len = len};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
	size_t want = n_fds ? *n_fds : 0;
	ssize_t n;

	msg.msg_control = u.buf;
	msg.msg_controllen = sizeof(u.buf);
	if (n_fds)
		*n_fds = 0;
	do
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return err_sys(err, "recvmsg");
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		size_t cnt;
		int tmp[FD_MAX_PASS];
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		cnt = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		if (cnt > FD_MAX_PASS)
			cnt = FD_MAX_PASS;
		memcpy(tmp, CMSG_DATA(c), cnt * sizeof(int));
		for (size_t i = 0; i < cnt; i++) {
			if (n_fds && *n_fds < want)
				fds[(*n_fds)++] = tmp[i];
			else
				close(tmp[i]);
		}
	}
	return n;
}

int
mkdir_p(const char *path, mode_t mode, struct err *err)
{
	char buf[PATH_MAX];
	size_t len = strlen(path);

	if (len == 0 || len >= sizeof(buf))
		return err_set(err, ENAMETOOLONG, "mkdir %s: bad path length", path);
	memcpy(buf, path, len + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, mode) < 0 && errno != EEXIST)
			return err_sys(err, "mkdir %s", buf);
		*p = '/';
	}
	if (mkdir(buf, mode) < 0 && errno != EEXIST)
		return err_sys(err, "mkdir %s", buf);
	return 0;
}

static int
rm_rf_at(int dfd, const char *name, dev_t dev, struct err *err)
{
	struct stat st;
	cleanup_dir DIR *d = NULL;
	int fd;
	struct dirent *de;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : err_sys(err, "stat %s", name);
	if (!S_ISDIR(st.st_mode)) {
		if (unlinkat(dfd, name, 0) < 0 && errno != ENOENT)
			return err_sys(err, "unlink %s", name);
		return 0;
	}
	if (st.st_dev != dev)
		return err_set(err, EBUSY, "rm %s: a mount is in the way", name);
	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return err_sys(err, "open %s", name);
	d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return err_sys(err, "opendir %s", name);
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (rm_rf_at(dirfd(d), de->d_name, dev, err) < 0)
			return -1;
	}
	if (unlinkat(dfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return err_sys(err, "rmdir %s", name);
	return 0;
}

int
rm_rf(const char *path, struct err *err)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : err_sys(err, "stat %s", path);
	return rm_rf_at(AT_FDCWD, path, st.st_dev, err);
}
