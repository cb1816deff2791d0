/* cg_v2: the cgroup v2 backend: one directory; controllers enabled from the root down through
 * cgroup.subtree_control; freezing with cgroup.freeze; kill with cgroup.kill. */
#include "cg_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/xalloc.h"

static char *
v2_dir(const struct cg *cg, enum cg_controller c)
{
	(void)c;
	return cg__join(cg->root->unified, cg->path);
}

static bool
has_word(const char *text, const char *word, size_t len)
{
	for (const char *p = text; *p;) {
		size_t l;

		p += strspn(p, " \n");
		l = strcspn(p, " \n");
		if (l == len && strncmp(p, word, len) == 0)
			return true;
		p += l;
	}
	return false;
}

/* Enables in dir/cgroup.subtree_control every controller dir has and has not enabled yet. All
 * at once first; if the kernel refuses the set, one by one, skipping those it refuses (a
 * threaded subtree, processes in an inner cgroup...), as runc does. */
static int
enable_controllers(const char *dir, struct err *err)
{
	cleanup_free char *avail = NULL, *enabled = NULL, *all = NULL;
	struct err e = {0};
	size_t n = 0, cap;

	if (cg__read(dir, "cgroup.controllers", &avail, &e) < 0)
		return e.code == ENOENT ? 0 : (*err = e, -1);
	if (cg__read(dir, "cgroup.subtree_control", &enabled, err) < 0)
		return -1;
	cap = strlen(avail) * 2 + 2;
	all = xcalloc(1, cap);
	for (const char *p = avail; *p;) {
		size_t l;

		p += strspn(p, " \n");
		l = strcspn(p, " \n");
		if (l > 0 && !has_word(enabled, p, l))
			n += (size_t)snprintf(all + n, cap - n, "%s+%.*s", n ? " " : "", (int)l, p);
		p += l;
	}
	if (n == 0 || cg__write(dir, "cgroup.subtree_control", all, &e) == 0)
		return 0;
	for (char *save = NULL, *t = strtok_r(all, " ", &save); t; t = strtok_r(NULL, " ", &save))
		cg__write(dir, "cgroup.subtree_control", t, &e); /* refused ones stay off */
	return 0;
}

static int
v2_create(struct cg *cg, struct err *err)
{
	cleanup_free char *cur = xstrdup(cg->root->unified);
	cleanup_free char *procs = NULL;
	const char *p = cg->path;

	if (!cg__is_dir(cur))
		return err_set(err, ENOENT, "cgroup2 root %s is missing", cur);
	while (*p) {
		size_t len;
		char *next;

		p += strspn(p, "/");
		len = strcspn(p, "/");
		if (len == 0)
			break;
		/* Parents only: the leaf holds the processes, and v2 forbids both. */
		if (cg->root->mode == CG_MODE_V2 && enable_controllers(cur, err) < 0)
			return -1;
		next = xasprintf("%s/%.*s", cur, (int)len, p);
		free(cur);
		cur = next;
		p += len;
		if (mkdir(cur, 0755) == 0) {
			cg->made = xreallocarray(cg->made, cg->n_made + 2, sizeof(char *));
			cg->made[cg->n_made++] = xstrdup(cur);
			cg->made[cg->n_made] = NULL;
		} else if (errno != EEXIST) {
			return err_sys(err, "mkdir %s", cur);
		}
	}
	procs = cg__join(cur, "cgroup.procs");
	if (access(procs, F_OK) == 0 && access(procs, W_OK) < 0)
		return err_sys(err, "%s is not writable", procs);
	return 0;
}

static int
v2_open(struct cg *cg, struct err *err)
{
	cleanup_free char *dir = v2_dir(cg, CG_CTRL_COUNT);

	if (!cg__is_dir(dir))
		return err_set(err, ENOENT, "cgroup %s does not exist", dir);
	return 0;
}

