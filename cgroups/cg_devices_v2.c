/* cg_devices_v2: cgroup v2 has no devices.allow: device access is decided by an eBPF program of
 * type BPF_PROG_TYPE_CGROUP_DEVICE attached to the cgroup. We compile the OCI rules into one.
 *
 * Program shape (r1 = struct bpf_cgroup_dev_ctx *):
 *   r2 = ctx->access_type & 0xffff   device type: BPF_DEVCG_DEV_BLOCK / _CHAR
 *   r3 = ctx->access_type >> 16      requested access: BPF_DEVCG_ACC_MKNOD | _READ | _WRITE
 *   r4 = ctx->major, r5 = ctx->minor
 *   one block per rule, last rule first (the last matching rule wins, as v1's list does):
 *     [if r2 != type goto next]            unless type 'a'
 *     [r1 = r3 & access; test]            allow: requested within access (r1 == r3);
 *                                          deny: any requested bit in access (r1 != 0)
 *     [if r4 != major goto next]           unless major is a wildcard
 *     [if r5 != minor goto next]           unless minor is a wildcard
 *     r0 = allow; exit
 *   r0 = 0; exit                           nothing matched: deny */
#include "cg_internal.h"

#include <errno.h>
#include <linux/bpf.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/xalloc.h"

#define ACC_ALL (BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE)

static struct bpf_insn
insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
	struct bpf_insn i = {.code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm};
	return i;
}

struct prog {
	struct bpf_insn *v;
	size_t n;
};

static void
emit(struct prog *p, struct bpf_insn i)
{
	p->v = xreallocarray(p->v, p->n + 1, sizeof(*p->v));
	p->v[p->n++] = i;
}

static unsigned
access_bits(const char *a)
{
	unsigned bits = 0;

	if (a[0] == '\0')
		return ACC_ALL;
	for (; *a; a++)
		bits |= *a == 'r' ? BPF_DEVCG_ACC_READ : *a == 'w' ? BPF_DEVCG_ACC_WRITE
							: BPF_DEVCG_ACC_MKNOD;
	return bits;
}

static int
check_rule(const struct cg_device_rule *d, size_t i, struct err *err)
{
	if (d->type != 'a' && d->type != 'b' && d->type != 'c')
		return err_set(err, EINVAL, "devices[%zu]: bad type '%c'", i, d->type ? d->type : '?');
	if (strspn(d->access, "rwm") != strlen(d->access))
		return err_set(err, EINVAL, "devices[%zu]: bad access \"%s\"", i, d->access);
	if (d->major > INT32_MAX || d->minor > INT32_MAX)
		return err_set(err, EINVAL, "devices[%zu]: device number out of range", i);
	return 0;
}

