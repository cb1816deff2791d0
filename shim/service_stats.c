#include "service_stats.h"

#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "cgroups/cgroups.h"
#include "proto/cgroups/v1/metrics.pb-c.h"
#include "proto/cgroups/v2/metrics.pb-c.h"
#include "proto/pb.h"

/* ---- v1 ---- */

typedef Io__Containerd__Cgroups__V1__MemoryEntry MemEntryV1;
typedef Io__Containerd__Cgroups__V1__BlkIOEntry BlkEntryV1;

static void
v1_mem_entry(MemEntryV1 *m, const struct cg_v1_mem_entry *e)
{
	io__containerd__cgroups__v1__memory_entry__init(m);
	m->limit = e->limit;
	m->usage = e->usage;
	m->max = e->max;
	m->failcnt = e->failcnt;
}

/* A blkio list as repeated entries; storage from *pool (advanced). */
static BlkEntryV1 **
v1_blk_list(const struct cg_v1_blkio_list *l, BlkEntryV1 **pool, BlkEntryV1 ***ptrs, size_t *n)
{
	BlkEntryV1 **out = *ptrs;

	for (size_t i = 0; i < l->n; i++) {
		BlkEntryV1 *e = (*pool)++;
		io__containerd__cgroups__v1__blk_ioentry__init(e);
		e->op = (char *)l->e[i].op;
		e->device = (char *)l->e[i].device;
		e->major = l->e[i].major;
		e->minor = l->e[i].minor;
		e->value = l->e[i].value;
		*(*ptrs)++ = e;
	}
	*n = l->n;
	return out;
}

static void
v1_memory(Io__Containerd__Cgroups__V1__MemoryStat *m, const struct cg_stats_v1 *s, MemEntryV1 e[4])
{
#define C(f) m->f = s->memory.f
	C(cache), C(rss), C(rss_huge), C(mapped_file), C(dirty), C(writeback), C(pg_pg_in);
	C(pg_pg_out), C(pg_fault), C(pg_maj_fault), C(inactive_anon), C(active_anon);
	C(inactive_file), C(active_file), C(unevictable), C(hierarchical_memory_limit);
	C(hierarchical_swap_limit), C(total_cache), C(total_rss), C(total_rss_huge);
	C(total_mapped_file), C(total_dirty), C(total_writeback), C(total_pg_pg_in);
	C(total_pg_pg_out), C(total_pg_fault), C(total_pg_maj_fault), C(total_inactive_anon);
	C(total_active_anon), C(total_inactive_file), C(total_active_file), C(total_unevictable);
#undef C
	v1_mem_entry(&e[0], &s->memory.usage);
	v1_mem_entry(&e[1], &s->memory.swap);
	v1_mem_entry(&e[2], &s->memory.kernel);
	v1_mem_entry(&e[3], &s->memory.kernel_tcp);
	m->usage = &e[0];
	m->swap = &e[1];
	m->kernel = &e[2];
	m->kernel_tcp = &e[3];
}

struct v1_msg {
	Io__Containerd__Cgroups__V1__Metrics m;
	Io__Containerd__Cgroups__V1__PidsStat pids;
	Io__Containerd__Cgroups__V1__CPUStat cpu;
	Io__Containerd__Cgroups__V1__CPUUsage usage;
	Io__Containerd__Cgroups__V1__Throttle thr;
	Io__Containerd__Cgroups__V1__MemoryStat mem;
	MemEntryV1 ment[4];
	Io__Containerd__Cgroups__V1__MemoryOomControl oom;
	Io__Containerd__Cgroups__V1__BlkIOStat blk;
	BlkEntryV1 *blk_pool, **blk_ptrs;
	Io__Containerd__Cgroups__V1__HugetlbStat *huge, **huge_ptrs;
	Io__Containerd__Cgroups__V1__NetworkStat *net, **net_ptrs;
	struct cg_net_stat *netst;
};

