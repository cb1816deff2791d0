/* pb: small helpers around protobuf-c messages (Any, Timestamp, packing, cleanup). */
#ifndef PROTO_PB_H
#define PROTO_PB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <protobuf-c/protobuf-c.h>

#include "proto/google/protobuf/any.pb-c.h"
#include "proto/google/protobuf/timestamp.pb-c.h"

/* Type URL prefix for JSON-encoded OCI types (containerd's typeurl registry). */
#define PB_OCI_TYPE_PREFIX "types.containerd.io/opencontainers/runtime-spec/1/"

/* Frees an unpacked message (NULL is fine). */
static inline void
pb_free_fn(void *p)
{
	ProtobufCMessage *m = *(ProtobufCMessage **)p;

	if (m)
		protobuf_c_message_free_unpacked(m, NULL);
}
#define cleanup_pb __attribute__((cleanup(pb_free_fn)))

/* True if the Any holds `name`: the text after the last '/' of type_url equals the name after
 * its last '/' (so "type.googleapis.com/x.Y" matches "x.Y", as containerd 2.x accepts). */
bool pb_any_is(const Google__Protobuf__Any *any, const char *name);

/* Packs msg into a new buffer (owned by the caller, never NULL even for zero bytes). */
uint8_t *pb_pack(const ProtobufCMessage *msg, size_t *len);

/* Fills an Any (borrowing type_url) with msg packed into *buf (owned by the caller). */
void pb_any_pack(Google__Protobuf__Any *any, const char *type_url, const ProtobufCMessage *msg,
		 uint8_t **buf);

/* Timestamp from a CLOCK_REALTIME timespec; a zero timespec gives Go's zero time
 * (seconds -62135596800), which every containerd version shows as "not set". */
void pb_timestamp_set(Google__Protobuf__Timestamp *t, const struct timespec *ts);
#define PB_GO_ZERO_SECONDS (-62135596800LL)

#endif
