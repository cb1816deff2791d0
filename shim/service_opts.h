/* service_opts: the options Any of CreateTaskRequest (containerd.runc.v1.Options honoured
 * where they apply; runtimeoptions.v1.Options and unknown types are accepted and ignored). */
#ifndef SHIM_SERVICE_OPTS_H
#define SHIM_SERVICE_OPTS_H

#include <stdbool.h>
#include <sys/types.h>

#include "base/err.h"
#include "proto/google/protobuf/any.pb-c.h"

struct svc_opts {
	bool no_pivot_root;
	bool no_new_keyring;
	bool systemd_cgroup;
	bool has_io_owner;
	uid_t io_uid;
	gid_t io_gid;
	char *shim_cgroup; /* owned, NULL if none */
};

/* any may be NULL. EINVAL when a runc Options value does not decode. */
int svc_opts_parse(const Google__Protobuf__Any *any, struct svc_opts *out, struct err *err);
void svc_opts_fini(struct svc_opts *o);

#endif
