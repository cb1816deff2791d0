/* cg_res_v2: linux.resources -> cgroup v2 file writes, with the v1-to-v2 conversions runc and
 * crun use (shares -> cpu.weight, blkio weight -> io.weight, memory+swap -> swap). Device rules
 * are not file writes on v2: see cg_devices_v2.c. */
#include "cg_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static void
num_or_max(char *buf, size_t len, int64_t v)
{
	if (v < 0)
		snprintf(buf, len, "max");
	else
		snprintf(buf, len, "%" PRId64, v);
}

static int
plan_memory(const struct cg_resources *r, const struct cg_facts *f, struct cg_plan *p,
	    struct err *err)
{
	const struct cg_memory *m = &r->memory;
	int64_t limit = m->has_limit ? m->limit : 0, swap = m->has_swap ? m->swap : 0, sw2;
	char buf[32];

	if (!r->has_memory)
		return 0;
	if (cg__swap_to_v2(swap, limit, &sw2, err) < 0)
		return -1;
	if (sw2 != 0 || (swap > 0 && swap == limit)) {
		/* swap == limit: no swap at all ("0"). Without swap accounting, "max" and "0" are
		 * what the kernel has anyway: skipped; a real swap limit is an error. */
		num_or_max(buf, sizeof(buf), sw2);
		cg__plan_add(p, CG_CTRL_MEMORY, sw2 <= 0 ? CG_W_OPTIONAL : 0, "memory.swap.max", "%s",
			     buf);
		if (!f->has_swap && sw2 > 0)
			return err_set(err, ENOTSUP,
				       "memory.swap: swap limit needs swap accounting "
				       "(memory.swap.max is missing)");
	}
	if (limit != 0) {
		num_or_max(buf, sizeof(buf), limit);
		cg__plan_add(p, CG_CTRL_MEMORY, 0, "memory.max", "%s", buf);
	}
	if (m->has_reservation && m->reservation != 0) {
		num_or_max(buf, sizeof(buf), m->reservation);
		cg__plan_add(p, CG_CTRL_MEMORY, 0, "memory.low", "%s", buf);
	}
	/* kernel, kernelTCP, swappiness, disableOOMKiller, useHierarchy: no v2 equivalent;
	 * ignored, as runc does. */
	return 0;
}

static int
plan_cpu(const struct cg_resources *r, struct cg_plan *p, struct err *err)
{
	const struct cg_cpu *c = &r->cpu;
	bool quota = c->has_quota && c->quota != 0, period = c->has_period && c->period != 0;

	if (!r->has_cpu)
		return 0;
	if ((c->has_rt_runtime && c->rt_runtime != 0) || (c->has_rt_period && c->rt_period != 0))
		return err_set(err, EINVAL,
			       "cpu.realtimeRuntime/realtimePeriod need cgroup v1 (no v2 rt control)");
	if (c->has_idle)
		cg__plan_add(p, CG_CTRL_CPU, 0, "cpu.idle", "%" PRId64, c->idle);
	if (c->has_shares && c->shares != 0)
		cg__plan_add(p, CG_CTRL_CPU, 0, "cpu.weight", "%" PRIu64,
			     cg__shares_to_weight(c->shares));
	/* The burst must fit the quota: retried after cpu.max when the kernel says EINVAL. */
	if (c->has_burst)
		cg__plan_add(p, CG_CTRL_CPU, CG_W_DEFER_EINVAL, "cpu.max.burst", "%" PRIu64,
			     c->burst);
	if (quota || period) {
		char q[32] = "max";
		if (c->has_quota && c->quota > 0)
			snprintf(q, sizeof(q), "%" PRId64, c->quota);
		if (period)
			cg__plan_add(p, CG_CTRL_CPU, 0, "cpu.max", "%s %" PRIu64, q, c->period);
		else
			cg__plan_add(p, CG_CTRL_CPU, 0, "cpu.max", "%s", q);
	}
	return 0;
}

