/* cli_exec: `husk exec`: a new process in a running container, built like runc's from the
 * container's config.json process (or --process FILE) with the flags' overrides. */
#ifndef CLI_CLI_EXEC_H
#define CLI_CLI_EXEC_H

#include "cli.h"
#include "cli_flags.h"

struct cli_exec_flags {
	const char *console_socket, *cwd, *user, *process, *pid_file, *process_label, *apparmor;
	struct cli_list env, gids, caps, cgroups;
	bool tty, detach, no_new_privs, has_no_new_privs, ignore_paused;
	int preserve_fds;
};

/* Applies the flags to p (the container's process), as runc's getProcess: args, cwd, apparmor,
 * label, added caps, appended env, terminal = --tty, no-new-privs, user (resolved in the
 * container of init_pid when it has names), additional gids. */
int cli_exec_apply_flags(const struct cli_exec_flags *xf, pid_t init_pid, char **args,
                         struct rt_process *p, struct err *err);

int cli_exec(struct cli_ctx *ctx, int argc, char **argv, struct err *err);

#endif
