#include "stdio_logger.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "base/cleanup.h"
#include "base/sys.h"
#include "base/xalloc.h"
#include "stdio_uri.h"

/* In the forked child: fds into place, signals reset, exec. Never returns. */
static void
logger_child(const struct stdio_uri *u, char **envp, int fds[3], const sigset_t *old)
{
	struct sigaction sa;
	char **argv;
	size_t n = 0;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	for (int s = 1; s < NSIG; s++)
		sigaction(s, &sa, NULL);
	sigprocmask(SIG_SETMASK, old, NULL);
	setsid();
	/* move above 5 first so the dup2s below cannot clobber one another */
	for (int i = 0; i < 3; i++) {
		int t = fcntl(fds[i], F_DUPFD, 10);
		if (t < 0)
			_exit(127);
		fds[i] = t;
	}
	for (int i = 0; i < 3; i++)
		if (dup2(fds[i], 3 + i) < 0)
			_exit(127);
	int null = open("/dev/null", O_RDWR);
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
	}
	sys_close_fds_from(6, NULL, 0);
	while (u->args && u->args[n])
		n++;
	argv = calloc(n + 2, sizeof(*argv));
	if (!argv)
		_exit(127);
	argv[0] = u->path;
	for (size_t i = 0; i < n; i++)
		argv[i + 1] = u->args[i];
	execve(u->path, argv, envp);
	_exit(127);
}

/* Waits for a byte or EOF on the readiness pipe. */
static int
logger_wait_ready(int fd, const char *path, bool need_byte, struct err *err)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	ssize_t n;
	char b;
	int r;

	do
		r = poll(&p, 1, LOGGER_READY_TIMEOUT_MS);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return err_sys(err, "wait for logger %s", path);
	if (r == 0)
		return err_set(err, ETIMEDOUT, "logger %s not ready after %d ms", path,
		               LOGGER_READY_TIMEOUT_MS);
	n = read(fd, &b, 1);
	if (n < 0)
		return err_sys(err, "read logger %s readiness", path);
	if (n == 0 && need_byte)
		return err_set(err, EIO,
		               "logger %s closed its readiness pipe without signalling "
		               "(binary-v2:// needs a byte)",
		               path);
	return 0;
}

int
logger_start(const struct stdio_uri *u, const char *id, const char *ns, int *out_fd, int *err_fd,
             int *pidfd, struct err *err)
{
	int po[2] = {-1, -1}, pe[2] = {-1, -1}, pr[2] = {-1, -1};
	cleanup_free char *e_id = xasprintf("CONTAINER_ID=%s", id);
	cleanup_free char *e_ns = xasprintf("CONTAINER_NAMESPACE=%s", ns);
	char *envp[] = {e_id, e_ns, NULL};
	sigset_t all, old;
	pid_t pid;
	int r = -1;

	if (access(u->path, X_OK) < 0)
		return err_sys(err, "logger %s", u->path);
	if (pipe2(po, O_CLOEXEC) < 0 || pipe2(pe, O_CLOEXEC) < 0 || pipe2(pr, O_CLOEXEC) < 0) {
		err_sys(err, "logger pipes");
		goto out;
	}
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	pid = fork();
	if (pid == 0) {
		int fds[3] = {po[0], pe[0], pr[1]};
		logger_child(u, envp, fds, &old);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (pid < 0) {
		err_sys(err, "fork logger");
		goto out;
	}
	*pidfd = sys_pidfd_open(pid, 0);
	close(pr[1]);
	pr[1] = -1;
	if (logger_wait_ready(pr[0], u->path, u->ready_byte, err) < 0) {
		if (*pidfd >= 0)
			sys_pidfd_send_signal(*pidfd, SIGKILL, NULL, 0);
		else
			kill(pid, SIGKILL);
		if (*pidfd >= 0)
			close(*pidfd);
		*pidfd = -1;
		goto out;
	}
	*out_fd = po[1];
	*err_fd = pe[1];
	po[1] = pe[1] = -1;
	r = 0;
out:
	for (int i = 0; i < 2; i++) {
		if (po[i] >= 0)
			close(po[i]);
		if (pe[i] >= 0)
			close(pe[i]);
		if (pr[i] >= 0)
			close(pr[i]);
	}
	return r;
}

struct logger_guard {
	int pidfd;
	struct event *exit_ev, *kill_ev; /* owned */
};

static void
logger_guard_free(struct logger_guard *g)
{
	event_free(g->exit_ev);
	event_free(g->kill_ev);
	close(g->pidfd);
	free(g);
}

static void
logger_on_exit(evutil_socket_t fd, short what, void *arg)
{
	(void)fd, (void)what;
	logger_guard_free(arg);
}

static void
logger_on_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct logger_guard *g = arg;

	(void)fd, (void)what;
	sys_pidfd_send_signal(g->pidfd, SIGKILL, NULL, 0);
	logger_guard_free(g);
}

void
logger_stop(struct event_base *base, int pidfd)
{
	struct timeval tv = {LOGGER_KILL_TIMEOUT_S, 0};
	struct logger_guard *g;

	if (pidfd < 0)
		return;
	if (sys_pidfd_send_signal(pidfd, SIGTERM, NULL, 0) < 0) {
		close(pidfd); /* already gone */
		return;
	}
	g = xcalloc(1, sizeof(*g));
	g->pidfd = pidfd;
	/* a pidfd polls readable when the process exits */
	g->exit_ev = event_new(base, pidfd, EV_READ, logger_on_exit, g);
	g->kill_ev = evtimer_new(base, logger_on_timeout, g);
	if (!g->exit_ev || !g->kill_ev)
		abort();
	event_add(g->exit_ev, NULL);
	evtimer_add(g->kill_ev, &tv);
}
