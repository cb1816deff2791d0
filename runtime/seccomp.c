#include "seccomp.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include <seccomp.h>

#include "base/cleanup.h"
#include "base/fdutil.h"
#include "base/log.h"
#include "base/sys.h"
#include "base/xalloc.h"
#include "rt.h"

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

/* The kernel caps SECCOMP_RET_ERRNO data at MAX_ERRNO; libseccomp rejects larger values. */
#define SECCOMP_MAX_ERRNO 4095
/* BPF_MAXINSNS: the kernel refuses longer classic BPF programs. */
#define SECCOMP_MAX_INSNS 4096
/* Runc enables libseccomp's binary tree above this many rules. */
#define SECCOMP_TREE_THRESHOLD 32

static void
cleanup_scmp_fn(scmp_filter_ctx *ctx)
{
	if (*ctx != NULL)
		seccomp_release(*ctx);
}
#define cleanup_scmp __attribute__((cleanup(cleanup_scmp_fn)))

/* An action name with its errnoRet (has_errno false: EPERM where one applies). `what` names
 * the field for errors ("defaultAction", "syscalls[3].action"). */
static int
seccomp_action(const char *name, bool has_errno, uint32_t errno_ret, const char *what,
               uint32_t *out, struct err *err)
{
	static const struct {
		const char *name;
		uint32_t action;
	} plain[] = {
	    {"SCMP_ACT_KILL", SCMP_ACT_KILL_THREAD},
	    {"SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD},
	    {"SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS},
	    {"SCMP_ACT_TRAP", SCMP_ACT_TRAP},
	    {"SCMP_ACT_ALLOW", SCMP_ACT_ALLOW},
	    {"SCMP_ACT_LOG", SCMP_ACT_LOG},
	    {"SCMP_ACT_NOTIFY", SCMP_ACT_NOTIFY},
	};
	uint32_t e = has_errno ? errno_ret : EPERM;

	if (name == NULL)
		return err_set(err, EINVAL, "seccomp: %s is missing", what);
	bool is_errno = strcmp(name, "SCMP_ACT_ERRNO") == 0;

	if (is_errno || strcmp(name, "SCMP_ACT_TRACE") == 0) {
		if (e > SECCOMP_MAX_ERRNO)
			return err_set(err, EINVAL, "seccomp: %s: errnoRet %u out of range (0..%d)",
			               what, e, SECCOMP_MAX_ERRNO);
		*out = is_errno ? SCMP_ACT_ERRNO(e) : SCMP_ACT_TRACE(e);
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(plain); i++) {
		if (strcmp(name, plain[i].name) != 0)
			continue;
		if (has_errno)
			return err_set(
			    err, EINVAL,
			    "seccomp: %s: errnoRet is only valid with SCMP_ACT_ERRNO and "
			    "SCMP_ACT_TRACE, not %s",
			    what, name);
		*out = plain[i].action;
		return 0;
	}
	return err_set(err, EINVAL, "seccomp: %s: unknown action \"%s\"", what, name);
}

static int
seccomp_add_arches(scmp_filter_ctx ctx, char *const *arches, struct err *err)
{
	static const char prefix[] = "SCMP_ARCH_";

	for (size_t i = 0; arches != NULL && arches[i] != NULL; i++) {
		char lower[32];
		const char *a = arches[i];
		uint32_t token = 0;
		size_t n;
		int r;

		if (strncmp(a, prefix, sizeof(prefix) - 1) == 0) {
			n = strlen(a + sizeof(prefix) - 1);
			if (n > 0 && n < sizeof(lower)) {
				for (size_t j = 0; j <= n; j++)
					lower[j] =
					    (char)tolower((unsigned char)a[sizeof(prefix) - 1 + j]);
				token = seccomp_arch_resolve_name(lower);
			}
		}
		if (token == 0)
			return err_set(err, EINVAL, "seccomp: unknown architecture \"%s\"", a);
		r = seccomp_arch_add(ctx, token);
		if (r < 0 && r != -EEXIST)
			return err_set(err, -r, "seccomp: add architecture %s: %s", a,
			               strerror(-r));
	}
	return 0;
}

/* Translates linux.seccomp.flags into seccomp(2) flags. */
static int
seccomp_flags(char *const *flags, unsigned int *out, struct err *err)
{
	static const struct {
		const char *name;
		unsigned long flag;
	} known[] = {
	    {"SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC},
	    {"SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG},
	    {"SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW},
	    {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV},
	};

	*out = 0;
	for (size_t i = 0; flags != NULL && flags[i] != NULL; i++) {
		size_t j;

		for (j = 0; j < ARRAY_SIZE(known); j++)
			if (strcmp(flags[i], known[j].name) == 0)
				break;
		if (j == ARRAY_SIZE(known))
			return err_set(err, EINVAL, "seccomp: unknown flag \"%s\"", flags[i]);
		*out |= (unsigned int)known[j].flag;
	}
	return 0;
}

static int
seccomp_op(const char *name, enum scmp_compare *out)
{
	static const struct {
		const char *name;
		enum scmp_compare op;
	} ops[] = {
	    {"SCMP_CMP_NE", SCMP_CMP_NE},
	    {"SCMP_CMP_LT", SCMP_CMP_LT},
	    {"SCMP_CMP_LE", SCMP_CMP_LE},
	    {"SCMP_CMP_EQ", SCMP_CMP_EQ},
	    {"SCMP_CMP_GE", SCMP_CMP_GE},
	    {"SCMP_CMP_GT", SCMP_CMP_GT},
	    {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
	};

	for (size_t i = 0; name != NULL && i < ARRAY_SIZE(ops); i++) {
		if (strcmp(name, ops[i].name) == 0) {
			*out = ops[i].op;
			return 0;
		}
	}
	return -1;
}

/* The rule's conditions; *split is true when two of them test the same argument, which
 * libseccomp cannot AND together: each then becomes a rule of its own (as runc does). */
static int
seccomp_conditions(const struct rt_seccomp_rule *r, size_t idx, struct scmp_arg_cmp *cmp,
                   bool *split, struct err *err)
{
	unsigned seen = 0;

	*split = false;
	if (r->n_args > 6)
		return err_set(err, EINVAL, "seccomp: syscalls[%zu]: %zu args, at most 6", idx,
		               r->n_args);
	for (size_t i = 0; i < r->n_args; i++) {
		const struct rt_seccomp_arg *a = &r->args[i];
		enum scmp_compare op;

		if (a->index > 5)
			return err_set(err, EINVAL,
			               "seccomp: syscalls[%zu].args[%zu]: index %u > 5", idx, i,
			               a->index);
		if (seccomp_op(a->op, &op) < 0)
			return err_set(err, EINVAL,
			               "seccomp: syscalls[%zu].args[%zu]: unknown operator \"%s\"",
			               idx, i, a->op != NULL ? a->op : "");
		if (seen & (1u << a->index))
			*split = true;
		seen |= 1u << a->index;
		cmp[i] = (struct scmp_arg_cmp){
		    .arg = a->index, .op = op, .datum_a = a->value, .datum_b = a->value_two};
	}
	return 0;
}

/* Adds rule idx for every name; *notify is set when it uses SCMP_ACT_NOTIFY. */
static int
seccomp_add_rule(scmp_filter_ctx ctx, const struct rt_seccomp_rule *r, size_t idx,
                 uint32_t def_action, bool *notify, struct err *err)
{
	struct scmp_arg_cmp cmp[6];
	char what[48];
	uint32_t action;
	bool split;

	snprintf(what, sizeof(what), "syscalls[%zu].action", idx);
	if (seccomp_action(r->action, r->has_errno_ret, r->errno_ret, what, &action, err) < 0 ||
	    seccomp_conditions(r, idx, cmp, &split, err) < 0)
		return -1;
	if (r->names == NULL || r->names[0] == NULL)
		return err_set(err, EINVAL, "seccomp: syscalls[%zu]: names is empty", idx);
	for (size_t i = 0; r->names[i] != NULL; i++) {
		const char *name = r->names[i];
		int nr = seccomp_syscall_resolve_name(name), rc = 0;

		if (nr == __NR_SCMP_ERROR)
			return err_set(err, EINVAL, "seccomp: unknown syscall \"%s\"", name);
		/* the child passes the listener fd up with sendmsg (and reports with write)
		 * after loading the filter: notifying those would wait for an agent that
		 * cannot have the fd yet (runc refuses write for the same reason) */
		if (action == SCMP_ACT_NOTIFY &&
		    (strcmp(name, "write") == 0 || strcmp(name, "sendmsg") == 0))
			return err_set(err, EINVAL,
			               "seccomp: SCMP_ACT_NOTIFY cannot be used for %s", name);
		if (action == def_action)
			continue; /* redundant, and libseccomp refuses it */
		if (!split)
			rc = seccomp_rule_add_array(ctx, action, nr, (unsigned)r->n_args, cmp);
		for (size_t j = 0; split && j < r->n_args && rc == 0; j++)
			rc = seccomp_rule_add_array(ctx, action, nr, 1, &cmp[j]);
		if (rc < 0)
			return err_set(err, -rc, "seccomp: add rule for syscall \"%s\": %s", name,
			               strerror(-rc));
		if (action == SCMP_ACT_NOTIFY)
			*notify = true;
	}
	return 0;
}

/* The BPF program of ctx, through a memfd (libseccomp 2.5 exports to an fd only). */
static int
seccomp_export(scmp_filter_ctx ctx, struct seccomp_prog *out, struct err *err)
{
	cleanup_close int fd = memfd_create("husk-seccomp", MFD_CLOEXEC);
	cleanup_free char *buf = NULL;
	size_t len = 0;
	int rc;

	if (fd < 0)
		return err_sys(err, "seccomp: memfd_create");
	rc = seccomp_export_bpf(ctx, fd);
	if (rc < 0)
		return err_set(err, -rc, "seccomp: export BPF: %s", strerror(-rc));
	if (lseek(fd, 0, SEEK_SET) < 0)
		return err_sys(err, "seccomp: lseek");
	if (read_all(fd, &buf, &len, err) < 0)
		return err_wrap(err, "seccomp: read BPF");
	if (len == 0 || len % sizeof(struct sock_filter) != 0)
		return err_set(err, EIO, "seccomp: exported BPF has odd size %zu", len);
	if (len / sizeof(struct sock_filter) > SECCOMP_MAX_INSNS)
		return err_set(err, E2BIG, "seccomp: filter too large (%zu instructions, max %d)",
		               len / sizeof(struct sock_filter), SECCOMP_MAX_INSNS);
	out->len = len / sizeof(struct sock_filter);
	out->filter = take_ptr(buf);
	return 0;
}

/* Everything the spec says about the listener, checked once the rules are known. */
static int
seccomp_check_listener(const struct rt_seccomp *s, bool has_notify, struct err *err)
{
	if (s->listener_metadata != NULL && s->listener_metadata[0] != '\0' &&
	    (s->listener_path == NULL || s->listener_path[0] == '\0'))
		return err_set(err, EINVAL,
		               "seccomp: listenerMetadata is set without listenerPath");
	if (has_notify && (s->listener_path == NULL || s->listener_path[0] == '\0'))
		return err_set(err, EINVAL,
		               "seccomp: SCMP_ACT_NOTIFY is used but listenerPath is not set");
	return 0;
}

int
seccomp_compile(const struct rt_seccomp *s, struct seccomp_prog *out, struct err *err)
{
	cleanup_scmp scmp_filter_ctx ctx = NULL;
	uint32_t def;
	unsigned int flags;
	bool notify = false;

	memset(out, 0, sizeof(*out));
	if (seccomp_action(s->default_action, s->has_default_errno_ret, s->default_errno_ret,
	                   "defaultAction", &def, err) < 0)
		return -1;
	if (def == SCMP_ACT_NOTIFY)
		return err_set(err, EINVAL,
		               "seccomp: SCMP_ACT_NOTIFY cannot be the default action");
	if (seccomp_flags(s->flags, &flags, err) < 0)
		return -1;
	ctx = seccomp_init(def);
	if (ctx == NULL)
		return err_set(err, EINVAL, "seccomp: seccomp_init(%s) failed", s->default_action);
	if (seccomp_add_arches(ctx, s->architectures, err) < 0)
		return -1;
	if (s->n_syscalls > SECCOMP_TREE_THRESHOLD)
		(void)seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2); /* best effort */
	for (size_t i = 0; i < s->n_syscalls; i++)
		if (seccomp_add_rule(ctx, &s->syscalls[i], i, def, &notify, err) < 0)
			return -1;
	if (seccomp_check_listener(s, notify, err) < 0)
		return -1;
	if (seccomp_export(ctx, out, err) < 0)
		return -1;
	if (notify) {
		/* TSYNC with a listener needs TSYNC_ESRCH; the child is single-threaded anyway */
		flags &= ~(unsigned int)SECCOMP_FILTER_FLAG_TSYNC;
		flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
	} else {
		/* the kernel refuses WAIT_KILLABLE_RECV without a listener */
		flags &= ~(unsigned int)SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
	}
	out->flags = flags;
	out->has_notify = notify;
	return 0;
}

void
seccomp_prog_fini(struct seccomp_prog *p)
{
	free(p->filter);
	memset(p, 0, sizeof(*p));
}

int
seccomp_prog_load(const struct seccomp_prog *p, int *notify_fd, struct err *err)
{
	struct sock_fprog prog = {.len = (unsigned short)p->len,
	                          .filter = (struct sock_filter *)p->filter};
	int r;

	*notify_fd = -1;
	if (p->filter == NULL || p->len == 0)
		return err_set(err, EINVAL, "seccomp: no filter to load");
	r = sys_seccomp(SECCOMP_SET_MODE_FILTER, p->flags, &prog);
	if (r < 0 && errno == EACCES)
		return err_sys(err, "seccomp: load filter (needs CAP_SYS_ADMIN or no_new_privs)");
	if (r < 0)
		return err_sys(err, "seccomp: load filter (flags %#x)", p->flags);
	if (p->has_notify)
		*notify_fd = r;
	return 0;
}

char *
seccomp_listener_message(pid_t pid, const char *metadata, const char *state_json)
{
	cleanup_free char *meta = NULL;

	if (metadata != NULL && metadata[0] != '\0') {
		size_t cap = strlen(metadata) * 6 + 8; /* log_json_escape keeps 7 spare */
		char *esc = xmalloc(cap);

		log_json_escape(esc, cap, metadata);
		meta = xasprintf(",\"metadata\":\"%s\"", esc);
		free(esc);
	}
	return xasprintf(
	    "{\"ociVersion\":\"%s\",\"fds\":[\"seccompFd\"],\"pid\":%d%s,\"state\":%s}",
	    RT_OCI_VERSION, (int)pid, meta != NULL ? meta : "", state_json);
}

/* Sends all of msg, the fd with the first sendmsg only (as the spec asks). */
static int
seccomp_send_all(int sock, const char *msg, size_t len, int fd, struct err *err)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = {.iov_base = (void *)msg, .iov_len = len};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	struct cmsghdr *c;
	ssize_t n;

	memset(&u, 0, sizeof(u));
	mh.msg_control = u.buf;
	mh.msg_controllen = sizeof(u.buf);
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	do
		n = sendmsg(sock, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return err_sys(err, "sendmsg");
	if ((size_t)n < len)
		return write_all(sock, msg + n, len - (size_t)n, err);
	return 0;
}

int
seccomp_send_listener(const char *listener_path, int notify_fd, pid_t pid, const char *metadata,
                      const char *state_json, struct err *err)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	cleanup_close int sock = -1;
	cleanup_free char *msg = NULL;

	if (listener_path == NULL || listener_path[0] == '\0')
		return err_set(err, EINVAL, "seccomp: no listenerPath");
	if (strlen(listener_path) >= sizeof(addr.sun_path))
		return err_set(err, ENAMETOOLONG, "seccomp listener %s: path too long",
		               listener_path);
	memcpy(addr.sun_path, listener_path, strlen(listener_path) + 1);
	sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return err_sys(err, "seccomp listener: socket");
	if (connect(sock, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		return err_sys(err, "seccomp listener: connect %s", listener_path);
	msg = seccomp_listener_message(pid, metadata, state_json);
	if (seccomp_send_all(sock, msg, strlen(msg), notify_fd, err) < 0)
		return err_wrap(err, "seccomp listener %s", listener_path);
	return 0;
}
