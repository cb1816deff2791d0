/* create: the runtime's side of `create`: prepare (spec, state dir, cgroup, seccomp), fork the
 * container init, answer its sync requests, save the state. On failure nothing is left. */
#include "create.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/fdutil.h"
#include "base/xalloc.h"
#include "caps.h"
#include "cgroups/cgroups.h"
#include "mount.h"
#include "procattr.h"

static int
create_load_spec(struct create_job *j, struct err *err)
{
	const struct rt_create_opts *o = j->o;
	char cwd[PATH_MAX];

	if (o->bundle && o->bundle[0] == '/') {
		j->bundle = xstrdup(o->bundle);
	} else {
		if (getcwd(cwd, sizeof(cwd)) == NULL)
			return err_sys(err, "getcwd");
		j->bundle = o->bundle ? xasprintf("%s/%s", cwd, o->bundle) : xstrdup(cwd);
	}
	j->config_path = xasprintf("%s/config.json", j->bundle);
	if (o->spec) {
		j->spec = o->spec;
		j->config_text = o->spec_text;
		j->config_len = o->spec_len;
		return 0;
	}
	if (rt_spec_load_text(j->config_path, &j->spec_owned, &j->config_owned, &j->config_len,
			      err) < 0)
		return -1;
	j->spec = j->spec_owned;
	j->config_text = j->config_owned;
	return 0;
}

static bool
ns_new(const struct rt_spec *s, enum rt_ns_kind k)
{
	return s->linux.ns[k].present;
}

/* A pid namespace made for the container (listed without a path): its init is pid 1 there, so
 * the kernel kills the rest when the init dies. Joining one by path (a CRI pod's shared pid
 * namespace) is not that: the container's other processes outlive its init (runc's
 * Namespaces.IsPrivate(NEWPID), ShouldKillAllOnExit). */
static bool
own_pidns(const struct rt_spec *s)
{
	return s->linux.ns[RT_NS_PID].present && !s->linux.ns[RT_NS_PID].path;
}

/* runc's rule: a sysctl must belong to a namespace the container has of its own, or writing it
 * would change the host. */
static int
create_check_sysctl(const struct rt_spec *s, struct err *err)
{
	static const char *const ipc[] = {"kernel.msgmax", "kernel.msgmnb", "kernel.msgmni",
					  "kernel.sem", "kernel.shmall", "kernel.shmmax",
					  "kernel.shmmni", "kernel.shm_rmid_forced"};

	for (size_t i = 0; i < s->linux.n_sysctl; i++) {
		const char *k = s->linux.sysctl[i].key;
		bool ok = false;
		for (size_t n = 0; n < ARRAY_SIZE(ipc); n++)
			if (strcmp(k, ipc[n]) == 0)
				ok = ns_new(s, RT_NS_IPC);
		if (strncmp(k, "fs.mqueue.", 10) == 0)
			ok = ns_new(s, RT_NS_IPC);
		if (strncmp(k, "net.", 4) == 0)
			ok = ns_new(s, RT_NS_NET);
		if (strcmp(k, "kernel.hostname") == 0 || strcmp(k, "kernel.domainname") == 0)
			ok = ns_new(s, RT_NS_UTS);
		if (!ok)
			return err_set(err, EINVAL,
				       "sysctl \"%s\" is not in a separate kernel namespace of the "
				       "container",
				       k);
	}
	return 0;
}

