#include "pump.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <unistd.h>

#include <event2/event.h>

#include "base/log.h"
#include "base/xalloc.h"

struct pump {
	int src, dst;
	unsigned flags;
	bool use_splice;
	bool eof;                /* source ended */
	bool done;               /* finished (callback ran) */
	struct event *rev, *wev; /* owned */
	uint8_t *buf;            /* owned, buffer mode only */
	size_t off, len;         /* pending bytes buf[off, off+len) */
	unsigned long long bytes;
	pump_done_cb cb;
	void *arg;
};

static void
pump_finish(struct pump *p)
{
	if (p->done)
		return;
	p->done = true;
	event_del(p->rev);
	event_del(p->wev);
	if ((p->flags & PUMP_OWN_DST) && p->dst >= 0) {
		close(p->dst);
		p->dst = -1;
	}
	if (p->cb)
		p->cb(p, p->arg);
}

/* Waits for whichever side blocks: the sink when it is full, else the source. */
static void
pump_wait(struct pump *p, bool sink_full)
{
	if (sink_full) {
		event_del(p->rev);
		event_add(p->wev, NULL);
	} else {
		event_del(p->wev);
		event_add(p->rev, NULL);
	}
}

static bool
pump_sink_full(int fd)
{
	struct pollfd pfd = {.fd = fd, .events = POLLOUT};

	if (poll(&pfd, 1, 0) != 1)
		return true;
	/* an error is not "full": the next write reports it */
	return !(pfd.revents & (POLLOUT | POLLERR | POLLHUP));
}

/* splice mode: returns when blocked, at EOF or on error. */
static void
pump_run_splice(struct pump *p)
{
	for (int rounds = 0; rounds < 64; rounds++) {
		ssize_t n =
		    splice(p->src, NULL, p->dst, NULL, PUMP_BUF, SPLICE_F_NONBLOCK | SPLICE_F_MOVE);
		if (n > 0) {
			p->bytes += (unsigned long long)n;
			continue;
		}
		if (n == 0) {
			p->eof = true;
			pump_finish(p);
			return;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN) {
			pump_wait(p, pump_sink_full(p->dst));
			return;
		}
		if (errno == EINVAL && p->bytes == 0) {
			/* this pair cannot splice: fall back to copying */
			p->use_splice = false;
			p->buf = xmalloc(PUMP_BUF);
			return;
		}
		if (errno != EPIPE && errno != EIO)
			log_debug("pump %d->%d: splice: %s", p->src, p->dst, strerror(errno));
		pump_finish(p);
		return;
	}
	pump_wait(p, false); /* let other events run; we come back when readable */
}

/* Buffer mode: write what is pending; read more while there is room. */
static void
pump_run_copy(struct pump *p)
{
	for (int rounds = 0; rounds < 64; rounds++) {
		if (p->len > 0) {
			ssize_t w = write(p->dst, p->buf + p->off, p->len);
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0 && errno == EAGAIN) {
				pump_wait(p, true);
				return;
			}
			if (w < 0) {
				pump_finish(p);
				return;
			}
			p->off += (size_t)w;
			p->len -= (size_t)w;
			p->bytes += (unsigned long long)w;
			if (p->len)
				continue;
			p->off = 0;
		}
		if (p->eof) {
			pump_finish(p);
			return;
		}
		ssize_t r = read(p->src, p->buf, PUMP_BUF);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == EAGAIN) {
			pump_wait(p, false);
			return;
		}
		if (r <= 0) { /* EOF, or EIO from a pty master whose slave closed */
			p->eof = true;
			continue;
		}
		p->len = (size_t)r;
	}
	pump_wait(p, p->len > 0);
}

static void
pump_run(struct pump *p)
{
	if (p->done)
		return;
	if (p->use_splice)
		pump_run_splice(p);
	if (!p->done && !p->use_splice)
		pump_run_copy(p);
}

static void
pump_on_event(evutil_socket_t fd, short what, void *arg)
{
	(void)fd, (void)what;
	pump_run(arg);
}

/* splice needs a pipe on one side and a splice-capable file on the other. */
static bool
pump_can_splice(int src, int dst)
{
	struct stat a, b;

	if (fstat(src, &a) < 0 || fstat(dst, &b) < 0)
		return false;
	if (S_ISCHR(a.st_mode) || S_ISCHR(b.st_mode) || S_ISSOCK(a.st_mode) || S_ISSOCK(b.st_mode))
		return false;
	return S_ISFIFO(a.st_mode) || S_ISFIFO(b.st_mode);
}

struct pump *
pump_new(struct event_base *base, int src, int dst, unsigned flags, pump_done_cb cb, void *arg)
{
	struct pump *p = xcalloc(1, sizeof(*p));

	p->src = src;
	p->dst = dst;
	p->flags = flags;
	p->cb = cb;
	p->arg = arg;
	p->use_splice = pump_can_splice(src, dst);
	if (!p->use_splice)
		p->buf = xmalloc(PUMP_BUF);
	p->rev = event_new(base, src, EV_READ | EV_PERSIST, pump_on_event, p);
	p->wev = event_new(base, dst, EV_WRITE | EV_PERSIST, pump_on_event, p);
	if (!p->rev || !p->wev)
		abort();
	event_add(p->rev, NULL);
	return p;
}

void
pump_free(struct pump *p)
{
	if (!p)
		return;
	event_free(p->rev);
	event_free(p->wev);
	if ((p->flags & PUMP_OWN_SRC) && p->src >= 0)
		close(p->src);
	if ((p->flags & PUMP_OWN_DST) && p->dst >= 0)
		close(p->dst);
	free(p->buf);
	free(p);
}

bool
pump_is_done(const struct pump *p)
{
	return p->done;
}

void
pump_flush(struct pump *p)
{
	pump_run(p);
}

unsigned long long
pump_bytes(const struct pump *p)
{
	return p->bytes;
}

bool
pump_src_eof(const struct pump *p)
{
	return p->eof;
}

void
pump_stop(struct pump *p)
{
	p->eof = true;
	p->len = 0;
	pump_finish(p);
}
