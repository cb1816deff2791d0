/* cli_io: what a foreground `husk run` / `husk exec` does while its process runs (runc's
 * signals.go and tty.go): every signal is forwarded to the process, SIGCHLD reaps (we are a
 * subreaper, like runc), SIGWINCH resizes the pty, and a pty master is proxied to our stdin and
 * stdout with our terminal in raw mode. Also the fds passed through (LISTEN_FDS, --preserve-fds).
 */
#ifndef CLI_CLI_IO_H
#define CLI_CLI_IO_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>
#include <termios.h>

#include "base/err.h"

struct cli_fwd {
	int sigfd;         /* signalfd of every blockable signal, owned */
	sigset_t old_mask; /* restored by cli_fwd_fini */
	bool mask_saved;
	int master;         /* pty master, owned, -1 = none */
	int host_fd;        /* our terminal, -1 = none */
	bool host_fd_owned; /* opened /dev/tty */
	bool raw;           /* saved holds the terminal's mode to restore */
	struct termios saved;
};

/* Blocks every signal (call it before the process is created so that none is lost: they
 * queue until cli_fwd_wait forwards them) and opens the signalfd. subreaper: become the reaper
 * of orphaned descendants (runc's default for run). */
int cli_fwd_init(struct cli_fwd *f, bool subreaper, struct err *err);
/* Takes the pty master: clears ONLCR on it (as runc), puts our terminal (stderr, stdout, stdin
 * or /dev/tty, the first that is one) in raw mode keeping output processing, and copies its
 * size. Without a terminal of ours the master is still proxied. */
int cli_fwd_set_console(struct cli_fwd *f, int master, struct err *err);
/* Runs until pid exits: forwards signals, reaps, proxies the console (drained at the end).
 * *status is the exit code, or 128 + the signal that killed it. */
int cli_fwd_wait(struct cli_fwd *f, pid_t pid, int *status, struct err *err);
/* Restores the terminal and the signal mask, closes what it owns. Safe to call twice. */
void cli_fwd_fini(struct cli_fwd *f);

/* waitpid status -> shell-style exit code (128 + signal when killed). */
int cli_exit_status(int wstatus);

/* Socket activation (sd_listen_fds without unsetting): the number of fds from 3 when LISTEN_PID
 * is our pid and LISTEN_FDS a positive number, else 0. */
int cli_listen_fds(void);
/* runc checks the --preserve-fds fds exist: fds first .. first+n-1. */
int cli_check_preserved_fds(int first, int n, struct err *err);

#endif
