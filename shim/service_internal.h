/* service_internal: what the service_*.c files share (tests include it too). */
#ifndef SHIM_SERVICE_INTERNAL_H
#define SHIM_SERVICE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include <protobuf-c/protobuf-c.h>

#include "events.h"
#include "rt.h"
#include "service.h"
#include "ttrpc_conn.h"

struct container;
struct proc;
struct stdio;

struct svc {
	struct event_base *base;      /* borrowed: outlives the service */
	struct events *events;        /* borrowed */
	char *ns;                     /* owned */
	char *root;                   /* owned: runtime state root */
	struct rt_ctx rt;             /* root points at ->root */
	struct container *containers; /* owned list */
	size_t n_containers;
	struct ttrpc_registry reg;
	svc_shutdown_cb on_shutdown;
	void *shutdown_arg;
};

/* Output is waited for this long after an exit before the exit is reported anyway. */
#define SVC_DRAIN_TIMEOUT_MS 2000

/* The container, or NULL after failing the call with NotFound "container not created". */
struct container *svc__container(struct svc *s, struct ttrpc_call *call, const char *id);
/* The process, or NULL after failing the call (NotFound). */
struct proc *svc__proc(struct svc *s, struct ttrpc_call *call, const char *id, const char *exec_id,
                       struct container **cp);
void svc__add(struct svc *s, struct container *c);
void svc__remove(struct svc *s, struct container *c);
/* The runtime context for a container (its systemd flag). */
struct rt_ctx svc__rt(const struct svc *s, const struct container *c);
/* What stdio_new gets for process p of c: its FIFOs or log URI, terminal, pipe owner. */
struct stdio_cfg svc__stdio_cfg(const struct svc *s, const struct container *c,
                                const struct proc *p);
void svc__publish(struct svc *s, const char *topic, const ProtobufCMessage *msg);

/* Handlers, one per RPC (service.c, service_exec.c, service_query.c). */
void svc_create(struct ttrpc_call *call, const ProtobufCMessage *req, void *arg);
void svc_start(struct ttrpc_call *call, const ProtobufCMessage *req, void *arg);
void svc_delete(struct ttrpc_call *call, const ProtobufCMessage *req, void *arg);
void svc_connect(struct ttrpc_call *call, const ProtobufCMessage *req, void *arg);
void svc_shutdown(struct ttrpc_call *call, const ProtobufCMessage *req, void *arg);
void svc_exec(struct ttrpc_call *call, const ProtobufCMessage *req, void *arg);
void svc_kill(struct ttrpc_call *call, const ProtobufCMessage *req, void *arg);
void svc_wait(struct ttrpc_call *call, const ProtobufCMessage *req, void *arg);
void svc_resize_pty(struct ttrpc_call *call, const ProtobufCMessage *req, void *arg);
void svc_close_io(struct ttrpc_call *call, const ProtobufCMessage *req, void *arg);
void svc_state(struct ttrpc_call *call, const ProtobufCMessage *req, void *arg);
void svc_pids(struct ttrpc_call *call, const ProtobufCMessage *req, void *arg);
void svc_pause(struct ttrpc_call *call, const ProtobufCMessage *req, void *arg);
void svc_resume(struct ttrpc_call *call, const ProtobufCMessage *req, void *arg);
void svc_checkpoint(struct ttrpc_call *call, const ProtobufCMessage *req, void *arg);
void svc_update(struct ttrpc_call *call, const ProtobufCMessage *req, void *arg);
void svc_stats(struct ttrpc_call *call, const ProtobufCMessage *req, void *arg);

/* Starting an exec (Start with an exec id; service_exec.c). */
void svc__start_exec(struct svc *s, struct ttrpc_call *call, struct container *c, struct proc *p);
/* Process-side pieces shared by Create and Start exec (service_exit.c). */
void svc__on_pid(pid_t pid, void *arg);
void svc__on_drained(struct stdio *io, void *arg);
/* Reports p's exit if everything it waits for is done (output drained, execs exited). */
void svc__try_publish_exit(struct proc *p);
/* Opens the container's cgroup (stats) and starts its OOM watch (best effort). */
void svc__watch_oom(struct svc *s, struct container *c, const char *cgroup_path);

#endif
