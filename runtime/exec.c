/* exec: a new process in a running container. The runtime opens the init's namespaces and root
 * from /proc; the child moves itself into the cgroup (cg_join_self), joins them (user first),
 * forks into the pid namespace as the caller's child (CLONE_PARENT), chroots into the
 * container's root and execs. Success is the sync socket closing on execve (it is CLOEXEC). */
#include "rt_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/fdutil.h"
#include "base/sys.h"
#include "base/xalloc.h"
#include "caps.h"
#include "cgroups/cgroups.h"
#include "procattr.h"
#include "seccomp.h"
#include "terminal.h"

struct exec_job {
	const struct rt_exec_opts *o;
	struct rt_state *st;	/* owned */
	struct rt_spec *spec;	/* owned: the container's config (seccomp) */
	struct cg *cg;		/* owned */
	struct cg_join cgj;	/* without execCPUAffinity the child moves itself in */
	bool cg_born;		/* born in the cgroup2 directory */
	struct seccomp_prog seccomp;
	bool has_seccomp;
	int ns_fds[RT_NS_NKINDS];
	int rootfd; /* O_PATH /proc/<init>/root */
	int sock[2];
	pid_t parent, c1, pid;
	int last_cap;
	bool setgroups_allowed;
	bool has_affinity;
	struct procattr_cpuset cpu_initial, cpu_final; /* execCPUAffinity */
};

static struct err xerr;

#define EXEC_CHECK(j, call)                                                                        \
	do {                                                                                       \
		if ((call) < 0)                                                                    \
			rt__child_fail((j)->sock[1], &xerr);                                       \
	} while (0)

static void
exec_child_close_fds(struct exec_job *j)
{
	int keep[3 + RT_NS_NKINDS];
	size_t n = 0;
	int first = 3 + (j->o->preserve_fds > 0 ? j->o->preserve_fds : 0);

	keep[n++] = j->sock[1];
	keep[n++] = j->rootfd;
	for (int k = 0; k < RT_NS_NKINDS; k++)
		if (j->ns_fds[k] >= 0)
			keep[n++] = j->ns_fds[k];
	if (sys_close_fds_from(first, keep, n) < 0)
		EXEC_CHECK(j, err_sys(&xerr, "close inherited fds"));
	for (int fd = 3; fd < first; fd++)
		fd_set_cloexec(fd, false);
}

static void __attribute__((noreturn))
exec_child_main(struct exec_job *j)
{
	const struct rt_process *p = j->o->process;
	struct rt_child_proc cp = {.proc = p,
				   .seccomp = j->has_seccomp ? &j->seccomp : NULL,
				   .last_cap = j->last_cap,
				   .setgroups_allowed = j->setgroups_allowed,
				   .sync_sock = j->sock[1],
				   .personality = j->spec->linux.has_personality
							  ? j->spec->linux.personality_domain
							  : NULL};
	char path[PATH_MAX];
	pid_t pid;

	rt__child_reset_signals();
	close(j->sock[0]);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != j->parent)
		_exit(1); /* the runtime died before we set the death signal */
	prctl(PR_SET_DUMPABLE, 0);
	if (!j->has_affinity) {
		EXEC_CHECK(j, cg_join_self(&j->cgj, j->cg_born, &xerr));
		cg_join_close(&j->cgj);
	}
	EXEC_CHECK(j, rt__child_stdio(j->o->stdio, &xerr));
	exec_child_close_fds(j);
	if (j->has_affinity) {
		/* initial: where we run until we are in the container's cgroup */
		EXEC_CHECK(j, procattr_cpuset_apply(0, &j->cpu_initial, &xerr));
		EXEC_CHECK(j, rt__sync_send(j->sock[1], RT_SYNC_AFFINITY, 0, -1, &xerr));
	}
	EXEC_CHECK(j, rt__sync_expect(j->sock[1], RT_SYNC_GO, NULL, NULL, &xerr));
	if (j->has_affinity)
		EXEC_CHECK(j, procattr_cpuset_apply(0, &j->cpu_final, &xerr));
	EXEC_CHECK(j, rt__ns_join(j->ns_fds, &xerr));
	pid = rt__fork_sibling();
	if (pid < 0)
		EXEC_CHECK(j, err_sys(&xerr, "fork"));
	if (pid > 0) {
		EXEC_CHECK(j, rt__sync_send(j->sock[1], RT_SYNC_PID, pid, -1, &xerr));
		_exit(0);
	}
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	prctl(PR_SET_DUMPABLE, 0);
	if (fchdir(j->rootfd) < 0 || chroot(".") < 0)
		EXEC_CHECK(j, err_sys(&xerr, "enter the container's root"));
	close(j->rootfd);
	if (setsid() < 0)
		EXEC_CHECK(j, err_sys(&xerr, "setsid"));
	if (p->terminal) {
		int master = -1, slave = -1;
		EXEC_CHECK(j, terminal_open(p, &master, &slave, &xerr));
		EXEC_CHECK(j, rt__sync_send(j->sock[1], RT_SYNC_CONSOLE, 0, master, &xerr));
		close(master);
		EXEC_CHECK(j, terminal_attach(slave, &xerr));
		if (slave > 2)
			close(slave);
	}
	EXEC_CHECK(j, rt__find_exec(p, path, sizeof(path), &xerr));
	EXEC_CHECK(j, rt__child_apply_process(&cp, &xerr));
	prctl(PR_SET_PDEATHSIG, 0);
	EXEC_CHECK(j, rt__child_load_late_seccomp(&cp, &xerr));
	rt__child_exec(p, path, &xerr);
	rt__child_fail(j->sock[1], &xerr);
}

