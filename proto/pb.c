#include "pb.h"

#include <string.h>

#include "base/xalloc.h"

static const char *
pb_base_name(const char *s)
{
	const char *slash = strrchr(s, '/');

	return slash ? slash + 1 : s;
}

bool
pb_any_is(const Google__Protobuf__Any *any, const char *name)
{
	if (!any || !any->type_url || !name)
		return false;
	return strcmp(pb_base_name(any->type_url), pb_base_name(name)) == 0;
}

uint8_t *
pb_pack(const ProtobufCMessage *msg, size_t *len)
{
	size_t n = protobuf_c_message_get_packed_size(msg);
	uint8_t *buf = xmalloc(n ? n : 1);

	*len = protobuf_c_message_pack(msg, buf);
	return buf;
}

void
pb_any_pack(Google__Protobuf__Any *any, const char *type_url, const ProtobufCMessage *msg,
	    uint8_t **buf)
{
	size_t len = 0;

	*buf = pb_pack(msg, &len);
	any->type_url = (char *)type_url;
	any->value.data = *buf;
	any->value.len = len;
}

void
pb_timestamp_set(Google__Protobuf__Timestamp *t, const struct timespec *ts)
{
	if (ts->tv_sec == 0 && ts->tv_nsec == 0) {
		t->seconds = PB_GO_ZERO_SECONDS;
		t->nanos = 0;
		return;
	}
	t->seconds = ts->tv_sec;
	t->nanos = (int32_t)ts->tv_nsec;
}
