/* cg_stats_v1: cgroup v1 statistics, as containerd's io.containerd.cgroups.v1.Metrics has them. */
#include "cg_internal.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/xalloc.h"

/* Reads dir/file; absent (ENOENT) is not an error: *out stays NULL. */
static int
read_opt(const char *dir, const char *file, char **out, struct err *err)
{
	*out = NULL;
	if (dir == NULL)
		return 0;
	if (cg__read(dir, file, out, err) == 0)
		return 0;
	return err->code == ENOENT ? 0 : -1;
}

static int
u64_opt(const char *dir, const char *file, uint64_t *out, struct err *err)
{
	struct err e = {0};

	if (dir == NULL)
		return 0;
	if (cg__read_u64(dir, file, out, &e) == 0)
		return 0;
	if (e.code == ENOENT)
		return 0;
	*err = e;
	return -1;
}

#define MEM(f) offsetof(struct cg_stats_v1, memory.f)
static const struct {
	const char *key;
	size_t off;
} mem_keys[] = {
	{"cache", MEM(cache)},
	{"rss", MEM(rss)},
	{"rss_huge", MEM(rss_huge)},
	{"mapped_file", MEM(mapped_file)},
	{"dirty", MEM(dirty)},
	{"writeback", MEM(writeback)},
	{"pgpgin", MEM(pg_pg_in)},
	{"pgpgout", MEM(pg_pg_out)},
	{"pgfault", MEM(pg_fault)},
	{"pgmajfault", MEM(pg_maj_fault)},
	{"inactive_anon", MEM(inactive_anon)},
	{"active_anon", MEM(active_anon)},
	{"inactive_file", MEM(inactive_file)},
	{"active_file", MEM(active_file)},
	{"unevictable", MEM(unevictable)},
	{"hierarchical_memory_limit", MEM(hierarchical_memory_limit)},
	{"hierarchical_memsw_limit", MEM(hierarchical_swap_limit)},
	{"total_cache", MEM(total_cache)},
	{"total_rss", MEM(total_rss)},
	{"total_rss_huge", MEM(total_rss_huge)},
	{"total_mapped_file", MEM(total_mapped_file)},
	{"total_dirty", MEM(total_dirty)},
	{"total_writeback", MEM(total_writeback)},
	{"total_pgpgin", MEM(total_pg_pg_in)},
	{"total_pgpgout", MEM(total_pg_pg_out)},
	{"total_pgfault", MEM(total_pg_fault)},
	{"total_pgmajfault", MEM(total_pg_maj_fault)},
	{"total_inactive_anon", MEM(total_inactive_anon)},
	{"total_active_anon", MEM(total_active_anon)},
	{"total_inactive_file", MEM(total_inactive_file)},
	{"total_active_file", MEM(total_active_file)},
	{"total_unevictable", MEM(total_unevictable)},
};

/* prefix "" = memory.*, "memsw." = memory.memsw.*, "kmem." ..., "kmem.tcp." ... */
static int
mem_entry(const char *dir, const char *prefix, struct cg_v1_mem_entry *e, struct err *err)
{
	static const char *const names[] = {"limit_in_bytes", "usage_in_bytes",
					    "max_usage_in_bytes", "failcnt"};
	uint64_t *dst[] = {&e->limit, &e->usage, &e->max, &e->failcnt};
	char file[64];

	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		snprintf(file, sizeof(file), "memory.%s%s", prefix, names[i]);
		if (u64_opt(dir, file, dst[i], err) < 0)
			return -1;
	}
	return 0;
}

static int
memory_stats(const char *dir, struct cg_stats_v1 *s, struct err *err)
{
	cleanup_free char *text = NULL, *oom = NULL;

	if (read_opt(dir, "memory.stat", &text, err) < 0)
		return -1;
	if (text == NULL)
		return 0;
	cg__parse_kv_all(text, &s->memory.raw, &s->memory.n_raw);
	for (size_t i = 0; i < ARRAY_SIZE(mem_keys); i++)
		cg__kv_get(text, mem_keys[i].key, (uint64_t *)((char *)s + mem_keys[i].off));
	if (mem_entry(dir, "", &s->memory.usage, err) < 0 ||
	    mem_entry(dir, "memsw.", &s->memory.swap, err) < 0 ||
	    mem_entry(dir, "kmem.", &s->memory.kernel, err) < 0 ||
	    mem_entry(dir, "kmem.tcp.", &s->memory.kernel_tcp, err) < 0)
		return -1;
	if (read_opt(dir, "memory.oom_control", &oom, err) < 0)
		return -1;
	if (oom) {
		cg__kv_get(oom, "oom_kill_disable", &s->oom_control.oom_kill_disable);
		cg__kv_get(oom, "under_oom", &s->oom_control.under_oom);
		cg__kv_get(oom, "oom_kill", &s->oom_control.oom_kill);
	}
	return 0;
}

