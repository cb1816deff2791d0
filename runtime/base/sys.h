/* sys: thin wrappers for raw syscalls, so unit tests can --wrap them and fallbacks live in one
 * place. Each returns what the syscall returns (-1 with errno on failure). */
#ifndef BASE_SYS_H
#define BASE_SYS_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct clone_args;
struct open_how;

int sys_pivot_root(const char *new_root, const char *put_old);
long sys_clone3(struct clone_args *args, size_t size);
int sys_pidfd_open(pid_t pid, unsigned int flags);
int sys_pidfd_send_signal(int pidfd, int sig, siginfo_t *info, unsigned int flags);
int sys_close_range(unsigned int first, unsigned int last, unsigned int flags);
int sys_openat2(int dirfd, const char *path, struct open_how *how, size_t size);
int sys_seccomp(unsigned int op, unsigned int flags, void *args);
int sys_mount_setattr(int dirfd, const char *path, unsigned int flags, void *attr, size_t size);
int sys_open_tree(int dirfd, const char *path, unsigned int flags);
int sys_move_mount(int from_dirfd, const char *from, int to_dirfd, const char *to,
		   unsigned int flags);
int sys_setns(int fd, int nstype);
int sys_unshare(int flags);
int sys_capset(void *hdr, void *data);
int sys_capget(void *hdr, void *data);
int sys_ioprio_set(int which, int who, int ioprio);
int sys_sched_setattr(pid_t pid, void *attr, unsigned int flags);
int sys_keyctl_join(const char *name);
/* keyctl(2) with any operation (KEYCTL_DESCRIBE, KEYCTL_SETPERM, ...). */
long sys_keyctl(int op, unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5);
/* Closes every fd >= first except those in keep (sorted or not); close_range where possible. */
int sys_close_fds_from(int first, const int *keep, size_t n_keep);

#endif
