/* cgroup v1 operations on a fake tree: apply (exact files and write order), update (EINVAL
 * ordering retry, checkBeforeUpdate, kernel clamping, missing controllers), freeze and thaw,
 * pids, kill-all (freeze, signal, thaw) and the v1 OOM eventfd. */
#include <limits.h>
#include <signal.h>
#include <sys/wait.h>

#include "test_cg_v1_fixture.h"

static const char *const knobs[][2] = {
	{"devices", "devices.allow"},
	{"devices", "devices.deny"},
	{"memory", "memory.limit_in_bytes"},
	{"memory", "memory.memsw.limit_in_bytes"},
	{"memory", "memory.soft_limit_in_bytes"},
	{"memory", "memory.swappiness"},
	{"memory", "memory.oom_control"},
	{"memory", "memory.use_hierarchy"},
	{"memory", "memory.usage_in_bytes"},
	{"cpuset", "cpuset.cpus"},
	{"cpuset", "cpuset.mems"},
	{"cpu,cpuacct", "cpu.shares"},
	{"cpu,cpuacct", "cpu.cfs_period_us"},
	{"cpu,cpuacct", "cpu.cfs_quota_us"},
	{"pids", "pids.max"},
	{"blkio", "blkio.weight"},
	{"blkio", "blkio.throttle.read_bps_device"},
	{"net_cls,net_prio", "net_cls.classid"},
	{"net_cls,net_prio", "net_prio.ifpriomap"},
	{"rdma", "rdma.max"},
	{"freezer", "freezer.state"},
};

/* Creates /c1 with empty knob files (the kernel's would exist). */
static struct cg *
leaf(struct fx *f)
{
	struct cg *cg = create(f, "/c1");

	make_leaf(f, "/c1");
	for (size_t i = 0; i < ARRAY_SIZE(knobs); i++) {
		cleanup_free char *rel = xasprintf("%s/c1/%s", knobs[i][0], knobs[i][1]);
		tcg_file(f->root, rel, "%s", "");
	}
	tcg_file(f->root, "freezer/c1/freezer.state", "THAWED\n");
	wlog[0] = '\0';
	return cg;
}

static void
done(struct cg *cg)
{
	struct err err = {0};

	assert_int_equal(cg_destroy(cg, &err), 0);
	cg_free(cg);
}

static struct cg_resources
full_resources(void)
{
	static struct cg_device_rule dev[] = {
		{.allow = false, .type = 'a', .major = -1, .minor = -1, .access = "rwm"},
		{.allow = true, .type = 'c', .major = 1, .minor = 3, .access = "rwm"},
	};
	static struct cg_throttle_device rb = {8, 0, 1048576};
	static struct cg_net_prio prio = {(char *)"eth0", 3};
	static struct cg_rdma rd = {.device = (char *)"mlx5_0", .has_hca_handles = true,
				    .hca_handles = 4};
	static char cpus[] = "0-1", mems[] = "0";
	struct cg_resources r = {.devices = dev, .n_devices = 2, .rdma = &rd, .n_rdma = 1};

	r.has_memory = r.has_cpu = r.has_pids = r.has_blkio = r.has_network = true;
	r.memory.has_limit = true, r.memory.limit = 64 << 20;
	r.memory.has_swap = true, r.memory.swap = 128 << 20;
	r.memory.has_kernel = true, r.memory.kernel = 1 << 20; /* no kmem file here: skipped */
	r.memory.has_reservation = true, r.memory.reservation = 32 << 20;
	r.memory.has_swappiness = true, r.memory.swappiness = 10;
	r.memory.has_disable_oom_killer = r.memory.disable_oom_killer = true;
	r.cpu.has_shares = true, r.cpu.shares = 512;
	r.cpu.has_period = true, r.cpu.period = 100000;
	r.cpu.has_quota = true, r.cpu.quota = 50000;
	r.cpu.cpus = cpus, r.cpu.mems = mems;
	r.pids.has_limit = true, r.pids.limit = 64;
	r.blkio.has_weight = true, r.blkio.weight = 300;
	r.blkio.read_bps = &rb, r.blkio.n_read_bps = 1;
	r.network.has_class_id = true, r.network.class_id = 0x10001;
	r.network.priorities = &prio, r.network.n_priorities = 1;
	return r;
}

