/* Unit tests for the shim's loop: the reaper collects every child with its status, SIGTERM
 * reaches the stop callback, and as a subreaper orphans are collected too. Process-global state
 * (subreaper, signal handlers) is changed only inside forked children. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "shim/loop.h"

static void
exit_status_mapping(void **state)
{
	(void)state;
	assert_int_equal(loop_exit_status(0), 0);
	assert_int_equal(loop_exit_status(3 << 8), 3);
	assert_int_equal(loop_exit_status(SIGKILL), 137);
	assert_int_equal(loop_exit_status(SIGTERM | 0x80), 143); /* core dumped */
}

struct seen {
	int n;
	pid_t pid[8];
	unsigned status[8];
	int stops;
	struct loop *l;
	int want;
};

static void
on_exit_cb(pid_t pid, int status, const struct timespec *at, void *arg)
{
	struct seen *s = arg;

	if (s->n < 8) {
		s->pid[s->n] = pid;
		s->status[s->n] = loop_exit_status(status);
	}
	if (at->tv_sec > 0)
		s->n++;
	if (s->n >= s->want && s->stops > 0)
		loop_quit(s->l);
}

static void
on_stop_cb(int sig, void *arg)
{
	struct seen *s = arg;

	if (sig == SIGTERM)
		s->stops++;
	if (s->n >= s->want)
		loop_quit(s->l);
}

static unsigned
status_of(const struct seen *s, pid_t pid)
{
	for (int i = 0; i < s->n && i < 8; i++)
		if (s->pid[i] == pid)
			return s->status[i];
	return 999;
}

/* In a child (so the subreaper flag and handlers stay there): children and an orphaned
 * grandchild are all reaped, and SIGTERM stops the loop. Exit code 0 = all good. */
static int
loop_child(void)
{
	struct seen s = {0};
	struct err err = {0};
	pid_t a, b, mid;
	int p[2];

	if (loop_new(true, &s.l, &err) < 0)
		return 10;
	loop_set_exit_cb(s.l, on_exit_cb, &s);
	loop_set_stop_cb(s.l, on_stop_cb, &s);
	if ((a = fork()) == 0)
		_exit(7);
	if ((b = fork()) == 0) {
		pause();
		_exit(0);
	}
	if (pipe(p) < 0)
		return 11;
	if ((mid = fork()) == 0) {
		pid_t g = fork();
		if (g == 0) {
			usleep(100000); /* outlives its parent: reparented to us */
			_exit(5);
		}
		if (write(p[1], &g, sizeof(g)) < 0)
			_exit(1);
		_exit(0);
	}
	pid_t g = 0;
	if (read(p[0], &g, sizeof(g)) != sizeof(g))
		return 12;
	kill(b, SIGKILL);
	kill(getpid(), SIGTERM);
	s.want = 4;
	if (loop_run(s.l, &err) < 0)
		return 13;
	if (s.n != 4 || s.stops != 1)
		return 14;
	if (status_of(&s, a) != 7 || status_of(&s, b) != 137 || status_of(&s, mid) != 0 ||
	    status_of(&s, g) != 5)
		return 15;
	loop_free(s.l);
	return 0;
}

static void
reaper_and_subreaper(void **state)
{
	int st = 0;
	pid_t pid;

	(void)state;
	pid = fork();
	if (pid == 0)
		_exit(loop_child());
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(exit_status_mapping),
	    cmocka_unit_test(reaper_and_subreaper),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
