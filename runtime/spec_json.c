/* spec_json: the JSON walking helpers of the spec parser (typed field access with the JSON path
 * in every error). See spec_internal.h for the conventions. */
#include "spec_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <yajl/yajl_parse.h>

#include "base/cleanup.h"
#include "base/xalloc.h"

void
rt__spec_ctx_init(struct spec_ctx *ctx, const char *doc, struct err *err)
{
	ctx->doc = doc;
	ctx->path[0] = '\0';
	ctx->len = 0;
	ctx->err = err;
}

/* Appends s to the path; what does not fit becomes "..." (room for it is always kept). */
static void
path_append(struct spec_ctx *ctx, const char *s, size_t n)
{
	size_t room = sizeof(ctx->path) - ctx->len;

	if (n + 4 <= room) {
		memcpy(ctx->path + ctx->len, s, n);
		ctx->len += n;
	} else if (room >= 4 && (ctx->len < 3 || memcmp(ctx->path + ctx->len - 3, "...", 3) != 0)) {
		memcpy(ctx->path + ctx->len, "...", 3);
		ctx->len += 3;
	}
	ctx->path[ctx->len] = '\0';
}

size_t
rt__spec_push(struct spec_ctx *ctx, const char *field)
{
	size_t mark = ctx->len;

	if (ctx->len > 0)
		path_append(ctx, ".", 1);
	path_append(ctx, field, strlen(field));
	return mark;
}

size_t
rt__spec_push_index(struct spec_ctx *ctx, size_t i)
{
	size_t mark = ctx->len;
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "[%zu]", i);

	path_append(ctx, buf, (size_t)n);
	return mark;
}

size_t
rt__spec_push_key(struct spec_ctx *ctx, const char *key)
{
	size_t mark = ctx->len;
	char buf[80];
	size_t n = 0, klen = strlen(key);

	buf[n++] = '[';
	buf[n++] = '"';
	for (size_t i = 0; i < klen && i < 64; i++) {
		unsigned char c = (unsigned char)key[i];
		buf[n++] = (c < 0x20 || c == '"' || c == '\\' || c == 0x7f) ? '?' : (char)c;
	}
	if (klen > 64) {
		memcpy(buf + n, "...", 3);
		n += 3;
	}
	buf[n++] = '"';
	buf[n++] = ']';
	path_append(ctx, buf, n);
	return mark;
}

void
rt__spec_pop(struct spec_ctx *ctx, size_t mark)
{
	if (mark <= ctx->len) {
		ctx->len = mark;
		ctx->path[mark] = '\0';
	}
}

static int
spec_vfail(struct spec_ctx *ctx, const char *fmt, va_list ap)
{
	char msg[256];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (ctx->len == 0)
		return err_set(ctx->err, EINVAL, "%s: %s", ctx->doc, msg);
	return err_set(ctx->err, EINVAL, "%s: %s: %s", ctx->doc, ctx->path, msg);
}

int
rt__spec_fail(struct spec_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	spec_vfail(ctx, fmt, ap);
	va_end(ap);
	return -1;
}

int
rt__spec_fail_at(struct spec_ctx *ctx, const char *field, const char *fmt, ...)
{
	size_t mark = rt__spec_push(ctx, field);
	va_list ap;

	va_start(ap, fmt);
	spec_vfail(ctx, fmt, ap);
	va_end(ap);
	rt__spec_pop(ctx, mark);
	return -1;
}

/* The first pass: plain yajl_parse with callbacks that only watch depth and NULs. */
struct spec_check {
	int depth;
	const char *why; /* set when a callback cancels the parse */
};

static int
check_number(void *c, const char *s, size_t n)
{
	(void)c, (void)s, (void)n;
	return 1;
}

static int
check_string(void *c, const unsigned char *s, size_t n)
{
	struct spec_check *ck = c;

	if (memchr(s, '\0', n) != NULL) {
		ck->why = "a string contains a NUL character (\\u0000)";
		return 0;
	}
	return 1;
}

