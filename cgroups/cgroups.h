/* cgroups: the one interface to cgroup v1, hybrid (v1 controllers + the unified mount) and v2.
 *
 * Two objects:
 *   struct cg_root  the detected hierarchy: mode, mount points, available controllers.
 *   struct cg       one container cgroup (a path in every hierarchy), created or opened.
 * Each runtime command is a separate process: `create` calls cg_create, later commands
 * (start, kill, pause, update, ps, stats, delete) call cg_open with the path saved in the state.
 *
 * Nothing here logs errors: they are returned in struct err, naming the file and the errno. */
#ifndef CGROUPS_CGROUPS_H
#define CGROUPS_CGROUPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/err.h"
#include "cgroups/cg_resources.h"

#define CG_DEFAULT_ROOT "/sys/fs/cgroup"
#define CG_DEFAULT_MOUNTINFO "/proc/self/mountinfo"
#define CG_DEFAULT_SELF_CGROUP "/proc/self/cgroup"

enum cg_mode {
	CG_MODE_DETECT = 0, /* only in cg_root_opts: statfs the root */
	CG_MODE_V1,	    /* v1 controllers, no usable unified mount */
	CG_MODE_HYBRID,	    /* v1 controllers plus a cgroup2 mount at <root>/unified */
	CG_MODE_V2,	    /* root is cgroup2 */
};
const char *cg_mode_name(enum cg_mode m);

/* Controllers as bits. On v1 each is a hierarchy (co-mounted ones share a directory); on v2
 * CPUACCT, DEVICES, FREEZER, NET_* are not controllers (they are implied or absent). */
enum cg_controller {
	CG_CTRL_CPU = 0,
	CG_CTRL_CPUACCT,
	CG_CTRL_CPUSET,
	CG_CTRL_MEMORY,
	CG_CTRL_DEVICES,
	CG_CTRL_FREEZER,
	CG_CTRL_BLKIO, /* v1 blkio, v2 io */
	CG_CTRL_PIDS,
	CG_CTRL_HUGETLB,
	CG_CTRL_NET_CLS,
	CG_CTRL_NET_PRIO,
	CG_CTRL_PERF_EVENT,
	CG_CTRL_RDMA,
	CG_CTRL_MISC,
	CG_CTRL_SYSTEMD, /* v1 name=systemd */
	CG_CTRL_COUNT,
};
#define CG_BIT(c) (1u << (c))
/* Kernel name of a controller ("blkio" on v1; cg_controller_name_v2 gives "io"). */
const char *cg_controller_name(enum cg_controller c);
const char *cg_controller_name_v2(enum cg_controller c); /* NULL if not a v2 controller */

struct cg_root_opts {
	const char *root;	 /* NULL = CG_DEFAULT_ROOT; tests pass a tmpdir of fake files */
	const char *mountinfo;	 /* NULL = CG_DEFAULT_MOUNTINFO (v1 mount points come from it) */
	const char *self_cgroup; /* NULL = CG_DEFAULT_SELF_CGROUP (base of relative cgroupsPaths) */
	enum cg_mode mode;	 /* CG_MODE_DETECT, or forced (tests) */
};

struct cg_root;

/* Detects the hierarchy: statfs(root) (CGROUP2_SUPER_MAGIC = v2; TMPFS = v1, hybrid if
 * <root>/unified is cgroup2) and, for v1, the controller mount points from mountinfo (only those
 * under root). With a forced mode, v1 mount points still come from the mountinfo file if it names
 * cgroup mounts under root, else from directories <root>/<controller> (fake test layouts).
 * Fails with ENOENT / ENOTSUP when no cgroup hierarchy is found. */