static int
create_validate(struct create_job *j, struct err *err)
{
	const struct rt_spec *s = j->spec;
	char real[PATH_MAX];
	cleanup_free char *root = NULL;
	struct stat st;

	if (s->process == NULL)
		return err_set(err, EINVAL, "config.json: process is required to create a container");
	if (s->root_path == NULL || s->root_path[0] == '\0')
		return err_set(err, EINVAL, "config.json: root.path is required");
	root = s->root_path[0] == '/' ? xstrdup(s->root_path)
				      : xasprintf("%s/%s", j->bundle, s->root_path);
	if (realpath(root, real) == NULL)
		return err_sys(err, "rootfs %s", root);
	if (stat(real, &st) < 0 || !S_ISDIR(st.st_mode))
		return err_set(err, ENOTDIR, "rootfs %s: not a directory", root);
	j->rootfs = xstrdup(real);
	/* The rootfs is set up (mounts, pivot_root) in the container's mount namespace; without
	 * one that would be the caller's. runc then mounts into the host's namespace; refuse. */
	if (!ns_new(s, RT_NS_MOUNT))
		return err_set(err, EINVAL,
			       "config.json: linux.namespaces has no mount namespace: the rootfs "
			       "needs a mount namespace of the container's own");
	if ((s->hostname && s->hostname[0]) && !ns_new(s, RT_NS_UTS))
		return err_set(err, EINVAL, "unable to set hostname without a private UTS namespace");
	if ((s->domainname && s->domainname[0]) && !ns_new(s, RT_NS_UTS))
		return err_set(err, EINVAL,
			       "unable to set domainname without a private UTS namespace");
	if ((s->linux.n_uid_mappings || s->linux.n_gid_mappings) && !ns_new(s, RT_NS_USER))
		return err_set(err, EINVAL, "user mappings need a user namespace");
	if (ns_new(s, RT_NS_USER) && !s->linux.ns[RT_NS_USER].path &&
	    (!s->linux.n_uid_mappings || !s->linux.n_gid_mappings))
		return err_set(err, EINVAL, "a new user namespace needs uid and gid mappings");
	if ((s->linux.time_monotonic.has || s->linux.time_boottime.has) &&
	    !(ns_new(s, RT_NS_TIME) && !s->linux.ns[RT_NS_TIME].path))
		return err_set(err, EINVAL, "time offsets need a new time namespace");
	if (s->process->terminal && !j->o->console_socket && !j->o->console_fd)
		return err_set(err, EINVAL,
			       "cannot allocate tty if husk will detach without setting console "
			       "socket");
	if (!s->process->terminal && j->o->console_socket)
		return err_set(err, EINVAL,
			       "cannot use console socket if husk will not detach or allocate tty");
	if (s->process->cwd == NULL || s->process->cwd[0] != '/')
		return err_set(err, EINVAL, "config.json: process.cwd must be an absolute path");
	return create_check_sysctl(s, err);
}

/* A copy of config.json in the state directory: start, exec and delete use the config the
 * container was created with, whatever happens to the bundle afterwards (as runc). */
static int
create_keep_config(struct create_job *j, struct err *err)
{
	cleanup_free char *text = NULL;
	size_t len = j->config_len;

	/* a caller's parsed spec without its bytes: read them, if they came from a file at all */
	if (j->config_text == NULL) {
		if (read_file_at(AT_FDCWD, j->config_path, &text, &len, err) < 0) {
			if (err->code != ENOENT)
				return err_wrap(err, "keep a copy of the config");
			err_clear(err);
			return 0;
		}
		j->config_text = text;
	}
	if (write_file_atomic_at(j->state_dirfd, RT_CONFIG_FILE, j->config_text, len, 0600,
				 err) < 0)
		return err_wrap(err, "keep a copy of the config");
	free(j->config_path);
	j->config_path = xasprintf("%s/%s", j->state_dir, RT_CONFIG_FILE);
	return 0;
}

