/* cg_internal: what the files of cgroups/ share (and the unit tests use). Never included from
 * another folder. */
#ifndef CGROUPS_CG_INTERNAL_H
#define CGROUPS_CG_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/err.h"
#include "cgroups/cgroups.h"

struct cg_root {
	enum cg_mode mode;
	char *root;		     /* owned: e.g. /sys/fs/cgroup */
	char *self_cgroup;	     /* owned: path of the /proc/self/cgroup file */
	char *mount[CG_CTRL_COUNT];  /* owned: v1 hierarchy directory per controller, NULL absent */
	char *unified;		     /* owned: the cgroup2 directory (v2: root; hybrid: unified) */
	unsigned controllers;	     /* CG_BIT()s: v1 mounted hierarchies; v2 cgroup.controllers */
};

struct cg_ops;

struct cg {
	struct cg_root *root; /* owned copy */
	const struct cg_ops *ops;
	char *path;  /* owned: "/a/b", inside every hierarchy */
	char **made; /* owned, NULL-terminated: directories cg_create made, parents first */
	size_t n_made;
	bool is_opened; /* cg_open: destroy removes the leaf (and below) only */
};

struct cg_ops {
	int (*create)(struct cg *cg, struct err *err);
	int (*open)(struct cg *cg, struct err *err);
	unsigned (*controllers)(const struct cg *cg);
	char *(*dir)(const struct cg *cg, enum cg_controller c);
	int (*add_pid)(struct cg *cg, pid_t pid, struct err *err);
	int (*apply)(struct cg *cg, const struct cg_resources *r, bool update, struct err *err);
	int (*freeze)(struct cg *cg, bool frozen, struct err *err);
	int (*freezer_state)(struct cg *cg, enum cg_freezer_state *out, struct err *err);
	int (*pids)(struct cg *cg, pid_t **pids, size_t *n, struct err *err);
	/* Returns 1 when the backend killed everything itself (cgroup.kill), 0 to fall back. */
	int (*kill)(struct cg *cg, int sig, struct err *err);
	int (*stats)(struct cg *cg, struct cg_stats *out, struct err *err);
	int (*destroy)(struct cg *cg, struct err *err);
	int (*oom_open)(const struct cg *cg, struct cg_oom **out, struct err *err);
};

/* CG_FREEZE_TIMEOUT_MS and CG_DESTROY_TIMEOUT_MS; tests shorten them. */
extern int cg__freeze_timeout_ms;
extern int cg__destroy_timeout_ms;

extern const struct cg_ops cg__v1_ops;
extern const struct cg_ops cg__v2_ops;

/* ---- plan: resources as a list of file writes (cg_res.c, cg_res_v1.c, cg_res_v2.c) ---- */

enum {
	CG_W_OPTIONAL = 1u << 0,     /* ENOENT / EOPNOTSUPP: the kernel lacks it, skip */
	CG_W_DEFER_EINVAL = 1u << 1, /* EINVAL: retry once after the other writes (ordering) */
	CG_W_VERIFY = 1u << 2,	     /* read back; the kernel clamping the value is an error */
	CG_W_BEST_EFFORT = 1u << 3,  /* any error is ignored (knobs newer kernels pin) */
};

struct cg_write {
	enum cg_controller ctrl; /* v1: which hierarchy; v2: for error messages */
	char *file;		 /* owned */
	char *value;		 /* owned */
	unsigned flags;
};

struct cg_plan {
	struct cg_write *w; /* owned */
	size_t n;
};

/* What the backend probed before planning. */
struct cg_facts {
	bool has_memsw;	     /* v1: memory.memsw.limit_in_bytes exists (swap accounting) */
	bool has_swap;	     /* v2: memory.swap.max exists */
	bool blkio_bfq;	     /* v1: blkio.bfq.weight exists; v2: io.bfq.weight exists */
	bool bfq_per_device; /* v2: io.bfq.weight takes "MAJ:MIN W" (it shows a "default" line) */
};

void cg__plan_add(struct cg_plan *p, enum cg_controller c, unsigned flags, const char *file,
		  const char *fmt, ...) PRINTF(5, 6);
void cg__plan_fini(struct cg_plan *p);
/* Pure: r (+ facts) -> writes, in the order they must happen. EINVAL for bad values. */
int cg__plan_v1(const struct cg_resources *r, const struct cg_facts *f, struct cg_plan *p,
		struct err *err);
int cg__plan_v2(const struct cg_resources *r, const struct cg_facts *f, struct cg_plan *p,
		struct err *err);
/* Shared pieces (cg_res.c). */
int cg__plan_pids(const struct cg_resources *r, struct cg_plan *p);
int cg__plan_cpuset(const struct cg_resources *r, struct cg_plan *p);
int cg__plan_hugetlb(const struct cg_resources *r, bool v2, struct cg_plan *p, struct err *err);
int cg__plan_rdma(const struct cg_resources *r, struct cg_plan *p, struct err *err);
/* EINVAL naming the sizes the kernel has when a hugepageLimits pageSize is not one of the
 * hugetlb.<size>.<suffix> files of dir (no check when dir is NULL or has no such file). */
int cg__check_pagesizes(const struct cg_resources *r, const char *dir, const char *suffix,
			struct err *err);
