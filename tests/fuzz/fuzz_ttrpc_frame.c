/* Fuzz target: the ttrpc byte stream. Input = chunks, each a length byte (1 + b % 64 bytes)
 * followed by that many bytes, fed to one connection as the socket would deliver them. The
 * stub service answers at once, defers, or fails, so every path of the connection runs. */
#include <stddef.h>
#include <stdint.h>

#include "proto/google/protobuf/timestamp.pb-c.h"
#include "shim/ttrpc_conn.h"

#include "tests/fuzz/fuzz.h"

static struct ttrpc_call *fuzz_held;

static void
fuzz_reply(struct ttrpc_call *call, const ProtobufCMessage *req, void *arg)
{
	(void)arg;
	ttrpc_call_reply(call, req);
}

static void
fuzz_fail(struct ttrpc_call *call, const ProtobufCMessage *req, void *arg)
{
	(void)req, (void)arg;
	ttrpc_call_fail(call, TTRPC_NOT_FOUND, "%s", ttrpc_call_method(call));
}

static void
fuzz_cancel(struct ttrpc_call *call, void *arg)
{
	(void)arg;
	if (call == fuzz_held)
		fuzz_held = NULL;
}

static void
fuzz_defer(struct ttrpc_call *call, const ProtobufCMessage *req, void *arg)
{
	(void)req, (void)arg;
	if (fuzz_held) /* answer the previous one: out of order with later calls */
		ttrpc_call_reply(fuzz_held, NULL);
	fuzz_held = call;
	ttrpc_call_defer(call, fuzz_cancel, NULL);
}

static const struct ttrpc_method fuzz_methods[] = {
    {"Reply", &google__protobuf__timestamp__descriptor, fuzz_reply},
    {"Fail", &google__protobuf__timestamp__descriptor, fuzz_fail},
    {"Defer", &google__protobuf__timestamp__descriptor, fuzz_defer},
};
static const struct ttrpc_service fuzz_service = {"fuzz.v1.Svc", fuzz_methods, 3};
static const struct ttrpc_service *const fuzz_services[] = {&fuzz_service};
static const struct ttrpc_registry fuzz_stub_service = {fuzz_services, 1, NULL};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ttrpc_conn *c = ttrpc_conn_new(&fuzz_stub_service);
	struct err err = {0};
	const uint8_t *out;

	for (size_t off = 0, n; off + 1 < size; off += 1 + n) {
		n = 1 + data[off] % 64;
		if (n > size - off - 1)
			n = size - off - 1;
		if (ttrpc_conn_feed(c, data + off + 1, n, &err) < 0)
			break;
		/* consume output now and then, as a socket would */
		if (data[off] & 0x80)
			ttrpc_conn_consume(c, ttrpc_conn_output(c, &out));
	}
	ttrpc_conn_free(c);
	fuzz_held = NULL;
	return 0;
}
