/* sha256: FIPS 180-4 SHA-256, for the socket address hash (no crypto library needed). */
#ifndef SHIM_SHA256_H
#define SHIM_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN 32

struct sha256 {
	uint32_t h[8];
	uint64_t len; /* bytes hashed so far */
	uint8_t buf[64];
	size_t n; /* bytes in buf */
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t len);
void sha256_final(struct sha256 *s, uint8_t out[SHA256_LEN]);
/* Lowercase hex of the digest of data into out (65 bytes with the NUL). */
void sha256_hex(const void *data, size_t len, char out[2 * SHA256_LEN + 1]);

#endif
