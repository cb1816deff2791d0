#include "cli_create.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/fdutil.h"
#include "base/xalloc.h"
#include "cli_io.h"
#include "cli_notify.h"

size_t
cli_create_flags_fill(struct cli_flag *flags, struct cli_create_flags *cf, bool is_run)
{
	size_t n = 0;

	flags[n++] =
	    (struct cli_flag)CLI_FLAG("bundle, b", CLI_STRING, &cf->bundle,
	                              "path to the root of the bundle directory, defaults to the "
	                              "current directory");
	flags[n++] =
	    (struct cli_flag)CLI_FLAG("console-socket", CLI_STRING, &cf->console_socket,
	                              "path to an AF_UNIX socket which will receive a file "
	                              "descriptor referencing the master end of the console's "
	                              "pseudoterminal");
	if (is_run) {
		flags[n++] = (struct cli_flag)CLI_FLAG("detach, d", CLI_BOOL, &cf->detach,
		                                       "detach from the container's process");
		flags[n++] = (struct cli_flag)CLI_FLAG(
		    "keep", CLI_BOOL, &cf->keep, "do not delete the container after it exits");
	}
	flags[n++] = (struct cli_flag)CLI_FLAG("pid-file", CLI_STRING, &cf->pid_file,
	                                       "specify the file to write the process id to");
	if (is_run)
		flags[n++] =
		    (struct cli_flag)CLI_FLAG("no-subreaper", CLI_BOOL, &cf->no_subreaper,
		                              "disable the use of the subreaper used to reap "
		                              "reparented processes");
	flags[n++] =
	    (struct cli_flag)CLI_FLAG("no-pivot", CLI_BOOL, &cf->no_pivot,
	                              "do not use pivot root to jail process inside rootfs. This "
	                              "should be used whenever the rootfs is on top of a ramdisk");
	flags[n++] =
	    (struct cli_flag)CLI_FLAG("no-new-keyring", CLI_BOOL, &cf->no_new_keyring,
	                              "do not create a new session keyring for the container. "
	                              "This will cause the container to inherit the calling "
	                              "processes session key");
	flags[n++] =
	    (struct cli_flag)CLI_FLAG("preserve-fds", CLI_INT, &cf->preserve_fds,
	                              "Pass N additional file descriptors to the container (stdio "
	                              "+ $LISTEN_FDS + N in total) (default: 0)");
	return n;
}

int
cli_check_terminal(bool detach, bool terminal, const char *console_socket, struct err *err)
{
	bool has_socket = console_socket && *console_socket;

	if (detach && terminal && !has_socket)
		return err_set(err, EINVAL,
		               "cannot allocate tty if husk will detach without setting console "
		               "socket");
	if ((!detach || !terminal) && has_socket)
		return err_set(err, EINVAL,
		               "cannot use console socket if husk will not detach or allocate tty");
	return 0;
}

void
cli_env_append(char ***env, const char *entry)
{
	size_t n = *env ? strv_len(*env) : 0;

	*env = xreallocarray(*env, n + 2, sizeof(**env));
	(*env)[n] = xstrdup(entry);
	(*env)[n + 1] = NULL;
}

int
cli_check_process(const struct rt_process *p, struct err *err)
{
	if (p == NULL)
		return err_set(err, EINVAL, "process property must not be empty");
	if (p->cwd == NULL || p->cwd[0] == '\0')
		return err_set(err, EINVAL, "Cwd property must not be empty");
	if (p->cwd[0] != '/')
		return err_set(err, EINVAL, "Cwd must be an absolute path");
	if (p->args == NULL || p->args[0] == NULL)
		return err_set(err, EINVAL, "args must not be empty");
	return 0;
}

int
cli_create_prepare(const struct cli_create_flags *cf, const char *id, bool detach,
                   struct cli_create_job *job, struct err *err)
{
	cleanup_free char *config = NULL;
	char buf[64];

