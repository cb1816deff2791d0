/* container_ops: kill, delete, pause, resume, pids, update. */
#include "rt_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/fdutil.h"
#include "base/log.h"
#include "base/sys.h"
#include "base/xalloc.h"
#include "cgroups/cgroups.h"

/* Signals the init through a pidfd, after checking it is still our process. */
static int
signal_init(const struct rt_state *st, int sig, struct err *err)
{
	cleanup_close int pidfd = sys_pidfd_open(st->pid, 0);

	if (pidfd < 0)
		return errno == ESRCH ? err_set(err, ESRCH, "cannot kill %s: container not running", st->id)
				      : err_sys(err, "pidfd_open %d", (int)st->pid);
	if (!rt__proc_alive(st->pid, st->start_time))
		return err_set(err, ESRCH, "cannot kill %s: container not running", st->id);
	if (sys_pidfd_send_signal(pidfd, sig, NULL, 0) < 0)
		return err_sys(err, "kill %s", st->id);
	return 0;
}

int
rt_container_kill(const struct rt_ctx *ctx, const char *id, int sig, bool all, struct err *err)
{
	cleanup_free char *dir = NULL;
	struct rt_state *st = NULL;
	struct cg *cg = NULL;
	int r = -1;

	if (rt__state_load(ctx, id, &dir, &st, err) < 0)
		return -1;
	if (sig <= 0 || sig >= NSIG) {
		err_set(err, EINVAL, "invalid signal %d", sig);
		goto out;
	}
	if (!all && st->status == RT_STOPPED) {
		/* containerd's runc shim maps "container not running" to NotFound: keep the words */
		err_set(err, ESRCH, "cannot kill %s: container not running", id);
		goto out;
	}
	if (all) {
		if (rt__state_cgroup(ctx, st, &cg, err) < 0)
			goto out;
		r = cg_kill_all(cg, sig, err);
		/* a paused container gets the signal when it is thawed; SIGKILL works as is */
	} else {
		r = signal_init(st, sig, err);
	}
out:
	cg_free(cg);
	rt_state_free(st);
	return r;
}

/* Waits until the init is gone, up to timeout_ms. */
static bool
wait_gone(const struct rt_state *st, int timeout_ms)
{
	cleanup_close int pidfd = sys_pidfd_open(st->pid, 0);
	struct pollfd p = {.fd = pidfd, .events = POLLIN};

	if (pidfd < 0)
		return true;
	while (rt__proc_alive(st->pid, st->start_time)) {
		if (timeout_ms <= 0)
			return false;
		if (poll(&p, 1, 100) < 0 && errno != EINTR)
			return false;
		timeout_ms -= 100;
		if (p.revents & POLLIN)
			return true;
	}
	return true;
}

static void
run_poststop(const struct rt_state *st)
{
	struct rt_spec *spec = NULL;
	struct err e = {0};
	char *json;

	if (st->config_path == NULL || rt_spec_load(st->config_path, &spec, &e) < 0)
		return;
	json = rt__hook_state_json(st->id, "stopped", 0, st->bundle, spec);
	/* poststop failures are warnings: delete goes on (runtime spec) */
	if (rt__hooks_run(spec, RT_HOOK_POSTSTOP, json, &e) < 0)
		log_warn("delete %s: %s", st->id, e.msg);
	free(json);
	rt_spec_free(spec);
}

int
rt_container_delete(const struct rt_ctx *ctx, const char *id, bool force, struct err *err)
{
	cleanup_free char *dir = NULL;
	struct rt_state *st = NULL;
	struct cg *cg = NULL;
	int r = -1;

	if (rt__state_load(ctx, id, &dir, &st, err) < 0)
		return -1;
	if (st->status != RT_STOPPED && st->status != RT_CREATED && !force) {
		err_set(err, EBUSY, "cannot delete container %s that is not stopped: %s", id,
			rt_status_name(st->status));
		goto out;
	}
	if (rt__state_cgroup(ctx, st, &cg, err) < 0 && err->code != ENOENT)
		goto out;
	err_clear(err);
	if (st->status != RT_STOPPED) {
		if (cg)
			cg_kill_all(cg, SIGKILL, err);
		signal_init(st, SIGKILL, err);
		err_clear(err);
		if (st->status == RT_PAUSED && cg)
			cg_freeze(cg, false, err);
		if (!wait_gone(st, 10000)) {
			err_set(err, EBUSY, "delete %s: the container's init did not die", id);
			goto out;
		}
	} else if (cg && !st->has_pidns) {
		cg_kill_all(cg, SIGKILL, err); /* shared pid namespace: leftovers die with it */
	}
	err_clear(err);
	if (cg && cg_destroy(cg, err) < 0)
		goto out;
	run_poststop(st);
	if (rm_rf(dir, err) < 0)
		goto out;
	r = 0;
out:
	cg_free(cg);
	rt_state_free(st);
	return r;
}

static int
freeze(const struct rt_ctx *ctx, const char *id, bool frozen, struct err *err)
{
	cleanup_free char *dir = NULL;
	struct rt_state *st = NULL;
	struct cg *cg = NULL;
	int r = -1;

	if (rt__state_load(ctx, id, &dir, &st, err) < 0)
		return -1;
	if (frozen && st->status != RT_RUNNING && st->status != RT_CREATED) {
		err_set(err, EBUSY, "container %s is not running", id);
		goto out;
	}
	if (!frozen && st->status != RT_PAUSED) {
		err_set(err, EBUSY, "container %s is not paused", id);
		goto out;
	}
	if (rt__state_cgroup(ctx, st, &cg, err) < 0)
		goto out;
	r = cg_freeze(cg, frozen, err);
out:
	cg_free(cg);
	rt_state_free(st);
	return r;
}

int
rt_container_pause(const struct rt_ctx *ctx, const char *id, struct err *err)
{
	return freeze(ctx, id, true, err);
}

int
rt_container_resume(const struct rt_ctx *ctx, const char *id, struct err *err)
{
	return freeze(ctx, id, false, err);
}

int
rt_container_pids(const struct rt_ctx *ctx, const char *id, pid_t **pids, size_t *n,
		  struct err *err)
{
	cleanup_free char *dir = NULL;
	struct rt_state *st = NULL;
	struct cg *cg = NULL;
	int r = -1;

	if (rt__state_load(ctx, id, &dir, &st, err) < 0)
		return -1;
	if (rt__state_cgroup(ctx, st, &cg, err) == 0)
		r = cg_pids(cg, pids, n, err);
	cg_free(cg);
	rt_state_free(st);
	return r;
}

int
rt_container_update(const struct rt_ctx *ctx, const char *id, const struct cg_resources *res,
		    struct err *err)
{
	cleanup_free char *dir = NULL;
	struct rt_state *st = NULL;
	struct cg *cg = NULL;
	int r = -1;

	if (rt__state_load(ctx, id, &dir, &st, err) < 0)
		return -1;
	if (st->status == RT_STOPPED) {
		err_set(err, EBUSY, "container %s is not running", id);
		goto out;
	}
	if (rt__state_cgroup(ctx, st, &cg, err) == 0)
		r = cg_update(cg, res, err);
out:
	cg_free(cg);
	rt_state_free(st);
	return r;
}
