/* service_exit: exits from the reaper made visible in the right order (output drained first,
 * every exec before the init), and OOM events. */
#include "service.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "base/log.h"
#include "cgroups/cgroups.h"
#include "container.h"
#include "events.h"
#include "loop.h"
#include "process.h"
#include "proto/events/task.pb-c.h"
#include "proto/pb.h"
#include "service_internal.h"
#include "stdio.h"

void
svc__on_pid(pid_t pid, void *arg)
{
	struct proc *p = arg;

	/* Registered before the process runs anything: the reaper only runs from the loop, after
	 * the handler that created it returned, so no exit can be missed. */
	p->pid = pid;
}

void
svc__on_drained(struct stdio *io, void *arg)
{
	struct proc *p = arg;

	(void)io;
	svc__try_publish_exit(p);
}

static void
svc_on_drain_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct proc *p = arg;

	(void)fd, (void)what;
	log_warn("%s %s: output not drained %d ms after exit, reporting the exit anyway", p->c->id,
	         p->id, SVC_DRAIN_TIMEOUT_MS);
	p->drain_expired = true;
	svc__try_publish_exit(p);
}

/* stdio keeps output for a client that has not opened its FIFO yet for this long at most: the
 * exit must wait for that, or Delete would close the FIFO under the late reader. */
_Static_assert(STDIO_READER_WAIT_MS < SVC_DRAIN_TIMEOUT_MS,
               "the drain timeout must cover stdio's wait for a late FIFO reader");

/* True while p's output is still being copied (a timer bounds the wait). */
static bool
svc_wait_output(struct proc *p)
{
	struct timeval tv = {SVC_DRAIN_TIMEOUT_MS / 1000, (SVC_DRAIN_TIMEOUT_MS % 1000) * 1000};

	if (!p->io || p->drain_expired || stdio_drained(p->io))
		return false;
	if (!p->drain_timer) {
		p->drain_timer = evtimer_new(p->c->svc->base, svc_on_drain_timeout, p);
		if (!p->drain_timer)
			abort();
		evtimer_add(p->drain_timer, &tv);
	}
	return true;
}

static void
svc_publish_exit(struct svc *s, struct proc *p)
{
	Containerd__Events__TaskExit ev = CONTAINERD__EVENTS__TASK_EXIT__INIT;
	Google__Protobuf__Timestamp ts = GOOGLE__PROTOBUF__TIMESTAMP__INIT;

	pb_timestamp_set(&ts, &p->exited_at);
	ev.container_id = p->c->id;
	ev.id = p->id; /* the container id for the init: CRI matches on it */
	ev.pid = (uint32_t)p->pid;
	ev.exit_status = p->exit_status;
	ev.exited_at = &ts;
	svc__publish(s, EV_TASK_EXIT, &ev.base);
}

void
svc__try_publish_exit(struct proc *p)
{
	struct container *c = p->c;
	struct err err = {0};

	if (!p->reaped || p->state == PROC_STOPPED || p->state == PROC_DELETED)
		return;
	if (svc_wait_output(p))
		return;
	if (p->is_init && container_has_live_execs(c))
		return; /* the init's exit is reported after every exec's */
	if (p->drain_timer) {
		event_free(p->drain_timer);
		p->drain_timer = NULL;
	}
	if (proc_transition(p, PROC_STOPPED, &err) < 0) {
		log_error("exit of %s: %s", p->id, err.msg);
		return;
	}
	log_debug("%s %s: exited with %u", c->id, p->id, p->exit_status);
	svc_publish_exit(c->svc, p);
	proc_answer_waiters(p);
	if (!p->is_init)
		svc__try_publish_exit(c->init);
}

/* Without its own pid namespace nothing else dies with the init: kill the rest (runc's
 * ShouldKillAllOnExit). */
static void
svc_kill_rest(struct container *c)
{
	struct err err = {0};

	if (c->has_pidns || !c->cg)
		return;
	if (cg_kill_all(c->cg, SIGKILL, &err) < 0)
		log_warn("%s: kill remaining processes: %s", c->id, err.msg);
}

void
svc_on_exit(pid_t pid, int status, const struct timespec *at, void *arg)
{
	struct svc *s = arg;
	struct proc *p = NULL;

	for (struct container *c = s->containers; c && !p; c = c->next)
		p = container_proc_by_pid(c, pid);
	if (!p || p->reaped)
		return; /* a reparented orphan or a logger: nothing to report */
	p->reaped = true;
	p->exit_status = loop_exit_status(status);
	p->exited_at = *at;
	if (p->is_init)
		svc_kill_rest(p->c);
	if (p->io)
		stdio_flush(p->io);
	svc__try_publish_exit(p);
}

/* --- OOM --- */

static void
svc_on_oom(evutil_socket_t fd, short what, void *arg)
{
	struct container *c = arg;
	Containerd__Events__TaskOOM ev = CONTAINERD__EVENTS__TASK_OOM__INIT;
	struct err err = {0};
	uint64_t n = 0;
	bool gone = false;

	(void)fd, (void)what;
	if (cg_oom_check(c->oom, &n, &gone, &err) < 0) {
		log_warn("%s: OOM watch: %s", c->id, err.msg);
		gone = true;
	}
	if (n > 0) {
		log_info("%s: OOM (%llu)", c->id, (unsigned long long)n);
		ev.container_id = c->id;
		/* straight to the publisher, as runc: not ordered against the lifecycle */
		svc__publish(c->svc, EV_TASK_OOM, &ev.base);
	}
	if (gone) {
		event_free(c->oom_ev);
		c->oom_ev = NULL;
		cg_oom_close(c->oom);
		c->oom = NULL;
	}
}

void
svc__watch_oom(struct svc *s, struct container *c, const char *cgroup_path)
{
	struct cg_root *root = NULL;
	struct err err = {0};

	if (!cgroup_path || cg_root_open(NULL, &root, &err) < 0 ||
	    cg_open(root, cgroup_path, &c->cg, &err) < 0) {
		log_warn("%s: no cgroup for stats and OOM events: %s", c->id,
		         cgroup_path ? err.msg : "no cgroup path");
		goto out;
	}
	if (cg_oom_open(c->cg, &c->oom, &err) < 0) {
		log_warn("%s: no OOM events: %s", c->id, err.msg);
		goto out;
	}
	c->oom_ev = event_new(s->base, cg_oom_fd(c->oom), EV_READ | EV_PERSIST, svc_on_oom, c);
	if (!c->oom_ev || event_add(c->oom_ev, NULL) < 0)
		abort();
out:
	cg_root_free(root);
}
