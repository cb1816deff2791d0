/* state: the container's saved state (<root>/<id>/state.json) and its live status. */
#include "rt_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "base/cleanup.h"
#include "base/fdutil.h"
#include "base/xalloc.h"
#include "cgroups/cgroups.h"

static const char *const rt_status_names[] = {
	[RT_CREATING] = "creating", [RT_CREATED] = "created", [RT_RUNNING] = "running",
	[RT_PAUSED] = "paused",	    [RT_STOPPED] = "stopped",
};

const char *
rt_status_name(enum rt_status s)
{
	return (unsigned)s < ARRAY_SIZE(rt_status_names) ? rt_status_names[s] : "unknown";
}

const char *
rt__root(const struct rt_ctx *ctx)
{
	return ctx && ctx->root && ctx->root[0] ? ctx->root : RT_DEFAULT_ROOT;
}

int
rt__check_id(const char *id, struct err *err)
{
	if (id == NULL || id[0] == '\0')
		return err_set(err, EINVAL, "container id cannot be empty");
	if (strcmp(id, ".") == 0 || strcmp(id, "..") == 0 || strlen(id) > 1024)
		return err_set(err, EINVAL, "invalid container id %s", id);
	for (const char *p = id; *p; p++) {
		char c = *p;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-' || c == '.' || c == '+'))
			return err_set(err, EINVAL, "invalid container id %s", id);
	}
	return 0;
}

char *
rt__state_dir(const struct rt_ctx *ctx, const char *id)
{
	return xasprintf("%s/%s", rt__root(ctx), id);
}

char *
rt__now_rfc3339(void)
{
	struct timespec ts;
	struct tm tm;
	char buf[64];
	size_t n;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, sizeof(buf) - n, ".%09ldZ", ts.tv_nsec);
	return xstrdup(buf);
}

void
rt_state_free(struct rt_state *s)
{
	if (s == NULL)
		return;
	free(s->id);
	free(s->bundle);
	free(s->rootfs);
	free(s->created);
	free(s->owner);
	for (size_t i = 0; i < s->n_annotations; i++) {
		free(s->annotations[i].key);
		free(s->annotations[i].value);
	}
	free(s->annotations);
	free(s->cgroup_path);
	free(s->config_path);
	free(s);
}