static unsigned
v2_controllers(const struct cg *cg)
{
	cleanup_free char *dir = v2_dir(cg, CG_CTRL_COUNT), *text = NULL;
	struct err e = {0};
	unsigned bits = 0;

	if (cg__read(dir, "cgroup.controllers", &text, &e) < 0)
		return 0;
	for (int c = 0; c < CG_CTRL_COUNT; c++) {
		const char *name = cg_controller_name_v2((enum cg_controller)c);
		if (name && has_word(text, name, strlen(name)))
			bits |= CG_BIT(c);
	}
	return bits;
}

static int
v2_add_pid(struct cg *cg, pid_t pid, struct err *err)
{
	cleanup_free char *dir = v2_dir(cg, CG_CTRL_COUNT);

	return cg__write_pid(dir, pid, err);
}

static int
check_before_update(const char *dir, const struct cg_resources *r, struct err *err)
{
	uint64_t usage;

	if (!r->has_memory || !r->memory.has_check_before_update ||
	    !r->memory.check_before_update || !r->memory.has_limit || r->memory.limit <= 0)
		return 0;
	if (cg__read_u64(dir, "memory.current", &usage, err) < 0)
		return -1;
	if ((uint64_t)r->memory.limit < usage)
		return err_set(err, EBUSY,
			       "memory limit %lld is below the current usage %llu "
			       "(checkBeforeUpdate)",
			       (long long)r->memory.limit, (unsigned long long)usage);
	return 0;
}

static void
probe(const char *dir, struct cg_facts *f)
{
	cleanup_free char *bfq = NULL;
	struct err e = {0};

	f->has_swap = cg__exists(dir, "memory.swap.max");
	f->blkio_bfq = cg__read(dir, "io.bfq.weight", &bfq, &e) == 0;
	/* Kernels >= 5.4 list "default N" first and accept "MAJ:MIN W" lines. */
	f->bfq_per_device = f->blkio_bfq && strncmp(bfq, "default", 7) == 0;
}

static int
v2_apply(struct cg *cg, const struct cg_resources *r, bool update, struct err *err)
{
	cleanup_free char *dir = v2_dir(cg, CG_CTRL_COUNT);
	cleanup_close int fd = -1;
	struct cg_facts f = {0};
	struct cg_plan plan = {0};
	int rc;

	if (update && check_before_update(dir, r, err) < 0)
		return -1;
	if (cg__check_pagesizes(r, dir, "max", err) < 0)
		return -1;
	probe(dir, &f);
	if (cg__plan_v2(r, &f, &plan, err) < 0) {
		cg__plan_fini(&plan);
		return -1;
	}
	rc = cg__plan_run(cg, &plan, v2_dir, err);
	cg__plan_fini(&plan);
	if (rc < 0 || r->n_devices == 0)
		return rc;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return err_sys(err, "open %s", dir);
	return cg__dev_prog_apply(fd, dir, r->devices, r->n_devices, err);
}

/* cgroup.events "frozen 0|1"; -1 when absent. */
static int
events_frozen(int fd)
{
	char buf[256];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	uint64_t v;

	if (n <= 0)
		return -1;
	buf[n] = '\0';
	if (cg__kv_get(buf, "frozen", &v) < 0)
		return -1;
	return v ? 1 : 0;
}

