/* service_query: State, Pids, Pause, Resume, Checkpoint, Update, Stats. */
#include "service.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/xalloc.h"
#include "cgroups/cgroups.h"
#include "container.h"
#include "process.h"
#include "proto/events/task.pb-c.h"
#include "proto/pb.h"
#include "proto/runc/options.pb-c.h"
#include "proto/task/v2/shim.pb-c.h"
#include "service_internal.h"
#include "service_stats.h"

static Containerd__V1__Types__Status
svc_status(const struct proc *p)
{
	switch (p->state) {
	case PROC_CREATED:
		return CONTAINERD__V1__TYPES__STATUS__CREATED;
	case PROC_RUNNING:
		return CONTAINERD__V1__TYPES__STATUS__RUNNING;
	case PROC_PAUSED:
		return CONTAINERD__V1__TYPES__STATUS__PAUSED;
	case PROC_STOPPED:
	case PROC_DELETED:
		return CONTAINERD__V1__TYPES__STATUS__STOPPED;
	default:
		return CONTAINERD__V1__TYPES__STATUS__UNKNOWN;
	}
}

void
svc_state(struct ttrpc_call *call, const ProtobufCMessage *req, void *arg)
{
	const Containerd__Task__V2__StateRequest *r = (const void *)req;
	Containerd__Task__V2__StateResponse resp = CONTAINERD__TASK__V2__STATE_RESPONSE__INIT;
	Google__Protobuf__Timestamp ts = GOOGLE__PROTOBUF__TIMESTAMP__INIT;
	struct container *c = NULL;
	struct proc *p = svc__proc(arg, call, r->id, r->exec_id, &c);
	bool stopped;

	if (!p)
		return;
	stopped = p->state == PROC_STOPPED;
	resp.id = p->id;
	resp.bundle = c->bundle;
	resp.pid = (uint32_t)p->pid;
	resp.status = svc_status(p);
	resp.stdin = p->stdin_path ? p->stdin_path : "";
	resp.stdout = p->stdout_path ? p->stdout_path : "";
	resp.stderr = p->stderr_path ? p->stderr_path : "";
	resp.terminal = p->terminal;
	resp.exit_status = stopped ? p->exit_status : 0;
	if (stopped) {
		pb_timestamp_set(&ts, &p->exited_at);
	} else {
		struct timespec zero = {0, 0};
		pb_timestamp_set(&ts, &zero); /* Go's zero time, as runc sends for a live process */
	}
	resp.exited_at = &ts;
	ttrpc_call_reply(call, &resp.base);
}

/* The exec a pid belongs to, or NULL. */
static const struct proc *
svc_exec_of(const struct container *c, pid_t pid)
{
	for (const struct proc *p = c->execs; p; p = p->next)
		if (p->pid == pid && !p->reaped)
			return p;
	return NULL;
}

void
svc_pids(struct ttrpc_call *call, const ProtobufCMessage *req, void *arg)
{
	const Containerd__Task__V2__PidsRequest *r = (const void *)req;
	Containerd__Task__V2__PidsResponse resp = CONTAINERD__TASK__V2__PIDS_RESPONSE__INIT;
	struct svc *s = arg;
	struct container *c = svc__container(s, call, r->id);
	Containerd__V1__Types__ProcessInfo *infos = NULL, **ptrs = NULL;
	Containerd__Runc__V1__ProcessDetails *details = NULL;
	Google__Protobuf__Any *anys = NULL;
	uint8_t **bufs = NULL;
	struct rt_ctx ctx;
	struct err err = {0};
	pid_t *pids = NULL;
	size_t n = 0;

	if (!c)
		return;
	ctx = svc__rt(s, c);
	if (rt_container_pids(&ctx, c->id, &pids, &n, &err) < 0) {
		ttrpc_call_fail_err(call, &err);
		return;
	}
	infos = xcalloc(n + 1, sizeof(*infos));
	ptrs = xcalloc(n + 1, sizeof(*ptrs));
	details = xcalloc(n + 1, sizeof(*details));
	anys = xcalloc(n + 1, sizeof(*anys));
	bufs = xcalloc(n + 1, sizeof(*bufs));
	for (size_t i = 0; i < n; i++) {
		const struct proc *e = svc_exec_of(c, pids[i]);
		containerd__v1__types__process_info__init(&infos[i]);
		infos[i].pid = (uint32_t)pids[i];
		if (e) {
			containerd__runc__v1__process_details__init(&details[i]);
			google__protobuf__any__init(&anys[i]);
			details[i].exec_id = e->id;
			pb_any_pack(&anys[i], "containerd.runc.v1.ProcessDetails", &details[i].base,
			            &bufs[i]);
			infos[i].info = &anys[i];
		}
		ptrs[i] = &infos[i];
	}
	resp.processes = ptrs;
	resp.n_processes = n;
	ttrpc_call_reply(call, &resp.base);
	for (size_t i = 0; i < n; i++)
		free(bufs[i]);
	free(bufs);
	free(anys);
	free(details);
	free(ptrs);
	free(infos);
	free(pids);
}

