/* child: what the container process does to itself between fork and execve, shared by the
 * container init (create.c) and exec'd processes (exec.c). Runs single-threaded in a fresh
 * child; errors go back to the runtime as struct err over the sync socket. */
#include "rt_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "caps.h"
#include "procattr.h"
#include "seccomp.h"

#define RT_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static const char *
env_get(char *const *env, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; env && env[i]; i++)
		if (strncmp(env[i], name, n) == 0 && env[i][n] == '=')
			return env[i] + n + 1;
	return NULL;
}

static bool
is_executable(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

int
rt__find_exec(const struct rt_process *p, char *buf, size_t len, struct err *err)
{
	const char *name = p->args && p->args[0] ? p->args[0] : NULL;
	const char *path;

	if (name == NULL || name[0] == '\0')
		return err_set(err, EINVAL, "process.args is empty");
	if (strchr(name, '/')) {
		if (snprintf(buf, len, "%s", name) >= (int)len)
			return err_set(err, ENAMETOOLONG, "exec %s: name too long", name);
		if (!is_executable(buf))
			return err_sys(err, "exec: \"%s\"", name);
		return 0;
	}
	path = env_get(p->env, "PATH");
	if (path == NULL)
		path = RT_DEFAULT_PATH;
	while (*path) {
		const char *end = strchrnul(path, ':');
		int dl = (int)(end - path);
		if (snprintf(buf, len, "%.*s%s%s", dl, path, dl ? "/" : "", name) < (int)len &&
		    is_executable(buf))
			return 0;
		path = *end ? end + 1 : end;
	}
	return err_set(err, ENOENT, "exec: \"%s\": executable file not found in $PATH", name);
}

static int
child_chdir(const struct rt_process *p, struct err *err)
{
	char buf[PATH_MAX];
	const char *cwd = p->cwd && p->cwd[0] ? p->cwd : "/";

	if (cwd[0] != '/')
		return err_set(err, EINVAL, "process.cwd %s is not an absolute path", cwd);
	if (chdir(cwd) < 0)
		return err_sys(err, "chdir to cwd (\"%s\") set in config.json", cwd);
	/* cwd must be inside the root: the kernel marks an escaped one "(unreachable)" */
	if (getcwd(buf, sizeof(buf)) == NULL || buf[0] != '/')
		return err_set(err, EPERM, "cwd %s is outside the container root", cwd);
	return 0;
}

/* Loads the filter; a notify fd goes to the runtime at once (a profile may send the very next
 * syscalls to the listener, which must have the fd by then). */
static int
child_load_seccomp(const struct rt_child_proc *cp, struct err *err)
{
	int notify_fd = -1;

	if (cp->seccomp == NULL)
		return 0;
	if (seccomp_prog_load(cp->seccomp, &notify_fd, err) < 0)
		return err_wrap(err, "load seccomp filter");
	if (notify_fd < 0)
		return 0;
	if (rt__sync_send(cp->sync_sock, RT_SYNC_SECCOMP, 0, notify_fd, err) < 0) {
		close(notify_fd);
		return -1;
	}
	close(notify_fd);
	return rt__sync_expect(cp->sync_sock, RT_SYNC_SECCOMP_ACK, NULL, NULL, err);
}

int
rt__child_apply_process(const struct rt_child_proc *cp, struct err *err)
{
	const struct rt_process *p = cp->proc;
	struct rt_caps none = {0};
	const struct rt_caps *caps = p->has_caps ? &p->caps : &none;
	bool late_seccomp = rt__child_late_seccomp(cp);

	if (child_chdir(p, err) < 0)
		return -1;
	if (p->n_rlimits && procattr_rlimits_apply(p->rlimits, p->n_rlimits, err) < 0)
		return -1;
	if (p->has_scheduler && procattr_scheduler_apply(0, &p->scheduler, err) < 0)
		return -1;
	if (p->has_io_priority && procattr_io_priority_apply(0, &p->io_priority, err) < 0)
		return -1;
	if (cp->personality && procattr_personality_apply(cp->personality, err) < 0)
		return -1;
	if (cp->keyring_id && procattr_session_keyring(cp->keyring_id, err) < 0)
		return -1;
	if (!late_seccomp && !p->no_new_privileges && child_load_seccomp(cp, err) < 0)
		return -1;
	if (caps_before_setuid(caps, cp->last_cap, err) < 0)
		return -1;
	if (procattr_user_apply(&p->user, cp->setgroups_allowed, err) < 0)
		return -1;
	if (caps_after_setuid(caps, cp->last_cap, err) < 0)
		return -1;
	if (p->no_new_privileges && procattr_no_new_privs(err) < 0)
		return -1;
	if (!late_seccomp && p->no_new_privileges && child_load_seccomp(cp, err) < 0)
		return -1;
	return 0;
}

int
rt__child_exec(const struct rt_process *p, const char *path, struct err *err)
{
	char *const empty[] = {NULL};

	execve(path, p->args, p->env ? p->env : empty);
	return err_sys(err, "exec %s", path);
}

bool
rt__child_late_seccomp(const struct rt_child_proc *cp)
{
	return cp->seccomp && cp->proc->no_new_privileges && !cp->seccomp->has_notify;
}

int
rt__child_load_late_seccomp(const struct rt_child_proc *cp, struct err *err)
{
	if (!rt__child_late_seccomp(cp))
		return 0;
	return child_load_seccomp(cp, err);
}

/* Puts the given fds on 0, 1 and 2 (-1: keep ours), safe when they overlap 0..2. */
int
rt__child_stdio(const int stdio[3], struct err *err)
{
	int tmp[3] = {-1, -1, -1};

	for (int i = 0; i < 3; i++) {
		if (stdio[i] < 0)
			continue;
		tmp[i] = fcntl(stdio[i], F_DUPFD_CLOEXEC, 3);
		if (tmp[i] < 0)
			return err_sys(err, "dup stdio %d", i);
	}
	for (int i = 0; i < 3; i++) {
		if (tmp[i] < 0)
			continue;
		if (dup2(tmp[i], i) < 0)
			return err_sys(err, "dup2 stdio %d", i);
		close(tmp[i]);
	}
	return 0;
}

/* Resets what the child inherited from the runtime: signal dispositions and mask. */
void
rt__child_reset_signals(void)
{
	struct sigaction sa;
	sigset_t none;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	for (int s = 1; s < NSIG; s++)
		sigaction(s, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}
