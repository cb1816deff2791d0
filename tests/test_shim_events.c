/* Unit tests for the events publisher (Forward to a fake containerd served by our own ttrpc
 * server on the same loop): order, envelope, retries, drops, late server, timeouts; and the
 * server's peer credential check. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <event2/event.h>

#include "base/log.h"
#include "proto/events/forward.pb-c.h"
#include "proto/events/task.pb-c.h"
#include "shim/address.h"
#include "shim/events.h"
#include "shim/server.h"
#include "shim/ttrpc_conn.h"

#define MAXREC 64

/* what the fake containerd saw */
static struct {
	int calls;
	int n;
	char topic[MAXREC][64];
	char type[MAXREC][64];
	char ns[MAXREC][32];
	char cid[MAXREC][32];
	long secs[MAXREC];
	int fail_first;   /* fail this many calls */
	bool fail_topic2; /* always fail /tasks/start */
	bool hang_first;  /* never answer the first call */
	struct ttrpc_call *hung;
} rec;

static void
hung_cancel(struct ttrpc_call *call, void *arg)
{
	(void)call, (void)arg;
	rec.hung = NULL;
}

static void
h_forward(struct ttrpc_call *call, const ProtobufCMessage *req, void *arg)
{
	const Containerd__Services__Events__Ttrpc__V1__ForwardRequest *r = (const void *)req;
	const Containerd__Services__Events__Ttrpc__V1__Envelope *e = r->envelope;
	Containerd__Events__TaskStart *ts;

	(void)arg;
	rec.calls++;
	if (rec.hang_first && rec.calls == 1) {
		rec.hung = call;
		ttrpc_call_defer(call, hung_cancel, NULL);
		return;
	}
	if (rec.calls <= rec.fail_first ||
	    (rec.fail_topic2 && e && strcmp(e->topic, EV_TASK_START) == 0)) {
		ttrpc_call_fail(call, TTRPC_UNAVAILABLE, "not now");
		return;
	}
	assert_non_null(e);
	assert_true(rec.n < MAXREC);
	snprintf(rec.topic[rec.n], 64, "%s", e->topic);
	snprintf(rec.ns[rec.n], 32, "%s", e->namespace_);
	snprintf(rec.type[rec.n], 64, "%s", e->event ? e->event->type_url : "");
	rec.secs[rec.n] = e->timestamp ? (long)e->timestamp->seconds : -1;
	ts =
	    containerd__events__task_start__unpack(NULL, e->event->value.len, e->event->value.data);
	snprintf(rec.cid[rec.n], 32, "%s", ts ? ts->container_id : "?");
	if (ts)
		containerd__events__task_start__free_unpacked(ts, NULL);
	rec.n++;
	ttrpc_call_reply(call, NULL);
}

static const struct ttrpc_method ev_methods[] = {
    {"Forward", &containerd__services__events__ttrpc__v1__forward_request__descriptor, h_forward},
};
static const struct ttrpc_service ev_service = {"containerd.services.events.ttrpc.v1.Events",
                                                ev_methods, 1};
static const struct ttrpc_service *const ev_services[] = {&ev_service};
static const struct ttrpc_registry ev_reg = {ev_services, 1, NULL};

static char sock[96];

static struct server *
fake_containerd(struct event_base *base)
{
	struct server *srv = NULL;
	struct err err = {0};
	bool in_use;
	int fd = address_listen(sock, &in_use, &err);

	assert_true(fd >= 0);
	assert_int_equal(server_new(base, fd, &ev_reg, &srv, &err), 0);
	return srv;
}

static int
setup(void **state)
{
	(void)state;
	memset(&rec, 0, sizeof(rec));
	snprintf(sock, sizeof(sock), "/tmp/husk-ev-%d.sock", getpid());
	unlink(sock);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	unlink(sock);
	return 0;
}

static void
publish_start(struct events *ev, const char *topic, const char *cid)
{
	Containerd__Events__TaskStart m = CONTAINERD__EVENTS__TASK_START__INIT;

	m.container_id = (char *)cid;
	m.pid = 42;
	events_publish(ev, topic, &m.base);
}

/* Runs the loop until the publisher's queue is empty (or 5 s). */
static void
drain(struct events *ev)
{
	events_drain(ev, 5000);
	assert_int_equal(events_pending(ev), 0);
}

static void
events_in_order_with_envelope(void **state)
{
	struct event_base *base = event_base_new();
	struct server *srv = fake_containerd(base);
	struct events *ev = events_new(base, sock, "k8s.io");
	char id[16];

	(void)state;
	for (int i = 0; i < 20; i++) {
		snprintf(id, sizeof(id), "c%d", i);
		publish_start(ev, i % 2 ? EV_TASK_START : EV_TASK_CREATE, id);
	}
	drain(ev);
	assert_int_equal(rec.n, 20);
	for (int i = 0; i < 20; i++) {
		snprintf(id, sizeof(id), "c%d", i);
		assert_string_equal(rec.cid[i], id);
		assert_string_equal(rec.topic[i], i % 2 ? EV_TASK_START : EV_TASK_CREATE);
		assert_string_equal(rec.ns[i], "k8s.io");
		assert_string_equal(rec.type[i], "containerd.events.TaskStart");
		assert_true(rec.secs[i] > 1600000000);
	}
	events_free(ev);
	server_free(srv);
	event_base_free(base);
}

