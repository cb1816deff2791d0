/* spec_linux: config.json's linux object (namespaces, id mappings, time offsets, devices,
 * paths, sysctl, personality); resources and seccomp have their own files. */
#include "spec.h"

#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/xalloc.h"
#include "spec_internal.h"

static int
namespace_parse(struct spec_ctx *ctx, yajl_val v, struct rt_linux *l)
{
	cleanup_free char *type = NULL;
	cleanup_free char *path = NULL;
	int k;

	if (rt__spec_str(ctx, v, "type", SPEC_REQUIRED, &type) < 0)
		return -1;
	k = rt_ns_from_name(type);
	if (k < 0)
		return rt__spec_fail_at(ctx, "type", "unknown namespace type \"%.64s\"", type);
	if (l->ns[k].present)
		return rt__spec_fail_at(ctx, "type", "duplicate namespace type \"%s\"", type);
	if (rt__spec_str(ctx, v, "path", SPEC_OPTIONAL, &path) < 0)
		return -1;
	l->ns[k].present = true;
	/* An empty path is what Go's omitempty drops: create a new namespace. */
	if (path != NULL && path[0] != '\0')
		l->ns[k].path = take_ptr(path);
	return 0;
}

static int
namespaces_parse(struct spec_ctx *ctx, yajl_val lx, struct rt_linux *l)
{
	yajl_val arr;
	size_t mark;
	int rc = 0;

	if (rt__spec_arr(ctx, lx, "namespaces", SPEC_OPTIONAL, &arr) < 0)
		return -1;
	if (arr == NULL)
		return 0;
	mark = rt__spec_push(ctx, "namespaces");
	for (size_t i = 0; i < arr->u.array.len && rc == 0; i++) {
		yajl_val v = arr->u.array.values[i];
		size_t m2 = rt__spec_push_index(ctx, i);
		if (!YAJL_IS_OBJECT(v))
			rc = rt__spec_fail(ctx, "expected an object");
		else
			rc = namespace_parse(ctx, v, l);
		rt__spec_pop(ctx, m2);
	}
	rt__spec_pop(ctx, mark);
	return rc;
}

static int
time_offset_parse(struct spec_ctx *ctx, yajl_val v, struct rt_time_offset *t)
{
	if (!YAJL_IS_OBJECT(v))
		return rt__spec_fail(ctx, "expected an object");
	if (rt__spec_i64(ctx, v, "secs", SPEC_OPTIONAL, INT64_MIN, INT64_MAX, &t->secs, NULL) < 0 ||
	    rt__spec_u32(ctx, v, "nanosecs", SPEC_OPTIONAL, &t->nanosecs, NULL) < 0)
		return -1;
	if (t->nanosecs >= 1000000000u)
		return rt__spec_fail_at(ctx, "nanosecs", "%u is out of range (0..999999999)",
		                        t->nanosecs);
	t->has = true;
	return 0;
}

static int
time_offsets_parse(struct spec_ctx *ctx, yajl_val lx, struct rt_linux *l)
{
	cleanup_free bool *last = NULL;
	yajl_val map;
	size_t mark;
	int rc = 0;

	if (rt__spec_obj(ctx, lx, "timeOffsets", SPEC_OPTIONAL, &map) < 0)
		return -1;
	if (map == NULL)
		return 0;
	mark = rt__spec_push(ctx, "timeOffsets");
	last = rt__spec_last_keys(map);
	for (size_t i = 0; i < map->u.object.len && rc == 0; i++) {
		const char *clock = map->u.object.keys[i];
		yajl_val v = map->u.object.values[i];
		size_t m2;
		if (!last[i] || YAJL_IS_NULL(v))
			continue;
		m2 = rt__spec_push_key(ctx, clock);
		if (strcmp(clock, "monotonic") == 0)
			rc = time_offset_parse(ctx, v, &l->time_monotonic);
		else if (strcmp(clock, "boottime") == 0)
			rc = time_offset_parse(ctx, v, &l->time_boottime);
		else
			rc = rt__spec_fail(ctx, "unknown clock (expected monotonic or boottime)");
		rt__spec_pop(ctx, m2);
	}
	rt__spec_pop(ctx, mark);
	return rc;
}

static int
device_parse(struct spec_ctx *ctx, yajl_val v, void *elem, void *arg)
{
	struct rt_device *d = elem;
	cleanup_free char *type = NULL;
	int flags;

	(void)arg;
	if (rt__spec_str(ctx, v, "type", SPEC_REQUIRED, &type) < 0)
		return -1;
	if (strlen(type) != 1 || strchr("cbup", type[0]) == NULL)
		return rt__spec_fail_at(ctx, "type", "unknown device type \"%.64s\"", type);
	d->type = type[0];
	/* major and minor mean nothing for a FIFO. */
	flags = d->type == 'p' ? SPEC_OPTIONAL : SPEC_REQUIRED;
	if (rt__spec_str(ctx, v, "path", SPEC_NONEMPTY, &d->path) < 0 ||
	    rt__spec_i64(ctx, v, "major", flags, INT64_MIN, INT64_MAX, &d->major, NULL) < 0 ||
	    rt__spec_i64(ctx, v, "minor", flags, INT64_MIN, INT64_MAX, &d->minor, NULL) < 0 ||
	    rt__spec_u32(ctx, v, "fileMode", SPEC_OPTIONAL, &d->file_mode, &d->has_file_mode) < 0 ||
	    rt__spec_u32(ctx, v, "uid", SPEC_OPTIONAL, &d->uid, &d->has_uid) < 0 ||
	    rt__spec_u32(ctx, v, "gid", SPEC_OPTIONAL, &d->gid, &d->has_gid) < 0)
		return -1;
	return 0;
}