static void
apply_writes_every_file(void **state)
{
	struct fx *f = *state;
	struct cg *cg = leaf(f);
	struct cg_resources r = full_resources();
	struct err err = {0};

	if (cg_apply(cg, &r, &err) < 0)
		fail_msg("apply: %s", err.msg);
	assert_string_equal(wlog, "devices.deny=a *:* rwm\n"
				  "devices.allow=c 1:3 rwm\n"
				  "memory.limit_in_bytes=67108864\n"
				  "memory.memsw.limit_in_bytes=134217728\n"
				  "memory.kmem.limit_in_bytes=1048576\n"
				  "memory.soft_limit_in_bytes=33554432\n"
				  "memory.swappiness=10\n"
				  "memory.oom_control=1\n"
				  "cpuset.cpus=0-1\n"
				  "cpuset.mems=0\n"
				  "cpu.shares=512\n"
				  "cpu.cfs_period_us=100000\n"
				  "cpu.cfs_quota_us=50000\n"
				  "pids.max=64\n"
				  "blkio.weight=300\n"
				  "blkio.throttle.read_bps_device=8:0 1048576\n"
				  "net_cls.classid=65537\n"
				  "net_prio.ifpriomap=eth0 3\n"
				  "rdma.max=mlx5_0 hca_handle=4\n");
	assert_cg_file(f->root, "devices/c1/devices.deny", "a *:* rwm");
	assert_cg_file(f->root, "devices/c1/devices.allow", "c 1:3 rwm");
	assert_cg_file(f->root, "memory/c1/memory.limit_in_bytes", "67108864");
	assert_cg_file(f->root, "memory/c1/memory.memsw.limit_in_bytes", "134217728");
	assert_cg_file(f->root, "memory/c1/memory.soft_limit_in_bytes", "33554432");
	assert_cg_file(f->root, "memory/c1/memory.swappiness", "10");
	assert_cg_file(f->root, "memory/c1/memory.oom_control", "1");
	assert_false(tcg_exists(f->root, "memory/c1/memory.kmem.limit_in_bytes"));
	assert_cg_file(f->root, "cpuset/c1/cpuset.cpus", "0-1");
	assert_cg_file(f->root, "cpuset/c1/cpuset.mems", "0");
	assert_cg_file(f->root, "cpu,cpuacct/c1/cpu.shares", "512");
	assert_cg_file(f->root, "cpu,cpuacct/c1/cpu.cfs_period_us", "100000");
	assert_cg_file(f->root, "cpu,cpuacct/c1/cpu.cfs_quota_us", "50000");
	assert_cg_file(f->root, "pids/c1/pids.max", "64");
	assert_cg_file(f->root, "blkio/c1/blkio.weight", "300");
	assert_cg_file(f->root, "blkio/c1/blkio.throttle.read_bps_device", "8:0 1048576");
	assert_cg_file(f->root, "net_cls,net_prio/c1/net_cls.classid", "65537");
	assert_cg_file(f->root, "net_cls,net_prio/c1/net_prio.ifpriomap", "eth0 3");
	assert_cg_file(f->root, "rdma/c1/rdma.max", "mlx5_0 hca_handle=4");
	done(cg);
}

