/* service_exec: the process RPCs: Exec, Start of an exec, Kill, Wait, ResizePty, CloseIO. */
#include "service.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>

#include "base/log.h"
#include "base/xalloc.h"
#include "container.h"
#include "process.h"
#include "proto/events/task.pb-c.h"
#include "proto/pb.h"
#include "proto/task/v2/shim.pb-c.h"
#include "service_internal.h"
#include "stdio.h"

#define OCI_PROCESS_TYPE PB_OCI_TYPE_PREFIX "Process"

void
svc_exec(struct ttrpc_call *call, const ProtobufCMessage *req, void *arg)
{
	const Containerd__Task__V2__ExecProcessRequest *r = (const void *)req;
	Containerd__Events__TaskExecAdded ev = CONTAINERD__EVENTS__TASK_EXEC_ADDED__INIT;
	struct rt_process *spec = NULL;
	struct svc *s = arg;
	struct container *c = svc__container(s, call, r->id);
	struct err err = {0};
	struct proc *p;

	if (!c)
		return;
	if (!*r->exec_id) {
		ttrpc_call_fail(call, TTRPC_INVALID_ARGUMENT, "exec in %s: exec id is empty",
		                c->id);
		return;
	}
	if (container_proc(c, r->exec_id)) {
		ttrpc_call_fail(call, TTRPC_ALREADY_EXISTS, "id %s: already exists", r->exec_id);
		return;
	}
	if (c->init->state == PROC_STOPPED || c->init->reaped) {
		ttrpc_call_fail(call, TTRPC_FAILED_PRECONDITION, "exec in %s: container is stopped",
		                c->id);
		return;
	}
	if (!r->spec || !pb_any_is(r->spec, OCI_PROCESS_TYPE) ||
	    rt_process_parse((const char *)r->spec->value.data, r->spec->value.len, &spec, &err) <
	        0) {
		if (!err.msg[0])
			err_set(&err, EINVAL, "spec is not a %s", OCI_PROCESS_TYPE);
		err_wrap(&err, "exec %s in %s", r->exec_id, c->id);
		ttrpc_call_fail(call, TTRPC_INVALID_ARGUMENT, "%s", err.msg);
		return;
	}
	p = proc_new(c, r->exec_id, false);
	p->spec = spec;
	p->terminal = r->terminal;
	p->stdin_path = xstrdup(r->stdin);
	p->stdout_path = xstrdup(r->stdout);
	p->stderr_path = xstrdup(r->stderr);
	p->next = c->execs;
	c->execs = p;
	ev.container_id = c->id;
	ev.exec_id = p->id;
	svc__publish(s, EV_TASK_EXEC_ADDED, &ev.base);
	ttrpc_call_reply(call, NULL);
}

static int
svc_exec_spawn(struct svc *s, struct container *c, struct proc *p, struct err *err)
{
	struct stdio_cfg io = svc__stdio_cfg(s, c, p);
	struct rt_exec_opts eo = {
	    .id = c->id,
	    .process = p->spec,
	    .on_pid = svc__on_pid,
	    .on_pid_arg = p,
	};
	struct rt_ctx ctx = svc__rt(s, c);
	int master = -1;
	pid_t pid = 0;

	p->spec->terminal = p->terminal;
	if (stdio_new(s->base, &io, svc__on_drained, p, &p->io, err) < 0)
		return -1;
	if (p->stdin_closed)
		stdio_close_stdin(p->io);
	stdio_child_fds(p->io, eo.stdio);
	if (p->terminal)
		eo.console_fd = &master;
	if (rt_container_exec(&ctx, &eo, &pid, err) < 0) {
		p->pid = 0;
		stdio_free(p->io);
		p->io = NULL;
		return -1;
	}
	stdio_child_started(p->io);
	if (master >= 0)
		stdio_attach_console(p->io, master);
	p->pid = pid;
	return 0;
}