static void
v1_blkio(struct v1_msg *v, const struct cg_stats_v1 *s)
{
	const struct cg_v1_blkio_list *l[8] = {
	    &s->blkio.io_service_bytes_recursive, &s->blkio.io_serviced_recursive,
	    &s->blkio.io_queued_recursive,        &s->blkio.io_service_time_recursive,
	    &s->blkio.io_wait_time_recursive,     &s->blkio.io_merged_recursive,
	    &s->blkio.io_time_recursive,          &s->blkio.sectors_recursive,
	};
	BlkEntryV1 ***dst[8] = {
	    &v->blk.io_service_bytes_recursive, &v->blk.io_serviced_recursive,
	    &v->blk.io_queued_recursive,        &v->blk.io_service_time_recursive,
	    &v->blk.io_wait_time_recursive,     &v->blk.io_merged_recursive,
	    &v->blk.io_time_recursive,          &v->blk.sectors_recursive,
	};
	size_t *cnt[8] = {
	    &v->blk.n_io_service_bytes_recursive, &v->blk.n_io_serviced_recursive,
	    &v->blk.n_io_queued_recursive,        &v->blk.n_io_service_time_recursive,
	    &v->blk.n_io_wait_time_recursive,     &v->blk.n_io_merged_recursive,
	    &v->blk.n_io_time_recursive,          &v->blk.n_sectors_recursive,
	};
	size_t total = 0;
	BlkEntryV1 *pool, **ptrs;

	io__containerd__cgroups__v1__blk_iostat__init(&v->blk);
	for (int i = 0; i < 8; i++)
		total += l[i]->n;
	pool = v->blk_pool = xcalloc(total + 1, sizeof(*pool));
	ptrs = v->blk_ptrs = xcalloc(total + 1, sizeof(*ptrs));
	for (int i = 0; i < 8; i++)
		*dst[i] = v1_blk_list(l[i], &pool, &ptrs, cnt[i]);
	v->m.blkio = &v->blk;
}

static void
v1_hugetlb_net(struct v1_msg *v, const struct cg_stats_v1 *s, pid_t pid)
{
	struct err err = {0};
	size_t nn = 0;

	v->huge = xcalloc(s->n_hugetlb + 1, sizeof(*v->huge));
	v->huge_ptrs = xcalloc(s->n_hugetlb + 1, sizeof(*v->huge_ptrs));
	for (size_t i = 0; i < s->n_hugetlb; i++) {
		io__containerd__cgroups__v1__hugetlb_stat__init(&v->huge[i]);
		v->huge[i].usage = s->hugetlb[i].usage;
		v->huge[i].max = s->hugetlb[i].max;
		v->huge[i].failcnt = s->hugetlb[i].failcnt;
		v->huge[i].pagesize = (char *)s->hugetlb[i].pagesize;
		v->huge_ptrs[i] = &v->huge[i];
	}
	v->m.hugetlb = v->huge_ptrs;
	v->m.n_hugetlb = s->n_hugetlb;
	if (pid <= 0 || cg_stats_net(pid, &v->netst, &nn, &err) < 0)
		nn = 0;
	v->net = xcalloc(nn + 1, sizeof(*v->net));
	v->net_ptrs = xcalloc(nn + 1, sizeof(*v->net_ptrs));
	for (size_t i = 0; i < nn; i++) {
		const struct cg_net_stat *n = &v->netst[i];
		io__containerd__cgroups__v1__network_stat__init(&v->net[i]);
		v->net[i].name = (char *)n->name;
		v->net[i].rx_bytes = n->rx_bytes, v->net[i].rx_packets = n->rx_packets;
		v->net[i].rx_errors = n->rx_errors, v->net[i].rx_dropped = n->rx_dropped;
		v->net[i].tx_bytes = n->tx_bytes, v->net[i].tx_packets = n->tx_packets;
		v->net[i].tx_errors = n->tx_errors, v->net[i].tx_dropped = n->tx_dropped;
		v->net_ptrs[i] = &v->net[i];
	}
	v->m.network = v->net_ptrs;
	v->m.n_network = nn;
}