static void
apply_picks_bfq_and_memsw_facts(void **state)
{
	struct fx *f = *state;
	struct cg *cg = leaf(f);
	struct cg_resources r = {.has_memory = true, .has_blkio = true};
	struct err err = {0};

	tcg_file(f->root, "blkio/c1/blkio.bfq.weight", "%s", "");
	r.memory.has_limit = true, r.memory.limit = -1;
	r.blkio.has_weight = true, r.blkio.weight = 200;
	assert_int_equal(cg_apply(cg, &r, &err), 0);
	assert_string_equal(wlog, "memory.limit_in_bytes=-1\n"
				  "memory.memsw.limit_in_bytes=-1\n"
				  "blkio.bfq.weight=200\n");
	/* no swap accounting: memsw not touched */
	tcg_rm_rel(f->root, "memory/c1/memory.memsw.limit_in_bytes");
	wlog[0] = '\0';
	r.has_blkio = false;
	assert_int_equal(cg_apply(cg, &r, &err), 0);
	assert_string_equal(wlog, "memory.limit_in_bytes=-1\n");
	done(cg);
}

static void
update_retries_einval_later(void **state)
{
	struct fx *f = *state;
	struct cg *cg = leaf(f);
	struct cg_resources r = {.has_memory = true, .has_cpu = true};
	struct err err = {0};

	r.memory.has_limit = true, r.memory.limit = 256 << 20;
	r.memory.has_swap = true, r.memory.swap = 512 << 20;
	r.cpu.has_period = true, r.cpu.period = 50000;
	r.cpu.has_quota = true, r.cpu.quota = 10000;
	/* memory above the current memsw and a period the old quota does not fit: both EINVAL
	 * the first time, both retried after the writes they depend on */
	fail_file = "memory.limit_in_bytes", fail_code = EINVAL, n_fail = 1;
	assert_int_equal(cg_update(cg, &r, &err), 0);
	assert_string_equal(wlog, "memory.limit_in_bytes=268435456\n"
				  "memory.memsw.limit_in_bytes=536870912\n"
				  "cpu.cfs_period_us=50000\n"
				  "cpu.cfs_quota_us=10000\n"
				  "memory.limit_in_bytes=268435456\n");
	assert_cg_file(f->root, "memory/c1/memory.limit_in_bytes", "268435456");
	/* a second EINVAL is final */
	wlog[0] = '\0';
	fail_file = "memory.limit_in_bytes", n_fail = 2;
	assert_int_equal(cg_update(cg, &r, &err), -1);
	assert_int_equal(err.code, EINVAL);
	assert_non_null(strstr(err.msg, "update cgroup /c1: write \"268435456\""));
	/* EINVAL on a write that is not ordering-sensitive: no retry */
	wlog[0] = '\0';
	fail_file = "cpu.cfs_quota_us", n_fail = 1;
	assert_int_equal(cg_update(cg, &r, &err), -1);
	assert_non_null(strstr(err.msg, "cpu.cfs_quota_us"));
	assert_null(strstr(wlog, "cpu.cfs_period_us=50000\ncpu.cfs_quota_us=10000\ncpu"));
	fail_file = NULL;
	done(cg);
}

static void
update_check_before_update(void **state)
{
	struct fx *f = *state;
	struct cg *cg = leaf(f);
	struct cg_resources r = {.has_memory = true};
	struct err err = {0};

	tcg_file(f->root, "memory/c1/memory.usage_in_bytes", "5000\n");
	r.memory.has_limit = true, r.memory.limit = 4096;
	r.memory.has_check_before_update = r.memory.check_before_update = true;
	assert_int_equal(cg_update(cg, &r, &err), -1);
	assert_int_equal(err.code, EBUSY);
	assert_non_null(strstr(err.msg, "below the current usage 5000"));
	assert_string_equal(wlog, ""); /* nothing written */
	r.memory.limit = 8192;
	assert_int_equal(cg_update(cg, &r, &err), 0);
	assert_cg_file(f->root, "memory/c1/memory.limit_in_bytes", "8192");
	r.memory.limit = 4096, r.memory.check_before_update = false;
	assert_int_equal(cg_update(cg, &r, &err), 0);
	r.memory.check_before_update = true; /* create time: no check */
	assert_int_equal(cg_apply(cg, &r, &err), 0);
	done(cg);
}

