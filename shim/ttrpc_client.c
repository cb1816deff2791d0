/* ttrpc_client: our own requests on a connection (the events client uses it for Forward). */
#include "ttrpc_client.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "proto/ttrpc/request.pb-c.h"
#include "ttrpc_internal.h"

uint32_t
ttrpc_conn_call(struct ttrpc_conn *c, const char *service, const char *method,
                const ProtobufCMessage *req, const char *ns, ttrpc_response_cb cb, void *arg,
                struct err *err)
{
	Ttrpc__Request r = TTRPC__REQUEST__INIT;
	Ttrpc__KeyValue kv = TTRPC__KEY_VALUE__INIT, *mdv[1] = {&kv};
	struct ttrpc_pending *p;
	uint8_t *payload = NULL, *buf;
	size_t plen, n;
	uint32_t id;

	plen = req ? protobuf_c_message_get_packed_size(req) : 0;
	if (plen + 1024 > TTRPC_MAX_DATA) {
		err_set(err, EMSGSIZE, "ttrpc: %s/%s request of %zu bytes is over the 4 MiB limit",
		        service, method, plen);
		return 0;
	}
	if (plen) {
		payload = xmalloc(plen);
		r.payload.len = protobuf_c_message_pack(req, payload);
		r.payload.data = payload;
	}
	r.service = (char *)service;
	r.method = (char *)method;
	if (ns && *ns) {
		kv.key = (char *)TTRPC_NAMESPACE_KEY;
		kv.value = (char *)ns;
		r.metadata = mdv;
		r.n_metadata = 1;
	}
	buf = xmalloc(ttrpc__request__get_packed_size(&r) + 1);
	n = ttrpc__request__pack(&r, buf);
	id = c->next_client_id;
	c->next_client_id += 2;
	p = xcalloc(1, sizeof(*p));
	p->id = id;
	p->cb = cb;
	p->arg = arg;
	p->next = c->pending;
	c->pending = p;
	ttrpc__conn_write_frame(c, id, TTRPC_REQUEST, buf, n);
	free(payload);
	free(buf);
	return id;
}

void
ttrpc__conn_fail_pending(struct ttrpc_conn *c, uint32_t id, enum ttrpc_code code, const char *msg)
{
	struct ttrpc_pending **pp = &c->pending, *p;

	while (*pp && (*pp)->id != id)
		pp = &(*pp)->next;
	if (!*pp)
		return;
	p = *pp;
	*pp = p->next;
	p->cb(p->arg, code, msg, NULL, 0);
	free(p);
}

void
ttrpc_conn_call_cancel(struct ttrpc_conn *c, uint32_t stream_id)
{
	ttrpc__conn_fail_pending(c, stream_id, TTRPC_CANCELLED, "ttrpc: call cancelled");
}

size_t
ttrpc_conn_pending_calls(const struct ttrpc_conn *c)
{
	size_t n = 0;

	for (const struct ttrpc_pending *p = c->pending; p; p = p->next)
		n++;
	return n;
}
