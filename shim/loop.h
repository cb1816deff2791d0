/* loop: the shim's one event loop: libevent base, signals (SIGCHLD reaps, SIGTERM/SIGINT stop,
 * SIGPIPE ignored) and the reaper, which collects every exited child with waitpid(-1, WNOHANG)
 * and hands each to the exit callback (unknown pids included: we are a subreaper). */
#ifndef SHIM_LOOP_H
#define SHIM_LOOP_H

#include <stdbool.h>
#include <sys/types.h>
#include <time.h>

#include "base/err.h"

struct event_base;
struct loop;

/* status is the raw wait status; at is when it was reaped (CLOCK_REALTIME). */
typedef void (*loop_exit_cb)(pid_t pid, int status, const struct timespec *at, void *arg);
/* SIGTERM / SIGINT. */
typedef void (*loop_stop_cb)(int sig, void *arg);

/* Makes the process a child subreaper unless subreaper is false (tests). */
int loop_new(bool subreaper, struct loop **out, struct err *err);
void loop_free(struct loop *l);
struct event_base *loop_base(const struct loop *l);
void loop_set_exit_cb(struct loop *l, loop_exit_cb cb, void *arg);
void loop_set_stop_cb(struct loop *l, loop_stop_cb cb, void *arg);
/* Runs until loop_quit. */
int loop_run(struct loop *l, struct err *err);
void loop_quit(struct loop *l);
/* Reaps now (also what SIGCHLD does). */
void loop_reap(struct loop *l);

/* Exit status as containerd reports it: the code, or 128 + signal. */
unsigned loop_exit_status(int wait_status);

#endif