	memset(job, 0, sizeof(*job));
	if (id == NULL || *id == '\0')
		return err_set(err, EINVAL, "container id cannot be empty");
	if (cf->preserve_fds < 0)
		return err_set(err, EINVAL, "--preserve-fds: %d is negative", cf->preserve_fds);
	job->bundle = cli_path_abs(cf->bundle && *cf->bundle ? cf->bundle : ".");
	if (cf->pid_file && *cf->pid_file)
		job->pid_file = cli_path_abs(cf->pid_file);
	config = xasprintf("%s/config.json", job->bundle);
	if (rt_spec_load_text(config, &job->spec, &job->spec_text, &job->spec_len, err) < 0)
		return -1;
	if (cli_check_process(job->spec->process, err) < 0 ||
	    cli_check_terminal(detach, job->spec->process->terminal, cf->console_socket, err) < 0)
		return -1;
	job->n_listen = cli_listen_fds();
	if (job->n_listen > 0) {
		snprintf(buf, sizeof(buf), "LISTEN_FDS=%d", job->n_listen);
		cli_env_append(&job->spec->process->env, buf);
		cli_env_append(&job->spec->process->env, "LISTEN_PID=1");
	}
	if (cli_check_preserved_fds(3 + job->n_listen, cf->preserve_fds, err) < 0)
		return -1;
	job->opts = (struct rt_create_opts){
	    .id = id,
	    .bundle = job->bundle,
	    .spec = job->spec,
	    .spec_text = job->spec_text,
	    .spec_len = job->spec_len,
	    .console_socket = cf->console_socket && *cf->console_socket ? cf->console_socket : NULL,
	    .pid_file = job->pid_file,
	    .no_pivot = cf->no_pivot,
	    .no_new_keyring = cf->no_new_keyring,
	    .preserve_fds = job->n_listen + cf->preserve_fds,
	    .stdio = {-1, -1, -1},
	};
	return 0;
}

void
cli_create_job_fini(struct cli_create_job *job)
{
	rt_spec_free(job->spec);
	free(job->spec_text);
	free(job->bundle);
	free(job->pid_file);
	memset(job, 0, sizeof(*job));
}

int
cli_create(struct cli_ctx *ctx, int argc, char **argv, struct err *err)
{
	struct cli_create_flags cf = {0};
	struct cli_flag flags[CLI_CREATE_MAX_FLAGS];
	size_t n = cli_create_flags_fill(flags, &cf, false);
	struct cli_notify nt = CLI_NOTIFY_INIT;
	struct cli_create_job job;
	struct cli_args pos;
	pid_t pid;
	int r;

	r = cli_cmd_parse(ctx, flags, n, argc, argv, CLI_ARGS_ANYWHERE, 1, 1, &pos, err);
	if (r != 0)
		return r < 0 ? -1 : 0;
	r = cli_create_prepare(&cf, pos.v[0], true, &job, err);
	/* NOTIFY_SOCKET: the mount and env now, the socket at start (as runc). */
	if (r == 0 && (r = cli_notify_open(&nt, ctx->rt.root, pos.v[0], err)) == 0)
		cli_notify_setup_spec(&nt, job.spec, &job.opts);
	if (r == 0)
		r = rt_container_create(&ctx->rt, &job.opts, &pid, err);
	cli_notify_fini(&nt, false);
	cli_create_job_fini(&job);
	cli_args_fini(&pos);
	return r;
}

/* The commands that take exactly a container id and call one rt function. */
static int
parse_id_only(struct cli_ctx *ctx, int argc, char **argv, struct cli_args *pos, struct err *err)
{
	return cli_cmd_parse(ctx, NULL, 0, argc, argv, CLI_ARGS_ANYWHERE, 1, 1, pos, err);
}

/* start with NOTIFY_SOCKET (runc's notifySocketStart and waitForContainer): a created container's
 * socket is bound before it starts; then we wait for its READY= or its exit. */
static int
start_notify(struct cli_ctx *ctx, struct cli_notify *nt, const char *id, struct err *err)
{
	struct rt_state *st = NULL;
	int r;

	r = rt_container_state(&ctx->rt, id, &st, err);
	if (r == 0 && st->status == RT_CREATED)
		r = cli_notify_bind(nt, err);
	if (r == 0 && rt_container_start(&ctx->rt, id, err) < 0) {
		cli_notify_fini(nt, true); /* not started: the next start binds again */
		r = -1;
	}
	if (r == 0)
		r = cli_notify_wait(nt, st->pid, st->pid, err);
	if (st)
		rt_state_free(st);
	return r;
}

int
cli_start(struct cli_ctx *ctx, int argc, char **argv, struct err *err)
{
	struct cli_notify nt = CLI_NOTIFY_INIT;
	struct cli_args pos;
	int r = parse_id_only(ctx, argc, argv, &pos, err);

	if (r != 0)
		return r < 0 ? -1 : 0;
	r = cli_notify_open(&nt, ctx->rt.root, pos.v[0], err);
	if (r == 0 && nt.host)
		r = start_notify(ctx, &nt, pos.v[0], err);
	else if (r == 0)
		r = rt_container_start(&ctx->rt, pos.v[0], err);
	cli_notify_fini(&nt, false);
	cli_args_fini(&pos);
	return r;
}

