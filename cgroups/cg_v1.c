/* cg_v1: the cgroup v1 backend (also hybrid: the unified mount gets the directory and the pids,
 * as systemd tracks processes there). One directory per hierarchy; co-mounted controllers
 * (cpu,cpuacct) share one. */
#include "cg_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/xalloc.h"

size_t
cg__v1_mounts(const struct cg_root *root, const char **out, size_t cap)
{
	size_t n = 0;

	for (int c = 0; c < CG_CTRL_COUNT && n < cap; c++) {
		const char *m = root->mount[c];
		bool dup = false;

		if (m == NULL)
			continue;
		for (size_t i = 0; i < n && !dup; i++)
			dup = strcmp(out[i], m) == 0;
		if (!dup)
			out[n++] = m;
	}
	return n;
}

/* The distinct hierarchy mount points (plus the unified one in hybrid), in controller order. */
static size_t
hierarchies(const struct cg *cg, const char **out, size_t cap)
{
	size_t n = cg__v1_mounts(cg->root, out, cap);

	if (cg->root->mode == CG_MODE_HYBRID && cg->root->unified && n < cap)
		out[n++] = cg->root->unified;
	return n;
}

static char *
v1_dir(const struct cg *cg, enum cg_controller c)
{
	if ((unsigned)c >= CG_CTRL_COUNT || cg->root->mount[c] == NULL)
		return NULL;
	return cg__join(cg->root->mount[c], cg->path);
}

/* A new cpuset cgroup starts with empty cpus and mems, and then takes no task: fill each level
 * from its parent, top down. */
static int
cpuset_fill(const char *mount, const char *path, struct err *err)
{
	cleanup_free char *cur = xstrdup(mount);
	const char *p = path;

	while (*p) {
		size_t len;
		char *next;

		p += strspn(p, "/");
		len = strcspn(p, "/");
		if (len == 0)
			break;
		next = xasprintf("%s/%.*s", cur, (int)len, p);
		for (int i = 0; i < 2; i++) {
			const char *file = i == 0 ? "cpuset.cpus" : "cpuset.mems";
			cleanup_free char *mine = NULL, *parent = NULL;

			struct err e = {0};

			if (cg__read(next, file, &mine, &e) < 0 && e.code == ENOENT)
				continue; /* fake trees only: the kernel always has both */
			if (e.code != 0 || cg__read(cur, file, &parent, err) < 0) {
				if (e.code != 0)
					*err = e;
				free(next);
				return -1;
			}
			if (mine[strspn(mine, " \n")] != '\0')
				continue;
			parent[strcspn(parent, "\n")] = '\0';
			if (cg__write(next, file, parent, err) < 0) {
				free(next);
				return -1;
			}
		}
		free(cur);
		cur = next;
		p += len;
	}
	return 0;
}

static int
v1_create(struct cg *cg, struct err *err)
{
	const char *h[CG_CTRL_COUNT + 1];
	size_t n = hierarchies(cg, h, ARRAY_SIZE(h));

	for (size_t i = 0; i < n; i++) {
		cleanup_free char *dir = NULL;

		if (!cg__is_dir(h[i]))
			return err_set(err, ENOENT, "cgroup hierarchy %s is missing", h[i]);
		if (cg__mkdir_path(h[i], cg->path, &cg->made, &cg->n_made, err) < 0)
			return -1;
		dir = cg__join(h[i], cg->path);
		if (!cg__exists(dir, "cgroup.procs"))
			continue; /* fake layouts: nothing to check */
		{
			cleanup_free char *procs = cg__join(dir, "cgroup.procs");
			if (access(procs, W_OK) < 0)
				return err_sys(err, "%s is not writable", procs);
		}
	}
	if (cg->root->mount[CG_CTRL_CPUSET])
		return cpuset_fill(cg->root->mount[CG_CTRL_CPUSET], cg->path, err);
	return 0;
}

static int
v1_open(struct cg *cg, struct err *err)
{
	const char *h[CG_CTRL_COUNT + 1];
	size_t n = hierarchies(cg, h, ARRAY_SIZE(h));

	for (size_t i = 0; i < n; i++) {
		cleanup_free char *dir = cg__join(h[i], cg->path);
		if (cg__is_dir(dir))
			return 0;
	}
	return err_set(err, ENOENT, "cgroup %s does not exist under %s", cg->path,
		       cg->root->root);
}

