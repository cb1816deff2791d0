/* manager: the shim binary's actions: `start` (spawn or reuse the server, print the address),
 * `serve` (the server `start` spawns), `delete` (clean up after a dead shim, print a
 * DeleteResponse), -info, -v. */
#ifndef SHIM_MANAGER_H
#define SHIM_MANAGER_H

#include "args.h"

#define SHIM_RUNTIME_NAME "io.containerd.husk.v2"
#ifndef HUSK_VERSION
#define HUSK_VERSION "0.1.0"
#endif

/* Each returns the process exit code. */
int manager_start(const struct shim_args *a);
int manager_delete(const struct shim_args *a);
/* `serve` (internal: `start` execs it): the long-lived server on the listening socket at fd 3,
 * -socket being its path. */
int manager_serve(const struct shim_args *a);
int manager_info(void);
int manager_version(void);

/* The group id of the bundle in cwd: the first of the annotations io.containerd.runc.v2.group,
 * io.kubernetes.cri.sandbox-id present in config.json, else id. Owned. */
char *manager_group(const char *config_path, const char *id);

#endif
