/* Unit tests for the shim's stdio: pumps (splice and copy), FIFOs held open, CloseIO, file://,
 * the drained callback. Runs a real libevent loop over pipes and FIFOs in a temp dir. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <event2/event.h>

#include "shim/pump.h"
#include "shim/stdio.h"

#define MB (1024 * 1024)

struct sink {
	int fd;
	size_t got;
	unsigned sum;
	bool eof;
	struct event *ev;
};

static void
sink_read(evutil_socket_t fd, short what, void *arg)
{
	struct sink *s = arg;
	unsigned char buf[8192];
	ssize_t n;

	(void)what;
	/* a slow reader: one small read per wakeup, so the pump meets a full pipe */
	n = read(fd, buf, sizeof(buf));
	if (n > 0) {
		for (ssize_t i = 0; i < n; i++)
			s->sum = s->sum * 31 + buf[i];
		s->got += (size_t)n;
	} else if (n == 0) {
		s->eof = true;
		event_del(s->ev);
	}
}

static bool pump_finished;

static void
on_pump_done(struct pump *p, void *arg)
{
	(void)p, (void)arg;
	pump_finished = true;
}

/* Child: writes n bytes of a pattern to fd, in odd-sized chunks, then exits. */
static pid_t
spawn_writer(int fd, size_t n)
{
	pid_t pid = fork();

	if (pid == 0) {
		unsigned char buf[7777];
		size_t off = 0;
		while (off < n) {
			size_t k = n - off < sizeof(buf) ? n - off : sizeof(buf);
			for (size_t i = 0; i < k; i++)
				buf[i] = (unsigned char)((off + i) * 7);
			if (write(fd, buf, k) != (ssize_t)k)
				_exit(1);
			off += k;
		}
		_exit(0);
	}
	return pid;
}

static unsigned
pattern_sum(size_t n)
{
	unsigned s = 0;

	for (size_t i = 0; i < n; i++)
		s = s * 31 + (unsigned char)(i * 7);
	return s;
}

/* Moves 8 MiB from src_w's other end through a pump into a pipe read by a slow sink. */
static void
pump_transfer(bool use_socket)
{
	struct event_base *base = event_base_new();
	int in[2], out[2], st = 0;
	struct sink s = {0};
	struct pump *p;
	pid_t w;

	if (use_socket)
		assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in), 0);
	else
		assert_int_equal(pipe2(in, O_CLOEXEC), 0);
	assert_int_equal(pipe2(out, O_CLOEXEC | O_NONBLOCK), 0);
	w = spawn_writer(in[1], 8 * MB);
	close(in[1]);
	fcntl(in[0], F_SETFL, O_NONBLOCK);
	pump_finished = false;
	p = pump_new(base, in[0], out[1], PUMP_OWN_SRC | PUMP_OWN_DST, on_pump_done, NULL);
	s.fd = out[0];
	s.ev = event_new(base, out[0], EV_READ | EV_PERSIST, sink_read, &s);
	event_add(s.ev, NULL);
	while (!(pump_finished && s.eof))
		assert_int_equal(event_base_loop(base, EVLOOP_ONCE), 0);
	assert_int_equal(s.got, 8 * MB);
	assert_int_equal(s.sum, pattern_sum(8 * MB));
	assert_int_equal(pump_bytes(p), 8 * MB);
	assert_true(pump_is_done(p));
	waitpid(w, &st, 0);
	assert_int_equal(st, 0);
	pump_free(p);
	event_free(s.ev);
	close(out[0]);
	event_base_free(base);
}

static void
pump_splice_pipes(void **state)
{
	(void)state;
	pump_transfer(false);
}

static void
pump_copy_socket(void **state)
{
	(void)state;
	pump_transfer(true);
}

/* --- stdio --- */

static char tmp[64];

static int
setup_dir(void **state)
{
	(void)state;
	strcpy(tmp, "/tmp/husk-stdio-XXXXXX");
	assert_non_null(mkdtemp(tmp));
	return 0;
}

static int
remove_dir(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
	return system(cmd) == 0 ? 0 : -1;
}

