/* Statistics on fake v1 and v2 trees: every field containerd's Metrics carry, the whole
 * memory.stat, blkio/io, hugetlb, pids, rdma, PSI, memory events; absent controllers leave zeros;
 * an unreadable file is an error naming it. Plus the /proc/<pid>/net/dev parser. */
#include <fcntl.h>

#include "cgroups/cg_internal.h"
#include "test_cg_util.h"

struct fx {
	char *tmp;
	struct cg_root *r;
	struct cg *cg;
};

static void
open_cg(struct fx *f, enum cg_mode mode)
{
	struct cg_root_opts o = {.root = f->tmp, .mode = mode};
	cleanup_free char *mi = xasprintf("%s/mountinfo", f->tmp);
	struct err err = {0};

	o.mountinfo = mi;
	if (cg_root_open(&o, &f->r, &err) < 0 || cg_open(f->r, "/c1", &f->cg, &err) < 0)
		fail_msg("%s", err.msg);
}

static int
setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof(*f));

	f->tmp = tcg_tmpdir();
	tcg_file(f->tmp, "mountinfo", "%s", "");
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	cg_free(f->cg);
	cg_root_free(f->r);
	tcg_rm(f->tmp);
	free(f->tmp);
	free(f);
	return 0;
}

static void
v1_files(struct fx *f)
{
	const char *t = f->tmp;

	tcg_file(t, "memory/c1/memory.stat",
		 "cache 1\nrss 2\nrss_huge 3\nshmem 99\nmapped_file 4\ndirty 5\nwriteback 6\n"
		 "workingset_refault_file 98\npgpgin 7\npgpgout 8\npgfault 9\npgmajfault 10\n"
		 "inactive_anon 11\nactive_anon 12\ninactive_file 13\nactive_file 14\n"
		 "unevictable 15\nhierarchical_memory_limit 16\nhierarchical_memsw_limit 17\n"
		 "total_cache 18\ntotal_rss 19\ntotal_rss_huge 20\ntotal_mapped_file 21\n"
		 "total_dirty 22\ntotal_writeback 23\ntotal_pgpgin 24\ntotal_pgpgout 25\n"
		 "total_pgfault 26\ntotal_pgmajfault 27\ntotal_inactive_anon 28\n"
		 "total_active_anon 29\ntotal_inactive_file 30\ntotal_active_file 31\n"
		 "total_unevictable 32\n");
	tcg_file(t, "memory/c1/memory.usage_in_bytes", "1000\n");
	tcg_file(t, "memory/c1/memory.limit_in_bytes", "9223372036854771712\n");
	tcg_file(t, "memory/c1/memory.max_usage_in_bytes", "1500\n");
	tcg_file(t, "memory/c1/memory.failcnt", "3\n");
	tcg_file(t, "memory/c1/memory.memsw.usage_in_bytes", "1100\n");
	tcg_file(t, "memory/c1/memory.memsw.limit_in_bytes", "2200\n");
	tcg_file(t, "memory/c1/memory.memsw.max_usage_in_bytes", "1600\n");
	tcg_file(t, "memory/c1/memory.memsw.failcnt", "4\n");
	tcg_file(t, "memory/c1/memory.kmem.usage_in_bytes", "10\n");
	tcg_file(t, "memory/c1/memory.kmem.limit_in_bytes", "20\n");
	tcg_file(t, "memory/c1/memory.kmem.max_usage_in_bytes", "30\n");
	tcg_file(t, "memory/c1/memory.kmem.failcnt", "40\n");
	tcg_file(t, "memory/c1/memory.oom_control", "oom_kill_disable 1\nunder_oom 0\noom_kill 7\n");
	tcg_file(t, "cpuacct/c1/cpuacct.usage", "123456789\n");
	tcg_file(t, "cpuacct/c1/cpuacct.usage_percpu", "100 200 \n");
	tcg_file(t, "cpuacct/c1/cpuacct.stat", "user 150\nsystem 50\n");
	tcg_file(t, "cpu/c1/cpu.stat", "nr_periods 10\nnr_throttled 2\nthrottled_time 3000\n"
				       "nr_bursts 0\nburst_time 0\n");
	tcg_file(t, "blkio/c1/blkio.io_serviced_recursive", "8:0 Read 5\n8:0 Write 6\nTotal 11\n");
	tcg_file(t, "blkio/c1/blkio.throttle.io_service_bytes",
		 "254:0 Read 100\n254:0 Write 200\n254:0 Total 300\nTotal 300\n");
	tcg_file(t, "blkio/c1/blkio.sectors_recursive", "8:0 77\n");
	tcg_file(t, "blkio/c1/blkio.time_recursive", "8:0 99\n");
	tcg_file(t, "hugetlb/c1/hugetlb.2MB.limit_in_bytes", "8192\n");
	tcg_file(t, "hugetlb/c1/hugetlb.2MB.rsvd.limit_in_bytes", "8192\n");
	tcg_file(t, "hugetlb/c1/hugetlb.2MB.usage_in_bytes", "4096\n");
	tcg_file(t, "hugetlb/c1/hugetlb.2MB.max_usage_in_bytes", "6144\n");
	tcg_file(t, "hugetlb/c1/hugetlb.2MB.failcnt", "1\n");
	tcg_file(t, "pids/c1/pids.current", "3\n");
	tcg_file(t, "pids/c1/pids.max", "max\n");
	tcg_file(t, "rdma/c1/rdma.current", "mlx4_0 hca_handle=2 hca_object=2000\nmlx4_1\n");
	tcg_file(t, "rdma/c1/rdma.max", "mlx4_0 hca_handle=max hca_object=max\n");
	tcg_mkdir(t, "devices/c1");
}

