#include "ttrpc_conn.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "proto/ttrpc/request.pb-c.h"
#include "ttrpc_frame.h"
#include "ttrpc_internal.h"

enum ttrpc_code
ttrpc_code_from_errno(int code)
{
	switch (code) {
	case 0:
		return TTRPC_UNKNOWN; /* an error without a cause is still an error */
	case ENOENT:
	case ESRCH:
		return TTRPC_NOT_FOUND;
	case EEXIST:
		return TTRPC_ALREADY_EXISTS;
	case EINVAL:
		return TTRPC_INVALID_ARGUMENT;
	case EBUSY:
		return TTRPC_FAILED_PRECONDITION;
	case ENOSYS:
	case EOPNOTSUPP:
		return TTRPC_UNIMPLEMENTED;
	case ETIMEDOUT:
		return TTRPC_DEADLINE_EXCEEDED;
	case ECANCELED:
		return TTRPC_CANCELLED;
	default:
		return TTRPC_UNKNOWN;
	}
}

struct ttrpc_conn *
ttrpc_conn_new(const struct ttrpc_registry *reg)
{
	struct ttrpc_conn *c = xcalloc(1, sizeof(*c));

	c->reg = reg;
	c->next_client_id = 1;
	ttrpc_reader_init(&c->reader);
	return c;
}

void
ttrpc_conn_free(struct ttrpc_conn *c)
{
	if (!c)
		return;
	c->closing = true;
	while (c->deferred) {
		struct ttrpc_call *call = c->deferred;
		ttrpc__call_unlink(call);
		if (call->cancel)
			call->cancel(call, call->cancel_arg);
		ttrpc__call_free(call);
	}
	while (c->pending) {
		struct ttrpc_pending *p = c->pending;
		c->pending = p->next;
		p->cb(p->arg, TTRPC_UNAVAILABLE, "ttrpc: connection closed", NULL, 0);
		free(p);
	}
	ttrpc_reader_fini(&c->reader);
	free(c->out);
	free(c);
}

void
ttrpc_conn_set_output_cb(struct ttrpc_conn *c, ttrpc_output_cb cb, void *arg)
{
	c->output_cb = cb;
	c->output_arg = arg;
}

void
ttrpc_conn_set_owner(struct ttrpc_conn *c, void *owner)
{
	c->owner = owner;
}

void *
ttrpc_conn_owner(const struct ttrpc_conn *c)
{
	return c->owner;
}

size_t
ttrpc_conn_output(const struct ttrpc_conn *c, const uint8_t **data)
{
	if (!c->out) { /* nothing was ever queued */
		*data = NULL;
		return 0;
	}
	*data = c->out + c->out_off;
	return c->out_len - c->out_off;
}

void
ttrpc_conn_consume(struct ttrpc_conn *c, size_t n)
{
	if (n > c->out_len - c->out_off)
		n = c->out_len - c->out_off;
	c->out_off += n;
	if (c->out_off == c->out_len) {
		c->out_off = c->out_len = 0;
	} else if (c->out_off > c->out_cap / 2) {
		memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
		c->out_len -= c->out_off;
		c->out_off = 0;
	}
}

size_t
ttrpc_conn_deferred(const struct ttrpc_conn *c)
{
	return c->n_deferred;
}

void
ttrpc__conn_write_frame(struct ttrpc_conn *c, uint32_t stream_id, uint8_t type, const uint8_t *data,
                        size_t len)
{
	struct ttrpc_header h = {.length = (uint32_t)len, .stream_id = stream_id, .type = type};
	size_t need = c->out_len + TTRPC_HEADER_LEN + len;

	if (need > c->out_cap) {
		size_t cap = c->out_cap ? c->out_cap : 4096;
		while (cap < need)
			cap *= 2;
		c->out = xrealloc(c->out, cap);
		c->out_cap = cap;
	}
	ttrpc_header_encode(&h, c->out + c->out_len);
	if (len)
		memcpy(c->out + c->out_len + TTRPC_HEADER_LEN, data, len);
	c->out_len = need;
	if (c->output_cb && !c->closing)
		c->output_cb(c, c->output_arg);
}

/* Sends a Response with an error status (payload empty). */
void
ttrpc__conn_send_status(struct ttrpc_conn *c, uint32_t stream_id, enum ttrpc_code code,
                        const char *msg)
{
	Google__Rpc__Status st = GOOGLE__RPC__STATUS__INIT;
	Ttrpc__Response resp = TTRPC__RESPONSE__INIT;
	uint8_t buf[1024];
	size_t n;
	char cut[900];

	/* Messages are bounded so a status always fits the stack buffer. */
	snprintf(cut, sizeof(cut), "%s", msg ? msg : "");
	st.code = (int32_t)code;
	st.message = cut;
	resp.status = &st;
	n = ttrpc__response__pack(&resp, buf);
	ttrpc__conn_write_frame(c, stream_id, TTRPC_RESPONSE, buf, n);
}

