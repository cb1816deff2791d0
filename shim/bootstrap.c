#include "bootstrap.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/xalloc.h"
#include "proto/bootstrap/v1/bootstrap.pb-c.h"
#include "proto/pb.h"
#include "proto/runc/options.pb-c.h"

#ifndef PR_SCHED_CORE
#define PR_SCHED_CORE 62
#endif
#ifndef PR_SCHED_CORE_CREATE
#define PR_SCHED_CORE_CREATE 1
#endif
#ifndef PR_SCHED_CORE_SCOPE_THREAD_GROUP
#define PR_SCHED_CORE_SCOPE_THREAD_GROUP 1 /* PIDTYPE_TGID */
#endif

#define BOOTSTRAP_RUNC_OPTIONS "containerd.runc.v1.Options"
#define BOOTSTRAP_FIELD_MAX 0x1fffffffu

/* How stdin is told apart, and why input we cannot use is ignored rather than an error.
 *
 * An Any has fields 1 and 2 only; containerd's BootstrapParams always carries fields 4-7
 * (version, addresses, binary), so a field number >= 3 at the top level means BootstrapParams
 * (shim-protocol.md 2.5). Like 2.3's Go library we then also require its instance_id and
 * namespace to equal -id and -namespace, and otherwise ignore it: protobuf decoders accept
 * nearly anything, and a payload that is not for this very task must not move our socket.
 *
 * Undecodable input (garbage bytes, a truncated message, BootstrapParams of another task) is
 * ignored, never an error, as the options Any always was here: the runc shim starts without
 * options it cannot read (ReadRuntimeOptions' error is dropped), and 2.3's library falls back to
 * the legacy flags and env when stdin is not BootstrapParams of this task [v2.3.4
 * pkg/shim/compat.go]. Everything `start` needs also comes in its flags and env, which 2.3 still
 * passes, so what is lost is the options: shim_cgroup, socket_dir. `start` cannot warn either:
 * its stdout and stderr are containerd's address channel. */

static char *
bootstrap_dup(const char *s)
{
	return s && *s ? xstrdup(s) : NULL;
}

/* A base-128 varint of at most 10 bytes: returns its length, 0 if malformed or truncated. */
static size_t
bootstrap_varint(const uint8_t *p, size_t len, uint64_t *v)
{
	*v = 0;
	for (size_t i = 0; i < len && i < 10; i++) {
		*v |= (uint64_t)(p[i] & 0x7f) << (7 * i);
		if (!(p[i] & 0x80))
			return i + 1;
	}
	return 0;
}

/* The highest field number at the top level of an encoded message (0: no field). -1 if the
 * bytes are not a well-formed message: bad varint, field 0, a field running past the end, a
 * group or an unknown wire type. */
static int
bootstrap_max_field(const uint8_t *p, size_t len, uint64_t *max)
{
	size_t off = 0, k;
	uint64_t tag, n;

	*max = 0;
	while (off < len) {
		k = bootstrap_varint(p + off, len - off, &tag);
		if (!k || (tag >> 3) == 0 || (tag >> 3) > BOOTSTRAP_FIELD_MAX)
			return -1;
		off += k;
		switch (tag & 7) {
		case 0: /* varint */
			k = bootstrap_varint(p + off, len - off, &n);
			if (!k)
				return -1;
			off += k;
			break;
		case 1: /* fixed64 */
			if (len - off < 8)
				return -1;
			off += 8;
			break;
		case 2: /* length-delimited */
			k = bootstrap_varint(p + off, len - off, &n);
			if (!k || n > len - off - k)
				return -1;
			off += k + (size_t)n;
			break;
		case 5: /* fixed32 */
			if (len - off < 4)
				return -1;
			off += 4;
			break;
		default:
			return -1;
		}
		if ((tag >> 3) > *max)
			*max = tag >> 3;
	}
	return 0;
}

/* shim_cgroup of a containerd.runc.v1.Options Any, NULL if another type, none or undecodable. */
static char *
bootstrap_runc_cgroup(const Google__Protobuf__Any *any)
{
	Containerd__Runc__V1__Options *o;
	char *cg;

	if (!any || !pb_any_is(any, BOOTSTRAP_RUNC_OPTIONS))
		return NULL;
	o = containerd__runc__v1__options__unpack(NULL, any->value.len, any->value.data);
	if (!o)
		return NULL;
	cg = bootstrap_dup(o->shim_cgroup);
	containerd__runc__v1__options__free_unpacked(o, NULL);
	return cg;
}

static void
bootstrap_any(const uint8_t *data, size_t len, struct bootstrap *out)
{
	Google__Protobuf__Any *any = google__protobuf__any__unpack(NULL, len, data);

	if (!any) {
		out->kind = BOOTSTRAP_IGNORED;
		out->ignored = "stdin is not an encoded google.protobuf.Any";
		return;
	}
	out->kind = BOOTSTRAP_ANY;
	out->shim_cgroup = bootstrap_runc_cgroup(any);
	google__protobuf__any__free_unpacked(any, NULL);
}