static void
kernel_refusals(void **state)
{
	struct fx *f = *state;
	struct cg *cg = leaf(f);
	struct cg_resources r = {.has_cpu = true};
	struct cg_hugepage hp = {.page_size = (char *)"2MB", .limit = 1};
	struct cg_kv kv = {(char *)"memory.high", (char *)"1"};
	struct err err = {0};

	/* the kernel clamps cpu.shares to its range: an error, as runc */
	r.cpu.has_shares = true, r.cpu.shares = 500000;
	clamp_file = "cpu.shares", clamp_value = "262144";
	assert_int_equal(cg_apply(cg, &r, &err), -1);
	assert_int_equal(err.code, EINVAL);
	assert_non_null(strstr(err.msg, "wrote 500000 but the kernel set 262144"));
	clamp_file = NULL;
	/* use_hierarchy=0 refused by newer kernels: ignored */
	memset(&r, 0, sizeof(r));
	r.has_memory = true, r.memory.has_use_hierarchy = true;
	fail_file = "memory.use_hierarchy", fail_code = EINVAL, n_fail = 1;
	assert_int_equal(cg_apply(cg, &r, &err), 0);
	fail_file = NULL;
	/* hugetlb is not mounted here */
	memset(&r, 0, sizeof(r));
	r.hugepages = &hp, r.n_hugepages = 1;
	assert_int_equal(cg_apply(cg, &r, &err), -1);
	assert_int_equal(err.code, ENOTSUP);
	assert_non_null(strstr(err.msg, "the hugetlb controller is not available for /c1"));
	/* unified: refused before any write */
	memset(&r, 0, sizeof(r));
	r.unified = &kv, r.n_unified = 1, r.has_pids = true, r.pids.has_limit = true;
	wlog[0] = '\0';
	assert_int_equal(cg_apply(cg, &r, &err), -1);
	assert_int_equal(err.code, EINVAL);
	assert_string_equal(wlog, "");
	/* a knob file the kernel lacks (not optional): ENOENT naming it */
	memset(&r, 0, sizeof(r));
	r.has_cpu = true, r.cpu.has_idle = true, r.cpu.idle = 1;
	assert_int_equal(cg_apply(cg, &r, &err), -1);
	assert_int_equal(err.code, ENOENT);
	assert_non_null(strstr(err.msg, "cpu,cpuacct/c1/cpu.idle"));
	done(cg);
}

static void
freeze_thaw_state(void **state)
{
	struct fx *f = *state;
	struct cg *cg = leaf(f);
	enum cg_freezer_state st = CG_FROZEN;
	struct err err = {0};

	assert_int_equal(cg_freezer_state(cg, &st, &err), 0);
	assert_int_equal(st, CG_THAWED);
	assert_int_equal(cg_freeze(cg, true, &err), 0);
	assert_string_equal(wlog, "freezer.state=FROZEN\n");
	assert_int_equal(cg_freezer_state(cg, &st, &err), 0);
	assert_int_equal(st, CG_FROZEN);
	assert_int_equal(cg_freeze(cg, false, &err), 0);
	assert_int_equal(cg_freezer_state(cg, &st, &err), 0);
	assert_int_equal(st, CG_THAWED);
	tcg_file(f->root, "freezer/c1/freezer.state", "FREEZING\n");
	assert_int_equal(cg_freezer_state(cg, &st, &err), 0);
	assert_int_equal(st, CG_FREEZING);
	assert_string_equal(cg_freezer_state_name(st), "FREEZING");
	tcg_file(f->root, "freezer/c1/freezer.state", "bogus\n");
	assert_int_equal(cg_freezer_state(cg, &st, &err), -1);
	assert_int_equal(err.code, EINVAL);
	assert_non_null(strstr(err.msg, "freezer.state: unknown state"));
	tcg_rm_rel(f->root, "freezer/c1/freezer.state");
	assert_int_equal(cg_freeze(cg, true, &err), -1);
	assert_int_equal(err.code, ENOENT);
	assert_non_null(strstr(err.msg, "freeze cgroup /c1: open"));
	assert_non_null(strstr(err.msg, "freezer/c1/freezer.state"));
	done(cg);
}