static void
gen_str(yajl_gen g, const char *s)
{
	yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

static void
gen_kv(yajl_gen g, const char *k, const char *v)
{
	gen_str(g, k);
	gen_str(g, v ? v : "");
}

static char *
gen_finish(yajl_gen g)
{
	const unsigned char *buf;
	size_t len;
	char *out;

	yajl_gen_get_buf(g, &buf, &len);
	out = xstrndup((const char *)buf, len);
	yajl_gen_free(g);
	return out;
}

static void
gen_annotations(yajl_gen g, const struct rt_kv *a, size_t n)
{
	gen_str(g, "annotations");
	yajl_gen_map_open(g);
	for (size_t i = 0; i < n; i++)
		gen_kv(g, a[i].key, a[i].value);
	yajl_gen_map_close(g);
}

char *
rt_state_to_json(const struct rt_state *s, bool pretty)
{
	yajl_gen g = yajl_gen_alloc(NULL);

	if (g == NULL)
		abort();
	yajl_gen_config(g, yajl_gen_beautify, pretty ? 1 : 0);
	yajl_gen_config(g, yajl_gen_indent_string, "  ");
	yajl_gen_map_open(g);
	gen_kv(g, "ociVersion", RT_OCI_VERSION);
	gen_kv(g, "id", s->id);
	gen_str(g, "pid");
	yajl_gen_integer(g, s->status == RT_STOPPED ? 0 : s->pid);
	gen_kv(g, "status", rt_status_name(s->status));
	gen_kv(g, "bundle", s->bundle);
	gen_kv(g, "rootfs", s->rootfs);
	gen_kv(g, "created", s->created);
	gen_kv(g, "owner", s->owner);
	gen_annotations(g, s->annotations, s->n_annotations);
	yajl_gen_map_close(g);
	return gen_finish(g);
}

/* The saved form: the public fields plus what later commands need. */
static char *
state_saved_json(const struct rt_state *s)
{
	yajl_gen g = yajl_gen_alloc(NULL);

	if (g == NULL)
		abort();
	yajl_gen_map_open(g);
	gen_kv(g, "id", s->id);
	gen_str(g, "pid");
	yajl_gen_integer(g, s->pid);
	gen_str(g, "start_time");
	yajl_gen_integer(g, (long long)s->start_time);
	gen_kv(g, "bundle", s->bundle);
	gen_kv(g, "rootfs", s->rootfs);
	gen_kv(g, "created", s->created);
	gen_kv(g, "owner", s->owner);
	gen_kv(g, "cgroup_path", s->cgroup_path);
	gen_kv(g, "config_path", s->config_path);
	gen_str(g, "no_pivot");
	yajl_gen_bool(g, s->no_pivot);
	gen_str(g, "has_pidns");
	yajl_gen_bool(g, s->has_pidns);
	gen_annotations(g, s->annotations, s->n_annotations);
	yajl_gen_map_close(g);
	return gen_finish(g);
}

int
rt__state_save(const char *dir, const struct rt_state *st, struct err *err)
{
	cleanup_free char *json = state_saved_json(st);
	cleanup_close int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (dfd < 0)
		return err_sys(err, "open %s", dir);
	if (write_file_atomic_at(dfd, RT_STATE_FILE, json, strlen(json), 0600, err) < 0)
		return err_wrap(err, "save state of %s", st->id);
	return 0;
}

static char *
tree_str(yajl_val root, const char *key)
{
	const char *path[] = {key, NULL};
	yajl_val v = yajl_tree_get(root, path, yajl_t_string);
	return xstrdup(v ? YAJL_GET_STRING(v) : "");
}

static long long
tree_int(yajl_val root, const char *key)
{
	const char *path[] = {key, NULL};
	yajl_val v = yajl_tree_get(root, path, yajl_t_number);
	return v && YAJL_IS_INTEGER(v) ? YAJL_GET_INTEGER(v) : 0;
}

static bool
tree_bool(yajl_val root, const char *key)
{
	const char *path[] = {key, NULL};
	yajl_val v = yajl_tree_get(root, path, yajl_t_any);
	return v && YAJL_IS_TRUE(v);
}

static void
state_read_annotations(yajl_val root, struct rt_state *st)
{
	const char *path[] = {"annotations", NULL};
	yajl_val v = yajl_tree_get(root, path, yajl_t_object);

	if (v == NULL || v->type != yajl_t_object || v->u.object.len == 0)
		return;
	st->n_annotations = v->u.object.len;
	st->annotations = xcalloc(st->n_annotations, sizeof(*st->annotations));
	for (size_t i = 0; i < st->n_annotations; i++) {
		yajl_val val = v->u.object.values[i];
		st->annotations[i].key = xstrdup(v->u.object.keys[i]);
		st->annotations[i].value =
			xstrdup(val && val->type == yajl_t_string ? val->u.string : "");
	}
}

int
rt__state_read(const char *dir, const char *id, struct rt_state **out, struct err *err)
{
	cleanup_free char *path = xasprintf("%s/%s", dir, RT_STATE_FILE);
	cleanup_free char *text = NULL;
	char ebuf[256];
	yajl_val root;
	struct rt_state *st;

	if (read_file_at(AT_FDCWD, path, &text, NULL, err) < 0) {
		if (err->code == ENOENT)
			return err_set(err, ENOENT, "container %s does not exist", id);
		return -1;
	}
	root = yajl_tree_parse(text, ebuf, sizeof(ebuf));
	if (root == NULL || !YAJL_IS_OBJECT(root)) {
		yajl_tree_free(root);
		return err_set(err, EINVAL, "%s: corrupt state file", path);
	}
	st = xcalloc(1, sizeof(*st));
	st->id = tree_str(root, "id");
	st->pid = (pid_t)tree_int(root, "pid");
	st->start_time = (unsigned long long)tree_int(root, "start_time");
	st->bundle = tree_str(root, "bundle");
	st->rootfs = tree_str(root, "rootfs");
	st->created = tree_str(root, "created");
	st->owner = tree_str(root, "owner");
	st->cgroup_path = tree_str(root, "cgroup_path");
	st->config_path = tree_str(root, "config_path");
	st->no_pivot = tree_bool(root, "no_pivot");
	st->has_pidns = tree_bool(root, "has_pidns");
	state_read_annotations(root, st);
	yajl_tree_free(root);
	st->status = RT_CREATED;
	*out = st;
	return 0;
}

unsigned long long
rt__proc_start_time(pid_t pid)
{
	char path[64], buf[1024];
	cleanup_close int fd = -1;
	ssize_t n;
	char *p;
	unsigned long long start = 0;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	p = strrchr(buf, ')'); /* comm may hold spaces and parens */
	if (p == NULL)
		return 0;
	/* after ") ": field 3 is state; start time is field 22 */
	if (p[1] == ' ' && p[2] == 'Z')
		return 0; /* a zombie has exited */
	p += 2;
	for (int field = 3; field < 22 && p; field++) {
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	if (p)
		start = strtoull(p, NULL, 10);
	return start;
}

bool
rt__proc_alive(pid_t pid, unsigned long long start_time)
{
	unsigned long long now;

	if (pid <= 0)
		return false;
	now = rt__proc_start_time(pid);
	return now != 0 && (start_time == 0 || now == start_time);
}

int
rt__state_cgroup(const struct rt_ctx *ctx, const struct rt_state *st, struct cg **out,
		 struct err *err)
{
	struct cg_root_opts o = {0};
	struct cg_root *root = NULL;
	int r;

	(void)ctx;
	if (st->cgroup_path == NULL || st->cgroup_path[0] == '\0')
		return err_set(err, ENOENT, "container %s has no cgroup", st->id);
	if (cg_root_open(&o, &root, err) < 0)
		return -1;
	r = cg_open(root, st->cgroup_path, out, err);
	cg_root_free(root);
	return r;
}

void
rt__state_refresh(const char *dir, struct rt_state *st)
{
	struct stat sb;
	cleanup_free char *fifo = xasprintf("%s/%s", dir, RT_EXEC_FIFO);
	struct cg *cg = NULL;
	enum cg_freezer_state fs = CG_THAWED;
	struct err e = {0};

	if (!rt__proc_alive(st->pid, st->start_time)) {
		st->status = RT_STOPPED;
		return;
	}
	/* paused first, as runc: a created container can be paused too */
	if (rt__state_cgroup(NULL, st, &cg, &e) == 0) {
		bool frozen = cg_freezer_state(cg, &fs, &e) == 0 && fs != CG_THAWED;
		cg_free(cg);
		if (frozen) {
			st->status = RT_PAUSED;
			return;
		}
	}
	st->status = stat(fifo, &sb) == 0 ? RT_CREATED : RT_RUNNING;
}

int
rt__state_load(const struct rt_ctx *ctx, const char *id, char **dir, struct rt_state **st,
	       struct err *err)
{
	if (rt__check_id(id, err) < 0)
		return -1;
	*dir = rt__state_dir(ctx, id);
	if (rt__state_read(*dir, id, st, err) < 0) {
		free(*dir);
		*dir = NULL;
		return -1;
	}
	rt__state_refresh(*dir, *st);
	return 0;
}