static int
create_state_dir(struct create_job *j, struct err *err)
{
	const char *root = rt__root(j->ctx);
	uid_t uid;
	gid_t gid;

	if (mkdir_p(root, 0711, err) < 0)
		return err_wrap(err, "state root");
	j->state_dir = rt__state_dir(j->ctx, j->o->id);
	if (mkdir(j->state_dir, 0711) < 0) {
		if (errno == EEXIST)
			return err_set(err, EEXIST, "container with id exists: %s", j->o->id);
		return err_sys(err, "mkdir %s", j->state_dir);
	}
	j->state_dir_made = true;
	j->state_dirfd = open(j->state_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (j->state_dirfd < 0)
		return err_sys(err, "open %s", j->state_dir);
	if (mkfifoat(j->state_dirfd, RT_EXEC_FIFO, 0622) < 0)
		return err_sys(err, "mkfifo %s/%s", j->state_dir, RT_EXEC_FIFO);
	if (fchmodat(j->state_dirfd, RT_EXEC_FIFO, 0622, 0) < 0)
		return err_sys(err, "chmod %s", RT_EXEC_FIFO);
	rt__userns_root_ids(j->spec, &uid, &gid);
	if ((uid || gid) && fchownat(j->state_dirfd, RT_EXEC_FIFO, uid, gid, 0) < 0)
		return err_sys(err, "chown %s", RT_EXEC_FIFO);
	/* Before the mounts: the spec may bind-mount it (the CLI's NOTIFY_SOCKET relay). */
	if (j->o->notify_dir && (mkdirat(j->state_dirfd, RT_NOTIFY_DIR, 0755) < 0 ||
				 fchmodat(j->state_dirfd, RT_NOTIFY_DIR, 0755, 0) < 0))
		return err_sys(err, "mkdir %s/%s", j->state_dir, RT_NOTIFY_DIR);
	return create_keep_config(j, err);
}

/* runc's default device allow-list, after the spec's rules and linux.devices. */
static const struct cg_device_rule default_devices[] = {
	{true, 'c', -1, -1, "m"}, {true, 'b', -1, -1, "m"}, {true, 'c', 1, 3, "rwm"},
	{true, 'c', 1, 8, "rwm"}, {true, 'c', 1, 7, "rwm"}, {true, 'c', 5, 0, "rwm"},
	{true, 'c', 1, 5, "rwm"}, {true, 'c', 1, 9, "rwm"}, {true, 'c', 136, -1, "rwm"},
	{true, 'c', 5, 2, "rwm"},
};

static int
create_cgroup(struct create_job *j, struct err *err)
{
	const struct rt_spec *s = j->spec;
	struct cg_root_opts ro = {0};
	struct cg_resources res;
	cleanup_free char *path = NULL;
	cleanup_free struct cg_device_rule *rules = NULL;
	size_t n = 0, cap;
	int r;

	if (j->ctx && j->ctx->systemd_cgroup)
		return err_set(err, ENOTSUP,
			       "the systemd cgroup driver is not supported; use cgroupfs");
	if (cg_root_open(&ro, &j->cgroot, err) < 0)
		return -1;
	if (cg_path_resolve(j->cgroot, s->linux.cgroups_path, j->o->id, false, &path, err) < 0)
		return -1;
	if (cg_create(j->cgroot, path, &j->cg, err) < 0)
		return -1;
	j->cg_made = true;
	res = s->linux.resources; /* shallow: only devices is replaced below */
	cap = res.n_devices + s->linux.n_devices + ARRAY_SIZE(default_devices);
	rules = xcalloc(cap, sizeof(*rules));
	for (size_t i = 0; i < res.n_devices; i++)
		rules[n++] = res.devices[i];
	for (size_t i = 0; i < s->linux.n_devices; i++) {
		const struct rt_device *d = &s->linux.devices[i];
		rules[n++] = (struct cg_device_rule){true, d->type == 'b' ? 'b' : 'c', d->major,
						     d->minor, "rwm"};
	}
	for (size_t i = 0; i < ARRAY_SIZE(default_devices); i++)
		rules[n++] = default_devices[i];
	res.devices = rules;
	res.n_devices = n;
	r = cg_apply(j->cg, &res, err);
	return r;
}

static int
create_prepare(struct create_job *j, struct err *err)
{
	if (create_load_spec(j, err) < 0 || create_validate(j, err) < 0)
		return -1;
	if (j->spec->linux.seccomp) {
		if (seccomp_compile(j->spec->linux.seccomp, &j->seccomp, err) < 0)
			return -1;
		j->has_seccomp = true;
	}
	if (caps_last_cap(&j->last_cap, err) < 0)
		return -1;
	if (create_state_dir(j, err) < 0)
		return -1;
	if (create_cgroup(j, err) < 0 || cg_join_prepare(j->cg, &j->cgj, err) < 0)
		return -1;
	if (rt__ns_open_paths(j->spec, j->ns_fds, err) < 0)
		return -1;
	if (mount_idmap_prepare(j->spec, j->bundle, &j->idmap_fds, err) < 0)
		return -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, j->sock) < 0)
		return err_sys(err, "socketpair");
	j->fast = true;
	for (int k = 0; k < RT_NS_NKINDS; k++)
		if (j->ns_fds[k] >= 0)
			j->fast = false;
	if (j->spec->linux.time_monotonic.has || j->spec->linux.time_boottime.has)
		j->fast = false;
	for (int k = RT_HOOK_PRESTART; k <= RT_HOOK_START_CONTAINER; k++)
		if (j->spec->hooks.n_hooks[k])
			j->hooks_sync = true;
	return 0;
}

