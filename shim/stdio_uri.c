#include "stdio_uri.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent-decodes s[0, n); plus_space for query components. NULL on a bad escape. */
static char *
uri_decode(const char *s, size_t n, int plus_space)
{
	char *out = xmalloc(n + 1), *o = out;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%') {
			int hi = i + 2 < n ? hexval(s[i + 1]) : -1;
			int lo = i + 2 < n ? hexval(s[i + 2]) : -1;
			if (hi < 0 || lo < 0) {
				free(out);
				return NULL;
			}
			*o++ = (char)(hi << 4 | lo);
			i += 2;
		} else if (plus_space && s[i] == '+') {
			*o++ = ' ';
		} else {
			*o++ = s[i];
		}
	}
	*o = '\0';
	return out;
}

/* Splits "k=v&k2=v2" into args k v k2 v2 (a key without '=' gets an empty value). */
static int
uri_query_args(const char *q, char ***out, struct err *err)
{
	size_t n = 0, cap = 8;
	char **v = xcalloc(cap + 1, sizeof(*v));

	while (q && *q) {
		const char *amp = strchr(q, '&'), *end = amp ? amp : q + strlen(q);
		const char *eq = memchr(q, '=', (size_t)(end - q));
		const char *kend = eq ? eq : end;
		if (end > q) {
			if (n + 2 > cap) {
				cap *= 2;
				v = xreallocarray(v, cap + 1, sizeof(*v));
			}
			v[n] = uri_decode(q, (size_t)(kend - q), 1);
			v[n + 1] = eq ? uri_decode(eq + 1, (size_t)(end - eq - 1), 1) : xstrdup("");
			if (!v[n] || !v[n + 1]) {
				v[n + 2] = NULL;
				strv_free(v);
				return err_set(err, EINVAL, "bad escape in log URI query");
			}
			n += 2;
			v[n] = NULL;
		}
		q = amp ? amp + 1 : end;
	}
	v[n] = NULL;
	*out = v;
	return 0;
}

int
stdio_uri_parse(const char *s, struct stdio_uri *out, struct err *err)
{
	const char *sep, *rest, *q;

	memset(out, 0, sizeof(*out));
	if (!s || !*s)
		return 0;
	sep = strstr(s, "://");
	if (!sep || memchr(s, '/', (size_t)(sep - s))) {
		out->kind = STDIO_PATH;
		out->path = xstrdup(s);
		return 0;
	}
	if ((size_t)(sep - s) == 4 && strncmp(s, "file", 4) == 0)
		out->kind = STDIO_FILE;
	else if ((size_t)(sep - s) == 6 && strncmp(s, "binary", 6) == 0)
		out->kind = STDIO_BINARY;
	else if ((size_t)(sep - s) == 9 && strncmp(s, "binary-v2", 9) == 0)
		out->kind = STDIO_BINARY, out->ready_byte = true;
	else
		return err_set(err, EINVAL, "unknown STDIO scheme %.*s", (int)(sep - s), s);
	rest = sep + 3;
	/* an authority ("file://host/path") is not a local path */
	if (*rest != '/')
		return err_set(err, EINVAL, "log URI %s: path must be absolute", s);
	q = strchr(rest, '?');
	out->path = uri_decode(rest, q ? (size_t)(q - rest) : strlen(rest), 0);
	if (!out->path)
		return err_set(err, EINVAL, "log URI %s: bad escape", s);
	if (out->kind == STDIO_BINARY) {
		if (uri_query_args(q ? q + 1 : NULL, &out->args, err) < 0) {
			stdio_uri_fini(out);
			return -1;
		}
	}
	return 0;
}

void
stdio_uri_fini(struct stdio_uri *u)
{
	free(u->path);
	strv_free(u->args);
	memset(u, 0, sizeof(*u));
}
