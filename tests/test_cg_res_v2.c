/* cgroup v2 plans and the v1-to-v2 conversions: shares -> cpu.weight, blkio weight -> io.weight,
 * memory+swap -> swap; unified keys; what v2 ignores and what it refuses. */
#include "test_cg_plan.h"

static const struct cg_facts swap = {.has_swap = true};
static const struct cg_facts noswap = {0};

static char *
plan_v2(const struct cg_resources *r, const struct cg_facts *f)
{
	struct cg_plan p = {0};
	struct err err = {0};
	char *s;

	if (cg__plan_v2(r, f, &p, &err) < 0)
		fail_msg("plan: %s", err.msg);
	s = tcg_plan_str(&p);
	cg__plan_fini(&p);
	return s;
}

#define assert_v2(r, f, want)                                                                      \
	do {                                                                                       \
		char *got_ = plan_v2((r), (f));                                                    \
		if (strcmp(got_, (want)) != 0)                                                     \
			fail_msg("plan:\n%s--- want:\n%s", got_, (want));                          \
		free(got_);                                                                        \
	} while (0)

static int
plan_err(const struct cg_resources *r, const struct cg_facts *f, struct err *err)
{
	struct cg_plan p = {0};
	int rc = cg__plan_v2(r, f, &p, err);

	cg__plan_fini(&p);
	return rc;
}

static void
shares_to_weight(void **state)
{
	static const struct {
		uint64_t shares, weight;
	} t[] = {
		{0, 0},	    {1, 1},	  {2, 1},	{3, 2},		  {10, 4},
		{100, 17},  {512, 59},	  {1024, 100},	{2048, 174},	  {4096, 303},
		{50000, 2402}, {200416, 7914}, {262143, 10000}, {262144, 10000}, {1000000, 10000},
	};
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(t); i++)
		if (cg__shares_to_weight(t[i].shares) != t[i].weight)
			fail_msg("shares %llu: weight %llu, want %llu",
				 (unsigned long long)t[i].shares,
				 (unsigned long long)cg__shares_to_weight(t[i].shares),
				 (unsigned long long)t[i].weight);
	/* Monotonic over the whole range. */
	for (uint64_t s = 3, prev = 1; s < 262144; s += 7) {
		uint64_t w = cg__shares_to_weight(s);
		assert_true(w >= prev && w >= 1 && w <= 10000);
		prev = w;
	}
}

static void
blkio_weight_to_io(void **state)
{
	(void)state;
	assert_int_equal(cg__blkio_weight_to_io(0), 0);
	assert_int_equal(cg__blkio_weight_to_io(5), 1); /* below blkio's minimum: clamped */
	assert_int_equal(cg__blkio_weight_to_io(10), 1);
	assert_int_equal(cg__blkio_weight_to_io(100), 910);
	assert_int_equal(cg__blkio_weight_to_io(400), 3940);
	assert_int_equal(cg__blkio_weight_to_io(500), 4950);
	assert_int_equal(cg__blkio_weight_to_io(1000), 10000);
}

static void
swap_conversion(void **state)
{
	struct err err = {0};
	int64_t out = 42;
	(void)state;

	assert_int_equal(cg__swap_to_v2(0, -1, &out, &err), 0);
	assert_int_equal(out, -1); /* unlimited memory, swap unset: unlimited swap */
	assert_int_equal(cg__swap_to_v2(0, 100, &out, &err), 0);
	assert_int_equal(out, 0); /* unset */
	assert_int_equal(cg__swap_to_v2(-1, 100, &out, &err), 0);
	assert_int_equal(out, -1);
	assert_int_equal(cg__swap_to_v2(300, 100, &out, &err), 0);
	assert_int_equal(out, 200);
	assert_int_equal(cg__swap_to_v2(100, 100, &out, &err), 0);
	assert_int_equal(out, 0);
	assert_int_equal(cg__swap_to_v2(50, 100, &out, &err), -1);
	assert_int_equal(err.code, EINVAL);
	assert_non_null(strstr(err.msg, "below memory.limit"));
	assert_int_equal(cg__swap_to_v2(200, 0, &out, &err), -1);
	assert_non_null(strstr(err.msg, "needs a memory limit"));
	assert_int_equal(cg__swap_to_v2(200, -1, &out, &err), -1);
	assert_int_equal(cg__swap_to_v2(-5, 100, &out, &err), -1);
	assert_int_equal(cg__swap_to_v2(200, -7, &out, &err), -1);
}