static void
events_retried_in_order(void **state)
{
	struct event_base *base = event_base_new();
	struct server *srv = fake_containerd(base);
	struct events *ev = events_new(base, "unix:///dev/null/x", "default");

	(void)state;
	events_free(ev); /* a bad address is only a logged failure */
	ev = events_new(base, sock, "default");
	events_set_timing(ev, 10, 1000);
	rec.fail_first = 3;
	publish_start(ev, EV_TASK_CREATE, "a");
	publish_start(ev, EV_TASK_START, "b");
	drain(ev);
	assert_int_equal(rec.calls, 5);
	assert_int_equal(rec.n, 2);
	assert_string_equal(rec.cid[0], "a");
	assert_string_equal(rec.cid[1], "b");
	events_free(ev);
	server_free(srv);
	event_base_free(base);
}

static void
events_dropped_after_max_attempts(void **state)
{
	struct event_base *base = event_base_new();
	struct server *srv = fake_containerd(base);
	struct events *ev = events_new(base, sock, "default");

	(void)state;
	events_set_timing(ev, 5, 1000);
	rec.fail_topic2 = true;
	publish_start(ev, EV_TASK_START, "lost");
	publish_start(ev, EV_TASK_EXIT, "next");
	drain(ev);
	assert_int_equal(rec.calls, 1 + EVENTS_MAX_ATTEMPTS + 1);
	assert_int_equal(rec.n, 1);
	assert_string_equal(rec.cid[0], "next");
	events_free(ev);
	server_free(srv);
	event_base_free(base);
}

static void
events_wait_for_a_late_server(void **state)
{
	struct event_base *base = event_base_new();
	struct events *ev = events_new(base, sock, "default");
	struct server *srv;

	(void)state;
	events_set_timing(ev, 50, 1000);
	publish_start(ev, EV_TASK_CREATE, "early");
	events_drain(ev, 30); /* fails: nothing listens yet */
	assert_int_equal(events_pending(ev), 1);
	srv = fake_containerd(base);
	drain(ev);
	assert_int_equal(rec.n, 1);
	assert_string_equal(rec.cid[0], "early");
	events_free(ev);
	server_free(srv);
	event_base_free(base);
}

static void
events_timeout_redials(void **state)
{
	struct event_base *base = event_base_new();
	struct server *srv = fake_containerd(base);
	struct events *ev = events_new(base, sock, "default");

	(void)state;
	events_set_timing(ev, 10, 100);
	rec.hang_first = true;
	publish_start(ev, EV_TASK_CREATE, "slow");
	drain(ev);
	assert_int_equal(rec.calls, 2);
	assert_int_equal(rec.n, 1);
	assert_null(rec.hung); /* the old connection closed: its call was cancelled */
	events_free(ev);
	server_free(srv);
	event_base_free(base);
}

/* A peer with another uid is refused: the connection is closed before any request. */
static void
server_refuses_other_uid(void **state)
{
	struct event_base *base = event_base_new();
	struct server *srv;
	int pfd[2], st = 0;
	pid_t pid;
	char c = 0;

	(void)state;
	if (geteuid() != 0)
		skip();
	srv = fake_containerd(base);
	/* the 0600 socket alone already stops other users; open it to reach SO_PEERCRED */
	assert_int_equal(chmod(sock, 0666), 0);
	assert_int_equal(pipe(pfd), 0);
	pid = fork();
	if (pid == 0) {
		struct sockaddr_un sa = {.sun_family = AF_UNIX};
		int fd = socket(AF_UNIX, SOCK_STREAM, 0);
		strcpy(sa.sun_path, sock);
		if (setgid(65534) < 0 || setuid(65534) < 0)
			_exit(2);
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
			_exit(3);
		/* EOF means the server closed us */
		_exit(read(fd, &c, 1) == 0 ? 0 : 4);
	}
	close(pfd[1]);
	pid_t r = 0;
	for (int i = 0; i < 200 && (r = waitpid(pid, &st, WNOHANG)) == 0; i++)
		event_base_loop(base, EVLOOP_NONBLOCK), usleep(5000);
	if (r != pid) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		fail_msg("the refused client was never closed");
	}
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	assert_int_equal(server_connections(srv), 0);
	close(pfd[0]);
	server_free(srv);
	event_base_free(base);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(events_in_order_with_envelope, setup, teardown),
	    cmocka_unit_test_setup_teardown(events_retried_in_order, setup, teardown),
	    cmocka_unit_test_setup_teardown(events_dropped_after_max_attempts, setup, teardown),
	    cmocka_unit_test_setup_teardown(events_wait_for_a_late_server, setup, teardown),
	    cmocka_unit_test_setup_teardown(events_timeout_redials, setup, teardown),
	    cmocka_unit_test_setup_teardown(server_refuses_other_uid, setup, teardown),
	};
	signal(SIGPIPE, SIG_IGN);
	log_init(-1, LOG_TEXT, LOG_ERROR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