static int
check_open(void *c)
{
	struct spec_check *ck = c;

	if (++ck->depth > SPEC_MAX_DEPTH) {
		ck->why = "arrays and objects nested too deeply";
		return 0;
	}
	return 1;
}

static int
check_close(void *c)
{
	struct spec_check *ck = c;

	ck->depth--;
	return 1;
}

static const yajl_callbacks check_callbacks = {
    .yajl_number = check_number,
    .yajl_string = check_string,
    .yajl_start_map = check_open,
    .yajl_map_key = check_string,
    .yajl_end_map = check_close,
    .yajl_start_array = check_open,
    .yajl_end_array = check_close,
};

static int
spec_check_text(struct spec_ctx *ctx, const char *json, size_t len)
{
	struct spec_check ck = {0, NULL};
	yajl_handle h = yajl_alloc(&check_callbacks, NULL, &ck);
	yajl_status st;
	size_t off;
	unsigned char *msg;
	size_t n;

	if (h == NULL)
		return err_set(ctx->err, ENOMEM, "%s: out of memory", ctx->doc);
	st = yajl_parse(h, (const unsigned char *)json, len);
	/* yajl counts the byte it stopped at as consumed: report that byte's offset. */
	off = yajl_get_bytes_consumed(h);
	if (off > 0)
		off--;
	if (st == yajl_status_ok) {
		st = yajl_complete_parse(h);
		off = len;
	}
	if (st == yajl_status_ok) {
		yajl_free(h);
		return 0;
	}
	if (st == yajl_status_client_canceled) {
		yajl_free(h);
		return err_set(ctx->err, EINVAL, "%s: unsupported JSON at offset %zu: %s", ctx->doc,
		               off, ck.why ? ck.why : "rejected");
	}
	msg = yajl_get_error(h, 0, (const unsigned char *)json, len);
	n = msg ? strlen((char *)msg) : 0;
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' ' || msg[n - 1] == '.'))
		n--;
	err_set(ctx->err, EINVAL, "%s: invalid JSON at offset %zu: %.*s", ctx->doc, off, (int)n,
	        msg ? (char *)msg : "parse error");
	if (msg)
		yajl_free_error(h, msg);
	yajl_free(h);
	return -1;
}

int
rt__spec_tree_parse(struct spec_ctx *ctx, const char *json, size_t len, yajl_val *out)
{
	cleanup_free char *text = NULL;
	char errbuf[256] = "";
	yajl_val tree;

	if (spec_check_text(ctx, json, len) < 0)
		return -1;
	/* yajl_tree_parse wants a NUL-terminated string; the check above ruled out NULs. */
	text = xmalloc(len + 1);
	memcpy(text, json, len);
	text[len] = '\0';
	tree = yajl_tree_parse(text, errbuf, sizeof(errbuf));
	if (tree == NULL) {
		errbuf[strcspn(errbuf, "\n")] = '\0';
		return err_set(ctx->err, EINVAL, "%s: invalid JSON: %s", ctx->doc, errbuf);
	}
	if (!YAJL_IS_OBJECT(tree)) {
		yajl_tree_free(tree);
		return err_set(ctx->err, EINVAL, "%s: expected a JSON object at the top level",
		               ctx->doc);
	}
	*out = tree;
	return 0;
}

yajl_val
rt__spec_get(yajl_val obj, const char *field)
{
	if (obj == NULL || !YAJL_IS_OBJECT(obj))
		return NULL;
	for (size_t i = obj->u.object.len; i-- > 0;) {
		if (strcmp(obj->u.object.keys[i], field) == 0) {
			yajl_val v = obj->u.object.values[i];
			return YAJL_IS_NULL(v) ? NULL : v;
		}
	}
	return NULL;
}

/* A key of a map object and its position, sorted to find repeated keys. */
struct key_ref {
	const char *key;
	size_t i;
};

static int
key_ref_cmp(const void *a, const void *b)
{
	const struct key_ref *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	if (c != 0)
		return c;
	return x->i < y->i ? -1 : x->i > y->i;
}

