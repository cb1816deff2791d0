/* ttrpc_frame: the ttrpc wire framing as a pure byte-level state machine (no fds). A frame is a
 * 10-byte big-endian header (length, stream id, type, flags) and `length` bytes of data. */
#ifndef SHIM_TTRPC_FRAME_H
#define SHIM_TTRPC_FRAME_H

#include <stddef.h>
#include <stdint.h>

#define TTRPC_HEADER_LEN 10
#define TTRPC_MAX_DATA (4u << 20) /* ttrpc's messageLengthMax */

enum ttrpc_type { TTRPC_REQUEST = 1, TTRPC_RESPONSE = 2, TTRPC_DATA = 3 };

#define TTRPC_FLAG_REMOTE_CLOSED 0x01
#define TTRPC_FLAG_REMOTE_OPEN 0x02
#define TTRPC_FLAG_NO_DATA 0x04

struct ttrpc_header {
	uint32_t length; /* data bytes after the header */
	uint32_t stream_id;
	uint8_t type;
	uint8_t flags;
};

void ttrpc_header_encode(const struct ttrpc_header *h, uint8_t out[TTRPC_HEADER_LEN]);
void ttrpc_header_decode(const uint8_t in[TTRPC_HEADER_LEN], struct ttrpc_header *h);

/* One received frame; data is owned by whoever holds the frame (ttrpc_frame_fini). */
struct ttrpc_frame {
	struct ttrpc_header hdr;
	uint8_t *data; /* owned, NULL when length is 0 */
};
void ttrpc_frame_fini(struct ttrpc_frame *f);

enum ttrpc_read {
	TTRPC_READ_MORE,     /* all input consumed, no complete frame yet */
	TTRPC_READ_FRAME,    /* *out holds a complete frame */
	TTRPC_READ_OVERSIZE, /* out->hdr holds a header whose length exceeds TTRPC_MAX_DATA; its
	                        data will be discarded as it arrives, nothing was allocated */
};

/* Reader state, in caller storage: zero-initialise (or ttrpc_reader_init), ttrpc_reader_fini. */
struct ttrpc_reader {
	uint8_t hdr[TTRPC_HEADER_LEN];
	size_t hdr_len; /* header bytes collected so far */
	struct ttrpc_header cur;
	uint8_t *data;   /* owned: payload being collected */
	size_t data_len; /* payload bytes collected so far */
	uint64_t skip;   /* bytes of an oversize payload still to discard */
};

void ttrpc_reader_init(struct ttrpc_reader *r);
void ttrpc_reader_fini(struct ttrpc_reader *r);

/* Consumes up to len bytes of buf and returns how many it used; stops after one complete frame
 * (or oversize header) so the caller can act on it, then calls again with the rest. */
size_t ttrpc_reader_feed(struct ttrpc_reader *r, const uint8_t *buf, size_t len,
                         struct ttrpc_frame *out, enum ttrpc_read *res);

/* True when the reader is between frames (nothing partial buffered or being skipped). */
int ttrpc_reader_idle(const struct ttrpc_reader *r);

#endif
