/* spec_process: the process object (config.json's process, `runc exec --process`, the shim's
 * Exec spec): user, args, env, cwd, capabilities, rlimits, scheduler, I/O priority, ... */
#include "spec.h"

#include <limits.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/xalloc.h"
#include "spec_internal.h"

#ifndef SCHED_ISO
#define SCHED_ISO 4
#endif
#ifndef SCHED_DEADLINE
#define SCHED_DEADLINE 6
#endif

struct spec_name {
	const char *name;
	int value;
};

static const struct spec_name sched_policies[] = {
    {"SCHED_OTHER", SCHED_OTHER},       {"SCHED_FIFO", SCHED_FIFO}, {"SCHED_RR", SCHED_RR},
    {"SCHED_BATCH", SCHED_BATCH},       {"SCHED_ISO", SCHED_ISO},   {"SCHED_IDLE", SCHED_IDLE},
    {"SCHED_DEADLINE", SCHED_DEADLINE},
};

/* linux/sched.h values (sched_setattr's sched_flags). */
static const struct spec_name sched_flags[] = {
    {"SCHED_FLAG_RESET_ON_FORK", 0x01},  {"SCHED_FLAG_RECLAIM", 0x02},
    {"SCHED_FLAG_DL_OVERRUN", 0x04},     {"SCHED_FLAG_KEEP_POLICY", 0x08},
    {"SCHED_FLAG_KEEP_PARAMS", 0x10},    {"SCHED_FLAG_UTIL_CLAMP_MIN", 0x20},
    {"SCHED_FLAG_UTIL_CLAMP_MAX", 0x40},
};

static const struct spec_name ioprio_classes[] = {
    {"IOPRIO_CLASS_RT", 1},
    {"IOPRIO_CLASS_BE", 2},
    {"IOPRIO_CLASS_IDLE", 3},
};

static int
name_lookup(const struct spec_name *t, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(t[i].name, name) == 0)
			return t[i].value;
	return -1;
}

/* Parses obj.field, a string naming one entry of t; "unknown <what> \"x\"" otherwise. */
static int
named_value(struct spec_ctx *ctx, yajl_val obj, const char *field, const struct spec_name *t,
            size_t n, const char *what, int *out)
{
	cleanup_free char *s = NULL;

	if (rt__spec_str(ctx, obj, field, SPEC_REQUIRED, &s) < 0)
		return -1;
	*out = name_lookup(t, n, s);
	if (*out < 0)
		return rt__spec_fail_at(ctx, field, "unknown %s \"%.64s\"", what, s);
	return 0;
}

static int
user_parse(struct spec_ctx *ctx, yajl_val proc, struct rt_user *u)
{
	yajl_val v, gids;
	size_t mark;
	int rc = -1;

	if (rt__spec_obj(ctx, proc, "user", SPEC_OPTIONAL, &v) < 0)
		return -1;
	if (v == NULL)
		return 0;
	mark = rt__spec_push(ctx, "user");
	if (rt__spec_u32(ctx, v, "uid", SPEC_OPTIONAL, &u->uid, NULL) < 0 ||
	    rt__spec_u32(ctx, v, "gid", SPEC_OPTIONAL, &u->gid, NULL) < 0 ||
	    rt__spec_u32(ctx, v, "umask", SPEC_OPTIONAL, &u->umask, &u->has_umask) < 0 ||
	    rt__spec_str(ctx, v, "username", SPEC_OPTIONAL, &u->username) < 0 ||
	    rt__spec_arr(ctx, v, "additionalGids", SPEC_OPTIONAL, &gids) < 0)
		goto out;
	if (gids != NULL) {
		size_t m2 = rt__spec_push(ctx, "additionalGids");
		u->additional_gids = xcalloc(gids->u.array.len, sizeof(uint32_t));
		for (size_t i = 0; i < gids->u.array.len; i++) {
			size_t m3 = rt__spec_push_index(ctx, i);
			uint64_t g = 0;
			int r = rt__spec_val_u64(ctx, gids->u.array.values[i], UINT32_MAX, &g);
			rt__spec_pop(ctx, m3);
			if (r < 0) {
				rt__spec_pop(ctx, m2);
				goto out;
			}
			u->additional_gids[u->n_additional_gids++] = (uint32_t)g;
		}
		rt__spec_pop(ctx, m2);
	}
	rc = 0;
out:
	rt__spec_pop(ctx, mark);
	return rc;
}

