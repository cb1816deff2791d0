/* cli_run: `husk run`: create and start, then (unless --detach) stay in the foreground like
 * runc: forward signals, proxy the terminal, return the container's exit code and delete it
 * (unless --keep). */
#ifndef CLI_CLI_RUN_H
#define CLI_CLI_RUN_H

#include "cli.h"

int cli_run(struct cli_ctx *ctx, int argc, char **argv, struct err *err);

#endif
