/* spec_resources: linux.resources (and the LinuxResources object alone, as `runc update
 * --resources` and containerd's Update send it) -> struct cg_resources. */
#include "spec.h"

#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/xalloc.h"
#include "spec_internal.h"

static int
device_rule_parse(struct spec_ctx *ctx, yajl_val v, void *elem, void *arg)
{
	struct cg_device_rule *d = elem;
	cleanup_free char *type = NULL;
	cleanup_free char *access = NULL;

	(void)arg;
	d->major = -1;
	d->minor = -1;
	if (rt__spec_bool(ctx, v, "allow", SPEC_REQUIRED, &d->allow, NULL) < 0 ||
	    rt__spec_str(ctx, v, "type", SPEC_OPTIONAL, &type) < 0 ||
	    rt__spec_i64(ctx, v, "major", SPEC_OPTIONAL, INT64_MIN, INT64_MAX, &d->major, NULL) <
	        0 ||
	    rt__spec_i64(ctx, v, "minor", SPEC_OPTIONAL, INT64_MIN, INT64_MAX, &d->minor, NULL) <
	        0 ||
	    rt__spec_str(ctx, v, "access", SPEC_OPTIONAL, &access) < 0)
		return -1;
	if (type == NULL || type[0] == '\0')
		d->type = 'a';
	else if (strlen(type) == 1 && strchr("abc", type[0]) != NULL)
		d->type = type[0];
	else
		return rt__spec_fail_at(ctx, "type",
		                        "unknown device type \"%.64s\" (expected a, b or c)", type);
	if (access != NULL) {
		size_t n = strlen(access);
		bool bad = n > 3;
		for (size_t i = 0; i < n && !bad; i++)
			bad = strchr("rwm", access[i]) == NULL ||
			      memchr(access, access[i], i) != NULL;
		if (bad)
			return rt__spec_fail_at(
			    ctx, "access", "invalid access \"%.64s\" (expected letters of rwm)",
			    access);
		memcpy(d->access, access, n + 1);
	}
	return 0;
}

static int
memory_parse(struct spec_ctx *ctx, yajl_val v, struct cg_memory *m)
{
	if (rt__spec_i64(ctx, v, "limit", 0, INT64_MIN, INT64_MAX, &m->limit, &m->has_limit) < 0 ||
	    rt__spec_i64(ctx, v, "reservation", 0, INT64_MIN, INT64_MAX, &m->reservation,
	                 &m->has_reservation) < 0 ||
	    rt__spec_i64(ctx, v, "swap", 0, INT64_MIN, INT64_MAX, &m->swap, &m->has_swap) < 0 ||
	    rt__spec_i64(ctx, v, "kernel", 0, INT64_MIN, INT64_MAX, &m->kernel, &m->has_kernel) <
	        0 ||
	    rt__spec_i64(ctx, v, "kernelTCP", 0, INT64_MIN, INT64_MAX, &m->kernel_tcp,
	                 &m->has_kernel_tcp) < 0 ||
	    rt__spec_u64(ctx, v, "swappiness", 0, UINT64_MAX, &m->swappiness, &m->has_swappiness) <
	        0 ||
	    rt__spec_bool(ctx, v, "disableOOMKiller", 0, &m->disable_oom_killer,
	                  &m->has_disable_oom_killer) < 0 ||
	    rt__spec_bool(ctx, v, "useHierarchy", 0, &m->use_hierarchy, &m->has_use_hierarchy) <
	        0 ||
	    rt__spec_bool(ctx, v, "checkBeforeUpdate", 0, &m->check_before_update,
	                  &m->has_check_before_update) < 0)
		return -1;
	return 0;
}

static int
cpu_parse(struct spec_ctx *ctx, yajl_val v, struct cg_cpu *c)
{
	if (rt__spec_u64(ctx, v, "shares", 0, UINT64_MAX, &c->shares, &c->has_shares) < 0 ||
	    rt__spec_i64(ctx, v, "quota", 0, INT64_MIN, INT64_MAX, &c->quota, &c->has_quota) < 0 ||
	    rt__spec_u64(ctx, v, "burst", 0, UINT64_MAX, &c->burst, &c->has_burst) < 0 ||
	    rt__spec_u64(ctx, v, "period", 0, UINT64_MAX, &c->period, &c->has_period) < 0 ||
	    rt__spec_i64(ctx, v, "realtimeRuntime", 0, INT64_MIN, INT64_MAX, &c->rt_runtime,
	                 &c->has_rt_runtime) < 0 ||
	    rt__spec_u64(ctx, v, "realtimePeriod", 0, UINT64_MAX, &c->rt_period,
	                 &c->has_rt_period) < 0 ||
	    rt__spec_str(ctx, v, "cpus", 0, &c->cpus) < 0 ||
	    rt__spec_str(ctx, v, "mems", 0, &c->mems) < 0 ||
	    rt__spec_i64(ctx, v, "idle", 0, INT64_MIN, INT64_MAX, &c->idle, &c->has_idle) < 0)
		return -1;
	return 0;
}

