/* Unit tests for the ttrpc layer: framing, server dispatch, deferred replies, client calls. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "proto/google/protobuf/timestamp.pb-c.h"
#include "proto/ttrpc/request.pb-c.h"
#include "shim/ttrpc_client.h"
#include "shim/ttrpc_conn.h"
#include "shim/ttrpc_dispatch.h"
#include "shim/ttrpc_frame.h"

/* --- a test service: methods take and return Timestamps --- */

static struct ttrpc_call *held_call; /* the call Later deferred */
static int cancelled;

static void
h_echo(struct ttrpc_call *call, const ProtobufCMessage *req, void *arg)
{
	const Google__Protobuf__Timestamp *in = (const Google__Protobuf__Timestamp *)req;
	Google__Protobuf__Timestamp out = GOOGLE__PROTOBUF__TIMESTAMP__INIT;

	(void)arg;
	out.seconds = in->seconds + 1;
	out.nanos = in->nanos;
	ttrpc_call_reply(call, &out.base);
}

static void
on_cancel(struct ttrpc_call *call, void *arg)
{
	assert_ptr_equal(call, held_call);
	(void)arg;
	held_call = NULL;
	cancelled++;
}

static void
h_later(struct ttrpc_call *call, const ProtobufCMessage *req, void *arg)
{
	(void)req, (void)arg;
	held_call = call;
	ttrpc_call_defer(call, on_cancel, NULL);
}

static void
h_fail(struct ttrpc_call *call, const ProtobufCMessage *req, void *arg)
{
	struct err err = {0};

	(void)req, (void)arg;
	err_set(&err, ENOENT, "container %s not created", "c1");
	ttrpc_call_fail_err(call, &err);
}

static void
h_silent(struct ttrpc_call *call, const ProtobufCMessage *req, void *arg)
{
	(void)call, (void)req, (void)arg;
}

static void
h_ns(struct ttrpc_call *call, const ProtobufCMessage *req, void *arg)
{
	const char *ns = ttrpc_call_metadata(call, TTRPC_NAMESPACE_KEY);

	(void)req, (void)arg;
	ttrpc_call_fail(call, TTRPC_ABORTED, "ns=%s", ns ? ns : "(none)");
}

static const struct ttrpc_method test_methods[] = {
    {"Echo", &google__protobuf__timestamp__descriptor, h_echo},
    {"Later", &google__protobuf__timestamp__descriptor, h_later},
    {"Fail", &google__protobuf__timestamp__descriptor, h_fail},
    {"Silent", &google__protobuf__timestamp__descriptor, h_silent},
    {"Ns", &google__protobuf__timestamp__descriptor, h_ns},
};
static const struct ttrpc_service test_service = {"test.v1.Svc", test_methods,
                                                  sizeof(test_methods) / sizeof(test_methods[0])};
static const struct ttrpc_service *const test_services[] = {&test_service};
static const struct ttrpc_registry test_reg = {test_services, 1, NULL};

/* --- helpers --- */

/* Appends one frame to buf (at *len). */
static void
put_frame(uint8_t *buf, size_t *len, uint32_t id, uint8_t type, const uint8_t *data, size_t n)
{
	struct ttrpc_header h = {.length = (uint32_t)n, .stream_id = id, .type = type};

	ttrpc_header_encode(&h, buf + *len);
	if (n)
		memcpy(buf + *len + TTRPC_HEADER_LEN, data, n);
	*len += TTRPC_HEADER_LEN + n;
}

/* Encodes a Request frame for service/method with a Timestamp payload. */
static size_t
put_request(uint8_t *buf, size_t len, uint32_t id, const char *svc, const char *method,
            int64_t secs, const char *ns)
{
	Google__Protobuf__Timestamp ts = GOOGLE__PROTOBUF__TIMESTAMP__INIT;
	Ttrpc__Request r = TTRPC__REQUEST__INIT;
	Ttrpc__KeyValue kv = TTRPC__KEY_VALUE__INIT, *kvs[1] = {&kv};
	uint8_t payload[64], req[512];
	size_t n;

	ts.seconds = secs;
	r.service = (char *)svc;
	r.method = (char *)method;
	r.payload.data = payload;
	r.payload.len = google__protobuf__timestamp__pack(&ts, payload);
	if (ns) {
		kv.key = (char *)TTRPC_NAMESPACE_KEY;
		kv.value = (char *)ns;
		r.metadata = kvs;
		r.n_metadata = 1;
	}
	n = ttrpc__request__pack(&r, req);
	put_frame(buf, &len, id, TTRPC_REQUEST, req, n);
	return len;
}