void
svc__start_exec(struct svc *s, struct ttrpc_call *call, struct container *c, struct proc *p)
{
	Containerd__Task__V2__StartResponse resp = CONTAINERD__TASK__V2__START_RESPONSE__INIT;
	Containerd__Events__TaskExecStarted ev = CONTAINERD__EVENTS__TASK_EXEC_STARTED__INIT;
	struct err err = {0};

	if (p->state != PROC_CREATED) {
		ttrpc_call_fail(call, TTRPC_FAILED_PRECONDITION, "start %s/%s: process is %s",
		                c->id, p->id, proc_state_name(p->state));
		return;
	}
	if (!proc_is_live(c->init) || c->init->reaped) {
		ttrpc_call_fail(call, TTRPC_FAILED_PRECONDITION,
		                "start %s/%s: container is not running", c->id, p->id);
		return;
	}
	if (svc_exec_spawn(s, c, p, &err) < 0) {
		log_error("exec %s in %s: %s", p->id, c->id, err.msg);
		ttrpc_call_fail_err(call, &err);
		return;
	}
	proc_transition(p, PROC_RUNNING, &err);
	ev.container_id = c->id;
	ev.exec_id = p->id;
	ev.pid = (uint32_t)p->pid;
	svc__publish(s, EV_TASK_EXEC_STARTED, &ev.base);
	resp.pid = (uint32_t)p->pid;
	ttrpc_call_reply(call, &resp.base);
}

void
svc_kill(struct ttrpc_call *call, const ProtobufCMessage *req, void *arg)
{
	const Containerd__Task__V2__KillRequest *r = (const void *)req;
	struct container *c = NULL;
	struct svc *s = arg;
	struct proc *p = svc__proc(s, call, r->id, r->exec_id, &c);
	struct rt_ctx ctx;
	struct err err = {0};

	if (!p)
		return;
	/* kill --all after the init exited still reaches what it left in the cgroup (as runc's
	 * kill --all on a stopped container): a shared pid namespace does not end them */
	if (p->state == PROC_DELETED ||
	    ((p->reaped || p->state == PROC_STOPPED) && !(p->is_init && r->all))) {
		ttrpc_call_fail(call, TTRPC_NOT_FOUND, "kill %s: process already finished", p->id);
		return;
	}
	if (!p->is_init) {
		if (p->state == PROC_CREATED || p->pid <= 0) {
			ttrpc_call_fail(call, TTRPC_FAILED_PRECONDITION,
			                "kill %s: process not created", p->id);
			return;
		}
		/* our child, not yet reaped: its pid cannot have been reused */
		if (kill(p->pid, (int)r->signal) < 0) {
			ttrpc_call_fail(call, errno == ESRCH ? TTRPC_NOT_FOUND : TTRPC_UNKNOWN,
			                "kill %s: %s", p->id, strerror(errno));
			return;
		}
		ttrpc_call_reply(call, NULL);
		return;
	}
	ctx = svc__rt(s, c);
	if (rt_container_kill(&ctx, c->id, (int)r->signal, r->all, &err) < 0) {
		if (err.code == ESRCH)
			err.code = ENOENT;
		ttrpc_call_fail_err(call, &err);
		return;
	}
	ttrpc_call_reply(call, NULL);
}

void
svc_wait(struct ttrpc_call *call, const ProtobufCMessage *req, void *arg)
{
	const Containerd__Task__V2__WaitRequest *r = (const void *)req;
	struct proc *p = svc__proc(arg, call, r->id, r->exec_id, NULL);

	if (p)
		proc_wait(p, call);
}

void
svc_resize_pty(struct ttrpc_call *call, const ProtobufCMessage *req, void *arg)
{
	const Containerd__Task__V2__ResizePtyRequest *r = (const void *)req;
	struct proc *p = svc__proc(arg, call, r->id, r->exec_id, NULL);
	struct winsize ws = {.ws_row = (unsigned short)r->height,
	                     .ws_col = (unsigned short)r->width};
	int fd;

	if (!p)
		return;
	fd = p->io ? stdio_console(p->io) : -1;
	/* no terminal: nothing to resize (runc ignores it too) */
	if (fd >= 0 && ioctl(fd, TIOCSWINSZ, &ws) < 0) {
		ttrpc_call_fail(call, TTRPC_UNKNOWN, "resize %s: %s", p->id, strerror(errno));
		return;
	}
	ttrpc_call_reply(call, NULL);
}

void
svc_close_io(struct ttrpc_call *call, const ProtobufCMessage *req, void *arg)
{
	const Containerd__Task__V2__CloseIORequest *r = (const void *)req;
	struct proc *p = svc__proc(arg, call, r->id, r->exec_id, NULL);

	if (!p)
		return;
	if (r->stdin) {
		p->stdin_closed = true;
		if (p->io)
			stdio_close_stdin(p->io);
	}
	ttrpc_call_reply(call, NULL);
}
