/* cgroup v1 / hybrid backend on a fake tree: detection from a fake mountinfo, create (every
 * hierarchy, co-mounted ones once, cpuset filled, undo on failure), open, add pid, apply with
 * exact file contents and write order, update checks, freeze, pids, kill-all, destroy (only what
 * was made, EBUSY retried), the v1 OOM eventfd. cg__write and rmdir are wrapped to record and
 * inject errors. */
#include <signal.h>
#include <sys/wait.h>

#include "test_cg_v1_fixture.h"

/* ---- detection ---- */

static void
detect_from_mountinfo(void **state)
{
	struct fx *f = *state;
	unsigned want = CG_BIT(CG_CTRL_CPU) | CG_BIT(CG_CTRL_CPUACCT) | CG_BIT(CG_CTRL_CPUSET) |
			CG_BIT(CG_CTRL_MEMORY) | CG_BIT(CG_CTRL_DEVICES) | CG_BIT(CG_CTRL_FREEZER) |
			CG_BIT(CG_CTRL_BLKIO) | CG_BIT(CG_CTRL_PIDS) | CG_BIT(CG_CTRL_NET_CLS) |
			CG_BIT(CG_CTRL_NET_PRIO) | CG_BIT(CG_CTRL_RDMA) | CG_BIT(CG_CTRL_SYSTEMD);
	cleanup_free char *cpu = xasprintf("%s/cpu,cpuacct", f->root);
	cleanup_free char *sd = xasprintf("%s/systemd", f->root);

	assert_int_equal(cg_root_mode(f->r), CG_MODE_V1);
	assert_int_equal(cg_root_controllers(f->r), want);
	/* co-mounted controllers share the directory; the \040 escape is undone */
	assert_string_equal(cg_root_mount(f->r, CG_CTRL_CPU), cpu);
	assert_string_equal(cg_root_mount(f->r, CG_CTRL_CPUACCT), cpu);
	assert_string_equal(cg_root_mount(f->r, CG_CTRL_SYSTEMD), sd);
	assert_null(cg_root_mount(f->r, CG_CTRL_HUGETLB)); /* not mounted */
	assert_null(f->r->unified);
	assert_string_equal(cg_mode_name(CG_MODE_V1), "v1");
	assert_string_equal(cg_controller_name(CG_CTRL_SYSTEMD), "name=systemd");
	assert_string_equal(cg_controller_name_v2(CG_CTRL_BLKIO), "io");
	assert_null(cg_controller_name_v2(CG_CTRL_FREEZER));
}

static void
detect_hybrid_and_dirs(void **state)
{
	struct fx *f = *state;
	cleanup_free char *uni = xasprintf("%s/unified", f->root);
	struct cg_root_opts o = {.root = f->root, .mountinfo = f->mi, .mode = CG_MODE_V1};
	struct cg_root *r = NULL;
	struct err err = {0};

	assert_int_equal(cg_root_mode(f->r), CG_MODE_HYBRID);
	assert_string_equal(f->r->unified, uni);
	/* a mountinfo with nothing under root: directories <root>/<controller> (fake layouts) */
	tcg_file(f->tmp, "mountinfo", "22 1 0:21 / /sys rw - sysfs sysfs rw\n");
	tcg_mkdir(f->root, "memory");
	assert_int_equal(cg_root_open(&o, &r, &err), 0);
	assert_int_equal(cg_root_controllers(r),
			 CG_BIT(CG_CTRL_CPUSET) | CG_BIT(CG_CTRL_MEMORY) | CG_BIT(CG_CTRL_DEVICES) |
				 CG_BIT(CG_CTRL_FREEZER) | CG_BIT(CG_CTRL_BLKIO) |
				 CG_BIT(CG_CTRL_PIDS) | CG_BIT(CG_CTRL_RDMA) |
				 CG_BIT(CG_CTRL_SYSTEMD));
	cg_root_free(r);
}

