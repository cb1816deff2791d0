/* cg: hierarchy detection (v1 / hybrid / v2) and dispatch to the backend's ops table. */
#include "cgroups.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/fdutil.h"
#include "base/xalloc.h"
#include "cg_internal.h"

int cg__freeze_timeout_ms = CG_FREEZE_TIMEOUT_MS;
int cg__destroy_timeout_ms = CG_DESTROY_TIMEOUT_MS;

static const char *const ctrl_names[CG_CTRL_COUNT] = {
	[CG_CTRL_CPU] = "cpu",		 [CG_CTRL_CPUACCT] = "cpuacct",
	[CG_CTRL_CPUSET] = "cpuset",	 [CG_CTRL_MEMORY] = "memory",
	[CG_CTRL_DEVICES] = "devices",	 [CG_CTRL_FREEZER] = "freezer",
	[CG_CTRL_BLKIO] = "blkio",	 [CG_CTRL_PIDS] = "pids",
	[CG_CTRL_HUGETLB] = "hugetlb",	 [CG_CTRL_NET_CLS] = "net_cls",
	[CG_CTRL_NET_PRIO] = "net_prio", [CG_CTRL_PERF_EVENT] = "perf_event",
	[CG_CTRL_RDMA] = "rdma",	 [CG_CTRL_MISC] = "misc",
	[CG_CTRL_SYSTEMD] = "name=systemd",
};

const char *
cg_mode_name(enum cg_mode m)
{
	switch (m) {
	case CG_MODE_V1:
		return "v1";
	case CG_MODE_HYBRID:
		return "hybrid";
	case CG_MODE_V2:
		return "v2";
	case CG_MODE_DETECT:
		break;
	}
	return "detect";
}

const char *
cg_controller_name(enum cg_controller c)
{
	if ((unsigned)c >= CG_CTRL_COUNT)
		return "unified";
	return ctrl_names[c];
}

const char *
cg_controller_name_v2(enum cg_controller c)
{
	switch (c) {
	case CG_CTRL_CPU:
	case CG_CTRL_CPUSET:
	case CG_CTRL_MEMORY:
	case CG_CTRL_PIDS:
	case CG_CTRL_HUGETLB:
	case CG_CTRL_PERF_EVENT:
	case CG_CTRL_RDMA:
	case CG_CTRL_MISC:
		return ctrl_names[c];
	case CG_CTRL_BLKIO:
		return "io";
	default:
		return NULL;
	}
}

const char *
cg_freezer_state_name(enum cg_freezer_state s)
{
	switch (s) {
	case CG_THAWED:
		return "THAWED";
	case CG_FREEZING:
		return "FREEZING";
	case CG_FROZEN:
		return "FROZEN";
	}
	return "UNKNOWN";
}

static int
ctrl_by_name(const char *name, size_t len)
{
	for (int c = 0; c < CG_CTRL_COUNT; c++)
		if (strlen(ctrl_names[c]) == len && strncmp(ctrl_names[c], name, len) == 0)
			return c;
	if (len == 2 && strncmp(name, "io", 2) == 0)
		return CG_CTRL_BLKIO;
	return -1;
}

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void
unescape_octal(char *s)
{
	char *w = s;

	for (char *r = s; *r;) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '7' && r[2] >= '0' && r[2] <= '7' &&
		    r[3] >= '0' && r[3] <= '7') {
			*w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
			r += 4;
		} else {
			*w++ = *r++;
		}
	}
	*w = '\0';
}

static bool
under_root(const char *root, const char *mnt)
{
	size_t n = strlen(root);

	while (n > 1 && root[n - 1] == '/')
		n--;
	return strncmp(mnt, root, n) == 0 && mnt[n] == '/';
}

