#include "service_opts.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "proto/pb.h"
#include "proto/runc/options.pb-c.h"

int
svc_opts_parse(const Google__Protobuf__Any *any, struct svc_opts *out, struct err *err)
{
	Containerd__Runc__V1__Options *o;

	memset(out, 0, sizeof(*out));
	if (!any || !any->type_url || !*any->type_url)
		return 0;
	if (!pb_any_is(any, "containerd.runc.v1.Options"))
		return 0; /* runtimeoptions.v1.Options (CRI) or unknown: nothing we use */
	o = containerd__runc__v1__options__unpack(NULL, any->value.len, any->value.data);
	if (!o)
		return err_set(err, EINVAL, "options: not a valid containerd.runc.v1.Options");
	out->no_pivot_root = o->no_pivot_root;
	out->no_new_keyring = o->no_new_keyring;
	out->systemd_cgroup = o->systemd_cgroup;
	if (o->io_uid || o->io_gid) {
		out->has_io_owner = true;
		out->io_uid = o->io_uid;
		out->io_gid = o->io_gid;
	}
	if (o->shim_cgroup && *o->shim_cgroup)
		out->shim_cgroup = xstrdup(o->shim_cgroup);
	containerd__runc__v1__options__free_unpacked(o, NULL);
	return 0;
}

void
svc_opts_fini(struct svc_opts *o)
{
	free(o->shim_cgroup);
	memset(o, 0, sizeof(*o));
}
