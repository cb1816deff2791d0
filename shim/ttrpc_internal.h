/* ttrpc_internal: the connection and call structures shared by ttrpc_conn.c (buffers, answers)
 * and ttrpc_dispatch.c (frames in: server dispatch and client responses). Tests include it. */
#ifndef SHIM_TTRPC_INTERNAL_H
#define SHIM_TTRPC_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ttrpc_client.h"
#include "ttrpc_conn.h"
#include "ttrpc_frame.h"

struct ttrpc_md {
	char *key;   /* owned */
	char *value; /* owned */
};

struct ttrpc_call {
	struct ttrpc_conn *conn; /* borrowed: the call never outlives it (cancelled on free) */
	uint32_t id;
	char *method;        /* owned, "Service/Method" */
	struct ttrpc_md *md; /* owned */
	size_t n_md;
	bool in_handler; /* the dispatcher frees it when the handler returns */
	bool answered;
	bool deferred; /* on conn->deferred */
	ttrpc_cancel_fn cancel;
	void *cancel_arg;
	struct ttrpc_call *prev, *next;
};

/* A client request waiting for its Response. */
struct ttrpc_pending {
	uint32_t id;
	ttrpc_response_cb cb;
	void *arg;
	struct ttrpc_pending *next;
};

struct ttrpc_conn {
	const struct ttrpc_registry *reg; /* borrowed, may be NULL */
	struct ttrpc_reader reader;
	uint8_t *out; /* owned output buffer: bytes [out_off, out_len) are pending */
	size_t out_off, out_len, out_cap;
	uint32_t last_stream_id;     /* highest request id seen (server side) */
	uint32_t next_client_id;     /* next odd id for our own requests */
	struct ttrpc_call *deferred; /* calls waiting for an answer */
	size_t n_deferred;
	struct ttrpc_pending *pending; /* our requests waiting for a response */
	ttrpc_output_cb output_cb;
	void *output_arg;
	void *owner;
	bool closing;
};

void ttrpc__conn_write_frame(struct ttrpc_conn *c, uint32_t stream_id, uint8_t type,
                             const uint8_t *data, size_t len);
void ttrpc__conn_send_status(struct ttrpc_conn *c, uint32_t stream_id, enum ttrpc_code code,
                             const char *msg);
void ttrpc__call_unlink(struct ttrpc_call *call);
void ttrpc__call_free(struct ttrpc_call *call);
/* Completes the pending client call with that id (if any) with an error. */
void ttrpc__conn_fail_pending(struct ttrpc_conn *c, uint32_t id, enum ttrpc_code code,
                              const char *msg);
/* Acts on one complete frame (ttrpc_dispatch.c); -1 with err when the stream cannot be
 * trusted any more. */
int ttrpc__dispatch_frame(struct ttrpc_conn *c, const struct ttrpc_frame *f, struct err *err);

#endif