/* The first child: in the fast path it is the init, born in its new namespaces. */
static pid_t
create_fork(struct create_job *j)
{
	unsigned long flags = j->fast ? rt__ns_new_flags(j->spec) & ~CLONE_NEWCGROUP : 0;

	return rt__clone_into(flags, j->cgj.dirfd, &j->cg_born);
}

static int
create_handle_console(struct create_job *j, int master, struct err *err)
{
	if (j->o->console_socket) {
		int r = rt__console_send(j->o->console_socket, master, err);
		close(master);
		return r;
	}
	if (j->o->console_fd) {
		*j->o->console_fd = master;
		return 0;
	}
	close(master);
	return err_set(err, EINVAL, "no console socket for the container's terminal");
}

static int
create_handle_seccomp(struct create_job *j, int fd, struct err *err)
{
	const struct rt_seccomp *sc = j->spec->linux.seccomp;
	cleanup_free char *state = rt__hook_state_json(j->o->id, "creating", j->pid, j->bundle,
							  j->spec);
	int r = 0;

	if (sc && sc->listener_path)
		r = seccomp_send_listener(sc->listener_path, fd, j->pid, sc->listener_metadata,
					  state, err);
	close(fd);
	if (r < 0)
		return -1;
	return rt__sync_send(j->sock[0], RT_SYNC_SECCOMP_ACK, 0, -1, err);
}

/* Namespaces: the fast path's child already is the init; the slow path's first child joins and
 * creates namespaces and tells us the init's pid. */
static int
create_talk_ns(struct create_job *j, struct err *err)
{
	bool userns = rt__ns_new_flags(j->spec) & CLONE_NEWUSER;
	pid_t who;

	if (j->fast) {
		j->pid = j->c1;
		j->c1 = 0;
		if (userns && (rt__sync_expect(j->sock[0], RT_SYNC_USERMAP, NULL, NULL, err) < 0 ||
			       rt__userns_write_maps(j->pid, j->spec, err) < 0))
			return -1;
		return rt__sync_send(j->sock[0], RT_SYNC_GO, 0, -1, err);
	}
	if (rt__sync_send(j->sock[0], RT_SYNC_GO, 0, -1, err) < 0)
		return -1;
	if (userns && (rt__sync_expect(j->sock[0], RT_SYNC_USERMAP, &who, NULL, err) < 0 ||
		       rt__userns_write_maps(who, j->spec, err) < 0 ||
		       rt__sync_send(j->sock[0], RT_SYNC_USERMAP_ACK, 0, -1, err) < 0))
		return -1;
	if (rt__sync_expect(j->sock[0], RT_SYNC_PID, &j->pid, NULL, err) < 0)
		return -1;
	if (j->c1 != j->pid)
		waitpid(j->c1, NULL, 0);
	j->c1 = 0;
	return 0;
}

/* Parent side of the sync protocol, from GO to READY. */
static int
create_talk(struct create_job *j, struct err *err)
{
	const struct rt_process *p = j->spec->process;
	struct rt_sync_msg m;
	int fd = -1;

	if (create_talk_ns(j, err) < 0)
		return -1;
	if (p->has_oom_score_adj && procattr_oom_score_adj_write(j->pid, p->oom_score_adj, err) < 0)
		return -1;
	if (j->o->on_pid)
		j->o->on_pid(j->pid, j->o->on_pid_arg);
	if (j->hooks_sync) {
		if (rt__sync_expect(j->sock[0], RT_SYNC_HOOKS, NULL, NULL, err) < 0)
			return -1;
		j->hook_state =
			rt__hook_state_json(j->o->id, "creating", j->pid, j->bundle, j->spec);
		if (rt__hooks_run(j->spec, RT_HOOK_PRESTART, j->hook_state, err) < 0 ||
		    rt__hooks_run(j->spec, RT_HOOK_CREATE_RUNTIME, j->hook_state, err) < 0)
			return -1;
		if (rt__sync_send(j->sock[0], RT_SYNC_HOOKS_ACK, j->pid, -1, err) < 0)
			return -1;
	}
	for (;;) {
		if (rt__sync_recv(j->sock[0], &m, &fd, err) < 0)
			return -1;
		if (m.type == RT_SYNC_READY)
			return 0;
		if (m.type == RT_SYNC_CONSOLE && fd >= 0) {
			if (create_handle_console(j, fd, err) < 0)
				return -1;
		} else if (m.type == RT_SYNC_SECCOMP && fd >= 0) {
			if (create_handle_seccomp(j, fd, err) < 0)
				return -1;
		} else {
			if (fd >= 0)
				close(fd);
			return err_set(err, EPROTO, "sync: unexpected message %d", m.type);
		}
	}
}