static void
bootstrap_params(const uint8_t *data, size_t len, const char *id, const char *ns,
                 struct bootstrap *out)
{
	Containerd__Runtime__Bootstrap__V1__BootstrapParams *p =
	    containerd__runtime__bootstrap__v1__bootstrap_params__unpack(NULL, len, data);

	out->kind = BOOTSTRAP_IGNORED;
	if (!p) {
		out->ignored = "stdin is not an encoded BootstrapParams";
		return;
	}
	if (strcmp(p->instance_id, id ? id : "") != 0 || strcmp(p->namespace_, ns ? ns : "") != 0) {
		out->ignored =
		    "BootstrapParams instance_id and namespace are not -id and -namespace";
		containerd__runtime__bootstrap__v1__bootstrap_params__free_unpacked(p, NULL);
		return;
	}
	out->kind = BOOTSTRAP_PARAMS;
	out->socket_dir = bootstrap_dup(p->socket_dir);
	out->grpc_address = bootstrap_dup(p->containerd_grpc_address);
	out->ttrpc_address = bootstrap_dup(p->containerd_ttrpc_address);
	/* the runtime options travel as one extension among others, of any type */
	for (size_t i = 0; i < p->n_extensions && !out->shim_cgroup; i++)
		out->shim_cgroup = bootstrap_runc_cgroup(p->extensions[i]->value);
	containerd__runtime__bootstrap__v1__bootstrap_params__free_unpacked(p, NULL);
}

void
bootstrap_parse(const uint8_t *data, size_t len, const char *id, const char *ns,
                struct bootstrap *out)
{
	uint64_t max;

	memset(out, 0, sizeof(*out));
	if (len == 0) {
		out->kind = BOOTSTRAP_EMPTY;
		return;
	}
	if (bootstrap_max_field(data, len, &max) < 0) {
		out->kind = BOOTSTRAP_IGNORED;
		out->ignored = "stdin is not a protobuf message";
		return;
	}
	if (max >= 3)
		bootstrap_params(data, len, id, ns, out);
	else
		bootstrap_any(data, len, out);
}

void
bootstrap_read(int fd, const char *id, const char *ns, struct bootstrap *out)
{
	cleanup_free uint8_t *buf = NULL;
	size_t len = 0, cap = 0;
	ssize_t n;

	memset(out, 0, sizeof(*out));
	if (isatty(fd)) {
		out->kind = BOOTSTRAP_EMPTY;
		return;
	}
	for (;;) {
		if (len == cap) {
			cap = cap ? 2 * cap : 4096;
			buf = xrealloc(buf, cap);
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		if (len > BOOTSTRAP_MAX_INPUT) {
			out->kind = BOOTSTRAP_IGNORED;
			out->ignored = "stdin is larger than 10 MiB";
			return;
		}
	}
	if (n < 0) {
		out->kind = BOOTSTRAP_IGNORED;
		out->ignored = "stdin could not be read";
		return;
	}
	bootstrap_parse(buf, len, id, ns, out);
}

void
bootstrap_fini(struct bootstrap *b)
{
	free(b->shim_cgroup);
	free(b->socket_dir);
	free(b->grpc_address);
	free(b->ttrpc_address);
	memset(b, 0, sizeof(*b));
}

/* The runc shim does this in `start` with the process group as scope (containerd started it as a
 * group of its own); the thread group is the same set of tasks for us, one thread, and stays
 * right when `start` runs in someone else's group (tests). The cookie is inherited by fork and
 * clone and kept across exec: the server and every container it creates share it, containerd
 * keeps its own. */
int
bootstrap_sched_core(struct err *err)
{
	const char *v = getenv("SCHED_CORE");
	int e;

	if (!v || !*v)
		return 0;
	if (prctl(PR_SCHED_CORE, PR_SCHED_CORE_CREATE, 0, PR_SCHED_CORE_SCOPE_THREAD_GROUP, 0) == 0)
		return 0;
	e = errno;
	if (e == EINVAL || e == ENODEV)
		return err_set(err, e,
		               "SCHED_CORE is set (containerd's sched_core = true) but %s "
		               "(prctl PR_SCHED_CORE_CREATE: %s): turn sched_core off in "
		               "containerd's configuration",
		               e == ENODEV
		                   ? "this machine has no SMT, so no core scheduling"
		                   : "this kernel has no core scheduling (CONFIG_SCHED_CORE)",
		               strerror(e));
	errno = e;
	return err_sys(err, "SCHED_CORE: prctl PR_SCHED_CORE_CREATE");
}