static void
v1_pack(const struct cg_stats_v1 *s, pid_t pid, Google__Protobuf__Any *any, uint8_t **buf)
{
	struct v1_msg v;

	memset(&v, 0, sizeof(v));
	io__containerd__cgroups__v1__metrics__init(&v.m);
	io__containerd__cgroups__v1__pids_stat__init(&v.pids);
	v.pids.current = s->pids.current;
	v.pids.limit = s->pids.limit;
	v.m.pids = &v.pids;
	io__containerd__cgroups__v1__cpustat__init(&v.cpu);
	io__containerd__cgroups__v1__cpuusage__init(&v.usage);
	io__containerd__cgroups__v1__throttle__init(&v.thr);
	v.usage.total = s->cpu.total;
	v.usage.kernel = s->cpu.kernel;
	v.usage.user = s->cpu.user;
	v.usage.per_cpu = s->cpu.per_cpu;
	v.usage.n_per_cpu = s->cpu.n_per_cpu;
	v.thr.periods = s->cpu.periods;
	v.thr.throttled_periods = s->cpu.throttled_periods;
	v.thr.throttled_time = s->cpu.throttled_time;
	v.cpu.usage = &v.usage;
	v.cpu.throttling = &v.thr;
	v.m.cpu = &v.cpu;
	io__containerd__cgroups__v1__memory_stat__init(&v.mem);
	v1_memory(&v.mem, s, v.ment);
	v.m.memory = &v.mem;
	io__containerd__cgroups__v1__memory_oom_control__init(&v.oom);
	v.oom.oom_kill_disable = s->oom_control.oom_kill_disable;
	v.oom.under_oom = s->oom_control.under_oom;
	v.oom.oom_kill = s->oom_control.oom_kill;
	v.m.memory_oom_control = &v.oom;
	v1_blkio(&v, s);
	v1_hugetlb_net(&v, s, pid);
	pb_any_pack(any, STATS_V1_TYPE, &v.m.base, buf);
	free(v.blk_pool);
	free(v.blk_ptrs);
	free(v.huge);
	free(v.huge_ptrs);
	free(v.net);
	free(v.net_ptrs);
	free(v.netst);
}

/* ---- v2 ---- */

struct v2_msg {
	Io__Containerd__Cgroups__V2__Metrics m;
	Io__Containerd__Cgroups__V2__PidsStat pids;
	Io__Containerd__Cgroups__V2__CPUStat cpu;
	Io__Containerd__Cgroups__V2__MemoryStat mem;
	Io__Containerd__Cgroups__V2__MemoryEvents mev;
	Io__Containerd__Cgroups__V2__IOStat io;
	Io__Containerd__Cgroups__V2__IOEntry *ioe, **ioe_ptrs;
	Io__Containerd__Cgroups__V2__HugeTlbStat *huge, **huge_ptrs;
};

static void
v2_memory(Io__Containerd__Cgroups__V2__MemoryStat *m, const struct cg_stats_v2 *s)
{
#define C(f) m->f = s->memory.f
	C(anon), C(file), C(kernel_stack), C(slab), C(sock), C(shmem), C(file_mapped);
	C(file_dirty), C(file_writeback), C(anon_thp), C(inactive_anon), C(active_anon);
	C(inactive_file), C(active_file), C(unevictable), C(slab_reclaimable);
	C(slab_unreclaimable), C(pgfault), C(pgmajfault), C(workingset_refault);
	C(workingset_activate), C(workingset_nodereclaim), C(pgrefill), C(pgscan), C(pgsteal);
	C(pgactivate), C(pgdeactivate), C(pglazyfree), C(pglazyfreed), C(thp_fault_alloc);
	C(thp_collapse_alloc), C(usage), C(usage_limit), C(swap_usage), C(swap_limit);
	C(max_usage), C(swap_max_usage);
#undef C
}