static int
exec_prepare(const struct rt_ctx *ctx, struct exec_job *j, struct err *err)
{
	cleanup_free char *dir = NULL;
	char path[64];

	if (rt__state_load(ctx, j->o->id, &dir, &j->st, err) < 0)
		return -1;
	if (j->st->status == RT_STOPPED)
		return err_set(err, EBUSY, "cannot exec in a stopped container");
	if (j->st->status == RT_PAUSED)
		return err_set(err, EBUSY, "cannot exec in a paused container");
	if (j->o->process == NULL || j->o->process->args == NULL || j->o->process->args[0] == NULL)
		return err_set(err, EINVAL, "exec: process.args is empty");
	if (j->o->process->terminal && !j->o->console_socket && !j->o->console_fd)
		return err_set(err, EINVAL, "exec: a terminal needs a console socket");
	if (rt_spec_load(j->st->config_path, &j->spec, err) < 0)
		return err_wrap(err, "container config");
	if (j->spec->linux.seccomp) {
		if (seccomp_compile(j->spec->linux.seccomp, &j->seccomp, err) < 0)
			return -1;
		j->has_seccomp = true;
	}
	if (j->o->process->exec_cpu_affinity_initial || j->o->process->exec_cpu_affinity_final) {
		const struct rt_process *p = j->o->process;
		j->has_affinity = true;
		if (p->exec_cpu_affinity_initial &&
		    procattr_cpuset_parse(p->exec_cpu_affinity_initial, &j->cpu_initial, err) < 0)
			return err_wrap(err, "execCPUAffinity.initial");
		if (p->exec_cpu_affinity_final &&
		    procattr_cpuset_parse(p->exec_cpu_affinity_final, &j->cpu_final, err) < 0)
			return err_wrap(err, "execCPUAffinity.final");
	}
	if (caps_last_cap(&j->last_cap, err) < 0)
		return -1;
	if (procattr_setgroups_allowed(j->st->pid, &j->setgroups_allowed, err) < 0)
		return -1;
	if (rt__state_cgroup(ctx, j->st, &j->cg, err) < 0)
		return -1;
	/* execCPUAffinity: the initial affinity holds until the runtime moves the child in */
	if (!j->has_affinity && cg_join_prepare(j->cg, &j->cgj, err) < 0)
		return -1;
	if (rt__ns_open_pid(j->st->pid, j->ns_fds, err) < 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/root", (int)j->st->pid);
	j->rootfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (j->rootfd < 0)
		return err_sys(err, "open %s", path);
	/* the init may have exited while we opened its namespaces */
	if (!rt__proc_alive(j->st->pid, j->st->start_time))
		return err_set(err, ESRCH, "container %s is not running", j->o->id);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, j->sock) < 0)
		return err_sys(err, "socketpair");
	return 0;
}