static void
detect_errors(void **state)
{
	struct fx *f = *state;
	cleanup_free char *missing = xasprintf("%s/nope", f->tmp);
	cleanup_free char *empty = xasprintf("%s/empty", f->tmp);
	struct cg_root_opts o = {.root = missing, .mountinfo = f->mi};
	struct cg_root *r = NULL;
	struct err err = {0};

	assert_int_equal(cg_root_open(&o, &r, &err), -1);
	assert_int_equal(err.code, ENOENT);
	assert_non_null(strstr(err.msg, "statfs"));
	assert_non_null(strstr(err.msg, "/nope"));
	/* a plain directory is neither cgroup2 nor tmpfs (unless /tmp is a tmpfs) */
	tcg_mkdir(f->tmp, "empty");
	o.root = empty;
	if (cg_root_open(&o, &r, &err) == 0)
		fail_msg("plain dir %s detected as %s", empty, cg_mode_name(cg_root_mode(r)));
	assert_true(err.code == ENOTSUP || err.code == ENOENT);
	/* forced v1 with no controllers at all */
	o.mode = CG_MODE_V1;
	assert_int_equal(cg_root_open(&o, &r, &err), -1);
	assert_int_equal(err.code, ENOENT);
	assert_non_null(strstr(err.msg, "no cgroup v1 controller"));
	/* unreadable mountinfo in detect mode names it */
	o.mode = CG_MODE_DETECT;
	o.root = "/sys/fs/cgroup";
	o.mountinfo = missing;
	if (access("/sys/fs/cgroup/cgroup.controllers", F_OK) != 0) { /* v1 / hybrid host */
		assert_int_equal(cg_root_open(&o, &r, &err), -1);
		assert_non_null(strstr(err.msg, "/nope"));
	}
}

/* ---- create / open / destroy ---- */

static void
create_every_hierarchy(void **state)
{
	struct fx *f = *state;
	struct cg *cg;
	struct err err = {0};

	tcg_file(f->root, "cpuset/a/b/cpuset.cpus", "1\n");
	tcg_file(f->root, "cpuset/a/b/cpuset.mems", "0\n");
	tcg_file(f->root, "cpuset/a/cpuset.cpus", "%s", "");
	tcg_file(f->root, "cpuset/a/cpuset.mems", "\n");
	tcg_file(f->root, "cpuset/a/b/c1/cpuset.cpus", "%s", "");
	tcg_file(f->root, "cpuset/a/b/c1/cpuset.mems", "%s", "");
	cg = create(f, "/a/b/c1");
	assert_string_equal(cg_path(cg), "/a/b/c1");
	for (size_t i = 0; i < ARRAY_SIZE(hier); i++) {
		cleanup_free char *d = xasprintf("%s/a/b/c1", hier[i]);
		assert_true(tcg_exists(f->root, d));
	}
	/* 9 fresh hierarchies x 3 levels; cpuset existed */
	assert_int_equal(cg->n_made, 27);
	/* cpuset levels filled from their parents where empty */
	assert_cg_file(f->root, "cpuset/a/cpuset.cpus", "0-3");
	assert_cg_file(f->root, "cpuset/a/cpuset.mems", "0");
	assert_cg_file(f->root, "cpuset/a/b/cpuset.cpus", "1\n"); /* kept */
	assert_cg_file(f->root, "cpuset/a/b/c1/cpuset.cpus", "1");
	assert_cg_file(f->root, "cpuset/a/b/c1/cpuset.mems", "0");
	assert_true(cg_controllers(cg) & CG_BIT(CG_CTRL_NET_PRIO));
	assert_false(cg_controllers(cg) & CG_BIT(CG_CTRL_HUGETLB));
	assert_int_equal(cg_mode(cg), CG_MODE_V1);
	assert_int_equal(cg_open_dirfd(cg, &err), -1);
	assert_int_equal(err.code, ENOTSUP);
	/* destroy: what create made goes; the cpuset levels that existed stay */
	assert_int_equal(cg_destroy(cg, &err), 0);
	assert_false(tcg_exists(f->root, "memory/a"));
	assert_false(tcg_exists(f->root, "cpu,cpuacct/a"));
	assert_false(tcg_exists(f->root, "cpuset/a/b/c1"));
	assert_true(tcg_exists(f->root, "cpuset/a/b"));
	cg_free(cg);
}

