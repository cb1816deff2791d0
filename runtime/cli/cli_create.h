/* cli_create: the lifecycle commands (create start delete kill pause resume) and the preparation
 * `husk create` and `husk run` share: bundle, config.json, terminal checks, LISTEN_FDS and
 * --preserve-fds. */
#ifndef CLI_CLI_CREATE_H
#define CLI_CLI_CREATE_H

#include <stdbool.h>
#include <stddef.h>

#include "cli.h"
#include "cli_flags.h"

struct cli_create_flags {
	const char *bundle, *console_socket, *pid_file;
	bool no_pivot, no_new_keyring;
	int preserve_fds;
	bool detach, keep, no_subreaper; /* run only */
};

#define CLI_CREATE_MAX_FLAGS 10
/* Fills flags (room for CLI_CREATE_MAX_FLAGS) for create, or run when is_run; returns the count. */
size_t cli_create_flags_fill(struct cli_flag *flags, struct cli_create_flags *cf, bool is_run);

/* What rt_container_create gets, prepared from the flags as runc does. */
struct cli_create_job {
	struct rt_spec *spec;       /* owned */
	char *spec_text;            /* owned: the config.json bytes spec came from */
	size_t spec_len;
	char *bundle;               /* owned, absolute */
	char *pid_file;             /* owned, absolute, NULL = none */
	int n_listen;               /* socket-activation fds passed first */
	struct rt_create_opts opts; /* borrows from the fields above */
};

/* Loads <bundle>/config.json, checks the process and the terminal options (detach: the caller
 * will not stay to proxy a terminal), adds LISTEN_FDS/LISTEN_PID=1 to the process env when fds
 * were passed to us, and checks the preserved fds exist. */
int cli_create_prepare(const struct cli_create_flags *cf, const char *id, bool detach,
                       struct cli_create_job *job, struct err *err);
void cli_create_job_fini(struct cli_create_job *job);

/* runc's validateProcessSpec: a process with an absolute cwd and args. */
int cli_check_process(const struct rt_process *p, struct err *err);
/* runc's checkTerminal. */
int cli_check_terminal(bool detach, bool terminal, const char *console_socket, struct err *err);
/* Appends "KEY=VALUE" strings to a NULL-terminated owned env array. */
void cli_env_append(char ***env, const char *entry);

int cli_create(struct cli_ctx *ctx, int argc, char **argv, struct err *err);
int cli_start(struct cli_ctx *ctx, int argc, char **argv, struct err *err);
int cli_delete(struct cli_ctx *ctx, int argc, char **argv, struct err *err);
int cli_kill(struct cli_ctx *ctx, int argc, char **argv, struct err *err);
int cli_pause(struct cli_ctx *ctx, int argc, char **argv, struct err *err);
int cli_resume(struct cli_ctx *ctx, int argc, char **argv, struct err *err);

#endif
