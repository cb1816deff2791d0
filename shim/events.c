#include "events.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "base/log.h"
#include "base/xalloc.h"
#include "proto/events/forward.pb-c.h"
#include "proto/pb.h"
#include "ttrpc_client.h"
#include "ttrpc_conn.h"

#define EVENTS_SERVICE "containerd.services.events.ttrpc.v1.Events"

struct events_item {
	char *topic;    /* owned */
	char *type_url; /* owned */
	uint8_t *data;  /* owned */
	size_t len;
	struct timespec when;
	int attempts;
	struct events_item *next;
};

struct events {
	struct event_base *base; /* borrowed */
	char *path;              /* owned, NULL = no publisher */
	char *ns;                /* owned */
	struct events_item *head, *tail;
	size_t n;
	int fd;
	struct ttrpc_conn *tc;   /* owned, NULL when not connected */
	struct event *rev, *wev; /* owned, on fd */
	struct event *retry;     /* owned: retry / timeout timer */
	uint32_t inflight;       /* stream id of the Forward in flight, 0 = none */
	bool waiting_retry;
	bool freeing;
	int retry_unit_ms; /* attempt N is retried after N units */
	int timeout_ms;    /* a Forward without an answer by then is a failure */
};

static void events_kick(struct events *ev);

static void
events_item_free(struct events_item *it)
{
	free(it->topic);
	free(it->type_url);
	free(it->data);
	free(it);
}

static void
events_disconnect(struct events *ev)
{
	struct ttrpc_conn *tc = ev->tc;

	if (ev->rev)
		event_free(ev->rev);
	if (ev->wev)
		event_free(ev->wev);
	ev->rev = ev->wev = NULL;
	ev->tc = NULL;
	if (ev->fd >= 0)
		close(ev->fd);
	ev->fd = -1;
	/* runs the in-flight callback with UNAVAILABLE (ev->tc is already NULL) */
	ttrpc_conn_free(tc);
}

static void
events_update_write(struct events *ev)
{
	const uint8_t *p;

	if (ev->tc && ttrpc_conn_output(ev->tc, &p) > 0)
		event_add(ev->wev, NULL);
	else if (ev->wev)
		event_del(ev->wev);
}

static void
events_on_output(struct ttrpc_conn *tc, void *arg)
{
	(void)tc;
	events_update_write(arg);
}

static void
events_on_write(evutil_socket_t fd, short what, void *arg)
{
	struct events *ev = arg;
	const uint8_t *p;
	size_t n;

	(void)what;
	while (ev->tc && (n = ttrpc_conn_output(ev->tc, &p)) > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN)
			break;
		if (w < 0) {
			log_warn("events: write to %s: %s", ev->path, strerror(errno));
			events_disconnect(ev);
			return;
		}
		ttrpc_conn_consume(ev->tc, (size_t)w);
	}
	events_update_write(ev);
}

static void
events_on_read(evutil_socket_t fd, short what, void *arg)
{
	struct events *ev = arg;
	uint8_t buf[4096];
	struct err err = {0};
	ssize_t n;

	(void)what;
	n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0 || ttrpc_conn_feed(ev->tc, buf, (size_t)n, &err) < 0) {
		log_debug("events: connection to %s closed", ev->path);
		events_disconnect(ev);
	}
}

static int
events_connect(struct events *ev, struct err *err)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd;

	if (strlen(ev->path) >= sizeof(sa.sun_path))
		return err_set(err, ENAMETOOLONG, "events address %s too long", ev->path);
	strcpy(sa.sun_path, ev->path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return err_sys(err, "socket");
	/* A unix connect completes at once or fails (EAGAIN: backlog full, retried later). */
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		err_sys(err, "connect %s", ev->path);
		close(fd);
		return -1;
	}
	ev->fd = fd;
	ev->tc = ttrpc_conn_new(NULL);
	ttrpc_conn_set_output_cb(ev->tc, events_on_output, ev);
	ev->rev = event_new(ev->base, fd, EV_READ | EV_PERSIST, events_on_read, ev);
	ev->wev = event_new(ev->base, fd, EV_WRITE | EV_PERSIST, events_on_write, ev);
	if (!ev->rev || !ev->wev)
		abort();
	event_add(ev->rev, NULL);
	return 0;
}

/* After a failure of the head event: drop it after EVENTS_MAX_ATTEMPTS, else retry later. */
static void
events_failed(struct events *ev, const char *why)
{
	struct events_item *it = ev->head;
	struct timeval tv = {0, 0};

	if (!it)
		return;
	it->attempts++;
	if (it->attempts > EVENTS_MAX_ATTEMPTS) {
		log_error("events: dropping %s after %d attempts: %s", it->topic, it->attempts,
		          why);
		ev->head = it->next;
		if (!ev->head)
			ev->tail = NULL;
		ev->n--;
		events_item_free(it);
		tv.tv_sec = 0;
	} else {
		long ms = (long)it->attempts * ev->retry_unit_ms;
		log_warn("events: publish %s failed (attempt %d): %s", it->topic, it->attempts,
		         why);
		tv.tv_sec = ms / 1000;
		tv.tv_usec = (ms % 1000) * 1000;
	}
	ev->waiting_retry = true;
	evtimer_add(ev->retry, &tv);
}

