/* service: registry, lookups, and the lifecycle RPCs Create, Start, Delete, Connect, Shutdown. */
#include "service.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/fdutil.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "container.h"
#include "events.h"
#include "process.h"
#include "proto/events/task.pb-c.h"
#include "proto/pb.h"
#include "proto/task/v2/shim.pb-c.h"
#include "rootfs.h"
#include "service_internal.h"
#include "service_opts.h"
#include "stdio.h"

#define M(name, type, fn)                                                                          \
	{                                                                                          \
		name, &containerd__task__v2__##type##__descriptor, fn                              \
	}
static const struct ttrpc_method svc_methods[] = {
    M("State", state_request, svc_state),
    M("Create", create_task_request, svc_create),
    M("Start", start_request, svc_start),
    M("Delete", delete_request, svc_delete),
    M("Pids", pids_request, svc_pids),
    M("Pause", pause_request, svc_pause),
    M("Resume", resume_request, svc_resume),
    M("Checkpoint", checkpoint_task_request, svc_checkpoint),
    M("Kill", kill_request, svc_kill),
    M("Exec", exec_process_request, svc_exec),
    M("ResizePty", resize_pty_request, svc_resize_pty),
    M("CloseIO", close_iorequest, svc_close_io),
    M("Update", update_task_request, svc_update),
    M("Wait", wait_request, svc_wait),
    M("Stats", stats_request, svc_stats),
    M("Connect", connect_request, svc_connect),
    M("Shutdown", shutdown_request, svc_shutdown),
};
#undef M
static const struct ttrpc_service svc_task_v2 = {SVC_TASK_V2, svc_methods, ARRAY_SIZE(svc_methods)};
/* v3 (containerd 2.x) has the same messages, field for field. */
static const struct ttrpc_service svc_task_v3 = {SVC_TASK_V3, svc_methods, ARRAY_SIZE(svc_methods)};
static const struct ttrpc_service *const svc_services[] = {&svc_task_v2, &svc_task_v3};

struct svc *
svc_new(struct event_base *base, struct events *events, const char *ns, const char *root)
{
	struct svc *s = xcalloc(1, sizeof(*s));

	s->base = base;
	s->events = events;
	s->ns = xstrdup(ns);
	s->root = xstrdup(root);
	s->rt.root = s->root;
	s->reg.services = svc_services;
	s->reg.n_services = ARRAY_SIZE(svc_services);
	s->reg.arg = s;
	return s;
}

void
svc_free(struct svc *s)
{
	if (!s)
		return;
	while (s->containers) {
		struct container *c = s->containers;
		s->containers = c->next;
		container_free(c);
	}
	free(s->ns);
	free(s->root);
	free(s);
}

const struct ttrpc_registry *
svc_registry(struct svc *s)
{
	return &s->reg;
}

void
svc_set_shutdown_cb(struct svc *s, svc_shutdown_cb cb, void *arg)
{
	s->on_shutdown = cb;
	s->shutdown_arg = arg;
}

size_t
svc_count(const struct svc *s)
{
	return s->n_containers;
}

static struct container *
svc_find(const struct svc *s, const char *id)
{
	for (struct container *c = s->containers; c; c = c->next)
		if (strcmp(c->id, id) == 0)
			return c;
	return NULL;
}

struct container *
svc__container(struct svc *s, struct ttrpc_call *call, const char *id)
{
	struct container *c = svc_find(s, id ? id : "");

	if (!c)
		ttrpc_call_fail(call, TTRPC_NOT_FOUND, "container %s: container not created",
		                id ? id : "");
	return c;
}

struct proc *
svc__proc(struct svc *s, struct ttrpc_call *call, const char *id, const char *exec_id,
          struct container **cp)
{
	struct container *c = svc__container(s, call, id);
	struct proc *p;

	if (!c)
		return NULL;
	p = container_proc(c, exec_id);
	if (!p) {
		ttrpc_call_fail(call, TTRPC_NOT_FOUND, "process %s: process does not exist",
		                exec_id);
		return NULL;
	}
	if (cp)
		*cp = c;
	return p;
}

void
svc__add(struct svc *s, struct container *c)
{
	c->next = s->containers;
	s->containers = c;
	s->n_containers++;
}

void
svc__remove(struct svc *s, struct container *c)
{
	struct container **pp = &s->containers;

	while (*pp && *pp != c)
		pp = &(*pp)->next;
	if (*pp) {
		*pp = c->next;
		s->n_containers--;
	}
}

struct rt_ctx
svc__rt(const struct svc *s, const struct container *c)
{
	struct rt_ctx ctx = s->rt;

	ctx.systemd_cgroup = c->systemd_cgroup;
	return ctx;
}

void
svc__publish(struct svc *s, const char *topic, const ProtobufCMessage *msg)
{
	events_publish(s->events, topic, msg);
}

