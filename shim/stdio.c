#include "stdio.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

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

/* The client's end of stdout or stderr. */
struct stdio_sink {
	struct stdio *io;      /* borrowed: the owner */
	int fd;                /* owned; the pump borrows it */
	bool fifo;             /* kept after the output ends until the client has read it */
	struct event *timer;   /* owned: looking for that reader after the output ended */
	struct timespec since; /* when the output ended */
	unsigned polls;
};

struct stdio {
	struct event_base *base;  /* borrowed */
	int child[IO_N];          /* the process's ends (owned until stdio_child_started) */
	int stdin_hold;           /* our write end of the stdin FIFO, until CloseIO */
	int stdin_src;            /* terminal: our read end of the stdin FIFO until the console */
	int console;              /* pty master, -1 if none */
	struct pump *pumps[IO_N]; /* IO_IN: client -> process; others: process -> client */
	struct stdio_sink sinks[IO_N]; /* IO_OUT, IO_ERR; a terminal's is pumped once it arrives */
	unsigned reader_wait_ms;
	int logger_pidfd;
	bool terminal;
	bool notified;
	stdio_drained_cb cb;
	void *arg;
};

/* Runs the drained callback once, when everything is done; io may be freed by it. */
static void
stdio_check_drained(struct stdio *io)
{
	if (!io->notified && stdio_drained(io)) {
		io->notified = true;
		if (io->cb)
			io->cb(io, io->arg);
	}
}

/* --- the client's ends of stdout and stderr ---
 *
 * A FIFO's buffer lives only while someone has the FIFO open, and what is in it is not yet the
 * client's. ctr opens its read end from a goroutine (a blocking open, containerd/fifo) that can
 * run late under load; if we close our end before that open, what the process wrote is thrown
 * away. And once we report the exit, ctr's Delete cancels a reader that has not returned from
 * its open yet, which then closes the FIFO unread. Either way `ctr task exec ... echo hi`
 * prints nothing and exits 0. runc's shim avoids the first (it opens the FIFO write-only,
 * blocking until the reader is there), not the second. We do not block: when the output ends
 * with bytes still in the FIFO, we keep a write end and look every few ms (bounded) until the
 * client has read them; the drain, so the exit, waits for that. */

static int
fifo_reopen(int fd, int flags)
{
	char path[40];

	/* the same FIFO, wherever its name went */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	return open(path, flags | O_NONBLOCK | O_CLOEXEC);
}

static void
stdio_sink_close(struct stdio_sink *s)
{
	if (s->timer) {
		event_free(s->timer);
		s->timer = NULL;
	}
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

static const char *
stdio_sink_name(const struct stdio_sink *s)
{
	return s == &s->io->sinks[IO_OUT] ? "stdout" : "stderr";
}

static unsigned
elapsed_ms(const struct timespec *since)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	/* in ns first: a negative nsec difference must not round the total up */
	return (unsigned)(((long long)(now.tv_sec - since->tv_sec) * 1000000000LL +
	                   (now.tv_nsec - since->tv_nsec)) /
	                  1000000);
}

/* One look at a FIFO whose output has ended: s->fd is our only end and write-only, so an
 * O_WRONLY open succeeds only if someone else reads (ENXIO otherwise), and FIONREAD says what
 * is still unread. Closes s once the client has read it all, or at the time limit (a reader
 * that has it open keeps what is left; without one it is dropped). True while still waiting. */
static bool
stdio_sink_poll(struct stdio_sink *s)
{
	unsigned waited = elapsed_ms(&s->since), delay = 1u << (s->polls < 4 ? s->polls : 4);
	struct timeval tv = {0, (long)delay * 1000};
	int probe = fifo_reopen(s->fd, O_WRONLY), e = errno, unread = 0;
	bool reader = probe >= 0;

	if (probe >= 0)
		close(probe);
	else if (e != ENXIO)
		log_debug("stdio: look for the FIFO's reader: %s", strerror(e));
	if ((reader || e == ENXIO) && ioctl(s->fd, FIONREAD, &unread) == 0 && unread > 0 &&
	    waited < s->io->reader_wait_ms) {
		s->polls++;
		evtimer_add(s->timer, &tv);
		return true;
	}
	if (unread > 0 && !reader)
		log_warn("stdio: no reader opened the %s FIFO %u ms after the output ended: "
		         "%d bytes dropped",
		         stdio_sink_name(s), waited, unread);
	else if (unread > 0)
		log_debug("stdio: %d bytes left in the %s FIFO for its reader after %u ms", unread,
		          stdio_sink_name(s), waited);
	else if (s->polls)
		log_debug("stdio: the %s FIFO's reader took the rest %u ms after the output ended",
		          stdio_sink_name(s), waited);
	stdio_sink_close(s);
	return false;
}

static void
stdio_on_sink_timer(evutil_socket_t fd, short what, void *arg)
{
	struct stdio_sink *s = arg;

	(void)fd, (void)what;
	if (!stdio_sink_poll(s))
		stdio_check_drained(s->io);
}

/* The output into s has ended: close it, unless the client has not read all of it yet (see
 * above). */