/* Pause and Resume: freeze or thaw, the init's state, the event. */
static void
svc_freeze(struct svc *s, struct ttrpc_call *call, const char *id, bool pause)
{
	struct container *c = svc__container(s, call, id);
	struct rt_ctx ctx;
	struct err err = {0};

	if (!c)
		return;
	if (c->init->state != (pause ? PROC_RUNNING : PROC_PAUSED) || c->init->reaped) {
		ttrpc_call_fail(call, TTRPC_FAILED_PRECONDITION, "%s %s: container is %s",
		                pause ? "pause" : "resume", id,
		                c->init->reaped ? "stopped" : proc_state_name(c->init->state));
		return;
	}
	ctx = svc__rt(s, c);
	if ((pause ? rt_container_pause(&ctx, id, &err) : rt_container_resume(&ctx, id, &err)) <
	    0) {
		ttrpc_call_fail_err(call, &err);
		return;
	}
	proc_transition(c->init, pause ? PROC_PAUSED : PROC_RUNNING, &err);
	if (pause) {
		Containerd__Events__TaskPaused ev = CONTAINERD__EVENTS__TASK_PAUSED__INIT;
		ev.container_id = c->id;
		svc__publish(s, EV_TASK_PAUSED, &ev.base);
	} else {
		Containerd__Events__TaskResumed ev = CONTAINERD__EVENTS__TASK_RESUMED__INIT;
		ev.container_id = c->id;
		svc__publish(s, EV_TASK_RESUMED, &ev.base);
	}
	ttrpc_call_reply(call, NULL);
}

void
svc_pause(struct ttrpc_call *call, const ProtobufCMessage *req, void *arg)
{
	svc_freeze(arg, call, ((const Containerd__Task__V2__PauseRequest *)req)->id, true);
}

void
svc_resume(struct ttrpc_call *call, const ProtobufCMessage *req, void *arg)
{
	svc_freeze(arg, call, ((const Containerd__Task__V2__ResumeRequest *)req)->id, false);
}

void
svc_checkpoint(struct ttrpc_call *call, const ProtobufCMessage *req, void *arg)
{
	const Containerd__Task__V2__CheckpointTaskRequest *r = (const void *)req;

	(void)arg;
	ttrpc_call_fail(call, TTRPC_UNIMPLEMENTED,
	                "checkpoint %s: checkpointing is not supported by husk yet", r->id);
}

void
svc_update(struct ttrpc_call *call, const ProtobufCMessage *req, void *arg)
{
	const Containerd__Task__V2__UpdateTaskRequest *r = (const void *)req;
	struct svc *s = arg;
	struct container *c = svc__container(s, call, r->id);
	struct cg_resources res;
	struct rt_ctx ctx;
	struct err err = {0};

	if (!c)
		return;
	memset(&res, 0, sizeof(res));
	if (!r->resources || !pb_any_is(r->resources, PB_OCI_TYPE_PREFIX "LinuxResources")) {
		ttrpc_call_fail(call, TTRPC_INVALID_ARGUMENT,
		                "update %s: resources must be a %sLinuxResources", c->id,
		                PB_OCI_TYPE_PREFIX);
		return;
	}
	if (rt_resources_parse((const char *)r->resources->value.data, r->resources->value.len,
	                       &res, &err) < 0) {
		err.code = EINVAL;
		err_wrap(&err, "update %s", c->id);
		ttrpc_call_fail_err(call, &err);
		cg_resources_fini(&res);
		return;
	}
	ctx = svc__rt(s, c);
	if (rt_container_update(&ctx, c->id, &res, &err) < 0)
		ttrpc_call_fail_err(call, &err);
	else
		ttrpc_call_reply(call, NULL);
	cg_resources_fini(&res);
}

void
svc_stats(struct ttrpc_call *call, const ProtobufCMessage *req, void *arg)
{
	const Containerd__Task__V2__StatsRequest *r = (const void *)req;
	Containerd__Task__V2__StatsResponse resp = CONTAINERD__TASK__V2__STATS_RESPONSE__INIT;
	Google__Protobuf__Any any = GOOGLE__PROTOBUF__ANY__INIT;
	struct container *c = svc__container(arg, call, r->id);
	struct cg_stats st;
	struct err err = {0};
	uint8_t *buf = NULL;

	if (!c)
		return;
	if (!c->cg) {
		ttrpc_call_fail(call, TTRPC_NOT_FOUND, "stats %s: no cgroup", c->id);
		return;
	}
	if (cg_stats(c->cg, &st, &err) < 0) {
		ttrpc_call_fail_err(call, &err);
		return;
	}
	if (svc_stats_pack(&st, c->init->pid, &any, &buf) < 0)
		ttrpc_call_fail(call, TTRPC_INTERNAL, "stats %s: cannot encode", c->id);
	else {
		resp.stats = &any;
		ttrpc_call_reply(call, &resp.base);
	}
	free(buf);
	cg_stats_fini(&st);
}