static int
weight_device_parse(struct spec_ctx *ctx, yajl_val v, void *elem, void *arg)
{
	struct cg_weight_device *d = elem;
	uint64_t w = 0, lw = 0;

	(void)arg;
	if (rt__spec_i64(ctx, v, "major", SPEC_REQUIRED, INT64_MIN, INT64_MAX, &d->major, NULL) <
	        0 ||
	    rt__spec_i64(ctx, v, "minor", SPEC_REQUIRED, INT64_MIN, INT64_MAX, &d->minor, NULL) <
	        0 ||
	    rt__spec_u64(ctx, v, "weight", 0, UINT16_MAX, &w, &d->has_weight) < 0 ||
	    rt__spec_u64(ctx, v, "leafWeight", 0, UINT16_MAX, &lw, &d->has_leaf_weight) < 0)
		return -1;
	d->weight = (uint16_t)w;
	d->leaf_weight = (uint16_t)lw;
	return 0;
}

static int
throttle_device_parse(struct spec_ctx *ctx, yajl_val v, void *elem, void *arg)
{
	struct cg_throttle_device *d = elem;

	(void)arg;
	if (rt__spec_i64(ctx, v, "major", SPEC_REQUIRED, INT64_MIN, INT64_MAX, &d->major, NULL) <
	        0 ||
	    rt__spec_i64(ctx, v, "minor", SPEC_REQUIRED, INT64_MIN, INT64_MAX, &d->minor, NULL) <
	        0 ||
	    rt__spec_u64(ctx, v, "rate", SPEC_REQUIRED, UINT64_MAX, &d->rate, NULL) < 0)
		return -1;
	return 0;
}

static int
blkio_parse(struct spec_ctx *ctx, yajl_val v, struct cg_blkio *b)
{
	uint64_t w = 0, lw = 0;
	const size_t sz = sizeof(struct cg_throttle_device);

	if (rt__spec_u64(ctx, v, "weight", 0, UINT16_MAX, &w, &b->has_weight) < 0 ||
	    rt__spec_u64(ctx, v, "leafWeight", 0, UINT16_MAX, &lw, &b->has_leaf_weight) < 0 ||
	    rt__spec_objects(ctx, v, "weightDevice", 0, sizeof(struct cg_weight_device),
	                     weight_device_parse, NULL, &b->weight_device,
	                     &b->n_weight_device) < 0 ||
	    rt__spec_objects(ctx, v, "throttleReadBpsDevice", 0, sz, throttle_device_parse, NULL,
	                     &b->read_bps, &b->n_read_bps) < 0 ||
	    rt__spec_objects(ctx, v, "throttleWriteBpsDevice", 0, sz, throttle_device_parse, NULL,
	                     &b->write_bps, &b->n_write_bps) < 0 ||
	    rt__spec_objects(ctx, v, "throttleReadIOPSDevice", 0, sz, throttle_device_parse, NULL,
	                     &b->read_iops, &b->n_read_iops) < 0 ||
	    rt__spec_objects(ctx, v, "throttleWriteIOPSDevice", 0, sz, throttle_device_parse, NULL,
	                     &b->write_iops, &b->n_write_iops) < 0)
		return -1;
	b->weight = (uint16_t)w;
	b->leaf_weight = (uint16_t)lw;
	return 0;
}

static int
hugepage_parse(struct spec_ctx *ctx, yajl_val v, void *elem, void *arg)
{
	struct cg_hugepage *h = elem;

	(void)arg;
	if (rt__spec_str(ctx, v, "pageSize", SPEC_NONEMPTY, &h->page_size) < 0 ||
	    rt__spec_u64(ctx, v, "limit", SPEC_REQUIRED, UINT64_MAX, &h->limit, NULL) < 0)
		return -1;
	return 0;
}

static int
net_prio_parse(struct spec_ctx *ctx, yajl_val v, void *elem, void *arg)
{
	struct cg_net_prio *p = elem;

	(void)arg;
	if (rt__spec_str(ctx, v, "name", SPEC_NONEMPTY, &p->name) < 0 ||
	    rt__spec_u32(ctx, v, "priority", SPEC_REQUIRED, &p->priority, NULL) < 0)
		return -1;
	return 0;
}

static int
network_parse(struct spec_ctx *ctx, yajl_val v, struct cg_network *n)
{
	if (rt__spec_u32(ctx, v, "classID", 0, &n->class_id, &n->has_class_id) < 0 ||
	    rt__spec_objects(ctx, v, "priorities", 0, sizeof(struct cg_net_prio), net_prio_parse,
	                     NULL, &n->priorities, &n->n_priorities) < 0)
		return -1;
	return 0;
}

