/* service: the containerd.task.v2.Task service (also registered as containerd.task.v3.Task):
 * one handler per RPC over the container and process state machines; exits from the reaper;
 * events to the publisher. */
#ifndef SHIM_SERVICE_H
#define SHIM_SERVICE_H

#include <stddef.h>
#include <sys/types.h>
#include <time.h>

struct event_base;
struct events;
struct svc;
struct ttrpc_registry;

#define SVC_TASK_V2 "containerd.task.v2.Task"
#define SVC_TASK_V3 "containerd.task.v3.Task"

/* Called after Shutdown was answered with no container left: time to exit. */
typedef void (*svc_shutdown_cb)(void *arg);

/* root: the runtime state root for this namespace (e.g. /run/containerd/husk/<ns>). */
struct svc *svc_new(struct event_base *base, struct events *events, const char *ns,
                    const char *root);
void svc_free(struct svc *s);
const struct ttrpc_registry *svc_registry(struct svc *s);
void svc_set_shutdown_cb(struct svc *s, svc_shutdown_cb cb, void *arg);
size_t svc_count(const struct svc *s);
/* The reaper's callback (loop_exit_cb). */
void svc_on_exit(pid_t pid, int status, const struct timespec *at, void *arg);

#endif
