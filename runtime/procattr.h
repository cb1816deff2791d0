/* procattr: per-process attributes of the container process: rlimits, user and groups, umask,
 * no_new_privs, scheduler, I/O priority, personality, session keyring, oom_score_adj and CPU
 * affinity. Functions marked (child) run in the container child after fork/clone; (parent)
 * ones run in the runtime, which can still open /proc. */
#ifndef RUNTIME_PROCATTR_H
#define RUNTIME_PROCATTR_H

#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "base/err.h"
#include "spec.h"

/* (child) setrlimit for each; the error names the RLIMIT_ name. Raising a hard limit needs
 * CAP_SYS_RESOURCE: call before caps_after_setuid. */
int procattr_rlimits_apply(const struct rt_rlimit *r, size_t n, struct err *err);
/* (parent) prlimit(pid, ...) for each. */
int procattr_rlimits_apply_pid(pid_t pid, const struct rt_rlimit *r, size_t n, struct err *err);

/* (parent or child before pivot_root) Whether setgroups(2) is allowed in the user namespace of
 * pid (0 = self): false when /proc/<pid>/setgroups says "deny". */
int procattr_setgroups_allowed(pid_t pid, bool *allowed, struct err *err);

/* (child) setgroups(additional gids, or none), setresgid, setresuid, then umask if set. With
 * setgroups_allowed false the setgroups call is skipped, and asking for additional gids is an
 * error. Errors name the uid or gid. Call between caps_before_setuid and caps_after_setuid. */
int procattr_user_apply(const struct rt_user *u, bool setgroups_allowed, struct err *err);

/* (child) prctl(PR_SET_NO_NEW_PRIVS, 1). */
int procattr_no_new_privs(struct err *err);

/* (child, or parent with a pid) sched_setattr. pid 0 = self. */
int procattr_scheduler_apply(pid_t pid, const struct rt_scheduler *s, struct err *err);

/* (child, or parent with a pid) ioprio_set(IOPRIO_WHO_PROCESS, pid, class << 13 | prio). */
int procattr_io_priority_apply(pid_t pid, const struct rt_io_priority *p, struct err *err);

/* (child) personality(PER_LINUX or PER_LINUX32) for domain "LINUX" / "LINUX32". */
int procattr_personality_apply(const char *domain, struct err *err);

/* (child) Joins a new session keyring "_ses.<id>" (id NULL: an anonymous one) and makes it
 * searchable by the possessor's user. EPERM and ENOSYS are tolerated (returns 0, as runc): the
 * keyring syscalls may be blocked by an outer seccomp profile. */
int procattr_session_keyring(const char *id, struct err *err);

/* (parent) Writes adj to /proc/<pid>/oom_score_adj. */
int procattr_oom_score_adj_write(pid_t pid, int adj, struct err *err);

/* A CPU set parsed from a list such as "0-3,5,7-8". */
struct procattr_cpuset {
	cpu_set_t *set; /* owned (CPU_ALLOC) */
	size_t size;    /* bytes, as sched_setaffinity takes */
};

/* (parent: it allocates) Parses an execCPUAffinity list. Errors name the bad element. An empty
 * or blank list gives set NULL. */
int procattr_cpuset_parse(const char *list, struct procattr_cpuset *out, struct err *err);
void procattr_cpuset_fini(struct procattr_cpuset *c);
/* (child or parent) sched_setaffinity(pid, ...). pid 0 = self. An empty set (set NULL: an empty
 * list) means every CPU, which the kernel narrows to the cgroup's cpuset. */
int procattr_cpuset_apply(pid_t pid, const struct procattr_cpuset *c, struct err *err);

#endif
