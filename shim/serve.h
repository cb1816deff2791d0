/* serve: the long-lived shim server: loop, ttrpc server, task service, events publisher. */
#ifndef SHIM_SERVE_H
#define SHIM_SERVE_H

#include "args.h"

#define SHIM_STATE_ROOT "/run/containerd/husk" /* runtime state: <root>/<namespace> */

/* Runs until Shutdown (with no container left) or SIGTERM; listen_fd is taken. Returns the
 * process exit code. socket_path is unlinked on the way out. */
int serve_run(const struct shim_args *a, int listen_fd, const char *socket_path);

#endif