static void
create_hybrid_uses_unified(void **state)
{
	struct fx *f = *state;
	struct cg *cg;
	struct err err = {0};
	int fd;

	tcg_file(f->root, "cpuset/c1/cpuset.cpus", "%s", "");
	tcg_file(f->root, "cpuset/c1/cpuset.mems", "%s", "");
	cg = create(f, "/c1");
	assert_true(tcg_exists(f->root, "unified/c1"));
	fd = cg_open_dirfd(cg, &err);
	assert_true(fd >= 0);
	close(fd);
	tcg_file(f->root, "unified/c1/cgroup.procs", "%s", "");
	for (size_t i = 0; i < ARRAY_SIZE(hier); i++) {
		cleanup_free char *d = xasprintf("%s/c1", hier[i]);
		tcg_files(f->root, d, leaf_files);
	}
	assert_int_equal(cg_add_pid(cg, 4242, &err), 0);
	assert_cg_file(f->root, "unified/c1/cgroup.procs", "4242");
	assert_cg_file(f->root, "systemd/c1/cgroup.procs", "4242");
	assert_int_equal(cg_destroy(cg, &err), 0);
	assert_false(tcg_exists(f->root, "unified/c1"));
	cg_free(cg);
}

static void
create_failure_leaves_nothing(void **state)
{
	struct fx *f = *state;
	struct cg *cg = NULL;
	struct err err = {0};

	tcg_file(f->root, "pids/a", "not a directory"); /* mkdir pids/a/c1 fails */
	assert_int_equal(cg_create(f->r, "/a/c1", &cg, &err), -1);
	assert_null(cg);
	assert_int_equal(err.code, ENOTDIR);
	assert_non_null(strstr(err.msg, "create cgroup /a/c1: mkdir"));
	assert_non_null(strstr(err.msg, "pids/a/c1"));
	assert_false(tcg_exists(f->root, "cpu,cpuacct/a"));
	assert_false(tcg_exists(f->root, "memory/a"));
	assert_true(tcg_exists(f->root, "pids/a"));
	/* a hierarchy that mountinfo names but is gone */
	tcg_rm(f->root);
	tcg_mkdir(f->root, "cpu,cpuacct");
	assert_int_equal(cg_create(f->r, "/c2", &cg, &err), -1);
	assert_int_equal(err.code, ENOENT);
	assert_non_null(strstr(err.msg, "is missing"));
	assert_false(tcg_exists(f->root, "cpu,cpuacct/c2"));
}

static void
bad_paths_refused(void **state)
{
	struct fx *f = *state;
	static const char *const bad[] = {"relative", "/a/../b", "/..", "/", "//", ""};
	struct cg *cg = NULL;
	struct err err = {0};

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_int_equal(cg_create(f->r, bad[i], &cg, &err), -1);
		assert_int_equal(err.code, EINVAL);
		assert_int_equal(cg_open(f->r, bad[i], &cg, &err), -1);
	}
	assert_int_equal(cg_create(f->r, NULL, &cg, &err), -1);
	assert_null(cg);
	assert_false(tcg_exists(f->root, "memory/relative"));
}

static void
open_and_destroy_leaf_only(void **state)
{
	struct fx *f = *state;
	struct cg *cg = NULL;
	struct err err = {0};

	assert_int_equal(cg_open(f->r, "/p/c1", &cg, &err), -1);
	assert_int_equal(err.code, ENOENT);
	assert_non_null(strstr(err.msg, "/p/c1 does not exist"));
	tcg_mkdir(f->root, "memory/p/c1/sub/deeper");
	tcg_file(f->root, "memory/p/c1/memory.limit_in_bytes", "1\n");
	tcg_mkdir(f->root, "pids/p/c1");
	assert_int_equal(cg_open(f->r, "/p/c1", &cg, &err), 0);
	assert_int_equal(cg_controllers(cg), CG_BIT(CG_CTRL_MEMORY) | CG_BIT(CG_CTRL_PIDS));
	/* add_pid skips hierarchies where an opened cgroup is absent */
	tcg_files(f->root, "memory/p/c1", leaf_files);
	tcg_files(f->root, "pids/p/c1", leaf_files);
	assert_int_equal(cg_add_pid(cg, 77, &err), 0);
	assert_cg_file(f->root, "pids/p/c1/cgroup.procs", "77");
	assert_int_equal(cg_destroy(cg, &err), 0);
	assert_false(tcg_exists(f->root, "memory/p/c1"));
	assert_true(tcg_exists(f->root, "memory/p")); /* not ours */
	assert_true(tcg_exists(f->root, "pids/p"));
	/* absent everywhere now: destroying again is fine */
	assert_int_equal(cg_destroy(cg, &err), 0);
	cg_free(cg);
}

