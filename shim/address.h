/* address: the shim's socket: unix:///run/containerd/s/<sha256 hex> of the containerd address,
 * namespace and group id (plus a husk-specific string, so a runc shim and ours never compute
 * the same path), bound and listened on by `start`. containerd 2.3 may name another directory
 * (BootstrapParams.socket_dir); the file name stays the same hash. */
#ifndef SHIM_ADDRESS_H
#define SHIM_ADDRESS_H

#include <stdbool.h>

#include "base/err.h"

#define SHIM_SOCKET_DIR "/run/containerd/s"
/* Longest socket path: sun_path (108) minus its NUL, as Go's net.Listen allows. containerd 2.3
 * accepts a socket_dir of up to 42 bytes: 42 + "/" + 64 hex = 107. */
#define SHIM_SOCKET_LIMIT 107

/* "unix://<dir>/<hex>" (owned). dir NULL = SHIM_SOCKET_DIR; a trailing "/" is not doubled. */
char *address_for(const char *dir, const char *containerd_address, const char *ns,
                  const char *group);
/* The path of a "unix://" address (borrowed), NULL if not one. */
const char *address_path(const char *address);

/* Binds and listens on path (parent made 0700, socket 0600). EADDRINUSE with a live server:
 * returns -1 and *in_use = true. A stale socket file is removed and bound again. */
int address_listen(const char *path, bool *in_use, struct err *err);
/* True if something accepts connections on path. */
bool address_alive(const char *path);

/* dir as a socket directory (owned): absolute, trailing slashes dropped; EINVAL naming it if
 * relative, empty, or with ".", ".." or empty components. */
char *address_clean_dir(const char *dir, struct err *err);
/* True if address is exactly what address_for gives for its own directory (a clean absolute
 * one) and these inputs: a "unix://" address of ours, whatever socket dir was configured. */
bool address_is_ours(const char *address, const char *containerd_address, const char *ns,
                     const char *group);
/* Removes the socket file at path unless a server still accepts on it. Only a socket is
 * removed, never a symlink's target or another kind of file. 1 removed, 0 nothing to remove
 * (absent, alive), -1 on error (not a socket, unlink failed). */
int address_remove_stale(const char *path, struct err *err);

#endif
