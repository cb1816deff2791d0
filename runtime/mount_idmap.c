/* mount_idmap: idmapped bind mounts (runtime-spec 1.2: options idmap and ridmap, and
 * mounts[].uidMappings / gidMappings). Setting MOUNT_ATTR_IDMAP needs privilege over the
 * source filesystem, which the container child may no longer have once it is in its user
 * namespace. So the runtime, before the child exists, clones each source tree (open_tree) and
 * gives it the mappings of a user namespace made for them; the child moves the detached tree
 * onto its target (mount_apply) and applies the other flags there, as for any bind. */
#include "mount.h"
#include "mount_internal.h"
#include "rt_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/sys.h"
#include "base/xalloc.h"
#include "spec.h"

#ifndef MOUNT_ATTR_IDMAP
#define MOUNT_ATTR_IDMAP 0x00100000
#endif

struct idmap_set {
	const struct rt_idmap *uid, *gid;
	size_t n_uid, n_gid;
};

static bool
idmap_same(const struct rt_idmap *a, size_t na, const struct rt_idmap *b, size_t nb)
{
	return na == nb && (na == 0 || memcmp(a, b, na * sizeof(*a)) == 0);
}

/* An fd of a new user namespace with these mappings: a helper process unshares it and waits
 * while we write its maps and open it, then is killed. */
static int
idmap_userns_open(const struct idmap_set *set, struct err *err)
{
	char path[64];
	sigset_t old;
	int sv[2], fd = -1, cerr = 0;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return err_sys(err, "socketpair");
	rt__block_signals(&old);
	pid = fork();
	if (pid == 0) {
		char c;

		close(sv[0]);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		cerr = sys_unshare(CLONE_NEWUSER) < 0 ? errno : 0;
		if (write(sv[1], &cerr, sizeof(cerr)) != sizeof(cerr) || cerr)
			_exit(1);
		(void)!read(sv[1], &c, 1); /* until the runtime is done with us */
		_exit(0);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(sv[1]);
	if (pid < 0) {
		close(sv[0]);
		return err_sys(err, "fork");
	}
	if (read(sv[0], &cerr, sizeof(cerr)) != sizeof(cerr)) {
		err_set(err, ECHILD, "the user namespace helper died");
	} else if (cerr) {
		err_set(err, cerr, "unshare a user namespace for the mappings: %s", strerror(cerr));
	} else if (rt__idmap_write(pid, set->uid, set->n_uid, set->gid, set->n_gid, err) == 0) {
		snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			err_sys(err, "open %s", path);
	}
	close(sv[0]);
	rt__kill_reap(&pid);
	return fd;
}

/* The detached, idmapped copy of one mount's source tree. */
static int
idmap_tree(const struct rt_mount *m, const struct mount_plan *p, const char *bundle, int userns,
           struct err *err)
{
	cleanup_free char *rel = NULL;
	struct mount_attr attr = {.attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)userns};
	const char *src = m->source;
	int tree;

	if (!src || !*src)
		return err_set(err, EINVAL, "bind mount without a source");
	if (src[0] != '/' && bundle)
		src = rel = xasprintf("%s/%s", bundle, src);
	tree = sys_open_tree(AT_FDCWD, src,
	                     OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
	                         ((p->flags & MS_REC) ? AT_RECURSIVE : 0));
	if (tree < 0)
		return err_sys(err, "open_tree %s", src);
	if (sys_mount_setattr(
	        tree, "", AT_EMPTY_PATH | (p->idmap == MOUNT_IDMAP_RECURSIVE ? AT_RECURSIVE : 0),
	        &attr, sizeof(attr)) < 0) {
		int e = errno;

		close(tree);
		errno = e;
		if (e == EINVAL || e == EOPNOTSUPP)
			return err_sys(err,
			               "id-map %s (its filesystem may not support idmapped "
			               "mounts)",
			               src);
		return err_sys(err, "id-map %s", src);
	}
	return tree;
}

int
mount_idmap_prepare(const struct rt_spec *spec, const char *bundle, int **fds_out, struct err *err)
{
	struct idmap_set *sets = NULL;
	int *nsfd = NULL, *fds = NULL;
	size_t n_sets = 0;
	int r = 0;

	*fds_out = NULL;
	for (size_t i = 0; i < spec->n_mounts && r == 0; i++) {
		const struct rt_mount *m = &spec->mounts[i];
		struct idmap_set want = {m->uid_mappings, m->gid_mappings, m->n_uid_mappings,
		                         m->n_gid_mappings};
		struct mount_plan p;
		size_t k;

		if (mount_plan_make(m, &p, err) < 0) {
			r = -1;
			break;
		}
		if (p.idmap == MOUNT_IDMAP_NONE) {
			mount_plan_fini(&p);
			continue;
		}
		if (!want.n_uid) { /* idmap without mappings: the container's */
			want = (struct idmap_set){
			    spec->linux.uid_mappings, spec->linux.gid_mappings,
			    spec->linux.n_uid_mappings, spec->linux.n_gid_mappings};
			if (!want.n_uid || !want.n_gid) {
				mount_plan_fini(&p);
				r = err_set(
				    err, EINVAL,
				    "mount %s: idmap needs uidMappings and gidMappings on the "
				    "mount or in linux",
				    m->destination);
				break;
			}
		}
		for (k = 0; k < n_sets; k++)
			if (idmap_same(sets[k].uid, sets[k].n_uid, want.uid, want.n_uid) &&
			    idmap_same(sets[k].gid, sets[k].n_gid, want.gid, want.n_gid))
				break;
		if (k == n_sets) {
			sets = xreallocarray(sets, n_sets + 1, sizeof(*sets));
			nsfd = xreallocarray(nsfd, n_sets + 1, sizeof(*nsfd));
			sets[k] = want;
			nsfd[k] = idmap_userns_open(&want, err);
			n_sets++;
		}
		if (!fds) {
			fds = xmalloc(spec->n_mounts * sizeof(*fds));
			for (size_t f = 0; f < spec->n_mounts; f++)
				fds[f] = -1;
		}
		if (nsfd[k] < 0 || (fds[i] = idmap_tree(m, &p, bundle, nsfd[k], err)) < 0)
			r = err_wrap(err, "mount %s", m->destination);
		mount_plan_fini(&p);
	}
	for (size_t k = 0; k < n_sets; k++)
		if (nsfd[k] >= 0)
			close(nsfd[k]);
	free(sets);
	free(nsfd);
	if (r < 0) {
		mount_idmap_close(fds, spec->n_mounts);
		return -1;
	}
	*fds_out = fds;
	return 0;
}

void
mount_idmap_close(int *fds, size_t n)
{
	if (!fds)
		return;
	for (size_t i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	free(fds);
}