static char *
tpath(const char *name)
{
	static char buf[4][128];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", tmp, name);
	return buf[i];
}

static bool drained;

static void
on_drained(struct stdio *io, void *arg)
{
	(void)io, (void)arg;
	drained = true;
}

static void
spin(struct event_base *base, int rounds)
{
	for (int i = 0; i < rounds; i++)
		event_base_loop(base, EVLOOP_NONBLOCK);
}

static void
stdio_fifos_and_closeio(void **state)
{
	struct event_base *base = event_base_new();
	struct stdio_cfg cfg = {.stdin_path = tpath("in"),
	                        .stdout_path = tpath("out"),
	                        .stderr_path = tpath("err"),
	                        .id = "c1",
	                        .ns = "default"};
	int fds[3], proc[3], in_w, out_r, err_r;
	struct stdio *io = NULL;
	struct err err = {0};
	char buf[64];
	ssize_t n;

	(void)state;
	assert_int_equal(mkfifo(cfg.stdin_path, 0600), 0);
	assert_int_equal(mkfifo(cfg.stdout_path, 0600), 0);
	assert_int_equal(mkfifo(cfg.stderr_path, 0600), 0);
	/* the client's ends, as ctr opens them */
	out_r = open(cfg.stdout_path, O_RDONLY | O_NONBLOCK);
	err_r = open(cfg.stderr_path, O_RDONLY | O_NONBLOCK);
	drained = false;
	assert_int_equal(stdio_new(base, &cfg, on_drained, NULL, &io, &err), 0);
	in_w = open(cfg.stdin_path, O_WRONLY | O_NONBLOCK);
	assert_true(in_w >= 0);
	stdio_child_fds(io, fds);
	for (int i = 0; i < 3; i++)
		proc[i] = dup(fds[i]); /* what the process holds */
	stdio_child_started(io);
	fcntl(proc[0], F_SETFL, O_NONBLOCK);

	assert_int_equal(write(proc[1], "hello out\n", 10), 10);
	assert_int_equal(write(proc[2], "hello err\n", 10), 10);
	spin(base, 10);
	assert_int_equal(read(out_r, buf, sizeof(buf)), 10);
	assert_memory_equal(buf, "hello out\n", 10);
	assert_int_equal(read(err_r, buf, sizeof(buf)), 10);

	assert_int_equal(write(in_w, "input", 5), 5);
	close(in_w); /* the client goes away: not EOF for the process */
	spin(base, 10);
	assert_int_equal(read(proc[0], buf, sizeof(buf)), 5);
	n = read(proc[0], buf, sizeof(buf));
	assert_int_equal(n, -1);
	assert_int_equal(errno, EAGAIN);
	stdio_close_stdin(io); /* CloseIO */
	spin(base, 10);
	assert_int_equal(read(proc[0], buf, sizeof(buf)), 0); /* now EOF */

	assert_false(drained);
	close(proc[1]);
	close(proc[2]); /* the process exits */
	spin(base, 10);
	assert_true(drained);
	assert_true(stdio_drained(io));
	stdio_free(io);
	/* our FIFO holds are gone: the client sees EOF */
	assert_int_equal(read(out_r, buf, sizeof(buf)), 0);
	close(proc[0]);
	close(out_r);
	close(err_r);
	event_base_free(base);
}

/* A stdio for cfg whose process has started: proc gets the process's ends; drained is reset. */
static struct stdio *
io_start(struct event_base *base, const struct stdio_cfg *cfg, int proc[3])
{
	struct stdio *io = NULL;
	struct err err = {0};
	int fds[3];

	drained = false;
	assert_int_equal(stdio_new(base, cfg, on_drained, NULL, &io, &err), 0);
	stdio_child_fds(io, fds);
	for (int i = 0; i < 3; i++)
		proc[i] = dup(fds[i]);
	stdio_child_started(io);
	return io;
}

/* Output for a client that has not opened its FIFO yet (ctr opens its read end from a
 * goroutine, late under load): what the process wrote must still be there when the client
 * opens it, and the drain (so the exit) waits for that, bounded. */