static int
v2_freezer_state(struct cg *cg, enum cg_freezer_state *out, struct err *err)
{
	cleanup_free char *dir = v2_dir(cg, CG_CTRL_COUNT), *events = NULL;
	cleanup_close int fd = -1;
	uint64_t want;

	if (!cg__exists(dir, "cgroup.freeze")) {
		*out = CG_THAWED; /* kernel < 5.2: nothing can be frozen */
		return 0;
	}
	if (cg__read_u64(dir, "cgroup.freeze", &want, err) < 0)
		return -1;
	if (want == 0) {
		*out = CG_THAWED;
		return 0;
	}
	events = cg__join(dir, "cgroup.events");
	fd = open(events, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_sys(err, "open %s", events);
	*out = events_frozen(fd) == 1 ? CG_FROZEN : CG_FREEZING;
	return 0;
}

static int
v2_freeze(struct cg *cg, bool frozen, struct err *err)
{
	cleanup_free char *dir = v2_dir(cg, CG_CTRL_COUNT), *events = NULL;
	cleanup_close int fd = -1;
	long long deadline = cg__now_ms() + cg__freeze_timeout_ms;

	if (!cg__exists(dir, "cgroup.freeze"))
		return err_set(err, ENOTSUP, "%s/cgroup.freeze is missing (kernel < 5.2)", dir);
	events = cg__join(dir, "cgroup.events");
	fd = open(events, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_sys(err, "open %s", events);
	if (cg__write(dir, "cgroup.freeze", frozen ? "1" : "0", err) < 0)
		return -1;
	/* The kernel flags cgroup.events with POLLPRI when "frozen" changes. */
	while (events_frozen(fd) != (frozen ? 1 : 0)) {
		struct pollfd pfd = {.fd = fd, .events = POLLPRI};
		long long left = deadline - cg__now_ms();

		if (left <= 0) {
			struct err ignored = {0};
			if (frozen)
				cg__write(dir, "cgroup.freeze", "0", &ignored);
			return err_set(err, ETIMEDOUT, "%s: not %s after %d ms", events,
				       frozen ? "frozen" : "thawed", cg__freeze_timeout_ms);
		}
		poll(&pfd, 1, left < 50 ? (int)left : 50);
	}
	return 0;
}

static int
v2_pids(struct cg *cg, pid_t **pids, size_t *n, struct err *err)
{
	cleanup_free char *dir = v2_dir(cg, CG_CTRL_COUNT);

	return cg__read_pids(dir, true, pids, n, err);
}

static int
v2_kill(struct cg *cg, int sig, struct err *err)
{
	cleanup_free char *dir = v2_dir(cg, CG_CTRL_COUNT);

	if (sig != SIGKILL || !cg__exists(dir, "cgroup.kill"))
		return 0; /* kernel < 5.14 or another signal: freeze, signal, thaw */
	if (cg__write(dir, "cgroup.kill", "1", err) < 0)
		return -1;
	return 1;
}

static int
v2_destroy(struct cg *cg, struct err *err)
{
	cleanup_free char *dir = v2_dir(cg, CG_CTRL_COUNT);

	if (cg__rmdir_tree(dir, cg__now_ms() + cg__destroy_timeout_ms, err) < 0)
		return -1;
	for (size_t i = cg->n_made; i-- > 0;)
		if (rmdir(cg->made[i]) < 0 && errno != ENOENT && errno != EBUSY &&
		    errno != ENOTEMPTY)
			return err_sys(err, "rmdir %s", cg->made[i]);
	return 0;
}

static int
v2_stats(struct cg *cg, struct cg_stats *out, struct err *err)
{
	cleanup_free char *dir = v2_dir(cg, CG_CTRL_COUNT);

	return cg__stats_v2(dir, &out->v2, err);
}

static int
v2_oom_open(const struct cg *cg, struct cg_oom **out, struct err *err)
{
	cleanup_free char *dir = v2_dir(cg, CG_CTRL_COUNT);

	return cg__oom_open_v2(dir, out, err);
}

const struct cg_ops cg__v2_ops = {
	.create = v2_create,
	.open = v2_open,
	.controllers = v2_controllers,
	.dir = v2_dir,
	.add_pid = v2_add_pid,
	.apply = v2_apply,
	.freeze = v2_freeze,
	.freezer_state = v2_freezer_state,
	.pids = v2_pids,
	.kill = v2_kill,
	.stats = v2_stats,
	.destroy = v2_destroy,
	.oom_open = v2_oom_open,
};