static int
cpu_stats(const char *cpu, const char *acct, struct cg_stats_v1 *s, struct err *err)
{
	cleanup_free char *stat = NULL, *percpu = NULL, *cstat = NULL;
	long hz = sysconf(_SC_CLK_TCK);
	uint64_t user = 0, sys = 0;

	if (u64_opt(acct, "cpuacct.usage", &s->cpu.total, err) < 0 ||
	    read_opt(acct, "cpuacct.usage_percpu", &percpu, err) < 0 ||
	    read_opt(acct, "cpuacct.stat", &stat, err) < 0 ||
	    read_opt(cpu, "cpu.stat", &cstat, err) < 0)
		return -1;
	for (const char *p = percpu; p && *p;) {
		char *end;
		uint64_t v = strtoull(p, &end, 10);
		if (end == p)
			break;
		s->cpu.per_cpu = xreallocarray(s->cpu.per_cpu, s->cpu.n_per_cpu + 1, sizeof(v));
		s->cpu.per_cpu[s->cpu.n_per_cpu++] = v;
		p = end;
	}
	if (stat && hz > 0) { /* USER_HZ ticks -> ns */
		cg__kv_get(stat, "user", &user);
		cg__kv_get(stat, "system", &sys);
		s->cpu.user = user * (1000000000ull / (uint64_t)hz);
		s->cpu.kernel = sys * (1000000000ull / (uint64_t)hz);
	}
	if (cstat) {
		cg__kv_get(cstat, "nr_periods", &s->cpu.periods);
		cg__kv_get(cstat, "nr_throttled", &s->cpu.throttled_periods);
		cg__kv_get(cstat, "throttled_time", &s->cpu.throttled_time);
	}
	return 0;
}

static void
blkio_device_name(uint64_t major, uint64_t minor, char *buf, size_t len)
{
	char link[64], target[256];
	const char *name;
	ssize_t n;

	snprintf(link, sizeof(link), "/sys/dev/block/%llu:%llu", (unsigned long long)major,
		 (unsigned long long)minor);
	n = readlink(link, target, sizeof(target) - 1);
	if (n <= 0)
		return;
	target[n] = '\0';
	name = strrchr(target, '/') ? strrchr(target, '/') + 1 : target;
	if (strlen(name) + 6 > len)
		return;
	memcpy(buf, "/dev/", 5);
	memcpy(buf + 5, name, strlen(name) + 1);
}

/* Lines "8:0 Read 123", "8:0 123" (sectors, time), "Total 123" (skipped). */
static void
parse_blkio(const char *text, struct cg_v1_blkio_list *l)
{
	for (const char *line = text; line && *line;) {
		const char *nl = strchr(line, '\n');
		unsigned long long maj, min, v;
		char op[16] = "";
		struct cg_v1_blkio_entry *e;
		int k = sscanf(line, "%llu:%llu %15s %llu", &maj, &min, op, &v);

		if (k == 3) { /* no op: the third field was the value */
			v = strtoull(op, NULL, 10);
			op[0] = '\0';
		}
		if (k >= 3) {
			l->e = xreallocarray(l->e, l->n + 1, sizeof(*l->e));
			e = &l->e[l->n++];
			memset(e, 0, sizeof(*e));
			e->major = maj, e->minor = min, e->value = v;
			snprintf(e->op, sizeof(e->op), "%s", op);
			blkio_device_name(maj, min, e->device, sizeof(e->device));
		}
		line = nl ? nl + 1 : NULL;
	}
}

static int
blkio_stats(const char *dir, struct cg_stats_v1 *s, struct err *err)
{
	struct {
		const char *file;
		struct cg_v1_blkio_list *l;
	} files[] = {
		/* CFQ/BFQ-era files first, where the kernel has them; throttle files always. */
		{"blkio.sectors_recursive", &s->blkio.sectors_recursive},
		{"blkio.io_service_bytes_recursive", &s->blkio.io_service_bytes_recursive},
		{"blkio.io_serviced_recursive", &s->blkio.io_serviced_recursive},
		{"blkio.io_queued_recursive", &s->blkio.io_queued_recursive},
		{"blkio.io_service_time_recursive", &s->blkio.io_service_time_recursive},
		{"blkio.io_wait_time_recursive", &s->blkio.io_wait_time_recursive},
		{"blkio.io_merged_recursive", &s->blkio.io_merged_recursive},
		{"blkio.time_recursive", &s->blkio.io_time_recursive},
		{"blkio.throttle.io_service_bytes", &s->blkio.io_service_bytes_recursive},
		{"blkio.throttle.io_serviced", &s->blkio.io_serviced_recursive},
	};

	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		cleanup_free char *text = NULL;
		if (read_opt(dir, files[i].file, &text, err) < 0)
			return -1;
		if (text)
			parse_blkio(text, files[i].l);
	}
	return 0;
}

