#include "stdio.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/fdutil.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "pump.h"
#include "stdio_logger.h"
#include "stdio_uri.h"

enum { IO_IN = 0, IO_OUT, IO_ERR, IO_N };

/* Pipe and FIFO buffer size: the bound on what waits in the kernel per stream. With the 64 KiB
 * default a writer of 64 KiB chunks blocks on every write and throughput drops 3x (measured
 * with dd bs=64k through ctr); 256 KiB lets the process, the splice and the client overlap. */
#define STDIO_PIPE_SIZE (256 << 10)

struct stdio {
	struct event_base *base;  /* borrowed */
	int child[IO_N];          /* the process's ends (owned until stdio_child_started) */
	int stdin_hold;           /* our write end of the stdin FIFO, until CloseIO */
	int stdin_src;            /* terminal: our read end of the stdin FIFO until the console */
	int console_sink;         /* terminal: the stdout sink until the console arrives */
	int console;              /* pty master, -1 if none */
	struct pump *pumps[IO_N]; /* IO_IN: client -> process; others: process -> client */
	int logger_pidfd;
	bool terminal;
	bool notified;
	stdio_drained_cb cb;
	void *arg;
};

static void
stdio_on_pump_done(struct pump *p, void *arg)
{
	struct stdio *io = arg;

	(void)p;
	if (!io->notified && stdio_drained(io)) {
		io->notified = true;
		if (io->cb)
			io->cb(io, io->arg);
	}
}

static int
open_null(struct err *err)
{
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return err_sys(err, "open /dev/null");
	return fd;
}

/* A pipe whose child end is returned; the other end (ours) non-blocking. dir_in: the child
 * reads (stdin). */
static int
stdio_pipe(const struct stdio_cfg *cfg, bool child_reads, int *child, int *ours, struct err *err)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC) < 0)
		return err_sys(err, "pipe");
	*child = child_reads ? p[0] : p[1];
	*ours = child_reads ? p[1] : p[0];
	if (cfg->has_owner && fchown(*child, cfg->uid, cfg->gid) < 0) {
		err_sys(err, "chown stdio pipe to %u:%u", cfg->uid, cfg->gid);
		close(p[0]);
		close(p[1]);
		return -1;
	}
	fd_set_nonblock(*ours, true);
	/* Bigger pipes mean fewer wakeups per byte for the process, us and the client. */
	fcntl(*ours, F_SETPIPE_SZ, STDIO_PIPE_SIZE);
	return 0;
}

/* Opens the client's end of stdout or stderr for writing without blocking: a FIFO read-write
 * (we hold a reader, so writes never see EPIPE), a regular file for appending. */
static int
stdio_open_sink(const char *path, struct err *err)
{
	struct stat st;
	int fd;

	if (stat(path, &st) < 0)
		return err_sys(err, "stdio %s", path);
	if (S_ISREG(st.st_mode))
		fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	else
		fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd >= 0 && S_ISFIFO(st.st_mode))
		fcntl(fd, F_SETPIPE_SZ, STDIO_PIPE_SIZE);
	if (fd < 0)
		return err_sys(err, "open %s", path);
	return fd;
}

/* file://: one file for both streams; parents created. */
static int
stdio_open_file(const char *path, struct err *err)
{
	cleanup_free char *dir = xstrdup(path);
	int fd;

	if (mkdir_p(dirname(dir), 0755, err) < 0)
		return -1;
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return err_sys(err, "open log file %s", path);
	return fd;
}

