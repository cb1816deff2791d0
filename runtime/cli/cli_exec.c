#include "cli_exec.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/fdutil.h"
#include "base/xalloc.h"
#include "cli_create.h"
#include "cli_io.h"
#include "cli_user.h"
#include "names.h"

/* runc's exit status when exec itself fails (not the process). */
#define CLI_EXEC_FAILED 255

static int
caps_add(struct rt_process *p, const struct cli_list *caps, struct err *err)
{
	for (size_t i = 0; i < caps->n; i++) {
		cleanup_free char *prefixed = xasprintf("CAP_%s", caps->v[i]);
		int cap = rt_cap_from_name(caps->v[i]);
		uint64_t bit;

		if (cap < 0)
			cap = rt_cap_from_name(prefixed);
		if (cap < 0 || cap > 63)
			return err_set(err, EINVAL, "unknown capability \"%s\"", caps->v[i]);
		bit = 1ULL << cap;
		p->caps.bounding |= bit;
		p->caps.effective |= bit;
		p->caps.permitted |= bit;
		/* Ambient needs inheritable, which --cap does not set: only when the spec has
		 * inheritable capabilities (runc). */
		if (p->caps.inheritable)
			p->caps.ambient |= bit;
		p->has_caps = true;
	}
	return 0;
}

static int
gids_add(struct rt_user *u, const struct cli_list *gids, struct err *err)
{
	for (size_t i = 0; i < gids->n; i++) {
		int64_t g;

		if (cli_parse_int(gids->v[i], &g) < 0)
			return err_set(err, EINVAL,
			               "invalid value \"%s\" for flag -additional-gids",
			               gids->v[i]);
		if (g < 0 || g > UINT32_MAX)
			return err_set(err, EINVAL, "additional-gids must be a positive number %s",
			               gids->v[i]);
		u->additional_gids = xreallocarray(u->additional_gids, u->n_additional_gids + 1,
		                                   sizeof(*u->additional_gids));
		u->additional_gids[u->n_additional_gids++] = (uint32_t)g;
	}
	return 0;
}

static void
replace_str(char **dst, const char *v)
{
	if (v && *v) {
		free(*dst);
		*dst = xstrdup(v);
	}
}

int
cli_exec_apply_flags(const struct cli_exec_flags *xf, pid_t init_pid, char **args,
                     struct rt_process *p, struct err *err)
{
	struct cli_user u;

	strv_free(p->args);
	p->args = strv_dup(args);
	replace_str(&p->cwd, xf->cwd);
	replace_str(&p->apparmor_profile, xf->apparmor);
	replace_str(&p->selinux_label, xf->process_label);
	if (caps_add(p, &xf->caps, err) < 0)
		return -1;
	for (size_t i = 0; i < xf->env.n; i++)
		cli_env_append(&p->env, xf->env.v[i]);
	/* Always false unless asked for, whatever the config says (runc). */
	p->terminal = xf->tty;
	if (xf->has_no_new_privs)
		p->no_new_privileges = xf->no_new_privs;
	if (xf->user && *xf->user) {
		if (cli_user_resolve_pid(init_pid, xf->user, &u, err) < 0)
			return err_wrap(err, "exec");
		p->user.uid = u.uid;
		if (u.has_gid)
			p->user.gid = u.gid;
	}
	if (gids_add(&p->user, &xf->gids, err) < 0)
		return -1;
	return cli_check_process(p, err);
}

/* --process FILE: the whole process object, flags other than the stdio ones ignored (runc). */
static int
process_from_file(const char *path, struct rt_process **out, struct err *err)
{
	cleanup_free char *text = NULL;
	size_t len;

	if (read_file_at(AT_FDCWD, path, &text, &len, err) < 0)
		return -1;
	if (rt_process_parse(text, len, out, err) < 0)
		return err_wrap(err, "%s", path);
	return cli_check_process(*out, err);
}

static int
process_build(const struct cli_exec_flags *xf, const struct rt_state *st, char **args,
              struct rt_process **out, struct err *err)
{
	struct rt_spec *spec = NULL;
	struct rt_process *p;

