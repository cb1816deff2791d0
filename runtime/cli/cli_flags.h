/* cli_flags: runc's command line conventions (Go's flag package behind urfave/cli v1): `-flag`
 * and `--flag` are the same, values as `--flag value` or `--flag=value`, booleans take no separate
 * value (`--flag=false` only), `--` ends the flags. Plus the value parsers runc uses: sizes
 * (docker/go-units RAMInBytes), durations (Go time.ParseDuration) and signals. Pure: no rt_*
 * calls except the name tables. */
#ifndef CLI_CLI_FLAGS_H
#define CLI_CLI_FLAGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/err.h"
#include "cli.h"

enum cli_flag_kind {
	CLI_BOOL,   /* dst: bool * */
	CLI_STRING, /* dst: const char ** (borrowed from argv) */
	CLI_INT,    /* dst: int * */
	CLI_LIST,   /* dst: struct cli_list *, repeatable */
};

/* Values of a repeatable flag, in order. v is owned (free with cli_list_fini), the strings are
 * borrowed from argv. */
struct cli_list {
	const char **v;
	size_t n;
};
void cli_list_fini(struct cli_list *l);

struct cli_flag {
	const char *names; /* "bundle, b": comma separated, the first is shown first in help */
	enum cli_flag_kind kind;
	void *dst;
	const char *usage; /* one line for help */
	bool is_set;       /* out: given on the command line */
};

/* A flag table entry: CLI_FLAG("bundle, b", CLI_STRING, &bundle, "path to ...") */
#define CLI_FLAG(names, kind, dst, usage)                                                          \
	{                                                                                          \
		(names), (kind), (dst), (usage), false                                             \
	}

enum cli_args_mode {
	CLI_ARGS_ANYWHERE,    /* flags may follow positional arguments (urfave's reordering) */
	CLI_ARGS_FLAGS_FIRST, /* the first positional argument ends the flags (exec, ps, global) */
};

/* Positional arguments: v owned (cli_args_fini), strings borrowed from argv. */
struct cli_args {
	char **v;
	int n;
};
void cli_args_fini(struct cli_args *a);

/* Parses argv[0..argc) (no program or command name in it). Returns 0, 1 when -h/--help/-help was
 * given (and is not a defined flag), or -1 with err naming the bad flag. */
int cli_flags_parse(struct cli_flag *flags, size_t n_flags, int argc, char **argv,
                    enum cli_args_mode mode, struct cli_args *pos, struct err *err);

/* Was the flag called name (any of its names) given? */
bool cli_flag_is_set(const struct cli_flag *flags, size_t n_flags, const char *name);

/* Prints runc-style help for a command (or the global help when cmd is NULL). */
void cli_flags_help(FILE *out, const struct cli_cmd *cmd, const struct cli_flag *flags,
                    size_t n_flags);

/* The usual start of a command: parses argv[1..] (argv[0] is the command name), prints the help
 * on -h (returns 1), then checks the number of positional arguments (min, max; -1 = no limit),
 * with runc's messages: "\"kill\" requires a minimum of 1 argument(s)". */
int cli_cmd_parse(const struct cli_ctx *ctx, struct cli_flag *flags, size_t n_flags, int argc,
                  char **argv, enum cli_args_mode mode, int min_args, int max_args,
                  struct cli_args *pos, struct err *err);

/* Go strconv.ParseBool: 1 t T TRUE true True 0 f F FALSE false False. */
int cli_parse_bool(const char *s, bool *out);
/* Go strconv.ParseInt(s, 0, 64): optional sign, 0x / 0o / 0b / leading-0 octal prefixes. */
int cli_parse_int(const char *s, int64_t *out);
/* Decimal only (strconv.ParseUint(s, 10, 64) / ParseInt(s, 10, 64)), whole string. */
int cli_parse_u64(const char *s, uint64_t *out);
int cli_parse_i64(const char *s, int64_t *out);
/* docker/go-units RAMInBytes: "1024", "1.5g", "512m", "10 KiB", "2mb" (binary multiples). */
int cli_parse_size(const char *s, int64_t *out, struct err *err);
/* Go time.ParseDuration: "5s", "1m30s", "1.5h", "100ms", "-2us"; result in nanoseconds. */
int cli_parse_duration(const char *s, int64_t *ns, struct err *err);
/* runc's parseSignal: a number, or a name with or without SIG, any case; "unknown signal". */
int cli_parse_signal(const char *s, int *sig, struct err *err);
/* Go filepath.Abs: joined with the cwd when relative, then cleaned ("." and ".." removed).
 * Owned. */
char *cli_path_abs(const char *path);
/* Go path.Clean on an absolute or relative path. Owned. */
char *cli_path_clean(const char *path);

#endif