static void v2_files(struct fx *f);

static void
read_stats(struct fx *f, enum cg_mode mode, struct cg_stats *s)
{
	struct err err = {0};

	if (mode == CG_MODE_V2)
		v2_files(f);
	else
		v1_files(f);
	open_cg(f, mode);
	if (cg_stats(f->cg, s, &err) < 0)
		fail_msg("stats: %s", err.msg);
	assert_int_equal(s->is_v2, mode == CG_MODE_V2);
}

static void
v1_memory(void **state)
{
	struct cg_stats s;

	read_stats(*state, CG_MODE_V1, &s);
	/* memory.stat by containerd's names, and all of it raw */
	assert_int_equal(s.v1.memory.cache, 1);
	assert_int_equal(s.v1.memory.rss, 2);
	assert_int_equal(s.v1.memory.rss_huge, 3);
	assert_int_equal(s.v1.memory.mapped_file, 4);
	assert_int_equal(s.v1.memory.dirty, 5);
	assert_int_equal(s.v1.memory.writeback, 6);
	assert_int_equal(s.v1.memory.pg_pg_in, 7);
	assert_int_equal(s.v1.memory.pg_pg_out, 8);
	assert_int_equal(s.v1.memory.pg_fault, 9);
	assert_int_equal(s.v1.memory.pg_maj_fault, 10);
	assert_int_equal(s.v1.memory.inactive_anon, 11);
	assert_int_equal(s.v1.memory.active_anon, 12);
	assert_int_equal(s.v1.memory.inactive_file, 13);
	assert_int_equal(s.v1.memory.active_file, 14);
	assert_int_equal(s.v1.memory.unevictable, 15);
	assert_int_equal(s.v1.memory.hierarchical_memory_limit, 16);
	assert_int_equal(s.v1.memory.hierarchical_swap_limit, 17);
	assert_int_equal(s.v1.memory.total_cache, 18);
	assert_int_equal(s.v1.memory.total_rss, 19);
	assert_int_equal(s.v1.memory.total_rss_huge, 20);
	assert_int_equal(s.v1.memory.total_mapped_file, 21);
	assert_int_equal(s.v1.memory.total_dirty, 22);
	assert_int_equal(s.v1.memory.total_writeback, 23);
	assert_int_equal(s.v1.memory.total_pg_pg_in, 24);
	assert_int_equal(s.v1.memory.total_pg_pg_out, 25);
	assert_int_equal(s.v1.memory.total_pg_fault, 26);
	assert_int_equal(s.v1.memory.total_pg_maj_fault, 27);
	assert_int_equal(s.v1.memory.total_inactive_anon, 28);
	assert_int_equal(s.v1.memory.total_active_anon, 29);
	assert_int_equal(s.v1.memory.total_inactive_file, 30);
	assert_int_equal(s.v1.memory.total_active_file, 31);
	assert_int_equal(s.v1.memory.total_unevictable, 32);
	assert_int_equal(s.v1.memory.n_raw, 34);
	assert_string_equal(s.v1.memory.raw[3].key, "shmem");
	assert_int_equal(s.v1.memory.raw[3].value, 99);
	assert_int_equal(s.v1.memory.usage.usage, 1000);
	assert_int_equal(s.v1.memory.usage.limit, 9223372036854771712ull);
	assert_int_equal(s.v1.memory.usage.max, 1500);
	assert_int_equal(s.v1.memory.usage.failcnt, 3);
	assert_int_equal(s.v1.memory.swap.usage, 1100);
	assert_int_equal(s.v1.memory.swap.limit, 2200);
	assert_int_equal(s.v1.memory.swap.max, 1600);
	assert_int_equal(s.v1.memory.swap.failcnt, 4);
	assert_int_equal(s.v1.memory.kernel.usage, 10);
	assert_int_equal(s.v1.memory.kernel.limit, 20);
	assert_int_equal(s.v1.memory.kernel.max, 30);
	assert_int_equal(s.v1.memory.kernel.failcnt, 40);
	assert_int_equal(s.v1.memory.kernel_tcp.usage, 0); /* absent */
	assert_int_equal(s.v1.oom_control.oom_kill_disable, 1);
	assert_int_equal(s.v1.oom_control.under_oom, 0);
	assert_int_equal(s.v1.oom_control.oom_kill, 7);
	cg_stats_fini(&s);
	assert_int_equal(s.v1.memory.n_raw, 0);
}