	if (xf->process && *xf->process)
		return process_from_file(xf->process, out, err);
	if (rt_spec_load(st->config_path, &spec, err) < 0)
		return -1;
	p = spec->process;
	spec->process = NULL;
	rt_spec_free(spec);
	if (p == NULL)
		return err_set(err, EINVAL, "%s: process property must not be empty",
		               st->config_path);
	if (cli_exec_apply_flags(xf, st->pid, args, p, err) < 0) {
		rt_process_free(p);
		return -1;
	}
	*out = p;
	return 0;
}

static int
exec_check_state(const struct rt_state *st, bool ignore_paused, struct err *err)
{
	if (st->status == RT_STOPPED)
		return err_set(err, EBUSY, "cannot exec in a stopped container");
	if (st->status == RT_PAUSED && !ignore_paused)
		return err_set(
		    err, EBUSY,
		    "cannot exec in a paused container (use --ignore-paused to override)");
	return 0;
}

static int
exec_run(struct cli_ctx *ctx, const struct cli_exec_flags *xf, const struct rt_exec_opts *opts,
         struct err *err)
{
	struct rt_exec_opts eo = *opts, *o = &eo; /* console_fd points at our local */
	struct cli_fwd fwd;
	int master = -1, status = 0, r;
	pid_t pid;

	if (xf->detach)
		return rt_container_exec(&ctx->rt, o, &pid, err);
	if (cli_fwd_init(&fwd, true, err) < 0) {
		cli_fwd_fini(&fwd);
		return -1;
	}
	if (o->process->terminal)
		o->console_fd = &master;
	r = rt_container_exec(&ctx->rt, o, &pid, err);
	if (r == 0 && master >= 0 && cli_fwd_set_console(&fwd, master, err) < 0) {
		(void)kill(pid, SIGKILL);
		r = -1;
	}
	if (r == 0)
		r = cli_fwd_wait(&fwd, pid, &status, err);
	cli_fwd_fini(&fwd);
	return r < 0 ? -1 : status;
}

static size_t
exec_flags_fill(struct cli_flag *f, struct cli_exec_flags *x)
{
	size_t n = 0;

	f[n++] = (struct cli_flag)CLI_FLAG("console-socket", CLI_STRING, &x->console_socket,
	                                   "path to an AF_UNIX socket which will receive a file "
	                                   "descriptor referencing the master end of the console's "
	                                   "pseudoterminal");
	f[n++] = (struct cli_flag)CLI_FLAG("cwd", CLI_STRING, &x->cwd,
	                                   "current working directory in the container");
	f[n++] =
	    (struct cli_flag)CLI_FLAG("env, e", CLI_LIST, &x->env, "set environment variables");
	f[n++] = (struct cli_flag)CLI_FLAG("tty, t", CLI_BOOL, &x->tty, "allocate a pseudo-TTY");
	f[n++] = (struct cli_flag)CLI_FLAG("user, u", CLI_STRING, &x->user,
	                                   "UID (format: <uid>[:<gid>]; names are looked up in the "
	                                   "container)");
	f[n++] =
	    (struct cli_flag)CLI_FLAG("additional-gids, g", CLI_LIST, &x->gids, "additional gids");
	f[n++] = (struct cli_flag)CLI_FLAG("process, p", CLI_STRING, &x->process,
	                                   "path to the process.json");
	f[n++] = (struct cli_flag)CLI_FLAG("detach, d", CLI_BOOL, &x->detach,
	                                   "detach from the container's process");
	f[n++] = (struct cli_flag)CLI_FLAG("pid-file", CLI_STRING, &x->pid_file,
	                                   "specify the file to write the process id to");
	f[n++] =
	    (struct cli_flag)CLI_FLAG("process-label", CLI_STRING, &x->process_label,
	                              "set the asm process label for the process commonly used "
	                              "with selinux");
	f[n++] = (struct cli_flag)CLI_FLAG("apparmor", CLI_STRING, &x->apparmor,
	                                   "set the apparmor profile for the process");
	f[n++] = (struct cli_flag)CLI_FLAG("no-new-privs", CLI_BOOL, &x->no_new_privs,
	                                   "set the no new privileges value for the process");
	f[n++] = (struct cli_flag)CLI_FLAG("cap, c", CLI_LIST, &x->caps,
	                                   "add a capability to the bounding set for the process");
	f[n++] = (struct cli_flag)CLI_FLAG("preserve-fds", CLI_INT, &x->preserve_fds,
	                                   "Pass N additional file descriptors to the container "
	                                   "(stdio + $LISTEN_FDS + N in total) (default: 0)");
	f[n++] = (struct cli_flag)CLI_FLAG("cgroup", CLI_LIST, &x->cgroups,
	                                   "run the process in an (existing) sub-cgroup(s) (not "
	                                   "supported)");
	f[n++] = (struct cli_flag)CLI_FLAG("ignore-paused", CLI_BOOL, &x->ignore_paused,
	                                   "allow exec in a paused container");
	return n;
}

