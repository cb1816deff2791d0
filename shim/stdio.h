/* stdio: a process's stdin/stdout/stderr as containerd gives them (shim-protocol.md 3.4):
 * FIFOs opened without blocking (O_RDWR / O_NONBLOCK), file:// and binary:// loggers, or a pty
 * (the runtime's console master). The process gets pipes; pumps copy between them and the
 * client's ends on the loop, with backpressure. Stdin sees EOF only after CloseIO. Output for
 * a client that has not opened its FIFO yet is kept for it (bounded) before the drain. */
#ifndef SHIM_STDIO_H
#define SHIM_STDIO_H

#include <stdbool.h>
#include <sys/types.h>

#include "base/err.h"

struct event_base;
struct stdio;

/* How long output that has ended waits, by default, for the client to read what is left in
 * the FIFO it was written to (and to open it, if it had not): under the service's drain
 * timeout, so the exit is reported after it. */
#define STDIO_READER_WAIT_MS 1000

struct stdio_cfg {
	const char *stdin_path; /* "" or NULL = none */
	const char *stdout_path;
	const char *stderr_path;
	bool terminal;
	const char *id; /* container id, for binary:// loggers */
	const char *ns; /* namespace, same */
	bool has_owner; /* runc's io_uid / io_gid: owner of the process's pipes */
	uid_t uid;
	gid_t gid;
	/* How long finished output waits for the client to read the rest of its FIFO
	 * (0: STDIO_READER_WAIT_MS). */
	unsigned reader_wait_ms;
};

/* All output copied to its destination (or given up): the exit may be reported. */
typedef void (*stdio_drained_cb)(struct stdio *io, void *arg);

int stdio_new(struct event_base *base, const struct stdio_cfg *cfg, stdio_drained_cb cb, void *arg,
              struct stdio **out, struct err *err);
/* Frees everything: pumps, fds, our FIFO holds; a binary logger gets SIGTERM (then SIGKILL).
 * NULL is fine. */
void stdio_free(struct stdio *io);

/* The fds for the process's 0, 1, 2 (borrowed; for a terminal they are /dev/null: the runtime
 * puts the pty slave there). */
void stdio_child_fds(const struct stdio *io, int fds[3]);
/* The process exists (or failed to): drop our copies of its ends, so EOF can happen. */
void stdio_child_started(struct stdio *io);
/* Terminal: the pty master from the runtime (taken): stdin -> master -> stdout. */
void stdio_attach_console(struct stdio *io, int master);
/* The pty master, -1 if none (borrowed). */
int stdio_console(const struct stdio *io);
/* CloseIO: stop holding the stdin FIFO open; the process sees EOF once the client's end is
 * closed and pending input has been written. */
void stdio_close_stdin(struct stdio *io);
/* True when every output pump has finished (or there is none) and the client's FIFOs are
 * released. */
bool stdio_drained(const struct stdio *io);
/* Moves whatever output is available now (before an exit is reported). */
void stdio_flush(struct stdio *io);

#endif
