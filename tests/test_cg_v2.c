/* cgroup v2 backend on a fake tree: controllers from cgroup.controllers, create (subtree_control
 * enabled down the ancestors, refused controllers skipped), apply with exact files, bfq probing,
 * checkBeforeUpdate, devices handed to the BPF code, freeze via cgroup.freeze/cgroup.events,
 * kill via cgroup.kill or the freeze-signal-thaw fallback, pids, destroy, the inotify OOM watch.
 * The wrap of cg__write plays the kernel: cgroup.freeze updates cgroup.events. */
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>

#include "cgroups/cg_internal.h"
#include "test_cg_util.h"

int __real_cg__write(const char *dir, const char *file, const char *value, struct err *err);
int __wrap_cg__write(const char *dir, const char *file, const char *value, struct err *err);
int __wrap_cg__dev_prog_apply(int dirfd, const char *dir, const struct cg_device_rule *rules,
			      size_t n, struct err *err);

static char wlog[8192];
static const char *tmp_root; /* wlog names directories relative to it */
static const char *refuse; /* subtree_control writes containing this fail (EINVAL) */
static bool freeze_sticks;  /* cgroup.events does not follow cgroup.freeze */
static size_t n_dev_rules;
static int dev_calls;

int
__wrap_cg__write(const char *dir, const char *file, const char *value, struct err *err)
{
	size_t n = strlen(wlog), tl = tmp_root ? strlen(tmp_root) : 0;
	const char *rel = tmp_root && strncmp(dir, tmp_root, tl) == 0 ? dir + tl : dir;

	snprintf(wlog + n, sizeof(wlog) - n, "%s/%s=%s\n", rel, file, value);
	if (refuse && strcmp(file, "cgroup.subtree_control") == 0 && strstr(value, refuse))
		return err_set(err, EINVAL, "write \"%s\" to %s/%s: injected", value, dir, file);
	if (__real_cg__write(dir, file, value, err) < 0)
		return -1;
	if (strcmp(file, "cgroup.freeze") == 0 && !freeze_sticks) {
		cleanup_free char *ev = xasprintf("populated 1\nfrozen %s\n", value);
		return __real_cg__write(dir, "cgroup.events", ev, err);
	}
	return 0;
}

int
__wrap_cg__dev_prog_apply(int dirfd, const char *dir, const struct cg_device_rule *rules,
			  size_t n, struct err *err)
{
	(void)dirfd, (void)dir, (void)rules, (void)err;
	dev_calls++;
	n_dev_rules = n;
	return 0;
}

struct fx {
	char *tmp;
	struct cg_root *r;
};

static const char *const leaf_knobs[] = {
	"cgroup.procs", "cgroup.controllers", "cgroup.subtree_control", "cgroup.freeze",
	"cgroup.events", "cgroup.kill", "memory.max", "memory.swap.max", "memory.low",
	"memory.high", "memory.current", "cpu.weight", "cpu.max", "cpu.max.burst", "cpu.idle",
	"cpuset.cpus", "cpuset.mems", "pids.max", "io.weight", "io.max", "hugetlb.2MB.max",
	"rdma.max", NULL};

static int
setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof(*f));
	struct cg_root_opts o = {.mode = CG_MODE_V2};
	struct err err = {0};

	f->tmp = tcg_tmpdir();
	tmp_root = f->tmp;
	tcg_file(f->tmp, "cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma misc\n");
	tcg_file(f->tmp, "cgroup.subtree_control", "cpu memory\n");
	tcg_file(f->tmp, "cgroup.procs", "1\n");
	o.root = f->tmp;
	if (cg_root_open(&o, &f->r, &err) < 0)
		fail_msg("%s", err.msg);
	wlog[0] = '\0';
	refuse = NULL;
	freeze_sticks = false;
	dev_calls = 0;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	cg_root_free(f->r);
	tcg_rm(f->tmp);
	free(f->tmp);
	free(f);
	return 0;
}