static void
v1_cpu_blkio_hugetlb_pids_rdma(void **state)
{
	struct cg_stats s;
	uint64_t tick = 1000000000ull / (uint64_t)sysconf(_SC_CLK_TCK);
	char link[256] = "";
	ssize_t ln = readlink("/sys/dev/block/254:0", link, sizeof(link) - 1);

	read_stats(*state, CG_MODE_V1, &s);
	/* cpu: ns; cpuacct.stat ticks converted */
	assert_int_equal(s.v1.cpu.total, 123456789);
	assert_int_equal(s.v1.cpu.user, 150 * tick);
	assert_int_equal(s.v1.cpu.kernel, 50 * tick);
	assert_int_equal(s.v1.cpu.n_per_cpu, 2);
	assert_int_equal(s.v1.cpu.per_cpu[0], 100);
	assert_int_equal(s.v1.cpu.per_cpu[1], 200);
	assert_int_equal(s.v1.cpu.periods, 10);
	assert_int_equal(s.v1.cpu.throttled_periods, 2);
	assert_int_equal(s.v1.cpu.throttled_time, 3000);
	/* blkio: CFQ files where present, throttle files for bytes/serviced */
	assert_int_equal(s.v1.blkio.io_serviced_recursive.n, 2);
	assert_string_equal(s.v1.blkio.io_serviced_recursive.e[1].op, "Write");
	assert_int_equal(s.v1.blkio.io_serviced_recursive.e[1].value, 6);
	assert_int_equal(s.v1.blkio.io_service_bytes_recursive.n, 3);
	assert_int_equal(s.v1.blkio.io_service_bytes_recursive.e[0].major, 254);
	assert_string_equal(s.v1.blkio.io_service_bytes_recursive.e[2].op, "Total");
	assert_int_equal(s.v1.blkio.io_service_bytes_recursive.e[2].value, 300);
	if (ln > 0) {
		link[ln] = '\0';
		assert_non_null(strstr(s.v1.blkio.io_service_bytes_recursive.e[0].device, "/dev/"));
		assert_string_equal(s.v1.blkio.io_service_bytes_recursive.e[0].device + 5,
				    strrchr(link, '/') + 1);
	}
	assert_int_equal(s.v1.blkio.sectors_recursive.n, 1);
	assert_string_equal(s.v1.blkio.sectors_recursive.e[0].op, "");
	assert_int_equal(s.v1.blkio.sectors_recursive.e[0].value, 77);
	assert_int_equal(s.v1.blkio.io_time_recursive.e[0].value, 99);
	assert_int_equal(s.v1.blkio.io_queued_recursive.n, 0);
	/* hugetlb: sizes from the files, rsvd not a size */
	assert_int_equal(s.v1.n_hugetlb, 1);
	assert_string_equal(s.v1.hugetlb[0].pagesize, "2MB");
	assert_int_equal(s.v1.hugetlb[0].usage, 4096);
	assert_int_equal(s.v1.hugetlb[0].max, 6144);
	assert_int_equal(s.v1.hugetlb[0].failcnt, 1);
	assert_int_equal(s.v1.pids.current, 3);
	assert_int_equal(s.v1.pids.limit, 0);
	assert_int_equal(s.v1.rdma.n_current, 2);
	assert_string_equal(s.v1.rdma.current[0].device, "mlx4_0");
	assert_int_equal(s.v1.rdma.current[0].hca_handles, 2);
	assert_int_equal(s.v1.rdma.current[0].hca_objects, 2000);
	assert_string_equal(s.v1.rdma.current[1].device, "mlx4_1");
	assert_int_equal(s.v1.rdma.limit[0].hca_handles, UINT32_MAX);
	cg_stats_fini(&s);
	assert_int_equal(s.v1.n_hugetlb, 0);
}

