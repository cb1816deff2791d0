/* server: the ttrpc server on the shim's unix socket. Accepts connections (peer credentials
 * must match ours), moves bytes between each socket and its ttrpc_conn, never blocks. */
#ifndef SHIM_SERVER_H
#define SHIM_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"

struct event_base;
struct ttrpc_registry;
struct server;

/* listen_fd: a bound, listening unix socket (owned from now on). reg is borrowed. */
int server_new(struct event_base *base, int listen_fd, const struct ttrpc_registry *reg,
               struct server **out, struct err *err);
/* Closes every connection (cancelling deferred calls) and the listener. NULL is fine. */
void server_free(struct server *s);
/* Stops accepting new connections (the listening fd is closed). */
void server_stop_accepting(struct server *s);
/* Writes out pending replies, waiting at most timeout_ms in total (used before exit). */
void server_flush(struct server *s, int timeout_ms);
size_t server_connections(const struct server *s);
/* cb(arg) runs after each read that fed requests to a connection (the shim trims its memory a
 * little later). */
void server_set_request_cb(struct server *s, void (*cb)(void *arg), void *arg);

#endif
