/* Unit tests for terminal.c on the host's /dev/ptmx: a connected pair, the console size, the
 * ptsname fallback when TIOCGPTPEER is missing (ioctl wrapped), and the controlling terminal
 * in a forked child. /dev/console is covered by test_mount_root (it needs a mount ns). */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/cleanup.h"
#include "runtime/spec.h"
#include "runtime/terminal.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

int __wrap_ioctl(int fd, unsigned long req, ...);
int __real_ioctl(int fd, unsigned long req, ...);
static bool no_ptpeer;
static int ptpeer_calls;

int
__wrap_ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (req == TIOCGPTPEER) {
		ptpeer_calls++;
		if (no_ptpeer) {
			errno = EINVAL;
			return -1;
		}
	}
	return __real_ioctl(fd, req, arg);
}

static void
check_pair(int master, int slave)
{
	char buf[8];
	struct termios t;

	assert_true(isatty(master));
	assert_true(isatty(slave));
	assert_true(fcntl(master, F_GETFD) & FD_CLOEXEC);
	assert_true(fcntl(slave, F_GETFD) & FD_CLOEXEC);
	/* raw, so the bytes arrive as written */
	assert_int_equal(tcgetattr(slave, &t), 0);
	cfmakeraw(&t);
	assert_int_equal(tcsetattr(slave, TCSANOW, &t), 0);
	assert_int_equal(write(slave, "hi", 2), 2);
	assert_int_equal(read(master, buf, sizeof(buf)), 2);
	assert_memory_equal(buf, "hi", 2);
}

static void
open_pair(void **state)
{
	int master = -1, slave = -1;
	struct err err = {0};

	(void)state;
	no_ptpeer = false;
	ptpeer_calls = 0;
	assert_int_equal(terminal_open(NULL, &master, &slave, &err), 0);
	assert_int_equal(ptpeer_calls, 1);
	check_pair(master, slave);
	close(master);
	close(slave);
}

static void
open_pair_without_ptpeer(void **state)
{
	int master = -1, slave = -1;
	struct err err = {0};

	(void)state;
	no_ptpeer = true;
	assert_int_equal(terminal_open(NULL, &master, &slave, &err), 0);
	check_pair(master, slave);
	close(master);
	close(slave);
	no_ptpeer = false;
}

static void
console_size(void **state)
{
	struct rt_process proc = {
	    .has_console_size = true, .console_height = 40, .console_width = 132};
	int master = -1, slave = -1;
	struct err err = {0};
	struct winsize ws;

	(void)state;
	assert_int_equal(terminal_open(&proc, &master, &slave, &err), 0);
	assert_int_equal(ioctl(slave, TIOCGWINSZ, &ws), 0);
	assert_int_equal(ws.ws_row, 40);
	assert_int_equal(ws.ws_col, 132);
	assert_int_equal(terminal_resize(master, 25, 80, &err), 0);
	assert_int_equal(ioctl(slave, TIOCGWINSZ, &ws), 0);
	assert_int_equal(ws.ws_row, 25);
	assert_int_equal(ws.ws_col, 80);
	assert_int_equal(terminal_resize(master, 70000, 80, &err), -1);
	assert_int_equal(err.code, EINVAL);
	assert_int_equal(terminal_resize(-1, 1, 1, &err), -1);
	assert_int_equal(err.code, EBADF);
	close(master);
	close(slave);
}

static void
attach_in_child(void **state)
{
	int master = -1, slave = -1, st = 0;
	struct err err = {0};
	pid_t pid;

	(void)state;
	assert_int_equal(terminal_open(NULL, &master, &slave, &err), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct err e = {0};

		if (setsid() < 0 || terminal_attach(slave, &e) < 0)
			_exit(1);
		/* the pty is our controlling terminal and stdio */
		if (tcgetsid(0) != getpid() || !isatty(1) || !isatty(2))
			_exit(2);
		_exit(write(1, "ok", 2) == 2 ? 0 : 3);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	close(master);
	close(slave);
	/* without a session of our own: a clear error */
	assert_int_equal(terminal_open(NULL, &master, &slave, &err), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct err e = {0};

		/* cmocka's process is a session member whose ctty (if any) is not this pty */
		if (setpgid(0, 0) < 0)
			_exit(4);
		_exit(terminal_attach(slave, &e) < 0 && strstr(e.msg, "controlling") ? 0 : 5);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_int_equal(WEXITSTATUS(st), 0);
	close(master);
	close(slave);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(open_pair),
	    cmocka_unit_test(open_pair_without_ptpeer),
	    cmocka_unit_test(console_size),
	    cmocka_unit_test(attach_in_child),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
