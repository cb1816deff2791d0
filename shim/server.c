#include "server.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "base/fdutil.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "ttrpc_conn.h"

#define SERVER_READ_BUF 65536
/* Stop reading a connection while this much output waits for its peer. */
#define SERVER_OUT_HIGH (8u << 20)

struct server_conn {
	struct server *srv; /* borrowed: owns us */
	int fd;
	struct event *rev, *wev; /* owned */
	struct ttrpc_conn *tc;   /* owned */
	bool reading;
	struct server_conn *prev, *next;
};

struct server {
	struct event_base *base; /* borrowed */
	const struct ttrpc_registry *reg;
	int lfd;
	struct event *lev; /* owned */
	struct server_conn *conns;
	size_t n_conns;
	void (*request_cb)(void *arg);
	void *request_arg;
};

static void
server_conn_close(struct server_conn *sc)
{
	struct server *s = sc->srv;

	if (sc->prev)
		sc->prev->next = sc->next;
	else
		s->conns = sc->next;
	if (sc->next)
		sc->next->prev = sc->prev;
	s->n_conns--;
	event_free(sc->rev);
	event_free(sc->wev);
	ttrpc_conn_free(sc->tc);
	close(sc->fd);
	free(sc);
}

/* Arms or disarms reading by the output backlog (backpressure on a peer that does not read). */
static void
server_conn_update(struct server_conn *sc)
{
	const uint8_t *p;
	size_t pending = ttrpc_conn_output(sc->tc, &p);
	bool want_read = pending < SERVER_OUT_HIGH;

	if (pending)
		event_add(sc->wev, NULL);
	else
		event_del(sc->wev);
	if (want_read != sc->reading) {
		if (want_read)
			event_add(sc->rev, NULL);
		else
			event_del(sc->rev);
		sc->reading = want_read;
	}
}

/* Writes what it can; -1 when the peer is gone. */
static int
server_conn_write(struct server_conn *sc)
{
	const uint8_t *p;
	size_t n;

	while ((n = ttrpc_conn_output(sc->tc, &p)) > 0) {
		ssize_t w = send(sc->fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return 0;
			return -1;
		}
		ttrpc_conn_consume(sc->tc, (size_t)w);
	}
	return 0;
}

/* A reply was queued: write it now (it nearly always fits the socket buffer, and a turn of
 * the loop waiting for EPOLLOUT costs more than the write). What does not fit, or an error,
 * is left to server_on_write: the connection is never closed from inside this callback. */
static void
server_on_output(struct ttrpc_conn *tc, void *arg)
{
	struct server_conn *sc = arg;

	(void)tc;
	(void)server_conn_write(sc);
	server_conn_update(sc);
}

static void
server_on_write(evutil_socket_t fd, short what, void *arg)
{
	struct server_conn *sc = arg;

	(void)fd, (void)what;
	if (server_conn_write(sc) < 0) {
		log_debug("connection %d: write: %s", sc->fd, strerror(errno));
		server_conn_close(sc);
		return;
	}
	server_conn_update(sc);
}

static void
server_on_read(evutil_socket_t fd, short what, void *arg)
{
	struct server_conn *sc = arg;
	static uint8_t buf[SERVER_READ_BUF];
	struct err err = {0};
	ssize_t n;

	(void)what;
	n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		if (n < 0)
			log_debug("connection %d: read: %s", sc->fd, strerror(errno));
		server_conn_close(sc);
		return;
	}
	if (ttrpc_conn_feed(sc->tc, buf, (size_t)n, &err) < 0) {
		log_warn("closing connection: %s", err.msg);
		server_conn_close(sc);
		return;
	}
	server_conn_update(sc);
	if (sc->srv->request_cb)
		sc->srv->request_cb(sc->srv->request_arg);
}

/* Only a peer with our own uid and gid may talk to us (as the Go shim's ttrpc server). */
static bool
server_peer_ok(int fd)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0) {
		log_warn("SO_PEERCRED: %s", strerror(errno));
		return false;
	}
	if (cr.uid != geteuid() || cr.gid != getegid()) {
		log_warn("refusing connection from pid %d uid %u gid %u", cr.pid, cr.uid, cr.gid);
		return false;
	}
	return true;
}

static void
server_on_accept(evutil_socket_t lfd, short what, void *arg)
{
	struct server *s = arg;
	struct server_conn *sc;
	int fd;

	(void)what;
	fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0) {
		if (errno != EAGAIN && errno != EINTR)
			log_warn("accept: %s", strerror(errno));
		return;
	}
	if (!server_peer_ok(fd)) {
		close(fd);
		return;
	}
	sc = xcalloc(1, sizeof(*sc));
	sc->srv = s;
	sc->fd = fd;
	sc->tc = ttrpc_conn_new(s->reg);
	ttrpc_conn_set_owner(sc->tc, sc);
	ttrpc_conn_set_output_cb(sc->tc, server_on_output, sc);
	sc->rev = event_new(s->base, fd, EV_READ | EV_PERSIST, server_on_read, sc);
	sc->wev = event_new(s->base, fd, EV_WRITE | EV_PERSIST, server_on_write, sc);
	if (!sc->rev || !sc->wev)
		abort();
	event_add(sc->rev, NULL);
	sc->reading = true;
	sc->next = s->conns;
	if (s->conns)
		s->conns->prev = sc;
	s->conns = sc;
	s->n_conns++;
	log_debug("accepted connection %d", fd);
}

int
server_new(struct event_base *base, int listen_fd, const struct ttrpc_registry *reg,
           struct server **out, struct err *err)
{
	struct server *s = xcalloc(1, sizeof(*s));

	s->base = base;
	s->reg = reg;
	s->lfd = listen_fd;
	if (fd_set_nonblock(listen_fd, true) < 0 || fd_set_cloexec(listen_fd, true) < 0) {
		free(s);
		return err_sys(err, "listening socket");
	}
	s->lev = event_new(base, listen_fd, EV_READ | EV_PERSIST, server_on_accept, s);
	if (!s->lev || event_add(s->lev, NULL) < 0) {
		free(s);
		return err_set(err, EINVAL, "cannot watch the listening socket");
	}
	*out = s;
	return 0;
}

void
server_stop_accepting(struct server *s)
{
	if (s->lev) {
		event_free(s->lev);
		s->lev = NULL;
	}
	if (s->lfd >= 0) {
		close(s->lfd);
		s->lfd = -1;
	}
}

void
server_free(struct server *s)
{
	if (!s)
		return;
	while (s->conns)
		server_conn_close(s->conns);
	server_stop_accepting(s);
	free(s);
}

static long
server_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

void
server_flush(struct server *s, int timeout_ms)
{
	long end = server_now_ms() + timeout_ms;

	for (struct server_conn *sc = s->conns; sc; sc = sc->next) {
		const uint8_t *p;
		while (ttrpc_conn_output(sc->tc, &p) > 0) {
			struct pollfd pfd = {.fd = sc->fd, .events = POLLOUT};
			long left = end - server_now_ms();
			if (left <= 0 || server_conn_write(sc) < 0)
				break;
			if (ttrpc_conn_output(sc->tc, &p) > 0 && poll(&pfd, 1, (int)left) <= 0)
				break;
		}
	}
}

void
server_set_request_cb(struct server *s, void (*cb)(void *arg), void *arg)
{
	s->request_cb = cb;
	s->request_arg = arg;
}

size_t
server_connections(const struct server *s)
{
	return s->n_conns;
}
