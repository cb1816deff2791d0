/* hooks: OCI lifecycle hooks, run with the container state JSON on stdin. */
#include "rt_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>

#include "base/cleanup.h"
#include "base/fdutil.h"
#include "base/sys.h"
#include "base/xalloc.h"

#define HOOK_OUTPUT_MAX 2048

static const char *const hook_names[RT_HOOK_NKINDS] = {
	[RT_HOOK_PRESTART] = "prestart",
	[RT_HOOK_CREATE_RUNTIME] = "createRuntime",
	[RT_HOOK_CREATE_CONTAINER] = "createContainer",
	[RT_HOOK_START_CONTAINER] = "startContainer",
	[RT_HOOK_POSTSTART] = "poststart",
	[RT_HOOK_POSTSTOP] = "poststop",
};

const char *
rt__hook_kind_name(enum rt_hook_kind kind)
{
	return (unsigned)kind < RT_HOOK_NKINDS ? hook_names[kind] : "unknown";
}

char *
rt__hook_state_json(const char *id, const char *status, pid_t pid, const char *bundle,
		    const struct rt_spec *spec)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	const unsigned char *buf;
	size_t len;
	char *out;

	if (g == NULL)
		abort();
#define S(x) yajl_gen_string(g, (const unsigned char *)(x), strlen(x))
	yajl_gen_map_open(g);
	S("ociVersion");
	S(RT_OCI_VERSION);
	S("id");
	S(id);
	S("status");
	S(status);
	if (pid > 0) {
		S("pid");
		yajl_gen_integer(g, pid);
	}
	S("bundle");
	S(bundle ? bundle : "");
	S("annotations");
	yajl_gen_map_open(g);
	for (size_t i = 0; spec && i < spec->n_annotations; i++) {
		S(spec->annotations[i].key);
		S(spec->annotations[i].value ? spec->annotations[i].value : "");
	}
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);
#undef S
	yajl_gen_get_buf(g, &buf, &len);
	out = xstrndup((const char *)buf, len);
	yajl_gen_free(g);
	return out;
}

static void __attribute__((noreturn))
hook_child(const struct rt_hook *h, int in_fd, int out_fd)
{
	char *const *argv = h->args && h->args[0] ? h->args : (char *const[]){h->path, NULL};
	char *const empty_env[] = {NULL};
	sigset_t all;

	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	signal(SIGPIPE, SIG_DFL);
	if (dup2(in_fd, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(out_fd, 2) < 0)
		_exit(127);
	sys_close_fds_from(3, NULL, 0);
	execve(h->path, argv, h->env ? h->env : empty_env);
	dprintf(2, "exec %s: %s", h->path, strerror(errno));
	_exit(127);
}

static long long
now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for the hook, collecting its output; kills it at the deadline (deadline < 0: none). */
static int
hook_wait(pid_t pid, int pidfd, int out_fd, long long deadline, char *out, size_t *out_len,
	  int *status, bool *timed_out)
{
	bool out_open = true;

	*timed_out = false;
	for (;;) {
		struct pollfd pfd[2] = {{.fd = pidfd, .events = POLLIN},
					{.fd = out_open ? out_fd : -1, .events = POLLIN}};
		int to = -1;
		if (deadline >= 0) {
			long long left = deadline - now_ms();
			to = left < 0 ? 0 : (int)left;
		}
		int r = poll(pfd, 2, to);
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0) {
			*timed_out = true;
			kill(pid, SIGKILL);
			deadline = -1;
			continue;
		}
		if (out_open && (pfd[1].revents & (POLLIN | POLLHUP))) {
			char buf[512];
			ssize_t n = read(out_fd, buf, sizeof(buf));
			if (n <= 0) {
				out_open = false;
			} else if (*out_len < HOOK_OUTPUT_MAX) {
				size_t k = (size_t)n;
				if (k > HOOK_OUTPUT_MAX - *out_len)
					k = HOOK_OUTPUT_MAX - *out_len;
				memcpy(out + *out_len, buf, k);
				*out_len += k;
			}
		}
		if (pfd[0].revents & POLLIN) {
			if (waitpid(pid, status, 0) < 0)
				return -1;
			return 0;
		}
	}
}

static int
hook_run_one(const struct rt_hook *h, const char *what, const char *state_json, struct err *err)
{
	int in[2] = {-1, -1}, out[2] = {-1, -1};
	cleanup_close int pidfd = -1;
	char output[HOOK_OUTPUT_MAX + 1];
	size_t out_len = 0;
	int status = 0;
	bool timed_out;
	pid_t pid;

	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0) {
		err_sys(err, "%s: pipe", what);
		goto fail_pipes;
	}
	pid = fork();
	if (pid < 0) {
		err_sys(err, "%s: fork", what);
		goto fail_pipes;
	}
	if (pid == 0)
		hook_child(h, in[0], out[1]);
	close(in[0]);
	close(out[1]);
	/* The state is small: a hook that ignores stdin must neither block us nor, by exiting
	 * first, kill us with SIGPIPE (ignored around the write). */
	{
		struct sigaction ign = {.sa_handler = SIG_IGN}, old;
		sigaction(SIGPIPE, &ign, &old);
		fd_set_nonblock(in[1], true);
		if (write(in[1], state_json, strlen(state_json)) < 0) {
			/* EPIPE or EAGAIN: the hook does not read its stdin, not an error */
		}
		sigaction(SIGPIPE, &old, NULL);
	}
	close(in[1]);
	pidfd = sys_pidfd_open(pid, 0);
	if (pidfd < 0) {
		err_sys(err, "%s: pidfd_open", what);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		close(out[0]);
		return -1;
	}
	if (hook_wait(pid, pidfd, out[0], h->has_timeout ? now_ms() + h->timeout * 1000LL : -1,
		      output, &out_len, &status, &timed_out) < 0) {
		err_sys(err, "%s: wait", what);
		close(out[0]);
		return -1;
	}
	close(out[0]);
	while (out_len > 0 && (output[out_len - 1] == '\n' || output[out_len - 1] == ' '))
		out_len--;
	output[out_len] = '\0';
	if (timed_out)
		return err_set(err, ETIMEDOUT, "%s %s: timed out after %ds", what, h->path,
			       h->timeout);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFSIGNALED(status))
		return err_set(err, EIO, "%s %s: killed by signal %d%s%s", what, h->path,
			       WTERMSIG(status), out_len ? ": " : "", output);
	return err_set(err, EIO, "%s %s: exit status %d%s%s", what, h->path, WEXITSTATUS(status),
		       out_len ? ": " : "", output);

fail_pipes:
	for (int i = 0; i < 2; i++) {
		if (in[i] >= 0)
			close(in[i]);
		if (out[i] >= 0)
			close(out[i]);
	}
	return -1;
}

int
rt__hooks_run(const struct rt_spec *spec, enum rt_hook_kind kind, const char *state_json,
	      struct err *err)
{
	for (size_t i = 0; i < spec->hooks.n_hooks[kind]; i++) {
		char what[64];
		snprintf(what, sizeof(what), "hook %s[%zu]", hook_names[kind], i);
		if (hook_run_one(&spec->hooks.hooks[kind][i], what, state_json, err) < 0)
			return -1;
	}
	return 0;
}