/* A rate of 0 removes the limit, as writing 0 does on v1; io.max says "max" (0 is ERANGE). */
static void
plan_io_max(struct cg_plan *p, const char *key, const struct cg_throttle_device *d, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (d[i].rate == 0)
			cg__plan_add(p, CG_CTRL_BLKIO, 0, "io.max", "%" PRId64 ":%" PRId64 " %s=max",
				     d[i].major, d[i].minor, key);
		else
			cg__plan_add(p, CG_CTRL_BLKIO, 0, "io.max",
				     "%" PRId64 ":%" PRId64 " %s=%" PRIu64, d[i].major, d[i].minor,
				     key, d[i].rate);
	}
}

static void
plan_io(const struct cg_resources *r, const struct cg_facts *f, struct cg_plan *p)
{
	const struct cg_blkio *b = &r->blkio;

	if (!r->has_blkio)
		return;
	/* BFQ takes blkio's [1, 1000] weights as they are; io.weight needs the conversion. */
	if (b->has_weight && b->weight != 0) {
		if (f->blkio_bfq)
			cg__plan_add(p, CG_CTRL_BLKIO, 0, "io.bfq.weight", "%u", b->weight);
		else
			cg__plan_add(p, CG_CTRL_BLKIO, 0, "io.weight", "%" PRIu64,
				     cg__blkio_weight_to_io(b->weight));
	}
	for (size_t i = 0; i < b->n_weight_device; i++) {
		const struct cg_weight_device *d = &b->weight_device[i];
		if (!d->has_weight || d->weight == 0)
			continue; /* leafWeight: no v2 equivalent */
		if (f->blkio_bfq && f->bfq_per_device)
			cg__plan_add(p, CG_CTRL_BLKIO, 0, "io.bfq.weight",
				     "%" PRId64 ":%" PRId64 " %u", d->major, d->minor, d->weight);
		else
			cg__plan_add(p, CG_CTRL_BLKIO, 0, "io.weight",
				     "%" PRId64 ":%" PRId64 " %" PRIu64, d->major, d->minor,
				     cg__blkio_weight_to_io(d->weight));
	}
	plan_io_max(p, "rbps", b->read_bps, b->n_read_bps);
	plan_io_max(p, "wbps", b->write_bps, b->n_write_bps);
	plan_io_max(p, "riops", b->read_iops, b->n_read_iops);
	plan_io_max(p, "wiops", b->write_iops, b->n_write_iops);
}

/* unified: "<controller>.<knob>" files of this cgroup, written last so they win. */
static int
plan_unified(const struct cg_resources *r, struct cg_plan *p, struct err *err)
{
	for (size_t i = 0; i < r->n_unified; i++) {
		const char *k = r->unified[i].key, *v = r->unified[i].value;

		if (k == NULL || k[0] == '\0' || strchr(k, '/') || k[0] == '.' ||
		    strchr(k, '.') == NULL)
			return err_set(err, EINVAL, "unified: bad key \"%s\"", k ? k : "");
		if (v == NULL || strchr(v, '\n'))
			return err_set(err, EINVAL, "unified.%s: bad value", k);
		if (strncmp(k, "cgroup.", 7) == 0 && strcmp(k, "cgroup.freeze") != 0 &&
		    strcmp(k, "cgroup.max.depth") != 0 && strcmp(k, "cgroup.max.descendants") != 0)
			return err_set(err, EINVAL, "unified.%s: not a resource knob", k);
		cg__plan_add(p, CG_CTRL_COUNT, 0, k, "%s", v);
	}
	return 0;
}

int
cg__plan_v2(const struct cg_resources *r, const struct cg_facts *f, struct cg_plan *p,
	    struct err *err)
{
	if (plan_memory(r, f, p, err) < 0)
		return -1;
	cg__plan_cpuset(r, p);
	if (plan_cpu(r, p, err) < 0)
		return -1;
	cg__plan_pids(r, p);
	plan_io(r, f, p);
	if (cg__plan_hugetlb(r, true, p, err) < 0)
		return -1;
	if (cg__plan_rdma(r, p, err) < 0)
		return -1;
	/* network (net_cls / net_prio): no v2 controller; ignored as runc does. */
	return plan_unified(r, p, err);
}
