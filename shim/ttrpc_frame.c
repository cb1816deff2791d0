#include "ttrpc_frame.h"

#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"

void
ttrpc_header_encode(const struct ttrpc_header *h, uint8_t out[TTRPC_HEADER_LEN])
{
	out[0] = (uint8_t)(h->length >> 24);
	out[1] = (uint8_t)(h->length >> 16);
	out[2] = (uint8_t)(h->length >> 8);
	out[3] = (uint8_t)h->length;
	out[4] = (uint8_t)(h->stream_id >> 24);
	out[5] = (uint8_t)(h->stream_id >> 16);
	out[6] = (uint8_t)(h->stream_id >> 8);
	out[7] = (uint8_t)h->stream_id;
	out[8] = h->type;
	out[9] = h->flags;
}

void
ttrpc_header_decode(const uint8_t in[TTRPC_HEADER_LEN], struct ttrpc_header *h)
{
	h->length = (uint32_t)in[0] << 24 | (uint32_t)in[1] << 16 | (uint32_t)in[2] << 8 | in[3];
	h->stream_id = (uint32_t)in[4] << 24 | (uint32_t)in[5] << 16 | (uint32_t)in[6] << 8 | in[7];
	h->type = in[8];
	h->flags = in[9];
}

void
ttrpc_frame_fini(struct ttrpc_frame *f)
{
	free(f->data);
	f->data = NULL;
}

void
ttrpc_reader_init(struct ttrpc_reader *r)
{
	memset(r, 0, sizeof(*r));
}

void
ttrpc_reader_fini(struct ttrpc_reader *r)
{
	free(r->data);
	ttrpc_reader_init(r);
}

int
ttrpc_reader_idle(const struct ttrpc_reader *r)
{
	return r->hdr_len == 0 && r->skip == 0;
}

/* Hands the collected frame to the caller and resets for the next header. */
static void
ttrpc_reader_emit(struct ttrpc_reader *r, struct ttrpc_frame *out)
{
	out->hdr = r->cur;
	out->data = r->data;
	r->data = NULL;
	r->data_len = 0;
	r->hdr_len = 0;
}

size_t
ttrpc_reader_feed(struct ttrpc_reader *r, const uint8_t *buf, size_t len, struct ttrpc_frame *out,
                  enum ttrpc_read *res)
{
	size_t used = 0, n;

	*res = TTRPC_READ_MORE;
	if (r->skip) {
		n = len < r->skip ? len : (size_t)r->skip;
		r->skip -= n;
		used += n;
	}
	if (r->hdr_len < TTRPC_HEADER_LEN) {
		n = TTRPC_HEADER_LEN - r->hdr_len;
		if (n > len - used)
			n = len - used;
		if (n)
			memcpy(r->hdr + r->hdr_len, buf + used, n);
		r->hdr_len += n;
		used += n;
		if (r->hdr_len < TTRPC_HEADER_LEN)
			return used;
		ttrpc_header_decode(r->hdr, &r->cur);
		if (r->cur.length > TTRPC_MAX_DATA) {
			/* Checked before any allocation: the data is dropped as it arrives. */
			r->skip = r->cur.length;
			r->hdr_len = 0;
			out->hdr = r->cur;
			out->data = NULL;
			*res = TTRPC_READ_OVERSIZE;
			return used;
		}
		if (r->cur.length)
			r->data = xmalloc(r->cur.length);
		r->data_len = 0;
	}
	n = r->cur.length - r->data_len;
	if (n > len - used)
		n = len - used;
	if (n) {
		memcpy(r->data + r->data_len, buf + used, n);
		r->data_len += n;
		used += n;
	}
	if (r->data_len == r->cur.length) {
		ttrpc_reader_emit(r, out);
		*res = TTRPC_READ_FRAME;
	}
	return used;
}