static void
stdio_sink_release(struct stdio_sink *s)
{
	int unread = 0, w;

	if (s->fd < 0 || s->timer)
		return;
	if (!s->fifo || ioctl(s->fd, FIONREAD, &unread) < 0 || unread <= 0) {
		stdio_sink_close(s);
		return;
	}
	/* Trade our read-write end for a write-only one (the bytes stay: the FIFO is never
	 * without a writer), so a probe can see whether anyone else has it open for reading. */
	w = fifo_reopen(s->fd, O_WRONLY);
	if (w < 0 || dup3(w, s->fd, O_CLOEXEC) < 0) {
		log_debug("stdio: keep the FIFO for its reader: %s", strerror(errno));
		if (w >= 0)
			close(w);
		stdio_sink_close(s);
		return;
	}
	close(w);
	s->timer = evtimer_new(s->io->base, stdio_on_sink_timer, s);
	if (!s->timer)
		abort();
	clock_gettime(CLOCK_MONOTONIC, &s->since);
	stdio_sink_poll(s);
}

static void
stdio_on_pump_done(struct pump *p, void *arg)
{
	struct stdio *io = arg;

	for (int i = IO_OUT; i < IO_N; i++)
		if (io->pumps[i] == p)
			stdio_sink_release(&io->sinks[i]);
	stdio_check_drained(io);
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

/* Opens the client's end of stdout or stderr for writing without blocking into s: a FIFO
 * read-write (we hold a reader, so writes never see EPIPE), a regular file for appending. */
static int
stdio_open_sink(struct stdio_sink *s, const char *path, struct err *err)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return err_sys(err, "stdio %s", path);
	s->fifo = S_ISFIFO(st.st_mode);
	if (S_ISREG(st.st_mode))
		s->fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	else
		s->fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (s->fd >= 0 && S_ISFIFO(st.st_mode))
		fcntl(s->fd, F_SETPIPE_SZ, STDIO_PIPE_SIZE);
	if (s->fd < 0)
		return err_sys(err, "open %s", path);
	return 0;
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

/* One output stream into its open sink. */
static int
stdio_setup_out(struct stdio *io, const struct stdio_cfg *cfg, int which, struct err *err)
{
	int ours = -1;

	if (stdio_pipe(cfg, false, &io->child[which], &ours, err) < 0)
		return -1;
	io->pumps[which] =
	    pump_new(io->base, ours, io->sinks[which].fd, PUMP_OWN_SRC, stdio_on_pump_done, io);
	return 0;
}

/* Plain paths: each stream to its own FIFO (or file); empty = /dev/null. */
static int
stdio_setup_paths(struct stdio *io, const struct stdio_cfg *cfg, struct err *err)
{
	const char *paths[IO_N] = {NULL, cfg->stdout_path, cfg->stderr_path};

	for (int i = IO_OUT; i < IO_N; i++) {
		if (!paths[i] || !*paths[i] || (cfg->terminal && i == IO_ERR)) {
			if ((io->child[i] = open_null(err)) < 0)
				return -1;
			continue;
		}
		if (stdio_open_sink(&io->sinks[i], paths[i], err) < 0)
			return -1;
		if (cfg->terminal) {
			/* the pty master is pumped into the sink once it arrives */
			if ((io->child[i] = open_null(err)) < 0)
				return -1;
			continue;
		}
		if (stdio_setup_out(io, cfg, i, err) < 0)
			return -1;
	}
	return 0;
}

static int
stdio_setup_file(struct stdio *io, const struct stdio_cfg *cfg, const char *path, struct err *err)
{
	int fd = stdio_open_file(path, err);

	if (fd < 0)
		return -1;
	io->sinks[IO_OUT].fd = fd;
	io->sinks[IO_ERR].fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	if (io->sinks[IO_ERR].fd < 0)
		return err_sys(err, "dup");
	if (stdio_setup_out(io, cfg, IO_OUT, err) < 0 || stdio_setup_out(io, cfg, IO_ERR, err) < 0)
		return -1;
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
	io->reader_wait_ms = cfg->reader_wait_ms ? cfg->reader_wait_ms : STDIO_READER_WAIT_MS;
	io->stdin_hold = io->stdin_src = io->console = io->logger_pidfd = -1;
	for (int i = 0; i < IO_N; i++) {
		io->child[i] = -1;
		io->sinks[i].fd = -1;
		io->sinks[i].io = io;
	}
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
		stdio_sink_close(&io->sinks[i]);
		if (io->child[i] >= 0)
			close(io->child[i]);
	}
	if (io->stdin_hold >= 0)
		close(io->stdin_hold);
	if (io->stdin_src >= 0)
		close(io->stdin_src);
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
	if (io->sinks[IO_OUT].fd >= 0 && !io->pumps[IO_OUT])
		io->pumps[IO_OUT] =
		    pump_new(io->base, master, io->sinks[IO_OUT].fd, 0, stdio_on_pump_done, io);
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
		if ((io->pumps[i] && !pump_is_done(io->pumps[i])) || io->sinks[i].timer)
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
