#include "cli_query.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <pwd.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/fdutil.h"
#include "base/xalloc.h"
#include "cli_flags.h"
#include "cli_json.h"

int
cli_state(struct cli_ctx *ctx, int argc, char **argv, struct err *err)
{
	cleanup_free char *json = NULL;
	struct rt_state *st = NULL;
	struct cli_args pos;
	int r;

	r = cli_cmd_parse(ctx, NULL, 0, argc, argv, CLI_ARGS_ANYWHERE, 1, 1, &pos, err);
	if (r != 0)
		return r < 0 ? -1 : 0;
	r = rt_container_state(&ctx->rt, pos.v[0], &st, err);
	cli_args_fini(&pos);
	if (r < 0)
		return -1;
	json = rt_state_to_json(st, true);
	rt_state_free(st);
	/* As runc: the indented JSON, no newline after it. */
	fputs(json, stdout);
	return 0;
}

void
cli_time_trim(char *ts)
{
	char *dot = strchr(ts, '.'), *end, *z;

	if (dot == NULL)
		return;
	for (end = dot + 1; *end >= '0' && *end <= '9'; end++)
		;
	z = end;
	while (z > dot + 1 && z[-1] == '0')
		z--;
	if (z == dot + 1)
		z = dot; /* all zeros: no fraction at all */
	memmove(z, end, strlen(end) + 1);
}

static void
print_padded(FILE *out, const char *s, size_t width)
{
	size_t len = strlen(s);

	fputs(s, out);
	for (; len < width; len++)
		fputc(' ', out);
}

/* One row of `husk list`'s table, 6 owned cells. */
static void
list_row(char **cells, const struct rt_state *st)
{
	cells[0] = xstrdup(st->id);
	cells[1] = xasprintf("%d", (int)st->pid);
	cells[2] = xstrdup(rt_status_name(st->status));
	cells[3] = xstrdup(st->bundle ? st->bundle : "");
	cells[4] = xstrdup(st->created ? st->created : "");
	cli_time_trim(cells[4]); /* Go's RFC3339Nano drops trailing zeros */
	cells[5] = xstrdup(st->owner ? st->owner : "");
}

void
cli_list_table(FILE *out, struct rt_state **st, size_t n)
{
	static const char *const head[] = {"ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"};
	char **cells = xcalloc((n + 1) * 6, sizeof(*cells));
	size_t width[6] = {0};

	for (size_t c = 0; c < 6; c++)
		cells[c] = xstrdup(head[c]);
	for (size_t i = 0; i < n; i++)
		list_row(cells + (i + 1) * 6, st[i]);
	/* Go's tabwriter as runc sets it up: minimum width 12, padding 3, last column free. */
	for (size_t i = 0; i < (n + 1) * 6; i++)
		if (i % 6 < 5 && strlen(cells[i]) + 3 > width[i % 6])
			width[i % 6] = strlen(cells[i]) + 3;
	for (size_t c = 0; c < 5; c++)
		if (width[c] < 12)
			width[c] = 12;
	for (size_t i = 0; i < (n + 1) * 6; i++) {
		if (i % 6 < 5)
			print_padded(out, cells[i], width[i % 6]);
		else
			fprintf(out, "%s\n", cells[i]);
		free(cells[i]);
	}
	free(cells);
}

/* runc's list shows the owner of the state directory by name ("#uid" when it has none). */
static void
list_set_owner(const char *root, struct rt_state *st)
{
	cleanup_free char *dir = xasprintf("%s/%s", root, st->id);
	struct passwd pw, *res = NULL;
	char buf[1024];
	struct stat sb;

	if (stat(dir, &sb) < 0)
		return;
	free(st->owner);
	if (getpwuid_r(sb.st_uid, &pw, buf, sizeof(buf), &res) == 0 && res)
		st->owner = xstrdup(res->pw_name);
	else
		st->owner = xasprintf("#%u", (unsigned)sb.st_uid);
}

static void
list_free(struct rt_state **st, size_t n)
{
	for (size_t i = 0; i < n; i++)
		rt_state_free(st[i]);
	free(st);
}

int
cli_list(struct cli_ctx *ctx, int argc, char **argv, struct err *err)
{
	const char *format = "table";
	bool quiet = false;
	struct cli_flag flags[] = {
	    CLI_FLAG("format, f", CLI_STRING, &format,
	             "select one of: table or json (default: \"table\")"),
	    CLI_FLAG("quiet, q", CLI_BOOL, &quiet, "display only container IDs"),
	};
	struct rt_state **st = NULL;
	struct cli_args pos;
	size_t n = 0;
	int r;

	r = cli_cmd_parse(ctx, flags, ARRAY_SIZE(flags), argc, argv, CLI_ARGS_ANYWHERE, 0, 0, &pos,
	                  err);
	if (r != 0)
		return r < 0 ? -1 : 0;
	cli_args_fini(&pos);
	if (strcmp(format, "table") != 0 && strcmp(format, "json") != 0)
		return err_set(err, EINVAL, "invalid format option");
	if (rt_container_list(&ctx->rt, &st, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		list_set_owner(ctx->rt.root, st[i]);
		if (st[i]->status == RT_STOPPED)
			st[i]->pid = 0; /* as runc */
	}
	if (quiet) {
		for (size_t i = 0; i < n; i++)
			printf("%s\n", st[i]->id);
	} else if (strcmp(format, "table") == 0) {
		cli_list_table(stdout, st, n);
	} else if (n == 0) {
		printf("null\n"); /* runc encodes its nil slice */
	} else {
		for (size_t i = 0; i < n; i++) {
			cleanup_free char *one = rt_state_to_json(st[i], false);
			printf("%s%s", i ? "," : "[", one);
		}
		printf("]\n");
	}
	list_free(st, n);
	return 0;
}

/* Runs ps with args, stdout and stderr together (runc's CombinedOutput). */
static int
ps_run(char **args, char **out, int *wstatus, struct err *err)
{
	cleanup_close int rd = -1;
	int p[2];
	size_t len;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return err_sys(err, "pipe");
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return err_sys(err, "fork");
	}
	if (pid == 0) {
		if (dup2(p[1], 1) < 0 || dup2(p[1], 2) < 0)
			_exit(127);
		execvp("ps", args);
		dprintf(2, "exec ps: %s\n", strerror(errno));
		_exit(127);
	}
	close(p[1]);
	rd = p[0];
	if (read_all(rd, out, &len, err) < 0) {
		waitpid(pid, wstatus, 0);
		return -1;
	}
	while (waitpid(pid, wstatus, 0) < 0)
		if (errno != EINTR)
			return err_sys(err, "wait for ps");
	return 0;
}