static unsigned
v1_controllers(const struct cg *cg)
{
	unsigned bits = 0;

	for (int c = 0; c < CG_CTRL_COUNT; c++) {
		cleanup_free char *dir = v1_dir(cg, (enum cg_controller)c);
		if (dir && cg__is_dir(dir))
			bits |= CG_BIT(c);
	}
	return bits;
}

static int
v1_add_pid(struct cg *cg, pid_t pid, struct err *err)
{
	const char *h[CG_CTRL_COUNT + 1];
	size_t n = hierarchies(cg, h, ARRAY_SIZE(h));

	for (size_t i = 0; i < n; i++) {
		cleanup_free char *dir = cg__join(h[i], cg->path);

		if (cg->is_opened && !cg__is_dir(dir))
			continue; /* e.g. a hierarchy mounted after the container was created */
		if (cg__write_pid(dir, pid, err) < 0)
			return -1;
	}
	return 0;
}

static int
check_before_update(struct cg *cg, const struct cg_resources *r, struct err *err)
{
	cleanup_free char *dir = v1_dir(cg, CG_CTRL_MEMORY);
	uint64_t usage;

	if (!r->has_memory || !r->memory.has_check_before_update ||
	    !r->memory.check_before_update || !r->memory.has_limit || r->memory.limit <= 0 ||
	    dir == NULL)
		return 0;
	if (cg__read_u64(dir, "memory.usage_in_bytes", &usage, err) < 0)
		return -1;
	if ((uint64_t)r->memory.limit < usage)
		return err_set(err, EBUSY,
			       "memory limit %lld is below the current usage %llu "
			       "(checkBeforeUpdate)",
			       (long long)r->memory.limit, (unsigned long long)usage);
	return 0;
}

static int
v1_apply(struct cg *cg, const struct cg_resources *r, bool update, struct err *err)
{
	cleanup_free char *mem = v1_dir(cg, CG_CTRL_MEMORY);
	cleanup_free char *blkio = v1_dir(cg, CG_CTRL_BLKIO);
	struct cg_facts f = {0};
	struct cg_plan plan = {0};
	int rc;

	if (update && check_before_update(cg, r, err) < 0)
		return -1;
	if (r->n_hugepages > 0) {
		cleanup_free char *hp = v1_dir(cg, CG_CTRL_HUGETLB);
		if (cg__check_pagesizes(r, hp, "limit_in_bytes", err) < 0)
			return -1;
	}
	f.has_memsw = mem && cg__exists(mem, "memory.memsw.limit_in_bytes");
	f.blkio_bfq = blkio && cg__exists(blkio, "blkio.bfq.weight");
	if (cg__plan_v1(r, &f, &plan, err) < 0) {
		cg__plan_fini(&plan);
		return -1;
	}
	rc = cg__plan_run(cg, &plan, v1_dir, err);
	cg__plan_fini(&plan);
	return rc;
}

static int
read_state(const char *dir, enum cg_freezer_state *out, struct err *err)
{
	cleanup_free char *text = NULL;

	if (cg__read(dir, "freezer.state", &text, err) < 0)
		return -1;
	if (strncmp(text, "FROZEN", 6) == 0)
		*out = CG_FROZEN;
	else if (strncmp(text, "FREEZING", 8) == 0)
		*out = CG_FREEZING;
	else if (strncmp(text, "THAWED", 6) == 0)
		*out = CG_THAWED;
	else
		return err_set(err, EINVAL, "%s/freezer.state: unknown state \"%.16s\"", dir, text);
	return 0;
}

static int
v1_freezer_state(struct cg *cg, enum cg_freezer_state *out, struct err *err)
{
	cleanup_free char *dir = v1_dir(cg, CG_CTRL_FREEZER);

	if (dir == NULL) {
		*out = CG_THAWED; /* nothing can be frozen */
		return 0;
	}
	return read_state(dir, out, err);
}