static void
v1_absent_and_broken(void **state)
{
	struct fx *f = *state;
	struct cg_stats s;
	struct err err = {0};

	tcg_mkdir(f->tmp, "memory/c1");
	tcg_mkdir(f->tmp, "pids/c1");
	tcg_file(f->tmp, "pids/c1/pids.max", "100\n");
	open_cg(f, CG_MODE_V1);
	assert_int_equal(cg_stats(f->cg, &s, &err), 0);
	assert_int_equal(s.v1.memory.n_raw, 0);
	assert_int_equal(s.v1.pids.limit, 100);
	assert_int_equal(s.v1.cpu.total, 0);
	cg_stats_fini(&s);
	/* a file that cannot be read (a directory here) */
	tcg_mkdir(f->tmp, "memory/c1/memory.stat");
	assert_int_equal(cg_stats(f->cg, &s, &err), -1);
	assert_int_equal(err.code, EISDIR);
	assert_non_null(strstr(err.msg, "stats of cgroup /c1"));
	assert_non_null(strstr(err.msg, "memory/c1/memory.stat"));
	/* a value that is not a number */
	tcg_rm_rel(f->tmp, "memory/c1/memory.stat");
	tcg_file(f->tmp, "pids/c1/pids.current", "lots\n");
	assert_int_equal(cg_stats(f->cg, &s, &err), -1);
	assert_int_equal(err.code, EINVAL);
	assert_non_null(strstr(err.msg, "pids.current: not a number"));
}