static void
strv_add_unique(char ***v, const char *s)
{
	size_t n = strv_len(*v);

	for (size_t i = 0; i < n; i++)
		if (strcmp((*v)[i], s) == 0)
			return;
	*v = xreallocarray(*v, n + 2, sizeof(char *));
	(*v)[n] = xstrdup(s);
	(*v)[n + 1] = NULL;
}

/* One capability set: known names become bits, unknown ones go to p->unknown_caps. */
static int
cap_set_parse(struct spec_ctx *ctx, yajl_val caps, const char *field, uint64_t *mask,
              struct rt_process *p)
{
	char **names = NULL;

	if (rt__spec_strv(ctx, caps, field, SPEC_OPTIONAL, &names) < 0)
		return -1;
	for (size_t i = 0; names && names[i]; i++) {
		int c = rt_cap_from_name(names[i]);
		if (c < 0)
			strv_add_unique(&p->unknown_caps, names[i]);
		else
			*mask |= UINT64_C(1) << c;
	}
	strv_free(names);
	return 0;
}

static int
caps_parse(struct spec_ctx *ctx, yajl_val proc, struct rt_process *p)
{
	yajl_val v;
	size_t mark;
	int rc = -1;

	if (rt__spec_obj(ctx, proc, "capabilities", SPEC_OPTIONAL, &v) < 0)
		return -1;
	if (v == NULL)
		return 0;
	p->has_caps = true;
	mark = rt__spec_push(ctx, "capabilities");
	if (cap_set_parse(ctx, v, "bounding", &p->caps.bounding, p) == 0 &&
	    cap_set_parse(ctx, v, "effective", &p->caps.effective, p) == 0 &&
	    cap_set_parse(ctx, v, "inheritable", &p->caps.inheritable, p) == 0 &&
	    cap_set_parse(ctx, v, "permitted", &p->caps.permitted, p) == 0 &&
	    cap_set_parse(ctx, v, "ambient", &p->caps.ambient, p) == 0)
		rc = 0;
	rt__spec_pop(ctx, mark);
	return rc;
}

static int
rlimit_parse(struct spec_ctx *ctx, yajl_val v, void *elem, void *arg)
{
	struct rt_rlimit *r = elem;
	const struct rt_process *p = arg;
	cleanup_free char *type = NULL;

	if (rt__spec_str(ctx, v, "type", SPEC_REQUIRED, &type) < 0)
		return -1;
	r->type = rt_rlimit_from_name(type);
	if (r->type < 0)
		return rt__spec_fail_at(ctx, "type", "unknown rlimit \"%.64s\"", type);
	for (const struct rt_rlimit *o = p->rlimits; o < r; o++)
		if (o->type == r->type)
			return rt__spec_fail_at(ctx, "type", "duplicate rlimit \"%s\"", type);
	if (rt__spec_u64(ctx, v, "soft", SPEC_REQUIRED, UINT64_MAX, &r->soft, NULL) < 0 ||
	    rt__spec_u64(ctx, v, "hard", SPEC_REQUIRED, UINT64_MAX, &r->hard, NULL) < 0)
		return -1;
	return 0;
}

