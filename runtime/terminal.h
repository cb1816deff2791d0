/* terminal: the container's pty, created inside the container after pivot_root (runc's order:
 * before mount_rootfs_finish, so /dev is still writable for /dev/console). */
#ifndef RUNTIME_TERMINAL_H
#define RUNTIME_TERMINAL_H

#include <stdbool.h>

#include "base/err.h"

struct rt_process;

/* Opens /dev/ptmx (O_RDWR|O_NOCTTY|O_CLOEXEC), unlockpt, gets the peer with TIOCGPTPEER
 * (fallback: ptsname + open), applies process.consoleSize if set. *master and *slave are
 * owned by the caller (both O_CLOEXEC). proc may be NULL (no size). */
int terminal_open(const struct rt_process *proc, int *master, int *slave, struct err *err);

/* Bind-mounts the pty slave onto /dev/console (an empty file is created if missing). */
int terminal_mount_console(int slave, struct err *err);

/* In a process that called setsid(): makes slave the controlling terminal (TIOCSCTTY) and
 * dup2s it onto 0, 1 and 2. The caller still owns slave (close it if it is > 2). */
int terminal_attach(int slave, struct err *err);

/* TIOCSWINSZ on a pty fd (master or slave). */
int terminal_resize(int fd, unsigned height, unsigned width, struct err *err);

#endif
