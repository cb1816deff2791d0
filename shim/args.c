#include "args.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

struct args_flag {
	const char *name;
	size_t off; /* offset of a const char * field, or of a bool for has_value == false */
	bool has_value;
};

#define S(n, f)                                                                                    \
	{                                                                                          \
		n, offsetof(struct shim_args, f), true                                             \
	}
#define B(n, f)                                                                                    \
	{                                                                                          \
		n, offsetof(struct shim_args, f), false                                            \
	}
static const struct args_flag args_flags[] = {
    S("namespace", ns), S("address", address), S("publish-binary", publish_bin),
    S("id", id),        S("bundle", bundle),   S("socket", socket),
    B("debug", debug),  B("v", version),       B("version", version),
    B("info", info),
};
#undef S
#undef B

static const struct args_flag *
args_find(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(args_flags) / sizeof(args_flags[0]); i++)
		if (strlen(args_flags[i].name) == len &&
		    strncmp(args_flags[i].name, name, len) == 0)
			return &args_flags[i];
	return NULL;
}

/* Go's flag package: a bool takes "=true"/"=false" only in the = form. */
static int
args_bool(const char *v, bool *out, const char *name, struct err *err)
{
	if (!v || strcmp(v, "true") == 0 || strcmp(v, "1") == 0 || strcmp(v, "t") == 0)
		*out = true;
	else if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0 || strcmp(v, "f") == 0)
		*out = false;
	else
		return err_set(err, EINVAL, "invalid boolean value %s for -%s", v, name);
	return 0;
}

int
args_parse(int argc, char **argv, struct shim_args *a, struct err *err)
{
	int i;

	memset(a, 0, sizeof(*a));
	a->ns = "default";
	for (i = 1; i < argc; i++) {
		const char *arg = argv[i], *name, *eq;
		const struct args_flag *f;
		size_t len;

		if (arg[0] != '-' || arg[1] == '\0')
			break; /* the action word: flags end here */
		if (strcmp(arg, "--") == 0) {
			i++;
			break;
		}
		name = arg + (arg[1] == '-' ? 2 : 1);
		eq = strchr(name, '=');
		len = eq ? (size_t)(eq - name) : strlen(name);
		f = args_find(name, len);
		if (!f)
			return err_set(err, EINVAL, "flag provided but not defined: -%.*s",
			               (int)len, name);
		if (!f->has_value) {
			if (args_bool(eq ? eq + 1 : NULL, (bool *)((char *)a + f->off), f->name,
			              err) < 0)
				return -1;
			continue;
		}
		if (!eq && i + 1 >= argc)
			return err_set(err, EINVAL, "flag needs an argument: -%s", f->name);
		*(const char **)((char *)a + f->off) = eq ? eq + 1 : argv[++i];
	}
	if (i < argc)
		a->action = argv[i];
	return 0;
}
