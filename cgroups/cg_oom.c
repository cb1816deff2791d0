/* cg_oom: OOM notifications as one pollable fd.
 * v1: an eventfd registered with "<eventfd> <fd of memory.oom_control>" in cgroup.event_control;
 *     the kernel signals it on every OOM of the cgroup, and once more when the cgroup is removed.
 * v2: inotify IN_MODIFY on memory.events; the oom_kill counter tells how many kills happened.
 *     kernfs sends no inotify event when a cgroup is removed, so cgroup.events is watched too:
 *     "populated 0" (no process left) ends the watch, as runc and containerd do. */
#include "cg_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/xalloc.h"

struct cg_oom {
	bool is_v2;
	int fd;		  /* owned: eventfd (v1) or inotify (v2) */
	int control_fd;	  /* owned: v1 memory.oom_control, kept open for the registration */
	int events_wd;	  /* v2: the inotify watch of cgroup.events */
	char *dir;	  /* owned: the cgroup directory */
	uint64_t last;	  /* v2: oom_kill count seen so far */
};

int
cg__oom_open_v1(const char *memdir, struct cg_oom **out, struct err *err)
{
	cleanup_free char *control = cg__join(memdir, "memory.oom_control");
	cleanup_close int efd = -1, cfd = -1;
	char reg[64];
	struct cg_oom *w;

	cfd = open(control, O_RDONLY | O_CLOEXEC);
	if (cfd < 0)
		return err_sys(err, "open %s", control);
	efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (efd < 0)
		return err_sys(err, "eventfd");
	snprintf(reg, sizeof(reg), "%d %d", efd, cfd);
	if (cg__write(memdir, "cgroup.event_control", reg, err) < 0)
		return -1;
	w = xcalloc(1, sizeof(*w));
	w->fd = take_fd(&efd);
	w->control_fd = take_fd(&cfd);
	w->dir = xstrdup(memdir);
	*out = w;
	return 0;
}

static int
read_oom_kill(const char *dir, uint64_t *out, struct err *err)
{
	cleanup_free char *text = NULL;

	if (cg__read(dir, "memory.events", &text, err) < 0)
		return -1;
	*out = 0;
	cg__kv_get(text, "oom_kill", out);
	return 0;
}

int
cg__oom_open_v2(const char *dir, struct cg_oom **out, struct err *err)
{
	cleanup_free char *events = cg__join(dir, "memory.events");
	cleanup_free char *cgevents = cg__join(dir, "cgroup.events");
	cleanup_close int ifd = -1;
	struct cg_oom *w;
	uint64_t count;
	int wd;

	if (read_oom_kill(dir, &count, err) < 0)
		return -1;
	ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (ifd < 0)
		return err_sys(err, "inotify_init1");
	if (inotify_add_watch(ifd, events, IN_MODIFY) < 0)
		return err_sys(err, "inotify_add_watch %s", events);
	wd = inotify_add_watch(ifd, cgevents, IN_MODIFY);
	if (wd < 0)
		return err_sys(err, "inotify_add_watch %s", cgevents);
	w = xcalloc(1, sizeof(*w));
	w->is_v2 = true;
	w->fd = take_fd(&ifd);
	w->control_fd = -1;
	w->events_wd = wd;
	w->dir = xstrdup(dir);
	w->last = count;
	*out = w;
	return 0;
}

int
cg_oom_fd(const struct cg_oom *w)
{
	return w->fd;
}

static int
check_v1(struct cg_oom *w, uint64_t *n_oom, bool *gone, struct err *err)
{
	uint64_t count = 0;
	ssize_t n = read(w->fd, &count, sizeof(count));

	if (n < 0 && errno != EAGAIN && errno != EINTR)
		return err_sys(err, "read OOM eventfd of %s", w->dir);
	if (n != (ssize_t)sizeof(count))
		count = 0;
	*gone = !cg__exists(w->dir, "memory.oom_control");
	/* Removal signals the eventfd once too: that one is not an OOM. */
	if (*gone && count > 0)
		count--;
	*n_oom = count;
	return 0;
}

/* cgroup.events "populated"; -1 when it cannot be read (the cgroup is going away). */
static int
populated_of(const char *dir, uint64_t *out)
{
	cleanup_free char *text = NULL;
	struct err e = {0};

	if (cg__read(dir, "cgroup.events", &text, &e) < 0 || cg__kv_get(text, "populated", out) < 0)
		return -1;
	return 0;
}

static int
check_v2(struct cg_oom *w, uint64_t *n_oom, bool *gone, struct err *err)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	struct err e = {0};
	uint64_t count, populated = 1;
	bool cg_changed = false;
	ssize_t n;

	while ((n = read(w->fd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			struct inotify_event *ev = (struct inotify_event *)p;
			if (ev->mask & (IN_IGNORED | IN_DELETE_SELF))
				*gone = true;
			if (ev->wd == w->events_wd)
				cg_changed = true;
			p += sizeof(*ev) + ev->len;
		}
	}
	if (n < 0 && errno != EAGAIN && errno != EINTR)
		return err_sys(err, "read inotify for %s/memory.events", w->dir);
	if (read_oom_kill(w->dir, &count, &e) < 0) {
		if (e.code != ENOENT && e.code != ENODEV) {
			*err = e;
			return -1;
		}
		*gone = true;
		return 0;
	}
	*n_oom = count > w->last ? count - w->last : 0;
	w->last = count;
	/* The kills are counted first: the last process's OOM kill empties the cgroup too. */
	if (cg_changed && populated_of(w->dir, &populated) == 0 && populated == 0)
		*gone = true;
	return 0;
}

int
cg_oom_check(struct cg_oom *w, uint64_t *n_oom, bool *gone, struct err *err)
{
	*n_oom = 0;
	*gone = false;
	return w->is_v2 ? check_v2(w, n_oom, gone, err) : check_v1(w, n_oom, gone, err);
}

void
cg_oom_close(struct cg_oom *w)
{
	if (w == NULL)
		return;
	close(w->fd);
	if (w->control_fd >= 0)
		close(w->control_fd);
	free(w->dir);
	free(w);
}
