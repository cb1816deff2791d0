/* fdutil: whole reads and writes, small files, fd flags and SCM_RIGHTS passing. */
#ifndef BASE_FDUTIL_H
#define BASE_FDUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "err.h"

int write_all(int fd, const void *buf, size_t len, struct err *err);
/* Reads until EOF; *out is NUL-terminated and owned by the caller. */
int read_all(int fd, char **out, size_t *len, struct err *err);
int read_file_at(int dirfd, const char *path, char **out, size_t *len, struct err *err);
/* Writes the whole string with O_WRONLY|O_TRUNC (no O_CREAT): cgroup and proc files. */
int write_file_at(int dirfd, const char *path, const char *data, size_t len, struct err *err);
/* tmp + fsync-less rename, mode given. */
int write_file_atomic_at(int dirfd, const char *path, const char *data, size_t len, mode_t mode,
			 struct err *err);
int fd_set_cloexec(int fd, bool on);
int fd_set_nonblock(int fd, bool on);
/* Sends data (at least one byte) with up to n_fds fds attached. */
int fd_send(int sock, const void *data, size_t len, const int *fds, size_t n_fds, struct err *err);
/* Receives one message; fds received are stored in fds (count in *n_fds, -1 filled). Returns bytes
 * read, 0 on EOF. */
ssize_t fd_recv(int sock, void *data, size_t len, int *fds, size_t *n_fds, struct err *err);
/* mkdir -p with mode for missing components. */
int mkdir_p(const char *path, mode_t mode, struct err *err);
/* rm -rf of a directory tree, not crossing mounts (best effort: returns -1 on the first error). */
int rm_rf(const char *path, struct err *err);

#endif