/* Sorting keeps this O(n log n): a pod can carry thousands of annotations. */
bool *
rt__spec_last_keys(yajl_val map)
{
	size_t n = map->u.object.len;
	struct key_ref *refs = xcalloc(n, sizeof(*refs));
	bool *last = xcalloc(n, sizeof(bool));

	for (size_t i = 0; i < n; i++) {
		refs[i].key = map->u.object.keys[i];
		refs[i].i = i;
	}
	qsort(refs, n, sizeof(*refs), key_ref_cmp);
	for (size_t j = 0; j < n; j++)
		if (j + 1 == n || strcmp(refs[j].key, refs[j + 1].key) != 0)
			last[refs[j].i] = true;
	free(refs);
	return last;
}

int
rt__spec_val_str(struct spec_ctx *ctx, yajl_val v, char **out)
{
	if (!YAJL_IS_STRING(v))
		return rt__spec_fail(ctx, "expected a string");
	free(*out);
	*out = xstrdup(YAJL_GET_STRING(v));
	return 0;
}

/* Splits an integer literal into sign and magnitude. Returns 0, -1 if it is not an integer
 * (fraction or exponent), -2 if the magnitude does not fit 64 bits. */
static int
parse_integer(const char *r, bool *neg, uint64_t *mag)
{
	uint64_t m = 0;

	*neg = (*r == '-');
	if (*neg)
		r++;
	if (*r == '\0')
		return -1;
	for (; *r; r++) {
		if (*r < '0' || *r > '9')
			return -1;
		if (m > (UINT64_MAX - (uint64_t)(*r - '0')) / 10)
			return -2;
		m = m * 10 + (uint64_t)(*r - '0');
	}
	*mag = m;
	return 0;
}

static int
number_text(struct spec_ctx *ctx, yajl_val v, bool *neg, uint64_t *mag)
{
	const char *r;
	int rc;

	if (!YAJL_IS_NUMBER(v))
		return rt__spec_fail(ctx, "expected an integer");
	r = v->u.number.r;
	rc = parse_integer(r, neg, mag);
	if (rc == -1)
		return rt__spec_fail(ctx, "expected an integer, not %.40s", r);
	if (rc == -2)
		return rt__spec_fail(ctx, "%.40s is out of range", r);
	return 0;
}

int
rt__spec_val_i64(struct spec_ctx *ctx, yajl_val v, int64_t min, int64_t max, int64_t *out)
{
	bool neg = false;
	uint64_t mag = 0;
	int64_t x;

	if (number_text(ctx, v, &neg, &mag) < 0)
		return -1;
	if (!neg && mag > (uint64_t)INT64_MAX)
		goto range;
	if (neg && mag > (uint64_t)INT64_MAX + 1)
		goto range;
	if (neg)
		x = mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag;
	else
		x = (int64_t)mag;
	if (x < min || x > max)
		goto range;
	*out = x;
	return 0;
range:
	return rt__spec_fail(ctx, "%.40s is out of range (%" PRId64 "..%" PRId64 ")", v->u.number.r,
	                     min, max);
}

int
rt__spec_val_u64(struct spec_ctx *ctx, yajl_val v, uint64_t max, uint64_t *out)
{
	bool neg = false;
	uint64_t mag = 0;

	if (number_text(ctx, v, &neg, &mag) < 0)
		return -1;
	if ((neg && mag != 0) || mag > max)
		return rt__spec_fail(ctx, "%.40s is out of range (0..%" PRIu64 ")", v->u.number.r,
		                     max);
	*out = mag;
	return 0;
}

int
rt__spec_val_strv(struct spec_ctx *ctx, yajl_val v, int flags, char ***out)
{
	char **sv;
	size_t n;

	if (!YAJL_IS_ARRAY(v))
		return rt__spec_fail(ctx, "expected an array of strings");
	n = v->u.array.len;
	if ((flags & SPEC_NONEMPTY) && n == 0)
		return rt__spec_fail(ctx, "must not be empty");
	sv = xcalloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++) {
		yajl_val e = v->u.array.values[i];
		if (!YAJL_IS_STRING(e)) {
			size_t mark = rt__spec_push_index(ctx, i);
			rt__spec_fail(ctx, "expected a string");
			rt__spec_pop(ctx, mark);
			strv_free(sv);
			return -1;
		}
		sv[i] = xstrdup(YAJL_GET_STRING(e));
	}
	strv_free(*out);
	*out = sv;
	return 0;
}

