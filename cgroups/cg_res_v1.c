/* cg_res_v1: linux.resources -> cgroup v1 file writes (runc's fs driver semantics). */
#include "cg_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

static int
plan_memory(const struct cg_resources *r, const struct cg_facts *f, struct cg_plan *p,
	    struct err *err)
{
	const struct cg_memory *m = &r->memory;
	int64_t limit = m->has_limit ? m->limit : 0, swap = m->has_swap ? m->swap : 0;

	if (!r->has_memory)
		return 0;
	if (m->has_swappiness && m->swappiness != UINT64_MAX && m->swappiness > 100)
		return err_set(err, EINVAL, "memory.swappiness %" PRIu64 ": valid range is 0-100",
			       m->swappiness);
	/* memory.limit_in_bytes must stay <= memory.memsw.limit_in_bytes at every step: the
	 * write that would break it fails with EINVAL and is retried after the other. */
	if (limit != 0)
		cg__plan_add(p, CG_CTRL_MEMORY, CG_W_DEFER_EINVAL, "memory.limit_in_bytes",
			     "%" PRId64, limit);
	if (swap != 0)
		cg__plan_add(p, CG_CTRL_MEMORY, CG_W_DEFER_EINVAL, "memory.memsw.limit_in_bytes",
			     "%" PRId64, swap);
	else if (limit == -1 && f->has_memsw) /* unlimited memory, swap unset: unlimit both */
		cg__plan_add(p, CG_CTRL_MEMORY, CG_W_DEFER_EINVAL, "memory.memsw.limit_in_bytes",
			     "-1");
	/* Deprecated kernel memory limits: written where the kernel still has them. */
	if (m->has_kernel && m->kernel != 0)
		cg__plan_add(p, CG_CTRL_MEMORY, CG_W_OPTIONAL, "memory.kmem.limit_in_bytes",
			     "%" PRId64, m->kernel);
	if (m->has_kernel_tcp && m->kernel_tcp != 0)
		cg__plan_add(p, CG_CTRL_MEMORY, CG_W_OPTIONAL, "memory.kmem.tcp.limit_in_bytes",
			     "%" PRId64, m->kernel_tcp);
	if (m->has_reservation && m->reservation != 0)
		cg__plan_add(p, CG_CTRL_MEMORY, 0, "memory.soft_limit_in_bytes", "%" PRId64,
			     m->reservation);
	if (m->has_swappiness && m->swappiness != UINT64_MAX)
		cg__plan_add(p, CG_CTRL_MEMORY, 0, "memory.swappiness", "%" PRIu64,
			     m->swappiness);
	if (m->has_disable_oom_killer)
		cg__plan_add(p, CG_CTRL_MEMORY, 0, "memory.oom_control", "%d",
			     m->disable_oom_killer ? 1 : 0);
	/* Kernels >= 5.x pin use_hierarchy to 1 and refuse 0 (EINVAL); runc ignores the field. */
	if (m->has_use_hierarchy)
		cg__plan_add(p, CG_CTRL_MEMORY, CG_W_BEST_EFFORT, "memory.use_hierarchy", "%d",
			     m->use_hierarchy ? 1 : 0);
	return 0;
}

static void
plan_cpu(const struct cg_resources *r, struct cg_plan *p)
{
	const struct cg_cpu *c = &r->cpu;

	if (!r->has_cpu)
		return;
	if (c->has_shares && c->shares != 0)
		cg__plan_add(p, CG_CTRL_CPU, CG_W_VERIFY, "cpu.shares", "%" PRIu64, c->shares);
	/* A new period may not fit the old quota (or the parent's): retried after the quota. */
	if (c->has_period && c->period != 0)
		cg__plan_add(p, CG_CTRL_CPU, CG_W_DEFER_EINVAL, "cpu.cfs_period_us", "%" PRIu64,
			     c->period);
	if (c->has_burst)
		cg__plan_add(p, CG_CTRL_CPU, CG_W_DEFER_EINVAL, "cpu.cfs_burst_us", "%" PRIu64,
			     c->burst);
	if (c->has_quota && c->quota != 0)
		cg__plan_add(p, CG_CTRL_CPU, 0, "cpu.cfs_quota_us", "%" PRId64, c->quota);
	if (c->has_rt_period && c->rt_period != 0)
		cg__plan_add(p, CG_CTRL_CPU, CG_W_DEFER_EINVAL, "cpu.rt_period_us", "%" PRIu64,
			     c->rt_period);
	if (c->has_rt_runtime && c->rt_runtime != 0)
		cg__plan_add(p, CG_CTRL_CPU, 0, "cpu.rt_runtime_us", "%" PRId64, c->rt_runtime);
	if (c->has_idle)
		cg__plan_add(p, CG_CTRL_CPU, 0, "cpu.idle", "%" PRId64, c->idle);
}