int cg_root_open(const struct cg_root_opts *o, struct cg_root **out, struct err *err);
void cg_root_free(struct cg_root *root);
enum cg_mode cg_root_mode(const struct cg_root *root);
/* Bitmask of CG_BIT(controller) present: v1 mounted hierarchies; v2 <root>/cgroup.controllers. */
unsigned cg_root_controllers(const struct cg_root *root);
/* True when the kernel supports cgroup namespaces (/proc/self/ns/cgroup exists). */
bool cg_root_has_cgroupns(const struct cg_root *root);
/* Whether cgroup `path` could be created: in every hierarchy, the deepest existing directory on
 * the way to it must be writable (EACCES / EROFS naming it otherwise; rootless callers use this
 * to decide to run without a cgroup, as runc does). */
int cg_root_check_writable(const struct cg_root *root, const char *path, struct err *err);
/* The directory for a controller's hierarchy (v1), or the v2 root; NULL when absent. Borrowed. */
const char *cg_root_mount(const struct cg_root *root, enum cg_controller c);

/* Resolves an OCI linux.cgroupsPath into a cgroup path (always absolute, "/"-rooted inside the
 * hierarchy, e.g. "/kubepods/pod1/c1"), as runc does:
 *  - absolute "/a/b": taken as is (cleaned; ".." cannot climb above the root);
 *  - relative "a/b": under the caller's own cgroup (v1: from self_cgroup, per the name=systemd
 *    or memory line; v2: the parent of the own cgroup, as runc, since the own one has processes);
 *  - NULL or "": the relative path "<id>" (runc's cgroupfs default);
 *  - systemd form "slice:prefix:name" (when systemd is true, or when the path is not absolute
 *    and has exactly two ':'): mapped to the cgroupfs path systemd would use:
 *    "a-b.slice:pfx:id" -> "/a.slice/a-b.slice/pfx-id.scope" ("" slice = "system.slice";
 *    a name ending in ".slice" is used as is). With systemd and NULL: "system.slice:husk:<id>".
 * *out is owned by the caller. EINVAL names the bad part. */
int cg_path_resolve(const struct cg_root *root, const char *cgroups_path, const char *id,
		    bool systemd, char **out, struct err *err);

struct cg;

/* Creates the cgroup `path` (as cg_path_resolve returns) in every v1 hierarchy (including
 * name=systemd, and the unified mount in hybrid mode) or in v2, with missing parents. On v2 it
 * enables every available controller in cgroup.subtree_control of each ancestor (skipping
 * those that cannot be enabled, as runc); on v1 cpuset.cpus/mems are copied down from the parent
 * when empty. A failing mkdir names the directory and errno (EACCES, EROFS...); an existing
 * leaf's cgroup.procs must be writable (cg_root_check_writable asks beforehand). Remembers which
 * directories it made: cg_destroy removes only those. An existing leaf is reused (runc allows
 * it). On failure nothing it made is left. root is copied: the caller may free it. */
int cg_create(const struct cg_root *root, const char *path, struct cg **out, struct err *err);
/* Opens an existing cgroup (later commands). ENOENT when it is absent in every hierarchy.
 * cg_destroy then removes the leaf directory (and its children) in each hierarchy. */
int cg_open(const struct cg_root *root, const char *path, struct cg **out, struct err *err);
/* Frees the handle; the cgroup itself stays. NULL is fine. */
void cg_free(struct cg *cg);
const char *cg_path(const struct cg *cg); /* borrowed */
enum cg_mode cg_mode(const struct cg *cg);
/* Controllers usable in this cgroup: v1 hierarchies where it exists; v2 its cgroup.controllers. */
unsigned cg_controllers(const struct cg *cg);
/* Full directory of the cgroup for a controller (v1) or the v2 directory (any c). Owned, NULL if
 * absent. */
char *cg_dir(const struct cg *cg, enum cg_controller c);
/* v2 (and hybrid's unified dir): an O_PATH|O_DIRECTORY|O_CLOEXEC fd of the cgroup, for clone3
 * CLONE_INTO_CGROUP. ENOTSUP on v1. On hybrid that only places the child in the unified
 * hierarchy: cg_add_pid is still needed for the v1 ones. */
int cg_open_dirfd(const struct cg *cg, struct err *err);

/* Moves pid (a process, all threads) into the cgroup: cgroup.procs in every hierarchy. */
int cg_add_pid(struct cg *cg, pid_t pid, struct err *err);