static void
memory_v2(void **state)
{
	struct cg_resources r = {.has_memory = true};
	struct err err = {0};
	(void)state;

	r.memory.has_limit = true, r.memory.limit = 64 << 20;
	r.memory.has_swap = true, r.memory.swap = 128 << 20;
	r.memory.has_reservation = true, r.memory.reservation = 32 << 20;
	/* v1-only knobs: no v2 file, nothing written (runc) */
	r.memory.has_kernel = true, r.memory.kernel = 1 << 20;
	r.memory.has_kernel_tcp = true, r.memory.kernel_tcp = 1 << 20;
	r.memory.has_swappiness = true, r.memory.swappiness = 10;
	r.memory.has_disable_oom_killer = r.memory.disable_oom_killer = true;
	r.memory.has_use_hierarchy = r.memory.use_hierarchy = true;
	assert_v2(&r, &swap,
		  "memory memory.swap.max=67108864\n"
		  "memory memory.max=67108864\n"
		  "memory memory.low=33554432\n");
	/* memory == memory+swap: no swap at all; optional without swap accounting. */
	r.memory.swap = 64 << 20;
	r.memory.has_reservation = false;
	assert_v2(&r, &noswap,
		  "memory memory.swap.max=0 O\n"
		  "memory memory.max=67108864\n");
	/* unlimited memory, swap unset: both max */
	r.memory.limit = -1, r.memory.has_swap = false;
	assert_v2(&r, &swap,
		  "memory memory.swap.max=max O\n"
		  "memory memory.max=max\n");
	r.memory.has_reservation = true, r.memory.reservation = -1;
	r.memory.has_limit = false;
	assert_v2(&r, &swap, "memory memory.low=max\n");
	/* a real swap limit without swap accounting */
	r.memory.has_limit = r.memory.has_swap = true, r.memory.has_reservation = false;
	r.memory.limit = 1 << 20, r.memory.swap = 2 << 20;
	assert_int_equal(plan_err(&r, &noswap, &err), -1);
	assert_int_equal(err.code, ENOTSUP);
	assert_non_null(strstr(err.msg, "memory.swap.max is missing"));
	/* swap below memory */
	r.memory.swap = 1 << 19;
	assert_int_equal(plan_err(&r, &swap, &err), -1);
	assert_int_equal(err.code, EINVAL);
}

