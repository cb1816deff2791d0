/* spec: OCI runtime spec 1.2 config.json as plain C structs (all strings owned). Parsed with yajl
 * in spec*.c; nothing outside spec*.c sees yajl. */
#ifndef RUNTIME_SPEC_H
#define RUNTIME_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/err.h"
#include "cgroups/cg_resources.h"
#include "names.h"

struct rt_kv {
	char *key;   /* owned */
	char *value; /* owned */
};

struct rt_idmap {
	uint32_t container_id, host_id, size;
};

struct rt_user {
	uint32_t uid, gid;
	bool has_umask;
	uint32_t umask;
	uint32_t *additional_gids; /* owned */
	size_t n_additional_gids;
	char *username; /* owned, may be NULL (Windows field, ignored) */
};

/* Capability sets as bitmasks over CAP_* numbers. A set absent from the JSON is 0. */
struct rt_caps {
	uint64_t bounding, effective, inheritable, permitted, ambient;
};

struct rt_rlimit {
	int type; /* RLIMIT_* */
	uint64_t soft, hard;
};

struct rt_scheduler {
	int policy; /* SCHED_* */
	int nice;
	int priority;
	uint64_t flags; /* SCHED_FLAG_* bits */
	uint64_t runtime, deadline, period;
};

struct rt_io_priority {
	int class; /* IOPRIO_CLASS_RT=1, BE=2, IDLE=3 */
	int priority;
};

struct rt_process {
	bool terminal;
	bool has_console_size;
	unsigned console_height, console_width;
	struct rt_user user;
	char **args; /* owned, NULL-terminated */
	char **env;  /* owned, NULL-terminated, may be empty */
	char *cwd;   /* owned */
	bool has_caps;
	struct rt_caps caps;
	struct rt_rlimit *rlimits; /* owned */
	size_t n_rlimits;
	bool no_new_privileges;
	char *apparmor_profile; /* owned, may be NULL */
	bool has_oom_score_adj;
	int oom_score_adj;
	bool has_scheduler;
	struct rt_scheduler scheduler;
	char *selinux_label; /* owned, may be NULL */
	bool has_io_priority;
	struct rt_io_priority io_priority;
	char *exec_cpu_affinity_initial; /* owned, may be NULL */
	char *exec_cpu_affinity_final;   /* owned, may be NULL */
	/* Capability names found in process.capabilities (any set) that this build does not
	 * know (rt_cap_from_name() == -1): left out of caps, as runc does; listed once each so
	 * the caller can warn. Owned, NULL-terminated, NULL when there are none. */
	char **unknown_caps;
};

struct rt_mount {
	char *destination;                            /* owned */
	char *type;                                   /* owned, may be NULL */
	char *source;                                 /* owned, may be NULL */
	char **options;                               /* owned, NULL-terminated, may be empty */
	struct rt_idmap *uid_mappings, *gid_mappings; /* owned (idmapped mounts) */
	size_t n_uid_mappings, n_gid_mappings;
};

struct rt_hook {
	char *path;  /* owned */
	char **args; /* owned, NULL-terminated, may be empty */
	char **env;  /* owned, NULL-terminated, may be empty */
	bool has_timeout;
	int timeout; /* seconds, > 0 */
};

enum rt_hook_kind {
	RT_HOOK_PRESTART = 0,
	RT_HOOK_CREATE_RUNTIME,
	RT_HOOK_CREATE_CONTAINER,
	RT_HOOK_START_CONTAINER,
	RT_HOOK_POSTSTART,
	RT_HOOK_POSTSTOP,
	RT_HOOK_NKINDS
};

struct rt_hooks {
	struct rt_hook *hooks[RT_HOOK_NKINDS]; /* owned */
	size_t n_hooks[RT_HOOK_NKINDS];
};

struct rt_namespace {
	bool present; /* listed in linux.namespaces */
	char *path;   /* owned, NULL = create a new one */
};

struct rt_device {
	char type;  /* 'c', 'b', 'u' (= 'c') or 'p' */
	char *path; /* owned */
	int64_t major, minor;
	bool has_file_mode, has_uid, has_gid;
	uint32_t file_mode, uid, gid;
};

struct rt_seccomp_arg {
	unsigned index;
	uint64_t value, value_two;
	char *op; /* owned: SCMP_CMP_NE, SCMP_CMP_EQ, ... */
};

struct rt_seccomp_rule {
	char **names; /* owned, NULL-terminated */
	char *action; /* owned: SCMP_ACT_* */
	bool has_errno_ret;
	uint32_t errno_ret;
	struct rt_seccomp_arg *args; /* owned */
	size_t n_args;
};

struct rt_seccomp {
	char *default_action; /* owned */
	bool has_default_errno_ret;
	uint32_t default_errno_ret;
	char **architectures;             /* owned, NULL-terminated */
	char **flags;                     /* owned, NULL-terminated */
	char *listener_path;              /* owned, may be NULL */
	char *listener_metadata;          /* owned, may be NULL */
	struct rt_seccomp_rule *syscalls; /* owned */
	size_t n_syscalls;
};

