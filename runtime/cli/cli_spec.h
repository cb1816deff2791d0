/* cli_spec: `husk spec`: writes the default config.json (runc's example spec), refusing to
 * overwrite one. */
#ifndef CLI_CLI_SPEC_H
#define CLI_CLI_SPEC_H

#include "cli.h"

int cli_spec(struct cli_ctx *ctx, int argc, char **argv, struct err *err);

#endif
