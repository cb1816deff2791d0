#include "cli_json.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"

void
cli_json_init(struct cli_json *j)
{
	memset(j, 0, sizeof(*j));
	j->cap = 256;
	j->buf = xmalloc(j->cap);
	j->buf[0] = '\0';
}

void
cli_json_fini(struct cli_json *j)
{
	free(j->buf);
	memset(j, 0, sizeof(*j));
}

char *
cli_json_take(struct cli_json *j)
{
	char *s = j->buf;

	j->buf = NULL;
	cli_json_fini(j);
	return s;
}

static void
put(struct cli_json *j, const char *s, size_t n)
{
	if (j->len + n + 1 > j->cap) {
		while (j->len + n + 1 > j->cap)
			j->cap *= 2;
		j->buf = xrealloc(j->buf, j->cap);
	}
	memcpy(j->buf + j->len, s, n);
	j->len += n;
	j->buf[j->len] = '\0';
}

static void
put_s(struct cli_json *j, const char *s)
{
	put(j, s, strlen(s));
}

static void
put_string(struct cli_json *j, const char *s)
{
	put(j, "\"", 1);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		char esc[8];
		switch (*p) {
		case '"':
			put_s(j, "\\\"");
			break;
		case '\\':
			put_s(j, "\\\\");
			break;
		case '\n':
			put_s(j, "\\n");
			break;
		case '\r':
			put_s(j, "\\r");
			break;
		case '\t':
			put_s(j, "\\t");
			break;
		default:
			if (*p < 0x20) {
				snprintf(esc, sizeof(esc), "\\u%04x", *p);
				put_s(j, esc);
			} else {
				put(j, (const char *)p, 1);
			}
		}
	}
	put(j, "\"", 1);
}

/* The comma and the key before a value. */
static void
begin_value(struct cli_json *j, const char *key)
{
	if (j->has_item[j->depth])
		put(j, ",", 1);
	j->has_item[j->depth] = true;
	if (key) {
		put_string(j, key);
		put(j, ":", 1);
	}
}

static void
open_nested(struct cli_json *j, const char *key, char open, char close)
{
	begin_value(j, key);
	put(j, &open, 1);
	if (j->depth < CLI_JSON_MAX_DEPTH)
		j->depth++;
	j->has_item[j->depth] = false;
	j->closer[j->depth] = close;
}

void
cli_json_obj(struct cli_json *j, const char *key)
{
	open_nested(j, key, '{', '}');
}

void
cli_json_arr(struct cli_json *j, const char *key)
{
	open_nested(j, key, '[', ']');
}

void
cli_json_end(struct cli_json *j)
{
	if (j->depth == 0)
		return;
	put(j, &j->closer[j->depth], 1);
	j->depth--;
}

void
cli_json_str(struct cli_json *j, const char *key, const char *v)
{
	begin_value(j, key);
	if (v)
		put_string(j, v);
	else
		put_s(j, "null");
}

void
cli_json_u64(struct cli_json *j, const char *key, uint64_t v)
{
	char num[32];

	begin_value(j, key);
	snprintf(num, sizeof(num), "%" PRIu64, v);
	put_s(j, num);
}

void
cli_json_u64_nz(struct cli_json *j, const char *key, uint64_t v)
{
	if (v != 0)
		cli_json_u64(j, key, v);
}

void
cli_json_i64(struct cli_json *j, const char *key, int64_t v)
{
	char num[32];

	begin_value(j, key);
	snprintf(num, sizeof(num), "%" PRId64, v);
	put_s(j, num);
}

void
cli_json_bool(struct cli_json *j, const char *key, bool v)
{
	begin_value(j, key);
	put_s(j, v ? "true" : "false");
}

void
cli_json_null(struct cli_json *j, const char *key)
{
	begin_value(j, key);
	put_s(j, "null");
}

void
cli_json_raw(struct cli_json *j, const char *key, const char *json)
{
	begin_value(j, key);
	put_s(j, json);
}
