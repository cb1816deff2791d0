/* cg_stats_v2: cgroup v2 statistics, as containerd's io.containerd.cgroups.v2.Metrics has them.
 * "max" limits read as UINT64_MAX (containerd does the same). */
#include "cg_internal.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/xalloc.h"

static int
read_opt(const char *dir, const char *file, char **out, struct err *err)
{
	*out = NULL;
	if (cg__read(dir, file, out, err) == 0)
		return 0;
	return err->code == ENOENT ? 0 : -1;
}

static int
u64_opt(const char *dir, const char *file, uint64_t *out, struct err *err)
{
	struct err e = {0};

	if (cg__read_u64(dir, file, out, &e) == 0)
		return 0;
	if (e.code == ENOENT)
		return 0;
	*err = e;
	return -1;
}

static int
psi_opt(const char *dir, const char *file, struct cg_psi *out, struct err *err)
{
	cleanup_free char *text = NULL;

	if (read_opt(dir, file, &text, err) < 0)
		return -1;
	if (text)
		cg__parse_psi(text, out);
	return 0;
}

#define MEM(f) offsetof(struct cg_stats_v2, memory.f)
#define K(f) {#f, MEM(f)}
static const struct {
	const char *key;
	size_t off;
} mem_keys[] = {
	K(anon),
	K(file),
	K(kernel_stack),
	K(slab),
	K(sock),
	K(shmem),
	K(file_mapped),
	K(file_dirty),
	K(file_writeback),
	K(anon_thp),
	K(inactive_anon),
	K(active_anon),
	K(inactive_file),
	K(active_file),
	K(unevictable),
	K(slab_reclaimable),
	K(slab_unreclaimable),
	K(pgfault),
	K(pgmajfault),
	K(workingset_refault),
	K(workingset_activate),
	K(workingset_nodereclaim),
	K(pgrefill),
	K(pgscan),
	K(pgsteal),
	K(pgactivate),
	K(pgdeactivate),
	K(pglazyfree),
	K(pglazyfreed),
	K(thp_fault_alloc),
	K(thp_collapse_alloc),
};
#undef K

static void
workingset_sum(const char *text, const char *key, uint64_t *out)
{
	char k[64];
	uint64_t anon = 0, file = 0, v;

	if (cg__kv_get(text, key, &v) == 0)
		return;
	snprintf(k, sizeof(k), "%s_anon", key);
	cg__kv_get(text, k, &anon);
	snprintf(k, sizeof(k), "%s_file", key);
	cg__kv_get(text, k, &file);
	*out = anon + file;
}

static int
memory_stats(const char *dir, struct cg_stats_v2 *s, struct err *err)
{
	cleanup_free char *text = NULL, *events = NULL;

	if (read_opt(dir, "memory.stat", &text, err) < 0 ||
	    read_opt(dir, "memory.events", &events, err) < 0)
		return -1;
	if (text) {
		cg__parse_kv_all(text, &s->memory.raw, &s->memory.n_raw);
		for (size_t i = 0; i < ARRAY_SIZE(mem_keys); i++)
			cg__kv_get(text, mem_keys[i].key,
				   (uint64_t *)((char *)s + mem_keys[i].off));
		/* Kernels >= 5.9 split workingset_refault and _activate into _anon and _file:
		 * report their sum, what the old single counter meant. */
		workingset_sum(text, "workingset_refault", &s->memory.workingset_refault);
		workingset_sum(text, "workingset_activate", &s->memory.workingset_activate);
	}
	if (events) {
		cg__kv_get(events, "low", &s->memory_events.low);
		cg__kv_get(events, "high", &s->memory_events.high);
		cg__kv_get(events, "max", &s->memory_events.max);
		cg__kv_get(events, "oom", &s->memory_events.oom);
		cg__kv_get(events, "oom_kill", &s->memory_events.oom_kill);
	}
	if (u64_opt(dir, "memory.current", &s->memory.usage, err) < 0 ||
	    u64_opt(dir, "memory.max", &s->memory.usage_limit, err) < 0 ||
	    u64_opt(dir, "memory.swap.current", &s->memory.swap_usage, err) < 0 ||
	    u64_opt(dir, "memory.swap.max", &s->memory.swap_limit, err) < 0 ||
	    u64_opt(dir, "memory.peak", &s->memory.max_usage, err) < 0 ||
	    u64_opt(dir, "memory.swap.peak", &s->memory.swap_max_usage, err) < 0)
		return -1;
	return psi_opt(dir, "memory.pressure", &s->memory.psi, err);
}