static void
cpu_v2(void **state)
{
	struct cg_resources r = {.has_cpu = true};
	struct err err = {0};
	(void)state;

	r.cpu.has_shares = true, r.cpu.shares = 1024;
	r.cpu.has_quota = true, r.cpu.quota = 50000;
	r.cpu.has_period = true, r.cpu.period = 100000;
	r.cpu.has_burst = true, r.cpu.burst = 10000;
	r.cpu.has_idle = true, r.cpu.idle = 0;
	r.cpu.cpus = xstrdup("1");
	r.cpu.mems = xstrdup("0-1");
	assert_v2(&r, &swap,
		  "cpuset cpuset.cpus=1\n"
		  "cpuset cpuset.mems=0-1\n"
		  "cpu cpu.idle=0\n"
		  "cpu cpu.weight=100\n"
		  "cpu cpu.max.burst=10000 D\n"
		  "cpu cpu.max=50000 100000\n");
	cg_resources_fini(&r);
	r.has_cpu = true;
	r.cpu.has_quota = true, r.cpu.quota = 25000; /* period kept by the kernel */
	assert_v2(&r, &swap, "cpu cpu.max=25000\n");
	r.cpu.quota = -1;
	assert_v2(&r, &swap, "cpu cpu.max=max\n");
	r.cpu.has_quota = false;
	r.cpu.has_period = true, r.cpu.period = 20000;
	assert_v2(&r, &swap, "cpu cpu.max=max 20000\n");
	r.cpu.has_shares = true, r.cpu.shares = 2, r.cpu.has_period = false;
	assert_v2(&r, &swap, "cpu cpu.weight=1\n");
	/* realtime: no v2 equivalent, refused rather than silently dropped */
	r.cpu.has_rt_runtime = true, r.cpu.rt_runtime = 1000;
	assert_int_equal(plan_err(&r, &swap, &err), -1);
	assert_int_equal(err.code, EINVAL);
	assert_non_null(strstr(err.msg, "realtime"));
	r.cpu.rt_runtime = 0, r.cpu.has_rt_period = true, r.cpu.rt_period = 0;
	assert_v2(&r, &swap, "cpu cpu.weight=1\n");
}

static void
io_v2(void **state)
{
	struct cg_weight_device wd[] = {
		{.major = 8, .minor = 0, .has_weight = true, .weight = 400,
		 .has_leaf_weight = true, .leaf_weight = 100},
		{.major = 8, .minor = 16, .has_leaf_weight = true, .leaf_weight = 100},
	};
	struct cg_throttle_device rb[] = {{8, 0, 1048576}}, wb[] = {{8, 0, 2048}};
	struct cg_throttle_device ri[] = {{8, 0, 100}}, wi[] = {{259, 1, 50}};
	struct cg_resources r = {.has_blkio = true};
	struct cg_facts bfq = {.blkio_bfq = true, .bfq_per_device = true};
	struct cg_facts old_bfq = {.blkio_bfq = true};
	(void)state;

	r.blkio.has_weight = true, r.blkio.weight = 500;
	r.blkio.has_leaf_weight = true, r.blkio.leaf_weight = 100; /* ignored on v2 */
	r.blkio.weight_device = wd, r.blkio.n_weight_device = 2;
	r.blkio.read_bps = rb, r.blkio.n_read_bps = 1;
	r.blkio.write_bps = wb, r.blkio.n_write_bps = 1;
	r.blkio.read_iops = ri, r.blkio.n_read_iops = 1;
	r.blkio.write_iops = wi, r.blkio.n_write_iops = 1;
	assert_v2(&r, &swap,
		  "blkio io.weight=4950\n"
		  "blkio io.weight=8:0 3940\n"
		  "blkio io.max=8:0 rbps=1048576\n"
		  "blkio io.max=8:0 wbps=2048\n"
		  "blkio io.max=8:0 riops=100\n"
		  "blkio io.max=259:1 wiops=50\n");
	/* rate 0: no limit (v1 semantics), "max" on v2 */
	wi[0].rate = 0;
	r.blkio.n_weight_device = 0, r.blkio.has_weight = false;
	r.blkio.n_read_bps = r.blkio.n_write_bps = r.blkio.n_read_iops = 0;
	assert_v2(&r, &swap, "blkio io.max=259:1 wiops=max\n");
	r.blkio.has_weight = true, r.blkio.n_weight_device = 2;
	r.blkio.n_read_bps = r.blkio.n_write_bps = r.blkio.n_read_iops = 0;
	r.blkio.n_write_iops = 0;
	assert_v2(&r, &bfq,
		  "blkio io.bfq.weight=500\n"
		  "blkio io.bfq.weight=8:0 400\n");
	assert_v2(&r, &old_bfq,
		  "blkio io.bfq.weight=500\n"
		  "blkio io.weight=8:0 3940\n");
}

