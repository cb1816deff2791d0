#include "cli_run.h"

#include <errno.h>
#include <signal.h>
#include <string.h>

#include "base/log.h"
#include "cli_create.h"
#include "cli_io.h"

/* Best effort cleanup after a failed start or at exit; the error is logged, not returned. */
static void
run_destroy(struct cli_ctx *ctx, const char *id)
{
	struct err err = {0};

	if (rt_container_delete(&ctx->rt, id, true, &err) < 0)
		log_error("%s", err.msg);
}

/* Foreground: the container runs with our stdio (or the proxied pty) until it exits. */
static int
run_foreground(struct cli_ctx *ctx, const struct cli_create_flags *cf, struct cli_create_job *job,
               int *status, struct err *err)
{
	struct cli_fwd fwd;
	int master = -1, r;
	pid_t pid;

	if (cli_fwd_init(&fwd, !cf->no_subreaper, err) < 0) {
		cli_fwd_fini(&fwd);
		return -1;
	}
	if (job->spec->process->terminal)
		job->opts.console_fd = &master;
	if (rt_container_create(&ctx->rt, &job->opts, &pid, err) < 0) {
		cli_fwd_fini(&fwd);
		return -1;
	}
	r = master >= 0 ? cli_fwd_set_console(&fwd, master, err) : 0;
	if (r == 0)
		r = rt_container_start(&ctx->rt, job->opts.id, err);
	if (r == 0)
		r = cli_fwd_wait(&fwd, pid, status, err);
	if (r < 0)
		(void)kill(pid, SIGKILL);
	/* The terminal is restored before anything more is printed. */
	cli_fwd_fini(&fwd);
	if (!cf->keep)
		run_destroy(ctx, job->opts.id);
	return r;
}

int
cli_run(struct cli_ctx *ctx, int argc, char **argv, struct err *err)
{
	struct cli_create_flags cf = {0};
	struct cli_flag flags[CLI_CREATE_MAX_FLAGS];
	size_t n = cli_create_flags_fill(flags, &cf, true);
	struct cli_create_job job;
	struct cli_args pos;
	int r, status = 0;
	pid_t pid;

	r = cli_cmd_parse(ctx, flags, n, argc, argv, CLI_ARGS_ANYWHERE, 1, 1, &pos, err);
	if (r != 0)
		return r < 0 ? -1 : 0;
	r = cli_create_prepare(&cf, pos.v[0], cf.detach, &job, err);
	if (r == 0 && cf.detach) {
		r = rt_container_create(&ctx->rt, &job.opts, &pid, err);
		if (r == 0 && rt_container_start(&ctx->rt, pos.v[0], err) < 0) {
			if (!cf.keep)
				run_destroy(ctx, pos.v[0]);
			r = -1;
		}
	} else if (r == 0) {
		r = run_foreground(ctx, &cf, &job, &status, err);
	}
	cli_create_job_fini(&job);
	cli_args_fini(&pos);
	return r < 0 ? -1 : status;
}