static void
stdio_output_waits_for_late_reader(void **state)
{
	struct event_base *base = event_base_new();
	struct stdio_cfg cfg = {.stdout_path = tpath("out"), .stderr_path = tpath("err")};
	int proc[3], out_r, err_r;
	struct stdio *io = NULL;
	char buf[64];

	(void)state;
	assert_int_equal(mkfifo(cfg.stdout_path, 0600), 0);
	assert_int_equal(mkfifo(cfg.stderr_path, 0600), 0);
	io = io_start(base, &cfg, proc);
	assert_int_equal(write(proc[1], "late\n", 5), 5);
	close(proc[1]);
	close(proc[2]); /* the process exits before the client opened anything */
	spin(base, 10);
	stdio_flush(io);
	assert_false(drained);
	assert_false(stdio_drained(io));

	/* the client gets to its opens: stdout has the output, then EOF; stderr is empty */
	out_r = open(cfg.stdout_path, O_RDONLY | O_NONBLOCK);
	err_r = open(cfg.stderr_path, O_RDONLY | O_NONBLOCK);
	assert_true(out_r >= 0 && err_r >= 0);
	for (int i = 0; i < 1000 && !drained; i++)
		assert_int_equal(event_base_loop(base, EVLOOP_ONCE), 0);
	assert_true(drained);
	assert_int_equal(read(out_r, buf, sizeof(buf)), 5);
	assert_memory_equal(buf, "late\n", 5);
	assert_int_equal(read(out_r, buf, sizeof(buf)), 0);
	assert_int_equal(read(err_r, buf, sizeof(buf)), 0);
	stdio_free(io);
	close(proc[0]);
	close(out_r);
	close(err_r);
	event_base_free(base);
}

/* The client opened its FIFO in time but has not read yet when the process exits (ctr's reader
 * goroutine woken late): the drain, so the exit, waits until it has read; a reader that keeps
 * the FIFO open unread holds the drain up to reader_wait_ms and keeps the bytes. */
