/* Fuzz target: request decoding. Input = one encoded ttrpc Request. It is unpacked, its payload
 * is decoded as every task and events method's input type, and it is dispatched through a
 * connection serving the real service descriptors with stub handlers. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/events/forward.pb-c.h"
#include "proto/task/v2/shim.pb-c.h"
#include "proto/ttrpc/request.pb-c.h"
#include "shim/ttrpc_conn.h"
#include "shim/ttrpc_frame.h"

#include "tests/fuzz/fuzz.h"

static void
fuzz_stub(struct ttrpc_call *call, const ProtobufCMessage *req, void *arg)
{
	size_t n = protobuf_c_message_get_packed_size(req);
	uint8_t *buf = malloc(n + 1);

	(void)arg;
	/* Re-encoding must work for anything the decoder accepted. */
	if (protobuf_c_message_pack(req, buf) != n)
		abort();
	free(buf);
	ttrpc_call_reply(call, NULL);
}

#define MAX_METHODS 32
static struct ttrpc_method fuzz_methods[2][MAX_METHODS];
static struct ttrpc_service fuzz_services_v[2];
static const struct ttrpc_service *fuzz_services[2];
static struct ttrpc_registry fuzz_reg;

/* Builds a registry from protoc-c's service descriptors. */
static void
fuzz_init(void)
{
	const ProtobufCServiceDescriptor *d[2] = {
	    &containerd__task__v2__task__descriptor,
	    &containerd__services__events__ttrpc__v1__events__descriptor};

	for (size_t s = 0; s < 2; s++) {
		for (size_t i = 0; i < d[s]->n_methods && i < MAX_METHODS; i++) {
			fuzz_methods[s][i].name = d[s]->methods[i].name;
			fuzz_methods[s][i].input = d[s]->methods[i].input;
			fuzz_methods[s][i].fn = fuzz_stub;
		}
		fuzz_services_v[s].name = d[s]->name;
		fuzz_services_v[s].methods = fuzz_methods[s];
		fuzz_services_v[s].n_methods = d[s]->n_methods;
		fuzz_services[s] = &fuzz_services_v[s];
	}
	fuzz_reg.services = fuzz_services;
	fuzz_reg.n_services = 2;
}

static void
fuzz_decode_all(const Ttrpc__Request *req)
{
	const ProtobufCServiceDescriptor *d = &containerd__task__v2__task__descriptor;

	for (size_t i = 0; i < d->n_methods; i++) {
		ProtobufCMessage *m = protobuf_c_message_unpack(
		    d->methods[i].input, NULL, req->payload.len, req->payload.data);
		if (m)
			protobuf_c_message_free_unpacked(m, NULL);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ttrpc_header h = {.stream_id = 1, .type = TTRPC_REQUEST};
	uint8_t hdr[TTRPC_HEADER_LEN];
	struct ttrpc_conn *c;
	struct err err = {0};
	Ttrpc__Request *req;

	if (!fuzz_reg.services)
		fuzz_init();
	if (size > TTRPC_MAX_DATA)
		return 0;
	req = ttrpc__request__unpack(NULL, size, data);
	if (req) {
		fuzz_decode_all(req);
		ttrpc__request__free_unpacked(req, NULL);
	}
	c = ttrpc_conn_new(&fuzz_reg);
	h.length = (uint32_t)size;
	ttrpc_header_encode(&h, hdr);
	if (ttrpc_conn_feed(c, hdr, sizeof(hdr), &err) == 0)
		ttrpc_conn_feed(c, data, size, &err);
	ttrpc_conn_free(c);
	return 0;
}
