#include "cli_io.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/fdutil.h"
#include "base/log.h"
#include "cli_flags.h"

#define CLI_IO_BUF 8192
#define CLI_DRAIN_IDLE_MS 100

int
cli_exit_status(int wstatus)
{
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	return 255;
}

int
cli_fwd_init(struct cli_fwd *f, bool subreaper, struct err *err)
{
	sigset_t all;

	memset(f, 0, sizeof(*f));
	f->sigfd = f->master = f->host_fd = -1;
	if (subreaper && prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
		log_warn("cannot become a subreaper: %s", strerror(errno));
	sigfillset(&all);
	/* Faults must stay deliverable; KILL and STOP cannot be blocked anyway. */
	sigdelset(&all, SIGSEGV);
	sigdelset(&all, SIGBUS);
	sigdelset(&all, SIGILL);
	sigdelset(&all, SIGFPE);
	sigdelset(&all, SIGABRT);
	sigdelset(&all, SIGTRAP);
	sigdelset(&all, SIGSYS);
	if (sigprocmask(SIG_BLOCK, &all, &f->old_mask) < 0)
		return err_sys(err, "block signals");
	f->mask_saved = true;
	f->sigfd = signalfd(-1, &all, SFD_CLOEXEC | SFD_NONBLOCK);
	if (f->sigfd < 0)
		return err_sys(err, "signalfd");
	return 0;
}

static void
console_resize(struct cli_fwd *f)
{
	struct winsize ws;

	if (f->master < 0 || f->host_fd < 0)
		return;
	/* Errors are ignored, as runc: our terminal may be gone after a SIGHUP. */
	if (ioctl(f->host_fd, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
		(void)ioctl(f->master, TIOCSWINSZ, &ws);
}

static void
host_console_open(struct cli_fwd *f)
{
	static const int fds[] = {2, 1, 0};

	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		if (isatty(fds[i])) {
			f->host_fd = fds[i];
			return;
		}
	}
	f->host_fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	f->host_fd_owned = f->host_fd >= 0;
}

int
cli_fwd_set_console(struct cli_fwd *f, int master, struct err *err)
{
	struct termios t;

	f->master = master;
	if (fd_set_nonblock(master, true) < 0)
		return err_sys(err, "console: set non-blocking");
	if (tcgetattr(master, &t) == 0) {
		t.c_oflag &= ~(tcflag_t)ONLCR;
		(void)tcsetattr(master, TCSANOW, &t);
	}
	host_console_open(f);
	if (f->host_fd < 0)
		return 0;
	if (tcgetattr(f->host_fd, &f->saved) < 0)
		return err_sys(err, "console: get our terminal's mode");
	t = f->saved;
	cfmakeraw(&t);
	t.c_oflag |= OPOST; /* keep newline translation on our side (containerd/console) */
	if (tcsetattr(f->host_fd, TCSANOW, &t) < 0)
		return err_sys(err, "console: set our terminal raw");
	f->raw = true;
	console_resize(f);
	return 0;
}

void
cli_fwd_fini(struct cli_fwd *f)
{
	if (f->raw) {
		(void)tcsetattr(f->host_fd, TCSANOW, &f->saved);
		f->raw = false;
	}
	if (f->host_fd_owned && f->host_fd >= 0)
		close(f->host_fd);
	f->host_fd = -1;
	f->host_fd_owned = false;
	if (f->master >= 0)
		close(f->master);
	f->master = -1;
	if (f->sigfd >= 0)
		close(f->sigfd);
	f->sigfd = -1;
	if (f->mask_saved) {
		sigprocmask(SIG_SETMASK, &f->old_mask, NULL);
		f->mask_saved = false;
	}
}

/* Reaps every exited child; returns true when pid was among them. */
static bool
reap(pid_t pid, int *status)
{
	bool found = false;
	pid_t r;
	int ws;

	while ((r = waitpid(-1, &ws, WNOHANG)) > 0) {
		log_debug("process %d exited: status %d", (int)r, cli_exit_status(ws));
		if (r == pid) {
			*status = cli_exit_status(ws);
			found = true;
		}
	}
	return found;
}

/* Handles queued signals; returns true when pid has exited. */
static bool
signals_handle(struct cli_fwd *f, pid_t pid, int *status)
{
	struct signalfd_siginfo si;
	bool exited = false;

	while (read(f->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		int sig = (int)si.ssi_signo;
		if (sig == SIGCHLD) {
			exited |= reap(pid, status);
		} else if (sig == SIGWINCH) {
			console_resize(f);
		} else {
			log_debug("forwarding signal %d to %d", sig, (int)pid);
			if (kill(pid, sig) < 0 && errno != ESRCH)
				log_error("forward signal %d to %d: %s", sig, (int)pid,
				          strerror(errno));
		}
	}
	/* A SIGCHLD may have been merged with one already handled: check anyway. */
	return exited || reap(pid, status);
}

struct pump {
	char buf[CLI_IO_BUF];
	size_t len, off;
};

/* Master -> stdout. Returns false when the master is done (EIO: every slave closed). */
static bool
pump_output(int master, bool *out_ok)
{
	char buf[CLI_IO_BUF];
	ssize_t n = read(master, buf, sizeof(buf));

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return true;
	if (n <= 0)
		return false;
	if (*out_ok && write_all(1, buf, (size_t)n, NULL) < 0)
		*out_ok = false; /* stdout gone: keep draining so the process never blocks */
	return true;
}

/* stdin -> master, through a buffer so a full pty never blocks the loop. */
static void
pump_input(int master, struct pump *in, bool readable, bool writable, bool *in_open)
{
	ssize_t n;

	if (readable && in->len == 0) {
		n = read(0, in->buf, sizeof(in->buf));
		if (n > 0) {
			in->len = (size_t)n;
			in->off = 0;
		} else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
			*in_open = false; /* EOF: like runc, the pty is left open */
		}
	}
	if ((writable || readable) && in->len > in->off) {
		n = write(master, in->buf + in->off, in->len - in->off);
		if (n > 0)
			in->off += (size_t)n;
		if (in->off == in->len)
			in->len = in->off = 0;
	}
}

/* After the process exited: what it wrote is still in the pty. */
static void
console_drain(int master, bool *out_ok)
{
	struct pollfd p = {.fd = master, .events = POLLIN};

	while (poll(&p, 1, CLI_DRAIN_IDLE_MS) > 0) {
		if (!pump_output(master, out_ok))
			break;
	}
}

int
cli_fwd_wait(struct cli_fwd *f, pid_t pid, int *status, struct err *err)
{
	struct pump in = {.len = 0};
	bool in_open = f->master >= 0, master_open = f->master >= 0, out_ok = true;

	for (;;) {
		struct pollfd p[3] = {{.fd = f->sigfd, .events = POLLIN}};
		nfds_t n = 1;
		int im = -1, ii = -1;

		if (master_open) {
			im = (int)n;
			p[n++] = (struct pollfd){
			    .fd = f->master, .events = (short)(POLLIN | (in.len ? POLLOUT : 0))};
		}
		if (in_open && in.len == 0) {
			ii = (int)n;
			p[n++] = (struct pollfd){.fd = 0, .events = POLLIN};
		}
		if (poll(p, n, -1) < 0) {
			if (errno == EINTR)
				continue;
			return err_sys(err, "poll");
		}
		if (im >= 0 && (p[im].revents & (POLLIN | POLLHUP | POLLERR)))
			master_open = pump_output(f->master, &out_ok);
		if (master_open && (ii >= 0 || in.len))
			pump_input(f->master, &in, ii >= 0 && p[ii].revents,
			           im >= 0 && (p[im].revents & POLLOUT), &in_open);
		if (p[0].revents && signals_handle(f, pid, status))
			break;
	}
	if (master_open)
		console_drain(f->master, &out_ok);
	return 0;
}

int
cli_listen_fds(void)
{
	const char *spid = getenv("LISTEN_PID"), *sfds = getenv("LISTEN_FDS");
	uint64_t pid, n;

	if (spid == NULL || sfds == NULL || cli_parse_u64(spid, &pid) < 0 ||
	    pid != (uint64_t)getpid() || cli_parse_u64(sfds, &n) < 0 || n == 0 || n > 65536)
		return 0;
	return (int)n;
}

int
cli_check_preserved_fds(int first, int n, struct err *err)
{
	for (int i = 0; i < n; i++)
		if (fcntl(first + i, F_GETFD) < 0)
			return err_sys(err, "unable to stat preserved-fd %d (of %d)", i, n);
	return 0;
}
