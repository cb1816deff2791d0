/* address: the shim's socket: unix:///run/containerd/s/<sha256 hex> of the containerd address,
 * namespace and group id (plus a husk-specific string, so a runc shim and ours never compute
 * the same path), bound and listened on by `start`. */
#ifndef SHIM_ADDRESS_H
#define SHIM_ADDRESS_H

#include <stdbool.h>

#include "base/err.h"

#define SHIM_SOCKET_DIR "/run/containerd/s"
#define SHIM_SOCKET_LIMIT 106 /* sun_path minus the Go shim's margin */

/* "unix://<dir>/<hex>" (owned). dir NULL = SHIM_SOCKET_DIR. */
char *address_for(const char *dir, const char *containerd_address, const char *ns,
                  const char *group);
/* The path of a "unix://" address (borrowed), NULL if not one. */
const char *address_path(const char *address);

/* Binds and listens on path (parent made 0700, socket 0600). EADDRINUSE with a live server:
 * returns -1 and *in_use = true. A stale socket file is removed and bound again. */
int address_listen(const char *path, bool *in_use, struct err *err);
/* True if something accepts connections on path. */
bool address_alive(const char *path);

#endif
