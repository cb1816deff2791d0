/* ttrpc_dispatch: what happens to each complete frame: requests go to the service table,
 * responses to the client call waiting for them. */
#include "ttrpc_dispatch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/xalloc.h"
#include "proto/ttrpc/request.pb-c.h"
#include "ttrpc_internal.h"

const struct ttrpc_method *
ttrpc_registry_find(const struct ttrpc_registry *reg, const char *service, const char *method,
                    enum ttrpc_code *code)
{
	const struct ttrpc_service *svc = NULL;

	for (size_t i = 0; reg && i < reg->n_services; i++)
		if (strcmp(reg->services[i]->name, service) == 0)
			svc = reg->services[i];
	if (!svc) {
		*code = TTRPC_UNIMPLEMENTED;
		return NULL;
	}
	for (size_t i = 0; i < svc->n_methods; i++)
		if (strcmp(svc->methods[i].name, method) == 0)
			return &svc->methods[i];
	*code = TTRPC_UNIMPLEMENTED;
	return NULL;
}

static struct ttrpc_call *
ttrpc_call_new(struct ttrpc_conn *c, uint32_t id, const Ttrpc__Request *req)
{
	struct ttrpc_call *call = xcalloc(1, sizeof(*call));

	call->conn = c;
	call->id = id;
	call->method = xasprintf("%s/%s", req->service, req->method);
	if (req->n_metadata) {
		call->md = xcalloc(req->n_metadata, sizeof(*call->md));
		for (size_t i = 0; i < req->n_metadata; i++) {
			call->md[i].key = xstrdup(req->metadata[i]->key);
			call->md[i].value = xstrdup(req->metadata[i]->value);
		}
		call->n_md = req->n_metadata;
	}
	return call;
}

/* Runs the handler and enforces that it answered or deferred. */
static void
ttrpc_dispatch_call(struct ttrpc_conn *c, const struct ttrpc_method *m, uint32_t id,
                    const Ttrpc__Request *req)
{
	ProtobufCMessage *msg = NULL;
	struct ttrpc_call *call;

	msg = protobuf_c_message_unpack(m->input, NULL, req->payload.len, req->payload.data);
	if (!msg) {
		ttrpc__conn_send_status(c, id, TTRPC_INVALID_ARGUMENT,
		                        "unmarshal payload error: not a valid message");
		return;
	}
	call = ttrpc_call_new(c, id, req);
	call->in_handler = true;
	m->fn(call, msg, c->reg->arg);
	call->in_handler = false;
	protobuf_c_message_free_unpacked(msg, NULL);
	if (call->answered) {
		ttrpc__call_unlink(call);
		ttrpc__call_free(call);
	} else if (!call->deferred) {
		ttrpc__conn_send_status(c, id, TTRPC_INTERNAL, "handler gave no reply");
		ttrpc__call_free(call);
	}
}

static void
ttrpc_dispatch_request(struct ttrpc_conn *c, const struct ttrpc_frame *f)
{
	const struct ttrpc_method *m;
	enum ttrpc_code code = TTRPC_OK;
	Ttrpc__Request *req;
	char msg[600];

	if (f->hdr.stream_id <= c->last_stream_id) {
		ttrpc__conn_send_status(c, f->hdr.stream_id, TTRPC_INVALID_ARGUMENT,
		                        "StreamID cannot be re-used and must increment");
		return;
	}
	c->last_stream_id = f->hdr.stream_id;
	req = ttrpc__request__unpack(NULL, f->hdr.length, f->data);
	if (!req) {
		ttrpc__conn_send_status(c, f->hdr.stream_id, TTRPC_INVALID_ARGUMENT,
		                        "unmarshal request error: not a valid ttrpc Request");
		return;
	}
	m = ttrpc_registry_find(c->reg, req->service, req->method, &code);
	if (!m) {
		bool have_svc = ttrpc_registry_has_service(c->reg, req->service);

		snprintf(msg, sizeof(msg), have_svc ? "method %.250s" : "service %.250s",
		         have_svc ? req->method : req->service);
		ttrpc__conn_send_status(c, f->hdr.stream_id, code, msg);
	} else {
		ttrpc_dispatch_call(c, m, f->hdr.stream_id, req);
	}
	ttrpc__request__free_unpacked(req, NULL);
}

bool
ttrpc_registry_has_service(const struct ttrpc_registry *reg, const char *service)
{
	for (size_t i = 0; reg && i < reg->n_services; i++)
		if (strcmp(reg->services[i]->name, service) == 0)
			return true;
	return false;
}

static void
ttrpc_dispatch_response(struct ttrpc_conn *c, const struct ttrpc_frame *f)
{
	struct ttrpc_pending **pp = &c->pending, *p;
	Ttrpc__Response *resp;

	while (*pp && (*pp)->id != f->hdr.stream_id)
		pp = &(*pp)->next;
	if (!*pp)
		return; /* a late answer to a call we gave up on */
	p = *pp;
	*pp = p->next;
	resp = ttrpc__response__unpack(NULL, f->hdr.length, f->data);
	if (!resp)
		p->cb(p->arg, TTRPC_INTERNAL, "unmarshal response error", NULL, 0);
	else if (resp->status && resp->status->code != 0)
		p->cb(p->arg, (enum ttrpc_code)resp->status->code, resp->status->message, NULL, 0);
	else
		p->cb(p->arg, TTRPC_OK, "", resp->payload.data, resp->payload.len);
	if (resp)
		ttrpc__response__free_unpacked(resp, NULL);
	free(p);
}

int
ttrpc__dispatch_frame(struct ttrpc_conn *c, const struct ttrpc_frame *f, struct err *err)
{
	switch (f->hdr.type) {
	case TTRPC_REQUEST:
		if (f->hdr.stream_id % 2 != 1) {
			ttrpc__conn_send_status(
			    c, f->hdr.stream_id, TTRPC_INVALID_ARGUMENT,
			    "StreamID must be odd for client initiated streams");
			return 0;
		}
		ttrpc_dispatch_request(c, f);
		return 0;
	case TTRPC_RESPONSE:
		ttrpc_dispatch_response(c, f);
		return 0;
	case TTRPC_DATA:
		/* No method streams; answer as ttrpc does for a stream it does not know. */
		ttrpc__conn_send_status(c, f->hdr.stream_id, TTRPC_INVALID_ARGUMENT,
		                        "StreamID is no longer active");
		return 0;
	default:
		return err_set(err, EPROTO, "ttrpc: unknown message type %u on stream %u",
		               f->hdr.type, f->hdr.stream_id);
	}
}
