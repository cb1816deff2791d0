/* cgroup v1 plans: every linux.resources field -> the exact file writes, in order, with flags;
 * and the values refused before anything is written. */
#include "test_cg_plan.h"

static const struct cg_facts memsw = {.has_memsw = true};
static const struct cg_facts none = {0};

static char *
plan_v1(const struct cg_resources *r, const struct cg_facts *f)
{
	struct cg_plan p = {0};
	struct err err = {0};
	char *s;

	if (cg__plan_v1(r, f, &p, &err) < 0)
		fail_msg("plan: %s", err.msg);
	s = tcg_plan_str(&p);
	cg__plan_fini(&p);
	return s;
}

#define assert_v1(r, f, want)                                                                      \
	do {                                                                                       \
		char *got_ = plan_v1((r), (f));                                                    \
		if (strcmp(got_, (want)) != 0)                                                     \
			fail_msg("plan:\n%s--- want:\n%s", got_, (want));                          \
		free(got_);                                                                        \
	} while (0)

static int
plan_err(const struct cg_resources *r, struct err *err)
{
	struct cg_plan p = {0};
	int rc = cg__plan_v1(r, &memsw, &p, err);

	cg__plan_fini(&p);
	return rc;
}

static void
memory_every_field(void **state)
{
	struct cg_resources r = {.has_memory = true};
	(void)state;

	r.memory.has_limit = true, r.memory.limit = 64 << 20;
	r.memory.has_swap = true, r.memory.swap = 128 << 20;
	r.memory.has_kernel = true, r.memory.kernel = 32 << 20;
	r.memory.has_kernel_tcp = true, r.memory.kernel_tcp = 16 << 20;
	r.memory.has_reservation = true, r.memory.reservation = 48 << 20;
	r.memory.has_swappiness = true, r.memory.swappiness = 60;
	r.memory.has_disable_oom_killer = r.memory.disable_oom_killer = true;
	r.memory.has_use_hierarchy = r.memory.use_hierarchy = true;
	assert_v1(&r, &memsw,
		  "memory memory.limit_in_bytes=67108864 D\n"
		  "memory memory.memsw.limit_in_bytes=134217728 D\n"
		  "memory memory.kmem.limit_in_bytes=33554432 O\n"
		  "memory memory.kmem.tcp.limit_in_bytes=16777216 O\n"
		  "memory memory.soft_limit_in_bytes=50331648\n"
		  "memory memory.swappiness=60\n"
		  "memory memory.oom_control=1\n"
		  "memory memory.use_hierarchy=1 B\n");
}

static void
memory_unlimited_and_unset(void **state)
{
	struct cg_resources r = {.has_memory = true};
	(void)state;

	/* -1 without swap: both unlimited, where swap accounting exists (runc). */
	r.memory.has_limit = true, r.memory.limit = -1;
	assert_v1(&r, &memsw,
		  "memory memory.limit_in_bytes=-1 D\n"
		  "memory memory.memsw.limit_in_bytes=-1 D\n");
	assert_v1(&r, &none, "memory memory.limit_in_bytes=-1 D\n");
	/* Explicit -1 swap with a limit. */
	r.memory.limit = 1 << 20;
	r.memory.has_swap = true, r.memory.swap = -1;
	assert_v1(&r, &none,
		  "memory memory.limit_in_bytes=1048576 D\n"
		  "memory memory.memsw.limit_in_bytes=-1 D\n");
	/* 0 means unset for limit, swap, reservation, kernel (runc); false flags are written. */
	memset(&r.memory, 0, sizeof(r.memory));
	r.memory.has_limit = r.memory.has_swap = r.memory.has_reservation = true;
	r.memory.has_kernel = r.memory.has_kernel_tcp = true;
	r.memory.has_disable_oom_killer = r.memory.has_use_hierarchy = true;
	assert_v1(&r, &memsw,
		  "memory memory.oom_control=0\n"
		  "memory memory.use_hierarchy=0 B\n");
	/* has_memory false: nothing at all. */
	r.has_memory = false;
	assert_v1(&r, &memsw, "");
}

static void
memory_bad_swappiness(void **state)
{
	struct cg_resources r = {.has_memory = true};
	struct err err = {0};
	(void)state;

	r.memory.has_swappiness = true, r.memory.swappiness = 101;
	assert_int_equal(plan_err(&r, &err), -1);
	assert_int_equal(err.code, EINVAL);
	assert_non_null(strstr(err.msg, "swappiness 101"));
	r.memory.swappiness = UINT64_MAX; /* -1: unset (runc) */
	assert_v1(&r, &memsw, "");
	r.memory.swappiness = 0;
	assert_v1(&r, &memsw, "memory memory.swappiness=0\n");
}

