/* cgroups on the real host (root only; skipped otherwise): a throwaway cgroup /husk-test-<pid>
 * created, a forked child added, limits applied and read back, updated, stats, freeze/thaw,
 * OOM notification, kill-all, destroy. Works on v1, hybrid and v2 (the qemu guest reruns it).
 * Leaves nothing behind: every test destroys its cgroup, even on failure (teardown). */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/cleanup.h"
#include "base/fdutil.h"
#include "base/xalloc.h"
#include "cgroups/cg_internal.h"
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/sched.h>
#include <sys/syscall.h>

struct host {
	struct cg_root *root;
	struct cg *cg;
	pid_t child;
	char path[64];
};

static void *volatile kept;

static void
child_loop(void)
{
	for (;;)
		pause();
}

static pid_t
fork_child(void (*fn)(void))
{
	pid_t pid = fork();

	if (pid == 0) {
		fn();
		_exit(0);
	}
	assert_true(pid > 0);
	return pid;
}

/* A child that joins the cgroup itself, touches 8 MiB (charged to the cgroup) and waits. */
static pid_t
fork_member(struct host *h)
{
	int pfd[2];
	char c = 0;
	pid_t pid;

	assert_int_equal(pipe(pfd), 0);
	pid = fork();
	if (pid == 0) {
		struct err cerr = {0};
		char *p;

		close(pfd[0]);
		if (cg_add_pid(h->cg, getpid(), &cerr) < 0)
			_exit(3);
		p = malloc(8 << 20);
		if (p == NULL)
			_exit(4);
		memset(p, 1, 8 << 20);
		kept = p; /* or the compiler drops malloc + memset */
		if (write(pfd[1], "x", 1) != 1)
			_exit(5);
		child_loop();
	}
	assert_true(pid > 0);
	close(pfd[1]);
	assert_int_equal(read(pfd[0], &c, 1), 1);
	close(pfd[0]);
	return pid;
}

static int
setup(void **state)
{
	struct host *h = xcalloc(1, sizeof(*h));
	struct err err = {0};

	*state = h;
	if (geteuid() != 0 || cg_root_open(NULL, &h->root, &err) < 0)
		return 0; /* tests skip */
	snprintf(h->path, sizeof(h->path), "/husk-test-%d", (int)getpid());
	if (cg_create(h->root, h->path, &h->cg, &err) < 0) {
		fprintf(stderr, "# create: %s\n", err.msg);
		return -1;
	}
	return 0;
}

static int
teardown(void **state)
{
	struct host *h = *state;
	struct err err = {0};
	int rc = 0;

	if (h->child > 0) {
		kill(h->child, SIGKILL);
		if (h->cg)
			cg_freeze(h->cg, false, &err);
		waitpid(h->child, NULL, 0);
	}
	if (h->cg && cg_destroy(h->cg, &err) < 0) {
		fprintf(stderr, "# destroy: %s\n", err.msg);
		rc = -1;
	}
	cg_free(h->cg);
	cg_root_free(h->root);
	free(h);
	return rc;
}

#define NEED_HOST(h)                                                                               \
	do {                                                                                       \
		if ((h)->cg == NULL)                                                               \
			skip();                                                                    \
	} while (0)

static char *
read_ctrl(struct host *h, enum cg_controller c, const char *file)
{
	cleanup_free char *dir = cg_dir(h->cg, c), *path = NULL;
	char *text = NULL;
	struct err err = {0};

	assert_non_null(dir);
	path = xasprintf("%s/%s", dir, file);
	if (read_file_at(-1, path, &text, NULL, &err) < 0)
		fail_msg("%s", err.msg);
	text[strcspn(text, "\n")] = '\0';
	return text;
}

static void
assert_file(struct host *h, enum cg_controller c, const char *file, const char *want)
{
	cleanup_free char *got = read_ctrl(h, c, file);

	if (strcmp(got, want) != 0)
		fail_msg("%s: got \"%s\", want \"%s\"", file, got, want);
}

static bool
is_v2(struct host *h)
{
	return cg_mode(h->cg) == CG_MODE_V2;
}

static void
host_detect(void **state)
{
	struct host *h = *state;

	NEED_HOST(h);
	print_message("# mode %s, controllers 0x%x\n", cg_mode_name(cg_root_mode(h->root)),
		      cg_root_controllers(h->root));
	assert_true(cg_root_controllers(h->root) & CG_BIT(CG_CTRL_MEMORY));
	assert_true(cg_controllers(h->cg) & CG_BIT(CG_CTRL_MEMORY));
	assert_true(cg_root_has_cgroupns(h->root));
}