/* /k/c1 where k exists with its cgroup files and c1 is new. */
static struct cg *
leaf(struct fx *f)
{
	struct cg *cg = NULL;
	struct err err = {0};

	tcg_file(f->tmp, "k/cgroup.controllers", "cpu io memory pids\n");
	tcg_file(f->tmp, "k/cgroup.subtree_control", "%s", "");
	if (cg_create(f->r, "/k/c1", &cg, &err) < 0)
		fail_msg("create: %s", err.msg);
	tcg_files(f->tmp, "k/c1", leaf_knobs);
	tcg_file(f->tmp, "k/c1/cgroup.events", "populated 0\nfrozen 0\n");
	tcg_file(f->tmp, "k/c1/cgroup.freeze", "0\n");
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

static void
controllers_from_root(void **state)
{
	struct fx *f = *state;
	struct cg_root_opts o = {.mode = CG_MODE_V2};
	struct cg_root *r = NULL;
	struct err err = {0};
	cleanup_free char *empty = xasprintf("%s/empty", f->tmp);

	assert_int_equal(cg_root_mode(f->r), CG_MODE_V2);
	assert_int_equal(cg_root_controllers(f->r),
			 CG_BIT(CG_CTRL_CPUSET) | CG_BIT(CG_CTRL_CPU) | CG_BIT(CG_CTRL_BLKIO) |
				 CG_BIT(CG_CTRL_MEMORY) | CG_BIT(CG_CTRL_HUGETLB) |
				 CG_BIT(CG_CTRL_PIDS) | CG_BIT(CG_CTRL_RDMA) | CG_BIT(CG_CTRL_MISC));
	assert_string_equal(cg_root_mount(f->r, CG_CTRL_MEMORY), f->tmp);
	/* no cgroup.controllers: an error naming the file */
	tcg_mkdir(f->tmp, "empty");
	o.root = empty;
	assert_int_equal(cg_root_open(&o, &r, &err), -1);
	assert_int_equal(err.code, ENOENT);
	assert_non_null(strstr(err.msg, "empty/cgroup.controllers"));
}

static void
create_enables_controllers(void **state)
{
	struct fx *f = *state;
	struct cg *cg = NULL;
	struct err err = {0};
	int fd;

	tcg_file(f->tmp, "k/cgroup.controllers", "cpu io memory pids\n");
	tcg_file(f->tmp, "k/cgroup.subtree_control", "memory\n");
	assert_int_equal(cg_create(f->r, "/k/sub/c1", &cg, &err), 0);
	/* root: the ones not yet enabled; k: likewise; sub (new, no files here): skipped */
	assert_string_equal(wlog, "/cgroup.subtree_control=+cpuset +io +hugetlb +pids +rdma +misc\n"
				  "/k/cgroup.subtree_control=+cpu +io +pids\n");
	assert_true(tcg_exists(f->tmp, "k/sub/c1"));
	assert_int_equal(cg->n_made, 2);
	fd = cg_open_dirfd(cg, &err);
	assert_true(fd >= 0);
	close(fd);
	tcg_file(f->tmp, "k/sub/c1/cgroup.controllers", "cpu memory\n");
	assert_int_equal(cg_controllers(cg), CG_BIT(CG_CTRL_CPU) | CG_BIT(CG_CTRL_MEMORY));
	done(cg);
	assert_false(tcg_exists(f->tmp, "k/sub")); /* made by create */
	assert_true(tcg_exists(f->tmp, "k"));	   /* was there */
}

static void
create_skips_refused_controllers(void **state)
{
	struct fx *f = *state;
	struct cg *cg = NULL;
	struct err err = {0};

	tcg_file(f->tmp, "cgroup.subtree_control", "%s", "");
	refuse = "+cpuset";
	assert_int_equal(cg_create(f->r, "/c1", &cg, &err), 0);
	/* all at once refused: one by one, cpuset stays off */
	assert_string_equal(wlog, "/cgroup.subtree_control=+cpuset +cpu +io +memory +hugetlb "
				  "+pids +rdma +misc\n"
				  "/cgroup.subtree_control=+cpuset\n"
				  "/cgroup.subtree_control=+cpu\n"
				  "/cgroup.subtree_control=+io\n"
				  "/cgroup.subtree_control=+memory\n"
				  "/cgroup.subtree_control=+hugetlb\n"
				  "/cgroup.subtree_control=+pids\n"
				  "/cgroup.subtree_control=+rdma\n"
				  "/cgroup.subtree_control=+misc\n");
	done(cg);
}

static void
create_fails_cleanly(void **state)
{
	struct fx *f = *state;
	struct cg *cg = NULL;
	struct err err = {0};

	tcg_file(f->tmp, "a/b", "a file where a directory should be\n");
	assert_int_equal(cg_create(f->r, "/a/b/c", &cg, &err), -1);
	assert_int_equal(err.code, ENOTDIR);
	assert_non_null(strstr(err.msg, "create cgroup /a/b/c"));
	assert_non_null(strstr(err.msg, "/a/b/"));
	assert_int_equal(cg_create(f->r, "/n1/n2/n3", &cg, &err), 0);
	tcg_file(f->tmp, "n1/n2/n3/cgroup.procs", "%s", "");
	chmod(f->tmp, 0755);
	done(cg);
	assert_false(tcg_exists(f->tmp, "n1"));
	assert_int_equal(cg_open(f->r, "/n1/n2/n3", &cg, &err), -1);
	assert_int_equal(err.code, ENOENT);
}

static void
apply_writes_every_file(void **state)
{
	struct fx *f = *state;
	struct cg *cg = leaf(f);
	struct cg_device_rule dev[] = {
		{.allow = false, .type = 'a', .major = -1, .minor = -1, .access = "rwm"},
		{.allow = true, .type = 'c', .major = 1, .minor = 3, .access = "rwm"},
	};
	struct cg_throttle_device wb = {8, 0, 4096};
	struct cg_hugepage hp = {.page_size = (char *)"2MB", .limit = 2 << 20};
	struct cg_rdma rd = {.device = (char *)"m0", .has_hca_objects = true, .hca_objects = 3};
	struct cg_kv kv = {(char *)"memory.high", (char *)"50331648"};
	struct cg_resources r = {.devices = dev, .n_devices = 2, .hugepages = &hp,
				 .n_hugepages = 1, .rdma = &rd, .n_rdma = 1, .unified = &kv,
				 .n_unified = 1};
	static char cpus[] = "0", mems[] = "0";
	struct err err = {0};

	r.has_memory = r.has_cpu = r.has_pids = r.has_blkio = true;
	r.memory.has_limit = true, r.memory.limit = 64 << 20;
	r.memory.has_swap = true, r.memory.swap = 96 << 20;
	r.memory.has_reservation = true, r.memory.reservation = 16 << 20;
	r.cpu.has_shares = true, r.cpu.shares = 2048;
	r.cpu.has_quota = true, r.cpu.quota = 20000;
	r.cpu.has_period = true, r.cpu.period = 100000;
	r.cpu.cpus = cpus, r.cpu.mems = mems;
	r.pids.has_limit = true, r.pids.limit = 10;
	r.blkio.has_weight = true, r.blkio.weight = 1000;
	r.blkio.write_bps = &wb, r.blkio.n_write_bps = 1;
	if (cg_apply(cg, &r, &err) < 0)
		fail_msg("apply: %s", err.msg);
	assert_string_equal(wlog, "/k/c1/memory.swap.max=33554432\n"
				  "/k/c1/memory.max=67108864\n"
				  "/k/c1/memory.low=16777216\n"
				  "/k/c1/cpuset.cpus=0\n"
				  "/k/c1/cpuset.mems=0\n"
				  "/k/c1/cpu.weight=174\n"
				  "/k/c1/cpu.max=20000 100000\n"
				  "/k/c1/pids.max=10\n"
				  "/k/c1/io.weight=10000\n"
				  "/k/c1/io.max=8:0 wbps=4096\n"
				  "/k/c1/hugetlb.2MB.max=2097152\n"
				  "/k/c1/hugetlb.2MB.rsvd.max=2097152\n"
				  "/k/c1/rdma.max=m0 hca_object=3\n"
				  "/k/c1/memory.high=50331648\n");
	assert_cg_file(f->tmp, "k/c1/memory.swap.max", "33554432");
	assert_cg_file(f->tmp, "k/c1/memory.max", "67108864");
	assert_cg_file(f->tmp, "k/c1/memory.low", "16777216");
	assert_cg_file(f->tmp, "k/c1/cpu.weight", "174");
	assert_cg_file(f->tmp, "k/c1/cpu.max", "20000 100000");
	assert_cg_file(f->tmp, "k/c1/pids.max", "10");
	assert_cg_file(f->tmp, "k/c1/io.weight", "10000");
	assert_cg_file(f->tmp, "k/c1/io.max", "8:0 wbps=4096");
	assert_cg_file(f->tmp, "k/c1/hugetlb.2MB.max", "2097152");
	assert_cg_file(f->tmp, "k/c1/rdma.max", "m0 hca_object=3");
	assert_cg_file(f->tmp, "k/c1/memory.high", "50331648");
	assert_false(tcg_exists(f->tmp, "k/c1/hugetlb.2MB.rsvd.max")); /* optional: skipped */
	/* device rules go to the BPF program, all of them */
	assert_int_equal(dev_calls, 1);
	assert_int_equal(n_dev_rules, 2);
	/* no device rules: no program touched */
	r.n_devices = 0;
	assert_int_equal(cg_apply(cg, &r, &err), 0);
	assert_int_equal(dev_calls, 1);
	done(cg);
}

/* A page size the kernel lacks is named with the sizes it has, before anything is written. */
static void
apply_unknown_pagesize(void **state)
{
	struct fx *f = *state;
	struct cg *cg = leaf(f);
	struct cg_hugepage hp[] = {{.page_size = (char *)"2MB", .limit = 2 << 20},
				   {.page_size = (char *)"1GB", .limit = 1 << 30}};
	struct cg_resources r = {.hugepages = hp, .n_hugepages = 2};
	struct err err = {0};

	r.has_pids = true, r.pids.has_limit = true, r.pids.limit = 10;
	assert_int_equal(cg_apply(cg, &r, &err), -1);
	assert_int_equal(err.code, EINVAL);
	assert_non_null(
		strstr(err.msg, "hugepageLimits[1]: the kernel has no 1GB huge pages (it has 2MB)"));
	assert_string_equal(wlog, "");
	done(cg);
}

static void
apply_probes_bfq_and_swap(void **state)
{
	struct fx *f = *state;
	struct cg *cg = leaf(f);
	struct cg_weight_device wd = {.major = 8, .minor = 0, .has_weight = true, .weight = 300};
	struct cg_resources r = {.has_blkio = true, .has_memory = true};
	struct err err = {0};

	r.blkio.has_weight = true, r.blkio.weight = 200;
	r.blkio.weight_device = &wd, r.blkio.n_weight_device = 1;
	tcg_file(f->tmp, "k/c1/io.bfq.weight", "default 100\n");
	assert_int_equal(cg_apply(cg, &r, &err), 0);
	assert_string_equal(wlog, "/k/c1/io.bfq.weight=200\n/k/c1/io.bfq.weight=8:0 300\n");
	/* old BFQ (no per-device lines): per-device weight through io.weight */
	tcg_file(f->tmp, "k/c1/io.bfq.weight", "100\n");
	wlog[0] = '\0';
	assert_int_equal(cg_apply(cg, &r, &err), 0);
	assert_string_equal(wlog, "/k/c1/io.bfq.weight=200\n/k/c1/io.weight=8:0 2930\n");
	/* no swap accounting: a swap limit is refused, "no swap" is skipped */
	tcg_rm_rel(f->tmp, "k/c1/memory.swap.max");
	memset(&r, 0, sizeof(r));
	r.has_memory = true;
	r.memory.has_limit = true, r.memory.limit = 1 << 20;
	r.memory.has_swap = true, r.memory.swap = 2 << 20;
	assert_int_equal(cg_apply(cg, &r, &err), -1);
	assert_int_equal(err.code, ENOTSUP);
	r.memory.swap = 1 << 20;
	wlog[0] = '\0';
	assert_int_equal(cg_apply(cg, &r, &err), 0);
	assert_string_equal(wlog, "/k/c1/memory.swap.max=0\n/k/c1/memory.max=1048576\n");
	done(cg);
}

static void
update_check_before_update(void **state)
{
	struct fx *f = *state;
	struct cg *cg = leaf(f);
	struct cg_resources r = {.has_memory = true};
	struct err err = {0};

	tcg_file(f->tmp, "k/c1/memory.current", "10000\n");
	r.memory.has_limit = true, r.memory.limit = 9999;
	r.memory.has_check_before_update = r.memory.check_before_update = true;
	assert_int_equal(cg_update(cg, &r, &err), -1);
	assert_int_equal(err.code, EBUSY);
	assert_non_null(strstr(err.msg, "update cgroup /k/c1: memory limit 9999 is below"));
	assert_string_equal(wlog, "");
	r.memory.limit = 10000;
	assert_int_equal(cg_update(cg, &r, &err), 0);
	assert_cg_file(f->tmp, "k/c1/memory.max", "10000");
	/* a knob whose controller is not enabled: ENOENT naming the file */
	memset(&r, 0, sizeof(r));
	r.has_cpu = true, r.cpu.has_burst = true, r.cpu.burst = 5;
	tcg_rm_rel(f->tmp, "k/c1/cpu.max.burst");
	assert_int_equal(cg_update(cg, &r, &err), -1);
	assert_int_equal(err.code, ENOENT);
	assert_non_null(strstr(err.msg, "k/c1/cpu.max.burst"));
	done(cg);
}

static void
freeze_and_state(void **state)
{
	struct fx *f = *state;
	struct cg *cg = leaf(f);
	enum cg_freezer_state st = CG_FROZEN;
	struct err err = {0};

	assert_int_equal(cg_freezer_state(cg, &st, &err), 0);
	assert_int_equal(st, CG_THAWED);
	assert_int_equal(cg_freeze(cg, true, &err), 0);
	assert_string_equal(wlog, "/k/c1/cgroup.freeze=1\n");
	assert_int_equal(cg_freezer_state(cg, &st, &err), 0);
	assert_int_equal(st, CG_FROZEN);
	/* asked to freeze, not frozen yet */
	tcg_file(f->tmp, "k/c1/cgroup.events", "populated 1\nfrozen 0\n");
	assert_int_equal(cg_freezer_state(cg, &st, &err), 0);
	assert_int_equal(st, CG_FREEZING);
	assert_int_equal(cg_freeze(cg, false, &err), 0);
	assert_int_equal(cg_freezer_state(cg, &st, &err), 0);
	assert_int_equal(st, CG_THAWED);
	/* kernel < 5.2: no cgroup.freeze */
	tcg_rm_rel(f->tmp, "k/c1/cgroup.freeze");
	assert_int_equal(cg_freeze(cg, true, &err), -1);
	assert_int_equal(err.code, ENOTSUP);
	assert_non_null(strstr(err.msg, "cgroup.freeze is missing"));
	assert_int_equal(cg_freezer_state(cg, &st, &err), 0);
	assert_int_equal(st, CG_THAWED);
	done(cg);
}

static void
freeze_timeout_thaws_again(void **state)
{
	struct fx *f = *state;
	struct cg *cg = leaf(f);
	struct err err = {0};
	long long t0 = cg__now_ms();

	freeze_sticks = true; /* cgroup.events never says "frozen 1" */
	cg__freeze_timeout_ms = 200;
	assert_int_equal(cg_freeze(cg, true, &err), -1);
	assert_true(cg__now_ms() - t0 >= 200);
	assert_int_equal(err.code, ETIMEDOUT);
	assert_non_null(strstr(err.msg, "k/c1/cgroup.events: not frozen after 200 ms"));
	assert_string_equal(wlog, "/k/c1/cgroup.freeze=1\n/k/c1/cgroup.freeze=0\n");
	cg__freeze_timeout_ms = CG_FREEZE_TIMEOUT_MS;
	done(cg);
}

static void
kill_all_with_cgroup_kill(void **state)
{
	struct fx *f = *state;
	struct cg *cg = leaf(f);
	struct err err = {0};

	assert_int_equal(cg_kill_all(cg, SIGKILL, &err), 0);
	assert_string_equal(wlog, "/k/c1/cgroup.kill=1\n");
	done(cg);
}

static void
kill_all_fallback(void **state)
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
	tcg_file(f->tmp, "k/c1/cgroup.procs", "%d\n", (int)child);
	/* another signal than SIGKILL: freeze, kill(2) each, thaw */
	assert_int_equal(cg_kill_all(cg, SIGTERM, &err), 0);
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
	assert_string_equal(wlog, "/k/c1/cgroup.freeze=1\n/k/c1/cgroup.freeze=0\n");
	/* SIGKILL without cgroup.kill (kernel < 5.14) takes the same road */
	child = fork();
	if (child == 0) {
		for (;;)
			pause();
	}
	tcg_file(f->tmp, "k/c1/cgroup.procs", "%d\n", (int)child);
	tcg_rm_rel(f->tmp, "k/c1/cgroup.kill");
	wlog[0] = '\0';
	assert_int_equal(cg_kill_all(cg, SIGKILL, &err), 0);
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	assert_string_equal(wlog, "/k/c1/cgroup.freeze=1\n/k/c1/cgroup.freeze=0\n");
	done(cg);
}