/* Sends a successful Response carrying payload (packed resp, or nothing for Empty). */
static void
ttrpc_conn_send_payload(struct ttrpc_conn *c, uint32_t stream_id, const ProtobufCMessage *msg)
{
	Ttrpc__Response resp = TTRPC__RESPONSE__INIT;
	size_t plen = msg ? protobuf_c_message_get_packed_size(msg) : 0;
	uint8_t *payload = NULL, *buf = NULL;
	size_t n;

	if (plen + 16 > TTRPC_MAX_DATA) {
		ttrpc__conn_send_status(c, stream_id, TTRPC_RESOURCE_EXHAUSTED,
		                        "response larger than the 4 MiB ttrpc limit");
		return;
	}
	if (plen) {
		payload = xmalloc(plen);
		resp.payload.data = payload;
		resp.payload.len = protobuf_c_message_pack(msg, payload);
	}
	buf = xmalloc(ttrpc__response__get_packed_size(&resp) + 1);
	n = ttrpc__response__pack(&resp, buf);
	ttrpc__conn_write_frame(c, stream_id, TTRPC_RESPONSE, buf, n);
	free(payload);
	free(buf);
}

int
ttrpc_conn_feed(struct ttrpc_conn *c, const uint8_t *buf, size_t len, struct err *err)
{
	size_t off = 0;

	while (off < len) {
		struct ttrpc_frame f = {0};
		enum ttrpc_read res;
		int rc = 0;

		off += ttrpc_reader_feed(&c->reader, buf + off, len - off, &f, &res);
		if (res == TTRPC_READ_OVERSIZE) {
			char msg[128];
			snprintf(msg, sizeof(msg),
			         "message length %u exceed maximum message size of %u",
			         f.hdr.length, TTRPC_MAX_DATA);
			if (f.hdr.type == TTRPC_REQUEST || f.hdr.type == TTRPC_DATA)
				ttrpc__conn_send_status(c, f.hdr.stream_id,
				                        TTRPC_RESOURCE_EXHAUSTED, msg);
			else if (f.hdr.type == TTRPC_RESPONSE)
				ttrpc__conn_fail_pending(c, f.hdr.stream_id,
				                         TTRPC_RESOURCE_EXHAUSTED, msg);
		} else if (res == TTRPC_READ_FRAME) {
			rc = ttrpc__dispatch_frame(c, &f, err);
			ttrpc_frame_fini(&f);
		}
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* --- calls --- */

void
ttrpc__call_unlink(struct ttrpc_call *call)
{
	struct ttrpc_conn *c = call->conn;

	if (!call->deferred)
		return;
	if (call->prev)
		call->prev->next = call->next;
	else
		c->deferred = call->next;
	if (call->next)
		call->next->prev = call->prev;
	call->prev = call->next = NULL;
	call->deferred = false;
	c->n_deferred--;
}

void
ttrpc__call_free(struct ttrpc_call *call)
{
	for (size_t i = 0; i < call->n_md; i++) {
		free(call->md[i].key);
		free(call->md[i].value);
	}
	free(call->md);
	free(call->method);
	free(call);
}

/* After an answer: a call inside its handler is freed by the dispatcher, a deferred one now. */
static void
ttrpc_call_done(struct ttrpc_call *call)
{
	if (call->in_handler) {
		call->answered = true;
		return;
	}
	ttrpc__call_unlink(call);
	ttrpc__call_free(call);
}

void
ttrpc_call_reply(struct ttrpc_call *call, const ProtobufCMessage *resp)
{
	ttrpc_conn_send_payload(call->conn, call->id, resp);
	ttrpc_call_done(call);
}

void
ttrpc_call_fail(struct ttrpc_call *call, enum ttrpc_code code, const char *fmt, ...)
{
	char msg[900];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ttrpc__conn_send_status(call->conn, call->id, code, msg);
	ttrpc_call_done(call);
}

void
ttrpc_call_fail_err(struct ttrpc_call *call, const struct err *err)
{
	ttrpc_call_fail(call, ttrpc_code_from_errno(err->code), "%s", err->msg);
}

void
ttrpc_call_defer(struct ttrpc_call *call, ttrpc_cancel_fn cancel, void *arg)
{
	struct ttrpc_conn *c = call->conn;

	call->cancel = cancel;
	call->cancel_arg = arg;
	if (call->deferred)
		return;
	call->deferred = true;
	call->next = c->deferred;
	if (c->deferred)
		c->deferred->prev = call;
	c->deferred = call;
	c->n_deferred++;
}

struct ttrpc_conn *
ttrpc_call_conn(const struct ttrpc_call *call)
{
	return call->conn;
}

const char *
ttrpc_call_method(const struct ttrpc_call *call)
{
	return call->method;
}

const char *
ttrpc_call_metadata(const struct ttrpc_call *call, const char *key)
{
	for (size_t i = 0; i < call->n_md; i++)
		if (strcmp(call->md[i].key, key) == 0)
			return call->md[i].value;
	return NULL;
}