static void
stdio_output_waits_for_the_read(void **state)
{
	struct event_base *base = event_base_new();
	struct stdio_cfg cfg = {.stdout_path = tpath("out"), .reader_wait_ms = 300};
	int proc[3], out_r;
	struct stdio *io = NULL;
	char buf[64];

	(void)state;
	assert_int_equal(mkfifo(cfg.stdout_path, 0600), 0);
	out_r = open(cfg.stdout_path, O_RDONLY | O_NONBLOCK);
	assert_true(out_r >= 0);
	for (int round = 0; round < 2; round++) {
		io = io_start(base, &cfg, proc);
		assert_int_equal(write(proc[1], "unread\n", 7), 7);
		for (int i = 0; i < 3; i++)
			close(proc[i]);
		spin(base, 20);
		assert_false(drained); /* the bytes sit in the FIFO, the reader is there */
		if (round == 0) {
			assert_int_equal(read(out_r, buf, sizeof(buf)), 7);
			for (int i = 0; i < 1000 && !drained; i++)
				assert_int_equal(event_base_loop(base, EVLOOP_ONCE), 0);
			assert_true(drained);
			assert_int_equal(read(out_r, buf, sizeof(buf)), 0); /* then EOF */
		} else {
			for (int i = 0; i < 5000 && !drained; i++)
				assert_int_equal(event_base_loop(base, EVLOOP_ONCE), 0);
			assert_true(drained); /* given up waiting, the reader keeps them */
			assert_int_equal(read(out_r, buf, sizeof(buf)), 7);
			assert_memory_equal(buf, "unread\n", 7);
		}
		stdio_free(io);
	}
	close(out_r);
	event_base_free(base);
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* A client that never opens its FIFO holds the drain up for reader_wait_ms, no longer; one
 * whose FIFO got nothing to read (a silent process, or `ctr run -d` gone) holds nothing up. */
static void
stdio_output_reader_wait_is_bounded(void **state)
{
	struct event_base *base = event_base_new();
	struct stdio_cfg cfg = {
	    .stdout_path = tpath("out"), .stderr_path = tpath("err"), .reader_wait_ms = 100};
	int proc[3], r;
	struct stdio *io = NULL;
	double t0;
	char buf[8];

	(void)state;
	assert_int_equal(mkfifo(cfg.stdout_path, 0600), 0);
	assert_int_equal(mkfifo(cfg.stderr_path, 0600), 0);

	/* nothing written: drained at once */
	io = io_start(base, &cfg, proc);
	for (int i = 0; i < 3; i++)
		close(proc[i]);
	spin(base, 10);
	assert_true(drained);
	stdio_free(io);

	/* written, never read */
	io = io_start(base, &cfg, proc);
	assert_int_equal(write(proc[2], "lost\n", 5), 5);
	for (int i = 0; i < 3; i++)
		close(proc[i]);
	t0 = now_ms();
	spin(base, 10);
	assert_false(drained);
	while (!drained && now_ms() - t0 < 5000)
		assert_int_equal(event_base_loop(base, EVLOOP_ONCE), 0);
	assert_true(drained);
	assert_true(now_ms() - t0 >= 100);
	stdio_free(io);
	/* nobody holds the FIFO any more: its buffer is gone */
	r = open(cfg.stderr_path, O_RDONLY | O_NONBLOCK);
	assert_true(r >= 0);
	assert_int_equal(read(r, buf, sizeof(buf)), 0);
	close(r);
	event_base_free(base);
}

static void
stdio_file_uri(void **state)
{
	struct event_base *base = event_base_new();
	char uri[160], *log = tpath("logs/sub/c1.log"), buf[64] = "";
	struct stdio_cfg cfg = {.stdout_path = uri, .stderr_path = uri};
	int proc[3], fd;
	struct stdio *io = NULL;

	(void)state;
	snprintf(uri, sizeof(uri), "file://%s", log);
	io = io_start(base, &cfg, proc);
	assert_int_equal(write(proc[1], "out\n", 4), 4);
	spin(base, 5);
	assert_int_equal(write(proc[2], "err\n", 4), 4);
	close(proc[1]);
	close(proc[2]);
	spin(base, 10);
	assert_true(drained);
	fd = open(log, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(read(fd, buf, sizeof(buf) - 1), 8);
	assert_string_equal(buf, "out\nerr\n");
	close(fd);
	/* no stdin: the process reads /dev/null */
	assert_int_equal(read(proc[0], buf, 1), 0);
	close(proc[0]);
	stdio_free(io);
	event_base_free(base);
}

static void
stdio_errors_name_the_path(void **state)
{
	struct event_base *base = event_base_new();
	struct stdio_cfg missing = {.stdout_path = tpath("nope")};
	struct stdio_cfg scheme = {.stdout_path = "fifo:///x"};
	struct stdio_cfg tty_file = {.stdout_path = "file:///tmp/x", .terminal = true};
	struct stdio *io = NULL;
	struct err err = {0};

	(void)state;
	assert_int_equal(stdio_new(base, &missing, NULL, NULL, &io, &err), -1);
	assert_int_equal(err.code, ENOENT);
	assert_non_null(strstr(err.msg, "nope"));
	assert_int_equal(stdio_new(base, &scheme, NULL, NULL, &io, &err), -1);
	assert_non_null(strstr(err.msg, "unknown STDIO scheme"));
	assert_int_equal(stdio_new(base, &tty_file, NULL, NULL, &io, &err), -1);
	assert_int_equal(err.code, EINVAL);
	event_base_free(base);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(pump_splice_pipes),
	    cmocka_unit_test(pump_copy_socket),
	    cmocka_unit_test_setup_teardown(stdio_fifos_and_closeio, setup_dir, remove_dir),
	    cmocka_unit_test_setup_teardown(stdio_output_waits_for_late_reader, setup_dir,
	                                    remove_dir),
	    cmocka_unit_test_setup_teardown(stdio_output_waits_for_the_read, setup_dir, remove_dir),
	    cmocka_unit_test_setup_teardown(stdio_output_reader_wait_is_bounded, setup_dir,
	                                    remove_dir),
	    cmocka_unit_test_setup_teardown(stdio_file_uri, setup_dir, remove_dir),
	    cmocka_unit_test_setup_teardown(stdio_errors_name_the_path, setup_dir, remove_dir),
	};
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
