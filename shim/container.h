/* container: one task the shim serves: its init process, its execs, its bundle and rootfs,
 * its cgroup (stats, OOM watch). */
#ifndef SHIM_CONTAINER_H
#define SHIM_CONTAINER_H

#include <stdbool.h>
#include <sys/types.h>

#include "base/err.h"

struct proc;
struct cg;
struct cg_oom;
struct event;
struct svc;

struct container {
	struct svc *svc;     /* borrowed: the service owns its containers */
	char *id;            /* owned */
	char *bundle;        /* owned */
	char *rootfs;        /* owned: <bundle>/rootfs when we mounted it, else NULL */
	bool has_pidns;      /* the init has its own pid namespace */
	bool systemd_cgroup; /* runc option: cgroupsPath is systemd's slice:prefix:name */
	bool has_io_owner;   /* runc options io_uid / io_gid, for every process's pipes */
	uid_t io_uid;
	gid_t io_gid;
	struct proc *init;    /* owned */
	struct proc *execs;   /* owned list */
	struct cg *cg;        /* owned, NULL when the cgroup cannot be opened */
	struct cg_oom *oom;   /* owned OOM watch, NULL if none */
	struct event *oom_ev; /* owned */
	struct container *next;
};

struct container *container_new(struct svc *s, const char *id, const char *bundle);
/* Frees everything (processes included); does not unmount or touch the runtime. */
void container_free(struct container *c);
/* The process: exec_id NULL or "" = the init. NULL if none. */
struct proc *container_proc(const struct container *c, const char *exec_id);
/* The process with that pid (init or exec), or NULL. */
struct proc *container_proc_by_pid(const struct container *c, pid_t pid);
/* Removes an exec from the list and frees it. */
void container_drop_exec(struct container *c, struct proc *p);
/* True while any exec has started and its exit is not yet visible. */
bool container_has_live_execs(const struct container *c);

#endif