static void
pids_and_nested_destroy(void **state)
{
	struct fx *f = *state;
	struct cg *cg = leaf(f);
	cleanup_free pid_t *pids = NULL;
	struct err err = {0};
	size_t n = 0;

	tcg_file(f->tmp, "k/c1/cgroup.procs", "5\n");
	tcg_file(f->tmp, "k/c1/a/cgroup.procs", "6\n7\n");
	tcg_file(f->tmp, "k/c1/a/b/cgroup.procs", "5\n8\n");
	assert_int_equal(cg_pids(cg, &pids, &n, &err), 0);
	assert_int_equal(n, 4);
	assert_int_equal(pids[0] + pids[1] + pids[2] + pids[3], 5 + 6 + 7 + 8);
	assert_int_equal(cg_add_pid(cg, 321, &err), 0);
	assert_cg_file(f->tmp, "k/c1/cgroup.procs", "321");
	/* missing cgroup.procs: the error names it */
	tcg_rm_rel(f->tmp, "k/c1/a/b/cgroup.procs");
	tcg_rm_rel(f->tmp, "k/c1/cgroup.procs");
	free(pids);
	pids = NULL;
	assert_int_equal(cg_pids(cg, &pids, &n, &err), -1);
	assert_null(pids);
	assert_int_equal(n, 0);
	assert_non_null(strstr(err.msg, "pids of cgroup /k/c1: open"));
	done(cg); /* children first */
	assert_false(tcg_exists(f->tmp, "k/c1"));
}

