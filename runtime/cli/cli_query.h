/* cli_query: the read-only commands: state, list, ps, features. */
#ifndef CLI_CLI_QUERY_H
#define CLI_CLI_QUERY_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "cli.h"

int cli_state(struct cli_ctx *ctx, int argc, char **argv, struct err *err);
int cli_list(struct cli_ctx *ctx, int argc, char **argv, struct err *err);
int cli_ps(struct cli_ctx *ctx, int argc, char **argv, struct err *err);
int cli_features(struct cli_ctx *ctx, int argc, char **argv, struct err *err);

/* `husk list`'s table, laid out as runc's (Go tabwriter: min width 12, padding 3). */
void cli_list_table(FILE *out, struct rt_state **st, size_t n);
/* Drops trailing zeros of an RFC 3339 fraction in place (Go's RFC3339Nano). */
void cli_time_trim(char *ts);
/* `husk ps`: prints ps's header and the lines whose PID column is one of pids. */
int cli_ps_filter(FILE *out, const char *ps_output, const pid_t *pids, size_t n, struct err *err);

#endif