static void
plan_throttle(struct cg_plan *p, const char *file, const struct cg_throttle_device *d, size_t n)
{
	for (size_t i = 0; i < n; i++)
		cg__plan_add(p, CG_CTRL_BLKIO, 0, file, "%" PRId64 ":%" PRId64 " %" PRIu64,
			     d[i].major, d[i].minor, d[i].rate);
}

static void
plan_blkio(const struct cg_resources *r, const struct cg_facts *f, struct cg_plan *p)
{
	const struct cg_blkio *b = &r->blkio;
	const char *wfile = f->blkio_bfq ? "blkio.bfq.weight" : "blkio.weight";
	const char *wdfile = f->blkio_bfq ? "blkio.bfq.weight_device" : "blkio.weight_device";

	if (!r->has_blkio)
		return;
	if (b->has_weight && b->weight != 0)
		cg__plan_add(p, CG_CTRL_BLKIO, 0, wfile, "%u", b->weight);
	if (b->has_leaf_weight && b->leaf_weight != 0)
		cg__plan_add(p, CG_CTRL_BLKIO, 0, "blkio.leaf_weight", "%u", b->leaf_weight);
	for (size_t i = 0; i < b->n_weight_device; i++) {
		const struct cg_weight_device *d = &b->weight_device[i];
		if (d->has_weight && d->weight != 0)
			cg__plan_add(p, CG_CTRL_BLKIO, 0, wdfile, "%" PRId64 ":%" PRId64 " %u",
				     d->major, d->minor, d->weight);
		if (d->has_leaf_weight && d->leaf_weight != 0)
			cg__plan_add(p, CG_CTRL_BLKIO, 0, "blkio.leaf_weight_device",
				     "%" PRId64 ":%" PRId64 " %u", d->major, d->minor,
				     d->leaf_weight);
	}
	plan_throttle(p, "blkio.throttle.read_bps_device", b->read_bps, b->n_read_bps);
	plan_throttle(p, "blkio.throttle.write_bps_device", b->write_bps, b->n_write_bps);
	plan_throttle(p, "blkio.throttle.read_iops_device", b->read_iops, b->n_read_iops);
	plan_throttle(p, "blkio.throttle.write_iops_device", b->write_iops, b->n_write_iops);
}

static int
plan_network(const struct cg_resources *r, struct cg_plan *p, struct err *err)
{
	const struct cg_network *n = &r->network;

	if (!r->has_network)
		return 0;
	if (n->has_class_id)
		cg__plan_add(p, CG_CTRL_NET_CLS, 0, "net_cls.classid", "%" PRIu32, n->class_id);
	for (size_t i = 0; i < n->n_priorities; i++) {
		const char *name = n->priorities[i].name;
		if (name == NULL || name[0] == '\0' || strpbrk(name, " \t\n/"))
			return err_set(err, EINVAL, "network.priorities[%zu]: bad interface \"%s\"",
				       i, name ? name : "");
		cg__plan_add(p, CG_CTRL_NET_PRIO, 0, "net_prio.ifpriomap", "%s %" PRIu32, name,
			     n->priorities[i].priority);
	}
	return 0;
}

static int
plan_devices(const struct cg_resources *r, struct cg_plan *p, struct err *err)
{
	for (size_t i = 0; i < r->n_devices; i++) {
		const struct cg_device_rule *d = &r->devices[i];
		char rule[64];

		if (d->type != 'a' && d->type != 'b' && d->type != 'c')
			return err_set(err, EINVAL, "devices[%zu]: bad type '%c'", i,
				       d->type ? d->type : '?');
		if (strspn(d->access, "rwm") != strlen(d->access))
			return err_set(err, EINVAL, "devices[%zu]: bad access \"%s\"", i, d->access);
		cg__device_rule_str(d, rule, sizeof(rule));
		cg__plan_add(p, CG_CTRL_DEVICES, 0, d->allow ? "devices.allow" : "devices.deny",
			     "%s", rule);
	}
	return 0;
}

int
cg__plan_v1(const struct cg_resources *r, const struct cg_facts *f, struct cg_plan *p,
	    struct err *err)
{
	if (r->n_unified > 0)
		return err_set(err, EINVAL,
			       "linux.resources.unified (\"%s\") needs cgroup v2; this host has v1",
			       r->unified[0].key ? r->unified[0].key : "");
	if (plan_devices(r, p, err) < 0)
		return -1;
	if (plan_memory(r, f, p, err) < 0)
		return -1;
	cg__plan_cpuset(r, p);
	plan_cpu(r, p);
	cg__plan_pids(r, p);
	plan_blkio(r, f, p);
	if (cg__plan_hugetlb(r, false, p, err) < 0)
		return -1;
	if (plan_network(r, p, err) < 0)
		return -1;
	return cg__plan_rdma(r, p, err);
}
