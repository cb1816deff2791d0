/* husk: the runc-compatible command line. Global flags, the command table, logging and error
 * reporting; each command lives in its cli_*.c file. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "cli.h"
#include "cli_create.h"
#include "cli_events.h"
#include "cli_exec.h"
#include "cli_flags.h"
#include "cli_query.h"
#include "cli_run.h"
#include "cli_spec.h"
#include "cli_update.h"

static int
cli_unsupported(struct cli_ctx *ctx, int argc, char **argv, struct err *err)
{
	(void)argc, (void)argv;
	return err_set(err, ENOTSUP, "%s: checkpoint and restore are not supported by husk",
	               ctx->cmd->name);
}

static const struct cli_cmd commands[] = {
    {"checkpoint", "<container-id>", "checkpoint a running container (not supported)",
     cli_unsupported},
    {"create", "<container-id>", "create a container", cli_create},
    {"delete", "<container-id>",
     "delete any resources held by the container often used with detached container", cli_delete},
    {"events", "<container-id>",
     "display container events such as OOM notifications, cpu, memory, and IO usage "
     "statistics",
     cli_events},
    {"exec", "<container-id> <command> [command options]  || -p process.json <container-id>",
     "execute new process inside the container", cli_exec},
    {"kill", "<container-id> [signal]",
     "kill sends the specified signal (default: SIGTERM) to the container's init process",
     cli_kill},
    {"list", "", "lists containers started by husk with the given root", cli_list},
    {"pause", "<container-id>", "pause suspends all processes inside the container", cli_pause},
    {"ps", "<container-id> [ps options]", "ps displays the processes running inside a container",
     cli_ps},
    {"restore", "<container-id>", "restore a container from a previous checkpoint (not supported)",
     cli_unsupported},
    {"resume", "<container-id>", "resumes all processes that have been previously paused",
     cli_resume},
    {"run", "<container-id>", "create and run a container", cli_run},
    {"spec", "", "create a new specification file", cli_spec},
    {"start", "<container-id>", "executes the user defined process in a created container",
     cli_start},
    {"state", "<container-id>", "output the state of a container", cli_state},
    {"update", "<container-id>", "update container resource constraints", cli_update},
    {"features", "", "show the enabled features", cli_features},
};

static const struct cli_cmd *
cmd_find(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

struct global_flags {
	const char *log, *log_format, *root, *criu, *rootless;
	bool debug, systemd_cgroup, version;
};

static size_t
global_flags_fill(struct cli_flag *f, struct global_flags *g)
{
	size_t n = 0;

	f[n++] = (struct cli_flag)CLI_FLAG("debug", CLI_BOOL, &g->debug, "enable debug logging");
	f[n++] = (struct cli_flag)CLI_FLAG("log", CLI_STRING, &g->log,
	                                   "set the log file to write husk logs to (default is "
	                                   "'/dev/stderr')");
	f[n++] = (struct cli_flag)CLI_FLAG("log-format", CLI_STRING, &g->log_format,
	                                   "set the log format ('text' (default), or 'json')");
	f[n++] = (struct cli_flag)CLI_FLAG(
	    "root", CLI_STRING, &g->root,
	    "root directory for storage of container state (this "
	    "should be located in tmpfs) (default: \"" RT_DEFAULT_ROOT "\")");
	f[n++] =
	    (struct cli_flag)CLI_FLAG("criu", CLI_STRING, &g->criu,
	                              "path to the criu binary (ignored: no checkpoint/restore)");
	f[n++] =
	    (struct cli_flag)CLI_FLAG("systemd-cgroup", CLI_BOOL, &g->systemd_cgroup,
	                              "enable systemd cgroup support (not supported: husk uses "
	                              "cgroupfs)");
	f[n++] = (struct cli_flag)CLI_FLAG("rootless", CLI_STRING, &g->rootless,
	                                   "ignore cgroup permission errors ('true', 'false', or "
	                                   "'auto') (default: \"auto\")");
	f[n++] =
	    (struct cli_flag)CLI_FLAG("version, v", CLI_BOOL, &g->version, "print the version");
	return n;
}

static void
global_help(const struct cli_flag *flags, size_t n)
{
	printf("NAME:\n   husk - Open Container Initiative runtime\n\n"
	       "husk is a runc-compatible command line client for running applications packaged\n"
	       "according to the Open Container Initiative (OCI) format.\n\n"
	       "USAGE:\n   husk [global options] command [command options] [arguments...]\n\n"
	       "VERSION:\n   " HUSK_VERSION "\n\nCOMMANDS:\n");
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		printf("   %-11s %s\n", commands[i].name, commands[i].summary);
	printf("   %-11s %s\n", "help, h", "Shows a list of commands or help for one command");
	cli_flags_help(stdout, NULL, flags, n);
}

/* Is the log fd our stderr (then the error is printed once)? */
static bool
log_is_stderr(void)
{
	struct stat a, b;
	int fd = log_fd();

	if (fd == 2)
		return true;
	return fstat(fd, &a) == 0 && fstat(2, &b) == 0 && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

/* As runc: the error goes to the log (containerd's runc shim reads the last "error" line of
 * the JSON log) and, when the log is not stderr, to stderr too. */
static void
report(const struct cli_ctx *ctx, const char *msg)
{
	bool to_stderr = log_is_stderr();

	if (!to_stderr || ctx->log_format == LOG_JSON)
		log_error("%s", msg);
	if (!to_stderr || ctx->log_format == LOG_TEXT)
		fprintf(stderr, "husk: %s\n", msg);
}

/* Logging, --root and the other global options; returns -1 with err on a bad value. */
static int
global_setup(struct cli_ctx *ctx, const struct global_flags *g, char **root, struct err *err)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	enum log_level level = g->debug ? LOG_DEBUG : LOG_INFO;
	bool b;

	ctx->debug = g->debug;
	ctx->log_format = LOG_TEXT;
	if (g->log_format && strcmp(g->log_format, "json") == 0)
		ctx->log_format = LOG_JSON;
	else if (g->log_format && strcmp(g->log_format, "text") != 0)
		return err_set(err, EINVAL, "unknown log-format \"%s\"", g->log_format);
	if (g->log && *g->log) {
		if (log_open(g->log, ctx->log_format, level, err) < 0)
			return -1;
		ctx->log_path = g->log;
	} else {
		log_init(-1, ctx->log_format, level);
	}
	if (g->rootless && strcmp(g->rootless, "auto") != 0 && cli_parse_bool(g->rootless, &b) < 0)
		return err_set(err, EINVAL, "invalid --rootless value \"%s\" (true, false or auto)",
		               g->rootless);
	if (g->systemd_cgroup)
		return err_set(err, ENOTSUP,
		               "--systemd-cgroup: the systemd cgroup driver is not supported; use "
		               "cgroupfs");
	if (g->root)
		*root = cli_path_abs(g->root);
	else if (geteuid() != 0 && xdg && *xdg)
		*root = xasprintf("%s/husk", xdg);
	else
		*root = xstrdup(RT_DEFAULT_ROOT);
	if (strcmp(*root, "/") == 0)
		return err_set(err, EINVAL, "Option --root argument should not be set to /");
	ctx->rt.root = *root;
	ctx->rt.systemd_cgroup = false;
	return 0;
}