struct reply {
	uint32_t id;
	int code;
	char msg[256];
	int64_t secs; /* Timestamp payload seconds, -1 if none */
};

/* Drains the connection's output into at most max replies; returns how many. */
static size_t
take_replies(struct ttrpc_conn *c, struct reply *out, size_t max)
{
	struct ttrpc_reader r;
	const uint8_t *data;
	size_t len = ttrpc_conn_output(c, &data), off = 0, n = 0;

	ttrpc_reader_init(&r);
	while (off < len) {
		struct ttrpc_frame f = {0};
		enum ttrpc_read res;
		off += ttrpc_reader_feed(&r, data + off, len - off, &f, &res);
		if (res != TTRPC_READ_FRAME)
			continue;
		assert_int_equal(f.hdr.type, TTRPC_RESPONSE);
		assert_true(n < max);
		Ttrpc__Response *resp = ttrpc__response__unpack(NULL, f.hdr.length, f.data);
		assert_non_null(resp);
		out[n].id = f.hdr.stream_id;
		out[n].code = resp->status ? resp->status->code : 0;
		snprintf(out[n].msg, sizeof(out[n].msg), "%s",
		         resp->status ? resp->status->message : "");
		out[n].secs = -1;
		if (!resp->status && resp->payload.len) {
			Google__Protobuf__Timestamp *ts = google__protobuf__timestamp__unpack(
			    NULL, resp->payload.len, resp->payload.data);
			assert_non_null(ts);
			out[n].secs = ts->seconds;
			google__protobuf__timestamp__free_unpacked(ts, NULL);
		}
		ttrpc__response__free_unpacked(resp, NULL);
		ttrpc_frame_fini(&f);
		n++;
	}
	assert_true(ttrpc_reader_idle(&r));
	ttrpc_reader_fini(&r);
	ttrpc_conn_consume(c, len);
	return n;
}

static void
feed_ok(struct ttrpc_conn *c, const uint8_t *buf, size_t len)
{
	struct err err = {0};

	assert_int_equal(ttrpc_conn_feed(c, buf, len, &err), 0);
}

/* --- framing --- */

static void
header_round_trip(void **state)
{
	struct ttrpc_header h = {
	    .length = 0x00123456, .stream_id = 0x89abcdef, .type = 2, .flags = 5};
	struct ttrpc_header back;
	uint8_t b[TTRPC_HEADER_LEN];

	(void)state;
	ttrpc_header_encode(&h, b);
	assert_int_equal(b[0], 0x00);
	assert_int_equal(b[1], 0x12);
	assert_int_equal(b[3], 0x56);
	assert_int_equal(b[4], 0x89);
	assert_int_equal(b[7], 0xef);
	assert_int_equal(b[8], 2);
	assert_int_equal(b[9], 5);
	ttrpc_header_decode(b, &back);
	assert_int_equal(back.length, h.length);
	assert_int_equal(back.stream_id, h.stream_id);
	assert_int_equal(back.type, h.type);
	assert_int_equal(back.flags, h.flags);
}

static void
reader_byte_by_byte(void **state)
{
	uint8_t buf[256];
	size_t len = 0, got = 0;
	struct ttrpc_reader r;

	(void)state;
	put_frame(buf, &len, 1, TTRPC_REQUEST, (const uint8_t *)"hello", 5);
	put_frame(buf, &len, 3, TTRPC_DATA, NULL, 0);
	put_frame(buf, &len, 5, TTRPC_REQUEST, (const uint8_t *)"xy", 2);
	ttrpc_reader_init(&r);
	for (size_t i = 0; i < len; i++) {
		struct ttrpc_frame f = {0};
		enum ttrpc_read res;
		assert_int_equal(ttrpc_reader_feed(&r, buf + i, 1, &f, &res), 1);
		if (res == TTRPC_READ_MORE)
			continue;
		assert_int_equal(res, TTRPC_READ_FRAME);
		if (got == 0) {
			assert_int_equal(f.hdr.stream_id, 1);
			assert_memory_equal(f.data, "hello", 5);
		} else if (got == 1) {
			assert_int_equal(f.hdr.length, 0);
			assert_null(f.data);
		} else {
			assert_int_equal(f.hdr.stream_id, 5);
			assert_memory_equal(f.data, "xy", 2);
		}
		ttrpc_frame_fini(&f);
		got++;
	}
	assert_int_equal(got, 3);
	assert_true(ttrpc_reader_idle(&r));
	ttrpc_reader_fini(&r);
}