static int
sched_flags_parse(struct spec_ctx *ctx, yajl_val sched, uint64_t *flags)
{
	char **names = NULL;
	int rc = 0;

	if (rt__spec_strv(ctx, sched, "flags", SPEC_OPTIONAL, &names) < 0)
		return -1;
	for (size_t i = 0; names && names[i]; i++) {
		int f = name_lookup(sched_flags, ARRAY_SIZE(sched_flags), names[i]);
		if (f < 0) {
			size_t mark = rt__spec_push(ctx, "flags");
			size_t m2 = rt__spec_push_index(ctx, i);
			rc = rt__spec_fail(ctx, "unknown scheduler flag \"%.64s\"", names[i]);
			rt__spec_pop(ctx, m2);
			rt__spec_pop(ctx, mark);
			break;
		}
		*flags |= (uint64_t)f;
	}
	strv_free(names);
	return rc;
}

static int
scheduler_parse(struct spec_ctx *ctx, yajl_val proc, struct rt_process *p)
{
	struct rt_scheduler *s = &p->scheduler;
	yajl_val v;
	size_t mark;
	int rc = -1;

	if (rt__spec_obj(ctx, proc, "scheduler", SPEC_OPTIONAL, &v) < 0)
		return -1;
	if (v == NULL)
		return 0;
	p->has_scheduler = true;
	mark = rt__spec_push(ctx, "scheduler");
	if (named_value(ctx, v, "policy", sched_policies, ARRAY_SIZE(sched_policies),
	                "scheduler policy", &s->policy) == 0 &&
	    rt__spec_int(ctx, v, "nice", SPEC_OPTIONAL, INT32_MIN, INT32_MAX, &s->nice, NULL) ==
	        0 &&
	    rt__spec_int(ctx, v, "priority", SPEC_OPTIONAL, INT32_MIN, INT32_MAX, &s->priority,
	                 NULL) == 0 &&
	    sched_flags_parse(ctx, v, &s->flags) == 0 &&
	    rt__spec_u64(ctx, v, "runtime", SPEC_OPTIONAL, UINT64_MAX, &s->runtime, NULL) == 0 &&
	    rt__spec_u64(ctx, v, "deadline", SPEC_OPTIONAL, UINT64_MAX, &s->deadline, NULL) == 0 &&
	    rt__spec_u64(ctx, v, "period", SPEC_OPTIONAL, UINT64_MAX, &s->period, NULL) == 0)
		rc = 0;
	rt__spec_pop(ctx, mark);
	return rc;
}

static int
io_priority_parse(struct spec_ctx *ctx, yajl_val proc, struct rt_process *p)
{
	yajl_val v;
	size_t mark;
	int rc = -1;

	if (rt__spec_obj(ctx, proc, "ioPriority", SPEC_OPTIONAL, &v) < 0)
		return -1;
	if (v == NULL)
		return 0;
	p->has_io_priority = true;
	mark = rt__spec_push(ctx, "ioPriority");
	if (named_value(ctx, v, "class", ioprio_classes, ARRAY_SIZE(ioprio_classes),
	                "I/O priority class", &p->io_priority.class) == 0 &&
	    rt__spec_int(ctx, v, "priority", SPEC_OPTIONAL, 0, 7, &p->io_priority.priority, NULL) ==
	        0)
		rc = 0;
	rt__spec_pop(ctx, mark);
	return rc;
}

/* consoleSize and execCPUAffinity. */
static int
small_objects_parse(struct spec_ctx *ctx, yajl_val proc, struct rt_process *p)
{
	yajl_val v;
	size_t mark;
	int rc = 0;

	if (rt__spec_obj(ctx, proc, "consoleSize", SPEC_OPTIONAL, &v) < 0)
		return -1;
	if (v != NULL) {
		uint64_t h = 0, w = 0;
		mark = rt__spec_push(ctx, "consoleSize");
		if (rt__spec_u64(ctx, v, "height", SPEC_REQUIRED, UINT16_MAX, &h, NULL) < 0 ||
		    rt__spec_u64(ctx, v, "width", SPEC_REQUIRED, UINT16_MAX, &w, NULL) < 0)
			rc = -1;
		rt__spec_pop(ctx, mark);
		if (rc < 0)
			return -1;
		p->has_console_size = true;
		p->console_height = (unsigned)h;
		p->console_width = (unsigned)w;
	}
	if (rt__spec_obj(ctx, proc, "execCPUAffinity", SPEC_OPTIONAL, &v) < 0)
		return -1;
	if (v != NULL) {
		mark = rt__spec_push(ctx, "execCPUAffinity");
		if (rt__spec_str(ctx, v, "initial", SPEC_OPTIONAL, &p->exec_cpu_affinity_initial) <
		        0 ||
		    rt__spec_str(ctx, v, "final", SPEC_OPTIONAL, &p->exec_cpu_affinity_final) < 0)
			rc = -1;
		rt__spec_pop(ctx, mark);
	}
	return rc;
}

