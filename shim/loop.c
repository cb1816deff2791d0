#include "loop.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include <event2/event.h>

#include "base/log.h"
#include "base/xalloc.h"

struct loop {
	struct event_base *base;                  /* owned */
	struct event *sigchld, *sigterm, *sigint; /* owned */
	loop_exit_cb exit_cb;
	void *exit_arg;
	loop_stop_cb stop_cb;
	void *stop_arg;
};

unsigned
loop_exit_status(int st)
{
	if (WIFEXITED(st))
		return (unsigned)WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128u + (unsigned)WTERMSIG(st);
	return 255;
}

void
loop_reap(struct loop *l)
{
	for (;;) {
		struct timespec at;
		int st = 0;
		pid_t pid = waitpid(-1, &st, WNOHANG);

		if (pid <= 0) {
			if (pid < 0 && errno == EINTR)
				continue;
			return;
		}
		clock_gettime(CLOCK_REALTIME, &at);
		log_debug("reaped pid %d status %u", pid, loop_exit_status(st));
		if (l->exit_cb)
			l->exit_cb(pid, st, &at, l->exit_arg);
	}
}

static void
loop_on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct loop *l = arg;

	(void)what;
	if (sig == SIGCHLD) {
		loop_reap(l);
		return;
	}
	log_info("received signal %d", (int)sig);
	if (l->stop_cb)
		l->stop_cb((int)sig, l->stop_arg);
	else
		event_base_loopexit(l->base, NULL);
}

int
loop_new(bool subreaper, struct loop **out, struct err *err)
{
	struct loop *l;
	struct event_config *cfg;

	if (subreaper && prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
		return err_sys(err, "set child subreaper");
	signal(SIGPIPE, SIG_IGN);
	l = xcalloc(1, sizeof(*l));
	cfg = event_config_new();
	if (!cfg)
		abort();
	/* one thread: no locking; epoll is the only backend we need */
	event_config_set_flag(cfg, EVENT_BASE_FLAG_NOLOCK);
	l->base = event_base_new_with_config(cfg);
	event_config_free(cfg);
	if (!l->base) {
		free(l);
		return err_set(err, ENOMEM, "event_base_new failed");
	}
	l->sigchld = evsignal_new(l->base, SIGCHLD, loop_on_signal, l);
	l->sigterm = evsignal_new(l->base, SIGTERM, loop_on_signal, l);
	l->sigint = evsignal_new(l->base, SIGINT, loop_on_signal, l);
	if (!l->sigchld || !l->sigterm || !l->sigint || evsignal_add(l->sigchld, NULL) < 0 ||
	    evsignal_add(l->sigterm, NULL) < 0 || evsignal_add(l->sigint, NULL) < 0) {
		loop_free(l);
		return err_set(err, EINVAL, "cannot install signal events");
	}
	*out = l;
	return 0;
}

void
loop_free(struct loop *l)
{
	if (!l)
		return;
	if (l->sigchld)
		event_free(l->sigchld);
	if (l->sigterm)
		event_free(l->sigterm);
	if (l->sigint)
		event_free(l->sigint);
	event_base_free(l->base);
	free(l);
}

struct event_base *
loop_base(const struct loop *l)
{
	return l->base;
}

void
loop_set_exit_cb(struct loop *l, loop_exit_cb cb, void *arg)
{
	l->exit_cb = cb;
	l->exit_arg = arg;
}

void
loop_set_stop_cb(struct loop *l, loop_stop_cb cb, void *arg)
{
	l->stop_cb = cb;
	l->stop_arg = arg;
}

int
loop_run(struct loop *l, struct err *err)
{
	/* Children that exited before the SIGCHLD event existed. */
	loop_reap(l);
	if (event_base_dispatch(l->base) < 0)
		return err_set(err, EIO, "event loop failed");
	return 0;
}

void
loop_quit(struct loop *l)
{
	event_base_loopexit(l->base, NULL);
}
