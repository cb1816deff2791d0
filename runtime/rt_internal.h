/* rt_internal: what the runtime's own files share (not for the CLI or the shim). */
#ifndef RUNTIME_RT_INTERNAL_H
#define RUNTIME_RT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <signal.h>
#include <sys/types.h>

#include "base/err.h"
#include "rt.h"

struct cg;
struct cg_root;

/* ---- state (state.c) ---- */
#define RT_STATE_FILE "state.json"
#define RT_EXEC_FIFO "exec.fifo"
#define RT_CONFIG_FILE "config.json" /* the copy create keeps */

const char *rt__root(const struct rt_ctx *ctx);
/* Checks an id is usable as a directory name (runc's rule: [\w+-\.]+, not "." / ".."). */
int rt__check_id(const char *id, struct err *err);
/* <root>/<id>, owned. */
char *rt__state_dir(const struct rt_ctx *ctx, const char *id);
int rt__state_save(const char *dir, const struct rt_state *st, struct err *err);
/* Reads the saved state; ENOENT as "container X does not exist". Status is not refreshed. */
int rt__state_read(const char *dir, const char *id, struct rt_state **out, struct err *err);
/* Checks the id, reads the state and refreshes its status; *dir gets <root>/<id> (owned). */
int rt__state_load(const struct rt_ctx *ctx, const char *id, char **dir, struct rt_state **st,
		   struct err *err);
/* Status from the live process, the exec fifo and the freezer. */
void rt__state_refresh(const char *dir, struct rt_state *st);
/* /proc/PID/stat field 22; 0 if the process is gone. */
unsigned long long rt__proc_start_time(pid_t pid);
/* True if pid is alive (not a zombie) and its start time matches. */
bool rt__proc_alive(pid_t pid, unsigned long long start_time);
/* RFC 3339 UTC timestamp with nanoseconds, owned. */
char *rt__now_rfc3339(void);
/* Opens the container's cgroup from the state. */
int rt__state_cgroup(const struct rt_ctx *ctx, const struct rt_state *st, struct cg **out,
		     struct err *err);

/* ---- hooks (hooks.c) ---- */
/* Runs the hooks of one kind in order with state_json on stdin; the first failure stops and is
 * returned ("hook createRuntime[0] /bin/x: exit status 1"). */
int rt__hooks_run(const struct rt_spec *spec, enum rt_hook_kind kind, const char *state_json,
		  struct err *err);
const char *rt__hook_kind_name(enum rt_hook_kind kind);
/* The state JSON given to hooks. */
char *rt__hook_state_json(const char *id, const char *status, pid_t pid, const char *bundle,
			  const struct rt_spec *spec);

/* ---- sync between the runtime and the container child (sync.c) ---- */
enum rt_sync_type {
	RT_SYNC_GO = 1,	     /* parent: the child is in its cgroup, go on */
	RT_SYNC_USERMAP,     /* child: write my uid/gid maps (pid = who) */
	RT_SYNC_USERMAP_ACK, /* parent: maps written */
	RT_SYNC_PID,	     /* child: the container process is pid (in the parent's pid ns) */
	RT_SYNC_HOOKS,	     /* child: mounts done, run prestart + createRuntime */
	RT_SYNC_HOOKS_ACK,   /* parent: hooks done; pid = the init's pid (for hook state) */
	RT_SYNC_CONSOLE,     /* child: pty master attached */
	RT_SYNC_SECCOMP,     /* child: seccomp notify fd attached */
	RT_SYNC_SECCOMP_ACK, /* parent: passed to the listener */
	RT_SYNC_READY,	     /* child: set up, waiting for start */
	RT_SYNC_AFFINITY,    /* exec child: initial CPU affinity applied, move me */
	RT_SYNC_READY_ACK,   /* parent: state saved; the init may wait for start */
	RT_SYNC_ERR,	     /* child: failed, err holds why */
};

struct rt_sync_msg {
	int type;
	pid_t pid;
	struct err err;
};

int rt__sync_send(int sock, int type, pid_t pid, int fd, struct err *err);
/* Receives one message; *fd gets an attached fd or -1. EOF is an error (EPIPE). A child's
 * RT_SYNC_ERR is turned into the returned error. */
