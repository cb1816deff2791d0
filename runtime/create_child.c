/* create_child: the container init from fork to execve. Stage 1 joins and creates namespaces;
 * when a pid or time namespace needs one, it forks the init as its sibling (CLONE_PARENT) and
 * exits. The init sets up the rootfs, reports READY, waits for `start` on the exec fifo, runs
 * the startContainer hooks and execs the user process. Errors go to the runtime over the sync
 * socket; nothing here returns. */
#include "create.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/fdutil.h"
#include "base/sys.h"
#include "base/xalloc.h"
#include "caps.h"
#include "mount.h"
#include "procattr.h"
#include "terminal.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

#define CHILD_CHECK(j, call)                                                                       \
	do {                                                                                       \
		if ((call) < 0)                                                                    \
			rt__child_fail((j)->sock[1], &cerr);                                       \
	} while (0)

static struct err cerr;

/* Closes every inherited fd but stdio, preserved fds and the ones this child needs. */
static int
child_close_fds(struct create_job *j, struct err *err)
{
	cleanup_free int *keep = xcalloc(2 + RT_NS_NKINDS + j->spec->n_mounts, sizeof(*keep));
	size_t n = 0;
	int first = 3 + (j->o->preserve_fds > 0 ? j->o->preserve_fds : 0);

	keep[n++] = j->sock[1];
	keep[n++] = j->state_dirfd;
	for (int k = 0; k < RT_NS_NKINDS; k++)
		if (j->ns_fds[k] >= 0)
			keep[n++] = j->ns_fds[k];
	for (size_t i = 0; j->idmap_fds && i < j->spec->n_mounts; i++)
		if (j->idmap_fds[i] >= 0)
			keep[n++] = j->idmap_fds[i];
	if (sys_close_fds_from(first, keep, n) < 0)
		return err_sys(err, "close inherited fds");
	for (int fd = 3; fd < first; fd++)
		fd_set_cloexec(fd, false);
	return 0;
}

/* Stage 1 (slow path: namespaces to join by path, or time offsets to write before anyone
 * enters the time namespace): join, create, then fork the init as our sibling when a pid or
 * time namespace only applies to children. Returns in the process that is to become the init. */
static void
child_namespaces_slow(struct create_job *j)
{
	int flags = rt__ns_new_flags(j->spec);
	bool need_fork;
	pid_t pid;

	CHILD_CHECK(j, rt__sync_expect(j->sock[1], RT_SYNC_GO, NULL, NULL, &cerr));
	need_fork = (flags & (CLONE_NEWPID | CLONE_NEWTIME)) || j->ns_fds[RT_NS_PID] >= 0 ||
		    j->ns_fds[RT_NS_TIME] >= 0;
	CHILD_CHECK(j, rt__ns_join(j->ns_fds, &cerr));
	if (flags & CLONE_NEWUSER) {
		if (sys_unshare(CLONE_NEWUSER) < 0)
			CHILD_CHECK(j, err_sys(&cerr, "unshare user namespace"));
		CHILD_CHECK(j, rt__sync_send(j->sock[1], RT_SYNC_USERMAP, getpid(), -1, &cerr));
		CHILD_CHECK(j, rt__sync_expect(j->sock[1], RT_SYNC_USERMAP_ACK, NULL, NULL, &cerr));
		if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
			CHILD_CHECK(j, err_sys(&cerr, "become root in the user namespace"));
		prctl(PR_SET_DUMPABLE, 0);
	}
	if ((flags & ~CLONE_NEWUSER) && sys_unshare(flags & ~CLONE_NEWUSER) < 0)
		CHILD_CHECK(j, err_sys(&cerr, "unshare namespaces (flags 0x%x)",
				       (unsigned)(flags & ~CLONE_NEWUSER)));
	if (flags & CLONE_NEWTIME)
		CHILD_CHECK(j, rt__timens_write_offsets(j->spec, &cerr));
	if (!need_fork) {
		CHILD_CHECK(j, rt__sync_send(j->sock[1], RT_SYNC_PID, getpid(), -1, &cerr));
		return;
	}
	pid = rt__fork_sibling();
	if (pid < 0)
		CHILD_CHECK(j, err_sys(&cerr, "fork the container init"));
	if (pid > 0) {
		CHILD_CHECK(j, rt__sync_send(j->sock[1], RT_SYNC_PID, pid, -1, &cerr));
		_exit(0);
	}
	prctl(PR_SET_DUMPABLE, 0);
}

