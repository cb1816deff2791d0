/* test_cli: the husk CLI's pure parts: runc-compatible flag parsing (Go flag / urfave rules),
 * value parsers (sizes, durations, signals, numbers, booleans), paths, the JSON writer and
 * exec's user lookup in the container's passwd/group. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/fdutil.h"
#include "cli/cli_flags.h"
#include "cli/cli_io.h"
#include "cli/cli_json.h"
#include "cli/cli_user.h"

struct create_like {
	const char *bundle, *pid_file;
	bool detach, no_pivot;
	int preserve;
	struct cli_list env;
};

static size_t
create_like_flags(struct cli_flag *f, struct create_like *c)
{
	size_t n = 0;

	memset(c, 0, sizeof(*c));
	f[n++] = (struct cli_flag)CLI_FLAG("bundle, b", CLI_STRING, &c->bundle, "bundle");
	f[n++] = (struct cli_flag)CLI_FLAG("pid-file", CLI_STRING, &c->pid_file, "pid file");
	f[n++] = (struct cli_flag)CLI_FLAG("detach, d", CLI_BOOL, &c->detach, "detach");
	f[n++] = (struct cli_flag)CLI_FLAG("no-pivot", CLI_BOOL, &c->no_pivot, "no pivot");
	f[n++] = (struct cli_flag)CLI_FLAG("preserve-fds", CLI_INT, &c->preserve, "fds");
	f[n++] = (struct cli_flag)CLI_FLAG("env, e", CLI_LIST, &c->env, "env");
	return n;
}

/* Parses a NULL-terminated literal argv. */
static int
parse(struct cli_flag *f, size_t n, enum cli_args_mode mode, struct cli_args *pos, struct err *err,
      ...)
{
	char *argv[32];
	int argc = 0;
	va_list ap;

	va_start(ap, err);
	for (char *a = va_arg(ap, char *); a; a = va_arg(ap, char *))
		argv[argc++] = a;
	va_end(ap);
	argv[argc] = NULL;
	return cli_flags_parse(f, n, argc, argv, mode, pos, err);
}

static void
flags_long_short_and_equals(void **state)
{
	struct cli_flag f[8];
	struct create_like c;
	size_t n = create_like_flags(f, &c);
	struct cli_args pos;
	struct err err = {0};

	(void)state;
	assert_int_equal(parse(f, n, CLI_ARGS_ANYWHERE, &pos, &err, "--bundle", "/b", "-d",
	                       "--pid-file=/p", "-preserve-fds", "2", "c1", NULL),
	                 0);
	assert_string_equal(c.bundle, "/b");
	assert_string_equal(c.pid_file, "/p");
	assert_true(c.detach);
	assert_int_equal(c.preserve, 2);
	assert_int_equal(pos.n, 1);
	assert_string_equal(pos.v[0], "c1");
	assert_null(pos.v[1]);
	assert_true(cli_flag_is_set(f, n, "bundle"));
	assert_true(cli_flag_is_set(f, n, "b"));
	assert_false(cli_flag_is_set(f, n, "no-pivot"));
	cli_args_fini(&pos);

	n = create_like_flags(f, &c);
	assert_int_equal(
	    parse(f, n, CLI_ARGS_ANYWHERE, &pos, &err, "-b=/x", "--b", "/y", "-bundle=/z", NULL),
	    0);
	assert_string_equal(c.bundle, "/z"); /* the last one wins, as Go's flag */
	assert_int_equal(pos.n, 0);
	cli_args_fini(&pos);
}