static void
reader_oversize_skipped_without_alloc(void **state)
{
	uint8_t hdr[TTRPC_HEADER_LEN], chunk[4096], tail[64];
	struct ttrpc_header h = {.length = TTRPC_MAX_DATA + 1, .stream_id = 7, .type = 1};
	struct ttrpc_frame f = {0};
	struct ttrpc_reader r;
	enum ttrpc_read res;
	size_t tail_len = 0, left = h.length;

	(void)state;
	ttrpc_header_encode(&h, hdr);
	ttrpc_reader_init(&r);
	assert_int_equal(ttrpc_reader_feed(&r, hdr, sizeof(hdr), &f, &res), sizeof(hdr));
	assert_int_equal(res, TTRPC_READ_OVERSIZE);
	assert_int_equal(f.hdr.stream_id, 7);
	assert_null(r.data); /* nothing allocated */
	memset(chunk, 0xff, sizeof(chunk));
	while (left) {
		size_t n = left < sizeof(chunk) ? left : sizeof(chunk);
		assert_int_equal(ttrpc_reader_feed(&r, chunk, n, &f, &res), n);
		assert_int_equal(res, TTRPC_READ_MORE);
		left -= n;
	}
	assert_true(ttrpc_reader_idle(&r));
	put_frame(tail, &tail_len, 9, TTRPC_REQUEST, (const uint8_t *)"ok", 2);
	assert_int_equal(ttrpc_reader_feed(&r, tail, tail_len, &f, &res), tail_len);
	assert_int_equal(res, TTRPC_READ_FRAME);
	assert_int_equal(f.hdr.stream_id, 9);
	ttrpc_frame_fini(&f);
	ttrpc_reader_fini(&r);
}

static void
reader_max_size_accepted(void **state)
{
	struct ttrpc_header h = {.length = TTRPC_MAX_DATA, .stream_id = 1, .type = 1};
	uint8_t hdr[TTRPC_HEADER_LEN];
	struct ttrpc_frame f = {0};
	struct ttrpc_reader r;
	enum ttrpc_read res;

	(void)state;
	ttrpc_header_encode(&h, hdr);
	ttrpc_reader_init(&r);
	ttrpc_reader_feed(&r, hdr, sizeof(hdr), &f, &res);
	assert_int_equal(res, TTRPC_READ_MORE);
	assert_non_null(r.data);
	ttrpc_reader_fini(&r);
}

/* --- server dispatch --- */

static void
dispatch_echo_and_metadata(void **state)
{
	struct ttrpc_conn *c = ttrpc_conn_new(&test_reg);
	uint8_t buf[1024];
	struct reply rep[4];
	size_t len = 0;

	(void)state;
	len = put_request(buf, len, 1, "test.v1.Svc", "Echo", 41, NULL);
	len = put_request(buf, len, 3, "test.v1.Svc", "Ns", 0, "k8s.io");
	feed_ok(c, buf, len);
	assert_int_equal(take_replies(c, rep, 4), 2);
	assert_int_equal(rep[0].id, 1);
	assert_int_equal(rep[0].code, 0);
	assert_int_equal(rep[0].secs, 42);
	assert_int_equal(rep[1].id, 3);
	assert_int_equal(rep[1].code, TTRPC_ABORTED);
	assert_string_equal(rep[1].msg, "ns=k8s.io");
	ttrpc_conn_free(c);
}

static void
dispatch_unknown_service_and_method(void **state)
{
	struct ttrpc_conn *c = ttrpc_conn_new(&test_reg);
	uint8_t buf[1024];
	struct reply rep[4];
	size_t len = 0;

	(void)state;
	len = put_request(buf, len, 1, "no.such.Svc", "Echo", 0, NULL);
	len = put_request(buf, len, 3, "test.v1.Svc", "Nope", 0, NULL);
	feed_ok(c, buf, len);
	assert_int_equal(take_replies(c, rep, 4), 2);
	assert_int_equal(rep[0].code, TTRPC_UNIMPLEMENTED);
	assert_string_equal(rep[0].msg, "service no.such.Svc");
	assert_int_equal(rep[1].code, TTRPC_UNIMPLEMENTED);
	assert_string_equal(rep[1].msg, "method Nope");
	ttrpc_conn_free(c);
}