/* Fast path: clone(2) already made every new namespace but the cgroup one; the runtime moves
 * us into the cgroup (and writes our id maps) before GO. */
static void
child_namespaces_fast(struct create_job *j)
{
	int flags = rt__ns_new_flags(j->spec);

	if (flags & CLONE_NEWUSER)
		CHILD_CHECK(j, rt__sync_send(j->sock[1], RT_SYNC_USERMAP, 0, -1, &cerr));
	CHILD_CHECK(j, rt__sync_expect(j->sock[1], RT_SYNC_GO, NULL, NULL, &cerr));
	if ((flags & CLONE_NEWUSER) && (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0))
		CHILD_CHECK(j, err_sys(&cerr, "become root in the user namespace"));
	prctl(PR_SET_DUMPABLE, 0);
	if ((flags & CLONE_NEWCGROUP) && sys_unshare(CLONE_NEWCGROUP) < 0)
		CHILD_CHECK(j, err_sys(&cerr, "unshare cgroup namespace"));
}

static int
child_sysctl(const struct rt_spec *s, struct err *err)
{
	for (size_t i = 0; i < s->linux.n_sysctl; i++) {
		const struct rt_kv *kv = &s->linux.sysctl[i];
		char path[PATH_MAX];
		int n = snprintf(path, sizeof(path), "/proc/sys/%s", kv->key);
		if (n < 0 || n >= (int)sizeof(path) || strstr(kv->key, ".."))
			return err_set(err, EINVAL, "sysctl %s: bad name", kv->key);
		for (char *p = path + 10; *p; p++)
			if (*p == '.')
				*p = '/';
		if (write_file_at(AT_FDCWD, path, kv->value, strlen(kv->value), err) < 0)
			return err_wrap(err, "sysctl %s", kv->key);
	}
	return 0;
}

static int
child_uts(const struct rt_spec *s, struct err *err)
{
	if (s->hostname && s->hostname[0] && sethostname(s->hostname, strlen(s->hostname)) < 0)
		return err_sys(err, "sethostname %s", s->hostname);
	if (s->domainname && s->domainname[0] &&
	    setdomainname(s->domainname, strlen(s->domainname)) < 0)
		return err_sys(err, "setdomainname %s", s->domainname);
	return 0;
}

/* Before pivot_root: mounts, hostname, sysctls, hooks; the host's /proc is still reachable. */
static void
child_rootfs(struct create_job *j, pid_t *pid)
{
	const struct rt_spec *s = j->spec;
	struct mount_env env;
	cleanup_free char *state = NULL;

	mount_env_from_spec(s, &env);
	env.bundle = j->bundle;
	env.idmap_fds = j->idmap_fds;
	CHILD_CHECK(j, procattr_setgroups_allowed(0, &j->setgroups_allowed, &cerr));
	CHILD_CHECK(j, mount_rootfs_prepare(s, j->rootfs, &env, &cerr));
	CHILD_CHECK(j, child_uts(s, &cerr));
	CHILD_CHECK(j, child_sysctl(s, &cerr));
	if (j->hooks_sync) {
		/* the runtime runs prestart and createRuntime now; the ack brings our pid */
		CHILD_CHECK(j, rt__sync_send(j->sock[1], RT_SYNC_HOOKS, 0, -1, &cerr));
		CHILD_CHECK(j, rt__sync_expect(j->sock[1], RT_SYNC_HOOKS_ACK, pid, NULL, &cerr));
		state = rt__hook_state_json(j->o->id, "creating", *pid, j->bundle, s);
		CHILD_CHECK(j, rt__hooks_run(s, RT_HOOK_CREATE_CONTAINER, state, &cerr));
	}
	CHILD_CHECK(j, mount_rootfs_pivot(j->rootfs, j->o->no_pivot, NULL, &cerr));
	/* runc creates a missing cwd; now, inside the new root and before it may turn read-only */
	if (mkdir_p(s->process->cwd, 0755, &cerr) < 0)
		CHILD_CHECK(j, err_wrap(&cerr, "create cwd %s", s->process->cwd));
	if (setsid() < 0)
		CHILD_CHECK(j, err_sys(&cerr, "setsid"));
	if (s->process->terminal) {
		int master = -1, slave = -1;
		CHILD_CHECK(j, terminal_open(s->process, &master, &slave, &cerr));
		CHILD_CHECK(j, terminal_mount_console(slave, &cerr));
		CHILD_CHECK(j, rt__sync_send(j->sock[1], RT_SYNC_CONSOLE, 0, master, &cerr));
		close(master);
		CHILD_CHECK(j, terminal_attach(slave, &cerr));
		if (slave > 2)
			close(slave);
	}
	CHILD_CHECK(j, mount_rootfs_finish(s, &env, &cerr));
}

