/* rt: libhusk's public API. The husk CLI and the shim are both thin callers of these functions.
 * Speaks plain structs only (no yajl, libseccomp or libevent types). */
#ifndef RUNTIME_RT_H
#define RUNTIME_RT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "base/err.h"
#include "cgroups/cg_resources.h"
#include "spec.h"

#define RT_DEFAULT_ROOT "/run/husk"
#define RT_OCI_VERSION "1.2.0"
#define RT_NOTIFY_DIR "notify" /* in a container's state dir, see rt_create_opts.notify_dir */

/* Global options (runc's global flags). */
struct rt_ctx {
	const char *root; /* state root; NULL = RT_DEFAULT_ROOT */
	bool systemd_cgroup;
};

enum rt_status { RT_CREATING = 0, RT_CREATED, RT_RUNNING, RT_PAUSED, RT_STOPPED };
const char *rt_status_name(enum rt_status s);

/* What `husk state` prints, plus what the runtime needs to find the container again. */
struct rt_state {
	char *id;	      /* owned */
	pid_t pid;	      /* init pid in the caller's pid namespace, 0 if stopped */
	enum rt_status status;
	char *bundle;	      /* owned */
	char *rootfs;	      /* owned, absolute */
	char *created;	      /* owned, RFC 3339 with nanoseconds */
	char *owner;	      /* owned, "" for root */
	struct rt_kv *annotations; /* owned */
	size_t n_annotations;
	/* private */
	unsigned long long start_time; /* /proc/PID/stat field 22, guards against pid reuse */
	char *cgroup_path;	       /* owned: resolved cgroup path */
	bool no_pivot;
	bool has_pidns;		       /* a pid namespace of its own (not one joined by path) */
	char *config_path;	       /* owned: config.json used */
};
void rt_state_free(struct rt_state *s);
/* The OCI state JSON (ociVersion id status pid bundle annotations, plus runc's rootfs created
 * owner). Returned text owned by the caller. */
char *rt_state_to_json(const struct rt_state *s, bool pretty);

struct rt_create_opts {
	const char *id;
	const char *bundle;	    /* NULL = cwd; made absolute */
	const struct rt_spec *spec; /* NULL = load <bundle>/config.json */
	/* With spec: the config.json bytes it was parsed from (rt_spec_load_text), kept as the
	 * container's copy; NULL = create reads <bundle>/config.json for the copy. */
	const char *spec_text;
	size_t spec_len;
	const char *console_socket; /* NULL = none: for a terminal, see console_fd */
	const char *pid_file;	    /* NULL = none */
	bool no_pivot;
	bool no_new_keyring;
	int preserve_fds; /* pass fds 3 .. 3+preserve_fds-1 through (plus LISTEN_FDS) */
	int stdio[3];	  /* fds that become the process's 0, 1, 2; -1 = inherit the caller's */
	/* With process.terminal and no console_socket: receives the pty master (owned by caller).
	 * NULL and no console socket with terminal: an error, as runc. */
	int *console_fd;
	/* Called in the parent once the init pid is known, before it runs anything of the
	 * container (the shim registers the pid here so an early exit is never lost). */
	void (*on_pid)(pid_t pid, void *arg);
	void *on_pid_arg;
	/* Also make <state dir>/RT_NOTIFY_DIR (0755), the directory the CLI's NOTIFY_SOCKET relay
	 * bind-mounts into the container (runc's notify socket); removed with the state dir. */
	bool notify_dir;
};

/* Creates the container: namespaces, cgroup, mounts, devices, hooks up to createContainer. The
 * process waits for rt_container_start. On failure nothing is left behind. */
int rt_container_create(const struct rt_ctx *ctx, const struct rt_create_opts *o, pid_t *pid,
			struct err *err);
int rt_container_start(const struct rt_ctx *ctx, const char *id, struct err *err);
/* Loads the state, refreshing status from the live process and cgroup. */
int rt_container_state(const struct rt_ctx *ctx, const char *id, struct rt_state **out,
		       struct err *err);
int rt_container_list(const struct rt_ctx *ctx, struct rt_state ***out, size_t *n,
		      struct err *err);
int rt_container_kill(const struct rt_ctx *ctx, const char *id, int sig, bool all,
		      struct err *err);
/* Deletes a stopped container (or any with force: killed first). Runs poststop hooks. */
int rt_container_delete(const struct rt_ctx *ctx, const char *id, bool force, struct err *err);
int rt_container_pause(const struct rt_ctx *ctx, const char *id, struct err *err);
int rt_container_resume(const struct rt_ctx *ctx, const char *id, struct err *err);
int rt_container_pids(const struct rt_ctx *ctx, const char *id, pid_t **pids, size_t *n,
		      struct err *err);
int rt_container_update(const struct rt_ctx *ctx, const char *id, const struct cg_resources *r,
			struct err *err);

struct rt_exec_opts {
	const char *id;
	const struct rt_process *process; /* borrowed */
	const char *console_socket;
	const char *pid_file;
	int preserve_fds;
	int stdio[3];
	int *console_fd;
	void (*on_pid)(pid_t pid, void *arg);
	void *on_pid_arg;
};

/* Starts a new process in a running container: every namespace joined, the cgroup joined, the
 * process's user, caps, rlimits, seccomp and env applied. *pid is the caller's child. */
int rt_container_exec(const struct rt_ctx *ctx, const struct rt_exec_opts *o, pid_t *pid,
		      struct err *err);

/* The features JSON (as `runc features`), owned by the caller. */
char *rt_features_json(void);

#endif