/* --- Create --- */

/* Writes <bundle>/init.pid (tmp + rename) for the delete action after a crash. */
static void
svc_write_init_pid(const struct container *c)
{
	char buf[32];
	cleanup_free char *path = xasprintf("%s/init.pid", c->bundle);
	struct err err = {0};
	int n = snprintf(buf, sizeof(buf), "%d", (int)c->init->pid);

	if (write_file_atomic_at(AT_FDCWD, path, buf, (size_t)n, 0644, &err) < 0)
		log_warn("create %s: %s", c->id, err.msg);
}

/* Learns what the runtime decided (pid namespace, cgroup) and starts the OOM watch. */
static void
svc_created_state(struct svc *s, struct container *c)
{
	struct rt_ctx ctx = svc__rt(s, c);
	struct rt_state *st = NULL;
	struct err err = {0};

	if (rt_container_state(&ctx, c->id, &st, &err) < 0) {
		log_warn("create %s: state: %s", c->id, err.msg);
		c->has_pidns = true;
		return;
	}
	c->has_pidns = st->has_pidns;
	svc__watch_oom(s, c, st->cgroup_path);
	rt_state_free(st);
}

static int
svc_mount_rootfs(struct container *c, const Containerd__Task__V2__CreateTaskRequest *r,
                 struct err *err)
{
	struct rootfs_mount *m;
	cleanup_free char *target = NULL;
	int rc;

	if (r->n_rootfs == 0)
		return 0;
	target = xasprintf("%s/rootfs", c->bundle);
	m = xcalloc(r->n_rootfs, sizeof(*m));
	for (size_t i = 0; i < r->n_rootfs; i++) {
		m[i].type = r->rootfs[i]->type;
		m[i].source = r->rootfs[i]->source;
		m[i].options = r->rootfs[i]->options;
		m[i].n_options = r->rootfs[i]->n_options;
	}
	rc = rootfs_mount_all(target, m, r->n_rootfs, err);
	free(m);
	if (rc < 0)
		return -1;
	c->rootfs = take_ptr(target);
	return 0;
}

struct stdio_cfg
svc__stdio_cfg(const struct svc *s, const struct container *c, const struct proc *p)
{
	return (struct stdio_cfg){
	    .stdin_path = p->stdin_path,
	    .stdout_path = p->stdout_path,
	    .stderr_path = p->stderr_path,
	    .terminal = p->terminal,
	    .id = c->id,
	    .ns = s->ns,
	    .has_owner = c->has_io_owner,
	    .uid = c->io_uid,
	    .gid = c->io_gid,
	};
}

static int
svc_create_init(struct svc *s, struct container *c, const struct svc_opts *o, struct err *err)
{
	struct proc *p = c->init;
	struct stdio_cfg io = svc__stdio_cfg(s, c, p);
	struct rt_create_opts ro = {
	    .id = c->id,
	    .bundle = c->bundle,
	    .no_pivot = o->no_pivot_root,
	    .no_new_keyring = o->no_new_keyring,
	    .on_pid = svc__on_pid,
	    .on_pid_arg = p,
	};
	struct rt_ctx ctx = svc__rt(s, c);
	int master = -1;
	pid_t pid = 0;

	if (stdio_new(s->base, &io, svc__on_drained, p, &p->io, err) < 0)
		return -1;
	stdio_child_fds(p->io, ro.stdio);
	if (p->terminal)
		ro.console_fd = &master;
	if (rt_container_create(&ctx, &ro, &pid, err) < 0) {
		p->pid = 0;
		return -1;
	}
	stdio_child_started(p->io);
	if (p->terminal) {
		if (master < 0) {
			struct err e2 = {0};
			rt_container_delete(&ctx, c->id, true, &e2);
			return err_set(err, EINVAL,
			               "create %s: terminal requested but the "
			               "container's process.terminal is false",
			               c->id);
		}
		stdio_attach_console(p->io, master);
	}
	p->pid = pid;
	return 0;
}

static void
svc_publish_create(struct svc *s, const struct container *c,
                   const Containerd__Task__V2__CreateTaskRequest *r)
{
	Containerd__Events__TaskCreate ev = CONTAINERD__EVENTS__TASK_CREATE__INIT;
	Containerd__Events__TaskIO io = CONTAINERD__EVENTS__TASK_IO__INIT;

	ev.container_id = c->id;
	ev.bundle = c->bundle;
	ev.rootfs = r->rootfs;
	ev.n_rootfs = r->n_rootfs;
	io.stdin = r->stdin;
	io.stdout = r->stdout;
	io.stderr = r->stderr;
	io.terminal = r->terminal;
	ev.io = &io;
	ev.checkpoint = r->checkpoint;
	ev.pid = (uint32_t)c->init->pid;
	svc__publish(s, EV_TASK_CREATE, &ev.base);
}