static void
v2_files(struct fx *f)
{
	const char *t = f->tmp;

	tcg_file(t, "cgroup.controllers", "cpu io memory hugetlb pids rdma\n");
	tcg_file(t, "c1/cpu.stat", "usage_usec 1000\nuser_usec 600\nsystem_usec 400\n"
				   "nr_periods 5\nnr_throttled 1\nthrottled_usec 20\nnr_bursts 2\n"
				   "burst_usec 30\n");
	tcg_file(t, "c1/cpu.pressure", "some avg10=1.50 avg60=0.25 avg300=0.00 total=12345\n"
				       "full avg10=0.10 avg60=0.00 avg300=0.00 total=99\n");
	tcg_file(t, "c1/memory.stat",
		 "anon 1\nfile 2\nkernel_stack 3\nslab 4\nsock 5\nshmem 6\nfile_mapped 7\n"
		 "file_dirty 8\nfile_writeback 9\nanon_thp 10\ninactive_anon 11\nactive_anon 12\n"
		 "inactive_file 13\nactive_file 14\nunevictable 15\nslab_reclaimable 16\n"
		 "slab_unreclaimable 17\npgfault 18\npgmajfault 19\nworkingset_refault_anon 3\n"
		 "workingset_refault_file 4\nworkingset_activate_anon 1\n"
		 "workingset_activate_file 2\nworkingset_nodereclaim 22\npgrefill 23\n"
		 "pgscan 24\npgsteal 25\npgactivate 26\npgdeactivate 27\npglazyfree 28\n"
		 "pglazyfreed 29\nthp_fault_alloc 30\nthp_collapse_alloc 31\n");
	tcg_file(t, "c1/memory.current", "5000\n");
	tcg_file(t, "c1/memory.max", "max\n");
	tcg_file(t, "c1/memory.swap.current", "10\n");
	tcg_file(t, "c1/memory.swap.max", "20\n");
	tcg_file(t, "c1/memory.peak", "6000\n");
	tcg_file(t, "c1/memory.events", "low 1\nhigh 2\nmax 3\noom 4\noom_kill 5\n");
	tcg_file(t, "c1/memory.pressure", "some avg10=0.00 avg60=0.00 avg300=0.00 total=7\n");
	tcg_file(t, "c1/io.stat", "8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=5 dios=6\n"
				  "8:16 rbytes=10 wbytes=20 rios=30 wios=40\n");
	tcg_file(t, "c1/io.pressure", "some avg10=0.00 avg60=0.00 avg300=0.00 total=8\n");
	tcg_file(t, "c1/hugetlb.2MB.current", "4096\n");
	tcg_file(t, "c1/hugetlb.2MB.max", "max\n");
	tcg_file(t, "c1/hugetlb.2MB.rsvd.current", "0\n");
	tcg_file(t, "c1/hugetlb.1GB.current", "0\n");
	tcg_file(t, "c1/hugetlb.1GB.max", "1073741824\n");
	tcg_file(t, "c1/pids.current", "2\n");
	tcg_file(t, "c1/pids.max", "50\n");
	tcg_file(t, "c1/rdma.current", "mlx5_0 hca_handle=1 hca_object=2\n");
	tcg_file(t, "c1/rdma.max", "mlx5_0 hca_handle=10 hca_object=max\n");
}

static void
v2_memory(void **state)
{
	struct cg_stats s;

	read_stats(*state, CG_MODE_V2, &s);
	assert_int_equal(s.v2.memory.anon, 1);
	assert_int_equal(s.v2.memory.file, 2);
	assert_int_equal(s.v2.memory.kernel_stack, 3);
	assert_int_equal(s.v2.memory.slab, 4);
	assert_int_equal(s.v2.memory.sock, 5);
	assert_int_equal(s.v2.memory.shmem, 6);
	assert_int_equal(s.v2.memory.file_mapped, 7);
	assert_int_equal(s.v2.memory.file_dirty, 8);
	assert_int_equal(s.v2.memory.file_writeback, 9);
	assert_int_equal(s.v2.memory.anon_thp, 10);
	assert_int_equal(s.v2.memory.inactive_anon, 11);
	assert_int_equal(s.v2.memory.active_anon, 12);
	assert_int_equal(s.v2.memory.inactive_file, 13);
	assert_int_equal(s.v2.memory.active_file, 14);
	assert_int_equal(s.v2.memory.unevictable, 15);
	assert_int_equal(s.v2.memory.slab_reclaimable, 16);
	assert_int_equal(s.v2.memory.slab_unreclaimable, 17);
	assert_int_equal(s.v2.memory.pgfault, 18);
	assert_int_equal(s.v2.memory.pgmajfault, 19);
	assert_int_equal(s.v2.memory.workingset_refault, 7);  /* anon + file */
	assert_int_equal(s.v2.memory.workingset_activate, 3); /* anon + file */
	assert_int_equal(s.v2.memory.workingset_nodereclaim, 22);
	assert_int_equal(s.v2.memory.pgrefill, 23);
	assert_int_equal(s.v2.memory.pgscan, 24);
	assert_int_equal(s.v2.memory.pgsteal, 25);
	assert_int_equal(s.v2.memory.pgactivate, 26);
	assert_int_equal(s.v2.memory.pgdeactivate, 27);
	assert_int_equal(s.v2.memory.pglazyfree, 28);
	assert_int_equal(s.v2.memory.pglazyfreed, 29);
	assert_int_equal(s.v2.memory.thp_fault_alloc, 30);
	assert_int_equal(s.v2.memory.thp_collapse_alloc, 31);
	assert_int_equal(s.v2.memory.n_raw, 33);
	assert_int_equal(s.v2.memory.usage, 5000);
	assert_true(s.v2.memory.usage_limit == UINT64_MAX);
	assert_int_equal(s.v2.memory.swap_usage, 10);
	assert_int_equal(s.v2.memory.swap_limit, 20);
	assert_int_equal(s.v2.memory.max_usage, 6000);
	assert_int_equal(s.v2.memory.swap_max_usage, 0); /* no memory.swap.peak */
	assert_int_equal(s.v2.memory.psi.some.total, 7);
	assert_int_equal(s.v2.memory_events.low, 1);
	assert_int_equal(s.v2.memory_events.high, 2);
	assert_int_equal(s.v2.memory_events.max, 3);
	assert_int_equal(s.v2.memory_events.oom, 4);
	assert_int_equal(s.v2.memory_events.oom_kill, 5);
	cg_stats_fini(&s);
}