static void
oom_inotify(void **state)
{
	struct fx *f = *state;
	struct cg *cg = leaf(f);
	struct cg_oom *w = NULL;
	struct pollfd pfd;
	struct err err = {0};
	uint64_t n = 9;
	bool gone = true;

	tcg_rm_rel(f->tmp, "k/c1/memory.events");
	assert_int_equal(cg_oom_open(cg, &w, &err), -1);
	assert_int_equal(err.code, ENOENT);
	assert_non_null(strstr(err.msg, "k/c1/memory.events"));
	tcg_file(f->tmp, "k/c1/memory.events", "low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n");
	tcg_file(f->tmp, "k/c1/cgroup.events", "populated 1\nfrozen 0\n");
	assert_int_equal(cg_oom_open(cg, &w, &err), 0);
	pfd.fd = cg_oom_fd(w), pfd.events = POLLIN;
	assert_int_equal(poll(&pfd, 1, 0), 0);
	/* the kernel rewrites memory.events: two more kills */
	tcg_file(f->tmp, "k/c1/memory.events", "low 0\nhigh 0\nmax 9\noom 3\noom_kill 3\n");
	assert_int_equal(poll(&pfd, 1, 1000), 1);
	assert_int_equal(cg_oom_check(w, &n, &gone, &err), 0);
	assert_int_equal(n, 2);
	assert_false(gone);
	assert_int_equal(poll(&pfd, 1, 0), 0); /* drained */
	/* "max" moved, no kill */
	tcg_file(f->tmp, "k/c1/memory.events", "low 0\nhigh 0\nmax 10\noom 3\noom_kill 3\n");
	assert_int_equal(cg_oom_check(w, &n, &gone, &err), 0);
	assert_int_equal(n, 0);
	/* cgroup.events changes, processes remain (frozen): still watching */
	tcg_file(f->tmp, "k/c1/cgroup.events", "populated 1\nfrozen 1\n");
	assert_int_equal(poll(&pfd, 1, 1000), 1);
	assert_int_equal(cg_oom_check(w, &n, &gone, &err), 0);
	assert_false(gone);
	/* the last process is OOM-killed: the kill is counted, and the watch ends (kernfs says
	 * nothing when the directory goes) */
	tcg_file(f->tmp, "k/c1/memory.events", "low 0\nhigh 0\nmax 11\noom 4\noom_kill 4\n");
	tcg_file(f->tmp, "k/c1/cgroup.events", "populated 0\nfrozen 0\n");
	assert_int_equal(poll(&pfd, 1, 1000), 1);
	assert_int_equal(cg_oom_check(w, &n, &gone, &err), 0);
	assert_int_equal(n, 1);
	assert_true(gone);
	cg_oom_close(w);
	/* the cgroup goes away */
	assert_int_equal(cg_oom_open(cg, &w, &err), 0);
	pfd.fd = cg_oom_fd(w);
	tcg_rm_rel(f->tmp, "k/c1/memory.events");
	assert_int_equal(poll(&pfd, 1, 1000), 1);
	assert_int_equal(cg_oom_check(w, &n, &gone, &err), 0);
	assert_int_equal(n, 0);
	assert_true(gone);
	cg_oom_close(w);
	done(cg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(controllers_from_root, setup, teardown),
		cmocka_unit_test_setup_teardown(create_enables_controllers, setup, teardown),
		cmocka_unit_test_setup_teardown(create_skips_refused_controllers, setup, teardown),
		cmocka_unit_test_setup_teardown(create_fails_cleanly, setup, teardown),
		cmocka_unit_test_setup_teardown(apply_writes_every_file, setup, teardown),
		cmocka_unit_test_setup_teardown(apply_unknown_pagesize, setup, teardown),
		cmocka_unit_test_setup_teardown(apply_probes_bfq_and_swap, setup, teardown),
		cmocka_unit_test_setup_teardown(update_check_before_update, setup, teardown),
		cmocka_unit_test_setup_teardown(freeze_and_state, setup, teardown),
		cmocka_unit_test_setup_teardown(freeze_timeout_thaws_again, setup, teardown),
		cmocka_unit_test_setup_teardown(kill_all_with_cgroup_kill, setup, teardown),
		cmocka_unit_test_setup_teardown(kill_all_fallback, setup, teardown),
		cmocka_unit_test_setup_teardown(pids_and_nested_destroy, setup, teardown),
		cmocka_unit_test_setup_teardown(oom_inotify, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