void
svc_create(struct ttrpc_call *call, const ProtobufCMessage *req, void *arg)
{
	const Containerd__Task__V2__CreateTaskRequest *r = (const void *)req;
	Containerd__Task__V2__CreateTaskResponse resp =
	    CONTAINERD__TASK__V2__CREATE_TASK_RESPONSE__INIT;
	struct svc *s = arg;
	struct svc_opts o;
	struct err err = {0}, e2 = {0};
	struct container *c;

	if (!*r->id || !*r->bundle || r->bundle[0] != '/') {
		ttrpc_call_fail(call, TTRPC_INVALID_ARGUMENT,
		                "create: id and an absolute bundle are required");
		return;
	}
	if (svc_find(s, r->id)) {
		ttrpc_call_fail(call, TTRPC_ALREADY_EXISTS, "container %s: already exists", r->id);
		return;
	}
	if (*r->checkpoint || *r->parent_checkpoint) {
		ttrpc_call_fail(call, TTRPC_UNIMPLEMENTED,
		                "create %s: restore from a checkpoint is not supported by "
		                "husk yet",
		                r->id);
		return;
	}
	if (svc_opts_parse(r->options, &o, &err) < 0) {
		ttrpc_call_fail_err(call, &err);
		return;
	}
	c = container_new(s, r->id, r->bundle);
	c->systemd_cgroup = o.systemd_cgroup;
	c->has_io_owner = o.has_io_owner;
	c->io_uid = o.io_uid;
	c->io_gid = o.io_gid;
	c->init->terminal = r->terminal;
	c->init->stdin_path = xstrdup(r->stdin);
	c->init->stdout_path = xstrdup(r->stdout);
	c->init->stderr_path = xstrdup(r->stderr);
	if (svc_mount_rootfs(c, r, &err) < 0 || svc_create_init(s, c, &o, &err) < 0) {
		log_error("create %s: %s", r->id, err.msg);
		if (c->rootfs && rootfs_unmount_all(c->rootfs, &e2) < 0)
			log_warn("create %s: %s", r->id, e2.msg);
		svc_opts_fini(&o);
		container_free(c);
		ttrpc_call_fail_err(call, &err);
		return;
	}
	svc_opts_fini(&o);
	svc__add(s, c);
	svc_write_init_pid(c);
	svc_created_state(s, c);
	svc_publish_create(s, c, r);
	resp.pid = (uint32_t)c->init->pid;
	ttrpc_call_reply(call, &resp.base);
	/* Create's peak (spec, seccomp, cgroup parsing) is freed: give the pages back, since a
	 * shim lives as long as its containers and its memory is multiplied by their number. */
	malloc_trim(0);
}

/* --- Start --- */

static void
svc_start_init(struct svc *s, struct ttrpc_call *call, struct container *c)
{
	Containerd__Task__V2__StartResponse resp = CONTAINERD__TASK__V2__START_RESPONSE__INIT;
	Containerd__Events__TaskStart ev = CONTAINERD__EVENTS__TASK_START__INIT;
	struct rt_ctx ctx = svc__rt(s, c);
	struct proc *p = c->init;
	struct err err = {0};

	if (p->state != PROC_CREATED || p->reaped) {
		ttrpc_call_fail(call, TTRPC_FAILED_PRECONDITION, "start %s: container is %s", c->id,
		                p->reaped ? "stopped" : proc_state_name(p->state));
		return;
	}
	if (rt_container_start(&ctx, c->id, &err) < 0) {
		log_error("start %s: %s", c->id, err.msg);
		ttrpc_call_fail_err(call, &err);
		return;
	}
	proc_transition(p, PROC_RUNNING, &err);
	/* published before the reply and before any exit the reaper sees later */
	ev.container_id = c->id;
	ev.pid = (uint32_t)p->pid;
	svc__publish(s, EV_TASK_START, &ev.base);
	resp.pid = (uint32_t)p->pid;
	ttrpc_call_reply(call, &resp.base);
}

void
svc_start(struct ttrpc_call *call, const ProtobufCMessage *req, void *arg)
{
	const Containerd__Task__V2__StartRequest *r = (const void *)req;
	struct container *c = NULL;
	struct svc *s = arg;
	struct proc *p = svc__proc(s, call, r->id, r->exec_id, &c);

	if (!p)
		return;
	if (p->is_init)
		svc_start_init(s, call, c);
	else
		svc__start_exec(s, call, c, p);
}

/* --- Delete --- */

/* A created init that never ran: kill it and collect it here (it is our child). */
static void
svc_kill_created(struct proc *p)
{
	struct timespec pause = {0, 10 * 1000 * 1000};
	int st = 0;

	if (p->reaped || p->pid <= 0)
		return;
	kill(p->pid, SIGKILL);
	for (int i = 0; i < 500; i++) {
		pid_t r = waitpid(p->pid, &st, WNOHANG);
		if (r == p->pid || (r < 0 && errno != EINTR))
			break;
		nanosleep(&pause, NULL);
	}
	p->reaped = true;
	p->exit_status = 128 + SIGKILL;
	clock_gettime(CLOCK_REALTIME, &p->exited_at);
}