static void
host_add_pid_and_pids(void **state)
{
	struct host *h = *state;
	struct err err = {0};
	cleanup_free pid_t *pids = NULL;
	cleanup_free char *self = NULL, *procfile = NULL;
	size_t n = 0;

	NEED_HOST(h);
	h->child = fork_child(child_loop);
	assert_int_equal(cg_add_pid(h->cg, h->child, &err), 0);
	assert_int_equal(cg_pids(h->cg, &pids, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(pids[0], h->child);
	procfile = xasprintf("/proc/%d/cgroup", (int)h->child);
	assert_int_equal(read_file_at(-1, procfile, &self, NULL, &err), 0);
	assert_non_null(strstr(self, h->path));
	assert_int_equal(cg_add_pid(h->cg, -1, &err), -1);
	assert_int_equal(err.code, EINVAL);
}

/* Every line of /proc/PID/cgroup names the test cgroup: every hierarchy joined. */
static void
assert_everywhere(struct host *h, pid_t pid)
{
	cleanup_free char *text = NULL, *procfile = xasprintf("/proc/%d/cgroup", (int)pid);
	struct err err = {0};
	int lines = 0;

	assert_int_equal(read_file_at(-1, procfile, &text, NULL, &err), 0);
	for (char *l = strtok(text, "\n"); l; l = strtok(NULL, "\n"), lines++) {
		const char *p = strrchr(l, ':');
		if (strcmp(p + 1, h->path) != 0)
			fail_msg("pid %d not in %s: %s", (int)pid, h->path, l);
	}
	assert_true(lines > 0);
}

static void
host_join_self(void **state)
{
	struct host *h = *state;
	struct cg_join j;
	struct err err = {0};
	int pfd[2];
	char c = 0;

	NEED_HOST(h);
	assert_int_equal(cg_join_prepare(h->cg, &j, &err), 0);
	assert_true(j.n_tasks > 0 || j.dirfd >= 0);
	assert_int_equal(pipe(pfd), 0);
	h->child = fork();
	if (h->child == 0) {
		struct err cerr = {0};
		if (cg_join_self(&j, false, &cerr) < 0)
			_exit(3);
		cg_join_close(&j);
		if (write(pfd[1], "x", 1) != 1)
			_exit(4);
		child_loop();
	}
	cg_join_close(&j);
	close(pfd[1]);
	assert_int_equal(read(pfd[0], &c, 1), 1);
	close(pfd[0]);
	assert_everywhere(h, h->child);
}

/* clone3 CLONE_INTO_CGROUP puts the child into the cgroup2 part; it joins the v1 ones. */
static void
host_join_born_in_v2(void **state)
{
	struct host *h = *state;
	struct cg_join j;
	struct clone_args args = {.flags = CLONE_INTO_CGROUP, .exit_signal = SIGCHLD};
	struct err err = {0};
	int pfd[2];
	char c = 0;

	NEED_HOST(h);
	assert_int_equal(cg_join_prepare(h->cg, &j, &err), 0);
	if (j.dirfd < 0) {
		cg_join_close(&j);
		skip(); /* v1 without a cgroup2 mount */
	}
	args.cgroup = (uint64_t)j.dirfd;
	assert_int_equal(pipe(pfd), 0);
	h->child = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
	assert_true(h->child >= 0);
	if (h->child == 0) {
		struct err cerr = {0};
		if (cg_join_self(&j, true, &cerr) < 0)
			_exit(3);
		if (write(pfd[1], "x", 1) != 1)
			_exit(4);
		child_loop();
	}
	cg_join_close(&j);
	close(pfd[1]);
	assert_int_equal(read(pfd[0], &c, 1), 1);
	close(pfd[0]);
	assert_everywhere(h, h->child);
}

/* A cgroup that is gone: the error names the file, nothing stays open. */
static void
host_join_missing(void **state)
{
	struct host *h = *state;
	struct cg *gone = NULL;
	struct cg_join j;
	struct err err = {0};
	char path[64];
	int before = dup(0);

	NEED_HOST(h);
	close(before);
	snprintf(path, sizeof(path), "/husk-test-join-gone-%d", (int)getpid());
	assert_int_equal(cg_create(h->root, path, &gone, &err), 0);
	assert_int_equal(cg_destroy(gone, &err), 0);
	assert_int_equal(cg_join_prepare(gone, &j, &err), -1);
	assert_int_equal(err.code, ENOENT);
	assert_non_null(strstr(err.msg, "husk-test-join-gone"));
	assert_int_equal(dup(0), before); /* the lowest free fd did not move */
	close(before);
	cg_free(gone);
}

static void
host_apply_and_update(void **state)
{
	struct host *h = *state;
	struct cg_resources r = {0};
	struct cg_throttle_device td = {.major = 0, .minor = 0, .rate = 1048576};
	struct stat st;
	struct err err = {0};
	bool blk = stat("/sys/dev/block/254:0", &st) == 0;

	NEED_HOST(h);
	h->child = fork_member(h);
	r.has_memory = r.has_cpu = r.has_pids = true;
	r.memory.has_limit = true, r.memory.limit = 64 << 20;
	r.cpu.has_shares = true, r.cpu.shares = 512;
	r.cpu.has_quota = true, r.cpu.quota = 50000;
	r.cpu.has_period = true, r.cpu.period = 100000;
	r.cpu.cpus = (char *)"0";
	r.pids.has_limit = true, r.pids.limit = 32;
	if (blk) {
		td.major = 254;
		r.has_blkio = true;
		r.blkio.read_bps = &td;
		r.blkio.n_read_bps = 1;
	}
	if (cg_apply(h->cg, &r, &err) < 0)
		fail_msg("apply: %s", err.msg);
	if (is_v2(h)) {
		assert_file(h, CG_CTRL_MEMORY, "memory.max", "67108864");
		assert_file(h, CG_CTRL_CPU, "cpu.weight", "59");
		assert_file(h, CG_CTRL_CPU, "cpu.max", "50000 100000");
		if (blk)
			assert_file(h, CG_CTRL_BLKIO, "io.max",
				    "254:0 rbps=1048576 wbps=max riops=max wiops=max");
	} else {
		assert_file(h, CG_CTRL_MEMORY, "memory.limit_in_bytes", "67108864");
		assert_file(h, CG_CTRL_CPU, "cpu.shares", "512");
		assert_file(h, CG_CTRL_CPU, "cpu.cfs_quota_us", "50000");
		assert_file(h, CG_CTRL_CPU, "cpu.cfs_period_us", "100000");
		if (blk)
			assert_file(h, CG_CTRL_BLKIO, "blkio.throttle.read_bps_device",
				    "254:0 1048576");
	}
	assert_file(h, CG_CTRL_PIDS, "pids.max", "32");
	assert_file(h, CG_CTRL_CPUSET, "cpuset.cpus", "0");

	/* Update: raise memory (+swap on v1, where memory <= memsw must hold at each step). */
	memset(&r, 0, sizeof(r));
	r.has_memory = true;
	r.memory.has_limit = true, r.memory.limit = 256 << 20;
	r.memory.has_swap = true, r.memory.swap = 512 << 20;
	if (cg_update(h->cg, &r, &err) < 0) {
		if (err.code != ENOTSUP) /* v2 without swap accounting */
			fail_msg("update: %s", err.msg);
	} else if (is_v2(h)) {
		assert_file(h, CG_CTRL_MEMORY, "memory.max", "268435456");
		assert_file(h, CG_CTRL_MEMORY, "memory.swap.max", "268435456");
	} else {
		assert_file(h, CG_CTRL_MEMORY, "memory.limit_in_bytes", "268435456");
		assert_file(h, CG_CTRL_MEMORY, "memory.memsw.limit_in_bytes", "536870912");
	}
	/* And down again below the old memory limit: the order flips. */
	r.memory.limit = 32 << 20, r.memory.swap = 48 << 20;
	if (cg_update(h->cg, &r, &err) < 0 && err.code != ENOTSUP)
		fail_msg("update down: %s", err.msg);
	/* Up again past the current memsw: memory first fails (EINVAL), is retried after swap. */
	r.memory.limit = 128 << 20, r.memory.swap = 192 << 20;
	if (cg_update(h->cg, &r, &err) < 0) {
		if (err.code != ENOTSUP)
			fail_msg("update up: %s", err.msg);
	} else if (!is_v2(h)) {
		assert_file(h, CG_CTRL_MEMORY, "memory.limit_in_bytes", "134217728");
		assert_file(h, CG_CTRL_MEMORY, "memory.memsw.limit_in_bytes", "201326592");
	}
	/* checkBeforeUpdate: below current usage is refused. */
	memset(&r, 0, sizeof(r));
	r.has_memory = true;
	r.memory.has_limit = true, r.memory.limit = 4096;
	r.memory.has_check_before_update = r.memory.check_before_update = true;
	assert_int_equal(cg_update(h->cg, &r, &err), -1);
	assert_int_equal(err.code, EBUSY);
}

static void
host_stats(void **state)
{
	struct host *h = *state;
	struct cg_stats s;
	struct err err = {0};

	NEED_HOST(h);
	h->child = fork_member(h);
	if (cg_stats(h->cg, &s, &err) < 0)
		fail_msg("stats: %s", err.msg);
	assert_int_equal(s.is_v2, is_v2(h));
	if (s.is_v2) {
		assert_int_equal(s.v2.pids.current, 1);
		assert_true(s.v2.memory.n_raw > 10);
		assert_true(s.v2.memory.usage_limit == UINT64_MAX);
		assert_true(s.v2.memory.usage >= (8u << 20));
		assert_true(s.v2.memory.anon >= (8u << 20));
	} else {
		assert_int_equal(s.v1.pids.current, 1);
		assert_int_equal(s.v1.pids.limit, 0); /* "max" */
		assert_true(s.v1.memory.n_raw > 10);
		assert_true(s.v1.memory.usage.limit > (1ull << 40));
		assert_true(s.v1.cpu.n_per_cpu >= 1);
		assert_true(s.v1.memory.usage.usage >= (8u << 20));
		assert_true(s.v1.memory.rss >= (8u << 20));
		print_message("# memory usage %llu, cache %llu, cpu total %llu ns\n",
			      (unsigned long long)s.v1.memory.usage.usage,
			      (unsigned long long)s.v1.memory.cache,
			      (unsigned long long)s.v1.cpu.total);
	}
	cg_stats_fini(&s);
}

static void
host_freeze_thaw(void **state)
{
	struct host *h = *state;
	enum cg_freezer_state st;
	struct err err = {0};

	NEED_HOST(h);
	h->child = fork_child(child_loop);
	assert_int_equal(cg_add_pid(h->cg, h->child, &err), 0);
	assert_int_equal(cg_freezer_state(h->cg, &st, &err), 0);
	assert_int_equal(st, CG_THAWED);
	if (cg_freeze(h->cg, true, &err) < 0)
		fail_msg("freeze: %s", err.msg);
	assert_int_equal(cg_freezer_state(h->cg, &st, &err), 0);
	assert_int_equal(st, CG_FROZEN);
	if (cg_freeze(h->cg, false, &err) < 0)
		fail_msg("thaw: %s", err.msg);
	assert_int_equal(cg_freezer_state(h->cg, &st, &err), 0);
	assert_int_equal(st, CG_THAWED);
}

static void
child_eat_memory(void)
{
	for (;;) {
		char *p = malloc(1 << 20);
		if (p)
			memset(p, 1, 1 << 20);
		kept = p;
	}
}

static void
host_oom(void **state)
{
	struct host *h = *state;
	struct cg_resources r = {0};
	struct cg_oom *w = NULL;
	struct err err = {0};
	struct pollfd pfd;
	uint64_t n_oom = 0;
	bool gone = false;
	int status = 0;

	NEED_HOST(h);
	r.has_memory = true;
	r.memory.has_limit = true, r.memory.limit = 16 << 20;
	r.memory.has_swap = true, r.memory.swap = 16 << 20;
	if (cg_apply(h->cg, &r, &err) < 0)
		fail_msg("apply: %s", err.msg);
	if (cg_oom_open(h->cg, &w, &err) < 0)
		fail_msg("oom open: %s", err.msg);
	pfd.fd = cg_oom_fd(w);
	pfd.events = POLLIN;
	assert_int_equal(poll(&pfd, 1, 0), 0);
	assert_int_equal(cg_oom_check(w, &n_oom, &gone, &err), 0);
	assert_int_equal(n_oom, 0);
	h->child = fork();
	if (h->child == 0) {
		/* join first, then allocate: the parent cannot add us before we start eating */
		struct err cerr = {0};
		if (cg_add_pid(h->cg, getpid(), &cerr) < 0)
			_exit(3);
		child_eat_memory();
	}
	/* v2 wakes us for every memory.events change: "max" before the kill, so poll again. The
	 * kill that empties the cgroup also ends the watch (v2: populated 0). */
	for (int i = 0; i < 100 && n_oom == 0 && !gone; i++) {
		assert_int_equal(poll(&pfd, 1, 20000), 1);
		assert_int_equal(cg_oom_check(w, &n_oom, &gone, &err), 0);
	}
	assert_true(n_oom >= 1);
	assert_int_equal(waitpid(h->child, &status, 0), h->child);
	h->child = 0;
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGKILL);
	cg_oom_close(w);
}

static void
host_kill_all_and_destroy(void **state)
{
	struct host *h = *state;
	cleanup_free char *dir = NULL;
	struct cg *again = NULL;
	struct err err = {0};
	int status;

	NEED_HOST(h);
	h->child = fork_child(child_loop);
	assert_int_equal(cg_add_pid(h->cg, h->child, &err), 0);
	if (cg_kill_all(h->cg, SIGKILL, &err) < 0)
		fail_msg("kill: %s", err.msg);
	assert_int_equal(waitpid(h->child, &status, 0), h->child);
	h->child = 0;
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	/* A later process opens it by path and destroys it. */
	assert_int_equal(cg_open(h->root, h->path, &again, &err), 0);
	dir = cg_dir(again, CG_CTRL_MEMORY);
	if (cg_destroy(again, &err) < 0)
		fail_msg("destroy: %s", err.msg);
	cg_free(again);
	assert_int_equal(access(dir, F_OK), -1);
	assert_int_equal(cg_open(h->root, h->path, &again, &err), -1);
	assert_int_equal(err.code, ENOENT);
}

static uint32_t
attached_progs(int dirfd)
{
	uint32_t ids[16];
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.query.target_fd = (uint32_t)dirfd;
	attr.query.attach_type = BPF_CGROUP_DEVICE;
	attr.query.prog_ids = (uint64_t)(uintptr_t)ids;
	attr.query.prog_cnt = 16;
	assert_int_equal(syscall(SYS_bpf, BPF_PROG_QUERY, &attr, sizeof(attr)), 0);
	return attr.query.prog_cnt;
}

/* The eBPF device filter, for real, on the cgroup2 directory (v2, or hybrid's unified one):
 * a child in the cgroup may read /dev/null but not write it; replacing the filter on update
 * leaves one program attached. */
static void
host_device_filter(void **state)
{
	struct host *h = *state;
	struct cg_device_rule rules[] = {
		{.allow = false, .type = 'a', .major = -1, .minor = -1, .access = "rwm"},
		{.allow = true, .type = 'c', .major = 1, .minor = 3, .access = "rwm"},
		{.allow = false, .type = 'c', .major = 1, .minor = 3, .access = "w"},
	};
	cleanup_free char *dir = NULL;
	cleanup_close int fd = -1;
	struct err err = {0};
	int status = 0;
	pid_t child;

	NEED_HOST(h);
	if (h->cg->root->unified == NULL)
		skip();
	dir = cg__join(h->cg->root->unified, h->path);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	if (cg__dev_prog_apply(fd, dir, rules, ARRAY_SIZE(rules), &err) < 0)
		fail_msg("device filter: %s", err.msg);
	assert_int_equal(attached_progs(fd), 1);
	child = fork();
	if (child == 0) {
		struct err cerr = {0};
		int r, w;
		if (cg__write_pid(dir, getpid(), &cerr) < 0)
			_exit(10);
		r = open("/dev/null", O_RDONLY);
		w = open("/dev/null", O_WRONLY);
		_exit(r >= 0 && w < 0 && errno == EPERM ? 0 : 11);
	}
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	/* update: the new filter replaces the old one (write allowed again) */
	if (cg__dev_prog_apply(fd, dir, rules, 2, &err) < 0)
		fail_msg("device filter update: %s", err.msg);
	assert_int_equal(attached_progs(fd), 1);
	child = fork();
	if (child == 0) {
		struct err cerr = {0};
		if (cg__write_pid(dir, getpid(), &cerr) < 0)
			_exit(10);
		_exit(open("/dev/null", O_WRONLY) >= 0 ? 0 : 11);
	}
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(host_detect, setup, teardown),
		cmocka_unit_test_setup_teardown(host_add_pid_and_pids, setup, teardown),
		cmocka_unit_test_setup_teardown(host_join_self, setup, teardown),
		cmocka_unit_test_setup_teardown(host_join_born_in_v2, setup, teardown),
		cmocka_unit_test_setup_teardown(host_join_missing, setup, teardown),
		cmocka_unit_test_setup_teardown(host_apply_and_update, setup, teardown),
		cmocka_unit_test_setup_teardown(host_stats, setup, teardown),
		cmocka_unit_test_setup_teardown(host_freeze_thaw, setup, teardown),
		cmocka_unit_test_setup_teardown(host_oom, setup, teardown),
		cmocka_unit_test_setup_teardown(host_kill_all_and_destroy, setup, teardown),
		cmocka_unit_test_setup_teardown(host_device_filter, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