static void
exec_flags_fini(struct cli_exec_flags *x)
{
	cli_list_fini(&x->env);
	cli_list_fini(&x->gids);
	cli_list_fini(&x->caps);
	cli_list_fini(&x->cgroups);
}

/* Everything after the parsing; pos holds the id and the command. */
static int
exec_do(struct cli_ctx *ctx, struct cli_exec_flags *xf, struct cli_args *pos, struct err *err)
{
	char **args = pos->v + 1;
	cleanup_free char *pid_file = NULL;
	struct rt_process *proc = NULL;
	struct rt_state *st = NULL;
	struct rt_exec_opts o;
	int r;

	if (*args && strcmp(*args, "--") == 0)
		args++;
	if (xf->cgroups.n > 0)
		return err_set(err, ENOTSUP, "exec --cgroup: sub-cgroups are not supported");
	if (xf->preserve_fds < 0)
		return err_set(err, EINVAL, "--preserve-fds: %d is negative", xf->preserve_fds);
	if (xf->pid_file && *xf->pid_file)
		pid_file = cli_path_abs(xf->pid_file);
	if (rt_container_state(&ctx->rt, pos->v[0], &st, err) < 0)
		return -1;
	r = exec_check_state(st, xf->ignore_paused, err);
	if (r == 0)
		r = process_build(xf, st, args, &proc, err);
	rt_state_free(st);
	if (r == 0)
		r = cli_check_terminal(xf->detach, proc->terminal, xf->console_socket, err);
	if (r == 0)
		r = cli_check_preserved_fds(3, xf->preserve_fds, err);
	if (r == 0) {
		o = (struct rt_exec_opts){
		    .id = pos->v[0],
		    .process = proc,
		    .console_socket =
		        xf->console_socket && *xf->console_socket ? xf->console_socket : NULL,
		    .pid_file = pid_file,
		    .preserve_fds = xf->preserve_fds,
		    .stdio = {-1, -1, -1},
		};
		r = exec_run(ctx, xf, &o, err);
	}
	if (proc)
		rt_process_free(proc);
	return r;
}

int
cli_exec(struct cli_ctx *ctx, int argc, char **argv, struct err *err)
{
	struct cli_exec_flags xf = {0};
	struct cli_flag flags[20];
	size_t n = exec_flags_fill(flags, &xf);
	struct cli_args pos;
	int r;

	ctx->fail_status = CLI_EXEC_FAILED;
	r = cli_cmd_parse(ctx, flags, n, argc, argv, CLI_ARGS_FLAGS_FIRST, 1, -1, &pos, err);
	if (r != 0) {
		exec_flags_fini(&xf);
		return r < 0 ? -1 : 0;
	}
	xf.has_no_new_privs = cli_flag_is_set(flags, n, "no-new-privs");
	if (pos.n < 2 && !(xf.process && *xf.process))
		r = err_set(err, EINVAL,
		            "exec: no command given (use --process FILE or add a "
		            "command after the container id)");
	else
		r = exec_do(ctx, &xf, &pos, err);
	exec_flags_fini(&xf);
	cli_args_fini(&pos);
	return r;
}