static void
svc_delete_exec(struct ttrpc_call *call, struct container *c, struct proc *p)
{
	Containerd__Task__V2__DeleteResponse resp = CONTAINERD__TASK__V2__DELETE_RESPONSE__INIT;
	Google__Protobuf__Timestamp ts = GOOGLE__PROTOBUF__TIMESTAMP__INIT;

	if (p->state != PROC_CREATED && p->state != PROC_STOPPED) {
		ttrpc_call_fail(call, TTRPC_FAILED_PRECONDITION, "delete %s/%s: process is %s",
		                c->id, p->id, proc_state_name(p->state));
		return;
	}
	resp.pid = (uint32_t)p->pid;
	resp.exit_status = p->exit_status;
	pb_timestamp_set(&ts, &p->exited_at);
	resp.exited_at = &ts;
	ttrpc_call_reply(call, &resp.base);
	container_drop_exec(c, p);
}

/* Runtime state, cgroup, rootfs: what must go before the task is forgotten. */
static int
svc_delete_resources(struct svc *s, struct container *c, struct err *err)
{
	struct rt_ctx ctx = svc__rt(s, c);
	cleanup_free char *pidfile = xasprintf("%s/init.pid", c->bundle);

	if (rt_container_delete(&ctx, c->id, true, err) < 0 && err->code != ENOENT)
		return -1;
	err_clear(err);
	if (c->rootfs && rootfs_unmount_all(c->rootfs, err) < 0)
		return -1;
	unlink(pidfile);
	return 0;
}

static void
svc_delete_init(struct svc *s, struct ttrpc_call *call, struct container *c)
{
	Containerd__Task__V2__DeleteResponse resp = CONTAINERD__TASK__V2__DELETE_RESPONSE__INIT;
	Containerd__Events__TaskDelete ev = CONTAINERD__EVENTS__TASK_DELETE__INIT;
	Google__Protobuf__Timestamp ts = GOOGLE__PROTOBUF__TIMESTAMP__INIT;
	struct proc *p = c->init;
	struct err err = {0};

	if (p->state != PROC_CREATED && p->state != PROC_STOPPED) {
		ttrpc_call_fail(call, TTRPC_FAILED_PRECONDITION, "delete %s: container is %s",
		                c->id, proc_state_name(p->state));
		return;
	}
	if (p->state == PROC_CREATED)
		svc_kill_created(p);
	if (svc_delete_resources(s, c, &err) < 0) {
		log_error("delete %s: %s", c->id, err.msg);
		ttrpc_call_fail_err(call, &err);
		return;
	}
	pb_timestamp_set(&ts, &p->exited_at);
	ev.container_id = c->id;
	ev.pid = (uint32_t)p->pid;
	ev.exit_status = p->exit_status;
	ev.exited_at = &ts;
	svc__publish(s, EV_TASK_DELETE, &ev.base);
	resp.pid = ev.pid;
	resp.exit_status = ev.exit_status;
	resp.exited_at = &ts;
	ttrpc_call_reply(call, &resp.base);
	svc__remove(s, c);
	container_free(c);
}

void
svc_delete(struct ttrpc_call *call, const ProtobufCMessage *req, void *arg)
{
	const Containerd__Task__V2__DeleteRequest *r = (const void *)req;
	struct container *c = NULL;
	struct svc *s = arg;
	struct proc *p = svc__proc(s, call, r->id, r->exec_id, &c);

	if (!p)
		return;
	if (p->is_init)
		svc_delete_init(s, call, c);
	else
		svc_delete_exec(call, c, p);
}

/* --- Connect, Shutdown --- */

void
svc_connect(struct ttrpc_call *call, const ProtobufCMessage *req, void *arg)
{
	const Containerd__Task__V2__ConnectRequest *r = (const void *)req;
	Containerd__Task__V2__ConnectResponse resp = CONTAINERD__TASK__V2__CONNECT_RESPONSE__INIT;
	const struct container *c = svc_find(arg, r->id);

	resp.shim_pid = (uint32_t)getpid();
	resp.task_pid = c ? (uint32_t)c->init->pid : 0;
	ttrpc_call_reply(call, &resp.base);
}

void
svc_shutdown(struct ttrpc_call *call, const ProtobufCMessage *req, void *arg)
{
	struct svc *s = arg;

	(void)req;
	ttrpc_call_reply(call, NULL);
	if (s->n_containers == 0 && s->on_shutdown)
		s->on_shutdown(s->shutdown_arg);
}