static void
flags_bool_values(void **state)
{
	struct cli_flag f[8];
	struct create_like c;
	size_t n = create_like_flags(f, &c);
	struct cli_args pos;
	struct err err = {0};

	(void)state;
	/* A bool never takes the next argument: "false" is positional. */
	assert_int_equal(parse(f, n, CLI_ARGS_ANYWHERE, &pos, &err, "-d", "false", NULL), 0);
	assert_true(c.detach);
	assert_int_equal(pos.n, 1);
	assert_string_equal(pos.v[0], "false");
	cli_args_fini(&pos);
	n = create_like_flags(f, &c);
	assert_int_equal(
	    parse(f, n, CLI_ARGS_ANYWHERE, &pos, &err, "--detach=false", "--no-pivot=T", NULL), 0);
	assert_false(c.detach);
	assert_true(c.no_pivot);
	assert_true(cli_flag_is_set(f, n, "detach"));
	cli_args_fini(&pos);
	n = create_like_flags(f, &c);
	assert_int_equal(parse(f, n, CLI_ARGS_ANYWHERE, &pos, &err, "--detach=maybe", NULL), -1);
	assert_string_equal(err.msg, "invalid boolean value \"maybe\" for -detach: parse error");
}

static void
flags_lists_repeat(void **state)
{
	struct cli_flag f[8];
	struct create_like c;
	size_t n = create_like_flags(f, &c);
	struct cli_args pos;
	struct err err = {0};

	(void)state;
	assert_int_equal(parse(f, n, CLI_ARGS_ANYWHERE, &pos, &err, "-e", "A=1", "--env=B=2", "c1",
	                       "--env", "C=3", NULL),
	                 0);
	assert_int_equal(c.env.n, 3);
	assert_string_equal(c.env.v[0], "A=1");
	assert_string_equal(c.env.v[1], "B=2");
	assert_string_equal(c.env.v[2], "C=3");
	assert_int_equal(pos.n, 1);
	cli_list_fini(&c.env);
	cli_args_fini(&pos);
}

static void
flags_errors(void **state)
{
	struct cli_flag f[8];
	struct create_like c;
	size_t n = create_like_flags(f, &c);
	struct cli_args pos;
	struct err err = {0};

	(void)state;
	assert_int_equal(parse(f, n, CLI_ARGS_ANYWHERE, &pos, &err, "--bogus", NULL), -1);
	assert_string_equal(err.msg, "flag provided but not defined: -bogus");
	assert_int_equal(err.code, EINVAL);
	assert_int_equal(parse(f, n, CLI_ARGS_ANYWHERE, &pos, &err, "-x=1", NULL), -1);
	assert_string_equal(err.msg, "flag provided but not defined: -x");
	assert_int_equal(parse(f, n, CLI_ARGS_ANYWHERE, &pos, &err, "c1", "--bundle", NULL), -1);
	assert_string_equal(err.msg, "flag needs an argument: -bundle");
	assert_int_equal(parse(f, n, CLI_ARGS_ANYWHERE, &pos, &err, "--preserve-fds", "x", NULL),
	                 -1);
	assert_string_equal(err.msg, "invalid value \"x\" for flag -preserve-fds: parse error");
	assert_int_equal(parse(f, n, CLI_ARGS_ANYWHERE, &pos, &err, "---bundle", "/b", NULL), -1);
	assert_string_equal(err.msg, "bad flag syntax: ---bundle");
	assert_int_equal(parse(f, n, CLI_ARGS_ANYWHERE, &pos, &err, "-=x", NULL), -1);
	assert_string_equal(err.msg, "bad flag syntax: -=x");
}

static void
flags_help(void **state)
{
	struct cli_flag f[8];
	struct create_like c;
	size_t n = create_like_flags(f, &c);
	struct cli_args pos;
	struct err err = {0};

	(void)state;
	assert_int_equal(parse(f, n, CLI_ARGS_ANYWHERE, &pos, &err, "c1", "--help", NULL), 1);
	assert_int_equal(parse(f, n, CLI_ARGS_ANYWHERE, &pos, &err, "-h", NULL), 1);
	assert_int_equal(parse(f, n, CLI_ARGS_ANYWHERE, &pos, &err, "-help", NULL), 1);
}