/* Blocks until `start` opens the exec fifo; runs startContainer hooks; tells start the result. */
static void
child_wait_start(struct create_job *j, pid_t pid, const struct rt_child_proc *cp)
{
	cleanup_free char *state = NULL;
	int fd;

	do
		fd = openat(j->state_dirfd, RT_EXEC_FIFO, O_WRONLY | O_CLOEXEC);
	while (fd < 0 && errno == EINTR);
	if (fd < 0) {
		dprintf(2, "husk: open exec fifo: %s\n", strerror(errno));
		_exit(127);
	}
	close(j->state_dirfd);
	state = rt__hook_state_json(j->o->id, "created", pid, j->bundle, j->spec);
	if (rt__hooks_run(j->spec, RT_HOOK_START_CONTAINER, state, &cerr) < 0 ||
	    rt__child_load_late_seccomp(cp, &cerr) < 0) {
		if (write(fd, cerr.msg, strlen(cerr.msg)) < 0) {
			/* start has gone away: it reports no result */
		}
		_exit(1);
	}
	if (write(fd, "0", 1) != 1)
		_exit(127); /* start went away without reading: it reports the failure */
	close(fd);
}

void
create_child_main(struct create_job *j)
{
	const struct rt_process *p = j->spec->process;
	struct rt_child_proc cp = {.proc = p, .last_cap = j->last_cap};
	char path[PATH_MAX];
	pid_t pid = 0;

	/* No death signal: every wait below is on the sync socket, which reads EOF (and so ends
	 * us) when the runtime dies; the last one is READY_ACK, after the state is saved. */
	rt__child_reset_signals();
	close(j->sock[0]);
	prctl(PR_SET_DUMPABLE, 0);
	/* first: everything after is accounted to the container (and the init inherits it) */
	CHILD_CHECK(j, cg_join_self(&j->cgj, j->cg_born, &cerr));
	cg_join_close(&j->cgj);
	CHILD_CHECK(j, rt__child_stdio(j->o->stdio, &cerr));
	CHILD_CHECK(j, child_close_fds(j, &cerr));
	if (j->fast)
		child_namespaces_fast(j);
	else
		child_namespaces_slow(j);
	child_rootfs(j, &pid);
	cp.seccomp = j->has_seccomp ? &j->seccomp : NULL;
	cp.setgroups_allowed = j->setgroups_allowed;
	cp.sync_sock = j->sock[1];
	cp.personality = j->spec->linux.has_personality ? j->spec->linux.personality_domain : NULL;
	cp.keyring_id = j->o->no_new_keyring ? NULL : j->o->id;
	CHILD_CHECK(j, rt__find_exec(p, path, sizeof(path), &cerr));
	CHILD_CHECK(j, rt__child_apply_process(&cp, &cerr));
	CHILD_CHECK(j, rt__sync_send(j->sock[1], RT_SYNC_READY, 0, -1, &cerr));
	/* wait until the state is saved: if the runtime dies first, EOF ends us here */
	CHILD_CHECK(j, rt__sync_expect(j->sock[1], RT_SYNC_READY_ACK, NULL, NULL, &cerr));
	close(j->sock[1]);
	child_wait_start(j, pid, &cp);
	rt__child_exec(p, path, &cerr);
	dprintf(2, "husk: %s\n", cerr.msg);
	_exit(127);
}