static int
rdma_parse(struct spec_ctx *ctx, yajl_val res, struct cg_resources *r)
{
	cleanup_free bool *last = NULL;
	yajl_val map;
	size_t mark;
	int rc = 0;

	if (rt__spec_obj(ctx, res, "rdma", 0, &map) < 0)
		return -1;
	if (map == NULL)
		return 0;
	r->rdma = xcalloc(map->u.object.len, sizeof(*r->rdma));
	mark = rt__spec_push(ctx, "rdma");
	last = rt__spec_last_keys(map);
	for (size_t i = 0; i < map->u.object.len && rc == 0; i++) {
		yajl_val v = map->u.object.values[i];
		struct cg_rdma *d = &r->rdma[r->n_rdma];
		size_t m2;
		if (!last[i] || YAJL_IS_NULL(v))
			continue;
		m2 = rt__spec_push_key(ctx, map->u.object.keys[i]);
		d->device = xstrdup(map->u.object.keys[i]);
		r->n_rdma++;
		if (!YAJL_IS_OBJECT(v))
			rc = rt__spec_fail(ctx, "expected an object");
		else if (rt__spec_u32(ctx, v, "hcaHandles", 0, &d->hca_handles,
		                      &d->has_hca_handles) < 0 ||
		         rt__spec_u32(ctx, v, "hcaObjects", 0, &d->hca_objects,
		                      &d->has_hca_objects) < 0)
			rc = -1;
		rt__spec_pop(ctx, m2);
	}
	rt__spec_pop(ctx, mark);
	return rc;
}

static int
unified_parse(struct spec_ctx *ctx, yajl_val res, struct cg_resources *r)
{
	struct rt_kv *kv = NULL;
	size_t n = 0;

	if (rt__spec_kv(ctx, res, "unified", &kv, &n) < 0)
		return -1;
	if (kv == NULL)
		return 0;
	r->unified = xcalloc(n, sizeof(*r->unified));
	for (size_t i = 0; i < n; i++) {
		r->unified[i].key = kv[i].key;
		r->unified[i].value = kv[i].value;
	}
	r->n_unified = n;
	free(kv);
	return 0;
}

/* obj.field as an object parsed by fn into out; *has tells whether it was there. */
static int
section_parse(struct spec_ctx *ctx, yajl_val res, const char *field, bool *has,
              int (*fn)(struct spec_ctx *, yajl_val, void *), void *out)
{
	yajl_val v;
	size_t mark;
	int rc;

	if (rt__spec_obj(ctx, res, field, 0, &v) < 0)
		return -1;
	*has = (v != NULL);
	if (v == NULL)
		return 0;
	mark = rt__spec_push(ctx, field);
	rc = fn(ctx, v, out);
	rt__spec_pop(ctx, mark);
	return rc;
}

static int
memory_section(struct spec_ctx *ctx, yajl_val v, void *out)
{
	return memory_parse(ctx, v, out);
}

static int
cpu_section(struct spec_ctx *ctx, yajl_val v, void *out)
{
	return cpu_parse(ctx, v, out);
}

static int
pids_section(struct spec_ctx *ctx, yajl_val v, void *out)
{
	struct cg_pids *p = out;

	return rt__spec_i64(ctx, v, "limit", 0, INT64_MIN, INT64_MAX, &p->limit, &p->has_limit);
}

static int
blkio_section(struct spec_ctx *ctx, yajl_val v, void *out)
{
	return blkio_parse(ctx, v, out);
}

static int
network_section(struct spec_ctx *ctx, yajl_val v, void *out)
{
	return network_parse(ctx, v, out);
}

int
rt__spec_parse_resources(struct spec_ctx *ctx, yajl_val v, struct cg_resources *r)
{
	if (rt__spec_objects(ctx, v, "devices", 0, sizeof(struct cg_device_rule), device_rule_parse,
	                     NULL, &r->devices, &r->n_devices) < 0 ||
	    section_parse(ctx, v, "memory", &r->has_memory, memory_section, &r->memory) < 0 ||
	    section_parse(ctx, v, "cpu", &r->has_cpu, cpu_section, &r->cpu) < 0 ||
	    section_parse(ctx, v, "pids", &r->has_pids, pids_section, &r->pids) < 0 ||
	    section_parse(ctx, v, "blockIO", &r->has_blkio, blkio_section, &r->blkio) < 0 ||
	    rt__spec_objects(ctx, v, "hugepageLimits", 0, sizeof(struct cg_hugepage),
	                     hugepage_parse, NULL, &r->hugepages, &r->n_hugepages) < 0 ||
	    section_parse(ctx, v, "network", &r->has_network, network_section, &r->network) < 0 ||
	    rdma_parse(ctx, v, r) < 0 || unified_parse(ctx, v, r) < 0)
		return -1;
	return 0;
}

int
rt_resources_parse(const char *json, size_t len, struct cg_resources *out, struct err *err)
{
	cleanup_yajl yajl_val tree = NULL;
	struct spec_ctx ctx;
	struct cg_resources r;

	memset(&r, 0, sizeof(r));
	rt__spec_ctx_init(&ctx, "resources", err);
	if (rt__spec_tree_parse(&ctx, json, len, &tree) < 0)
		return -1;
	if (rt__spec_parse_resources(&ctx, tree, &r) < 0) {
		cg_resources_fini(&r);
		return -1;
	}
	*out = r;
	return 0;
}