static void
freeze_timeout_thaws_again(void **state)
{
	struct fx *f = *state;
	struct cg *cg = leaf(f);
	struct err err = {0};
	long long t0 = cg__now_ms();

	/* a task that never freezes: the kernel stays at FREEZING */
	clamp_file = "freezer.state", clamp_value = "FREEZING";
	cg__freeze_timeout_ms = 200;
	assert_int_equal(cg_freeze(cg, true, &err), -1);
	assert_true(cg__now_ms() - t0 >= 200);
	assert_int_equal(err.code, ETIMEDOUT);
	assert_non_null(strstr(err.msg, "freeze cgroup /c1"));
	assert_non_null(strstr(err.msg, "freezer/c1/freezer.state: still FREEZING after 200 ms"));
	/* FROZEN was rewritten while waiting, then the half-done freeze undone */
	assert_non_null(strstr(wlog, "freezer.state=FROZEN\nfreezer.state=FROZEN\n"));
	assert_non_null(strstr(wlog, "freezer.state=THAWED\n"));
	clamp_file = NULL;
	cg__freeze_timeout_ms = CG_FREEZE_TIMEOUT_MS;
	done(cg);
}

static void
no_freezer_hierarchy(void **state)
{
	struct fx *f = *state;
	struct cg_root_opts o = {.root = f->root, .mountinfo = f->mi, .mode = CG_MODE_V1};
	struct cg_root *r = NULL;
	struct cg *cg = NULL;
	enum cg_freezer_state st = CG_FROZEN;
	struct err err = {0};

	tcg_file(f->tmp, "mountinfo", "1 1 0:1 / %s/cg\\040root/memory rw - cgroup cgroup rw,memory\n",
		 f->tmp);
	assert_int_equal(cg_root_open(&o, &r, &err), 0);
	assert_int_equal(cg_create(r, "/c1", &cg, &err), 0);
	assert_int_equal(cg_freeze(cg, true, &err), -1);
	assert_int_equal(err.code, ENOTSUP);
	assert_int_equal(cg_freezer_state(cg, &st, &err), 0);
	assert_int_equal(st, CG_THAWED);
	assert_int_equal(cg_destroy(cg, &err), 0);
	cg_free(cg);
	cg_root_free(r);
}

