#include "process.h"

#include <stdlib.h>

#include <event2/event.h>

#include "base/xalloc.h"
#include "proto/pb.h"
#include "proto/task/v2/shim.pb-c.h"
#include "rt.h"
#include "stdio.h"
#include "ttrpc_conn.h"

#define BIT(s) (1u << (s))

static const unsigned proc_next[PROC_NSTATES] = {
    [PROC_CREATED] = BIT(PROC_RUNNING) | BIT(PROC_STOPPED) | BIT(PROC_DELETED),
    [PROC_RUNNING] = BIT(PROC_PAUSED) | BIT(PROC_STOPPED),
    [PROC_PAUSED] = BIT(PROC_RUNNING) | BIT(PROC_STOPPED),
    [PROC_STOPPED] = BIT(PROC_DELETED),
};

static const char *const proc_names[PROC_NSTATES] = {
    [PROC_CREATED] = "created", [PROC_RUNNING] = "running", [PROC_PAUSED] = "paused",
    [PROC_STOPPED] = "stopped", [PROC_DELETED] = "deleted",
};

const char *
proc_state_name(enum proc_state s)
{
	return s < PROC_NSTATES ? proc_names[s] : "unknown";
}

int
proc_transition(struct proc *p, enum proc_state to, struct err *err)
{
	if (!(proc_next[p->state] & BIT(to)))
		return err_set(err, EBUSY, "%s: cannot go from %s to %s", p->id,
		               proc_state_name(p->state), proc_state_name(to));
	p->state = to;
	return 0;
}

bool
proc_is_live(const struct proc *p)
{
	return p->state == PROC_RUNNING || p->state == PROC_PAUSED;
}

struct proc *
proc_new(struct container *c, const char *id, bool is_init)
{
	struct proc *p = xcalloc(1, sizeof(*p));

	p->c = c;
	p->id = xstrdup(id);
	p->is_init = is_init;
	p->state = PROC_CREATED;
	return p;
}

static void
proc_waiter_unlink(struct proc_waiter *w)
{
	if (w->prev)
		w->prev->next = w->next;
	else
		w->p->waiters = w->next;
	if (w->next)
		w->next->prev = w->prev;
}

static void
proc_waiter_cancel(struct ttrpc_call *call, void *arg)
{
	struct proc_waiter *w = arg;

	(void)call;
	proc_waiter_unlink(w);
	free(w);
}

void
proc_wait(struct proc *p, struct ttrpc_call *call)
{
	struct proc_waiter *w;

	if (p->state == PROC_STOPPED || p->state == PROC_DELETED) {
		Containerd__Task__V2__WaitResponse r = CONTAINERD__TASK__V2__WAIT_RESPONSE__INIT;
		Google__Protobuf__Timestamp ts = GOOGLE__PROTOBUF__TIMESTAMP__INIT;
		pb_timestamp_set(&ts, &p->exited_at);
		r.exit_status = p->exit_status;
		r.exited_at = &ts;
		ttrpc_call_reply(call, &r.base);
		return;
	}
	w = xcalloc(1, sizeof(*w));
	w->call = call;
	w->p = p;
	w->next = p->waiters;
	if (p->waiters)
		p->waiters->prev = w;
	p->waiters = w;
	ttrpc_call_defer(call, proc_waiter_cancel, w);
}

void
proc_answer_waiters(struct proc *p)
{
	while (p->waiters) {
		struct proc_waiter *w = p->waiters;
		proc_waiter_unlink(w);
		proc_wait(p, w->call);
		free(w);
	}
}

void
proc_free(struct proc *p)
{
	if (!p)
		return;
	while (p->waiters) {
		struct proc_waiter *w = p->waiters;
		proc_waiter_unlink(w);
		ttrpc_call_fail(w->call, TTRPC_NOT_FOUND, "process %s was deleted", p->id);
		free(w);
	}
	if (p->drain_timer)
		event_free(p->drain_timer);
	stdio_free(p->io);
	rt_process_free(p->spec);
	free(p->stdin_path);
	free(p->stdout_path);
	free(p->stderr_path);
	free(p->id);
	free(p);
}