static void
destroy_retries_ebusy(void **state)
{
	struct fx *f = *state;
	cleanup_free char *leaf = xasprintf("%s/memory/c1", f->root);
	struct cg *cg = create(f, "/c1");
	struct err err = {0};
	long long t0;

	busy_path = leaf;
	n_busy = 3;
	n_rmdir_busy = 0;
	assert_int_equal(cg_destroy(cg, &err), 0);
	assert_int_equal(n_rmdir_busy, 3);
	assert_false(tcg_exists(f->root, "memory/c1"));
	cg_free(cg);
	/* still busy after the timeout: the error names the directory and EBUSY */
	cg = create(f, "/c1");
	n_busy = 1000000;
	cg__destroy_timeout_ms = 300;
	t0 = cg__now_ms();
	assert_int_equal(cg_destroy(cg, &err), -1);
	assert_true(cg__now_ms() - t0 >= 300);
	assert_true(cg__now_ms() - t0 < 2000);
	assert_true(n_rmdir_busy > 3);
	assert_int_equal(err.code, EBUSY);
	assert_non_null(strstr(err.msg, "rmdir"));
	assert_non_null(strstr(err.msg, "memory/c1"));
	/* the other hierarchies were still removed */
	assert_false(tcg_exists(f->root, "pids/c1"));
	busy_path = NULL;
	cg_free(cg);
}

static void
writable_checked(void **state)
{
	struct fx *f = *state;
	cleanup_free char *mem = xasprintf("%s/memory", f->root);
	cleanup_free char *deep = xasprintf("%s/memory/a/b", f->root);
	struct cg *cg = NULL;
	struct err err = {0};

	assert_int_equal(cg_root_check_writable(f->r, "/a/b/c1", &err), 0);
	/* a read-only hierarchy: the deepest existing directory is named */
	rofs_path = mem;
	assert_int_equal(cg_root_check_writable(f->r, "/a/b/c1", &err), -1);
	assert_int_equal(err.code, EROFS);
	assert_non_null(strstr(err.msg, "cgroup directory"));
	assert_non_null(strstr(err.msg, "/memory is not writable"));
	tcg_mkdir(f->root, "memory/a/b");
	assert_int_equal(cg_root_check_writable(f->r, "/a/b/c1", &err), 0);
	rofs_path = deep;
	assert_int_equal(cg_root_check_writable(f->r, "/a/b/c1", &err), -1);
	assert_non_null(strstr(err.msg, "memory/a/b is not writable"));
	/* create checks cgroup.procs of an existing leaf */
	tcg_file(f->root, "memory/a/b/c1/cgroup.procs", "%s", "");
	tcg_files(f->root, "cpuset/a/b/c1", leaf_files);
	rofs_path = NULL;
	{
		cleanup_free char *procs = xasprintf("%s/memory/a/b/c1/cgroup.procs", f->root);
		rofs_path = procs;
		assert_int_equal(cg_create(f->r, "/a/b/c1", &cg, &err), -1);
		rofs_path = NULL;
	}
	assert_int_equal(err.code, EROFS);
	assert_non_null(strstr(err.msg, "cgroup.procs is not writable"));
	assert_false(tcg_exists(f->root, "cpu,cpuacct/a")); /* made, then undone */
	assert_true(tcg_exists(f->root, "memory/a/b/c1")); /* not ours */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(detect_from_mountinfo, setup, teardown),
		cmocka_unit_test_setup_teardown(detect_hybrid_and_dirs, setup_hybrid, teardown),
		cmocka_unit_test_setup_teardown(detect_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(create_every_hierarchy, setup, teardown),
		cmocka_unit_test_setup_teardown(create_hybrid_uses_unified, setup_hybrid, teardown),
		cmocka_unit_test_setup_teardown(create_failure_leaves_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(bad_paths_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(open_and_destroy_leaf_only, setup, teardown),
		cmocka_unit_test_setup_teardown(destroy_retries_ebusy, setup, teardown),
		cmocka_unit_test_setup_teardown(writable_checked, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
