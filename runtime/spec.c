/* spec: config.json -> struct rt_spec. The top level (ociVersion, root, mounts, hooks,
 * annotations, hostname); process, linux and resources are in spec_process.c, spec_linux.c and
 * spec_resources.c, the JSON helpers in spec_json.c. */
#include "spec.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/fdutil.h"
#include "base/xalloc.h"
#include "spec_internal.h"

/* A config.json larger than this is not a config.json. */
#define SPEC_MAX_FILE_SIZE (64u << 20)

static const char *const hook_kind_names[RT_HOOK_NKINDS] = {
    [RT_HOOK_PRESTART] = "prestart",
    [RT_HOOK_CREATE_RUNTIME] = "createRuntime",
    [RT_HOOK_CREATE_CONTAINER] = "createContainer",
    [RT_HOOK_START_CONTAINER] = "startContainer",
    [RT_HOOK_POSTSTART] = "poststart",
    [RT_HOOK_POSTSTOP] = "poststop",
};

/* An empty NULL-terminated vector for "may be empty" fields left absent. */
static void
strv_default(char ***v)
{
	if (*v == NULL)
		*v = xcalloc(1, sizeof(char *));
}

static int
idmap_parse(struct spec_ctx *ctx, yajl_val v, void *elem, void *arg)
{
	struct rt_idmap *m = elem;

	(void)arg;
	if (rt__spec_u32(ctx, v, "containerID", SPEC_REQUIRED, &m->container_id, NULL) < 0 ||
	    rt__spec_u32(ctx, v, "hostID", SPEC_REQUIRED, &m->host_id, NULL) < 0 ||
	    rt__spec_u32(ctx, v, "size", SPEC_REQUIRED, &m->size, NULL) < 0)
		return -1;
	return 0;
}

int
rt__spec_parse_idmaps(struct spec_ctx *ctx, yajl_val obj, const char *field, struct rt_idmap **out,
                      size_t *n)
{
	return rt__spec_objects(ctx, obj, field, SPEC_OPTIONAL, sizeof(**out), idmap_parse, NULL,
	                        out, n);
}

static int
mount_parse(struct spec_ctx *ctx, yajl_val v, void *elem, void *arg)
{
	struct rt_mount *m = elem;

	(void)arg;
	if (rt__spec_str(ctx, v, "destination", SPEC_NONEMPTY, &m->destination) < 0 ||
	    rt__spec_str(ctx, v, "type", SPEC_OPTIONAL, &m->type) < 0 ||
	    rt__spec_str(ctx, v, "source", SPEC_OPTIONAL, &m->source) < 0 ||
	    rt__spec_strv(ctx, v, "options", SPEC_OPTIONAL, &m->options) < 0 ||
	    rt__spec_parse_idmaps(ctx, v, "uidMappings", &m->uid_mappings, &m->n_uid_mappings) <
	        0 ||
	    rt__spec_parse_idmaps(ctx, v, "gidMappings", &m->gid_mappings, &m->n_gid_mappings) < 0)
		return -1;
	strv_default(&m->options);
	return 0;
}

static int
hook_parse(struct spec_ctx *ctx, yajl_val v, void *elem, void *arg)
{
	struct rt_hook *h = elem;

	(void)arg;
	if (rt__spec_str(ctx, v, "path", SPEC_NONEMPTY, &h->path) < 0 ||
	    rt__spec_strv(ctx, v, "args", SPEC_OPTIONAL, &h->args) < 0 ||
	    rt__spec_strv(ctx, v, "env", SPEC_OPTIONAL, &h->env) < 0 ||
	    rt__spec_int(ctx, v, "timeout", SPEC_OPTIONAL, INT_MIN, INT_MAX, &h->timeout,
	                 &h->has_timeout) < 0)
		return -1;
	if (h->has_timeout && h->timeout <= 0)
		return rt__spec_fail_at(ctx, "timeout", "must be greater than zero, not %d",
		                        h->timeout);
	strv_default(&h->args);
	strv_default(&h->env);
	return 0;
}

static int
hooks_parse(struct spec_ctx *ctx, yajl_val top, struct rt_hooks *hooks)
{
	yajl_val v;
	size_t mark;

	if (rt__spec_obj(ctx, top, "hooks", SPEC_OPTIONAL, &v) < 0)
		return -1;
	if (v == NULL)
		return 0;
	mark = rt__spec_push(ctx, "hooks");
	for (int k = 0; k < RT_HOOK_NKINDS; k++) {
		if (rt__spec_objects(ctx, v, hook_kind_names[k], SPEC_OPTIONAL,
		                     sizeof(struct rt_hook), hook_parse, NULL, &hooks->hooks[k],
		                     &hooks->n_hooks[k]) < 0) {
			rt__spec_pop(ctx, mark);
			return -1;
		}
	}
	rt__spec_pop(ctx, mark);
	return 0;
}

static int
root_parse(struct spec_ctx *ctx, yajl_val top, struct rt_spec *s)
{
	yajl_val v;
	size_t mark;
	int rc;

	if (rt__spec_obj(ctx, top, "root", SPEC_OPTIONAL, &v) < 0)
		return -1;
	if (v == NULL)
		return 0;
	mark = rt__spec_push(ctx, "root");
	rc = rt__spec_str(ctx, v, "path", SPEC_NONEMPTY, &s->root_path);
	if (rc == 0)
		rc = rt__spec_bool(ctx, v, "readonly", SPEC_OPTIONAL, &s->root_readonly, NULL);
	rt__spec_pop(ctx, mark);
	return rc;
}

