/* cli_user: `husk exec --user USER[:GROUP]`, numbers or names; names are looked up in the
 * container's /etc/passwd and /etc/group (read through /proc/<pid>/root, confined to it). */
#ifndef CLI_CLI_USER_H
#define CLI_CLI_USER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/err.h"

struct cli_user {
	uint32_t uid;
	bool has_gid; /* a group was given, or the user was a name (its primary group) */
	uint32_t gid;
};

/* Pure: resolves spec with the given passwd and group texts (NULL = the file is missing).
 * A numeric user without a group keeps the process's gid (has_gid false), as runc. Unknown
 * names fail with ENOENT: `unknown user "x"` / `unknown group "x"`. */
int cli_user_resolve(const char *spec, const char *passwd, const char *group, struct cli_user *out,
                     struct err *err);

/* Reads the container's files as needed (through /proc/<pid>/root) and resolves spec. */
int cli_user_resolve_pid(pid_t pid, const char *spec, struct cli_user *out, struct err *err);

/* Reads <root>/<path> without leaving root (openat2 RESOLVE_IN_ROOT; without openat2 a
 * no-symlink walk). *out NULL (and 0 returned) when the file does not exist. */
int cli_read_in_root(int root_fd, const char *path, char **out, struct err *err);

#endif