/* Joining without the kernel's global lock. Writing a pid to cgroup.procs takes
 * cgroup_threadgroup_rwsem for writing, which first waits for an RCU grace period (5-17 ms on an
 * idle host) unless another such write happened just before. Since Linux 6.2 a thread moving
 * only itself (v1 `tasks`, "0") does not take that lock, and clone3(CLONE_INTO_CGROUP) puts a
 * child into a cgroup2 directory as it is born. cg_join_prepare opens, before the fork, what the
 * child needs; the (single-threaded) child calls cg_join_self before anything else. */
struct cg_join {
	int tasks[CG_CTRL_COUNT]; /* v1 hierarchies' `tasks` files (O_WRONLY) */
	char *tasks_path[CG_CTRL_COUNT]; /* owned, for error messages */
	size_t n_tasks;
	int dirfd;	   /* cgroup2 directory (v2, or hybrid's unified) for clone3; -1 none */
	int procs;	   /* its cgroup.procs, when the child was not born there; -1 none */
	char *procs_path; /* owned */
};
/* Opens the files of every hierarchy the cgroup exists in. On failure nothing stays open. */
int cg_join_prepare(const struct cg *cg, struct cg_join *j, struct err *err);
/* In the child: "0" to every `tasks` file, and to the cgroup2 cgroup.procs unless born_in_v2
 * (clone3 put it there). Only open files are used. The error names the file. */
int cg_join_self(const struct cg_join *j, bool born_in_v2, struct err *err);
/* Closes the files (both sides call it); the struct may be prepared again. */
void cg_join_close(struct cg_join *j);

/* Applies linux.resources at create time: only fields with has_ set / non-empty arrays are
 * written; 0 means unset for the memory, swap, reservation, kernel, shares, quota, period and
 * weights (runc). Writes that must happen in a given order (memory vs memsw, period vs quota,
 * burst vs quota) are retried once after the others when the kernel says EINVAL. Unified on v1
 * or hybrid fails with EINVAL before anything is written; realtime cpu on v2 fails with EINVAL;
 * v1-only fields without a v2 equivalent (kernel memory, swappiness, disableOOMKiller,
 * useHierarchy, network, leaf weights) are ignored on v2 as runc does. Devices: exactly
 * r->devices, in order, last match wins (v1 devices.allow/deny, v2 a BPF_CGROUP_DEVICE program;
 * v1 keeps exceptions to a default and a deny removes only the exact rule it names, so a deny
 * of one device after a wildcard allow has no effect there, as with runc);
 * the caller adds linux.devices and the runtime defaults to the list. Device rules are applied
 * only when n_devices > 0. */
int cg_apply(struct cg *cg, const struct cg_resources *r, struct err *err);
/* Updates a running container: as cg_apply, plus memory checkBeforeUpdate (EBUSY when the new
 * limit is below current usage), memory/swap written in the order the kernel accepts, and on v2
 * the device program replaced (new attached before the old is detached). */
int cg_update(struct cg *cg, const struct cg_resources *r, struct err *err);

enum cg_freezer_state { CG_THAWED = 0, CG_FREEZING, CG_FROZEN };
const char *cg_freezer_state_name(enum cg_freezer_state s);
#define CG_FREEZE_TIMEOUT_MS 10000
/* Freezes (true) or thaws and waits until the state is reached, at most CG_FREEZE_TIMEOUT_MS
 * (ETIMEDOUT, after undoing a half-done freeze). v1 freezer.state, v2 cgroup.freeze +
 * cgroup.events. ENOTSUP when there is no freezer. */
int cg_freeze(struct cg *cg, bool frozen, struct err *err);
/* The current state; CG_THAWED when there is no freezer at all (nothing can be paused). */
int cg_freezer_state(struct cg *cg, enum cg_freezer_state *out, struct err *err);

/* Pids in the cgroup (v1: the freezer or first hierarchy's cgroup.procs, recursively; v2:
 * cgroup.procs of it and every descendant). *pids owned by the caller, deduplicated. */
