#include "manager.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "address.h"
#include "bootstrap.h"
#include "base/cleanup.h"
#include "base/fdutil.h"
#include "base/log.h"
#include "base/sys.h"
#include "base/xalloc.h"
#include "cgroups/cgroups.h"
#include "proto/pb.h"
#include "proto/types/introspection.pb-c.h"
#include "rt.h"
#include "serve.h"
#include "spec.h"

/* The server's listening socket, as the Go shim passes it to its own server. */
#define MANAGER_SERVE_FD 3
#define MANAGER_TUNABLES_ENV "GLIBC_TUNABLES"
#define MANAGER_TUNABLES "glibc.malloc.tcache_count=0"

char *
manager_group(const char *config_path, const char *id)
{
	static const char *const keys[] = {"io.containerd.runc.v2.group",
	                                   "io.kubernetes.cri.sandbox-id"};
	struct rt_spec *spec = NULL;
	struct err err = {0};
	char *group = NULL;

	if (rt_spec_load(config_path, &spec, &err) < 0)
		return xstrdup(id);
	for (size_t k = 0; k < 2 && !group; k++)
		for (size_t i = 0; i < spec->n_annotations && !group; i++)
			if (strcmp(spec->annotations[i].key, keys[k]) == 0 &&
			    spec->annotations[i].value && *spec->annotations[i].value)
				group = xstrdup(spec->annotations[i].value);
	rt_spec_free(spec);
	return group ? group : xstrdup(id);
}

/* What `start` takes from containerd besides its flags (shim-protocol.md 2.2, 2.5): -address
 * falls back to GRPC_ADDRESS, then to BootstrapParams; TTRPC_ADDRESS (the server's, for events)
 * to BootstrapParams; the socket goes in BootstrapParams.socket_dir when containerd 2.3 sets one.
 * Flags and env win: 2.3 still passes them all. *dir is owned, NULL for the default. */
static int
manager_bootstrap(struct shim_args *a, const struct bootstrap *boot, char **dir, struct err *err)
{
	const char *ttrpc = getenv("TTRPC_ADDRESS");

	if (!a->address || !*a->address)
		a->address = getenv("GRPC_ADDRESS");
	if ((!a->address || !*a->address) && boot->grpc_address)
		a->address = boot->grpc_address;
	if (!a->address || !*a->address)
		return err_set(err, EINVAL, "-address is required");
	if ((!ttrpc || !*ttrpc) && boot->ttrpc_address)
		setenv("TTRPC_ADDRESS", boot->ttrpc_address, 1);
	*dir = NULL;
	if (boot->socket_dir && !(*dir = address_clean_dir(boot->socket_dir, err)))
		return err_wrap(err, "BootstrapParams socket_dir");
	return 0;
}

static int
manager_join_cgroup(const char *path, pid_t pid, struct err *err)
{
	struct cg_root *root = NULL;
	struct cg *cg = NULL;
	int r = -1;

	if (cg_root_open(NULL, &root, err) == 0 && cg_open(root, path, &cg, err) == 0 &&
	    cg_add_pid(cg, pid, err) == 0)
		r = 0;
	cg_free(cg);
	cg_root_free(root);
	return r < 0 ? err_wrap(err, "shim cgroup %s", path) : 0;
}

/* containerd's oom_score_adj + 1, as the Go shim (containerd is our parent's parent now: the
 * `start` process's parent). */
static void
manager_adjust_oom(pid_t containerd)
{
	char path[64], buf[32] = "";
	int fd, score;

	snprintf(path, sizeof(path), "/proc/%d/oom_score_adj", containerd);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (read(fd, buf, sizeof(buf) - 1) > 0) {
		score = atoi(buf) + 1;
		if (score > 1000)
			score = 1000;
		snprintf(buf, sizeof(buf), "%d", score);
		write_file_at(AT_FDCWD, "/proc/self/oom_score_adj", buf, strlen(buf),
		              &(struct err){0});
	}
	close(fd);
}

/* GLIBC_TUNABLES with `add` appended (the server's own malloc settings), or `add` alone. */
static char *
manager_tunables(const char *add)
{
	const char *cur = getenv(MANAGER_TUNABLES_ENV);

	return cur && *cur ? xasprintf("%s:%s", cur, add) : xstrdup(add);
}

/* Takes our setting back out of GLIBC_TUNABLES (glibc has read it): the processes the server
 * starts (loggers, hooks) get containerd's environment as it was. */
static void
manager_untune(void)
{
	const char *cur = getenv(MANAGER_TUNABLES_ENV);
	size_t n = cur ? strlen(cur) : 0, k = strlen(MANAGER_TUNABLES);
	cleanup_free char *rest = NULL;

	if (!cur || n < k || strcmp(cur + n - k, MANAGER_TUNABLES) != 0)
		return;
	if (n == k) {
		unsetenv(MANAGER_TUNABLES_ENV);
		return;
	}
	if (cur[n - k - 1] != ':')
		return;
	rest = xstrndup(cur, n - k - 1);
	setenv(MANAGER_TUNABLES_ENV, rest, 1);
}

/* The server runs in a fresh image of this binary, as the Go shim's does (listening socket on fd
 * 3, -socket naming it), for its memory: nothing `start` allocated stays in its heap, and glibc's
 * per-thread malloc cache is off. That cache keeps up to 7 freed chunks of each small size for
 * reuse, and they pin heap pages for the shim's whole idle life (~28 kB of each shim's heap with
 * a running container); it can only be turned off by GLIBC_TUNABLES at process start. Returns
 * the fd to serve on if exec failed. */