static void
flags_double_dash_and_dash(void **state)
{
	struct cli_flag f[8];
	struct create_like c;
	size_t n = create_like_flags(f, &c);
	struct cli_args pos;
	struct err err = {0};

	(void)state;
	assert_int_equal(
	    parse(f, n, CLI_ARGS_ANYWHERE, &pos, &err, "-d", "--", "-b", "x", "-", NULL), 0);
	assert_true(c.detach);
	assert_null(c.bundle);
	assert_int_equal(pos.n, 3);
	assert_string_equal(pos.v[0], "-b");
	assert_string_equal(pos.v[1], "x");
	assert_string_equal(pos.v[2], "-");
	cli_args_fini(&pos);
}

/* exec and ps: the first positional argument ends the flags (urfave SkipArgReorder). */
static void
flags_first_mode(void **state)
{
	struct cli_flag f[8];
	struct create_like c;
	size_t n = create_like_flags(f, &c);
	struct cli_args pos;
	struct err err = {0};

	(void)state;
	assert_int_equal(parse(f, n, CLI_ARGS_FLAGS_FIRST, &pos, &err, "-d", "c1", "ls", "-l",
	                       "--bundle", "x", NULL),
	                 0);
	assert_true(c.detach);
	assert_null(c.bundle);
	assert_int_equal(pos.n, 5);
	assert_string_equal(pos.v[1], "ls");
	assert_string_equal(pos.v[2], "-l");
	cli_args_fini(&pos);
	/* ANYWHERE: the same flags after the id are taken. */
	n = create_like_flags(f, &c);
	assert_int_equal(
	    parse(f, n, CLI_ARGS_ANYWHERE, &pos, &err, "c1", "--bundle", "x", "-d", NULL), 0);
	assert_string_equal(c.bundle, "x");
	assert_true(c.detach);
	assert_int_equal(pos.n, 1);
	cli_args_fini(&pos);
}

static void
cmd_parse_counts_args(void **state)
{
	static const struct cli_cmd kill_cmd = {"kill", "<container-id> [signal]", "kill", NULL};
	struct cli_ctx ctx = {.cmd = &kill_cmd};
	char *one[] = {"kill", "c1", NULL}, *none[] = {"kill", NULL},
	     *three[] = {"kill", "a", "b", "c", NULL};
	struct cli_args pos;
	struct err err = {0};

	(void)state;
	assert_int_equal(cli_cmd_parse(&ctx, NULL, 0, 2, one, CLI_ARGS_ANYWHERE, 1, 2, &pos, &err),
	                 0);
	assert_int_equal(pos.n, 1);
	cli_args_fini(&pos);
	assert_int_equal(cli_cmd_parse(&ctx, NULL, 0, 1, none, CLI_ARGS_ANYWHERE, 1, 2, &pos, &err),
	                 -1);
	assert_string_equal(err.msg, "\"kill\" requires a minimum of 1 argument(s)");
	assert_int_equal(
	    cli_cmd_parse(&ctx, NULL, 0, 4, three, CLI_ARGS_ANYWHERE, 1, 2, &pos, &err), -1);
	assert_string_equal(err.msg, "\"kill\" requires a maximum of 2 argument(s)");
	assert_int_equal(
	    cli_cmd_parse(&ctx, NULL, 0, 4, three, CLI_ARGS_ANYWHERE, 1, 1, &pos, &err), -1);
	assert_string_equal(err.msg, "\"kill\" requires exactly 1 argument(s)");
}