int cg_pids(struct cg *cg, pid_t **pids, size_t *n, struct err *err);
/* Signals every process: v2 cgroup.kill when sig == SIGKILL and the file exists; otherwise
 * freeze (when there is a freezer), kill(2) each pid (ESRCH ignored), thaw. */
int cg_kill_all(struct cg *cg, int sig, struct err *err);
/* Removes the cgroup (child directories first, deepest first) in every hierarchy, retrying
 * EBUSY for up to CG_DESTROY_TIMEOUT_MS. Absent directories are not errors. */
#define CG_DESTROY_TIMEOUT_MS 5000
int cg_destroy(struct cg *cg, struct err *err);

/* ---- statistics: everything containerd's cgroups v1 / v2 Metrics messages carry ---- */

struct cg_kv_u64 {
	char *key; /* owned */
	uint64_t value;
};

struct cg_psi_data {
	double avg10, avg60, avg300;
	uint64_t total;
};
struct cg_psi {
	bool present;
	struct cg_psi_data some, full;
};

struct cg_hugetlb_stat {
	char pagesize[16]; /* "2MB", "1GB" */
	uint64_t usage;	   /* v1 usage_in_bytes, v2 current */
	uint64_t max;	   /* v1 max_usage_in_bytes, v2 max (limit) */
	uint64_t failcnt;  /* v1 only */
};

struct cg_rdma_entry {
	char *device; /* owned */
	uint32_t hca_handles, hca_objects;
};
struct cg_rdma_stat {
	struct cg_rdma_entry *current, *limit; /* owned */
	size_t n_current, n_limit;
};

struct cg_pids_stat {
	uint64_t current, limit; /* limit "max": v1 0, v2 UINT64_MAX (as containerd) */
};

/* v1 */
struct cg_v1_mem_entry {
	uint64_t limit, usage, max, failcnt;
};
struct cg_v1_blkio_entry {
	char op[16];	 /* "Read", "Write", "Sync", "Async", "Discard", "Total", "" */
	char device[32]; /* "/dev/sda" from /sys/dev/block, "" if unknown */
	uint64_t major, minor, value;
};
struct cg_v1_blkio_list {
	struct cg_v1_blkio_entry *e; /* owned */
	size_t n;
};
struct cg_stats_v1 {
	struct cg_hugetlb_stat *hugetlb; /* owned */
	size_t n_hugetlb;
	struct cg_pids_stat pids;
	struct {
		uint64_t total, kernel, user; /* ns: cpuacct.usage, cpuacct.stat (converted) */
		uint64_t *per_cpu;	      /* owned, ns: cpuacct.usage_percpu */
		size_t n_per_cpu;
		uint64_t periods, throttled_periods, throttled_time; /* cpu.stat */
	} cpu;
	struct {
		/* memory.stat, by containerd's names (pgpgin -> pg_pg_in etc.) */
		uint64_t cache, rss, rss_huge, mapped_file, dirty, writeback, pg_pg_in, pg_pg_out,
			pg_fault, pg_maj_fault, inactive_anon, active_anon, inactive_file,
			active_file, unevictable, hierarchical_memory_limit,
			hierarchical_swap_limit;
		uint64_t total_cache, total_rss, total_rss_huge, total_mapped_file, total_dirty,
			total_writeback, total_pg_pg_in, total_pg_pg_out, total_pg_fault,
			total_pg_maj_fault, total_inactive_anon, total_active_anon,
			total_inactive_file, total_active_file, total_unevictable;
		struct cg_v1_mem_entry usage, swap, kernel, kernel_tcp; /* swap = memsw */
		struct cg_kv_u64 *raw; /* owned: the whole memory.stat */
		size_t n_raw;
	} memory;
	struct {
		uint64_t oom_kill_disable, under_oom, oom_kill; /* memory.oom_control */
	} oom_control;
	struct {
		struct cg_v1_blkio_list io_service_bytes_recursive, io_serviced_recursive,
			io_queued_recursive, io_service_time_recursive, io_wait_time_recursive,
			io_merged_recursive, io_time_recursive, sectors_recursive;
	} blkio;
	struct cg_rdma_stat rdma;
};