int rt__sync_recv(int sock, struct rt_sync_msg *m, int *fd, struct err *err);
int rt__sync_expect(int sock, int type, pid_t *pid, int *fd, struct err *err);
/* In the child: report err to the parent and _exit(1). */
void __attribute__((noreturn)) rt__child_fail(int sock, const struct err *err);

/* ---- namespaces (ns.c) ---- */
/* Opens the spec's namespace paths (O_RDONLY|O_CLOEXEC), fds[k] = -1 where none. */
int rt__ns_open_paths(const struct rt_spec *spec, int fds[RT_NS_NKINDS], struct err *err);
void rt__ns_close(int fds[RT_NS_NKINDS]);
/* CLONE_NEW* flags of the namespaces to create (listed without a path). */
int rt__ns_new_flags(const struct rt_spec *spec);
/* Joins the opened namespaces, user first. */
int rt__ns_join(int fds[RT_NS_NKINDS], struct err *err);
/* Writes uid_map and gid_map of pid from the spec's mappings. */
int rt__userns_write_maps(pid_t pid, const struct rt_spec *spec, struct err *err);
/* Writes uid_map and gid_map of pid (a map with no entries is not written). */
int rt__idmap_write(pid_t pid, const struct rt_idmap *uid_maps, size_t n_uid,
		    const struct rt_idmap *gid_maps, size_t n_gid, struct err *err);
/* Writes /proc/self/timens_offsets after unshare(CLONE_NEWTIME). */
int rt__timens_write_offsets(const struct rt_spec *spec, struct err *err);
/* Host uid/gid of the container's root (for chown of the exec fifo). */
void rt__userns_root_ids(const struct rt_spec *spec, uid_t *uid, gid_t *gid);
/* Opens /proc/<pid>/ns/<kind> for every kind whose namespace differs from ours. */
int rt__ns_open_pid(pid_t pid, int fds[RT_NS_NKINDS], struct err *err);

/* ---- process setup shared by init and exec (child.c) ---- */
struct seccomp_prog;
struct procattr_cpuset;
struct rt_child_proc {
	const struct rt_process *proc;
	const struct seccomp_prog *seccomp; /* NULL = none */
	int last_cap;
	bool setgroups_allowed;
	const char *keyring_id;	 /* NULL = no new session keyring */
	const char *personality; /* linux.personality.domain, NULL = leave */
	int sync_sock;		 /* where a seccomp notify fd goes (RT_SYNC_SECCOMP) */
};
/* Resolves args[0] with the PATH of env, like execvpe, into buf. */
int rt__find_exec(const struct rt_process *p, char *buf, size_t len, struct err *err);
/* cwd, rlimits, scheduler, ioprio, personality, keyring, user, caps, no_new_privs, seccomp
 * (a notify fd is sent to the runtime on cp->sync_sock as soon as the filter is loaded). */
int rt__child_apply_process(const struct rt_child_proc *cp, struct err *err);
/* execve with the process env; on failure returns -1 with err. */
int rt__child_exec(const struct rt_process *p, const char *path, struct err *err);
/* With noNewPrivileges (and no notify action) seccomp is loaded last, right before execve. */
bool rt__child_late_seccomp(const struct rt_child_proc *cp);
int rt__child_load_late_seccomp(const struct rt_child_proc *cp, struct err *err);
int rt__child_stdio(const int stdio[3], struct err *err);
void rt__child_reset_signals(void);
/* Blocks every signal, saving the old mask: around fork, so the child starts quiet. */
void rt__block_signals(sigset_t *old);
/* clone(CLONE_PARENT): the new process is the caller's sibling, our caller's child. */
pid_t rt__fork_sibling(void);
/* fork(2), or with namespace flags clone(2), born into the cgroup2 directory cgfd when it is
 * >= 0 (clone3 CLONE_INTO_CGROUP). *born_in is set before the child exists (the child reads its
 * copy): false when the kernel could not do it and the child must join by itself. */
pid_t rt__clone_into(unsigned long flags, int cgfd, bool *born_in);
/* SIGKILLs and reaps one of our children after a failed create or exec; *pid becomes 0. */
void rt__kill_reap(pid_t *pid);
/* Sends a pty master to a console socket (runc's protocol: SCM_RIGHTS, the name as data). */
int rt__console_send(const char *socket_path, int master, struct err *err);
/* Writes a pid file atomically. */
int rt__write_pid_file(const char *path, pid_t pid, struct err *err);

#endif
