/* bootstrap: what containerd hands the `start` action besides its flags. On stdin 1.6-2.2 write
 * an encoded google.protobuf.Any with the runtime options (or nothing), 2.3+ an encoded
 * containerd.runtime.bootstrap.v1.BootstrapParams whose `extensions` carry that Any and whose
 * `socket_dir` moves the shim's socket; SCHED_CORE=1 in the environment asks for a
 * core-scheduling cookie of the shim's own (shim-protocol.md 2.2, 2.5). */
#ifndef SHIM_BOOTSTRAP_H
#define SHIM_BOOTSTRAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

/* Bytes read from stdin at most; more is treated as undecodable (the Go shim reads 10 MiB). */
#define BOOTSTRAP_MAX_INPUT (10u << 20)

enum bootstrap_kind {
	BOOTSTRAP_EMPTY,   /* nothing on stdin: no options */
	BOOTSTRAP_ANY,     /* a runtime options Any (containerd 1.6-2.2) */
	BOOTSTRAP_PARAMS,  /* BootstrapParams (containerd 2.3+) */
	BOOTSTRAP_IGNORED, /* undecodable, or BootstrapParams of another id or namespace */
};

struct bootstrap {
	enum bootstrap_kind kind;
	const char *ignored; /* why stdin was ignored (static text), NULL otherwise */
	char *shim_cgroup;   /* containerd.runc.v1.Options.shim_cgroup, NULL if none */
	char *socket_dir;    /* BootstrapParams.socket_dir, NULL if unset or empty */
	char *grpc_address;  /* BootstrapParams.containerd_grpc_address, NULL if empty */
	char *ttrpc_address; /* BootstrapParams.containerd_ttrpc_address, NULL if empty */
};

/* Decodes stdin's bytes for the task `id` in namespace `ns` (the -id and -namespace flags).
 * Never fails: input it cannot use is reported as BOOTSTRAP_IGNORED (see bootstrap.c why). */
void bootstrap_parse(const uint8_t *data, size_t len, const char *id, const char *ns,
                     struct bootstrap *out);
/* Reads fd to EOF (nothing if it is a terminal) and parses it. */
void bootstrap_read(int fd, const char *id, const char *ns, struct bootstrap *out);
/* Frees the strings; b stays usable (zeroed). */
void bootstrap_fini(struct bootstrap *b);
#define cleanup_bootstrap __attribute__((cleanup(bootstrap_fini)))

/* If SCHED_CORE is set and non-empty: a new core-scheduling cookie for this process, which the
 * server inherits through fork and exec and its containers through clone. ENODEV/EINVAL (no
 * core scheduling in this kernel, or no SMT) fail with an error saying so, as the runc shim
 * fails its start. 0 when SCHED_CORE is unset. */
int bootstrap_sched_core(struct err *err);

#endif
