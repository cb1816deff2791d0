/* ttrpc_client: requests we send on a ttrpc_conn, answered by Response frames fed back in. */
#ifndef SHIM_TTRPC_CLIENT_H
#define SHIM_TTRPC_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

#include "base/err.h"
#include "ttrpc_conn.h"

/* Response: code TTRPC_OK and the payload on success, else the error code and message.
 * Must not free the connection. */
typedef void (*ttrpc_response_cb)(void *arg, enum ttrpc_code code, const char *msg,
                                  const uint8_t *payload, size_t len);

/* Queues a Request (req NULL = Empty); ns (may be NULL) goes out as TTRPC_NAMESPACE_KEY
 * metadata. Returns the stream id, or 0 with err if the request is too large. cb runs exactly
 * once: on the response, on ttrpc_conn_call_cancel, or with TTRPC_UNAVAILABLE when the
 * connection is freed. */
uint32_t ttrpc_conn_call(struct ttrpc_conn *c, const char *service, const char *method,
                         const ProtobufCMessage *req, const char *ns, ttrpc_response_cb cb,
                         void *arg, struct err *err);
/* Gives up on a pending call: its callback runs with TTRPC_CANCELLED now. */
void ttrpc_conn_call_cancel(struct ttrpc_conn *c, uint32_t stream_id);
size_t ttrpc_conn_pending_calls(const struct ttrpc_conn *c);

#endif
