#include "trim.h"

#include <fcntl.h>
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include <event2/event.h>

#include "base/xalloc.h"

struct trim {
	struct event *ev; /* owned */
};

/* The start of the mapping that holds addr, from /proc/self/maps ("lo-hi perms ..." per line,
 * hex), read in pieces with no allocation; 0 if not found. Not inlined: its buffer must not
 * widen the frame of trim_stack. */
static __attribute__((noinline)) uintptr_t
trim_mapping_start(uintptr_t addr)
{
	enum { LO, HI, SKIP } st = LO;
	uintptr_t lo = 0, hi = 0, found = 0;
	char buf[1024];
	ssize_t n;
	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	while (!found && (n = read(fd, buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < n && !found; i++) {
			char c = buf[i];
			int d = c >= '0' && c <= '9'   ? c - '0'
			        : c >= 'a' && c <= 'f' ? c - 'a' + 10
			                               : -1;

			if (c == '\n') {
				st = LO;
				lo = hi = 0;
			} else if (st == LO && d >= 0) {
				lo = lo << 4 | (uintptr_t)d;
			} else if (st == LO && c == '-') {
				st = HI;
			} else if (st == HI && d >= 0) {
				hi = hi << 4 | (uintptr_t)d;
			} else if (st != SKIP) {
				if (st == HI && lo <= addr && addr < hi)
					found = lo;
				st = SKIP;
			}
		}
	}
	close(fd);
	return found;
}

/* Drops the stack pages below this frame, less one page of margin for the rest of this small
 * frame and the madvise call: deeper calls touched them once, nothing lives there now (one
 * thread, no CLONE_VM children), and they come back zeroed when a deep call needs them again.
 * Not inlined, so its frame is the deepest live one. */
static __attribute__((noinline)) void
trim_stack(void)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t here = (uintptr_t)__builtin_frame_address(0);
	uintptr_t lo = trim_mapping_start(here);
	uintptr_t end = (here & ~(page - 1)) - page;

	if (lo && end > lo)
		madvise((void *)lo, end - lo, MADV_DONTNEED);
}

void
trim_now(void)
{
	malloc_trim(0);
	trim_stack();
}

static void
trim_on_timer(evutil_socket_t fd, short what, void *arg)
{
	(void)fd, (void)what, (void)arg;
	trim_now();
}

struct trim *
trim_new(struct event_base *base)
{
	struct trim *t = xcalloc(1, sizeof(*t));

	t->ev = evtimer_new(base, trim_on_timer, t);
	if (!t->ev)
		abort();
	return t;
}

void
trim_free(struct trim *t)
{
	if (!t)
		return;
	event_free(t->ev);
	free(t);
}

void
trim_soon(struct trim *t)
{
	struct timeval tv = {.tv_sec = 0, .tv_usec = TRIM_DELAY_MS * 1000};

	if (!evtimer_pending(t->ev, NULL))
		evtimer_add(t->ev, &tv);
}
