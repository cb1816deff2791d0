/* procutil: fork helpers, pid files and the console socket, shared by create and exec. */
#include "rt_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <libgen.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/fdutil.h"
#include "base/sys.h"
#include "base/xalloc.h"

void
rt__block_signals(sigset_t *old)
{
	sigset_t all;

	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, old);
}

pid_t
rt__fork_sibling(void)
{
	/* raw clone without a stack behaves as fork */
	return (pid_t)syscall(SYS_clone, CLONE_PARENT | SIGCHLD, 0, 0, 0, 0);
}

pid_t
rt__clone_into(unsigned long flags, int cgfd, bool *born_in)
{
	struct clone_args args = {.flags = flags, .exit_signal = SIGCHLD};
	pid_t pid;

	if (cgfd >= 0) {
		args.flags |= CLONE_INTO_CGROUP;
		args.cgroup = (uint64_t)cgfd;
		*born_in = true;
		pid = (pid_t)sys_clone3(&args, sizeof(args));
		if (pid >= 0 || (errno != ENOSYS && errno != E2BIG && errno != EINVAL))
			return pid;
	}
	/* no clone3 or no CLONE_INTO_CGROUP (before Linux 5.7): the child joins by itself */
	*born_in = false;
	return (pid_t)syscall(SYS_clone, flags | SIGCHLD, 0, 0, 0, 0);
}

void
rt__kill_reap(pid_t *pid)
{
	if (*pid <= 0)
		return;
	kill(*pid, SIGKILL);
	waitpid(*pid, NULL, 0);
	*pid = 0;
}

int
rt__console_send(const char *socket_path, int master, struct err *err)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	cleanup_close int s = -1;
	static const char name[] = "/dev/ptmx";

	if (strlen(socket_path) >= sizeof(addr.sun_path))
		return err_set(err, ENAMETOOLONG, "console socket %s: path too long", socket_path);
	strcpy(addr.sun_path, socket_path);
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return err_sys(err, "console socket");
	if (connect(s, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		return err_sys(err, "connect to console socket %s", socket_path);
	if (fd_send(s, name, sizeof(name) - 1, &master, 1, err) < 0)
		return err_wrap(err, "send pty master to %s", socket_path);
	return 0;
}

int
rt__write_pid_file(const char *path, pid_t pid, struct err *err)
{
	cleanup_free char *copy = xstrdup(path);
	cleanup_free char *tmp = NULL;
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%d", (int)pid);
	cleanup_close int fd = -1;

	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;

	tmp = xasprintf("%s/.%s.tmp", dirname(copy), base);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return err_sys(err, "pid file %s", tmp);
	if (write_all(fd, buf, (size_t)n, err) < 0) {
		unlink(tmp);
		return err_wrap(err, "pid file %s", path);
	}
	if (rename(tmp, path) < 0) {
		err_sys(err, "pid file %s", path);
		unlink(tmp);
		return -1;
	}
	return 0;
}
