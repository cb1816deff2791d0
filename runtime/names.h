/* names: name <-> number tables shared by the spec parser, the CLI (`husk kill`, `husk exec
 * --cap`, `husk features`) and the container setup code. Pure lookups, no allocation. */
#ifndef RUNTIME_NAMES_H
#define RUNTIME_NAMES_H

/* Highest capability number this build knows: CAP_CHECKPOINT_RESTORE. */
#define RT_CAP_LAST 40

enum rt_ns_kind {
	RT_NS_PID = 0,
	RT_NS_NET,
	RT_NS_MOUNT,
	RT_NS_IPC,
	RT_NS_UTS,
	RT_NS_USER,
	RT_NS_CGROUP,
	RT_NS_TIME,
	RT_NS_NKINDS
};

/* "CAP_SYS_ADMIN" (case-insensitive, the CAP_ prefix is required) -> 21; -1 if unknown. */
int rt_cap_from_name(const char *name);
/* 21 -> "CAP_SYS_ADMIN"; NULL outside 0..RT_CAP_LAST. */
const char *rt_cap_name(int cap);

/* "RLIMIT_NOFILE" -> RLIMIT_NOFILE (exact spelling, as the runtime spec writes it); -1 if
 * unknown. */
int rt_rlimit_from_name(const char *name);
/* RLIMIT_NOFILE -> "RLIMIT_NOFILE"; NULL if unknown. */
const char *rt_rlimit_name(int type);

/* "KILL", "SIGKILL", "kill", "9", "SIGRTMIN+3", "RTMAX-1" -> signal number in 1.._NSIG-1;
 * -1 if unknown, 0 or out of range (as runc's signal parsing). */
int rt_signal_from_name(const char *name);

/* Spec names: "pid" "network" "mount" "ipc" "uts" "user" "cgroup" "time"; NULL if out of
 * range. */
const char *rt_ns_name(enum rt_ns_kind k);
/* "network" -> RT_NS_NET; -1 if unknown. */
int rt_ns_from_name(const char *name);
/* CLONE_NEWPID ...; 0 if out of range. */
int rt_ns_clone_flag(enum rt_ns_kind k);
/* Names under /proc/PID/ns: "pid" "net" "mnt" "ipc" "uts" "user" "cgroup" "time"; NULL if out
 * of range. */
const char *rt_ns_proc_name(enum rt_ns_kind k);

#endif
