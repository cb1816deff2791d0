#include "sys.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_clone3
#define SYS_clone3 435
#endif
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif
#ifndef SYS_close_range
#define SYS_close_range 436
#endif
#ifndef SYS_openat2
#define SYS_openat2 437
#endif
#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442
#endif
#ifndef SYS_open_tree
#define SYS_open_tree 428
#endif
#ifndef SYS_move_mount
#define SYS_move_mount 429
#endif

int
sys_pivot_root(const char *new_root, const char *put_old)
{
	return (int)syscall(SYS_pivot_root, new_root, put_old);
}

long
sys_clone3(struct clone_args *args, size_t size)
{
	return syscall(SYS_clone3, args, size);
}

int
sys_pidfd_open(pid_t pid, unsigned int flags)
{
	return (int)syscall(SYS_pidfd_open, pid, flags);
}

int
sys_pidfd_send_signal(int pidfd, int sig, siginfo_t *info, unsigned int flags)
{
	return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, info, flags);
}

int
sys_close_range(unsigned int first, unsigned int last, unsigned int flags)
{
	return (int)syscall(SYS_close_range, first, last, flags);
}

int
sys_openat2(int dirfd, const char *path, struct open_how *how, size_t size)
{
	return (int)syscall(SYS_openat2, dirfd, path, how, size);
}

int
sys_seccomp(unsigned int op, unsigned int flags, void *args)
{
	return (int)syscall(SYS_seccomp, op, flags, args);
}

int
sys_mount_setattr(int dirfd, const char *path, unsigned int flags, void *attr, size_t size)
{
	return (int)syscall(SYS_mount_setattr, dirfd, path, flags, attr, size);
}

int
sys_open_tree(int dirfd, const char *path, unsigned int flags)
{
	return (int)syscall(SYS_open_tree, dirfd, path, flags);
}

int
sys_move_mount(int from_dirfd, const char *from, int to_dirfd, const char *to, unsigned int flags)
{
	return (int)syscall(SYS_move_mount, from_dirfd, from, to_dirfd, to, flags);
}

int
sys_setns(int fd, int nstype)
{
	return setns(fd, nstype);
}

int
sys_unshare(int flags)
{
	return unshare(flags);
}

int
sys_capset(void *hdr, void *data)
{
	return (int)syscall(SYS_capset, hdr, data);
}

int
sys_capget(void *hdr, void *data)
{
	return (int)syscall(SYS_capget, hdr, data);
}

int
sys_ioprio_set(int which, int who, int ioprio)
{
	return (int)syscall(SYS_ioprio_set, which, who, ioprio);
}

int
sys_sched_setattr(pid_t pid, void *attr, unsigned int flags)
{
	return (int)syscall(SYS_sched_setattr, pid, attr, flags);
}

int
sys_keyctl_join(const char *name)
{
	/* KEYCTL_JOIN_SESSION_KEYRING = 1 */
	return (int)syscall(SYS_keyctl, 1, name, 0, 0, 0);
}

long
sys_keyctl(int op, unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5)
{
	return syscall(SYS_keyctl, op, a2, a3, a4, a5);
}

static bool
sys_is_kept(int fd, const int *keep, size_t n_keep)
{
	for (size_t i = 0; i < n_keep; i++)
		if (keep[i] == fd)
			return true;
	return false;
}

/* Async-signal-safe when close_range exists; the fallback scans /proc/self/fd (used before the
 * container's pivot_root only) or closes up to a fixed bound. */
int
sys_close_fds_from(int first, const int *keep, size_t n_keep)
{
	int lo = first;
	long maxfd = sysconf(_SC_OPEN_MAX);

	if (maxfd < 0 || maxfd > 1 << 20)
		maxfd = 1 << 20;
	for (;;) {
		int hi = -1;
		/* the next kept fd at or above lo bounds the range */
		for (size_t i = 0; i < n_keep; i++)
			if (keep[i] >= lo && (hi < 0 || keep[i] < hi))
				hi = keep[i];
		if (hi == lo) {
			lo++;
			continue;
		}
		if (sys_close_range((unsigned)lo, hi < 0 ? ~0U : (unsigned)(hi - 1), 0) < 0) {
			if (errno != ENOSYS)
				return -1;
			for (int fd = lo; fd < (hi < 0 ? maxfd : hi); fd++)
				if (!sys_is_kept(fd, keep, n_keep))
					close(fd);
		}
		if (hi < 0)
			return 0;
		lo = hi + 1;
	}
}
