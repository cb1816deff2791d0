#include "cli_flags.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/xalloc.h"
#include "names.h"

void
cli_list_fini(struct cli_list *l)
{
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

void
cli_args_fini(struct cli_args *a)
{
	free(a->v);
	a->v = NULL;
	a->n = 0;
}

/* Does `name` (len bytes) match one of the comma separated names of f? */
static bool
flag_has_name(const struct cli_flag *f, const char *name, size_t len)
{
	const char *p = f->names;

	while (*p) {
		size_t n;
		while (*p == ' ' || *p == ',')
			p++;
		n = strcspn(p, ", ");
		if (n > 0 && n == len && strncmp(p, name, len) == 0)
			return true;
		p += n;
	}
	return false;
}

static struct cli_flag *
flag_find(struct cli_flag *flags, size_t n_flags, const char *name, size_t len)
{
	for (size_t i = 0; i < n_flags; i++)
		if (flag_has_name(&flags[i], name, len))
			return &flags[i];
	return NULL;
}

bool
cli_flag_is_set(const struct cli_flag *flags, size_t n_flags, const char *name)
{
	for (size_t i = 0; i < n_flags; i++)
		if (flag_has_name(&flags[i], name, strlen(name)))
			return flags[i].is_set;
	return false;
}

static void
args_push(struct cli_args *a, char *s)
{
	a->v = xreallocarray(a->v, (size_t)a->n + 2, sizeof(*a->v));
	a->v[a->n++] = s;
	a->v[a->n] = NULL;
}

static int
flag_set_value(struct cli_flag *f, const char *name, const char *value, struct err *err)
{
	struct cli_list *l;
	int64_t v;

	switch (f->kind) {
	case CLI_STRING:
		*(const char **)f->dst = value;
		break;
	case CLI_INT:
		if (cli_parse_int(value, &v) < 0 || v < INT_MIN || v > INT_MAX)
			return err_set(err, EINVAL,
			               "invalid value \"%s\" for flag -%s: parse error", value,
			               name);
		*(int *)f->dst = (int)v;
		break;
	case CLI_LIST:
		l = f->dst;
		l->v = xreallocarray(l->v, l->n + 1, sizeof(*l->v));
		l->v[l->n++] = value;
		break;
	case CLI_BOOL:
		break;
	}
	f->is_set = true;
	return 0;
}

/* One argument that starts with '-' (not "-" or "--"). *i may advance past a separate value.
 * Returns 0, 1 for help, -1 on error. */
static int
flag_parse_one(struct cli_flag *flags, size_t n_flags, int argc, char **argv, int *i,
               struct err *err)
{
	const char *arg = argv[*i], *name = arg + 1, *eq, *value = NULL;
	char nbuf[128];
	struct cli_flag *f;
	size_t len;
	bool b = false;

	if (*name == '-')
		name++;
	if (*name == '\0' || *name == '-' || *name == '=')
		return err_set(err, EINVAL, "bad flag syntax: %s", arg);
	eq = strchr(name, '=');
	len = eq ? (size_t)(eq - name) : strlen(name);
	snprintf(nbuf, sizeof(nbuf), "%.*s", (int)len, name);
	f = flag_find(flags, n_flags, name, len);
	if (f == NULL) {
		if (strcmp(nbuf, "help") == 0 || strcmp(nbuf, "h") == 0)
			return 1;
		return err_set(err, EINVAL, "flag provided but not defined: -%s", nbuf);
	}
	if (f->kind == CLI_BOOL) {
		if (eq && cli_parse_bool(eq + 1, &b) < 0)
			return err_set(err, EINVAL,
			               "invalid boolean value \"%s\" for -%s: parse error", eq + 1,
			               nbuf);
		*(bool *)f->dst = eq ? b : true;
		f->is_set = true;
		return 0;
	}
	if (eq) {
		value = eq + 1;
	} else {
		if (*i + 1 >= argc)
			return err_set(err, EINVAL, "flag needs an argument: -%s", nbuf);
		value = argv[++*i];
	}
	return flag_set_value(f, nbuf, value, err);
}

int
cli_flags_parse(struct cli_flag *flags, size_t n_flags, int argc, char **argv,
                enum cli_args_mode mode, struct cli_args *pos, struct err *err)
{
	bool flags_done = false;

	pos->v = xcalloc(1, sizeof(*pos->v));
	pos->n = 0;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		int r;

		if (flags_done || a[0] != '-' || a[1] == '\0') {
			args_push(pos, argv[i]);
			if (mode == CLI_ARGS_FLAGS_FIRST)
				flags_done = true;
			continue;
		}
		if (strcmp(a, "--") == 0) {
			flags_done = true;
			continue;
		}
		r = flag_parse_one(flags, n_flags, argc, argv, &i, err);
		if (r != 0) {
			cli_args_fini(pos);
			return r;
		}
	}
	return 0;
}