static void
pids_recursive(void **state)
{
	struct fx *f = *state;
	struct cg *cg = leaf(f);
	cleanup_free pid_t *pids = NULL;
	struct err err = {0};
	size_t n = 0;

	tcg_file(f->root, "freezer/c1/cgroup.procs", "10\n11\n");
	tcg_file(f->root, "freezer/c1/sub/cgroup.procs", "11\n12\n");
	tcg_file(f->root, "freezer/c1/sub/deeper/cgroup.procs", "13\n");
	assert_int_equal(cg_pids(cg, &pids, &n, &err), 0);
	assert_int_equal(n, 4);
	assert_int_equal(pids[0], 10);
	assert_int_equal(pids[1], 11);
	assert_int_equal(pids[2], 12);
	assert_int_equal(pids[3], 13);
	free(pids);
	pids = NULL;
	/* freezer gone: the pids hierarchy answers */
	tcg_rm_rel(f->root, "freezer/c1");
	tcg_file(f->root, "pids/c1/cgroup.procs", "99\n");
	assert_int_equal(cg_pids(cg, &pids, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(pids[0], 99);
	done(cg);
}

static void
kill_all_freezes_signals_thaws(void **state)
{
	struct fx *f = *state;
	struct cg *cg = leaf(f);
	struct err err = {0};
	int status = 0;
	pid_t child = fork();

	if (child == 0) {
		for (;;)
			pause();
	}
	assert_true(child > 0);
	/* a pid that no longer exists (ESRCH) is skipped */
	tcg_file(f->root, "freezer/c1/cgroup.procs", "%d\n%d\n", INT_MAX - 1, (int)child);
	assert_int_equal(cg_kill_all(cg, SIGTERM, &err), 0);
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGTERM);
	assert_string_equal(wlog, "freezer.state=FROZEN\nfreezer.state=THAWED\n");
	assert_cg_file(f->root, "freezer/c1/freezer.state", "THAWED");
	done(cg);
}

static void
oom_eventfd(void **state)
{
	struct fx *f = *state;
	struct cg *cg = leaf(f);
	struct cg_oom *w = NULL;
	struct err err = {0};
	uint64_t one = 1, n = 99;
	bool gone = true;
	char want[64];

	assert_int_equal(cg_oom_open(cg, &w, &err), -1); /* no cgroup.event_control */
	assert_int_equal(err.code, ENOENT);
	assert_non_null(strstr(err.msg, "memory/c1/cgroup.event_control"));
	tcg_rm_rel(f->root, "memory/c1/memory.oom_control");
	assert_int_equal(cg_oom_open(cg, &w, &err), -1);
	assert_non_null(strstr(err.msg, "OOM watch on cgroup /c1: open"));
	assert_non_null(strstr(err.msg, "memory/c1/memory.oom_control"));
	tcg_file(f->root, "memory/c1/memory.oom_control", "oom_kill_disable 0\n");
	tcg_file(f->root, "memory/c1/cgroup.event_control", "%s", "");
	wlog[0] = '\0';
	assert_int_equal(cg_oom_open(cg, &w, &err), 0);
	/* registration: "<eventfd> <fd of memory.oom_control>" */
	snprintf(want, sizeof(want), "cgroup.event_control=%d ", cg_oom_fd(w));
	assert_true(strncmp(wlog, want, strlen(want)) == 0);
	assert_int_equal(cg_oom_check(w, &n, &gone, &err), 0);
	assert_int_equal(n, 0);
	assert_false(gone);
	/* the kernel signals the eventfd on OOM */
	assert_int_equal(write(cg_oom_fd(w), &one, sizeof(one)), sizeof(one));
	assert_int_equal(write(cg_oom_fd(w), &one, sizeof(one)), sizeof(one));
	assert_int_equal(cg_oom_check(w, &n, &gone, &err), 0);
	assert_int_equal(n, 2);
	assert_false(gone);
	/* ... and once when the cgroup goes away: not an OOM */
	tcg_rm_rel(f->root, "memory/c1/memory.oom_control");
	assert_int_equal(write(cg_oom_fd(w), &one, sizeof(one)), sizeof(one));
	assert_int_equal(cg_oom_check(w, &n, &gone, &err), 0);
	assert_int_equal(n, 0);
	assert_true(gone);
	cg_oom_close(w);
	cg_oom_close(NULL);
	done(cg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(apply_writes_every_file, setup, teardown),
		cmocka_unit_test_setup_teardown(apply_picks_bfq_and_memsw_facts, setup, teardown),
		cmocka_unit_test_setup_teardown(update_retries_einval_later, setup, teardown),
		cmocka_unit_test_setup_teardown(update_check_before_update, setup, teardown),
		cmocka_unit_test_setup_teardown(kernel_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(freeze_thaw_state, setup, teardown),
		cmocka_unit_test_setup_teardown(freeze_timeout_thaws_again, setup, teardown),
		cmocka_unit_test_setup_teardown(no_freezer_hierarchy, setup, teardown),
		cmocka_unit_test_setup_teardown(pids_recursive, setup, teardown),
		cmocka_unit_test_setup_teardown(kill_all_freezes_signals_thaws, setup, teardown),
		cmocka_unit_test_setup_teardown(oom_eventfd, setup, teardown),
	};

	(void)setup_hybrid;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
