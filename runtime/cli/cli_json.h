/* cli_json: a small JSON writer for the CLI's outputs (list, ps, events). Appends to a growing
 * buffer; commas and nesting are tracked for the caller. Keys are NULL inside arrays and at the
 * top level. */
#ifndef CLI_CLI_JSON_H
#define CLI_CLI_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CLI_JSON_MAX_DEPTH 32

struct cli_json {
	char *buf; /* owned, NUL-terminated */
	size_t len, cap;
	unsigned depth;
	bool has_item[CLI_JSON_MAX_DEPTH + 1]; /* an element was written at this depth */
	char closer[CLI_JSON_MAX_DEPTH + 1];   /* '}' or ']' */
};

void cli_json_init(struct cli_json *j);
void cli_json_fini(struct cli_json *j);
/* Hands the text out (owned by the caller) and resets j. */
char *cli_json_take(struct cli_json *j);

void cli_json_obj(struct cli_json *j, const char *key);
void cli_json_arr(struct cli_json *j, const char *key);
void cli_json_end(struct cli_json *j);
void cli_json_str(struct cli_json *j, const char *key, const char *v); /* NULL: null */
void cli_json_u64(struct cli_json *j, const char *key, uint64_t v);
void cli_json_i64(struct cli_json *j, const char *key, int64_t v);
void cli_json_bool(struct cli_json *j, const char *key, bool v);
void cli_json_null(struct cli_json *j, const char *key);
/* Already-encoded JSON text as the value. */
void cli_json_raw(struct cli_json *j, const char *key, const char *json);
/* Go's omitempty for numbers: written only when v != 0. */
void cli_json_u64_nz(struct cli_json *j, const char *key, uint64_t v);

#endif