static void
hugetlb_rdma_network_v2(void **state)
{
	struct cg_hugepage hp = {.page_size = (char *)"1GB", .limit = 2ull << 30};
	struct cg_rdma rd = {.device = (char *)"mlx4_0", .has_hca_objects = true, .hca_objects = 9};
	struct cg_net_prio prio = {(char *)"eth0", 1};
	struct cg_resources r = {.hugepages = &hp, .n_hugepages = 1, .rdma = &rd, .n_rdma = 1};
	(void)state;

	r.has_network = true;
	r.network.has_class_id = true, r.network.class_id = 7; /* no v2 net_cls: ignored */
	r.network.priorities = &prio, r.network.n_priorities = 1;
	assert_v2(&r, &swap,
		  "hugetlb hugetlb.1GB.max=2147483648\n"
		  "hugetlb hugetlb.1GB.rsvd.max=2147483648 O\n"
		  "rdma rdma.max=mlx4_0 hca_object=9\n");
}

static void
pids_v2(void **state)
{
	struct cg_resources r = {.has_pids = true};
	(void)state;

	r.pids.has_limit = true, r.pids.limit = 100;
	assert_v2(&r, &swap, "pids pids.max=100\n");
	r.pids.limit = -1;
	assert_v2(&r, &swap, "pids pids.max=max\n");
}

static void
unified_keys(void **state)
{
	struct cg_kv kv[] = {
		{(char *)"memory.high", (char *)"1073741824"},
		{(char *)"cpu.max", (char *)"max 100000"},
		{(char *)"cgroup.freeze", (char *)"0"},
	};
	struct cg_resources r = {.unified = kv, .n_unified = 3, .has_pids = true};
	struct err err = {0};
	static const char *const bad_keys[] = {"../memory.max", "memory/max", "nodot", ".hidden",
					       "cgroup.procs", "cgroup.subtree_control", ""};
	(void)state;

	r.pids.has_limit = true, r.pids.limit = 5;
	/* unified last: its values win over the typed fields */
	assert_v2(&r, &swap,
		  "pids pids.max=5\n"
		  "unified memory.high=1073741824\n"
		  "unified cpu.max=max 100000\n"
		  "unified cgroup.freeze=0\n");
	for (size_t i = 0; i < ARRAY_SIZE(bad_keys); i++) {
		kv[1].key = (char *)bad_keys[i];
		assert_int_equal(plan_err(&r, &swap, &err), -1);
		assert_int_equal(err.code, EINVAL);
	}
	kv[1].key = (char *)"cpu.max";
	kv[1].value = (char *)"1\n2";
	assert_int_equal(plan_err(&r, &swap, &err), -1);
	assert_non_null(strstr(err.msg, "unified.cpu.max: bad value"));
	kv[1].value = NULL;
	assert_int_equal(plan_err(&r, &swap, &err), -1);
}

static void
device_rule_strings(void **state)
{
	struct cg_device_rule d = {.type = 'c', .major = 136, .minor = -1, .access = "rw"};
	char buf[64];
	(void)state;

	cg__device_rule_str(&d, buf, sizeof(buf));
	assert_string_equal(buf, "c 136:* rw");
	d.type = 'a', d.major = -1, d.access[0] = '\0';
	cg__device_rule_str(&d, buf, sizeof(buf));
	assert_string_equal(buf, "a *:* rwm");
	d.type = 'b', d.major = 8, d.minor = 0;
	cg__device_rule_str(&d, buf, sizeof(buf));
	assert_string_equal(buf, "b 8:0 rwm");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(shares_to_weight),
		cmocka_unit_test(blkio_weight_to_io),
		cmocka_unit_test(swap_conversion),
		cmocka_unit_test(memory_v2),
		cmocka_unit_test(cpu_v2),
		cmocka_unit_test(io_v2),
		cmocka_unit_test(hugetlb_rdma_network_v2),
		cmocka_unit_test(pids_v2),
		cmocka_unit_test(unified_keys),
		cmocka_unit_test(device_rule_strings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