static void
v2_cpu_io_hugetlb_pids_rdma(void **state)
{
	struct cg_stats s;
	size_t i2 = 99, i1 = 99;

	read_stats(*state, CG_MODE_V2, &s);
	assert_int_equal(s.v2.cpu.usage_usec, 1000);
	assert_int_equal(s.v2.cpu.user_usec, 600);
	assert_int_equal(s.v2.cpu.system_usec, 400);
	assert_int_equal(s.v2.cpu.nr_periods, 5);
	assert_int_equal(s.v2.cpu.nr_throttled, 1);
	assert_int_equal(s.v2.cpu.throttled_usec, 20);
	assert_int_equal(s.v2.cpu.nr_bursts, 2);
	assert_int_equal(s.v2.cpu.burst_usec, 30);
	assert_true(s.v2.cpu.psi.present);
	assert_true(s.v2.cpu.psi.some.avg10 > 1.49 && s.v2.cpu.psi.some.avg10 < 1.51);
	assert_true(s.v2.cpu.psi.some.avg60 > 0.24 && s.v2.cpu.psi.some.avg60 < 0.26);
	assert_int_equal(s.v2.cpu.psi.some.total, 12345);
	assert_int_equal(s.v2.cpu.psi.full.total, 99);
	assert_int_equal(s.v2.io.n_usage, 2);
	assert_int_equal(s.v2.io.usage[0].major, 8);
	assert_int_equal(s.v2.io.usage[0].rbytes, 1);
	assert_int_equal(s.v2.io.usage[0].wbytes, 2);
	assert_int_equal(s.v2.io.usage[0].rios, 3);
	assert_int_equal(s.v2.io.usage[0].wios, 4);
	assert_int_equal(s.v2.io.usage[1].minor, 16);
	assert_int_equal(s.v2.io.usage[1].wios, 40);
	assert_int_equal(s.v2.io.psi.some.total, 8);
	assert_int_equal(s.v2.n_hugetlb, 2);
	for (size_t i = 0; i < s.v2.n_hugetlb; i++) {
		if (strcmp(s.v2.hugetlb[i].pagesize, "2MB") == 0)
			i2 = i;
		if (strcmp(s.v2.hugetlb[i].pagesize, "1GB") == 0)
			i1 = i;
	}
	assert_true(i2 < 2 && i1 < 2);
	assert_int_equal(s.v2.hugetlb[i2 % 2].usage, 4096);
	assert_true(s.v2.hugetlb[i2 % 2].max == UINT64_MAX);
	assert_int_equal(s.v2.hugetlb[i1 % 2].max, 1073741824);
	assert_int_equal(s.v2.pids.current, 2);
	assert_int_equal(s.v2.pids.limit, 50);
	assert_int_equal(s.v2.rdma.n_current, 1);
	assert_int_equal(s.v2.rdma.current[0].hca_objects, 2);
	assert_int_equal(s.v2.rdma.limit[0].hca_handles, 10);
	assert_int_equal(s.v2.rdma.limit[0].hca_objects, UINT32_MAX);
	cg_stats_fini(&s);
}

