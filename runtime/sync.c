/* sync: fixed-size messages between the runtime and the container child on a SEQPACKET pair. */
#include "rt_internal.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/fdutil.h"

int
rt__sync_send(int sock, int type, pid_t pid, int fd, struct err *err)
{
	struct rt_sync_msg m;

	memset(&m, 0, sizeof(m));
	m.type = type;
	m.pid = pid;
	return fd_send(sock, &m, sizeof(m), fd >= 0 ? &fd : NULL, fd >= 0 ? 1 : 0, err);
}

int
rt__sync_recv(int sock, struct rt_sync_msg *m, int *fd, struct err *err)
{
	int fds[1] = {-1};
	size_t n_fds = fd ? 1 : 0;
	ssize_t n;

	if (fd)
		*fd = -1;
	n = fd_recv(sock, m, sizeof(*m), fds, &n_fds, err);
	if (n < 0)
		return -1;
	if (n == 0)
		return err_set(err, EPIPE, "container process exited during setup");
	if ((size_t)n != sizeof(*m)) {
		if (n_fds)
			close(fds[0]);
		return err_set(err, EPROTO, "short sync message");
	}
	if (m->type == RT_SYNC_ERR) {
		if (n_fds)
			close(fds[0]);
		m->err.msg[sizeof(m->err.msg) - 1] = '\0';
		*err = m->err;
		if (err->code == 0)
			err->code = EIO;
		return -1;
	}
	if (fd && n_fds)
		*fd = fds[0];
	return 0;
}

int
rt__sync_expect(int sock, int type, pid_t *pid, int *fd, struct err *err)
{
	struct rt_sync_msg m;

	if (rt__sync_recv(sock, &m, fd, err) < 0)
		return -1;
	if (m.type != type) {
		if (fd && *fd >= 0) {
			close(*fd);
			*fd = -1;
		}
		return err_set(err, EPROTO, "sync: expected message %d, got %d", type, m.type);
	}
	if (pid)
		*pid = m.pid;
	return 0;
}

void
rt__child_fail(int sock, const struct err *err)
{
	struct rt_sync_msg m;

	memset(&m, 0, sizeof(m));
	m.type = RT_SYNC_ERR;
	m.err = *err;
	if (m.err.code == 0)
		m.err.code = EIO;
	if (send(sock, &m, sizeof(m), MSG_NOSIGNAL) < 0) {
		/* the parent is gone: nobody to tell */
	}
	_exit(1);
}