static int
absent(struct spec_ctx *ctx, const char *field, int flags)
{
	if (flags & (SPEC_REQUIRED | SPEC_NONEMPTY))
		return rt__spec_fail_at(ctx, field, "missing required field");
	return 0;
}

int
rt__spec_str(struct spec_ctx *ctx, yajl_val obj, const char *field, int flags, char **out)
{
	yajl_val v = rt__spec_get(obj, field);
	size_t mark;
	int rc;

	if (v == NULL)
		return absent(ctx, field, flags);
	mark = rt__spec_push(ctx, field);
	rc = rt__spec_val_str(ctx, v, out);
	if (rc == 0 && (flags & SPEC_NONEMPTY) && **out == '\0')
		rc = rt__spec_fail(ctx, "must not be empty");
	rt__spec_pop(ctx, mark);
	return rc;
}

int
rt__spec_bool(struct spec_ctx *ctx, yajl_val obj, const char *field, int flags, bool *out,
              bool *has)
{
	yajl_val v = rt__spec_get(obj, field);

	if (has)
		*has = false;
	if (v == NULL)
		return absent(ctx, field, flags);
	if (!YAJL_IS_TRUE(v) && !YAJL_IS_FALSE(v))
		return rt__spec_fail_at(ctx, field, "expected a boolean");
	*out = YAJL_IS_TRUE(v);
	if (has)
		*has = true;
	return 0;
}

int
rt__spec_i64(struct spec_ctx *ctx, yajl_val obj, const char *field, int flags, int64_t min,
             int64_t max, int64_t *out, bool *has)
{
	yajl_val v = rt__spec_get(obj, field);
	size_t mark;
	int rc;

	if (has)
		*has = false;
	if (v == NULL)
		return absent(ctx, field, flags);
	mark = rt__spec_push(ctx, field);
	rc = rt__spec_val_i64(ctx, v, min, max, out);
	rt__spec_pop(ctx, mark);
	if (rc == 0 && has)
		*has = true;
	return rc;
}

int
rt__spec_u64(struct spec_ctx *ctx, yajl_val obj, const char *field, int flags, uint64_t max,
             uint64_t *out, bool *has)
{
	yajl_val v = rt__spec_get(obj, field);
	size_t mark;
	int rc;

	if (has)
		*has = false;
	if (v == NULL)
		return absent(ctx, field, flags);
	mark = rt__spec_push(ctx, field);
	rc = rt__spec_val_u64(ctx, v, max, out);
	rt__spec_pop(ctx, mark);
	if (rc == 0 && has)
		*has = true;
	return rc;
}

int
rt__spec_u32(struct spec_ctx *ctx, yajl_val obj, const char *field, int flags, uint32_t *out,
             bool *has)
{
	uint64_t x = 0;
	bool got = false;

	if (rt__spec_u64(ctx, obj, field, flags, UINT32_MAX, &x, &got) < 0)
		return -1;
	if (got)
		*out = (uint32_t)x;
	if (has)
		*has = got;
	return 0;
}

int
rt__spec_int(struct spec_ctx *ctx, yajl_val obj, const char *field, int flags, int min, int max,
             int *out, bool *has)
{
	int64_t x = 0;
	bool got = false;

	if (rt__spec_i64(ctx, obj, field, flags, min, max, &x, &got) < 0)
		return -1;
	if (got)
		*out = (int)x;
	if (has)
		*has = got;
	return 0;
}

int
rt__spec_strv(struct spec_ctx *ctx, yajl_val obj, const char *field, int flags, char ***out)
{
	yajl_val v = rt__spec_get(obj, field);
	size_t mark;
	int rc;

	if (v == NULL)
		return absent(ctx, field, flags);
	mark = rt__spec_push(ctx, field);
	rc = rt__spec_val_strv(ctx, v, flags, out);
	rt__spec_pop(ctx, mark);
	return rc;
}