static int
hugetlb_stats(const char *dir, struct cg_stats_v1 *s, struct err *err)
{
	char **sizes = dir ? cg__hugepage_sizes(dir, "limit_in_bytes") : NULL;
	size_t n = sizes ? strv_len(sizes) : 0;
	int rc = 0;

	s->hugetlb = n ? xcalloc(n, sizeof(*s->hugetlb)) : NULL;
	for (size_t i = 0; i < n && rc == 0; i++) {
		struct cg_hugetlb_stat *h = &s->hugetlb[s->n_hugetlb++];
		char f1[64], f2[64], f3[64];

		snprintf(h->pagesize, sizeof(h->pagesize), "%s", sizes[i]);
		snprintf(f1, sizeof(f1), "hugetlb.%s.usage_in_bytes", sizes[i]);
		snprintf(f2, sizeof(f2), "hugetlb.%s.max_usage_in_bytes", sizes[i]);
		snprintf(f3, sizeof(f3), "hugetlb.%s.failcnt", sizes[i]);
		if (u64_opt(dir, f1, &h->usage, err) < 0 || u64_opt(dir, f2, &h->max, err) < 0 ||
		    u64_opt(dir, f3, &h->failcnt, err) < 0)
			rc = -1;
	}
	strv_free(sizes);
	return rc;
}

static int
pids_rdma_stats(const char *pids, const char *rdma, struct cg_stats_v1 *s, struct err *err)
{
	cleanup_free char *max = NULL, *cur = NULL, *rmax = NULL;

	if (u64_opt(pids, "pids.current", &s->pids.current, err) < 0 ||
	    read_opt(pids, "pids.max", &max, err) < 0 ||
	    read_opt(rdma, "rdma.current", &cur, err) < 0 ||
	    read_opt(rdma, "rdma.max", &rmax, err) < 0)
		return -1;
	if (max && strncmp(max, "max", 3) != 0) /* "max" reads as 0, as containerd */
		s->pids.limit = strtoull(max, NULL, 10);
	if (cur)
		cg__parse_rdma(cur, &s->rdma.current, &s->rdma.n_current);
	if (rmax)
		cg__parse_rdma(rmax, &s->rdma.limit, &s->rdma.n_limit);
	return 0;
}

int
cg__stats_v1(const struct cg *cg, struct cg_stats_v1 *s, struct err *err)
{
	char *d[CG_CTRL_COUNT] = {0};
	int rc = -1;

	for (int c = 0; c < CG_CTRL_COUNT; c++)
		d[c] = cg->ops->dir(cg, (enum cg_controller)c);
	if (memory_stats(d[CG_CTRL_MEMORY], s, err) == 0 &&
	    cpu_stats(d[CG_CTRL_CPU], d[CG_CTRL_CPUACCT], s, err) == 0 &&
	    blkio_stats(d[CG_CTRL_BLKIO], s, err) == 0 &&
	    hugetlb_stats(d[CG_CTRL_HUGETLB], s, err) == 0 &&
	    pids_rdma_stats(d[CG_CTRL_PIDS], d[CG_CTRL_RDMA], s, err) == 0)
		rc = 0;
	for (int c = 0; c < CG_CTRL_COUNT; c++)
		free(d[c]);
	return rc;
}

static void
rdma_fini(struct cg_rdma_stat *r)
{
	for (size_t i = 0; i < r->n_current; i++)
		free(r->current[i].device);
	for (size_t i = 0; i < r->n_limit; i++)
		free(r->limit[i].device);
	free(r->current);
	free(r->limit);
}

void
cg__stats_v1_fini(struct cg_stats_v1 *s)
{
	struct cg_v1_blkio_list *lists[] = {
		&s->blkio.io_service_bytes_recursive, &s->blkio.io_serviced_recursive,
		&s->blkio.io_queued_recursive,	      &s->blkio.io_service_time_recursive,
		&s->blkio.io_wait_time_recursive,     &s->blkio.io_merged_recursive,
		&s->blkio.io_time_recursive,	      &s->blkio.sectors_recursive,
	};

	free(s->hugetlb);
	free(s->cpu.per_cpu);
	for (size_t i = 0; i < s->memory.n_raw; i++)
		free(s->memory.raw[i].key);
	free(s->memory.raw);
	for (size_t i = 0; i < ARRAY_SIZE(lists); i++)
		free(lists[i]->e);
	rdma_fini(&s->rdma);
	memset(s, 0, sizeof(*s));
}

void
cg__stats_v2_fini(struct cg_stats_v2 *s)
{
	free(s->hugetlb);
	free(s->io.usage);
	for (size_t i = 0; i < s->memory.n_raw; i++)
		free(s->memory.raw[i].key);
	free(s->memory.raw);
	rdma_fini(&s->rdma);
	memset(s, 0, sizeof(*s));
}
