/* container: operations on an existing container: start, state, list, kill, delete, pause,
 * resume, pids, update. Each is a separate process in the CLI, so all state comes from disk. */
#include "rt_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/fdutil.h"
#include "base/log.h"
#include "base/sys.h"
#include "base/xalloc.h"
#include "cgroups/cgroups.h"

int
rt_container_state(const struct rt_ctx *ctx, const char *id, struct rt_state **out,
		   struct err *err)
{
	cleanup_free char *dir = NULL;

	return rt__state_load(ctx, id, &dir, out, err);
}

static int
state_cmp(const void *a, const void *b)
{
	return strcmp((*(struct rt_state *const *)a)->id, (*(struct rt_state *const *)b)->id);
}

int
rt_container_list(const struct rt_ctx *ctx, struct rt_state ***out, size_t *n, struct err *err)
{
	cleanup_dir DIR *d = opendir(rt__root(ctx));
	struct rt_state **v = NULL;
	size_t cnt = 0;
	struct dirent *de;

	*out = NULL;
	*n = 0;
	if (d == NULL)
		return errno == ENOENT ? 0 : err_sys(err, "open %s", rt__root(ctx));
	while ((de = readdir(d)) != NULL) {
		struct rt_state *st = NULL;
		char *dir = NULL;
		struct err e = {0};
		if (de->d_name[0] == '.')
			continue;
		if (rt__state_load(ctx, de->d_name, &dir, &st, &e) < 0)
			continue; /* half-made or foreign directory: runc skips it too */
		free(dir);
		v = xreallocarray(v, cnt + 1, sizeof(*v));
		v[cnt++] = st;
	}
	if (cnt)
		qsort(v, cnt, sizeof(*v), state_cmp);
	*out = v;
	*n = cnt;
	return 0;
}

/* Waits (bounded) for the exec fifo's writer: the init blocks opening it for writing. */
static int
start_read_fifo(const char *dir, const struct rt_state *st, struct err *err)
{
	cleanup_free char *fifo = xasprintf("%s/%s", dir, RT_EXEC_FIFO);
	cleanup_close int fd = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	cleanup_close int pidfd = sys_pidfd_open(st->pid, 0);
	char buf[600];
	size_t len = 0;

	if (fd < 0)
		return err_sys(err, "open %s", fifo);
	if (pidfd < 0)
		return err_sys(err, "container %s: init process", st->id);
	for (;;) {
		struct pollfd p[2] = {{.fd = fd, .events = POLLIN}, {.fd = pidfd, .events = POLLIN}};
		ssize_t n;
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return err_sys(err, "poll exec fifo");
		}
		if (p[0].revents & (POLLIN | POLLHUP)) {
			n = read(fd, buf + len, sizeof(buf) - 1 - len);
			if (n > 0) {
				len += (size_t)n;
				if (len < sizeof(buf) - 1)
					continue;
			}
			if (n < 0 && errno == EAGAIN)
				continue;
			if (n == 0 && len == 0 && !(p[0].revents & POLLHUP))
				continue;
			break;
		}
		if (p[1].revents & POLLIN)
			return err_set(err, ESRCH, "container %s: init exited before start", st->id);
	}
	buf[len] = '\0';
	unlink(fifo);
	if (len == 1 && buf[0] == '0')
		return 0;
	return err_set(err, EIO, "start %s: %s", st->id, len ? buf : "container init failed");
}

int
rt_container_start(const struct rt_ctx *ctx, const char *id, struct err *err)
{
	cleanup_free char *dir = NULL;
	struct rt_state *st = NULL;
	struct rt_spec *spec = NULL;
	char *state_json;
	int r = -1;

	if (rt__state_load(ctx, id, &dir, &st, err) < 0)
		return -1;
	if (st->status != RT_CREATED) {
		err_set(err, EBUSY, "cannot start a container that has %s",
			st->status == RT_STOPPED ? "stopped" : "already been started");
		goto out;
	}
	if (rt_spec_load(st->config_path, &spec, err) < 0) {
		spec = NULL; /* hooks unknown: still start */
		err_clear(err);
	}
	if (start_read_fifo(dir, st, err) < 0)
		goto out;
	r = 0;
	if (spec) {
		struct err e = {0};
		state_json = rt__hook_state_json(id, "running", st->pid, st->bundle, spec);
		/* poststart failures are warnings: the container keeps running (runtime spec) */
		if (rt__hooks_run(spec, RT_HOOK_POSTSTART, state_json, &e) < 0)
			log_warn("start %s: %s", id, e.msg);
		free(state_json);
	}
out:
	rt_spec_free(spec);
	rt_state_free(st);
	return r;
}