/* `husk help [command]`. */
static int
help_cmd(const struct cli_flag *gflags, size_t n_gflags, struct cli_args *pos, struct err *err)
{
	const struct cli_cmd *cmd;

	if (pos->n < 2) {
		global_help(gflags, n_gflags);
		return 0;
	}
	cmd = cmd_find(pos->v[1]);
	if (cmd == NULL)
		return err_set(err, EINVAL, "No help topic for '%s'", pos->v[1]);
	printf("NAME:\n   husk %s - %s\n\nUSAGE:\n   husk %s [command options] %s\n\n"
	       "Run 'husk %s --help' for its options.\n",
	       cmd->name, cmd->summary, cmd->name, cmd->args_usage, cmd->name);
	return 0;
}

static int
dispatch(struct cli_ctx *ctx, const struct cli_flag *gflags, size_t n_gflags, struct cli_args *pos,
         struct err *err)
{
	const char *name = pos->v[0];

	if (strcmp(name, "help") == 0 || strcmp(name, "h") == 0)
		return help_cmd(gflags, n_gflags, pos, err);
	ctx->cmd = cmd_find(name);
	if (ctx->cmd == NULL)
		return err_set(err, EINVAL, "unknown command \"%s\" (see husk --help)", name);
	log_debug("husk %s (root %s)", name, ctx->rt.root);
	return ctx->cmd->fn(ctx, pos->n, pos->v, err);
}

int
main(int argc, char **argv)
{
	struct cli_ctx ctx = {.fail_status = 1};
	struct global_flags g = {0};
	struct cli_flag gflags[10];
	size_t n = global_flags_fill(gflags, &g);
	cleanup_free char *root = NULL;
	struct err err = {0};
	struct cli_args pos = {0};
	int r;

	r = cli_flags_parse(gflags, n, argc - 1, argv + 1, CLI_ARGS_FLAGS_FIRST, &pos, &err);
	if (r == 0 && (g.version || pos.n == 0)) {
		if (g.version)
			printf("husk version %s\nspec: %s\n", HUSK_VERSION, RT_OCI_VERSION);
		else
			global_help(gflags, n);
		cli_args_fini(&pos);
		return 0;
	}
	if (r == 1) {
		global_help(gflags, n);
		return 0;
	}
	if (r == 0)
		r = global_setup(&ctx, &g, &root, &err);
	if (r == 0)
		r = dispatch(&ctx, gflags, n, &pos, &err);
	if (r < 0) {
		report(&ctx, err.msg[0] ? err.msg : "unknown error");
		r = ctx.fail_status;
	}
	cli_args_fini(&pos);
	fflush(stdout);
	return r;
}