/* Parent side: GO, PID, then console / seccomp until EOF (exec succeeded) or an error. */
static int
exec_talk(struct exec_job *j, struct err *err)
{
	struct rt_sync_msg m;
	int fd = -1;

	if (j->has_affinity && rt__sync_expect(j->sock[0], RT_SYNC_AFFINITY, NULL, NULL, err) < 0)
		return -1;
	if (j->has_affinity && cg_add_pid(j->cg, j->c1, err) < 0)
		return -1;
	if (rt__sync_send(j->sock[0], RT_SYNC_GO, 0, -1, err) < 0)
		return -1;
	if (rt__sync_expect(j->sock[0], RT_SYNC_PID, &j->pid, NULL, err) < 0)
		return -1;
	waitpid(j->c1, NULL, 0);
	j->c1 = 0;
	if (j->o->on_pid)
		j->o->on_pid(j->pid, j->o->on_pid_arg);
	for (;;) {
		if (rt__sync_recv(j->sock[0], &m, &fd, err) < 0)
			return err->code == EPIPE ? (err_clear(err), 0) : -1;
		if (m.type == RT_SYNC_CONSOLE && fd >= 0) {
			if (j->o->console_socket) {
				int r = rt__console_send(j->o->console_socket, fd, err);
				close(fd);
				if (r < 0)
					return -1;
			} else {
				*j->o->console_fd = fd;
			}
		} else if (m.type == RT_SYNC_SECCOMP && fd >= 0) {
			const struct rt_seccomp *sc = j->spec->linux.seccomp;
			char *state = rt_state_to_json(j->st, false);
			int r = seccomp_send_listener(sc->listener_path, fd, j->pid,
						      sc->listener_metadata, state, err);
			free(state);
			close(fd);
			if (r < 0 || rt__sync_send(j->sock[0], RT_SYNC_SECCOMP_ACK, 0, -1, err) < 0)
				return -1;
		} else {
			if (fd >= 0)
				close(fd);
			return err_set(err, EPROTO, "sync: unexpected message %d", m.type);
		}
	}
}

static void
exec_job_fini(struct exec_job *j, bool failed)
{
	if (failed) {
		rt__kill_reap(&j->pid);
		rt__kill_reap(&j->c1);
	}
	for (int i = 0; i < 2; i++)
		if (j->sock[i] >= 0)
			close(j->sock[i]);
	rt__ns_close(j->ns_fds);
	cg_join_close(&j->cgj);
	if (j->rootfd >= 0)
		close(j->rootfd);
	if (j->has_seccomp)
		seccomp_prog_fini(&j->seccomp);
	procattr_cpuset_fini(&j->cpu_initial);
	procattr_cpuset_fini(&j->cpu_final);
	cg_free(j->cg);
	rt_spec_free(j->spec);
	rt_state_free(j->st);
}

int
rt_container_exec(const struct rt_ctx *ctx, const struct rt_exec_opts *o, pid_t *pid,
		  struct err *err)
{
	struct exec_job j;
	sigset_t old;
	int r = -1;

	memset(&j, 0, sizeof(j));
	j.o = o;
	j.rootfd = -1;
	j.sock[0] = j.sock[1] = -1;
	j.cgj.dirfd = j.cgj.procs = -1;
	for (int k = 0; k < RT_NS_NKINDS; k++)
		j.ns_fds[k] = -1;
	if (exec_prepare(ctx, &j, err) < 0)
		goto out;
	j.parent = getpid();
	rt__block_signals(&old);
	j.c1 = rt__clone_into(0, j.cgj.dirfd, &j.cg_born);
	if (j.c1 == 0)
		exec_child_main(&j);
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (j.c1 < 0) {
		err_sys(err, "fork");
		j.c1 = 0;
		goto out;
	}
	close(j.sock[1]);
	j.sock[1] = -1;
	rt__ns_close(j.ns_fds);
	cg_join_close(&j.cgj);
	if (exec_talk(&j, err) < 0)
		goto out;
	if (o->pid_file && rt__write_pid_file(o->pid_file, j.pid, err) < 0)
		goto out;
	*pid = j.pid;
	r = 0;
out:
	if (r < 0)
		err_wrap(err, "exec %s", o->id);
	exec_job_fini(&j, r < 0);
	return r;
}