static void
values_bool_int(void **state)
{
	static const char *const yes[] = {"1", "t", "T", "TRUE", "true", "True"};
	static const char *const bad[] = {"", "yes", "tRUE", "2", "on"};
	bool b = false;
	int64_t v = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		b = false;
		assert_int_equal(cli_parse_bool(yes[i], &b), 0);
		assert_true(b);
	}
	assert_int_equal(cli_parse_bool("False", &b), 0);
	assert_false(b);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(cli_parse_bool(bad[i], &b), -1);
	assert_int_equal(cli_parse_int("0x1f", &v), 0);
	assert_int_equal(v, 31);
	assert_int_equal(cli_parse_int("017", &v), 0);
	assert_int_equal(v, 15);
	assert_int_equal(cli_parse_int("0o17", &v), 0);
	assert_int_equal(v, 15);
	assert_int_equal(cli_parse_int("0b101", &v), 0);
	assert_int_equal(v, 5);
	assert_int_equal(cli_parse_int("-42", &v), 0);
	assert_int_equal(v, -42);
	assert_int_equal(cli_parse_int("1_000", &v), 0);
	assert_int_equal(v, 1000);
	assert_int_equal(cli_parse_int("-9223372036854775808", &v), 0);
	assert_true(v == INT64_MIN);
	assert_int_equal(cli_parse_int("9223372036854775808", &v), -1);
	assert_int_equal(cli_parse_int("", &v), -1);
	assert_int_equal(cli_parse_int("08", &v), -1);
	assert_int_equal(cli_parse_int("1e3", &v), -1);
	assert_int_equal(cli_parse_i64("-7", &v), 0);
	assert_int_equal(v, -7);
	assert_int_equal(cli_parse_i64("0x10", &v), -1);
}

static void
values_u64(void **state)
{
	uint64_t u = 0;

	(void)state;
	assert_int_equal(cli_parse_u64("18446744073709551615", &u), 0);
	assert_true(u == UINT64_MAX);
	assert_int_equal(cli_parse_u64("18446744073709551616", &u), -1);
	assert_int_equal(cli_parse_u64("-1", &u), -1);
	assert_int_equal(cli_parse_u64("100000", &u), 0);
	assert_int_equal(u, 100000);
	assert_int_equal(cli_parse_u64("12a", &u), -1);
}

static void
values_sizes(void **state)
{
	static const struct {
		const char *in;
		int64_t want;
	} ok[] = {
	    {"0", 0},
	    {"1024", 1024},
	    {"1k", 1024},
	    {"1K", 1024},
	    {"1kb", 1024},
	    {"1KiB", 1024},
	    {"512m", 512LL << 20},
	    {"512MB", 512LL << 20},
	    {"1.5g", 3LL << 29},
	    {"2 GiB", 2LL << 30},
	    {"1t", 1LL << 40},
	    {"1p", 1LL << 50},
	    {"100b", 100},
	    {"100B", 100},
	    {"0.5k", 512},
	};
	static const struct {
		const char *in, *msg;
	} bad[] = {
	    {"", "invalid size: ''"},        {"m", "invalid size: 'm'"},
	    {"-1", "invalid size: '-1'"},    {"1x", "invalid suffix: 'x'"},
	    {"1kk", "invalid suffix: 'kk'"}, {"1kib2", "invalid size: '1kib2'"},
	    {"1bb", "invalid suffix: 'bb'"}, {"1mic", "invalid suffix: 'mic'"},
	    {"16e", "invalid suffix: 'e'"},  {"9000000p", "invalid size: '9000000p': out of range"},
	};
	struct err err = {0};
	int64_t v;

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		v = -5;
		assert_int_equal(cli_parse_size(ok[i].in, &v, &err), 0);
		assert_true(v == ok[i].want);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(cli_parse_size(bad[i].in, &v, &err), -1);
		assert_string_equal(err.msg, bad[i].msg);
	}
}

static void
values_durations(void **state)
{
	static const struct {
		const char *in;
		int64_t ns;
	} ok[] = {
	    {"0", 0},
	    {"5s", 5000000000LL},
	    {"1m30s", 90000000000LL},
	    {"1.5h", 5400000000000LL},
	    {"100ms", 100000000LL},
	    {"2us", 2000},
	    {"2\xc2\xb5s", 2000},
	    {"3ns", 3},
	    {"-2s", -2000000000LL},
	    {"+1s", 1000000000LL},
	    {".5s", 500000000LL},
	    {"1h2m3s4ms", 3723004000000LL},
	};
	static const struct {
		const char *in, *msg;
	} bad[] = {
	    {"", "time: invalid duration \"\""},
	    {"5", "time: missing unit in duration \"5\""},
	    {"5x", "time: unknown unit in duration \"5x\""},
	    {"s", "time: invalid duration \"s\""},
	    {"1.2.3s", "time: missing unit in duration \"1.2.3s\""},
	    {"9999999999h", "time: invalid duration \"9999999999h\""},
	};
	struct err err = {0};
	int64_t ns;

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		ns = 42;
		assert_int_equal(cli_parse_duration(ok[i].in, &ns, &err), 0);
		assert_true(ns == ok[i].ns);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(cli_parse_duration(bad[i].in, &ns, &err), -1);
		assert_string_equal(err.msg, bad[i].msg);
	}
}