static int
manager_exec_server(const struct shim_args *a, int lfd, const char *path)
{
	cleanup_free char *tunables = manager_tunables(MANAGER_TUNABLES);
	char self[PATH_MAX] = "containerd-shim-husk-v2";
	const char *argv[16];
	size_t n = 0;
	ssize_t len;

	if (lfd != MANAGER_SERVE_FD) {
		if (dup2(lfd, MANAGER_SERVE_FD) < 0)
			return lfd;
		close(lfd);
	}
	fd_set_cloexec(MANAGER_SERVE_FD, false);
	len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (len > 0)
		self[len] = '\0';
	argv[n++] = self;
	argv[n++] = "-namespace";
	argv[n++] = a->ns;
	argv[n++] = "-address";
	argv[n++] = a->address;
	if (a->publish_bin) {
		argv[n++] = "-publish-binary";
		argv[n++] = a->publish_bin;
	}
	argv[n++] = "-id";
	argv[n++] = a->id;
	if (a->debug)
		argv[n++] = "-debug";
	argv[n++] = "-socket";
	argv[n++] = path;
	argv[n++] = "serve";
	argv[n] = NULL;
	setenv(MANAGER_TUNABLES_ENV, tunables, 1);
	/* by its path, as the Go shim, so that the server's name (comm) is the binary's, not "exe";
	 * /proc/self/exe if that path is gone */
	if (len > 0)
		execv(self, (char *const *)argv);
	execv("/proc/self/exe", (char *const *)argv);
	log_warn("exec /proc/self/exe: %s (serving from the start process)", strerror(errno));
	manager_untune();
	return MANAGER_SERVE_FD;
}

int
manager_serve(const struct shim_args *a)
{
	int listening = 0;
	socklen_t len = sizeof(listening);

	if (!a->socket || !*a->socket ||
	    getsockopt(MANAGER_SERVE_FD, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) < 0 ||
	    !listening) {
		fprintf(stderr,
		        "serve: needs -socket and its listening socket on fd %d (the "
		        "`start` action runs it)\n",
		        MANAGER_SERVE_FD);
		return 2;
	}
	manager_untune();
	log_init(2, LOG_TEXT, a->debug ? LOG_DEBUG : LOG_INFO);
	return serve_run(a, MANAGER_SERVE_FD, a->socket);
}

/* The server process: detached, stdio to /dev/null, logs to the bundle's log FIFO. */
static void
manager_server_child(const struct shim_args *a, int lfd, const char *path, pid_t containerd)
{
	sigset_t stop;
	int null, logfd;

	/* fds containerd's environment leaked to us are not the containers' business */
	sys_close_fds_from(3, &lfd, 1);
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	logfd = open("log", O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	setsid();
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
	}
	dup2(logfd >= 0 ? logfd : null, 2);
	if (logfd > 2)
		close(logfd);
	if (null > 2)
		close(null);
	log_init(2, LOG_TEXT, a->debug ? LOG_DEBUG : LOG_INFO);
	manager_adjust_oom(containerd);
	if (chdir("/") < 0)
		log_warn("chdir /: %s", strerror(errno));
	/* SIGTERM before the server's handlers exist would kill it with its socket left behind:
	 * held pending until serve_run has them (the mask survives exec) */
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	sigprocmask(SIG_BLOCK, &stop, NULL);
	lfd = manager_exec_server(a, lfd, path);
	exit(serve_run(a, lfd, path)); /* exec failed: serve here (stdio was flushed before fork) */
}

/* The plain address suits every containerd: 2.3 first tries the output as an encoded
 * BootstrapResult, which "unix://..." never decodes as (the '/' at byte 5 has wire type 7), then
 * takes it as before (shim-protocol.md 2.4). */
static int
manager_print_address(const char *address)
{
	struct err err = {0};

	if (write_file_atomic_at(AT_FDCWD, "address", address, strlen(address), 0644, &err) < 0) {
		fprintf(stderr, "start: %s\n", err.msg);
		return 1;
	}
	fputs(address, stdout);
	fflush(stdout);
	return 0;
}

int
manager_start(const struct shim_args *args)
{
	cleanup_free char *group = NULL, *address = NULL, *dir = NULL;
	cleanup_bootstrap struct bootstrap boot = {0};
	struct shim_args a = *args;
	struct err err = {0};
	const char *path;
	bool in_use = false;
	pid_t containerd = getppid(), pid;
	int lfd;

	if (!a.id || !*a.id) {
		fprintf(stderr, "start: -id is required\n");
		return 1;
	}
	bootstrap_read(0, a.id, a.ns, &boot);
	if (manager_bootstrap(&a, &boot, &dir, &err) < 0) {
		fprintf(stderr, "start: %s\n", err.msg);
		return 1;
	}
	group = manager_group("config.json", a.id);
	address = address_for(dir, a.address, a.ns, group);
	path = address_path(address);
	lfd = address_listen(path, &in_use, &err);
	if (lfd < 0 && in_use)
		return manager_print_address(address); /* the pod's shim serves this one too */
	if (lfd < 0) {
		fprintf(stderr, "start: %s\n", err.msg);
		return 1;
	}
	/* before the server exists, so that it and its containers inherit the cookie */
	if (bootstrap_sched_core(&err) < 0) {
		fprintf(stderr, "start: %s\n", err.msg);
		goto fail;
	}
	if (manager_print_address(address) != 0)
		goto fail;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "start: fork: %s\n", strerror(errno));
		goto fail;
	}
	if (pid == 0)
		manager_server_child(&a, lfd, path, containerd);
	close(lfd);
	if (boot.shim_cgroup && manager_join_cgroup(boot.shim_cgroup, pid, &err) < 0) {
		fprintf(stderr, "start: %s\n", err.msg);
		kill(pid, SIGKILL);
		unlink(path);
		return 1;
	}
	return 0;
fail:
	close(lfd);
	unlink(path);
	return 1;
}