int
rt__spec_parse_process(struct spec_ctx *ctx, yajl_val v, struct rt_process *p)
{
	if (rt__spec_bool(ctx, v, "terminal", SPEC_OPTIONAL, &p->terminal, NULL) < 0 ||
	    small_objects_parse(ctx, v, p) < 0 || user_parse(ctx, v, &p->user) < 0 ||
	    rt__spec_strv(ctx, v, "args", SPEC_NONEMPTY, &p->args) < 0 ||
	    rt__spec_strv(ctx, v, "env", SPEC_OPTIONAL, &p->env) < 0 ||
	    rt__spec_str(ctx, v, "cwd", SPEC_NONEMPTY, &p->cwd) < 0)
		return -1;
	if (p->cwd[0] != '/')
		return rt__spec_fail_at(ctx, "cwd", "must be an absolute path, not \"%.64s\"",
		                        p->cwd);
	if (p->env == NULL)
		p->env = xcalloc(1, sizeof(char *));
	if (caps_parse(ctx, v, p) < 0 ||
	    rt__spec_objects(ctx, v, "rlimits", SPEC_OPTIONAL, sizeof(struct rt_rlimit),
	                     rlimit_parse, p, &p->rlimits, &p->n_rlimits) < 0 ||
	    rt__spec_bool(ctx, v, "noNewPrivileges", SPEC_OPTIONAL, &p->no_new_privileges, NULL) <
	        0 ||
	    rt__spec_str(ctx, v, "apparmorProfile", SPEC_OPTIONAL, &p->apparmor_profile) < 0 ||
	    rt__spec_int(ctx, v, "oomScoreAdj", SPEC_OPTIONAL, -1000, 1000, &p->oom_score_adj,
	                 &p->has_oom_score_adj) < 0 ||
	    scheduler_parse(ctx, v, p) < 0 ||
	    rt__spec_str(ctx, v, "selinuxLabel", SPEC_OPTIONAL, &p->selinux_label) < 0 ||
	    io_priority_parse(ctx, v, p) < 0)
		return -1;
	return 0;
}

int
rt_process_parse(const char *json, size_t len, struct rt_process **out, struct err *err)
{
	cleanup_yajl yajl_val tree = NULL;
	struct spec_ctx ctx;
	struct rt_process *p;

	*out = NULL;
	rt__spec_ctx_init(&ctx, "process", err);
	if (rt__spec_tree_parse(&ctx, json, len, &tree) < 0)
		return -1;
	p = xcalloc(1, sizeof(*p));
	if (rt__spec_parse_process(&ctx, tree, p) < 0) {
		rt_process_free(p);
		return -1;
	}
	*out = p;
	return 0;
}

void
rt__spec_process_fini(struct rt_process *p)
{
	free(p->user.additional_gids);
	free(p->user.username);
	strv_free(p->args);
	strv_free(p->env);
	free(p->cwd);
	free(p->rlimits);
	free(p->apparmor_profile);
	free(p->selinux_label);
	free(p->exec_cpu_affinity_initial);
	free(p->exec_cpu_affinity_final);
	strv_free(p->unknown_caps);
	memset(p, 0, sizeof(*p));
}

void
rt_process_free(struct rt_process *p)
{
	if (p == NULL)
		return;
	rt__spec_process_fini(p);
	free(p);
}
