#include "cli_notify.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/fdutil.h"
#include "base/log.h"
#include "base/sys.h"
#include "base/xalloc.h"

#define NOTIFY_MSG_MAX 4096 /* runc reads datagrams into 4096 bytes */
#define NOTIFY_POLL_MS 100  /* without pidfds: how often the init is checked (as runc) */
#define NOTIFY_ENV "NOTIFY_SOCKET="

static int
notify_addr(const char *path, struct sockaddr_un *sa, socklen_t *len, struct err *err)
{
	size_t n = strlen(path);

	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (n == 0 || n >= sizeof(sa->sun_path))
		return err_set(err, EINVAL, "socket path \"%s\": %zu bytes, want 1 to %zu", path, n,
		               sizeof(sa->sun_path) - 1);
	memcpy(sa->sun_path, path, n);
	if (path[0] == '@') { /* abstract, as Go's net package and systemd read it */
		sa->sun_path[0] = '\0';
		*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	} else {
		*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
	}
	return 0;
}

int
cli_notify_open(struct cli_notify *n, const char *root, const char *id, struct err *err)
{
	const char *host = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa;

	*n = (struct cli_notify)CLI_NOTIFY_INIT;
	if (host == NULL || *host == '\0')
		return 0;
	n->host = xstrdup(host);
	n->sock_path = xasprintf("%s/%s/%s/%s", root, id, RT_NOTIFY_DIR, CLI_NOTIFY_SOCK);
	if (strlen(n->sock_path) >= sizeof(sa.sun_path))
		return err_set(err, ENAMETOOLONG,
		               "NOTIFY_SOCKET: the container's notify socket %s is too long for a "
		               "unix socket (%zu bytes, at most %zu): use a shorter --root",
		               n->sock_path, strlen(n->sock_path), sizeof(sa.sun_path) - 1);
	return 0;
}

static char **
notify_opts(void)
{
	static const char *const opts[] = {"bind", "nosuid", "noexec", "nodev", "ro"};
	size_t n = sizeof(opts) / sizeof(opts[0]);
	char **v = xcalloc(n + 1, sizeof(*v));

	for (size_t i = 0; i < n; i++)
		v[i] = xstrdup(opts[i]);
	return v;
}

void
cli_notify_setup_spec(const struct cli_notify *n, struct rt_spec *spec, struct rt_create_opts *o)
{
	char **env = spec->process->env;
	struct rt_mount *m;
	size_t k = 0;

	if (n->host == NULL)
		return;
	spec->mounts = xreallocarray(spec->mounts, spec->n_mounts + 1, sizeof(*spec->mounts));
	m = &spec->mounts[spec->n_mounts++];
	memset(m, 0, sizeof(*m));
	m->destination = xstrdup(CLI_NOTIFY_CTR_DIR);
	m->source = xstrndup(n->sock_path, strlen(n->sock_path) - strlen("/" CLI_NOTIFY_SOCK));
	m->options = notify_opts();
	/* runc appends and its init's setenv keeps the last: one entry, ours. */
	for (size_t i = 0; env && env[i]; i++) {
		if (strncmp(env[i], NOTIFY_ENV, strlen(NOTIFY_ENV)) == 0)
			free(env[i]);
		else
			env[k++] = env[i];
	}
	if (env)
		env[k] = NULL;
	env = xreallocarray(env, k + 2, sizeof(*env));
	env[k] = xstrdup(NOTIFY_ENV CLI_NOTIFY_CTR_DIR "/" CLI_NOTIFY_SOCK);
	env[k + 1] = NULL;
	spec->process->env = env;
	o->notify_dir = true;
}

int
cli_notify_bind(struct cli_notify *n, struct err *err)
{
	struct sockaddr_un sa;
	socklen_t len;

	if (n->host == NULL)
		return 0;
	if (notify_addr(n->sock_path, &sa, &len, err) < 0)
		return -1;
	n->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (n->fd < 0)
		return err_sys(err, "notify socket");
	if (bind(n->fd, (struct sockaddr *)&sa, len) < 0)
		return err_sys(err, "notify socket %s: bind", n->sock_path);
	n->bound = true;
	if (chmod(n->sock_path, 0777) < 0)
		return err_sys(err, "notify socket %s: chmod", n->sock_path);
	return 0;
}

/* The first line of buf (n bytes) that starts with READY=: *line and *len. runc means to look at
 * every line but tests the whole datagram; a READY= after other lines is taken here. */
static bool
notify_find_ready(const char *buf, size_t n, const char **line, size_t *len)
{
	const char *p = buf, *end = buf + n;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (l >= 6 && memcmp(p, "READY=", 6) == 0) {
			*line = p;
			*len = l;
			return true;
		}
		p += l + 1;
	}
	return false;
}

