/* The v1 fake-tree fixture shared by test_cg_v1.c and test_cg_v1_ops.c: wraps of cg__write
 * (records "file=value" lines, injects errors, clamps values) and rmdir (EBUSY), and a tree
 * <tmp>/cg root/{cpu,cpuacct,cpuset,memory,...} with a mountinfo naming those mounts. */
#ifndef TESTS_TEST_CG_V1_FIXTURE_H
#define TESTS_TEST_CG_V1_FIXTURE_H

#include "cgroups/cg_internal.h"
#include "test_cg_util.h"

/* ---- wraps ---- */
int __real_cg__write(const char *dir, const char *file, const char *value, struct err *err);
int __wrap_cg__write(const char *dir, const char *file, const char *value, struct err *err);
int __real_rmdir(const char *path);
int __wrap_rmdir(const char *path);
int __real_access(const char *path, int mode);
int __wrap_access(const char *path, int mode);

static char wlog[8192];	      /* "file=value\n" per write */
static const char *fail_file; /* this file's next n_fail writes fail with fail_code */
static int fail_code, n_fail;
static const char *clamp_file, *clamp_value; /* the "kernel" stores clamp_value instead */
static const char *busy_path;		     /* rmdir of this path: EBUSY n_busy times */
static int n_busy, n_rmdir_busy;
static const char *rofs_path; /* access(W_OK) of this path: EROFS */

int
__wrap_cg__write(const char *dir, const char *file, const char *value, struct err *err)
{
	size_t n = strlen(wlog);

	(void)dir;
	snprintf(wlog + n, sizeof(wlog) - n, "%s=%s\n", file, value);
	if (fail_file && strcmp(file, fail_file) == 0 && n_fail > 0) {
		n_fail--;
		return err_set(err, fail_code, "write \"%s\" to %s/%s: injected", value, dir, file);
	}
	if (clamp_file && strcmp(file, clamp_file) == 0)
		return __real_cg__write(dir, file, clamp_value, err);
	return __real_cg__write(dir, file, value, err);
}

int
__wrap_access(const char *path, int mode)
{
	if (rofs_path && (mode & W_OK) && strcmp(path, rofs_path) == 0) {
		errno = EROFS;
		return -1;
	}
	return __real_access(path, mode);
}

int
__wrap_rmdir(const char *path)
{
	if (busy_path && strcmp(path, busy_path) == 0 && n_busy > 0) {
		n_busy--;
		n_rmdir_busy++;
		errno = EBUSY;
		return -1;
	}
	return __real_rmdir(path);
}

/* ---- fixture: <tmp>/cg root/{cpu,cpuacct,cpuset,memory,...} and a mountinfo naming them ---- */
struct fx {
	char *tmp, *root, *mi;
	struct cg_root *r;
};

static const char *const hier[] = {"cpu,cpuacct", "cpuset", "memory", "devices", "freezer",
				   "blkio", "pids", "net_cls,net_prio", "rdma", "systemd"};

static inline void
write_mountinfo(struct fx *f, bool hybrid)
{
	FILE *m = fopen(f->mi, "w");

	assert_non_null(m);
	fprintf(m, "22 1 0:21 / /sys rw - sysfs sysfs rw\n"
		   "35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n");
	for (size_t i = 0; i < ARRAY_SIZE(hier); i++) {
		const char *opts = strcmp(hier[i], "systemd") == 0 ? "rw,xattr,name=systemd"
								      : hier[i];
		fprintf(m, "%zu 31 0:%zu / %s/cg\\040root/%s rw,nosuid - cgroup cgroup rw,%s\n",
			40 + i, 40 + i, f->tmp, hier[i], opts);
	}
	if (hybrid)
		fprintf(m, "60 31 0:60 / %s/cg\\040root/unified rw - cgroup2 cgroup2 rw\n", f->tmp);
	fclose(m);
}

static inline struct cg_root *
open_root(struct fx *f, enum cg_mode mode)
{
	struct cg_root_opts o = {.root = f->root, .mountinfo = f->mi, .mode = mode};
	struct cg_root *r = NULL;
	struct err err = {0};

	if (cg_root_open(&o, &r, &err) < 0)
		fail_msg("root: %s", err.msg);
	return r;
}

static inline int
setup_mode(void **state, bool hybrid)
{
	struct fx *f = xcalloc(1, sizeof(*f));

	f->tmp = tcg_tmpdir();
	f->root = xasprintf("%s/cg root", f->tmp);
	f->mi = xasprintf("%s/mountinfo", f->tmp);
	for (size_t i = 0; i < ARRAY_SIZE(hier); i++)
		tcg_mkdir(f->root, hier[i]);
	if (hybrid)
		tcg_mkdir(f->root, "unified");
	tcg_file(f->root, "cpuset/cpuset.cpus", "0-3\n");
	tcg_file(f->root, "cpuset/cpuset.mems", "0\n");
	write_mountinfo(f, hybrid);
	f->r = open_root(f, hybrid ? CG_MODE_HYBRID : CG_MODE_V1);
	wlog[0] = '\0';
	fail_file = clamp_file = busy_path = rofs_path = NULL;
	*state = f;
	return 0;
}

static inline int
setup(void **state)
{
	return setup_mode(state, false);
}

static inline int
setup_hybrid(void **state)
{
	return setup_mode(state, true);
}

static inline int
teardown(void **state)
{
	struct fx *f = *state;

	busy_path = NULL;
	cg_root_free(f->r);
	tcg_rm(f->tmp);
	free(f->tmp);
	free(f->root);
	free(f->mi);
	free(f);
	return 0;
}

static const char *const leaf_files[] = {"cgroup.procs", NULL};

/* Every hierarchy gets <path>/cgroup.procs (and cpuset its two files). */
static inline void
make_leaf(struct fx *f, const char *path)
{
	for (size_t i = 0; i < ARRAY_SIZE(hier); i++) {
		cleanup_free char *d = xasprintf("%s%s", hier[i], path);
		tcg_files(f->root, d, leaf_files);
	}
	{
		cleanup_free char *d = xasprintf("cpuset%s/cpuset.cpus", path);
		cleanup_free char *m = xasprintf("cpuset%s/cpuset.mems", path);
		tcg_file(f->root, d, "%s", "");
		tcg_file(f->root, m, "%s", "");
	}
}

static inline struct cg *
create(struct fx *f, const char *path)
{
	struct err err = {0};
	struct cg *cg = NULL;

	if (cg_create(f->r, path, &cg, &err) < 0)
		fail_msg("create: %s", err.msg);
	return cg;
}

#endif
