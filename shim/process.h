/* process: one process of a container (the init or an exec) as the shim tracks it: state
 * machine, pid, exit status, stdio and the Wait calls waiting for its exit. */
#ifndef SHIM_PROCESS_H
#define SHIM_PROCESS_H

#include <stdbool.h>
#include <sys/types.h>
#include <time.h>

#include "base/err.h"

struct container;
struct stdio;
struct rt_process;
struct ttrpc_call;
struct event;

enum proc_state {
	PROC_CREATED = 0,
	PROC_RUNNING,
	PROC_PAUSED,
	PROC_STOPPED,
	PROC_DELETED,
	PROC_NSTATES,
};
const char *proc_state_name(enum proc_state s);

struct proc_waiter {
	struct ttrpc_call *call; /* deferred Wait; cancelled if its connection closes */
	struct proc *p;          /* borrowed: the waiter lives on p->waiters */
	struct proc_waiter *prev, *next;
};

struct proc {
	struct container *c; /* borrowed: the container owns its processes */
	char *id;            /* owned: exec id, or the container id for the init */
	bool is_init;
	pid_t pid; /* 0 until created */
	enum proc_state state;
	bool reaped;        /* the reaper collected it; the exit may not be visible yet */
	bool drain_expired; /* waited long enough for its output */
	bool stdin_closed;  /* CloseIO arrived (maybe before the process started) */
	unsigned exit_status;
	struct timespec exited_at; /* zero until the exit is visible */
	bool terminal;
	char *stdin_path, *stdout_path, *stderr_path; /* owned, as given by containerd */
	struct stdio *io;          /* owned, NULL before start (execs) or after delete */
	struct rt_process *spec;   /* owned, execs only */
	struct event *drain_timer; /* owned, armed while waiting for output after exit */
	struct proc_waiter *waiters;
	struct proc *next; /* in the container's exec list */
};

struct proc *proc_new(struct container *c, const char *id, bool is_init);
/* Frees the process; pending Waits are answered with an error. */
void proc_free(struct proc *p);
/* Moves along the state machine (style.md 7.7); EBUSY names both states when not allowed. */
int proc_transition(struct proc *p, enum proc_state to, struct err *err);
/* Started and not yet reported as exited (what "running" means to Kill, Exec, Delete). */
bool proc_is_live(const struct proc *p);

/* Wait: answered now if the exit is visible, else deferred until it is. */
void proc_wait(struct proc *p, struct ttrpc_call *call);
/* Answers every pending Wait with the exit. */
void proc_answer_waiters(struct proc *p);

#endif