static void
cpu_every_field(void **state)
{
	struct cg_resources r = {.has_cpu = true};
	(void)state;

	r.cpu.has_shares = true, r.cpu.shares = 512;
	r.cpu.has_period = true, r.cpu.period = 100000;
	r.cpu.has_burst = true, r.cpu.burst = 20000;
	r.cpu.has_quota = true, r.cpu.quota = 50000;
	r.cpu.has_rt_period = true, r.cpu.rt_period = 1000000;
	r.cpu.has_rt_runtime = true, r.cpu.rt_runtime = 950000;
	r.cpu.has_idle = true, r.cpu.idle = 1;
	r.cpu.cpus = xstrdup("0-1");
	r.cpu.mems = xstrdup("0");
	assert_v1(&r, &none,
		  "cpuset cpuset.cpus=0-1\n"
		  "cpuset cpuset.mems=0\n"
		  "cpu cpu.shares=512 V\n"
		  "cpu cpu.cfs_period_us=100000 D\n"
		  "cpu cpu.cfs_burst_us=20000 D\n"
		  "cpu cpu.cfs_quota_us=50000\n"
		  "cpu cpu.rt_period_us=1000000 D\n"
		  "cpu cpu.rt_runtime_us=950000\n"
		  "cpu cpu.idle=1\n");
	cg_resources_fini(&r);
}

static void
cpu_unlimited_and_unset(void **state)
{
	struct cg_resources r = {.has_cpu = true};
	(void)state;

	r.cpu.has_quota = true, r.cpu.quota = -1;
	r.cpu.has_shares = true, r.cpu.shares = 0; /* unset */
	r.cpu.has_period = true, r.cpu.period = 0; /* unset */
	r.cpu.cpus = xstrdup("");		   /* unset */
	assert_v1(&r, &none, "cpu cpu.cfs_quota_us=-1\n");
	r.cpu.has_rt_runtime = true, r.cpu.rt_runtime = -1;
	r.cpu.has_quota = false;
	assert_v1(&r, &none, "cpu cpu.rt_runtime_us=-1\n");
	cg_resources_fini(&r);
}

static void
pids_limits(void **state)
{
	struct cg_resources r = {.has_pids = true};
	(void)state;

	r.pids.has_limit = true, r.pids.limit = 32;
	assert_v1(&r, &none, "pids pids.max=32\n");
	r.pids.limit = 0;
	assert_v1(&r, &none, "pids pids.max=max\n");
	r.pids.limit = -1;
	assert_v1(&r, &none, "pids pids.max=max\n");
	r.pids.has_limit = false;
	assert_v1(&r, &none, "");
}

static void
blkio_every_field(void **state)
{
	struct cg_weight_device wd[] = {
		{.major = 8, .minor = 0, .has_weight = true, .weight = 400,
		 .has_leaf_weight = true, .leaf_weight = 200},
		{.major = 8, .minor = 16, .has_weight = true, .weight = 100},
		{.major = 8, .minor = 32, .has_leaf_weight = true, .leaf_weight = 50},
	};
	struct cg_throttle_device rb[] = {{8, 0, 1048576}, {8, 16, 2097152}};
	struct cg_throttle_device wb[] = {{8, 0, 524288}};
	struct cg_throttle_device ri[] = {{8, 0, 1000}};
	struct cg_throttle_device wi[] = {{8, 0, 500}};
	struct cg_resources r = {.has_blkio = true};
	struct cg_facts bfq = {.blkio_bfq = true};
	(void)state;

	r.blkio.has_weight = true, r.blkio.weight = 500;
	r.blkio.has_leaf_weight = true, r.blkio.leaf_weight = 300;
	r.blkio.weight_device = wd, r.blkio.n_weight_device = 3;
	r.blkio.read_bps = rb, r.blkio.n_read_bps = 2;
	r.blkio.write_bps = wb, r.blkio.n_write_bps = 1;
	r.blkio.read_iops = ri, r.blkio.n_read_iops = 1;
	r.blkio.write_iops = wi, r.blkio.n_write_iops = 1;
	assert_v1(&r, &none,
		  "blkio blkio.weight=500\n"
		  "blkio blkio.leaf_weight=300\n"
		  "blkio blkio.weight_device=8:0 400\n"
		  "blkio blkio.leaf_weight_device=8:0 200\n"
		  "blkio blkio.weight_device=8:16 100\n"
		  "blkio blkio.leaf_weight_device=8:32 50\n"
		  "blkio blkio.throttle.read_bps_device=8:0 1048576\n"
		  "blkio blkio.throttle.read_bps_device=8:16 2097152\n"
		  "blkio blkio.throttle.write_bps_device=8:0 524288\n"
		  "blkio blkio.throttle.read_iops_device=8:0 1000\n"
		  "blkio blkio.throttle.write_iops_device=8:0 500\n");
	/* With BFQ (no blkio.weight file), the bfq files get the weights. */
	r.blkio.n_read_bps = r.blkio.n_write_bps = r.blkio.n_read_iops = 0;
	r.blkio.n_write_iops = 0;
	r.blkio.has_leaf_weight = false;
	r.blkio.n_weight_device = 2;
	assert_v1(&r, &bfq,
		  "blkio blkio.bfq.weight=500\n"
		  "blkio blkio.bfq.weight_device=8:0 400\n"
		  "blkio blkio.leaf_weight_device=8:0 200\n"
		  "blkio blkio.bfq.weight_device=8:16 100\n");
}