struct rt_time_offset {
	bool has;
	int64_t secs;
	uint32_t nanosecs;
};

struct rt_linux {
	struct rt_namespace ns[RT_NS_NKINDS];
	struct rt_idmap *uid_mappings, *gid_mappings; /* owned */
	size_t n_uid_mappings, n_gid_mappings;
	struct rt_time_offset time_monotonic, time_boottime;
	struct rt_device *devices; /* owned */
	size_t n_devices;
	char *cgroups_path; /* owned, may be NULL */
	bool has_resources;
	struct cg_resources resources;
	char *rootfs_propagation;   /* owned, may be NULL */
	char **masked_paths;        /* owned, NULL-terminated, may be empty */
	char **readonly_paths;      /* owned, NULL-terminated, may be empty */
	char *mount_label;          /* owned, may be NULL */
	struct rt_seccomp *seccomp; /* owned, NULL = none */
	struct rt_kv *sysctl;       /* owned */
	size_t n_sysctl;
	bool has_personality;
	char *personality_domain; /* owned: LINUX or LINUX32 */
	char **personality_flags; /* owned, NULL-terminated, may be NULL (none are defined yet) */
};

struct rt_spec {
	char *oci_version;          /* owned */
	struct rt_process *process; /* owned, NULL if absent */
	char *root_path;            /* owned, NULL if absent */
	bool root_readonly;
	char *hostname;          /* owned, may be NULL */
	char *domainname;        /* owned, may be NULL */
	struct rt_mount *mounts; /* owned */
	size_t n_mounts;
	struct rt_hooks hooks;
	struct rt_kv *annotations; /* owned */
	size_t n_annotations;
	bool has_linux;
	struct rt_linux linux;
};

/* Parse config.json text (len bytes, no NUL needed). Unknown fields are ignored; a JSON null
 * counts as absent; a repeated key keeps its last value (as Go's encoding/json). Wrong types,
 * missing required fields, numbers out of range for their C type or not integers, unknown names
 * (rlimit, namespace type, scheduler policy or flag, I/O priority class, device type, clock,
 * personality domain) and duplicates (namespace types, rlimit types) fail with EINVAL and the
 * JSON path, e.g. "config.json: process.args[2]: expected a string". Invalid JSON fails with
 * yajl's message and the byte offset ("config.json: invalid JSON at offset 5: lexical error:
 * invalid char in json text"). Unknown capability names do not fail: see
 * rt_process.unknown_caps. Required when their object is present: ociVersion, root.path,
 * process.args (non-empty) and process.cwd (absolute), mounts[].destination, hooks[].path,
 * linux.devices[].type/path (and major/minor unless type "p"), namespaces[].type, id mapping
 * fields, rlimit fields, seccomp defaultAction and syscalls[].names/action, ... On success *out
 * is owned by the caller (rt_spec_free); on failure *out is NULL. */
int rt_spec_parse(const char *json, size_t len, struct rt_spec **out, struct err *err);
/* The same for a file; errors name the file instead of "config.json". A missing file fails
 * with ENOENT ("open <path>: No such file or directory"). */
int rt_spec_load(const char *path, struct rt_spec **out, struct err *err);
/* rt_spec_load that also hands out the bytes it parsed (*text NUL-terminated, owned by the
 * caller): create keeps them as the container's copy of its config without reading again. */
int rt_spec_load_text(const char *path, struct rt_spec **out, char **text, size_t *len,
		      struct err *err);
void rt_spec_free(struct rt_spec *s);

/* A process object alone (runc exec --process, the shim's Exec spec), with the same rules as
 * config.json's process; errors start with "process: ", e.g. "process: args: missing required
 * field". */
int rt_process_parse(const char *json, size_t len, struct rt_process **out, struct err *err);
void rt_process_free(struct rt_process *p);

/* A LinuxResources object alone (runc update --resources, the shim's Update); errors start with
 * "resources: ". On success *out is overwritten (whatever it held is not freed); on failure it
 * is left untouched. Free with cg_resources_fini. */
int rt_resources_parse(const char *json, size_t len, struct cg_resources *out, struct err *err);

/* The default config.json that `husk spec` writes: runc's specconv.Example() (hostname "runc",
 * tab-indented, a cgroup namespace when the host is cgroup v2 only); rootless applies runc's
 * ToRootless: a user namespace mapping uid/gid to 0, no network namespace, /sys as an rbind,
 * no uid=/gid= mount options, no resources. Returned text is owned by the caller. */
char *rt_spec_default_json(bool rootless, uid_t uid, gid_t gid);

/* Name tables (rt_cap_from_name, rt_signal_from_name, rt_ns_name, ...) are in names.h. */

#endif