static int
cpu_stats(const char *dir, struct cg_stats_v2 *s, struct err *err)
{
	cleanup_free char *text = NULL;

	if (read_opt(dir, "cpu.stat", &text, err) < 0)
		return -1;
	if (text) {
		cg__kv_get(text, "usage_usec", &s->cpu.usage_usec);
		cg__kv_get(text, "user_usec", &s->cpu.user_usec);
		cg__kv_get(text, "system_usec", &s->cpu.system_usec);
		cg__kv_get(text, "nr_periods", &s->cpu.nr_periods);
		cg__kv_get(text, "nr_throttled", &s->cpu.nr_throttled);
		cg__kv_get(text, "throttled_usec", &s->cpu.throttled_usec);
		cg__kv_get(text, "nr_bursts", &s->cpu.nr_bursts);
		cg__kv_get(text, "burst_usec", &s->cpu.burst_usec);
	}
	return psi_opt(dir, "cpu.pressure", &s->cpu.psi, err);
}

/* "8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0" per device. */
static void
parse_io_stat(const char *text, struct cg_stats_v2 *s)
{
	for (const char *line = text; line && *line;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		cleanup_free char *copy = xstrndup(line, len);
		unsigned long long maj, min;
		char *save = NULL, *t;

		if (sscanf(copy, "%llu:%llu", &maj, &min) == 2) {
			struct cg_v2_io_entry *e;
			s->io.usage = xreallocarray(s->io.usage, s->io.n_usage + 1, sizeof(*e));
			e = &s->io.usage[s->io.n_usage++];
			memset(e, 0, sizeof(*e));
			e->major = maj, e->minor = min;
			for (t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
				char *eq = strchr(t, '=');
				uint64_t v = eq ? strtoull(eq + 1, NULL, 10) : 0;
				if (strncmp(t, "rbytes=", 7) == 0)
					e->rbytes = v;
				else if (strncmp(t, "wbytes=", 7) == 0)
					e->wbytes = v;
				else if (strncmp(t, "rios=", 5) == 0)
					e->rios = v;
				else if (strncmp(t, "wios=", 5) == 0)
					e->wios = v;
			}
		}
		line = nl ? nl + 1 : NULL;
	}
}

static int
io_stats(const char *dir, struct cg_stats_v2 *s, struct err *err)
{
	cleanup_free char *text = NULL;

	if (read_opt(dir, "io.stat", &text, err) < 0)
		return -1;
	if (text)
		parse_io_stat(text, s);
	return psi_opt(dir, "io.pressure", &s->io.psi, err);
}

static int
hugetlb_stats(const char *dir, struct cg_stats_v2 *s, struct err *err)
{
	char **sizes = cg__hugepage_sizes(dir, "current");
	size_t n = strv_len(sizes);
	int rc = 0;

	s->hugetlb = n ? xcalloc(n, sizeof(*s->hugetlb)) : NULL;
	for (size_t i = 0; i < n && rc == 0; i++) {
		struct cg_hugetlb_stat *h = &s->hugetlb[s->n_hugetlb++];
		char f1[64], f2[64];

		snprintf(h->pagesize, sizeof(h->pagesize), "%s", sizes[i]);
		snprintf(f1, sizeof(f1), "hugetlb.%s.current", sizes[i]);
		snprintf(f2, sizeof(f2), "hugetlb.%s.max", sizes[i]);
		if (u64_opt(dir, f1, &h->usage, err) < 0 || u64_opt(dir, f2, &h->max, err) < 0)
			rc = -1;
	}
	strv_free(sizes);
	return rc;
}

static int
pids_rdma_stats(const char *dir, struct cg_stats_v2 *s, struct err *err)
{
	cleanup_free char *cur = NULL, *max = NULL;

	if (u64_opt(dir, "pids.current", &s->pids.current, err) < 0 ||
	    u64_opt(dir, "pids.max", &s->pids.limit, err) < 0 ||
	    read_opt(dir, "rdma.current", &cur, err) < 0 || read_opt(dir, "rdma.max", &max, err) < 0)
		return -1;
	if (cur)
		cg__parse_rdma(cur, &s->rdma.current, &s->rdma.n_current);
	if (max)
		cg__parse_rdma(max, &s->rdma.limit, &s->rdma.n_limit);
	return 0;
}

int
cg__stats_v2(const char *dir, struct cg_stats_v2 *s, struct err *err)
{
	if (pids_rdma_stats(dir, s, err) < 0 || cpu_stats(dir, s, err) < 0 ||
	    memory_stats(dir, s, err) < 0 || io_stats(dir, s, err) < 0 ||
	    hugetlb_stats(dir, s, err) < 0)
		return -1;
	return 0;
}
