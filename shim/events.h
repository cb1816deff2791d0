/* events: the publisher. Events go, in the order published, to containerd's ttrpc Events.Forward
 * at TTRPC_ADDRESS, one at a time from a queue (never from inside an RPC handler). A failed
 * Forward is retried after `attempt` seconds, up to EVENTS_MAX_ATTEMPTS, head of line, so the
 * order holds; the connection is re-dialled after errors. */
#ifndef SHIM_EVENTS_H
#define SHIM_EVENTS_H

#include <stdbool.h>
#include <stddef.h>

#include <protobuf-c/protobuf-c.h>

#define EVENTS_MAX_ATTEMPTS 5
#define EVENTS_QUEUE_MAX 2048
#define EVENTS_TIMEOUT_MS 5000

/* Topics (containerd runtime/events.go) and type URLs. */
#define EV_TASK_CREATE "/tasks/create"
#define EV_TASK_START "/tasks/start"
#define EV_TASK_EXIT "/tasks/exit"
#define EV_TASK_DELETE "/tasks/delete"
#define EV_TASK_EXEC_ADDED "/tasks/exec-added"
#define EV_TASK_EXEC_STARTED "/tasks/exec-started"
#define EV_TASK_PAUSED "/tasks/paused"
#define EV_TASK_RESUMED "/tasks/resumed"
#define EV_TASK_OOM "/tasks/oom"
#define EV_TASK_CHECKPOINTED "/tasks/checkpointed"

struct event_base;
struct events;

/* address: a socket path (an optional "unix://" is stripped); NULL or "" = events are logged
 * and dropped. ns: the namespace stamped on every envelope. */
struct events *events_new(struct event_base *base, const char *address, const char *ns);
void events_free(struct events *ev);
/* Queues an event; the message is packed now, stamped with the current time. The type URL is
 * the message's full name (e.g. containerd.events.TaskExit). */
void events_publish(struct events *ev, const char *topic, const ProtobufCMessage *msg);
/* Events not yet delivered (queued or in flight). */
size_t events_pending(const struct events *ev);
/* Test hook: the retry delay unit (default 1000 ms: attempt N waits N units) and the Forward
 * timeout (default EVENTS_TIMEOUT_MS). */
void events_set_timing(struct events *ev, int retry_unit_ms, int timeout_ms);
/* Runs the loop until the queue is empty or timeout_ms passed (before exit). */
void events_drain(struct events *ev, int timeout_ms);

#endif
