/* stdio_logger: binary:// log drivers. The program gets the process's stdout on fd 3, stderr
 * on fd 4 and a readiness pipe on fd 5, args from the URI query, env CONTAINER_ID and
 * CONTAINER_NAMESPACE; we wait (bounded) until it writes a byte or closes fd 5. */
#ifndef SHIM_STDIO_LOGGER_H
#define SHIM_STDIO_LOGGER_H

#include <sys/types.h>

#include "base/err.h"

#define LOGGER_READY_TIMEOUT_MS 10000
#define LOGGER_KILL_TIMEOUT_S 12

struct event_base;
struct stdio_uri;

/* Starts the logger; *out_fd / *err_fd receive the write ends of its stdout / stderr pipes
 * (owned by the caller, CLOEXEC), *pidfd a pidfd of the logger (owned). */
int logger_start(const struct stdio_uri *u, const char *id, const char *ns, int *out_fd,
                 int *err_fd, int *pidfd, struct err *err);

/* SIGTERM now, SIGKILL after LOGGER_KILL_TIMEOUT_S if it still runs; takes pidfd. The loop's
 * reaper collects the exit (the logger is our child). */
void logger_stop(struct event_base *base, int pidfd);

#endif