/* Reads one datagram if there is one: 1 and the READY= line (copied into line, NUL-terminated)
 * if it has one, else 0. Fds the container may attach are closed by the kernel (plain recv). */
static int
notify_read(int fd, char *line, struct err *err)
{
	char buf[NOTIFY_MSG_MAX];
	const char *l;
	ssize_t r;
	size_t len;

	r = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
	if (r < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return 0;
		return err_sys(err, "notify socket: recv");
	}
	if (!notify_find_ready(buf, (size_t)r, &l, &len))
		return 0;
	memcpy(line, l, len);
	line[len] = '\0';
	return 1;
}

/* Until a READY= line (1) or the exit of pid (0). A datagram queued when pid exits is still read
 * (READY=1 sent just before exiting is relayed). */
static int
notify_wait_ready(int fd, pid_t pid, char *line, struct err *err)
{
	cleanup_close int pidfd = sys_pidfd_open(pid, 0);
	bool gone = pidfd < 0 && errno == ESRCH;
	struct pollfd p[2] = {{.fd = fd, .events = POLLIN}, {.fd = pidfd, .events = POLLIN}};
	int r;

	for (;;) {
		r = poll(p, pidfd >= 0 ? 2 : 1, gone ? 0 : pidfd >= 0 ? -1 : NOTIFY_POLL_MS);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return err_sys(err, "notify socket: poll");
		if (r > 0 && p[0].revents) {
			r = notify_read(fd, line, err);
			if (r != 0)
				return r;
			continue;
		}
		if (gone)
			return 0;
		if (pidfd >= 0 ? r > 0 && p[1].revents : kill(pid, 0) < 0 && errno == ESRCH)
			gone = true;
	}
}

/* sd_notify_barrier: BARRIER=1 with the write end of a pipe; the host closes it once it has
 * handled what we sent before. */
static int
notify_barrier(int client, struct err *err)
{
	cleanup_close int rd = -1;
	cleanup_close int wr = -1;
	struct pollfd p = {.events = POLLIN};
	int fds[2];
	char c;
	ssize_t r;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return err_sys(err, "notify barrier: pipe");
	rd = fds[0];
	wr = fds[1];
	if (fd_send(client, "BARRIER=1", 9, &wr, 1, err) < 0)
		return err_wrap(err, "notify barrier: send");
	close(take_fd(&wr));
	p.fd = rd;
	do
		r = poll(&p, 1, CLI_NOTIFY_BARRIER_MS);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return err_sys(err, "notify barrier: poll");
	if (r == 0) {
		log_warn("Timeout after waiting %ds for barrier. Ignored.",
		         CLI_NOTIFY_BARRIER_MS / 1000);
		return 0;
	}
	r = read(rd, &c, 1);
	if (r < 0)
		return err_sys(err, "notify barrier: read");
	if (r > 0)
		return err_set(err, EPROTO, "unexpected read from synchronization pipe");
	return 0;
}

static int
notify_send(int client, const char *text, struct err *err)
{
	if (send(client, text, strlen(text), MSG_NOSIGNAL) < 0)
		return err_sys(err, "NOTIFY_SOCKET: send");
	return 0;
}

int
cli_notify_wait(struct cli_notify *n, pid_t pid, pid_t mainpid, struct err *err)
{
	cleanup_close int client = -1;
	char line[NOTIFY_MSG_MAX + 2], msg[32];
	struct sockaddr_un sa;
	socklen_t len;
	int r;

	if (n->fd < 0)
		return 0;
	/* As runc: the host socket is connected first, an error ends the wait at once. */
	if (notify_addr(n->host, &sa, &len, err) < 0)
		return err_wrap(err, "NOTIFY_SOCKET");
	client = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (client < 0)
		return err_sys(err, "NOTIFY_SOCKET: socket");
	if (connect(client, (struct sockaddr *)&sa, len) < 0)
		return err_sys(err, "NOTIFY_SOCKET %s: connect", n->host);
	r = notify_wait_ready(n->fd, pid, line, err);
	if (r <= 0)
		return r;
	strcat(line, "\n");
	snprintf(msg, sizeof(msg), "MAINPID=%d\n", (int)mainpid);
	if (notify_send(client, line, err) < 0 || notify_send(client, msg, err) < 0)
		return -1;
	return notify_barrier(client, err);
}

void
cli_notify_fini(struct cli_notify *n, bool remove_sock)
{
	if (n->fd >= 0)
		close(n->fd);
	if (remove_sock && n->bound)
		unlink(n->sock_path);
	free(n->host);
	free(n->sock_path);
	*n = (struct cli_notify)CLI_NOTIFY_INIT;
}