/* "--bundle value, -b value" for help. */
static void
flag_help_names(char *buf, size_t cap, const struct cli_flag *f)
{
	const char *p = f->names;
	size_t used = 0;

	buf[0] = '\0';
	while (*p && used < cap) {
		size_t n;
		int w;
		while (*p == ' ' || *p == ',')
			p++;
		n = strcspn(p, ", ");
		if (n == 0)
			break;
		w = snprintf(buf + used, cap - used, "%s%s%.*s%s", used ? ", " : "",
		             n == 1 ? "-" : "--", (int)n, p, f->kind == CLI_BOOL ? "" : " value");
		if (w < 0)
			break;
		used += (size_t)w;
		p += n;
	}
}

void
cli_flags_help(FILE *out, const struct cli_cmd *cmd, const struct cli_flag *flags, size_t n_flags)
{
	char names[160];
	int width = 0;

	if (cmd) {
		fprintf(out, "NAME:\n   husk %s - %s\n\nUSAGE:\n   husk %s [command options] %s\n",
		        cmd->name, cmd->summary, cmd->name, cmd->args_usage);
	}
	if (n_flags == 0)
		return;
	for (size_t i = 0; i < n_flags; i++) {
		flag_help_names(names, sizeof(names), &flags[i]);
		if ((int)strlen(names) > width)
			width = (int)strlen(names);
	}
	fprintf(out, "\n%s:\n", cmd ? "OPTIONS" : "GLOBAL OPTIONS");
	for (size_t i = 0; i < n_flags; i++) {
		flag_help_names(names, sizeof(names), &flags[i]);
		fprintf(out, "   %-*s  %s\n", width, names, flags[i].usage);
	}
}

int
cli_cmd_parse(const struct cli_ctx *ctx, struct cli_flag *flags, size_t n_flags, int argc,
              char **argv, enum cli_args_mode mode, int min_args, int max_args,
              struct cli_args *pos, struct err *err)
{
	const char *name = ctx->cmd ? ctx->cmd->name : argv[0];
	int r;

	r = cli_flags_parse(flags, n_flags, argc - 1, argv + 1, mode, pos, err);
	if (r < 0)
		return -1;
	if (r == 1) {
		cli_flags_help(stdout, ctx->cmd, flags, n_flags);
		return 1;
	}
	if (min_args >= 0 && min_args == max_args && pos->n != min_args)
		r = err_set(err, EINVAL, "\"%s\" requires exactly %d argument(s)", name, min_args);
	else if (min_args >= 0 && pos->n < min_args)
		r = err_set(err, EINVAL, "\"%s\" requires a minimum of %d argument(s)", name,
		            min_args);
	else if (max_args >= 0 && pos->n > max_args)
		r = err_set(err, EINVAL, "\"%s\" requires a maximum of %d argument(s)", name,
		            max_args);
	if (r < 0)
		cli_args_fini(pos);
	return r;
}