static int
create_save(struct create_job *j, struct err *err)
{
	struct rt_state st;
	cleanup_free char *created = rt__now_rfc3339();

	memset(&st, 0, sizeof(st));
	st.id = (char *)j->o->id;
	st.pid = j->pid;
	st.status = RT_CREATED;
	st.bundle = j->bundle;
	st.rootfs = j->rootfs;
	st.created = created;
	st.owner = (char *)"";
	st.annotations = j->spec->annotations;
	st.n_annotations = j->spec->n_annotations;
	st.start_time = rt__proc_start_time(j->pid);
	st.cgroup_path = (char *)cg_path(j->cg);
	st.no_pivot = j->o->no_pivot;
	st.has_pidns = own_pidns(j->spec);
	st.config_path = j->config_path;
	if (rt__state_save(j->state_dir, &st, err) < 0)
		return -1;
	if (j->o->pid_file && rt__write_pid_file(j->o->pid_file, j->pid, err) < 0)
		return -1;
	return 0;
}

/* The state is saved: the init may go on to wait for start. */
static int
create_release(struct create_job *j, struct err *err)
{
	return rt__sync_send(j->sock[0], RT_SYNC_READY_ACK, 0, -1, err);
}

/* Undo everything a failed create made; then free the job. */
static void
create_job_fini(struct create_job *j, bool failed)
{
	struct err e = {0};

	if (failed) {
		rt__kill_reap(&j->pid);
		rt__kill_reap(&j->c1);
		if (j->cg && j->cg_made && j->spec && !own_pidns(j->spec))
			cg_kill_all(j->cg, SIGKILL, &e);
		if (j->cg && j->cg_made)
			cg_destroy(j->cg, &e);
		if (j->state_dir_made)
			rm_rf(j->state_dir, &e);
	}
	for (int i = 0; i < 2; i++)
		if (j->sock[i] >= 0)
			close(j->sock[i]);
	rt__ns_close(j->ns_fds);
	mount_idmap_close(j->idmap_fds, j->spec ? j->spec->n_mounts : 0);
	cg_join_close(&j->cgj);
	if (j->state_dirfd >= 0)
		close(j->state_dirfd);
	if (j->has_seccomp)
		seccomp_prog_fini(&j->seccomp);
	cg_free(j->cg);
	cg_root_free(j->cgroot);
	rt_spec_free(j->spec_owned);
	free(j->bundle);
	free(j->config_path);
	free(j->config_owned);
	free(j->rootfs);
	free(j->state_dir);
	free(j->hook_state);
}

int
rt_container_create(const struct rt_ctx *ctx, const struct rt_create_opts *o, pid_t *pid,
		    struct err *err)
{
	struct create_job j;
	sigset_t old;
	int r = -1;

	memset(&j, 0, sizeof(j));
	j.ctx = ctx;
	j.o = o;
	j.state_dirfd = -1;
	j.sock[0] = j.sock[1] = -1;
	j.cgj.dirfd = j.cgj.procs = -1;
	for (int k = 0; k < RT_NS_NKINDS; k++)
		j.ns_fds[k] = -1;
	if (rt__check_id(o->id, err) < 0)
		return -1;
	if (create_prepare(&j, err) < 0)
		goto out;
	j.parent = getpid();
	rt__block_signals(&old);
	j.c1 = create_fork(&j);
	if (j.c1 == 0)
		create_child_main(&j);
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (j.c1 < 0) {
		err_sys(err, "fork");
		j.c1 = 0;
		goto out;
	}
	close(j.sock[1]);
	j.sock[1] = -1;
	rt__ns_close(j.ns_fds);
	mount_idmap_close(j.idmap_fds, j.spec->n_mounts);
	j.idmap_fds = NULL;
	cg_join_close(&j.cgj);
	if (create_talk(&j, err) < 0 || create_save(&j, err) < 0 ||
	    create_release(&j, err) < 0)
		goto out;
	*pid = j.pid;
	r = 0;
out:
	if (r < 0 && err->msg[0] && strncmp(err->msg, "create ", 7) != 0)
		err_wrap(err, "create %s", o->id);
	create_job_fini(&j, r < 0);
	return r;
}
