/* spec_seccomp: linux.seccomp. Names (actions, architectures, flags, operators, syscalls) are
 * kept as strings: seccomp.c checks them against libseccomp when it compiles the filter. */
#include "spec.h"

#include <stdlib.h>

#include "base/xalloc.h"
#include "spec_internal.h"

/* Syscall arguments are numbered 0..5. */
#define SECCOMP_MAX_ARG_INDEX 5

static int
arg_parse(struct spec_ctx *ctx, yajl_val v, void *elem, void *arg)
{
	struct rt_seccomp_arg *a = elem;
	uint64_t index = 0;

	(void)arg;
	if (rt__spec_u64(ctx, v, "index", SPEC_REQUIRED, SECCOMP_MAX_ARG_INDEX, &index, NULL) < 0 ||
	    rt__spec_u64(ctx, v, "value", SPEC_REQUIRED, UINT64_MAX, &a->value, NULL) < 0 ||
	    rt__spec_u64(ctx, v, "valueTwo", SPEC_OPTIONAL, UINT64_MAX, &a->value_two, NULL) < 0 ||
	    rt__spec_str(ctx, v, "op", SPEC_NONEMPTY, &a->op) < 0)
		return -1;
	a->index = (unsigned)index;
	return 0;
}

static int
syscall_parse(struct spec_ctx *ctx, yajl_val v, void *elem, void *arg)
{
	struct rt_seccomp_rule *r = elem;

	(void)arg;
	if (rt__spec_strv(ctx, v, "names", SPEC_NONEMPTY, &r->names) < 0 ||
	    rt__spec_str(ctx, v, "action", SPEC_NONEMPTY, &r->action) < 0 ||
	    rt__spec_u32(ctx, v, "errnoRet", SPEC_OPTIONAL, &r->errno_ret, &r->has_errno_ret) < 0 ||
	    rt__spec_objects(ctx, v, "args", SPEC_OPTIONAL, sizeof(struct rt_seccomp_arg),
	                     arg_parse, NULL, &r->args, &r->n_args) < 0)
		return -1;
	return 0;
}

int
rt__spec_parse_seccomp(struct spec_ctx *ctx, yajl_val v, struct rt_seccomp *s)
{
	if (rt__spec_str(ctx, v, "defaultAction", SPEC_NONEMPTY, &s->default_action) < 0 ||
	    rt__spec_u32(ctx, v, "defaultErrnoRet", SPEC_OPTIONAL, &s->default_errno_ret,
	                 &s->has_default_errno_ret) < 0 ||
	    rt__spec_strv(ctx, v, "architectures", SPEC_OPTIONAL, &s->architectures) < 0 ||
	    rt__spec_strv(ctx, v, "flags", SPEC_OPTIONAL, &s->flags) < 0 ||
	    rt__spec_str(ctx, v, "listenerPath", SPEC_OPTIONAL, &s->listener_path) < 0 ||
	    rt__spec_str(ctx, v, "listenerMetadata", SPEC_OPTIONAL, &s->listener_metadata) < 0 ||
	    rt__spec_objects(ctx, v, "syscalls", SPEC_OPTIONAL, sizeof(struct rt_seccomp_rule),
	                     syscall_parse, NULL, &s->syscalls, &s->n_syscalls) < 0)
		return -1;
	if (s->architectures == NULL)
		s->architectures = xcalloc(1, sizeof(char *));
	if (s->flags == NULL)
		s->flags = xcalloc(1, sizeof(char *));
	return 0;
}

void
rt__spec_seccomp_free(struct rt_seccomp *s)
{
	if (s == NULL)
		return;
	free(s->default_action);
	strv_free(s->architectures);
	strv_free(s->flags);
	free(s->listener_path);
	free(s->listener_metadata);
	for (size_t i = 0; i < s->n_syscalls; i++) {
		struct rt_seccomp_rule *r = &s->syscalls[i];
		strv_free(r->names);
		free(r->action);
		for (size_t j = 0; j < r->n_args; j++)
			free(r->args[j].op);
		free(r->args);
	}
	free(s->syscalls);
	free(s);
}
