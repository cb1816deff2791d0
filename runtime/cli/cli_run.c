#include "cli_run.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "cli_create.h"
#include "cli_io.h"
#include "cli_notify.h"

/* Best effort cleanup after a failed start or at exit; the error is logged, not returned. */
static void
run_destroy(struct cli_ctx *ctx, const char *id)
{
	struct err err = {0};

	if (rt_container_delete(&ctx->rt, id, true, &err) < 0)
		log_error("%s", err.msg);
}

/* NOTIFY_SOCKET: wait for READY= (runc's signal handler does it before forwarding anything);
 * as runc, a failed relay does not fail run. */
static void
run_notify_wait(struct cli_notify *nt, pid_t pid, pid_t mainpid)
{
	struct err err = {0};

	if (cli_notify_wait(nt, pid, mainpid, &err) < 0)
		log_warn("%s", err.msg);
}

/* Foreground: the container runs with our stdio (or the proxied pty) until it exits. */
static int
run_foreground(struct cli_ctx *ctx, const struct cli_create_flags *cf, struct cli_create_job *job,
               struct cli_notify *nt, int *status, struct err *err)
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
		r = cli_notify_bind(nt, err);
	if (r == 0)
		r = rt_container_start(&ctx->rt, job->opts.id, err);
	if (r == 0) {
		/* We stay with the container: we are the main pid for the host (as runc). */
		run_notify_wait(nt, pid, getpid());
		r = cli_fwd_wait(&fwd, pid, status, err);
	}
	if (r < 0)
		(void)kill(pid, SIGKILL);
	/* The terminal is restored before anything more is printed. */
	cli_fwd_fini(&fwd);
	if (!cf->keep)
		run_destroy(ctx, job->opts.id);
	return r;
}

/* --detach: create and start; with NOTIFY_SOCKET, return once the container is ready. */
static int
run_detached(struct cli_ctx *ctx, const struct cli_create_flags *cf, struct cli_create_job *job,
             struct cli_notify *nt, struct err *err)
{
	pid_t pid;

	if (rt_container_create(&ctx->rt, &job->opts, &pid, err) < 0)
		return -1;
	if (cli_notify_bind(nt, err) < 0 || rt_container_start(&ctx->rt, job->opts.id, err) < 0) {
		if (!cf->keep)
			run_destroy(ctx, job->opts.id);
		return -1;
	}
	run_notify_wait(nt, pid, pid);
	return 0;
}

int
cli_run(struct cli_ctx *ctx, int argc, char **argv, struct err *err)
{
	struct cli_create_flags cf = {0};
	struct cli_flag flags[CLI_CREATE_MAX_FLAGS];
	size_t n = cli_create_flags_fill(flags, &cf, true);
	struct cli_notify nt = CLI_NOTIFY_INIT;
	struct cli_create_job job;
	struct cli_args pos;
	int r, status = 0;

	r = cli_cmd_parse(ctx, flags, n, argc, argv, CLI_ARGS_ANYWHERE, 1, 1, &pos, err);
	if (r != 0)
		return r < 0 ? -1 : 0;
	r = cli_create_prepare(&cf, pos.v[0], cf.detach, &job, err);
	if (r == 0 && (r = cli_notify_open(&nt, ctx->rt.root, pos.v[0], err)) == 0)
		cli_notify_setup_spec(&nt, job.spec, &job.opts);
	if (r == 0 && cf.detach)
		r = run_detached(ctx, &cf, &job, &nt, err);
	else if (r == 0)
		r = run_foreground(ctx, &cf, &job, &nt, &status, err);
	cli_notify_fini(&nt, false);
	cli_create_job_fini(&job);
	cli_args_fini(&pos);
	return r < 0 ? -1 : status;
}