static int
process_field_parse(struct spec_ctx *ctx, yajl_val top, struct rt_spec *s)
{
	yajl_val v;
	size_t mark;
	int rc;

	if (rt__spec_obj(ctx, top, "process", SPEC_OPTIONAL, &v) < 0)
		return -1;
	if (v == NULL)
		return 0;
	s->process = xcalloc(1, sizeof(*s->process));
	mark = rt__spec_push(ctx, "process");
	rc = rt__spec_parse_process(ctx, v, s->process);
	rt__spec_pop(ctx, mark);
	return rc;
}

static int
linux_field_parse(struct spec_ctx *ctx, yajl_val top, struct rt_spec *s)
{
	yajl_val v;
	size_t mark;
	int rc;

	if (rt__spec_obj(ctx, top, "linux", SPEC_OPTIONAL, &v) < 0)
		return -1;
	s->has_linux = (v != NULL);
	mark = rt__spec_push(ctx, "linux");
	rc = rt__spec_parse_linux(ctx, v, &s->linux);
	rt__spec_pop(ctx, mark);
	return rc;
}

static int
spec_fill(struct spec_ctx *ctx, yajl_val top, struct rt_spec *s)
{
	if (rt__spec_str(ctx, top, "ociVersion", SPEC_NONEMPTY, &s->oci_version) < 0 ||
	    root_parse(ctx, top, s) < 0 || process_field_parse(ctx, top, s) < 0 ||
	    rt__spec_str(ctx, top, "hostname", SPEC_OPTIONAL, &s->hostname) < 0 ||
	    rt__spec_str(ctx, top, "domainname", SPEC_OPTIONAL, &s->domainname) < 0 ||
	    rt__spec_objects(ctx, top, "mounts", SPEC_OPTIONAL, sizeof(struct rt_mount),
	                     mount_parse, NULL, &s->mounts, &s->n_mounts) < 0 ||
	    hooks_parse(ctx, top, &s->hooks) < 0 ||
	    rt__spec_kv(ctx, top, "annotations", &s->annotations, &s->n_annotations) < 0 ||
	    linux_field_parse(ctx, top, s) < 0)
		return -1;
	return 0;
}

static int
spec_parse_doc(struct spec_ctx *ctx, const char *json, size_t len, struct rt_spec **out)
{
	cleanup_yajl yajl_val tree = NULL;
	struct rt_spec *s;

	*out = NULL;
	if (rt__spec_tree_parse(ctx, json, len, &tree) < 0)
		return -1;
	s = xcalloc(1, sizeof(*s));
	if (spec_fill(ctx, tree, s) < 0) {
		rt_spec_free(s);
		return -1;
	}
	*out = s;
	return 0;
}

int
rt_spec_parse(const char *json, size_t len, struct rt_spec **out, struct err *err)
{
	struct spec_ctx ctx;

	rt__spec_ctx_init(&ctx, "config.json", err);
	return spec_parse_doc(&ctx, json, len, out);
}

int
rt_spec_load(const char *path, struct rt_spec **out, struct err *err)
{
	cleanup_free char *text = NULL;
	size_t len = 0;

	return rt_spec_load_text(path, out, &text, &len, err);
}

int
rt_spec_load_text(const char *path, struct rt_spec **out, char **text_out, size_t *len_out,
		  struct err *err)
{
	cleanup_close int fd = -1;
	cleanup_free char *text = NULL;
	struct spec_ctx ctx;
	struct stat st;
	size_t len = 0;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return err_sys(err, "open %s", path);
	if (fstat(fd, &st) < 0)
		return err_sys(err, "stat %s", path);
	if (!S_ISREG(st.st_mode))
		return err_set(err, EINVAL, "%s: not a regular file", path);
	if ((uint64_t)st.st_size > SPEC_MAX_FILE_SIZE)
		return err_set(err, EFBIG, "%s: larger than %u bytes", path, SPEC_MAX_FILE_SIZE);
	if (read_all(fd, &text, &len, err) < 0)
		return err_wrap(err, "%s", path);
	rt__spec_ctx_init(&ctx, path, err);
	if (spec_parse_doc(&ctx, text, len, out) < 0)
		return -1;
	*text_out = take_ptr(text);
	*len_out = len;
	return 0;
}

static void
mounts_free(struct rt_mount *m, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(m[i].destination);
		free(m[i].type);
		free(m[i].source);
		strv_free(m[i].options);
		free(m[i].uid_mappings);
		free(m[i].gid_mappings);
	}
	free(m);
}

static void
hooks_fini(struct rt_hooks *hooks)
{
	for (int k = 0; k < RT_HOOK_NKINDS; k++) {
		for (size_t i = 0; i < hooks->n_hooks[k]; i++) {
			free(hooks->hooks[k][i].path);
			strv_free(hooks->hooks[k][i].args);
			strv_free(hooks->hooks[k][i].env);
		}
		free(hooks->hooks[k]);
	}
}

void
rt_spec_free(struct rt_spec *s)
{
	if (s == NULL)
		return;
	free(s->oci_version);
	rt_process_free(s->process);
	free(s->root_path);
	free(s->hostname);
	free(s->domainname);
	mounts_free(s->mounts, s->n_mounts);
	hooks_fini(&s->hooks);
	rt__spec_kv_free(s->annotations, s->n_annotations);
	rt__spec_linux_fini(&s->linux);
	free(s);
}