static void
values_signals(void **state)
{
	struct err err = {0};
	int sig = 0;

	(void)state;
	assert_int_equal(cli_parse_signal("KILL", &sig, &err), 0);
	assert_int_equal(sig, SIGKILL);
	assert_int_equal(cli_parse_signal("SIGTERM", &sig, &err), 0);
	assert_int_equal(sig, SIGTERM);
	assert_int_equal(cli_parse_signal("usr1", &sig, &err), 0);
	assert_int_equal(sig, SIGUSR1);
	assert_int_equal(cli_parse_signal("sigwinch", &sig, &err), 0);
	assert_int_equal(sig, SIGWINCH);
	assert_int_equal(cli_parse_signal("9", &sig, &err), 0);
	assert_int_equal(sig, 9);
	assert_int_equal(cli_parse_signal("SIGRTMIN+3", &sig, &err), 0);
	assert_int_equal(sig, SIGRTMIN + 3);
	assert_int_equal(cli_parse_signal("NOSUCHSIGNAL", &sig, &err), -1);
	assert_string_equal(err.msg, "unknown signal \"NOSUCHSIGNAL\"");
	assert_int_equal(cli_parse_signal("0", &sig, &err), -1);
	assert_int_equal(cli_parse_signal("", &sig, &err), -1);
}

static void
paths_clean_and_abs(void **state)
{
	static const char *const cases[][2] = {
	    {"/", "/"},          {"/a/b/", "/a/b"},
	    {"//a//b", "/a/b"},  {"/a/./b/..", "/a"},
	    {"/../x", "/x"},     {"a/../..", ".."},
	    {"", "."},           {"./", "."},
	    {"a/b/../c", "a/c"}, {"/run/husk", "/run/husk"},
	};
	char cwd[PATH_MAX], want[PATH_MAX + 8];
	char *p;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		p = cli_path_clean(cases[i][0]);
		assert_string_equal(p, cases[i][1]);
		free(p);
	}
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	snprintf(want, sizeof(want), "%s/x", strcmp(cwd, "/") == 0 ? "" : cwd);
	p = cli_path_abs("x/./");
	assert_string_equal(p, want);
	free(p);
	p = cli_path_abs("/a/../b");
	assert_string_equal(p, "/b");
	free(p);
}

static void
json_writer(void **state)
{
	struct cli_json j;
	char *s;

	(void)state;
	cli_json_init(&j);
	cli_json_obj(&j, NULL);
	cli_json_str(&j, "type", "stats");
	cli_json_str(&j, "esc", "a\"b\\c\n\x01");
	cli_json_arr(&j, "list");
	cli_json_u64(&j, NULL, 1);
	cli_json_i64(&j, NULL, -2);
	cli_json_obj(&j, NULL);
	cli_json_end(&j);
	cli_json_end(&j);
	cli_json_u64_nz(&j, "zero", 0);
	cli_json_u64_nz(&j, "big", UINT64_MAX);
	cli_json_bool(&j, "t", true);
	cli_json_null(&j, "n");
	cli_json_str(&j, "s", NULL);
	cli_json_raw(&j, "raw", "[1]");
	cli_json_end(&j);
	s = cli_json_take(&j);
	assert_string_equal(s,
	                    "{\"type\":\"stats\",\"esc\":\"a\\\"b\\\\c\\n\\u0001\",\"list\":[1,-2,"
	                    "{}],\"big\":18446744073709551615,\"t\":true,\"n\":null,\"s\":null,"
	                    "\"raw\":[1]}");
	free(s);
}