int
cli_parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = {"1", "t", "T", "TRUE", "true", "True"};
	static const char *const no[] = {"0", "f", "F", "FALSE", "false", "False"};

	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		if (strcmp(s, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcmp(s, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

/* Digits of s in base (no sign, no prefix), '_' allowed between digits when underscores. */
static int
parse_digits(const char *s, unsigned base, bool underscores, uint64_t *out)
{
	uint64_t v = 0;
	bool any = false, last_us = false;

	for (; *s; s++) {
		unsigned d;
		if (*s == '_' && underscores && any && !last_us) {
			last_us = true;
			continue;
		}
		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (*s >= 'a' && *s <= 'z')
			d = (unsigned)(*s - 'a') + 10;
		else if (*s >= 'A' && *s <= 'Z')
			d = (unsigned)(*s - 'A') + 10;
		else
			return -1;
		if (d >= base || v > (UINT64_MAX - d) / base)
			return -1;
		v = v * base + d;
		any = true;
		last_us = false;
	}
	if (!any || last_us)
		return -1;
	*out = v;
	return 0;
}

static int
signed_from(bool neg, uint64_t u, int64_t *out)
{
	if (neg ? u > (uint64_t)INT64_MAX + 1 : u > (uint64_t)INT64_MAX)
		return -1;
	*out = neg ? (int64_t)(0 - u) : (int64_t)u;
	return 0;
}

int
cli_parse_int(const char *s, int64_t *out)
{
	bool neg = false;
	unsigned base = 10;
	uint64_t u;

	if (*s == '+' || *s == '-')
		neg = *s++ == '-';
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	} else if (s[0] == '0' && (s[1] == 'o' || s[1] == 'O')) {
		base = 8;
		s += 2;
	} else if (s[0] == '0' && (s[1] == 'b' || s[1] == 'B')) {
		base = 2;
		s += 2;
	} else if (s[0] == '0' && s[1] != '\0') {
		base = 8;
		s += 1;
	}
	if (parse_digits(s, base, true, &u) < 0)
		return -1;
	return signed_from(neg, u, out);
}

int
cli_parse_u64(const char *s, uint64_t *out)
{
	if (*s == '+')
		s++;
	return parse_digits(s, 10, false, out);
}

int
cli_parse_i64(const char *s, int64_t *out)
{
	bool neg = false;
	uint64_t u;

	if (*s == '+' || *s == '-')
		neg = *s++ == '-';
	if (parse_digits(s, 10, false, &u) < 0)
		return -1;
	return signed_from(neg, u, out);
}

/* A decimal number with an optional fraction ("1", "1.5", ".5", "2."), as strconv.ParseFloat
 * accepts for sizes. */
static int
parse_decimal(const char *s, size_t len, long double *out)
{
	long double v = 0, scale = 1;
	bool any = false, dot = false;

	for (size_t i = 0; i < len; i++) {
		if (s[i] == '.' && !dot) {
			dot = true;
			continue;
		}
		if (s[i] < '0' || s[i] > '9')
			return -1;
		if (dot) {
			scale /= 10;
			v += (s[i] - '0') * scale;
		} else {
			v = v * 10 + (s[i] - '0');
		}
		any = true;
	}
	if (!any)
		return -1;
	*out = v;
	return 0;
}

int
cli_parse_size(const char *s, int64_t *out, struct err *err)
{
	static const char units[] = "kmgtp";
	const char *sep = NULL, *sfx, *u;
	long double v;
	size_t num_len;
	char lower[4];

	for (const char *p = s; *p; p++)
		if ((*p >= '0' && *p <= '9') || *p == '.' || *p == ' ')
			sep = p;
	if (sep == NULL)
		return err_set(err, EINVAL, "invalid size: '%s'", s);
	num_len = (size_t)(sep - s) + (*sep == ' ' ? 0 : 1);
	sfx = sep + 1;
	if (parse_decimal(s, num_len, &v) < 0)
		return err_set(err, EINVAL, "invalid size: '%s'", s);
	if (*sfx == '\0')
		goto done;
	if (strlen(sfx) > 3)
		return err_set(err, EINVAL, "invalid suffix: '%s'", sfx);
	for (size_t i = 0; i <= strlen(sfx); i++)
		lower[i] = (char)(sfx[i] >= 'A' && sfx[i] <= 'Z' ? sfx[i] - 'A' + 'a' : sfx[i]);
	if (lower[0] == 'b') {
		if (lower[1] != '\0')
			return err_set(err, EINVAL, "invalid suffix: '%s'", lower);
		goto done;
	}
	u = strchr(units, lower[0]);
	if (u == NULL ||
	    (lower[1] != '\0' && strcmp(lower + 1, "b") != 0 && strcmp(lower + 1, "ib") != 0))
		return err_set(err, EINVAL, "invalid suffix: '%s'", lower);
	for (const char *k = units; k <= u; k++)
		v *= 1024;
done:
	if (v >= 9223372036854775808.0L)
		return err_set(err, ERANGE, "invalid size: '%s': out of range", s);
	*out = (int64_t)v;
	return 0;
}

struct dur_unit {
	const char *name;
	uint64_t ns;
};

static const struct dur_unit dur_units[] = {
    {"ns", 1ULL},           {"us", 1000ULL},      {"\xc2\xb5s", 1000ULL}, /* U+00B5 micro sign */
    {"\xce\xbcs", 1000ULL},                                               /* U+03BC Greek mu */
    {"ms", 1000000ULL},     {"s", 1000000000ULL}, {"m", 60000000000ULL},  {"h", 3600000000000ULL},
};

/* One "<number><unit>" element of a duration; advances *p. Adds to *total. */
static int
dur_element(const char **p, uint64_t *total)
{
	const char *s = *p, *num_end;
	uint64_t whole = 0, frac = 0, scale = 1;
	bool any = false;
	size_t ulen;

	for (; *s >= '0' && *s <= '9'; s++, any = true) {
		if (whole > (UINT64_MAX - 9) / 10)
			return -1;
		whole = whole * 10 + (uint64_t)(*s - '0');
	}
	if (*s == '.') {
		for (s++; *s >= '0' && *s <= '9'; s++, any = true) {
			if (scale <= UINT64_MAX / 100) { /* extra digits are dropped, as Go does */
				frac = frac * 10 + (uint64_t)(*s - '0');
				scale *= 10;
			}
		}
	}
	if (!any)
		return -1;
	num_end = s;
	while (*s && *s != '.' && (*s < '0' || *s > '9'))
		s++;
	ulen = (size_t)(s - num_end);
	if (ulen == 0)
		return -2; /* missing unit */
	for (size_t i = 0; i < ARRAY_SIZE(dur_units); i++) {
		uint64_t u = dur_units[i].ns, add;
		if (strlen(dur_units[i].name) != ulen || strncmp(num_end, dur_units[i].name, ulen))
			continue;
		if (whole > (uint64_t)INT64_MAX / u)
			return -1;
		add =
		    whole * u + (uint64_t)((long double)frac * (long double)u / (long double)scale);
		if (add > (uint64_t)INT64_MAX - *total)
			return -1;
		*total += add;
		*p = s;
		return 0;
	}
	return -3; /* unknown unit */
}

int
cli_parse_duration(const char *s, int64_t *ns, struct err *err)
{
	const char *p = s;
	uint64_t total = 0;
	bool neg = false;

	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	if (strcmp(p, "0") == 0) {
		*ns = 0;
		return 0;
	}
	if (*p == '\0')
		return err_set(err, EINVAL, "time: invalid duration \"%s\"", s);
	while (*p) {
		int r = dur_element(&p, &total);
		if (r == -2)
			return err_set(err, EINVAL, "time: missing unit in duration \"%s\"", s);
		if (r == -3)
			return err_set(err, EINVAL, "time: unknown unit in duration \"%s\"", s);
		if (r < 0)
			return err_set(err, EINVAL, "time: invalid duration \"%s\"", s);
	}
	*ns = neg ? -(int64_t)total : (int64_t)total;
	return 0;
}

int
cli_parse_signal(const char *s, int *sig, struct err *err)
{
	int n = rt_signal_from_name(s);

	if (n <= 0)
		return err_set(err, EINVAL, "unknown signal \"%s\"", s);
	*sig = n;
	return 0;
}

char *
cli_path_clean(const char *path)
{
	bool abs = path[0] == '/';
	size_t len = strlen(path), n = 0;
	cleanup_free char *copy = xstrdup(path);
	char **parts = xcalloc(len + 1, sizeof(*parts)), *save = NULL, *tok;
	char *out = xmalloc(len + 3), *o = out;

	for (tok = strtok_r(copy, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
		if (strcmp(tok, ".") == 0)
			continue;
		if (strcmp(tok, "..") == 0) {
			if (n > 0 && strcmp(parts[n - 1], "..") != 0)
				n--;
			else if (!abs)
				parts[n++] = tok;
			continue;
		}
		parts[n++] = tok;
	}
	if (abs)
		*o++ = '/';
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(parts[i]);
		if (i > 0)
			*o++ = '/';
		memcpy(o, parts[i], l);
		o += l;
	}
	if (o == out)
		*o++ = '.';
	*o = '\0';
	free(parts);
	return out;
}

char *
cli_path_abs(const char *path)
{
	cleanup_free char *cwd = NULL, *joined = NULL;

	if (path[0] == '/')
		return cli_path_clean(path);
	cwd = getcwd(NULL, 0);
	if (cwd == NULL)
		cwd = xstrdup("/");
	joined = xasprintf("%s/%s", cwd, path);
	return cli_path_clean(joined);
}
