/* cli: what every `husk` command shares: the global options and the command table entry. Each
 * command is a thin layer over libhusk (rt.h), like the commands of crun over libcrun. */
#ifndef CLI_CLI_H
#define CLI_CLI_H

#include <stdbool.h>

#include "base/err.h"
#include "base/log.h"
#include "rt.h"

#define HUSK_VERSION "0.1.0"

struct cli_ctx;

/* A command: returns the exit status (>= 0) or -1 with err set (reported by main, which exits
 * with ctx->fail_status). argv[0] is the command name. */
typedef int (*cli_cmd_fn)(struct cli_ctx *ctx, int argc, char **argv, struct err *err);

struct cli_cmd {
	const char *name;
	const char *args_usage; /* "<container-id>" */
	const char *summary;    /* one line */
	cli_cmd_fn fn;
};

struct cli_ctx {
	struct rt_ctx rt;     /* root (absolute, owned by main) */
	const char *log_path; /* NULL = stderr */
	enum log_format log_format;
	bool debug;
	const struct cli_cmd *cmd; /* the command running (help and argument messages) */
	int fail_status;           /* exit status when the command returns -1: 1, exec uses 255 */
};

#endif