int
rt__spec_obj(struct spec_ctx *ctx, yajl_val obj, const char *field, int flags, yajl_val *out)
{
	yajl_val v = rt__spec_get(obj, field);

	*out = NULL;
	if (v == NULL)
		return absent(ctx, field, flags);
	if (!YAJL_IS_OBJECT(v))
		return rt__spec_fail_at(ctx, field, "expected an object");
	*out = v;
	return 0;
}

int
rt__spec_arr(struct spec_ctx *ctx, yajl_val obj, const char *field, int flags, yajl_val *out)
{
	yajl_val v = rt__spec_get(obj, field);

	*out = NULL;
	if (v == NULL)
		return absent(ctx, field, flags);
	if (!YAJL_IS_ARRAY(v))
		return rt__spec_fail_at(ctx, field, "expected an array");
	if ((flags & SPEC_NONEMPTY) && v->u.array.len == 0)
		return rt__spec_fail_at(ctx, field, "must not be empty");
	*out = v;
	return 0;
}

int
rt__spec_objects(struct spec_ctx *ctx, yajl_val obj, const char *field, int flags, size_t elem_size,
                 spec_elem_fn fn, void *arg, void *outp, size_t *n)
{
	yajl_val arr;
	char *elems;
	size_t mark;

	if (rt__spec_arr(ctx, obj, field, flags, &arr) < 0)
		return -1;
	if (arr == NULL)
		return 0;
	elems = xcalloc(arr->u.array.len, elem_size);
	memcpy(outp, &elems, sizeof(elems));
	*n = arr->u.array.len;
	mark = rt__spec_push(ctx, field);
	for (size_t i = 0; i < arr->u.array.len; i++) {
		yajl_val v = arr->u.array.values[i];
		size_t m2 = rt__spec_push_index(ctx, i);
		int rc;
		if (!YAJL_IS_OBJECT(v))
			rc = rt__spec_fail(ctx, "expected an object");
		else
			rc = fn(ctx, v, elems + i * elem_size, arg);
		rt__spec_pop(ctx, m2);
		if (rc < 0) {
			rt__spec_pop(ctx, mark);
			return -1;
		}
	}
	rt__spec_pop(ctx, mark);
	return 0;
}

void
rt__spec_kv_free(struct rt_kv *kv, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(kv[i].key);
		free(kv[i].value);
	}
	free(kv);
}

int
rt__spec_kv(struct spec_ctx *ctx, yajl_val obj, const char *field, struct rt_kv **out, size_t *n)
{
	cleanup_free bool *last = NULL;
	yajl_val map;
	struct rt_kv *kv;
	size_t k = 0, mark;

	if (rt__spec_obj(ctx, obj, field, SPEC_OPTIONAL, &map) < 0)
		return -1;
	if (map == NULL)
		return 0;
	mark = rt__spec_push(ctx, field);
	last = rt__spec_last_keys(map);
	kv = xcalloc(map->u.object.len, sizeof(*kv));
	for (size_t i = 0; i < map->u.object.len; i++) {
		yajl_val v = map->u.object.values[i];
		if (!last[i])
			continue;
		if (v != NULL && !YAJL_IS_NULL(v) && !YAJL_IS_STRING(v)) {
			size_t m2 = rt__spec_push_key(ctx, map->u.object.keys[i]);
			rt__spec_fail(ctx, "expected a string");
			rt__spec_pop(ctx, m2);
			rt__spec_pop(ctx, mark);
			rt__spec_kv_free(kv, k);
			return -1;
		}
		kv[k].key = xstrdup(map->u.object.keys[i]);
		kv[k].value = xstrdup(YAJL_IS_STRING(v) ? YAJL_GET_STRING(v) : "");
		k++;
	}
	rt__spec_pop(ctx, mark);
	*out = kv;
	*n = k;
	return 0;
}