static void
dispatch_bad_stream_ids(void **state)
{
	struct ttrpc_conn *c = ttrpc_conn_new(&test_reg);
	uint8_t buf[1024];
	struct reply rep[4];
	size_t len = 0;

	(void)state;
	len = put_request(buf, len, 2, "test.v1.Svc", "Echo", 0, NULL);
	len = put_request(buf, len, 5, "test.v1.Svc", "Echo", 0, NULL);
	len = put_request(buf, len, 3, "test.v1.Svc", "Echo", 0, NULL);
	feed_ok(c, buf, len);
	assert_int_equal(take_replies(c, rep, 4), 3);
	assert_int_equal(rep[0].id, 2);
	assert_int_equal(rep[0].code, TTRPC_INVALID_ARGUMENT);
	assert_int_equal(rep[1].code, 0);
	assert_int_equal(rep[2].id, 3);
	assert_int_equal(rep[2].code, TTRPC_INVALID_ARGUMENT);
	assert_non_null(strstr(rep[2].msg, "must increment"));
	ttrpc_conn_free(c);
}

static void
dispatch_garbage_request_and_payload(void **state)
{
	struct ttrpc_conn *c = ttrpc_conn_new(&test_reg);
	const uint8_t junk[] = {0xff, 0xff, 0xff, 0xff, 0x0f};
	Ttrpc__Request r = TTRPC__REQUEST__INIT;
	uint8_t buf[1024], req[256];
	struct reply rep[4];
	size_t len = 0;

	(void)state;
	put_frame(buf, &len, 1, TTRPC_REQUEST, junk, sizeof(junk));
	r.service = (char *)"test.v1.Svc";
	r.method = (char *)"Echo";
	r.payload.data = (uint8_t *)junk;
	r.payload.len = sizeof(junk);
	put_frame(buf, &len, 3, TTRPC_REQUEST, req, ttrpc__request__pack(&r, req));
	len = put_request(buf, len, 5, "test.v1.Svc", "Echo", 1, NULL);
	feed_ok(c, buf, len);
	assert_int_equal(take_replies(c, rep, 4), 3);
	assert_int_equal(rep[0].code, TTRPC_INVALID_ARGUMENT);
	assert_non_null(strstr(rep[0].msg, "unmarshal request error"));
	assert_int_equal(rep[1].code, TTRPC_INVALID_ARGUMENT);
	assert_int_equal(rep[2].code, 0); /* the connection goes on */
	ttrpc_conn_free(c);
}

static void
dispatch_oversize_answers_resource_exhausted(void **state)
{
	struct ttrpc_conn *c = ttrpc_conn_new(&test_reg);
	struct ttrpc_header h = {.length = TTRPC_MAX_DATA + 100, .stream_id = 1, .type = 1};
	uint8_t hdr[TTRPC_HEADER_LEN], buf[512];
	uint8_t *junk = calloc(1, h.length);
	struct reply rep[4];
	size_t len = 0;

	(void)state;
	ttrpc_header_encode(&h, hdr);
	feed_ok(c, hdr, sizeof(hdr));
	feed_ok(c, junk, h.length);
	len = put_request(buf, len, 3, "test.v1.Svc", "Echo", 1, NULL);
	feed_ok(c, buf, len);
	assert_int_equal(take_replies(c, rep, 4), 2);
	assert_int_equal(rep[0].id, 1);
	assert_int_equal(rep[0].code, TTRPC_RESOURCE_EXHAUSTED);
	assert_int_equal(rep[1].id, 3);
	assert_int_equal(rep[1].secs, 2);
	free(junk);
	ttrpc_conn_free(c);
}

static void
dispatch_unknown_type_ends_connection(void **state)
{
	struct ttrpc_conn *c = ttrpc_conn_new(&test_reg);
	struct err err = {0};
	uint8_t buf[64];
	size_t len = 0;

	(void)state;
	put_frame(buf, &len, 1, 9, (const uint8_t *)"x", 1);
	assert_int_equal(ttrpc_conn_feed(c, buf, len, &err), -1);
	assert_int_equal(err.code, EPROTO);
	assert_non_null(strstr(err.msg, "unknown message type 9"));
	ttrpc_conn_free(c);
}