static void
v2_lists(struct v2_msg *v, const struct cg_stats_v2 *s)
{
	size_t n = s->io.n_usage;

	io__containerd__cgroups__v2__iostat__init(&v->io);
	v->ioe = xcalloc(n + 1, sizeof(*v->ioe));
	v->ioe_ptrs = xcalloc(n + 1, sizeof(*v->ioe_ptrs));
	for (size_t i = 0; i < n; i++) {
		const struct cg_v2_io_entry *e = &s->io.usage[i];
		io__containerd__cgroups__v2__ioentry__init(&v->ioe[i]);
		v->ioe[i].major = e->major, v->ioe[i].minor = e->minor;
		v->ioe[i].rbytes = e->rbytes, v->ioe[i].wbytes = e->wbytes;
		v->ioe[i].rios = e->rios, v->ioe[i].wios = e->wios;
		v->ioe_ptrs[i] = &v->ioe[i];
	}
	v->io.usage = v->ioe_ptrs;
	v->io.n_usage = n;
	v->m.io = &v->io;
	v->huge = xcalloc(s->n_hugetlb + 1, sizeof(*v->huge));
	v->huge_ptrs = xcalloc(s->n_hugetlb + 1, sizeof(*v->huge_ptrs));
	for (size_t i = 0; i < s->n_hugetlb; i++) {
		io__containerd__cgroups__v2__huge_tlb_stat__init(&v->huge[i]);
		v->huge[i].current = s->hugetlb[i].usage;
		v->huge[i].max = s->hugetlb[i].max;
		v->huge[i].pagesize = (char *)s->hugetlb[i].pagesize;
		v->huge_ptrs[i] = &v->huge[i];
	}
	v->m.hugetlb = v->huge_ptrs;
	v->m.n_hugetlb = s->n_hugetlb;
}

static void
v2_pack(const struct cg_stats_v2 *s, Google__Protobuf__Any *any, uint8_t **buf)
{
	struct v2_msg v;

	memset(&v, 0, sizeof(v));
	io__containerd__cgroups__v2__metrics__init(&v.m);
	io__containerd__cgroups__v2__pids_stat__init(&v.pids);
	v.pids.current = s->pids.current;
	v.pids.limit = s->pids.limit;
	v.m.pids = &v.pids;
	io__containerd__cgroups__v2__cpustat__init(&v.cpu);
	v.cpu.usage_usec = s->cpu.usage_usec;
	v.cpu.user_usec = s->cpu.user_usec;
	v.cpu.system_usec = s->cpu.system_usec;
	v.cpu.nr_periods = s->cpu.nr_periods;
	v.cpu.nr_throttled = s->cpu.nr_throttled;
	v.cpu.throttled_usec = s->cpu.throttled_usec;
	v.m.cpu = &v.cpu;
	io__containerd__cgroups__v2__memory_stat__init(&v.mem);
	v2_memory(&v.mem, s);
	v.m.memory = &v.mem;
	io__containerd__cgroups__v2__memory_events__init(&v.mev);
	v.mev.low = s->memory_events.low;
	v.mev.high = s->memory_events.high;
	v.mev.max = s->memory_events.max;
	v.mev.oom = s->memory_events.oom;
	v.mev.oom_kill = s->memory_events.oom_kill;
	v.m.memory_events = &v.mev;
	v2_lists(&v, s);
	pb_any_pack(any, STATS_V2_TYPE, &v.m.base, buf);
	free(v.ioe);
	free(v.ioe_ptrs);
	free(v.huge);
	free(v.huge_ptrs);
}

int
svc_stats_pack(const struct cg_stats *st, pid_t pid, Google__Protobuf__Any *any, uint8_t **buf)
{
	if (st->is_v2)
		v2_pack(&st->v2, any, buf);
	else
		v1_pack(&st->v1, pid, any, buf);
	return 0;
}