/* One mountinfo line: "36 25 0:32 / /sys/fs/cgroup/memory rw,... - cgroup cgroup rw,memory". */
static void
parse_mount_line(struct cg_root *r, char *line)
{
	char *fields[6] = {0}, *sep, *save = NULL, *fstype, *opts;
	int i = 0;

	sep = strstr(line, " - ");
	if (sep == NULL)
		return;
	*sep = '\0';
	for (char *t = strtok_r(line, " ", &save); t && i < 6; t = strtok_r(NULL, " ", &save))
		fields[i++] = t;
	if (i < 5)
		return;
	unescape_octal(fields[4]);
	if (!under_root(r->root, fields[4]))
		return;
	fstype = strtok_r(sep + 3, " ", &save);
	(void)strtok_r(NULL, " ", &save); /* source */
	opts = strtok_r(NULL, " \n", &save);
	if (fstype == NULL || opts == NULL)
		return;
	if (strcmp(fstype, "cgroup2") == 0) {
		if (r->unified == NULL)
			r->unified = xstrdup(fields[4]);
		return;
	}
	if (strcmp(fstype, "cgroup") != 0)
		return;
	for (char *o = strtok_r(opts, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
		int c = ctrl_by_name(o, strlen(o));
		if (c >= 0 && r->mount[c] == NULL) {
			r->mount[c] = xstrdup(fields[4]);
			r->controllers |= CG_BIT(c);
		}
	}
}

static int
v1_mounts_from_mountinfo(struct cg_root *r, const char *mountinfo, struct err *err)
{
	cleanup_fclose FILE *f = fopen(mountinfo, "re");
	cleanup_free char *line = NULL;
	size_t cap = 0;

	if (f == NULL)
		return err_sys(err, "open %s", mountinfo);
	while (getline(&line, &cap, f) > 0)
		parse_mount_line(r, line);
	return 0;
}

/* Fake layouts (tests, forced mode): <root>/<controller> directories. */
static void
v1_mounts_from_dirs(struct cg_root *r)
{
	for (int c = 0; c < CG_CTRL_COUNT; c++) {
		const char *name = c == CG_CTRL_SYSTEMD ? "systemd" : ctrl_names[c];
		cleanup_free char *dir = cg__join(r->root, name);
		struct stat st;

		if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode)) {
			r->mount[c] = take_ptr(dir);
			r->controllers |= CG_BIT(c);
		}
	}
}

static int
v2_controllers(struct cg_root *r, struct err *err)
{
	cleanup_free char *text = NULL;

	if (cg__read(r->unified, "cgroup.controllers", &text, err) < 0)
		return -1;
	for (char *p = text; *p;) {
		size_t len;
		int c;

		p += strspn(p, " \n");
		len = strcspn(p, " \n");
		if (len == 0)
			break;
		c = ctrl_by_name(p, len);
		if (c >= 0)
			r->controllers |= CG_BIT(c);
		p += len;
	}
	return 0;
}