int
cli_pause(struct cli_ctx *ctx, int argc, char **argv, struct err *err)
{
	struct cli_args pos;
	int r = parse_id_only(ctx, argc, argv, &pos, err);

	if (r != 0)
		return r < 0 ? -1 : 0;
	r = rt_container_pause(&ctx->rt, pos.v[0], err);
	cli_args_fini(&pos);
	return r;
}

int
cli_resume(struct cli_ctx *ctx, int argc, char **argv, struct err *err)
{
	struct cli_args pos;
	int r = parse_id_only(ctx, argc, argv, &pos, err);

	if (r != 0)
		return r < 0 ? -1 : 0;
	r = rt_container_resume(&ctx->rt, pos.v[0], err);
	cli_args_fini(&pos);
	return r;
}

int
cli_kill(struct cli_ctx *ctx, int argc, char **argv, struct err *err)
{
	bool all = false;
	struct cli_flag flags[] = {
	    CLI_FLAG("all, a", CLI_BOOL, &all,
	             "send the specified signal to all processes inside the container"),
	};
	struct cli_args pos;
	int r, sig = SIGTERM;

	r = cli_cmd_parse(ctx, flags, ARRAY_SIZE(flags), argc, argv, CLI_ARGS_ANYWHERE, 1, 2, &pos,
	                  err);
	if (r != 0)
		return r < 0 ? -1 : 0;
	r = pos.n > 1 ? cli_parse_signal(pos.v[1], &sig, err) : 0;
	if (r == 0)
		r = rt_container_kill(&ctx->rt, pos.v[0], sig, all, err);
	cli_args_fini(&pos);
	return r;
}

/* runc's id rule ([\w+-.]+, not "." or ".."), before a path is made of it. */
static bool
id_is_safe(const char *id)
{
	if (*id == '\0' || strcmp(id, ".") == 0 || strcmp(id, "..") == 0)
		return false;
	for (const char *p = id; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || strchr("_+-.", *p)))
			return false;
	return true;
}

/* No state: as runc, remove a directory an aborted create may have left. */
static int
delete_missing(struct cli_ctx *ctx, const char *id, bool force, struct err *err)
{
	cleanup_free char *dir = NULL;
	struct err rm_err = {0};

	(void)err; /* still holds "does not exist" */
	if (id_is_safe(id)) {
		dir = xasprintf("%s/%s", ctx->rt.root, id);
		if (rm_rf(dir, &rm_err) < 0 && rm_err.code != ENOENT)
			fprintf(stderr, "remove %s: %s\n", dir, rm_err.msg);
	}
	return force ? 0 : -1;
}

int
cli_delete(struct cli_ctx *ctx, int argc, char **argv, struct err *err)
{
	bool force = false;
	struct cli_flag flags[] = {
	    CLI_FLAG("force, f", CLI_BOOL, &force,
	             "Forcibly deletes the container if it is still running (uses SIGKILL)"),
	};
	struct rt_state *st = NULL;
	struct cli_args pos;
	const char *id;
	int r;

	r = cli_cmd_parse(ctx, flags, ARRAY_SIZE(flags), argc, argv, CLI_ARGS_ANYWHERE, 1, 1, &pos,
	                  err);
	if (r != 0)
		return r < 0 ? -1 : 0;
	id = pos.v[0];
	r = rt_container_state(&ctx->rt, id, &st, err);
	if (r < 0 && err->code == ENOENT) {
		r = delete_missing(ctx, id, force, err);
	} else if (r == 0 && force) {
		/* Even a stopped container: without its own pid namespace, processes may remain
		 * in its cgroup. */
		r = rt_container_delete(&ctx->rt, id, true, err);
	} else if (r == 0) {
		if (st->status == RT_STOPPED || st->status == RT_CREATED)
			r = rt_container_delete(&ctx->rt, id, st->status == RT_CREATED, err);
		else
			r = err_set(err, EBUSY,
			            "cannot delete container %s that is not stopped: %s", id,
			            rt_status_name(st->status));
	}
	if (st)
		rt_state_free(st);
	cli_args_fini(&pos);
	return r;
}