/* Index of the PID column in a ps header, -1 if none. */
static int
ps_pid_index(const char *header)
{
	cleanup_free char *copy = xstrdup(header);
	char *save = NULL, *tok;
	int i = 0;

	for (tok = strtok_r(copy, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save), i++)
		if (strcmp(tok, "PID") == 0)
			return i;
	return -1;
}

static bool
ps_line_matches(const char *line, int idx, const pid_t *pids, size_t n)
{
	cleanup_free char *copy = xstrdup(line);
	char *save = NULL, *tok = strtok_r(copy, " \t", &save);
	uint64_t pid;

	for (int i = 0; tok && i < idx; i++)
		tok = strtok_r(NULL, " \t", &save);
	if (tok == NULL || cli_parse_u64(tok, &pid) < 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((uint64_t)pids[i] == pid)
			return true;
	return false;
}

int
cli_ps_filter(FILE *out, const char *ps_output, const pid_t *pids, size_t n, struct err *err)
{
	const char *nl = strchr(ps_output, '\n');
	size_t hlen = nl ? (size_t)(nl - ps_output) : strlen(ps_output);
	cleanup_free char *header = xstrndup(ps_output, hlen);
	int idx = ps_pid_index(header);

	if (idx < 0)
		return err_set(err, EINVAL, "couldn't find PID field in ps output");
	fprintf(out, "%s\n", header);
	for (const char *p = nl ? nl + 1 : ""; *p;) {
		const char *e = strchr(p, '\n');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		cleanup_free char *line = xstrndup(p, l);
		if (l > 0 && ps_line_matches(line, idx, pids, n))
			fprintf(out, "%s\n", line);
		p += l + (e ? 1 : 0);
	}
	return 0;
}

static int
ps_table(char **ps_args, int n_args, const pid_t *pids, size_t n, struct err *err)
{
	cleanup_free char *output = NULL;
	char **args = xcalloc((size_t)n_args + 3, sizeof(*args));
	int wstatus = 0, r;

	args[0] = "ps";
	if (n_args == 0)
		args[1] = "-ef";
	for (int i = 0; i < n_args; i++)
		args[i + 1] = ps_args[i];
	r = ps_run(args, &output, &wstatus, err);
	free(args);
	if (r < 0)
		return -1;
	if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0)
		return err_set(err, EIO, "ps: exit status %d: %s", WEXITSTATUS(wstatus), output);
	return cli_ps_filter(stdout, output, pids, n, err);
}

int
cli_ps(struct cli_ctx *ctx, int argc, char **argv, struct err *err)
{
	const char *format = "table";
	struct cli_flag flags[] = {
	    CLI_FLAG("format, f", CLI_STRING, &format,
	             "select one of: table or json (default: \"table\")"),
	};
	pid_t *pids = NULL;
	struct cli_args pos;
	size_t n = 0;
	int r;

	r = cli_cmd_parse(ctx, flags, ARRAY_SIZE(flags), argc, argv, CLI_ARGS_FLAGS_FIRST, 1, -1,
	                  &pos, err);
	if (r != 0)
		return r < 0 ? -1 : 0;
	if (strcmp(format, "table") != 0 && strcmp(format, "json") != 0)
		r = err_set(err, EINVAL, "invalid format option");
	if (r == 0)
		r = rt_container_pids(&ctx->rt, pos.v[0], &pids, &n, err);
	if (r == 0 && strcmp(format, "json") == 0) {
		struct cli_json j;
		cli_json_init(&j);
		cli_json_arr(&j, NULL);
		for (size_t i = 0; i < n; i++)
			cli_json_i64(&j, NULL, pids[i]);
		cli_json_end(&j);
		printf("%s\n", n ? j.buf : "null");
		cli_json_fini(&j);
	} else if (r == 0) {
		r = ps_table(pos.v + 1, pos.n - 1, pids, n, err);
	}
	free(pids);
	cli_args_fini(&pos);
	return r;
}

int
cli_features(struct cli_ctx *ctx, int argc, char **argv, struct err *err)
{
	cleanup_free char *json = NULL;
	struct cli_args pos;
	int r;

	r = cli_cmd_parse(ctx, NULL, 0, argc, argv, CLI_ARGS_ANYWHERE, 0, 0, &pos, err);
	if (r != 0)
		return r < 0 ? -1 : 0;
	cli_args_fini(&pos);
	json = rt_features_json();
	if (json == NULL)
		return err_set(err, EIO, "features: no data");
	fputs(json, stdout);
	if (*json && json[strlen(json) - 1] != '\n')
		fputc('\n', stdout);
	return 0;
}