static const char passwd[] = "root:x:0:0:root:/root:/bin/sh\n"
                             "tester:x:1000:1001:tester:/home/tester:/bin/sh\n"
                             "broken:x:abc:1:b:/:/bin/sh\n"
                             "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin";
static const char group[] = "root:x:0:\nextra:x:1002:tester\nnogroup:x:65534:\n";

static void
user_resolve_numbers_and_names(void **state)
{
	struct cli_user u;
	struct err err = {0};

	(void)state;
	assert_int_equal(cli_user_resolve("1000", NULL, NULL, &u, &err), 0);
	assert_int_equal(u.uid, 1000);
	assert_false(u.has_gid); /* runc keeps the process's gid */
	assert_int_equal(cli_user_resolve("1000:5", NULL, NULL, &u, &err), 0);
	assert_int_equal(u.uid, 1000);
	assert_true(u.has_gid);
	assert_int_equal(u.gid, 5);
	assert_int_equal(cli_user_resolve("tester", passwd, group, &u, &err), 0);
	assert_int_equal(u.uid, 1000);
	assert_true(u.has_gid);
	assert_int_equal(u.gid, 1001); /* the primary group */
	assert_int_equal(cli_user_resolve("tester:extra", passwd, group, &u, &err), 0);
	assert_int_equal(u.gid, 1002);
	assert_int_equal(cli_user_resolve("nobody:nogroup", passwd, group, &u, &err), 0);
	assert_int_equal(u.uid, 65534);
	assert_int_equal(u.gid, 65534);
	assert_int_equal(cli_user_resolve("0:extra", passwd, group, &u, &err), 0);
	assert_int_equal(u.uid, 0);
	assert_int_equal(u.gid, 1002);
}

static void
user_resolve_errors(void **state)
{
	struct cli_user u;
	struct err err = {0};

	(void)state;
	assert_int_equal(cli_user_resolve("nobody2", passwd, group, &u, &err), -1);
	assert_int_equal(err.code, ENOENT);
	assert_string_equal(err.msg, "unknown user \"nobody2\"");
	assert_int_equal(cli_user_resolve("test", passwd, group, &u, &err), -1);
	assert_string_equal(err.msg, "unknown user \"test\""); /* prefix of a name */
	assert_int_equal(cli_user_resolve("tester", NULL, NULL, &u, &err), -1);
	assert_string_equal(err.msg, "unknown user \"tester\"");
	assert_int_equal(cli_user_resolve("broken", passwd, group, &u, &err), -1);
	assert_int_equal(cli_user_resolve("tester:nogrp", passwd, group, &u, &err), -1);
	assert_string_equal(err.msg, "unknown group \"nogrp\"");
	assert_int_equal(cli_user_resolve("0:x", passwd, NULL, &u, &err), -1);
	assert_string_equal(err.msg, "unknown group \"x\"");
	assert_int_equal(cli_user_resolve(":1", passwd, group, &u, &err), -1);
	assert_int_equal(err.code, EINVAL);
	assert_int_equal(cli_user_resolve("1:", passwd, group, &u, &err), -1);
	assert_int_equal(cli_user_resolve("4294967296", passwd, group, &u, &err), -1);
}

static void
write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* The container's /etc/passwd is read inside its root: an absolute symlink resolves there. */
static void
user_read_in_root_stays_inside(void **state)
{
	char dir[] = "/tmp/test_cli_root.XXXXXX", path[256];
	struct err err = {0};
	char *text = NULL;
	int root_fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/etc", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/etc/real", dir);
	write_text(path, "inside:x:7:7::/:/bin/sh\n");
	snprintf(path, sizeof(path), "%s/etc/passwd", dir);
	assert_int_equal(symlink("/etc/real", path), 0); /* absolute: must stay in dir */
	root_fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(root_fd >= 0);
	assert_int_equal(cli_read_in_root(root_fd, "etc/passwd", &text, &err), 0);
	assert_non_null(text);
	assert_string_equal(text, "inside:x:7:7::/:/bin/sh\n");
	free(text);
	assert_int_equal(cli_read_in_root(root_fd, "etc/group", &text, &err), 0);
	assert_null(text); /* missing: no error, no text */
	close(root_fd);
	unlink(path);
	snprintf(path, sizeof(path), "%s/etc/real", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/etc", dir);
	rmdir(path);
	rmdir(dir);
}