/* v2 */
struct cg_v2_io_entry {
	uint64_t major, minor, rbytes, wbytes, rios, wios;
};
struct cg_stats_v2 {
	struct cg_pids_stat pids;
	struct {
		uint64_t usage_usec, user_usec, system_usec, nr_periods, nr_throttled,
			throttled_usec, nr_bursts, burst_usec;
		struct cg_psi psi; /* cpu.pressure */
	} cpu;
	struct {
		/* memory.stat by name */
		uint64_t anon, file, kernel_stack, slab, sock, shmem, file_mapped, file_dirty,
			file_writeback, anon_thp, inactive_anon, active_anon, inactive_file,
			active_file, unevictable, slab_reclaimable, slab_unreclaimable, pgfault,
			pgmajfault, workingset_refault, workingset_activate, workingset_nodereclaim,
			pgrefill, pgscan, pgsteal, pgactivate, pgdeactivate, pglazyfree,
			pglazyfreed, thp_fault_alloc, thp_collapse_alloc;
		/* memory.current, memory.max, memory.swap.current, memory.swap.max, memory.peak,
		 * memory.swap.peak ("max" = UINT64_MAX; 0 where the kernel lacks the file) */
		uint64_t usage, usage_limit, swap_usage, swap_limit, max_usage, swap_max_usage;
		struct cg_psi psi;     /* memory.pressure */
		struct cg_kv_u64 *raw; /* owned: the whole memory.stat */
		size_t n_raw;
	} memory;
	struct cg_rdma_stat rdma;
	struct {
		struct cg_v2_io_entry *usage; /* owned: io.stat */
		size_t n_usage;
		struct cg_psi psi; /* io.pressure */
	} io;
	struct cg_hugetlb_stat *hugetlb; /* owned */
	size_t n_hugetlb;
	struct {
		uint64_t low, high, max, oom, oom_kill; /* memory.events */
	} memory_events;
};

struct cg_stats {
	bool is_v2; /* which of v1 / v2 is filled (hybrid reports v1) */
	struct cg_stats_v1 v1;
	struct cg_stats_v2 v2;
};

/* Reads every statistic the controllers present offer; a controller that is absent leaves its
 * part zero, a file that cannot be read is an error naming it. out is zeroed first. */
int cg_stats(struct cg *cg, struct cg_stats *out, struct err *err);
void cg_stats_fini(struct cg_stats *s);

/* Network interface counters (the Metrics' network field), from /proc/<pid>/net/dev: the
 * container's network namespace, which is not a cgroup matter. Loopback skipped, as containerd. */
struct cg_net_stat {
	char name[32];
	uint64_t rx_bytes, rx_packets, rx_errors, rx_dropped;
	uint64_t tx_bytes, tx_packets, tx_errors, tx_dropped;
};
int cg_stats_net(pid_t pid, struct cg_net_stat **out, size_t *n, struct err *err);

/* ---- OOM watch, for an event loop ----
 * v1: an eventfd registered on memory.oom_control through cgroup.event_control;
 * v2: an inotify watch on memory.events, compared against the last oom_kill count. */
struct cg_oom;
int cg_oom_open(const struct cg *cg, struct cg_oom **out, struct err *err);
/* Non-blocking, CLOEXEC; poll for readability. Borrowed. */
int cg_oom_fd(const struct cg_oom *w);
/* Call when the fd is readable: drains it; *n_oom = OOM kills (v2) or OOM notifications (v1)
 * since the last call; *gone = the cgroup was removed, or (v2) has no process left (stop
 * watching: kernfs gives no inotify event on removal; runc ends its watch the same way). */
int cg_oom_check(struct cg_oom *w, uint64_t *n_oom, bool *gone, struct err *err);
void cg_oom_close(struct cg_oom *w);

#endif