static void
dispatch_deferred_answered_out_of_order(void **state)
{
	struct ttrpc_conn *c = ttrpc_conn_new(&test_reg);
	Google__Protobuf__Timestamp out = GOOGLE__PROTOBUF__TIMESTAMP__INIT;
	uint8_t buf[1024];
	struct reply rep[4];
	size_t len = 0;

	(void)state;
	len = put_request(buf, len, 1, "test.v1.Svc", "Later", 0, NULL);
	len = put_request(buf, len, 3, "test.v1.Svc", "Echo", 9, NULL);
	feed_ok(c, buf, len);
	assert_non_null(held_call);
	assert_int_equal(ttrpc_conn_deferred(c), 1);
	assert_int_equal(take_replies(c, rep, 4), 1);
	assert_int_equal(rep[0].id, 3);
	out.seconds = 77;
	ttrpc_call_reply(held_call, &out.base);
	held_call = NULL;
	assert_int_equal(ttrpc_conn_deferred(c), 0);
	assert_int_equal(take_replies(c, rep, 4), 1);
	assert_int_equal(rep[0].id, 1);
	assert_int_equal(rep[0].secs, 77);
	ttrpc_conn_free(c);
}

static void
dispatch_free_cancels_deferred(void **state)
{
	struct ttrpc_conn *c = ttrpc_conn_new(&test_reg);
	uint8_t buf[1024];
	size_t len = 0;

	(void)state;
	cancelled = 0;
	len = put_request(buf, len, 1, "test.v1.Svc", "Later", 0, NULL);
	feed_ok(c, buf, len);
	assert_non_null(held_call);
	ttrpc_conn_free(c);
	assert_null(held_call);
	assert_int_equal(cancelled, 1);
}

static void
dispatch_silent_handler_gets_internal(void **state)
{
	struct ttrpc_conn *c = ttrpc_conn_new(&test_reg);
	uint8_t buf[1024];
	struct reply rep[2];
	size_t len = 0;

	(void)state;
	len = put_request(buf, len, 1, "test.v1.Svc", "Silent", 0, NULL);
	feed_ok(c, buf, len);
	assert_int_equal(take_replies(c, rep, 2), 1);
	assert_int_equal(rep[0].code, TTRPC_INTERNAL);
	ttrpc_conn_free(c);
}

static void
dispatch_errno_mapping(void **state)
{
	struct ttrpc_conn *c = ttrpc_conn_new(&test_reg);
	uint8_t buf[1024];
	struct reply rep[2];
	size_t len = 0;

	(void)state;
	len = put_request(buf, len, 1, "test.v1.Svc", "Fail", 0, NULL);
	feed_ok(c, buf, len);
	assert_int_equal(take_replies(c, rep, 2), 1);
	assert_int_equal(rep[0].code, TTRPC_NOT_FOUND);
	assert_string_equal(rep[0].msg, "container c1 not created");
	ttrpc_conn_free(c);
	assert_int_equal(ttrpc_code_from_errno(EEXIST), TTRPC_ALREADY_EXISTS);
	assert_int_equal(ttrpc_code_from_errno(EINVAL), TTRPC_INVALID_ARGUMENT);
	assert_int_equal(ttrpc_code_from_errno(EBUSY), TTRPC_FAILED_PRECONDITION);
	assert_int_equal(ttrpc_code_from_errno(ENOSYS), TTRPC_UNIMPLEMENTED);
	assert_int_equal(ttrpc_code_from_errno(EPERM), TTRPC_UNKNOWN);
	assert_int_equal(ttrpc_code_from_errno(0), TTRPC_UNKNOWN);
}

/* --- client --- */

struct client_result {
	int calls;
	int code;
	char msg[128];
	int64_t secs;
};

static void
client_cb(void *arg, enum ttrpc_code code, const char *msg, const uint8_t *payload, size_t len)
{
	struct client_result *r = arg;

	r->calls++;
	r->code = code;
	snprintf(r->msg, sizeof(r->msg), "%s", msg ? msg : "");
	r->secs = -1;
	if (code == TTRPC_OK && len) {
		Google__Protobuf__Timestamp *ts =
		    google__protobuf__timestamp__unpack(NULL, len, payload);
		r->secs = ts ? ts->seconds : -2;
		if (ts)
			google__protobuf__timestamp__free_unpacked(ts, NULL);
	}
}

