/* ttrpc_conn: one ttrpc connection as a pure state machine. Bytes read from the socket go in
 * with ttrpc_conn_feed(); requests are dispatched to a service table; replies and outgoing
 * requests collect in an output buffer the caller writes out. No fd or event loop inside, so
 * it runs the same under the shim's loop, in unit tests and in the fuzzer.
 *
 * Server side: every Request frame becomes a `struct ttrpc_call` handed to the method's
 * handler, which answers at once (ttrpc_call_reply / ttrpc_call_fail*) or later after
 * ttrpc_call_defer(); answers leave in completion order. Client side: see ttrpc_client.h. */
#ifndef SHIM_TTRPC_CONN_H
#define SHIM_TTRPC_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

#include "base/err.h"

/* grpc status codes (google.rpc.Code). */
enum ttrpc_code {
	TTRPC_OK = 0,
	TTRPC_CANCELLED = 1,
	TTRPC_UNKNOWN = 2,
	TTRPC_INVALID_ARGUMENT = 3,
	TTRPC_DEADLINE_EXCEEDED = 4,
	TTRPC_NOT_FOUND = 5,
	TTRPC_ALREADY_EXISTS = 6,
	TTRPC_PERMISSION_DENIED = 7,
	TTRPC_RESOURCE_EXHAUSTED = 8,
	TTRPC_FAILED_PRECONDITION = 9,
	TTRPC_ABORTED = 10,
	TTRPC_OUT_OF_RANGE = 11,
	TTRPC_UNIMPLEMENTED = 12,
	TTRPC_INTERNAL = 13,
	TTRPC_UNAVAILABLE = 14,
	TTRPC_DATA_LOSS = 15,
	TTRPC_UNAUTHENTICATED = 16,
};

/* errno (struct err code) -> status code, as containerd's errdefs expect (style.md 7.1). */
enum ttrpc_code ttrpc_code_from_errno(int code);

/* Metadata key containerd sends with every call. */
#define TTRPC_NAMESPACE_KEY "containerd-namespace-ttrpc"

struct ttrpc_conn;
struct ttrpc_call;

/* A handler gets the unpacked request (freed by the dispatcher when the handler returns: copy
 * what you keep) and must answer or defer the call before returning. */
typedef void (*ttrpc_handler_fn)(struct ttrpc_call *call, const ProtobufCMessage *req, void *arg);

struct ttrpc_method {
	const char *name;                        /* bare method name, e.g. "Create" */
	const ProtobufCMessageDescriptor *input; /* request message type */
	ttrpc_handler_fn fn;
};

struct ttrpc_service {
	const char *name; /* fully qualified, e.g. "containerd.task.v2.Task" */
	const struct ttrpc_method *methods;
	size_t n_methods;
};

/* The services a connection serves. All borrowed: they outlive every connection. */
struct ttrpc_registry {
	const struct ttrpc_service *const *services;
	size_t n_services;
	void *arg; /* passed to every handler */
};

/* Called whenever output becomes pending (to arm the write event). */
typedef void (*ttrpc_output_cb)(struct ttrpc_conn *c, void *arg);

/* reg may be NULL for a client-only connection (requests then get Unimplemented). */
struct ttrpc_conn *ttrpc_conn_new(const struct ttrpc_registry *reg);
/* Cancels pending deferred calls (their cancel callbacks run) and pending client calls (their
 * callbacks run with TTRPC_UNAVAILABLE), then frees. NULL is fine. */
void ttrpc_conn_free(struct ttrpc_conn *c);
void ttrpc_conn_set_output_cb(struct ttrpc_conn *c, ttrpc_output_cb cb, void *arg);
/* Opaque per-connection pointer for the owner (e.g. the loop's connection object). */
void ttrpc_conn_set_owner(struct ttrpc_conn *c, void *owner);
void *ttrpc_conn_owner(const struct ttrpc_conn *c);

/* Feeds bytes read from the peer. Returns 0, or -1 with err when the stream is unusable and the
 * connection must be closed (an unknown frame type: the peer is out of sync). Protocol errors
 * that ttrpc answers (oversize frame, even or reused stream id, bad Request bytes, unknown
 * service or method) are answered on that stream and the connection goes on. */
int ttrpc_conn_feed(struct ttrpc_conn *c, const uint8_t *buf, size_t len, struct err *err);

/* Pending output: pointer and length of bytes to write; consume what was written. */
size_t ttrpc_conn_output(const struct ttrpc_conn *c, const uint8_t **data);
void ttrpc_conn_consume(struct ttrpc_conn *c, size_t n);
/* Number of server calls deferred (waiting for an answer). */
size_t ttrpc_conn_deferred(const struct ttrpc_conn *c);

/* --- server calls --- */

/* resp NULL = google.protobuf.Empty (a zero-length payload). Frees the call. */
void ttrpc_call_reply(struct ttrpc_call *call, const ProtobufCMessage *resp);
void ttrpc_call_fail(struct ttrpc_call *call, enum ttrpc_code code, const char *fmt, ...)
    PRINTF(3, 4);
/* Fails with the code mapped from err->code and err->msg as the message. */
void ttrpc_call_fail_err(struct ttrpc_call *call, const struct err *err);

/* Answer later. cancel runs (and the call is freed) if the connection goes away first. */
typedef void (*ttrpc_cancel_fn)(struct ttrpc_call *call, void *arg);
void ttrpc_call_defer(struct ttrpc_call *call, ttrpc_cancel_fn cancel, void *arg);

/* The connection a call arrived on (valid until the call is answered or cancelled). */
struct ttrpc_conn *ttrpc_call_conn(const struct ttrpc_call *call);
const char *ttrpc_call_method(const struct ttrpc_call *call);
/* Value of a metadata key (the first if repeated), or NULL. */
const char *ttrpc_call_metadata(const struct ttrpc_call *call, const char *key);

#endif