static int
personality_parse(struct spec_ctx *ctx, yajl_val lx, struct rt_linux *l)
{
	yajl_val v;
	size_t mark;
	int rc = -1;

	if (rt__spec_obj(ctx, lx, "personality", SPEC_OPTIONAL, &v) < 0)
		return -1;
	if (v == NULL)
		return 0;
	l->has_personality = true;
	mark = rt__spec_push(ctx, "personality");
	if (rt__spec_str(ctx, v, "domain", SPEC_REQUIRED, &l->personality_domain) < 0)
		goto out;
	if (strcmp(l->personality_domain, "LINUX") != 0 &&
	    strcmp(l->personality_domain, "LINUX32") != 0) {
		rt__spec_fail_at(ctx, "domain", "unknown personality domain \"%.64s\"",
		                 l->personality_domain);
		goto out;
	}
	if (rt__spec_strv(ctx, v, "flags", SPEC_OPTIONAL, &l->personality_flags) < 0)
		goto out;
	rc = 0;
out:
	rt__spec_pop(ctx, mark);
	return rc;
}

static int
sub_object_parse(struct spec_ctx *ctx, yajl_val lx, struct rt_linux *l)
{
	yajl_val v;
	size_t mark;
	int rc = 0;

	if (rt__spec_obj(ctx, lx, "resources", SPEC_OPTIONAL, &v) < 0)
		return -1;
	if (v != NULL) {
		l->has_resources = true;
		mark = rt__spec_push(ctx, "resources");
		rc = rt__spec_parse_resources(ctx, v, &l->resources);
		rt__spec_pop(ctx, mark);
		if (rc < 0)
			return -1;
	}
	if (rt__spec_obj(ctx, lx, "seccomp", SPEC_OPTIONAL, &v) < 0)
		return -1;
	if (v != NULL) {
		l->seccomp = xcalloc(1, sizeof(*l->seccomp));
		mark = rt__spec_push(ctx, "seccomp");
		rc = rt__spec_parse_seccomp(ctx, v, l->seccomp);
		rt__spec_pop(ctx, mark);
	}
	return rc;
}

int
rt__spec_parse_linux(struct spec_ctx *ctx, yajl_val lx, struct rt_linux *l)
{
	if (namespaces_parse(ctx, lx, l) < 0 ||
	    rt__spec_parse_idmaps(ctx, lx, "uidMappings", &l->uid_mappings, &l->n_uid_mappings) <
	        0 ||
	    rt__spec_parse_idmaps(ctx, lx, "gidMappings", &l->gid_mappings, &l->n_gid_mappings) <
	        0 ||
	    time_offsets_parse(ctx, lx, l) < 0 ||
	    rt__spec_objects(ctx, lx, "devices", SPEC_OPTIONAL, sizeof(struct rt_device),
	                     device_parse, NULL, &l->devices, &l->n_devices) < 0 ||
	    rt__spec_str(ctx, lx, "cgroupsPath", SPEC_OPTIONAL, &l->cgroups_path) < 0 ||
	    sub_object_parse(ctx, lx, l) < 0 ||
	    rt__spec_str(ctx, lx, "rootfsPropagation", SPEC_OPTIONAL, &l->rootfs_propagation) < 0 ||
	    rt__spec_strv(ctx, lx, "maskedPaths", SPEC_OPTIONAL, &l->masked_paths) < 0 ||
	    rt__spec_strv(ctx, lx, "readonlyPaths", SPEC_OPTIONAL, &l->readonly_paths) < 0 ||
	    rt__spec_str(ctx, lx, "mountLabel", SPEC_OPTIONAL, &l->mount_label) < 0 ||
	    rt__spec_kv(ctx, lx, "sysctl", &l->sysctl, &l->n_sysctl) < 0 ||
	    personality_parse(ctx, lx, l) < 0)
		return -1;
	if (l->masked_paths == NULL)
		l->masked_paths = xcalloc(1, sizeof(char *));
	if (l->readonly_paths == NULL)
		l->readonly_paths = xcalloc(1, sizeof(char *));
	return 0;
}

void
rt__spec_linux_fini(struct rt_linux *l)
{
	for (int k = 0; k < RT_NS_NKINDS; k++)
		free(l->ns[k].path);
	free(l->uid_mappings);
	free(l->gid_mappings);
	for (size_t i = 0; i < l->n_devices; i++)
		free(l->devices[i].path);
	free(l->devices);
	free(l->cgroups_path);
	cg_resources_fini(&l->resources);
	free(l->rootfs_propagation);
	strv_free(l->masked_paths);
	strv_free(l->readonly_paths);
	free(l->mount_label);
	rt__spec_seccomp_free(l->seccomp);
	rt__spec_kv_free(l->sysctl, l->n_sysctl);
	free(l->personality_domain);
	strv_free(l->personality_flags);
	memset(l, 0, sizeof(*l));
}