static int
detect_mode(const char *root, enum cg_mode *mode, struct err *err)
{
	cleanup_free char *unified = cg__join(root, "unified");
	struct statfs sfs;

	if (statfs(root, &sfs) < 0)
		return err_sys(err, "statfs %s", root);
	if (sfs.f_type == CGROUP2_SUPER_MAGIC) {
		*mode = CG_MODE_V2;
		return 0;
	}
	if (sfs.f_type != TMPFS_MAGIC)
		return err_set(err, ENOTSUP, "%s is neither cgroup2 nor a tmpfs of v1 mounts", root);
	*mode = CG_MODE_V1;
	if (statfs(unified, &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC)
		*mode = CG_MODE_HYBRID;
	return 0;
}

static int
root_fill(struct cg_root *r, const struct cg_root_opts *o, struct err *err)
{
	const char *mi = o->mountinfo ? o->mountinfo : CG_DEFAULT_MOUNTINFO;

	if (r->mode == CG_MODE_V2) {
		r->unified = xstrdup(r->root);
		return v2_controllers(r, err);
	}
	if (o->mode == CG_MODE_DETECT || access(mi, R_OK) == 0)
		if (v1_mounts_from_mountinfo(r, mi, err) < 0)
			return -1;
	if (o->mode != CG_MODE_DETECT && r->controllers == 0)
		v1_mounts_from_dirs(r);
	if (r->mode == CG_MODE_V1) {
		free(r->unified);
		r->unified = NULL;
	} else if (r->unified == NULL) {
		r->unified = cg__join(r->root, "unified");
	}
	if (r->controllers == 0)
		return err_set(err, ENOENT, "no cgroup v1 controller is mounted under %s (from %s)",
			       r->root, mi);
	return 0;
}

int
cg_root_open(const struct cg_root_opts *o, struct cg_root **out, struct err *err)
{
	static const struct cg_root_opts defaults = {0};
	struct cg_root *r;

	if (o == NULL)
		o = &defaults;
	r = xcalloc(1, sizeof(*r));
	r->root = cg__clean_path(o->root ? o->root : CG_DEFAULT_ROOT);
	r->self_cgroup = xstrdup(o->self_cgroup ? o->self_cgroup : CG_DEFAULT_SELF_CGROUP);
	r->mode = o->mode;
	if ((r->mode == CG_MODE_DETECT && detect_mode(r->root, &r->mode, err) < 0) ||
	    root_fill(r, o, err) < 0) {
		cg_root_free(r);
		return err_wrap(err, "cgroups");
	}
	*out = r;
	return 0;
}

void
cg_root_free(struct cg_root *root)
{
	if (root == NULL)
		return;
	free(root->root);
	free(root->self_cgroup);
	free(root->unified);
	for (int c = 0; c < CG_CTRL_COUNT; c++)
		free(root->mount[c]);
	free(root);
}

enum cg_mode
cg_root_mode(const struct cg_root *root)
{
	return root->mode;
}

unsigned
cg_root_controllers(const struct cg_root *root)
{
	return root->controllers;
}

bool
cg_root_has_cgroupns(const struct cg_root *root)
{
	(void)root;
	return access("/proc/self/ns/cgroup", F_OK) == 0;
}

/* The deepest existing directory of base + path must accept new entries. */
static int
check_writable_under(const char *base, const char *path, struct err *err)
{
	cleanup_free char *dir = cg__join(base, path);
	size_t min = strlen(base);
	struct stat st;

	for (;;) {
		char *slash;

		if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
			break;
		slash = strrchr(dir, '/');
		if (slash == NULL || (size_t)(slash - dir) < min)
			return err_set(err, ENOENT, "cgroup hierarchy %s is missing", base);
		*slash = '\0';
	}
	if (access(dir, W_OK) < 0)
		return err_sys(err, "cgroup directory %s is not writable", dir);
	return 0;
}

int
cg_root_check_writable(const struct cg_root *root, const char *path, struct err *err)
{
	const char *seen[CG_CTRL_COUNT + 1];
	size_t n = 0;

	if (root->mode == CG_MODE_V2)
		return check_writable_under(root->unified, path, err);
	for (int c = 0; c < CG_CTRL_COUNT; c++) {
		bool dup = false;

		if (root->mount[c] == NULL)
			continue;
		for (size_t i = 0; i < n && !dup; i++)
			dup = strcmp(seen[i], root->mount[c]) == 0;
		if (dup)
			continue;
		seen[n++] = root->mount[c];
		if (check_writable_under(root->mount[c], path, err) < 0)
			return -1;
	}
	if (root->mode == CG_MODE_HYBRID && root->unified)
		return check_writable_under(root->unified, path, err);
	return 0;
}

const char *
cg_root_mount(const struct cg_root *root, enum cg_controller c)
{
	if (root->mode == CG_MODE_V2)
		return root->unified;
	if ((unsigned)c >= CG_CTRL_COUNT)
		return NULL;
	return root->mount[c];
}

static struct cg_root *
root_dup(const struct cg_root *r)
{
	struct cg_root *d = xcalloc(1, sizeof(*d));

	d->mode = r->mode;
	d->root = xstrdup(r->root);
	d->self_cgroup = xstrdup(r->self_cgroup);
	d->unified = r->unified ? xstrdup(r->unified) : NULL;
	d->controllers = r->controllers;
	for (int c = 0; c < CG_CTRL_COUNT; c++)
		d->mount[c] = r->mount[c] ? xstrdup(r->mount[c]) : NULL;
	return d;
}

static struct cg *
cg_new(const struct cg_root *root, const char *path)
{
	struct cg *cg = xcalloc(1, sizeof(*cg));

	cg->root = root_dup(root);
	cg->ops = root->mode == CG_MODE_V2 ? &cg__v2_ops : &cg__v1_ops;
	cg->path = cg__clean_path(path);
	cg->made = xcalloc(1, sizeof(char *));
	return cg;
}

static int
check_path(const char *path, struct err *err)
{
	if (path == NULL || path[0] != '/')
		return err_set(err, EINVAL, "cgroup path \"%s\" is not absolute", path ? path : "");
	for (const char *p = path; (p = strstr(p, "..")) != NULL; p += 2)
		if ((p == path || p[-1] == '/') && (p[2] == '/' || p[2] == '\0'))
			return err_set(err, EINVAL, "cgroup path \"%s\" has \"..\"", path);
	if (path[strspn(path, "/")] == '\0')
		return err_set(err, EINVAL, "cgroup path \"%s\" is the root", path);
	return 0;
}

int
cg_create(const struct cg_root *root, const char *path, struct cg **out, struct err *err)
{
	struct cg *cg;

	if (check_path(path, err) < 0)
		return -1;
	cg = cg_new(root, path);
	if (cg->ops->create(cg, err) < 0) {
		struct err ignored = {0};
		/* Undo: remove what we made, deepest first. */
		for (size_t i = cg->n_made; i-- > 0;)
			cg__rmdir_tree(cg->made[i], cg__now_ms() + 1000, &ignored);
		cg_free(cg);
		return err_wrap(err, "create cgroup %s", path);
	}
	*out = cg;
	return 0;
}

int
cg_open(const struct cg_root *root, const char *path, struct cg **out, struct err *err)
{
	struct cg *cg;

	if (check_path(path, err) < 0)
		return -1;
	cg = cg_new(root, path);
	cg->is_opened = true;
	if (cg->ops->open(cg, err) < 0) {
		cg_free(cg);
		return -1;
	}
	*out = cg;
	return 0;
}

void
cg_free(struct cg *cg)
{
	if (cg == NULL)
		return;
	cg_root_free(cg->root);
	free(cg->path);
	strv_free(cg->made);
	free(cg);
}

const char *
cg_path(const struct cg *cg)
{
	return cg->path;
}

enum cg_mode
cg_mode(const struct cg *cg)
{
	return cg->root->mode;
}

unsigned
cg_controllers(const struct cg *cg)
{
	return cg->ops->controllers(cg);
}

char *
cg_dir(const struct cg *cg, enum cg_controller c)
{
	return cg->ops->dir(cg, c);
}

int
cg_open_dirfd(const struct cg *cg, struct err *err)
{
	cleanup_free char *dir = NULL;
	int fd;

	if (cg->root->unified == NULL)
		return err_set(err, ENOTSUP, "cgroup %s: no cgroup2 directory (cgroup v1)",
			       cg->path);
	dir = cg__join(cg->root->unified, cg->path);
	fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return err_sys(err, "open %s", dir);
	return fd;
}

int
cg_add_pid(struct cg *cg, pid_t pid, struct err *err)
{
	if (pid <= 0)
		return err_set(err, EINVAL, "add pid %d to cgroup %s: bad pid", (int)pid, cg->path);
	if (cg->ops->add_pid(cg, pid, err) < 0)
		return err_wrap(err, "add pid %d to cgroup %s", (int)pid, cg->path);
	return 0;
}

int
cg_apply(struct cg *cg, const struct cg_resources *r, struct err *err)
{
	if (cg->ops->apply(cg, r, false, err) < 0)
		return err_wrap(err, "cgroup %s", cg->path);
	return 0;
}

int
cg_update(struct cg *cg, const struct cg_resources *r, struct err *err)
{
	if (cg->ops->apply(cg, r, true, err) < 0)
		return err_wrap(err, "update cgroup %s", cg->path);
	return 0;
}

int
cg_freeze(struct cg *cg, bool frozen, struct err *err)
{
	if (cg->ops->freeze(cg, frozen, err) < 0)
		return err_wrap(err, "%s cgroup %s", frozen ? "freeze" : "thaw", cg->path);
	return 0;
}

int
cg_freezer_state(struct cg *cg, enum cg_freezer_state *out, struct err *err)
{
	return cg->ops->freezer_state(cg, out, err);
}

int
cg_pids(struct cg *cg, pid_t **pids, size_t *n, struct err *err)
{
	*pids = NULL;
	*n = 0;
	if (cg->ops->pids(cg, pids, n, err) < 0) {
		free(*pids);
		*pids = NULL;
		*n = 0;
		return err_wrap(err, "pids of cgroup %s", cg->path);
	}
	return 0;
}

/* Freeze (so nothing forks meanwhile), signal every pid, thaw. */
static int
kill_each(struct cg *cg, int sig, struct err *err)
{
	cleanup_free pid_t *pids = NULL;
	struct err ferr = {0};
	size_t n = 0;
	bool frozen = cg->ops->freeze(cg, true, &ferr) == 0;
	int rc = 0;

	if (cg_pids(cg, &pids, &n, err) < 0)
		rc = -1;
	for (size_t i = 0; rc == 0 && i < n; i++)
		if (kill(pids[i], sig) < 0 && errno != ESRCH)
			rc = err_sys(err, "kill %d", (int)pids[i]);
	if (frozen && cg->ops->freeze(cg, false, &ferr) < 0 && rc == 0) {
		*err = ferr;
		rc = -1;
	}
	return rc;
}

int
cg_kill_all(struct cg *cg, int sig, struct err *err)
{
	int r = cg->ops->kill(cg, sig, err);

	if (r < 0)
		return err_wrap(err, "kill cgroup %s", cg->path);
	if (r > 0)
		return 0;
	if (kill_each(cg, sig, err) < 0)
		return err_wrap(err, "kill cgroup %s", cg->path);
	return 0;
}

int
cg_destroy(struct cg *cg, struct err *err)
{
	if (cg->ops->destroy(cg, err) < 0)
		return err_wrap(err, "destroy cgroup %s", cg->path);
	return 0;
}

int
cg_stats(struct cg *cg, struct cg_stats *out, struct err *err)
{
	memset(out, 0, sizeof(*out));
	out->is_v2 = cg->root->mode == CG_MODE_V2;
	if (cg->ops->stats(cg, out, err) < 0) {
		cg_stats_fini(out);
		return err_wrap(err, "stats of cgroup %s", cg->path);
	}
	return 0;
}

void
cg_stats_fini(struct cg_stats *s)
{
	cg__stats_v1_fini(&s->v1);
	cg__stats_v2_fini(&s->v2);
}

int
cg_oom_open(const struct cg *cg, struct cg_oom **out, struct err *err)
{
	if (cg->ops->oom_open(cg, out, err) < 0)
		return err_wrap(err, "OOM watch on cgroup %s", cg->path);
	return 0;
}