static void
events_on_response(void *arg, enum ttrpc_code code, const char *msg, const uint8_t *payload,
                   size_t len)
{
	struct events *ev = arg;
	struct events_item *it = ev->head;

	(void)payload, (void)len;
	if (ev->freeing)
		return;
	ev->inflight = 0;
	evtimer_del(ev->retry);
	if (code != TTRPC_OK) {
		/* A closed connection is re-dialled on the next attempt. */
		events_failed(ev, msg);
		return;
	}
	ev->head = it->next;
	if (!ev->head)
		ev->tail = NULL;
	ev->n--;
	events_item_free(it);
	events_kick(ev);
}

/* Timer: either the retry delay ended or the Forward in flight timed out. */
static void
events_on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct events *ev = arg;

	(void)fd, (void)what;
	if (ev->inflight) {
		/* No answer in time: give up on this connection; the callback requeues. */
		events_disconnect(ev);
		return;
	}
	ev->waiting_retry = false;
	events_kick(ev);
}

/* Sends the head event if nothing is in flight. */
static void
events_kick(struct events *ev)
{
	Containerd__Services__Events__Ttrpc__V1__ForwardRequest req =
	    CONTAINERD__SERVICES__EVENTS__TTRPC__V1__FORWARD_REQUEST__INIT;
	Containerd__Services__Events__Ttrpc__V1__Envelope env =
	    CONTAINERD__SERVICES__EVENTS__TTRPC__V1__ENVELOPE__INIT;
	Google__Protobuf__Timestamp ts = GOOGLE__PROTOBUF__TIMESTAMP__INIT;
	Google__Protobuf__Any any = GOOGLE__PROTOBUF__ANY__INIT;
	struct timeval tv = {ev->timeout_ms / 1000, (ev->timeout_ms % 1000) * 1000};
	struct events_item *it = ev->head;
	struct err err = {0};

	if (!it || ev->inflight || ev->waiting_retry)
		return;
	if (!ev->tc && events_connect(ev, &err) < 0) {
		events_failed(ev, err.msg);
		return;
	}
	pb_timestamp_set(&ts, &it->when);
	any.type_url = it->type_url;
	any.value.data = it->data;
	any.value.len = it->len;
	env.timestamp = &ts;
	env.namespace_ = ev->ns;
	env.topic = it->topic;
	env.event = &any;
	req.envelope = &env;
	ev->inflight = ttrpc_conn_call(ev->tc, EVENTS_SERVICE, "Forward", &req.base, ev->ns,
	                               events_on_response, ev, &err);
	if (!ev->inflight) {
		events_failed(ev, err.msg);
		return;
	}
	evtimer_add(ev->retry, &tv);
}

struct events *
events_new(struct event_base *base, const char *address, const char *ns)
{
	struct events *ev = xcalloc(1, sizeof(*ev));

	ev->base = base;
	ev->fd = -1;
	ev->retry_unit_ms = 1000;
	ev->timeout_ms = EVENTS_TIMEOUT_MS;
	ev->ns = xstrdup(ns ? ns : "");
	if (address && *address) {
		if (strncmp(address, "unix://", 7) == 0)
			address += 7;
		ev->path = xstrdup(address);
	}
	ev->retry = evtimer_new(base, events_on_timer, ev);
	if (!ev->retry)
		abort();
	return ev;
}

void
events_free(struct events *ev)
{
	if (!ev)
		return;
	ev->freeing = true;
	events_disconnect(ev);
	event_free(ev->retry);
	while (ev->head) {
		struct events_item *it = ev->head;
		ev->head = it->next;
		events_item_free(it);
	}
	free(ev->path);
	free(ev->ns);
	free(ev);
}

void
events_publish(struct events *ev, const char *topic, const ProtobufCMessage *msg)
{
	struct events_item *it;

	if (!ev->path) {
		log_debug("events: no publisher address, dropping %s", topic);
		return;
	}
	if (ev->n >= EVENTS_QUEUE_MAX) {
		log_error("events: queue full, dropping %s", topic);
		return;
	}
	it = xcalloc(1, sizeof(*it));
	it->topic = xstrdup(topic);
	it->type_url = xstrdup(msg->descriptor->name);
	it->data = pb_pack(msg, &it->len);
	clock_gettime(CLOCK_REALTIME, &it->when);
	if (ev->tail)
		ev->tail->next = it;
	else
		ev->head = it;
	ev->tail = it;
	ev->n++;
	log_debug("events: queued %s (%zu pending)", topic, ev->n);
	events_kick(ev);
}

size_t
events_pending(const struct events *ev)
{
	return ev->n;
}

static void
events_on_deadline(evutil_socket_t fd, short what, void *arg)
{
	(void)fd, (void)what;
	*(bool *)arg = true;
}

void
events_drain(struct events *ev, int timeout_ms)
{
	struct timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};
	bool expired = false;
	struct event *deadline = evtimer_new(ev->base, events_on_deadline, &expired);

	if (!deadline)
		abort();
	evtimer_add(deadline, &tv);
	while (ev->n > 0 && !expired)
		event_base_loop(ev->base, EVLOOP_ONCE);
	event_free(deadline);
}

void
events_set_timing(struct events *ev, int retry_unit_ms, int timeout_ms)
{
	ev->retry_unit_ms = retry_unit_ms;
	ev->timeout_ms = timeout_ms;
}
