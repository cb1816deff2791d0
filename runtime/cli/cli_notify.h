/* cli_notify: runc's NOTIFY_SOCKET relay (sd_notify from inside the container, for systemd
 * Type=notify units and podman's sdnotify=container). With NOTIFY_SOCKET set in our environment,
 * create and run bind-mount <root>/<id>/notify at /run/notify in the container (bind,nosuid,
 * noexec,nodev,ro) and give the process NOTIFY_SOCKET=/run/notify/notify.sock; start (and run,
 * before starting) binds that unixgram socket; then start and run wait until the container sends
 * READY= and relay it to the host's NOTIFY_SOCKET with MAINPID and an sd_notify_barrier, or until
 * the init exits. Without NOTIFY_SOCKET nothing of this happens. */
#ifndef CLI_CLI_NOTIFY_H
#define CLI_CLI_NOTIFY_H

#include <stdbool.h>
#include <sys/types.h>

#include "base/err.h"
#include "rt.h"

#define CLI_NOTIFY_CTR_DIR "/run/notify"
#define CLI_NOTIFY_SOCK "notify.sock"
#define CLI_NOTIFY_BARRIER_MS 30000 /* runc's wait for the host to close the barrier pipe */

struct cli_notify {
	char *host;      /* owned: $NOTIFY_SOCKET ("@name": abstract), NULL = no relay */
	char *sock_path; /* owned: <root>/<id>/notify/notify.sock */
	int fd;          /* our bound socket, -1 = none */
	bool bound;      /* we created sock_path */
};
/* clang-format off */
#define CLI_NOTIFY_INIT {NULL, NULL, -1, false}
/* clang-format on */

/* Reads NOTIFY_SOCKET (unset or empty: n stays disabled, host NULL). Fails when the container's
 * socket path would not fit in a sockaddr_un. */
int cli_notify_open(struct cli_notify *n, const char *root, const char *id, struct err *err);
/* create and run, when enabled: adds the /run/notify mount and NOTIFY_SOCKET (replacing one the
 * spec may have) to the spec, and asks the runtime for the notify directory. */
void cli_notify_setup_spec(const struct cli_notify *n, struct rt_spec *spec,
                           struct rt_create_opts *o);
/* When enabled: binds the container's socket (mode 0777). The notify directory must exist: a
 * container created without NOTIFY_SOCKET fails here, as with runc. */
int cli_notify_bind(struct cli_notify *n, struct err *err);
/* When bound: waits for a datagram with a READY= line (up to 4096 bytes; others are dropped) or
 * for pid to exit, whichever first. READY= is relayed as that line, then MAINPID=mainpid, then
 * BARRIER=1 with a pipe whose closing we wait for (a timeout after 30 s is only a warning). An
 * init that exits without READY= is not an error. */
int cli_notify_wait(struct cli_notify *n, pid_t pid, pid_t mainpid, struct err *err);
/* Closes the socket; remove_sock: also unlinks the socket file if we bound it (a failed start,
 * so that the next attempt can bind again). */
void cli_notify_fini(struct cli_notify *n, bool remove_sock);

#endif