/* Runs the plan; dir_of gives the directory for a write's controller (NULL: not available). */
typedef char *(*cg_dir_fn)(const struct cg *cg, enum cg_controller c);
int cg__plan_run(const struct cg *cg, const struct cg_plan *p, cg_dir_fn dir_of, struct err *err);

/* Conversions (runc / crun semantics). */
uint64_t cg__shares_to_weight(uint64_t shares);		     /* 0 = unset */
uint64_t cg__blkio_weight_to_io(uint64_t weight);	     /* 0 = unset */
int cg__swap_to_v2(int64_t swap, int64_t memory, int64_t *out, struct err *err);
/* Formats a v1 device rule: "c 1:3 rwm", "a *:* rwm". buf >= 64. */
void cg__device_rule_str(const struct cg_device_rule *d, char *buf, size_t len);
bool cg__valid_pagesize(const char *s);

/* ---- v2 device filter (cg_devices_v2.c) ---- */
struct bpf_insn;
/* Builds the BPF_PROG_TYPE_CGROUP_DEVICE program for rules (last match wins, default deny).
 * *insns owned by the caller. */
int cg__dev_prog_build(const struct cg_device_rule *rules, size_t n, struct bpf_insn **insns,
		       size_t *n_insns, struct err *err);
/* Loads the program and attaches it to dirfd (BPF_F_ALLOW_MULTI), then detaches the programs
 * that were attached before (replace on update). */
int cg__dev_prog_apply(int dirfd, const char *dir, const struct cg_device_rule *rules, size_t n,
		       struct err *err);

/* ---- files (cg_util.c); every error names dir/file and errno ---- */
char *cg__join(const char *a, const char *b); /* owned; b may start with '/' */
/* The distinct v1 hierarchy mount points (co-mounted controllers once), in controller order;
 * without hybrid's unified mount. */
size_t cg__v1_mounts(const struct cg_root *root, const char **out, size_t cap);
int cg__write(const char *dir, const char *file, const char *value, struct err *err);
int cg__read(const char *dir, const char *file, char **out, struct err *err);
/* Trimmed single value; "max" reads as UINT64_MAX. */
int cg__read_u64(const char *dir, const char *file, uint64_t *out, struct err *err);
bool cg__exists(const char *dir, const char *file);
bool cg__is_dir(const char *path);
/* "key value" lines: *value of key, -1 if absent (no error). */
int cg__kv_get(const char *text, const char *key, uint64_t *value);
/* Parses a cgroup.procs text, appending to *pids (deduplicated). */
void cg__parse_pids(const char *text, pid_t **pids, size_t *n);
/* Reads cgroup.procs of dir and, if recursive, of every directory below. */
int cg__read_pids(const char *dir, bool recursive, pid_t **pids, size_t *n, struct err *err);
/* rmdir dir and everything below (deepest first), retrying EBUSY until deadline_ms (monotonic,
 * from cg__now_ms). Absent is fine. On a fake (non-cgroupfs) tree, regular files are removed. */
int cg__rmdir_tree(const char *dir, long long deadline_ms, struct err *err);
/* mkdir -p under base (which must exist) for rel; appends the directories made to *made. */
int cg__mkdir_path(const char *base, const char *rel, char ***made, size_t *n_made,
		   struct err *err);
long long cg__now_ms(void);
void cg__sleep_ms(long ms);
/* Writes pid to dir/cgroup.procs, retrying EINVAL (a task still in TASK_NEW) a few times. */
int cg__write_pid(const char *dir, pid_t pid, struct err *err);

/* ---- paths (cg_path.c) ---- */
/* Cleans an absolute or relative path: collapses "//", ".", and ".." (never above "/").
 * Returns an owned absolute path ("/" + relative). */
char *cg__clean_path(const char *p);
/* systemd "a-b.slice" -> "/a.slice/a-b.slice"; EINVAL for a bad name. */
int cg__expand_slice(const char *slice, char **out, struct err *err);
/* The own cgroup path from a /proc/self/cgroup text: the v2 "0::" line (v2), else name=systemd,
 * else the first line. Owned. */
char *cg__own_cgroup(const char *text, bool v2);

/* ---- stats (cg_stats*.c) ---- */
int cg__stats_v1(const struct cg *cg, struct cg_stats_v1 *s, struct err *err);
int cg__stats_v2(const char *dir, struct cg_stats_v2 *s, struct err *err);
void cg__stats_v1_fini(struct cg_stats_v1 *s);
void cg__stats_v2_fini(struct cg_stats_v2 *s);
int cg__parse_psi(const char *text, struct cg_psi *out);
int cg__parse_rdma(const char *text, struct cg_rdma_entry **out, size_t *n);
int cg__parse_kv_all(const char *text, struct cg_kv_u64 **out, size_t *n);
/* Hugepage sizes the kernel offers (/sys/kernel/mm/hugepages, or hugetlb.*.<suffix> files in
 * dir when given), e.g. "2MB". */
char **cg__hugepage_sizes(const char *dir, const char *suffix);
int cg__parse_netdev(const char *text, struct cg_net_stat **out, size_t *n);

/* ---- OOM (cg_oom.c) ---- */
int cg__oom_open_v1(const char *memdir, struct cg_oom **out, struct err *err);
int cg__oom_open_v2(const char *dir, struct cg_oom **out, struct err *err);

#endif