static int
v1_freeze(struct cg *cg, bool frozen, struct err *err)
{
	cleanup_free char *dir = v1_dir(cg, CG_CTRL_FREEZER);
	const char *want = frozen ? "FROZEN" : "THAWED";
	long long deadline = cg__now_ms() + cg__freeze_timeout_ms;
	enum cg_freezer_state st;

	if (dir == NULL)
		return err_set(err, ENOTSUP, "cgroup %s: no freezer hierarchy", cg->path);
	for (int i = 0;; i++) {
		/* Rewriting FROZEN retries tasks that could not be frozen yet (e.g. in vfork). */
		if (i % 25 == 0 && cg__write(dir, "freezer.state", want, err) < 0)
			return -1;
		if (read_state(dir, &st, err) < 0)
			return -1;
		if (st == (frozen ? CG_FROZEN : CG_THAWED))
			return 0;
		if (cg__now_ms() >= deadline)
			break;
		cg__sleep_ms(i < 10 ? 1 : 10);
	}
	if (frozen) {
		struct err ignored = {0};
		cg__write(dir, "freezer.state", "THAWED", &ignored);
	}
	return err_set(err, ETIMEDOUT, "%s/freezer.state: still %s after %d ms", dir,
		       cg_freezer_state_name(st), cg__freeze_timeout_ms);
}

static int
v1_pids(struct cg *cg, pid_t **pids, size_t *n, struct err *err)
{
	static const enum cg_controller pref[] = {CG_CTRL_FREEZER, CG_CTRL_PIDS, CG_CTRL_MEMORY,
						  CG_CTRL_CPU, CG_CTRL_SYSTEMD, CG_CTRL_DEVICES};
	const char *h[CG_CTRL_COUNT + 1];
	size_t nh;

	for (size_t i = 0; i < ARRAY_SIZE(pref); i++) {
		cleanup_free char *dir = v1_dir(cg, pref[i]);
		if (dir && cg__is_dir(dir))
			return cg__read_pids(dir, true, pids, n, err);
	}
	nh = hierarchies(cg, h, ARRAY_SIZE(h));
	for (size_t i = 0; i < nh; i++) {
		cleanup_free char *dir = cg__join(h[i], cg->path);
		if (cg__is_dir(dir))
			return cg__read_pids(dir, true, pids, n, err);
	}
	return err_set(err, ENOENT, "cgroup %s does not exist", cg->path);
}

static int
v1_kill(struct cg *cg, int sig, struct err *err)
{
	(void)cg, (void)sig, (void)err;
	return 0; /* no cgroup.kill on v1: freeze, signal, thaw */
}

static int
v1_destroy(struct cg *cg, struct err *err)
{
	const char *h[CG_CTRL_COUNT + 1];
	size_t n = hierarchies(cg, h, ARRAY_SIZE(h));
	long long deadline = cg__now_ms() + cg__destroy_timeout_ms;
	int rc = 0;

	for (size_t i = 0; i < n; i++) {
		cleanup_free char *dir = cg__join(h[i], cg->path);
		struct err e = {0};

		if (cg__rmdir_tree(dir, deadline, &e) < 0 && rc == 0) {
			*err = e;
			rc = -1;
		}
	}
	/* Parents we made: only while empty (another container may be using them now). */
	for (size_t i = cg->n_made; rc == 0 && i-- > 0;)
		if (rmdir(cg->made[i]) < 0 && errno != ENOENT && errno != EBUSY &&
		    errno != ENOTEMPTY)
			rc = err_sys(err, "rmdir %s", cg->made[i]);
	return rc;
}

static int
v1_stats(struct cg *cg, struct cg_stats *out, struct err *err)
{
	return cg__stats_v1(cg, &out->v1, err);
}

static int
v1_oom_open(const struct cg *cg, struct cg_oom **out, struct err *err)
{
	cleanup_free char *dir = v1_dir(cg, CG_CTRL_MEMORY);

	if (dir == NULL)
		return err_set(err, ENOTSUP, "no memory hierarchy");
	return cg__oom_open_v1(dir, out, err);
}

const struct cg_ops cg__v1_ops = {
	.create = v1_create,
	.open = v1_open,
	.controllers = v1_controllers,
	.dir = v1_dir,
	.add_pid = v1_add_pid,
	.apply = v1_apply,
	.freeze = v1_freeze,
	.freezer_state = v1_freezer_state,
	.pids = v1_pids,
	.kill = v1_kill,
	.stats = v1_stats,
	.destroy = v1_destroy,
	.oom_open = v1_oom_open,
};