static void
hugetlb_limits(void **state)
{
	struct cg_hugepage hp[] = {{.page_size = (char *)"2MB", .limit = 1 << 30},
				   {.page_size = (char *)"1GB", .limit = 0}};
	struct cg_resources r = {.hugepages = hp, .n_hugepages = 2};
	struct err err = {0};
	(void)state;

	assert_v1(&r, &none,
		  "hugetlb hugetlb.2MB.limit_in_bytes=1073741824\n"
		  "hugetlb hugetlb.2MB.rsvd.limit_in_bytes=1073741824 O\n"
		  "hugetlb hugetlb.1GB.limit_in_bytes=0\n"
		  "hugetlb hugetlb.1GB.rsvd.limit_in_bytes=0 O\n");
	hp[1].page_size = (char *)"../../x";
	assert_int_equal(plan_err(&r, &err), -1);
	assert_int_equal(err.code, EINVAL);
	assert_non_null(strstr(err.msg, "hugepageLimits[1]: bad pageSize \"../../x\""));
	hp[1].page_size = (char *)"2M";
	assert_int_equal(plan_err(&r, &err), -1);
	hp[1].page_size = NULL;
	assert_int_equal(plan_err(&r, &err), -1);
	assert_true(cg__valid_pagesize("64KB"));
	assert_true(cg__valid_pagesize("16GB"));
	assert_false(cg__valid_pagesize("GB"));
	assert_false(cg__valid_pagesize("2MBx"));
	assert_false(cg__valid_pagesize("2mb"));
}

static void
network_class_and_priorities(void **state)
{
	struct cg_net_prio prio[] = {{(char *)"eth0", 5}, {(char *)"lo", 2}};
	struct cg_resources r = {.has_network = true};
	struct err err = {0};
	(void)state;

	r.network.has_class_id = true, r.network.class_id = 0x100001;
	r.network.priorities = prio, r.network.n_priorities = 2;
	assert_v1(&r, &none,
		  "net_cls net_cls.classid=1048577\n"
		  "net_prio net_prio.ifpriomap=eth0 5\n"
		  "net_prio net_prio.ifpriomap=lo 2\n");
	prio[1].name = (char *)"bad name";
	assert_int_equal(plan_err(&r, &err), -1);
	assert_int_equal(err.code, EINVAL);
	assert_non_null(strstr(err.msg, "network.priorities[1]"));
}

static void
rdma_limits(void **state)
{
	struct cg_rdma rd[] = {
		{.device = (char *)"mlx5_0", .has_hca_handles = true, .hca_handles = 10,
		 .has_hca_objects = true, .hca_objects = 100},
		{.device = (char *)"mlx5_1", .has_hca_handles = true, .hca_handles = 3},
		{.device = (char *)"mlx5_2", .has_hca_objects = true, .hca_objects = 7},
		{.device = (char *)"mlx5_3"},
	};
	struct cg_resources r = {.rdma = rd, .n_rdma = 4};
	struct err err = {0};
	(void)state;

	assert_v1(&r, &none,
		  "rdma rdma.max=mlx5_0 hca_handle=10 hca_object=100\n"
		  "rdma rdma.max=mlx5_1 hca_handle=3\n"
		  "rdma rdma.max=mlx5_2 hca_object=7\n");
	rd[3].device = (char *)"a b";
	assert_int_equal(plan_err(&r, &err), -1);
	assert_int_equal(err.code, EINVAL);
	assert_non_null(strstr(err.msg, "rdma: bad device name \"a b\""));
}