static void
v2_absent_and_old_names(void **state)
{
	struct fx *f = *state;
	struct cg_stats s;
	struct err err = {0};

	tcg_file(f->tmp, "cgroup.controllers", "memory\n");
	tcg_file(f->tmp, "c1/memory.stat", "workingset_refault 40\nworkingset_activate 41\n");
	tcg_file(f->tmp, "c1/pids.max", "max\n");
	open_cg(f, CG_MODE_V2);
	assert_int_equal(cg_stats(f->cg, &s, &err), 0);
	assert_int_equal(s.v2.memory.workingset_refault, 40); /* kernels < 5.9 */
	assert_int_equal(s.v2.memory.workingset_activate, 41);
	assert_true(s.v2.pids.limit == UINT64_MAX);
	assert_false(s.v2.cpu.psi.present);
	assert_int_equal(s.v2.n_hugetlb, 0);
	assert_int_equal(s.v2.io.n_usage, 0);
	cg_stats_fini(&s);
	tcg_mkdir(f->tmp, "c1/io.stat");
	assert_int_equal(cg_stats(f->cg, &s, &err), -1);
	assert_int_equal(err.code, EISDIR);
	assert_non_null(strstr(err.msg, "c1/io.stat"));
}

static void
parsers(void **state)
{
	struct cg_net_stat *ns = NULL;
	struct cg_psi psi;
	size_t n = 0;
	struct err err = {0};
	(void)state;

	cg__parse_psi("garbage\nsome avg10=x\n", &psi);
	assert_true(psi.present);
	assert_int_equal(psi.some.total, 0);
	cg__parse_psi("", &psi);
	assert_false(psi.present);
	cg__parse_netdev(
		"Inter-|   Receive                                                |  Transmit\n"
		" face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets "
		"errs drop fifo colls carrier compressed\n"
		"    lo:  500       5    0    0    0     0          0         0      500       5    "
		"0    0    0     0       0          0\n"
		"  eth0: 1000      10    1    2    0     0          0         3     2000      20    "
		"3    4    0     0       0          0\n",
		&ns, &n);
	assert_int_equal(n, 1);
	assert_string_equal(ns[0].name, "eth0");
	assert_int_equal(ns[0].rx_bytes, 1000);
	assert_int_equal(ns[0].rx_packets, 10);
	assert_int_equal(ns[0].rx_errors, 1);
	assert_int_equal(ns[0].rx_dropped, 2);
	assert_int_equal(ns[0].tx_bytes, 2000);
	assert_int_equal(ns[0].tx_packets, 20);
	assert_int_equal(ns[0].tx_errors, 3);
	assert_int_equal(ns[0].tx_dropped, 4);
	free(ns);
	/* the real thing: our own network namespace */
	assert_int_equal(cg_stats_net(getpid(), &ns, &n, &err), 0);
	for (size_t i = 0; i < n; i++)
		assert_string_not_equal(ns[i].name, "lo");
	free(ns);
	assert_int_equal(cg_stats_net(0x3ffffffe, &ns, &n, &err), -1);
	assert_int_equal(err.code, ENOENT);
	assert_non_null(strstr(err.msg, "/net/dev"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(v1_memory, setup, teardown),
		cmocka_unit_test_setup_teardown(v1_cpu_blkio_hugetlb_pids_rdma, setup, teardown),
		cmocka_unit_test_setup_teardown(v1_absent_and_broken, setup, teardown),
		cmocka_unit_test_setup_teardown(v2_memory, setup, teardown),
		cmocka_unit_test_setup_teardown(v2_cpu_io_hugetlb_pids_rdma, setup, teardown),
		cmocka_unit_test_setup_teardown(v2_absent_and_old_names, setup, teardown),
		cmocka_unit_test(parsers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
