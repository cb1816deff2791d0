/* seccomp: linux.seccomp compiled with libseccomp in the runtime (parent) into a classic BPF
 * program; the container child only calls seccomp(2). libseccomp types stay in seccomp.c.
 *
 * Where the child loads it (seccomp_prog_load):
 *   - process.noNewPrivileges false: loading a filter needs CAP_SYS_ADMIN, so load it before
 *     caps_before_setuid / the uid change (runc does the same). The filter then also applies to
 *     the remaining setup syscalls, so a profile must allow them (runtime profiles do).
 *   - noNewPrivileges true: procattr_no_new_privs() then seccomp_prog_load() as the very last
 *     step before execve, so as few syscalls as possible run under the filter.
 * A notify fd returned by the load goes to the parent (SCM_RIGHTS over the sync socket); the
 * parent passes it to the listener with seccomp_send_listener() and closes it. */
#ifndef RUNTIME_SECCOMP_H
#define RUNTIME_SECCOMP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "base/err.h"
#include "spec.h"

struct seccomp_prog {
	void *filter;       /* owned: struct sock_filter[len] */
	size_t len;         /* number of BPF instructions */
	unsigned int flags; /* SECCOMP_FILTER_FLAG_* for seccomp(2), NEW_LISTENER included */
	bool has_notify;    /* some action is SCMP_ACT_NOTIFY: loading returns a listener fd */
};

/* (parent) Compiles s. Errors name what is wrong: an unknown action, architecture, flag,
 * operator or syscall name (`seccomp: unknown syscall "foo_bar"`). SCMP_ACT_NOTIFY needs a
 * listenerPath, and is refused for write and sendmsg (the child passes the listener fd to the
 * parent with sendmsg after loading the filter) and as the default action. */
int seccomp_compile(const struct rt_seccomp *s, struct seccomp_prog *out, struct err *err);
void seccomp_prog_fini(struct seccomp_prog *p);

/* (child) Installs the filter with seccomp(SECCOMP_SET_MODE_FILTER). *notify_fd gets the
 * listener fd (O_CLOEXEC) when p->has_notify, else -1. Allocates nothing. */
int seccomp_prog_load(const struct seccomp_prog *p, int *notify_fd, struct err *err);

/* The containerProcessState JSON the runtime-spec defines for the listener:
 * {"ociVersion","fds":["seccompFd"],"pid","metadata","state":<state_json>}. state_json is the
 * container's state (rt_state_to_json). Returned text owned by the caller. */
char *seccomp_listener_message(pid_t pid, const char *metadata, const char *state_json);

/* (parent) Connects to the unix socket listener_path and sends the message above with
 * notify_fd attached (SCM_RIGHTS). Does not close notify_fd. */
int seccomp_send_listener(const char *listener_path, int notify_fd, pid_t pid, const char *metadata,
                          const char *state_json, struct err *err);

#endif