/* Our own /proc/self/root is "/": numeric users never read it, names come from /etc. */
static void
user_resolve_pid_numeric_needs_no_files(void **state)
{
	struct cli_user u;
	struct err err = {0};

	(void)state;
	assert_int_equal(cli_user_resolve_pid(0x7ffffff0, "12:34", &u, &err), 0);
	assert_int_equal(u.uid, 12);
	assert_int_equal(u.gid, 34);
	assert_int_equal(cli_user_resolve_pid(0x7ffffff0, "root", &u, &err), -1);
	assert_int_equal(err.code, ENOENT); /* no such process: /proc/<pid>/root */
	assert_int_equal(cli_user_resolve_pid(getpid(), "root", &u, &err), 0);
	assert_int_equal(u.uid, 0);
}

static void
io_exit_status(void **state)
{
	pid_t pid;
	int ws;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(7);
	assert_int_equal(waitpid(pid, &ws, 0), pid);
	assert_int_equal(cli_exit_status(ws), 7);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		raise(SIGKILL);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &ws, 0), pid);
	assert_int_equal(cli_exit_status(ws), 128 + SIGKILL);
}

static void
io_listen_fds(void **state)
{
	char pid[32];

	(void)state;
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	assert_int_equal(cli_listen_fds(), 0);
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	setenv("LISTEN_PID", pid, 1);
	setenv("LISTEN_FDS", "2", 1);
	assert_int_equal(cli_listen_fds(), 2);
	setenv("LISTEN_PID", "1", 1); /* meant for another process */
	assert_int_equal(cli_listen_fds(), 0);
	setenv("LISTEN_PID", pid, 1);
	setenv("LISTEN_FDS", "x", 1);
	assert_int_equal(cli_listen_fds(), 0);
	setenv("LISTEN_FDS", "0", 1);
	assert_int_equal(cli_listen_fds(), 0);
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
}

static void
io_preserved_fds_exist(void **state)
{
	struct err err = {0};
	int fds[2];

	(void)state;
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(cli_check_preserved_fds(fds[0], 2, &err), 0);
	close(fds[1]);
	assert_int_equal(cli_check_preserved_fds(fds[0], 2, &err), -1);
	assert_int_equal(err.code, EBADF);
	assert_non_null(strstr(err.msg, "unable to stat preserved-fd 1 (of 2)"));
	close(fds[0]);
	assert_int_equal(cli_check_preserved_fds(3, 0, &err), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(flags_long_short_and_equals),
	    cmocka_unit_test(flags_bool_values),
	    cmocka_unit_test(flags_lists_repeat),
	    cmocka_unit_test(flags_errors),
	    cmocka_unit_test(flags_help),
	    cmocka_unit_test(flags_double_dash_and_dash),
	    cmocka_unit_test(flags_first_mode),
	    cmocka_unit_test(cmd_parse_counts_args),
	    cmocka_unit_test(values_bool_int),
	    cmocka_unit_test(values_u64),
	    cmocka_unit_test(values_sizes),
	    cmocka_unit_test(values_durations),
	    cmocka_unit_test(values_signals),
	    cmocka_unit_test(paths_clean_and_abs),
	    cmocka_unit_test(json_writer),
	    cmocka_unit_test(user_resolve_numbers_and_names),
	    cmocka_unit_test(user_resolve_errors),
	    cmocka_unit_test(user_read_in_root_stays_inside),
	    cmocka_unit_test(user_resolve_pid_numeric_needs_no_files),
	    cmocka_unit_test(io_exit_status),
	    cmocka_unit_test(io_listen_fds),
	    cmocka_unit_test(io_preserved_fds_exist),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
