#include "serve.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/fdutil.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "events.h"
#include "loop.h"
#include "server.h"
#include "service.h"
#include "trim.h"

struct serve {
	struct loop *loop;
	struct server *server;
	struct trim *trim;
	const char *socket_path;
};

/* No more connections from here on, and the socket file goes, so `start` for a new
 * container never finds a shim that is about to exit. */
static void
serve_stop(struct serve *sv)
{
	server_stop_accepting(sv->server);
	if (sv->socket_path)
		unlink(sv->socket_path);
	loop_quit(sv->loop);
}

static void
serve_on_shutdown(void *arg)
{
	log_info("shutdown: no container left");
	serve_stop(arg);
}

/* Requests allocate and free the most (Create, Exec, Stats): memory goes back after a burst. */
static void
serve_on_request(void *arg)
{
	struct serve *sv = arg;

	trim_soon(sv->trim);
}

static void
serve_on_signal(int sig, void *arg)
{
	log_info("exiting on signal %d", sig);
	serve_stop(arg);
}

static void
serve_unblock_stop(void)
{
	sigset_t stop;

	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	sigprocmask(SIG_UNBLOCK, &stop, NULL);
}

int
serve_run(const struct shim_args *a, int listen_fd, const char *socket_path)
{
	cleanup_free char *root = xasprintf("%s/%s", SHIM_STATE_ROOT, a->ns);
	struct serve sv = {.socket_path = socket_path};
	struct events *ev = NULL;
	struct svc *svc = NULL;
	struct err err = {0};
	int rc = 1;

	if (loop_new(true, &sv.loop, &err) < 0 || mkdir_p(root, 0711, &err) < 0) {
		log_error("serve: %s", err.msg);
		close(listen_fd);
		loop_free(sv.loop);
		return 1;
	}
	serve_unblock_stop(); /* `start` blocked them until the loop handles them */
	ev = events_new(loop_base(sv.loop), getenv("TTRPC_ADDRESS"), a->ns);
	svc = svc_new(loop_base(sv.loop), ev, a->ns, root);
	loop_set_exit_cb(sv.loop, svc_on_exit, svc);
	if (server_new(loop_base(sv.loop), listen_fd, svc_registry(svc), &sv.server, &err) < 0) {
		log_error("serve: %s", err.msg);
		close(listen_fd);
		goto out;
	}
	sv.trim = trim_new(loop_base(sv.loop));
	server_set_request_cb(sv.server, serve_on_request, &sv);
	svc_set_shutdown_cb(svc, serve_on_shutdown, &sv);
	loop_set_stop_cb(sv.loop, serve_on_signal, &sv);
	log_debug("serving on %s", socket_path);
	trim_now(); /* if `start` could not exec us, what it parsed is garbage here */
	if (loop_run(sv.loop, &err) < 0) {
		log_error("serve: %s", err.msg);
		goto out;
	}
	rc = 0;
out:
	if (sv.server)
		server_flush(sv.server, 1000);
	events_drain(ev, 5000);
	server_free(sv.server);
	trim_free(sv.trim);
	svc_free(svc);
	events_free(ev);
	loop_free(sv.loop);
	if (socket_path)
		unlink(socket_path);
	return rc;
}