/* One rule's block; jumps to "next" are patched to the block's end. */
static void
emit_rule(struct prog *p, const struct cg_device_rule *d)
{
	size_t jumps[4], n_jumps = 0;
	unsigned acc = access_bits(d->access);

	if (d->type != 'a') {
		jumps[n_jumps++] = p->n;
		emit(p, insn(BPF_JMP | BPF_JNE | BPF_K, 2, 0, 0,
			     d->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR));
	}
	if (acc != ACC_ALL) {
		emit(p, insn(BPF_ALU | BPF_MOV | BPF_X, 1, 3, 0, 0));
		emit(p, insn(BPF_ALU | BPF_AND | BPF_K, 1, 0, 0, (int32_t)acc));
		jumps[n_jumps++] = p->n;
		if (d->allow) /* every requested bit allowed */
			emit(p, insn(BPF_JMP | BPF_JNE | BPF_X, 1, 3, 0, 0));
		else /* some requested bit denied */
			emit(p, insn(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 0, 0));
	}
	if (d->major >= 0) {
		jumps[n_jumps++] = p->n;
		emit(p, insn(BPF_JMP | BPF_JNE | BPF_K, 4, 0, 0, (int32_t)d->major));
	}
	if (d->minor >= 0) {
		jumps[n_jumps++] = p->n;
		emit(p, insn(BPF_JMP | BPF_JNE | BPF_K, 5, 0, 0, (int32_t)d->minor));
	}
	emit(p, insn(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, d->allow ? 1 : 0));
	emit(p, insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
	for (size_t i = 0; i < n_jumps; i++)
		p->v[jumps[i]].off = (int16_t)(p->n - jumps[i] - 1);
}

int
cg__dev_prog_build(const struct cg_device_rule *rules, size_t n, struct bpf_insn **insns,
		   size_t *n_insns, struct err *err)
{
	struct prog p = {0};

	for (size_t i = 0; i < n; i++)
		if (check_rule(&rules[i], i, err) < 0)
			return -1;
	emit(&p, insn(BPF_LDX | BPF_MEM | BPF_W, 2, 1, 0, 0));
	emit(&p, insn(BPF_ALU | BPF_AND | BPF_K, 2, 0, 0, 0xffff));
	emit(&p, insn(BPF_LDX | BPF_MEM | BPF_W, 3, 1, 0, 0));
	emit(&p, insn(BPF_ALU | BPF_RSH | BPF_K, 3, 0, 0, 16));
	emit(&p, insn(BPF_LDX | BPF_MEM | BPF_W, 4, 1, 4, 0));
	emit(&p, insn(BPF_LDX | BPF_MEM | BPF_W, 5, 1, 8, 0));
	for (size_t i = n; i-- > 0;) {
		emit_rule(&p, &rules[i]);
		/* An unconditional rule ends the program: nothing before it can be reached. */
		if (rules[i].type == 'a' && rules[i].major < 0 && rules[i].minor < 0 &&
		    access_bits(rules[i].access) == ACC_ALL) {
			*insns = p.v;
			*n_insns = p.n;
			return 0;
		}
	}
	emit(&p, insn(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0));
	emit(&p, insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
	*insns = p.v;
	*n_insns = p.n;
	return 0;
}

static int
bpf(int cmd, union bpf_attr *attr)
{
	return (int)syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

/* The last non-empty line of the verifier's log (where it says what it refused). */
static const char *
log_tail(char *log)
{
	size_t len = strlen(log);
	char *nl;

	while (len > 0 && (log[len - 1] == '\n' || log[len - 1] == ' '))
		log[--len] = '\0';
	nl = strrchr(log, '\n');
	return nl ? nl + 1 : log;
}

/* Loaded without the verifier's log first: kernels before 6.4 fail a load whose log does not fit
 * the buffer (ENOSPC) even when the program is fine. On failure, loaded again with the log to
 * say why. */
static int
prog_load(const struct bpf_insn *v, size_t n, struct err *err)
{
	static char log[65536];
	union bpf_attr attr;
	int fd, e;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	attr.insns = (uint64_t)(uintptr_t)v;
	attr.insn_cnt = (uint32_t)n;
	attr.license = (uint64_t)(uintptr_t) "Apache";
	fd = bpf(BPF_PROG_LOAD, &attr);
	if (fd >= 0)
		return fd;
	e = errno;
	attr.log_buf = (uint64_t)(uintptr_t)log;
	attr.log_size = sizeof(log);
	attr.log_level = 1;
	log[0] = '\0';
	fd = bpf(BPF_PROG_LOAD, &attr);
	if (fd >= 0)
		return fd;
	errno = e;
	return err_sys(err, "load the device filter (BPF_PROG_LOAD%s%.200s)",
		       log[0] ? ", verifier: " : "", log_tail(log));
}

/* Ids of the device programs attached to the cgroup now. */
static int
prog_query(int dirfd, const char *dir, uint32_t *ids, uint32_t *n, struct err *err)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.query.target_fd = (uint32_t)dirfd;
	attr.query.attach_type = BPF_CGROUP_DEVICE;
	attr.query.prog_ids = (uint64_t)(uintptr_t)ids;
	attr.query.prog_cnt = *n;
	if (bpf(BPF_PROG_QUERY, &attr) < 0)
		return err_sys(err, "query device filters of %s", dir);
	*n = attr.query.prog_cnt;
	return 0;
}

int
cg__dev_prog_apply(int dirfd, const char *dir, const struct cg_device_rule *rules, size_t n,
		   struct err *err)
{
	cleanup_free struct bpf_insn *v = NULL;
	cleanup_close int fd = -1;
	uint32_t old[64], n_old = ARRAY_SIZE(old);
	union bpf_attr attr;
	size_t nv = 0;

	if (cg__dev_prog_build(rules, n, &v, &nv, err) < 0)
		return -1;
	if (prog_query(dirfd, dir, old, &n_old, err) < 0)
		return -1;
	fd = prog_load(v, nv, err);
	if (fd < 0)
		return -1;
	memset(&attr, 0, sizeof(attr));
	attr.target_fd = (uint32_t)dirfd;
	attr.attach_bpf_fd = (uint32_t)fd;
	attr.attach_type = BPF_CGROUP_DEVICE;
	attr.attach_flags = BPF_F_ALLOW_MULTI;
	if (bpf(BPF_PROG_ATTACH, &attr) < 0)
		return err_sys(err, "attach the device filter to %s", dir);
	/* The new filter is in place: drop the ones it replaces (a running container's update). */
	for (uint32_t i = 0; i < n_old && i < ARRAY_SIZE(old); i++) {
		cleanup_close int ofd = -1;

		memset(&attr, 0, sizeof(attr));
		attr.prog_id = old[i];
		ofd = bpf(BPF_PROG_GET_FD_BY_ID, &attr);
		if (ofd < 0)
			continue; /* gone meanwhile */
		memset(&attr, 0, sizeof(attr));
		attr.target_fd = (uint32_t)dirfd;
		attr.attach_bpf_fd = (uint32_t)ofd;
		attr.attach_type = BPF_CGROUP_DEVICE;
		if (bpf(BPF_PROG_DETACH, &attr) < 0 && errno != ENOENT)
			return err_sys(err, "detach the old device filter %u from %s", old[i], dir);
	}
	return 0;
}