/* Stdin from a FIFO: our read end plus a write hold, so the client closing its end is not EOF. */
static int
stdio_setup_stdin(struct stdio *io, const struct stdio_cfg *cfg, struct err *err)
{
	int rfd, ours = -1;

	io->child[IO_IN] = -1;
	if (!cfg->stdin_path || !*cfg->stdin_path || cfg->terminal) {
		io->child[IO_IN] = open_null(err);
		if (io->child[IO_IN] < 0)
			return -1;
		if (!cfg->stdin_path || !*cfg->stdin_path)
			return 0;
	}
	rfd = open(cfg->stdin_path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (rfd < 0)
		return err_sys(err, "open stdin %s", cfg->stdin_path);
	io->stdin_hold = open(cfg->stdin_path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (io->stdin_hold < 0) {
		err_sys(err, "open stdin %s for writing", cfg->stdin_path);
		close(rfd);
		return -1;
	}
	if (cfg->terminal) {
		io->stdin_src = rfd; /* pumped into the pty master once it arrives */
		return 0;
	}
	if (stdio_pipe(cfg, true, &io->child[IO_IN], &ours, err) < 0) {
		close(rfd);
		return -1;
	}
	io->pumps[IO_IN] = pump_new(io->base, rfd, ours, PUMP_OWN_SRC | PUMP_OWN_DST, NULL, NULL);
	return 0;
}

/* One output stream into an open sink (taken when own_sink). */
static int
stdio_setup_out(struct stdio *io, const struct stdio_cfg *cfg, int which, int sink,
                unsigned own_sink, struct err *err)
{
	int ours = -1;

	if (stdio_pipe(cfg, false, &io->child[which], &ours, err) < 0)
		return -1;
	io->pumps[which] =
	    pump_new(io->base, ours, sink, PUMP_OWN_SRC | own_sink, stdio_on_pump_done, io);
	return 0;
}

/* Plain paths: each stream to its own FIFO (or file); empty = /dev/null. */
static int
stdio_setup_paths(struct stdio *io, const struct stdio_cfg *cfg, struct err *err)
{
	const char *paths[IO_N] = {NULL, cfg->stdout_path, cfg->stderr_path};

	for (int i = IO_OUT; i < IO_N; i++) {
		int sink;
		if (!paths[i] || !*paths[i] || (cfg->terminal && i == IO_ERR)) {
			if ((io->child[i] = open_null(err)) < 0)
				return -1;
			continue;
		}
		if ((sink = stdio_open_sink(paths[i], err)) < 0)
			return -1;
		if (cfg->terminal) {
			/* the pty master is pumped here once it arrives */
			io->child[i] = open_null(err);
			io->console_sink = sink;
			if (io->child[i] < 0)
				return -1;
			continue;
		}
		if (stdio_setup_out(io, cfg, i, sink, PUMP_OWN_DST, err) < 0) {
			close(sink);
			return -1;
		}
	}
	return 0;
}

static int
stdio_setup_file(struct stdio *io, const struct stdio_cfg *cfg, const char *path, struct err *err)
{
	int fd = stdio_open_file(path, err), fd2;

	if (fd < 0)
		return -1;
	fd2 = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	if (fd2 < 0) {
		close(fd);
		return err_sys(err, "dup");
	}
	if (stdio_setup_out(io, cfg, IO_OUT, fd, PUMP_OWN_DST, err) < 0) {
		close(fd);
		close(fd2);
		return -1;
	}
	if (stdio_setup_out(io, cfg, IO_ERR, fd2, PUMP_OWN_DST, err) < 0) {
		close(fd2);
		return -1;
	}
	return 0;
}

static int
stdio_setup_binary(struct stdio *io, const struct stdio_cfg *cfg, const struct stdio_uri *u,
                   struct err *err)
{
	int out = -1, errfd = -1;

	if (logger_start(u, cfg->id ? cfg->id : "", cfg->ns ? cfg->ns : "", &out, &errfd,
	                 &io->logger_pidfd, err) < 0)
		return -1;
	io->child[IO_OUT] = out;
	io->child[IO_ERR] = errfd;
	return 0;
}

static int
stdio_setup(struct stdio *io, const struct stdio_cfg *cfg, struct err *err)
{
	struct stdio_uri u;
	int r;

	if (stdio_setup_stdin(io, cfg, err) < 0)
		return -1;
	if (stdio_uri_parse(cfg->stdout_path, &u, err) < 0)
		return -1;
	if (u.kind == STDIO_FILE && !cfg->terminal)
		r = stdio_setup_file(io, cfg, u.path, err);
	else if (u.kind == STDIO_BINARY && !cfg->terminal)
		r = stdio_setup_binary(io, cfg, &u, err);
	else if (u.kind == STDIO_FILE || u.kind == STDIO_BINARY)
		r = err_set(err, EINVAL, "%s logging is not supported with a terminal",
		            u.kind == STDIO_FILE ? "file://" : "binary://");
	else
		r = stdio_setup_paths(io, cfg, err);
	stdio_uri_fini(&u);
	return r;
}

int
stdio_new(struct event_base *base, const struct stdio_cfg *cfg, stdio_drained_cb cb, void *arg,
          struct stdio **out, struct err *err)
{
	struct stdio *io = xcalloc(1, sizeof(*io));

	io->base = base;
	io->cb = cb;
	io->arg = arg;
	io->terminal = cfg->terminal;
	io->stdin_hold = io->stdin_src = io->console = io->console_sink = io->logger_pidfd = -1;
	for (int i = 0; i < IO_N; i++)
		io->child[i] = -1;
	if (stdio_setup(io, cfg, err) < 0) {
		stdio_free(io);
		return -1;
	}
	*out = io;
	return 0;
}

void
stdio_free(struct stdio *io)
{
	if (!io)
		return;
	for (int i = 0; i < IO_N; i++) {
		pump_free(io->pumps[i]);
		if (io->child[i] >= 0)
			close(io->child[i]);
	}
	if (io->stdin_hold >= 0)
		close(io->stdin_hold);
	if (io->stdin_src >= 0)
		close(io->stdin_src);
	if (io->console_sink >= 0)
		close(io->console_sink);
	if (io->console >= 0)
		close(io->console);
	logger_stop(io->base, io->logger_pidfd);
	free(io);
}

void
stdio_child_fds(const struct stdio *io, int fds[3])
{
	for (int i = 0; i < IO_N; i++)
		fds[i] = io->child[i];
}

void
stdio_child_started(struct stdio *io)
{
	for (int i = 0; i < IO_N; i++) {
		if (io->child[i] >= 0)
			close(io->child[i]);
		io->child[i] = -1;
	}
}

/* Terminal: the client's stdin ended (CloseIO dropped our hold, then the client closed its
 * end). Hang up the pty as the runc shim does (it closes the console): the process gets SIGHUP
 * rather than waiting on a terminal nobody can type into. What the process already wrote is
 * copied first. A failed write into the pty (the process is gone) changes nothing. */
static void
stdio_on_stdin_done(struct pump *p, void *arg)
{
	struct stdio *io = arg;
	struct pump *out = io->pumps[IO_OUT];
	int master = io->console;

	if (!pump_src_eof(p) || master < 0)
		return;
	io->console = -1;
	if (out && !pump_is_done(out)) {
		pump_flush(out);
		if (!pump_is_done(out))
			pump_stop(out); /* may report the drain: io stays valid (freed on Delete) */
	}
	close(master);
}

void
stdio_attach_console(struct stdio *io, int master)
{
	int in_dst;

	io->console = master;
	fd_set_nonblock(master, true);
	if (io->stdin_src >= 0) {
		/* a second fd for writing, so each pump owns what it closes */
		in_dst = fcntl(master, F_DUPFD_CLOEXEC, 3);
		if (in_dst >= 0) {
			io->pumps[IO_IN] = pump_new(io->base, io->stdin_src, in_dst,
			                            PUMP_OWN_SRC | PUMP_OWN_DST, stdio_on_stdin_done,
			                            io);
			io->stdin_src = -1;
		}
	}
	if (io->console_sink >= 0) {
		io->pumps[IO_OUT] = pump_new(io->base, master, io->console_sink, PUMP_OWN_DST,
		                             stdio_on_pump_done, io);
		io->console_sink = -1;
	}
}

int
stdio_console(const struct stdio *io)
{
	return io->console;
}

void
stdio_close_stdin(struct stdio *io)
{
	if (io->stdin_hold >= 0) {
		close(io->stdin_hold);
		io->stdin_hold = -1;
	}
}

bool
stdio_drained(const struct stdio *io)
{
	for (int i = IO_OUT; i < IO_N; i++)
		if (io->pumps[i] && !pump_is_done(io->pumps[i]))
			return false;
	return true;
}

void
stdio_flush(struct stdio *io)
{
	for (int i = IO_OUT; i < IO_N; i++)
		if (io->pumps[i])
			pump_flush(io->pumps[i]);
}
