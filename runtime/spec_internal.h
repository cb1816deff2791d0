/* spec_internal: shared by runtime/spec*.c and tests/test_spec*.c only. The JSON walking helpers
 * keep the path of the value being read ("process.args[2]") so every error names it:
 *
 *	config.json: process.args[2]: expected a string
 *
 * Conventions of every helper below: a JSON null counts as absent (as Go's encoding/json reads
 * it); absent optional fields leave *out and set *has (when given) to false; a required field
 * that is absent fails with "missing required field"; on error the message is in ctx->err with
 * code EINVAL and the helper returns -1. Strings handed out are owned by the caller; a string or
 * string array output must be NULL or owned on entry (it is replaced). */
#ifndef RUNTIME_SPEC_INTERNAL_H
#define RUNTIME_SPEC_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <yajl/yajl_tree.h>

#include "base/err.h"
#include "spec.h"

/* Deepest nesting of arrays and objects accepted (config.json needs 6): deeper documents are
 * rejected before yajl builds (and recursively frees) a tree. */
#define SPEC_MAX_DEPTH 64

static inline void
cleanup_yajl_fn(yajl_val *v)
{
	if (*v)
		yajl_tree_free(*v);
}
#define cleanup_yajl __attribute__((cleanup(cleanup_yajl_fn)))

struct spec_ctx {
	const char *doc; /* borrowed: "config.json", "process", "resources" or a file path */
	char path[400];  /* JSON path of the value being read; "" at the top */
	size_t len;
	struct err *err;
};

enum spec_flags {
	SPEC_OPTIONAL = 0,
	SPEC_REQUIRED = 1 << 0, /* absent or null is an error */
	SPEC_NONEMPTY = 1 << 1, /* arrays: at least one element; strings: not "" (implies
	                         * SPEC_REQUIRED) */
};

void rt__spec_ctx_init(struct spec_ctx *ctx, const char *doc, struct err *err);
/* Path steps. Each returns a mark for rt__spec_pop. A step that does not fit is shown as "...". */
size_t rt__spec_push(struct spec_ctx *ctx, const char *field);   /* .field */
size_t rt__spec_push_index(struct spec_ctx *ctx, size_t i);      /* [i] */
size_t rt__spec_push_key(struct spec_ctx *ctx, const char *key); /* ["key"] (map keys) */
void rt__spec_pop(struct spec_ctx *ctx, size_t mark);
/* EINVAL "<doc>: <path>: <message>" (or "<doc>: <message>" at the top). Returns -1. */
int rt__spec_fail(struct spec_ctx *ctx, const char *fmt, ...) PRINTF(2, 3);
/* The same, for obj.field. */
int rt__spec_fail_at(struct spec_ctx *ctx, const char *field, const char *fmt, ...) PRINTF(3, 4);

/* Checks the text (valid JSON without comments, no NUL in strings or keys, depth at most
 * SPEC_MAX_DEPTH, a top-level object) and builds the yajl tree (free with yajl_tree_free).
 * Invalid JSON: "<doc>: invalid JSON at offset N: <yajl's message>". */
int rt__spec_tree_parse(struct spec_ctx *ctx, const char *json, size_t len, yajl_val *out);

/* obj.field (last occurrence when the key repeats, as Go keeps the last); NULL if obj is not
 * an object, or the field is absent or null. */
yajl_val rt__spec_get(yajl_val obj, const char *field);

/* Values at the current path. */
int rt__spec_val_str(struct spec_ctx *ctx, yajl_val v, char **out);
int rt__spec_val_i64(struct spec_ctx *ctx, yajl_val v, int64_t min, int64_t max, int64_t *out);
int rt__spec_val_u64(struct spec_ctx *ctx, yajl_val v, uint64_t max, uint64_t *out);
/* An array of strings; *out NULL-terminated (possibly empty). */
int rt__spec_val_strv(struct spec_ctx *ctx, yajl_val v, int flags, char ***out);

/* Fields obj.field (obj may be NULL: every field is then absent). */
int rt__spec_str(struct spec_ctx *ctx, yajl_val obj, const char *field, int flags, char **out);
int rt__spec_bool(struct spec_ctx *ctx, yajl_val obj, const char *field, int flags, bool *out,
                  bool *has);
int rt__spec_i64(struct spec_ctx *ctx, yajl_val obj, const char *field, int flags, int64_t min,
                 int64_t max, int64_t *out, bool *has);
int rt__spec_u64(struct spec_ctx *ctx, yajl_val obj, const char *field, int flags, uint64_t max,
                 uint64_t *out, bool *has);
int rt__spec_u32(struct spec_ctx *ctx, yajl_val obj, const char *field, int flags, uint32_t *out,
                 bool *has);
int rt__spec_int(struct spec_ctx *ctx, yajl_val obj, const char *field, int flags, int min, int max,
                 int *out, bool *has);
int rt__spec_strv(struct spec_ctx *ctx, yajl_val obj, const char *field, int flags, char ***out);
/* *out is the object or array, NULL if absent. */
int rt__spec_obj(struct spec_ctx *ctx, yajl_val obj, const char *field, int flags, yajl_val *out);
int rt__spec_arr(struct spec_ctx *ctx, yajl_val obj, const char *field, int flags, yajl_val *out);
/* obj.field as an array of objects: allocates one zeroed element of elem_size bytes per entry,
 * stores the array in *(T **)outp and its length in *n before filling (so a failure leaves a
 * freeable array), then calls fn on each entry with the path at field[i]. A non-object entry
 * fails with "expected an object". */
typedef int (*spec_elem_fn)(struct spec_ctx *ctx, yajl_val v, void *elem, void *arg);
int rt__spec_objects(struct spec_ctx *ctx, yajl_val obj, const char *field, int flags,
                     size_t elem_size, spec_elem_fn fn, void *arg, void *outp, size_t *n);

/* A map of strings (annotations, sysctl, unified); repeated keys keep the last value. */
int rt__spec_kv(struct spec_ctx *ctx, yajl_val obj, const char *field, struct rt_kv **out,
                size_t *n);
/* For each entry of a map object: whether it is the last one with its key (earlier ones are
 * overridden, as in Go). Owned by the caller. */
bool *rt__spec_last_keys(yajl_val map);

/* Parsers of sub-objects, each at the current path (the caller pushed it). On error the
 * partly filled output is left for the caller's free function. */
int rt__spec_parse_process(struct spec_ctx *ctx, yajl_val v, struct rt_process *p);
int rt__spec_parse_linux(struct spec_ctx *ctx, yajl_val v, struct rt_linux *l);
int rt__spec_parse_resources(struct spec_ctx *ctx, yajl_val v, struct cg_resources *r);
int rt__spec_parse_seccomp(struct spec_ctx *ctx, yajl_val v, struct rt_seccomp *s);
int rt__spec_parse_idmaps(struct spec_ctx *ctx, yajl_val obj, const char *field,
                          struct rt_idmap **out, size_t *n);

/* Free what the struct owns (not the struct). */
void rt__spec_process_fini(struct rt_process *p);
void rt__spec_linux_fini(struct rt_linux *l);
void rt__spec_seccomp_free(struct rt_seccomp *s);
void rt__spec_kv_free(struct rt_kv *kv, size_t n);

#endif