static void
devices_rules(void **state)
{
	struct cg_device_rule d[] = {
		{.allow = false, .type = 'a', .major = -1, .minor = -1, .access = "rwm"},
		{.allow = true, .type = 'c', .major = 1, .minor = 3, .access = ""},
		{.allow = true, .type = 'c', .major = -1, .minor = -1, .access = "m"},
		{.allow = true, .type = 'b', .major = 8, .minor = -1, .access = "r"},
		{.allow = false, .type = 'c', .major = 5, .minor = 1, .access = "w"},
	};
	struct cg_resources r = {.devices = d, .n_devices = 5};
	struct err err = {0};
	(void)state;

	assert_v1(&r, &none,
		  "devices devices.deny=a *:* rwm\n"
		  "devices devices.allow=c 1:3 rwm\n"
		  "devices devices.allow=c *:* m\n"
		  "devices devices.allow=b 8:* r\n"
		  "devices devices.deny=c 5:1 w\n");
	d[2].type = 'x';
	assert_int_equal(plan_err(&r, &err), -1);
	assert_int_equal(err.code, EINVAL);
	assert_non_null(strstr(err.msg, "devices[2]: bad type 'x'"));
	d[2].type = 'c';
	memcpy(d[2].access, "rq", 3);
	assert_int_equal(plan_err(&r, &err), -1);
	assert_non_null(strstr(err.msg, "devices[2]: bad access \"rq\""));
}

static void
unified_refused_on_v1(void **state)
{
	struct cg_kv kv = {(char *)"memory.high", (char *)"1G"};
	struct cg_resources r = {.unified = &kv, .n_unified = 1};
	struct err err = {0};
	(void)state;

	assert_int_equal(plan_err(&r, &err), -1);
	assert_int_equal(err.code, EINVAL);
	assert_non_null(strstr(err.msg, "needs cgroup v2"));
	assert_non_null(strstr(err.msg, "memory.high"));
}

static void
everything_in_order(void **state)
{
	struct cg_device_rule d = {.allow = true, .type = 'a', .major = -1, .minor = -1};
	struct cg_hugepage hp = {.page_size = (char *)"2MB", .limit = 4096};
	struct cg_rdma rd = {.device = (char *)"m0", .has_hca_handles = true, .hca_handles = 1};
	struct cg_resources r = {.devices = &d, .n_devices = 1, .hugepages = &hp, .n_hugepages = 1,
				 .rdma = &rd, .n_rdma = 1};
	(void)state;

	r.has_memory = r.has_cpu = r.has_pids = r.has_blkio = r.has_network = true;
	r.memory.has_limit = true, r.memory.limit = 1 << 20;
	r.cpu.has_shares = true, r.cpu.shares = 2;
	r.pids.has_limit = true, r.pids.limit = 5;
	r.blkio.has_weight = true, r.blkio.weight = 10;
	r.network.has_class_id = true, r.network.class_id = 1;
	assert_v1(&r, &none,
		  "devices devices.allow=a *:* rwm\n"
		  "memory memory.limit_in_bytes=1048576 D\n"
		  "cpu cpu.shares=2 V\n"
		  "pids pids.max=5\n"
		  "blkio blkio.weight=10\n"
		  "hugetlb hugetlb.2MB.limit_in_bytes=4096\n"
		  "hugetlb hugetlb.2MB.rsvd.limit_in_bytes=4096 O\n"
		  "net_cls net_cls.classid=1\n"
		  "rdma rdma.max=m0 hca_handle=1\n");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(memory_every_field),
		cmocka_unit_test(memory_unlimited_and_unset),
		cmocka_unit_test(memory_bad_swappiness),
		cmocka_unit_test(cpu_every_field),
		cmocka_unit_test(cpu_unlimited_and_unset),
		cmocka_unit_test(pids_limits),
		cmocka_unit_test(blkio_every_field),
		cmocka_unit_test(hugetlb_limits),
		cmocka_unit_test(network_class_and_priorities),
		cmocka_unit_test(rdma_limits),
		cmocka_unit_test(devices_rules),
		cmocka_unit_test(unified_refused_on_v1),
		cmocka_unit_test(everything_in_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