/* Feeds the client's output to a server connection and the answers back. */
static void
pump(struct ttrpc_conn *client, struct ttrpc_conn *server)
{
	const uint8_t *data;
	size_t n;

	n = ttrpc_conn_output(client, &data);
	feed_ok(server, data, n);
	ttrpc_conn_consume(client, n);
	n = ttrpc_conn_output(server, &data);
	feed_ok(client, data, n);
	ttrpc_conn_consume(server, n);
}

static void
client_round_trip(void **state)
{
	struct ttrpc_conn *client = ttrpc_conn_new(NULL), *server = ttrpc_conn_new(&test_reg);
	Google__Protobuf__Timestamp ts = GOOGLE__PROTOBUF__TIMESTAMP__INIT;
	struct client_result a = {0}, b = {0}, d = {0};
	struct err err = {0};

	(void)state;
	ts.seconds = 10;
	assert_int_equal(ttrpc_conn_call(client, "test.v1.Svc", "Echo", &ts.base, "default",
	                                 client_cb, &a, &err),
	                 1);
	assert_int_equal(
	    ttrpc_conn_call(client, "test.v1.Svc", "Ns", &ts.base, "default", client_cb, &b, &err),
	    3);
	assert_int_equal(
	    ttrpc_conn_call(client, "test.v1.Svc", "Later", &ts.base, NULL, client_cb, &d, &err),
	    5);
	pump(client, server);
	assert_int_equal(a.calls, 1);
	assert_int_equal(a.code, TTRPC_OK);
	assert_int_equal(a.secs, 11);
	assert_int_equal(b.code, TTRPC_ABORTED);
	assert_string_equal(b.msg, "ns=default");
	assert_int_equal(d.calls, 0);
	assert_int_equal(ttrpc_conn_pending_calls(client), 1);
	ttrpc_conn_free(server); /* cancels the deferred Later on the server side */
	ttrpc_conn_free(client); /* the pending call completes as unavailable */
	assert_int_equal(d.calls, 1);
	assert_int_equal(d.code, TTRPC_UNAVAILABLE);
}

static void
client_cancel_ignores_late_answer(void **state)
{
	struct ttrpc_conn *client = ttrpc_conn_new(NULL), *server = ttrpc_conn_new(&test_reg);
	Google__Protobuf__Timestamp ts = GOOGLE__PROTOBUF__TIMESTAMP__INIT;
	struct client_result a = {0};
	struct err err = {0};
	uint32_t id;
	const uint8_t *data;
	size_t n;

	(void)state;
	id = ttrpc_conn_call(client, "test.v1.Svc", "Echo", &ts.base, NULL, client_cb, &a, &err);
	n = ttrpc_conn_output(client, &data);
	feed_ok(server, data, n);
	ttrpc_conn_consume(client, n);
	ttrpc_conn_call_cancel(client, id);
	assert_int_equal(a.calls, 1);
	assert_int_equal(a.code, TTRPC_CANCELLED);
	n = ttrpc_conn_output(server, &data);
	feed_ok(client, data, n); /* the late response is dropped */
	assert_int_equal(a.calls, 1);
	ttrpc_conn_free(server);
	ttrpc_conn_free(client);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(header_round_trip),
	    cmocka_unit_test(reader_byte_by_byte),
	    cmocka_unit_test(reader_oversize_skipped_without_alloc),
	    cmocka_unit_test(reader_max_size_accepted),
	    cmocka_unit_test(dispatch_echo_and_metadata),
	    cmocka_unit_test(dispatch_unknown_service_and_method),
	    cmocka_unit_test(dispatch_bad_stream_ids),
	    cmocka_unit_test(dispatch_garbage_request_and_payload),
	    cmocka_unit_test(dispatch_oversize_answers_resource_exhausted),
	    cmocka_unit_test(dispatch_unknown_type_ends_connection),
	    cmocka_unit_test(dispatch_deferred_answered_out_of_order),
	    cmocka_unit_test(dispatch_free_cancels_deferred),
	    cmocka_unit_test(dispatch_silent_handler_gets_internal),
	    cmocka_unit_test(dispatch_errno_mapping),
	    cmocka_unit_test(client_round_trip),
	    cmocka_unit_test(client_cancel_ignores_late_answer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
