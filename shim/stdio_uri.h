/* stdio_uri: what a task's stdout string means, as the runc shim reads it (pure, tested). */
#ifndef SHIM_STDIO_URI_H
#define SHIM_STDIO_URI_H

#include <stdbool.h>

#include "base/err.h"

enum stdio_kind {
	STDIO_NONE = 0, /* "" */
	STDIO_PATH,     /* a plain path: a FIFO (or a regular file) made by the client */
	STDIO_FILE,     /* file:///abs/path: append stdout and stderr to one file */
	STDIO_BINARY,   /* binary:///abs/path?k=v: a logger process */
};

struct stdio_uri {
	enum stdio_kind kind;
	char *path;      /* owned: the path (decoded) */
	char **args;     /* owned, NULL-terminated: binary:// query as k v k v ... (decoded) */
	bool ready_byte; /* binary-v2:// (containerd 2.2+): readiness needs a byte, not just EOF */
};

/* Parses s. Schemes other than file://, binary:// and binary-v2:// are an error "unknown STDIO
 * scheme". */
int stdio_uri_parse(const char *s, struct stdio_uri *out, struct err *err);
void stdio_uri_fini(struct stdio_uri *u);

#endif
