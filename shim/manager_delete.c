/* manager_delete: the `delete` action (cleanup after a dead shim), -info and -v. */
#include "manager.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "address.h"
#include "base/cleanup.h"
#include "base/fdutil.h"
#include "base/xalloc.h"
#include "proto/pb.h"
#include "proto/task/v2/shim.pb-c.h"
#include "proto/types/introspection.pb-c.h"
#include "rootfs.h"
#include "rt.h"
#include "serve.h"

#define FEATURES_TYPE PB_OCI_TYPE_PREFIX "features/Features"

static int
manager_write_out(const ProtobufCMessage *m)
{
	size_t len = 0;
	cleanup_free uint8_t *buf = pb_pack(m, &len);
	struct err err = {0};

	if (write_all(1, buf, len, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	return 0;
}

/* The init pid: from the runtime state, else from the init.pid we wrote in the bundle. */
static pid_t
manager_init_pid(const struct rt_ctx *ctx, const char *id, const char *bundle)
{
	cleanup_free char *path = xasprintf("%s/init.pid", bundle), *data = NULL;
	struct rt_state *st = NULL;
	struct err err = {0};
	pid_t pid = 0;
	size_t len;

	if (rt_container_state(ctx, id, &st, &err) == 0) {
		pid = st->pid;
		rt_state_free(st);
		if (pid > 0)
			return pid;
	}
	if (read_file_at(AT_FDCWD, path, &data, &len, &err) == 0)
		pid = (pid_t)atoi(data);
	return pid;
}

/* The socket of a dead shim goes too (a live one still serves other containers), in the default
 * directory or the socket_dir containerd 2.3 gave `start`: the bundle's address file names it,
 * and only a socket whose address is exactly ours (address_for of its directory, our -address,
 * namespace and group, or the id for a bundle whose config.json is gone) is removed, so a
 * tampered address file cannot point us at an arbitrary file. */
static void
manager_remove_socket(const struct shim_args *a, const char *bundle)
{
	cleanup_free char *path = xasprintf("%s/address", bundle), *address = NULL;
	cleanup_free char *config = xasprintf("%s/config.json", bundle), *group = NULL;
	const char *caddr = a->address && *a->address ? a->address : getenv("GRPC_ADDRESS");
	struct err err = {0};
	size_t len;

	if (!caddr || read_file_at(AT_FDCWD, path, &address, &len, &err) < 0)
		return;
	group = manager_group(config, a->id);
	if (!address_is_ours(address, caddr, a->ns, group) &&
	    !address_is_ours(address, caddr, a->ns, a->id))
		return;
	if (address_remove_stale(address_path(address), &err) < 0)
		fprintf(stderr, "delete %s: %s\n", a->id, err.msg);
}

int
manager_delete(const struct shim_args *a)
{
	Containerd__Task__V2__DeleteResponse resp = CONTAINERD__TASK__V2__DELETE_RESPONSE__INIT;
	Google__Protobuf__Timestamp ts = GOOGLE__PROTOBUF__TIMESTAMP__INIT;
	cleanup_free char *root = xasprintf("%s/%s", SHIM_STATE_ROOT, a->ns);
	cleanup_free char *rootfs = NULL, *pidfile = NULL;
	struct rt_ctx ctx = {.root = root};
	char cwd[PATH_MAX];
	const char *bundle = a->bundle;
	struct err err = {0};
	struct timespec now;

	if (!a->id || !*a->id) {
		fprintf(stderr, "delete: -id is required\n");
		return 1;
	}
	if (!bundle || !*bundle)
		bundle = getcwd(cwd, sizeof(cwd)) ? cwd : ".";
	resp.pid = (uint32_t)manager_init_pid(&ctx, a->id, bundle);
	if (rt_container_delete(&ctx, a->id, true, &err) < 0 && err.code != ENOENT)
		fprintf(stderr, "delete %s: %s\n", a->id, err.msg);
	rootfs = xasprintf("%s/rootfs", bundle);
	err_clear(&err);
	if (rootfs_unmount_all(rootfs, &err) < 0)
		fprintf(stderr, "delete %s: %s\n", a->id, err.msg);
	pidfile = xasprintf("%s/init.pid", bundle);
	unlink(pidfile);
	manager_remove_socket(a, bundle);
	clock_gettime(CLOCK_REALTIME, &now);
	pb_timestamp_set(&ts, &now);
	resp.exit_status = 128 + 9; /* SIGKILL, as the runc shim reports */
	resp.exited_at = &ts;
	return manager_write_out(&resp.base);
}

int
manager_info(void)
{
	Containerd__Types__RuntimeInfo info = CONTAINERD__TYPES__RUNTIME_INFO__INIT;
	Containerd__Types__RuntimeVersion ver = CONTAINERD__TYPES__RUNTIME_VERSION__INIT;
	Google__Protobuf__Any features = GOOGLE__PROTOBUF__ANY__INIT;
	cleanup_free char *json = rt_features_json();
	int rc;

	info.name = (char *)SHIM_RUNTIME_NAME;
	ver.version = (char *)HUSK_VERSION;
	info.version = &ver;
	if (json) {
		features.type_url = (char *)FEATURES_TYPE;
		features.value.data = (uint8_t *)json;
		features.value.len = strlen(json);
		info.features = &features;
	}
	rc = manager_write_out(&info.base);
	return rc;
}

int
manager_version(void)
{
	printf("%s:\n  Version:  %s\n  Runtime:  %s (libhusk, in process)\n",
	       "containerd-shim-husk-v2", HUSK_VERSION, SHIM_RUNTIME_NAME);
	return 0;
}
