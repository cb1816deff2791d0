#include "procattr.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/fdutil.h"
#include "base/sys.h"
#include "base/xalloc.h"
#include "names.h"

_Static_assert(sizeof(gid_t) == sizeof(uint32_t), "gid_t is 32 bits");

/* pid < 0: setrlimit on the caller; else prlimit on pid. */
static int
procattr_rlimits_set(pid_t pid, const struct rt_rlimit *r, size_t n, struct err *err)
{
	for (size_t i = 0; i < n; i++) {
		const char *name = rt_rlimit_name(r[i].type);
		struct rlimit rl = {.rlim_cur = (rlim_t)r[i].soft, .rlim_max = (rlim_t)r[i].hard};
		int rc;

		if (name == NULL)
			return err_set(err, EINVAL, "unknown rlimit type %d", r[i].type);
		if (r[i].soft > r[i].hard)
			return err_set(err, EINVAL, "%s: soft limit %llu above hard limit %llu",
			               name, (unsigned long long)r[i].soft,
			               (unsigned long long)r[i].hard);
		if (pid < 0)
			rc = setrlimit((__rlimit_resource_t)r[i].type, &rl);
		else
			rc = prlimit(pid, (__rlimit_resource_t)r[i].type, &rl, NULL);
		if (rc < 0)
			return err_sys(err, "set %s (soft %llu, hard %llu)", name,
			               (unsigned long long)r[i].soft,
			               (unsigned long long)r[i].hard);
	}
	return 0;
}

int
procattr_rlimits_apply(const struct rt_rlimit *r, size_t n, struct err *err)
{
	return procattr_rlimits_set(-1, r, n, err);
}

int
procattr_rlimits_apply_pid(pid_t pid, const struct rt_rlimit *r, size_t n, struct err *err)
{
	if (pid <= 0)
		return err_set(err, EINVAL, "rlimits: bad pid %d", (int)pid);
	return procattr_rlimits_set(pid, r, n, err);
}

int
procattr_setgroups_allowed(pid_t pid, bool *allowed, struct err *err)
{
	cleanup_free char *buf = NULL;
	char dir[48], path[64];
	struct stat st;

	if (pid == 0)
		snprintf(dir, sizeof(dir), "/proc/self");
	else
		snprintf(dir, sizeof(dir), "/proc/%d", (int)pid);
	snprintf(path, sizeof(path), "%s/setgroups", dir);
	if (read_file_at(AT_FDCWD, path, &buf, NULL, err) < 0) {
		/* the process exists but the file does not: kernel < 3.19, always allowed */
		if (err->code == ENOENT && stat(dir, &st) == 0) {
			err_clear(err);
			*allowed = true;
			return 0;
		}
		return -1;
	}
	*allowed = strncmp(buf, "deny", 4) != 0;
	return 0;
}

/* "1, 2, 3" (at most what fits) for error messages. */
static void
procattr_format_gids(char *buf, size_t cap, const uint32_t *gids, size_t n)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && off + 16 < cap; i++) {
		int w = snprintf(buf + off, cap - off, "%s%u", i ? ", " : "", gids[i]);
		if (w < 0)
			break;
		off += (size_t)w;
	}
}

int
procattr_user_apply(const struct rt_user *u, bool setgroups_allowed, struct err *err)
{
	char gids[128];

	procattr_format_gids(gids, sizeof(gids), u->additional_gids, u->n_additional_gids);
	if (setgroups_allowed) {
		if (setgroups(u->n_additional_gids, (const gid_t *)u->additional_gids) < 0)
			return err_sys(err, "setgroups [%s]", gids);
	} else if (u->n_additional_gids > 0) {
		return err_set(err, EPERM,
		               "cannot set additional gids [%s]: setgroups is denied in this user "
		               "namespace",
		               gids);
	}
	if (setresgid(u->gid, u->gid, u->gid) < 0)
		return err_sys(err, "setresgid to gid %u", u->gid);
	if (setresuid(u->uid, u->uid, u->uid) < 0)
		return err_sys(err, "setresuid to uid %u", u->uid);
	if (u->has_umask)
		umask((mode_t)(u->umask & 07777));
	return 0;
}

int
procattr_no_new_privs(struct err *err)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1UL, 0UL, 0UL, 0UL) < 0)
		return err_sys(err, "prctl(PR_SET_NO_NEW_PRIVS)");
	return 0;
}

/* The kernel's struct sched_attr (SCHED_ATTR_SIZE_VER1); glibc 2.36 does not declare it. */
struct procattr_sched_attr {
	uint32_t size;
	uint32_t sched_policy;
	uint64_t sched_flags;
	int32_t sched_nice;
	uint32_t sched_priority;
	uint64_t sched_runtime;
	uint64_t sched_deadline;
	uint64_t sched_period;
	uint32_t sched_util_min;
	uint32_t sched_util_max;
};

static const char *
procattr_policy_name(int policy)
{
	static const char *const names[] = {"SCHED_OTHER",   "SCHED_FIFO", "SCHED_RR",
	                                    "SCHED_BATCH",   "SCHED_ISO",  "SCHED_IDLE",
	                                    "SCHED_DEADLINE"};

	if (policy < 0 || (size_t)policy >= ARRAY_SIZE(names))
		return "unknown policy";
	return names[policy];
}

int
procattr_scheduler_apply(pid_t pid, const struct rt_scheduler *s, struct err *err)
{
	struct procattr_sched_attr a;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.sched_policy = (uint32_t)s->policy;
	a.sched_flags = s->flags;
	a.sched_nice = s->nice;
	a.sched_priority = (uint32_t)s->priority;
	a.sched_runtime = s->runtime;
	a.sched_deadline = s->deadline;
	a.sched_period = s->period;
	if (sys_sched_setattr(pid, &a, 0) < 0) {
		bool rt = s->policy == SCHED_FIFO || s->policy == SCHED_RR;
		err_sys(err, "sched_setattr %s (%d, nice %d, priority %d)",
			procattr_policy_name(s->policy), s->policy, s->nice, s->priority);
		if (rt && err->code == EPERM)
			err_wrap(err, "realtime policy refused (with cgroup v1 realtime group "
				      "scheduling the container's cgroup needs "
				      "linux.resources.cpu.realtimeRuntime)");
		return -1;
	}
	return 0;
}

int
procattr_io_priority_apply(pid_t pid, const struct rt_io_priority *p, struct err *err)
{
	enum { IOPRIO_WHO_PROCESS_ = 1, IOPRIO_CLASS_SHIFT_ = 13 };

	if (p->class < 1 || p->class > 3)
		return err_set(err, EINVAL, "ioPriority: unknown class %d", p->class);
	if (p->priority < 0 || p->priority > 7)
		return err_set(err, EINVAL, "ioPriority: priority %d not in 0..7", p->priority);
	if (sys_ioprio_set(IOPRIO_WHO_PROCESS_, pid,
	                   p->class << IOPRIO_CLASS_SHIFT_ | p->priority) < 0)
		return err_sys(err, "ioprio_set (class %d, priority %d)", p->class, p->priority);
	return 0;
}

int
procattr_personality_apply(const char *domain, struct err *err)
{
	unsigned long persona;

	if (domain == NULL)
		return err_set(err, EINVAL, "personality: no domain");
	if (strcmp(domain, "LINUX") == 0)
		persona = PER_LINUX;
	else if (strcmp(domain, "LINUX32") == 0)
		persona = PER_LINUX32;
	else
		return err_set(err, EINVAL, "personality: unknown domain \"%s\"", domain);
	if (personality(persona) < 0)
		return err_sys(err, "personality %s", domain);
	return 0;
}

/* KEYCTL_DESCRIBE gives "type;uid;gid;perm;description" with perm in hex. */
static int
procattr_keyring_add_search(long key, struct err *err)
{
	enum { KEYCTL_SETPERM_ = 5, KEYCTL_DESCRIBE_ = 6, KEY_USR_SEARCH_ = 0x00080000 };
	char desc[4096 + 128];
	const char *p = desc;
	unsigned long perm;
	char *end = NULL;
	long n;

	n = sys_keyctl(KEYCTL_DESCRIBE_, (unsigned long)key, (unsigned long)desc, sizeof(desc), 0);
	if (n < 0)
		return err_sys(err, "describe session keyring");
	if ((size_t)n > sizeof(desc))
		return err_set(err, E2BIG, "describe session keyring: description too long");
	desc[sizeof(desc) - 1] = '\0';
	for (int i = 0; i < 3 && p != NULL; i++) {
		p = strchr(p, ';');
		if (p != NULL)
			p++;
	}
	if (p == NULL)
		return err_set(err, EINVAL, "describe session keyring: unexpected \"%.64s\"", desc);
	errno = 0;
	perm = strtoul(p, &end, 16);
	if (errno != 0 || end == p || *end != ';')
		return err_set(err, EINVAL,
		               "describe session keyring: bad permissions in \"%.64s\"", desc);
	if (sys_keyctl(KEYCTL_SETPERM_, (unsigned long)key, perm | KEY_USR_SEARCH_, 0, 0) < 0)
		return err_sys(err, "set session keyring permissions");
	return 0;
}

int
procattr_session_keyring(const char *id, struct err *err)
{
	char name[4096];
	long key;

	if (id != NULL && (size_t)snprintf(name, sizeof(name), "_ses.%s", id) >= sizeof(name))
		return err_set(err, ENAMETOOLONG, "session keyring name for %.32s...: too long",
		               id);
	key = sys_keyctl_join(id != NULL ? name : NULL);
	if (key < 0) {
		/* keyrings unsupported, or the keyctl syscalls are blocked by an outer seccomp
		 * profile: the keyring is a best-effort protection, as in runc. */
		if (errno == ENOSYS || errno == EPERM)
			return 0;
		return err_sys(err, "join session keyring %s", id != NULL ? name : "(anonymous)");
	}
	return procattr_keyring_add_search(key, err);
}

int
procattr_oom_score_adj_write(pid_t pid, int adj, struct err *err)
{
	char path[64], val[16];
	int n;

	if (pid <= 0)
		return err_set(err, EINVAL, "oom_score_adj: bad pid %d", (int)pid);
	if (adj < -1000 || adj > 1000)
		return err_set(err, EINVAL, "oomScoreAdj %d not in -1000..1000", adj);
	snprintf(path, sizeof(path), "/proc/%d/oom_score_adj", (int)pid);
	n = snprintf(val, sizeof(val), "%d", adj);
	return write_file_at(AT_FDCWD, path, val, (size_t)n, err);
}

/* Largest CPU number accepted in a list (the kernel's NR_CPUS is at most 8192). */
#define PROCATTR_MAX_CPU 65535UL

static const char *
procattr_skip_space(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\n')
		s++;
	return s;
}

/* One number of a CPU list; *s advanced past it. */
static int
procattr_cpu_number(const char **s, unsigned long *out, const char *list, struct err *err)
{
	const char *p = procattr_skip_space(*s);
	char *end = NULL;

	if (*p < '0' || *p > '9')
		return err_set(err, EINVAL, "cpu list \"%s\": expected a number at \"%s\"", list,
		               p);
	errno = 0;
	*out = strtoul(p, &end, 10);
	if (errno != 0 || *out > PROCATTR_MAX_CPU)
		return err_set(err, EINVAL, "cpu list \"%s\": cpu %.*s out of range", list,
		               (int)(end - p), p);
	*s = procattr_skip_space(end);
	return 0;
}

/* Parses into ranges[] (pairs lo, hi), *n of them. */
static int
procattr_cpu_ranges(const char *list, unsigned long (*ranges)[2], size_t cap, size_t *n,
                    struct err *err)
{
	const char *s = procattr_skip_space(list);

	*n = 0;
	while (*s != '\0') {
		unsigned long lo, hi;

		if (procattr_cpu_number(&s, &lo, list, err) < 0)
			return -1;
		hi = lo;
		if (*s == '-') {
			s++;
			if (procattr_cpu_number(&s, &hi, list, err) < 0)
				return -1;
			if (hi < lo)
				return err_set(err, EINVAL,
				               "cpu list \"%s\": range %lu-%lu is reversed", list,
				               lo, hi);
		}
		if (*n == cap)
			return err_set(err, EINVAL, "cpu list \"%s\": too many elements", list);
		ranges[*n][0] = lo;
		ranges[(*n)++][1] = hi;
		if (*s == ',') {
			s = procattr_skip_space(s + 1);
			if (*s == '\0')
				return err_set(err, EINVAL, "cpu list \"%s\": trailing comma",
				               list);
		} else if (*s != '\0') {
			return err_set(err, EINVAL, "cpu list \"%s\": unexpected \"%s\"", list, s);
		}
	}
	return 0;
}

int
procattr_cpuset_parse(const char *list, struct procattr_cpuset *out, struct err *err)
{
	cleanup_free unsigned long(*ranges)[2] = NULL;
	size_t cap = strlen(list) / 2 + 1, n = 0;
	unsigned long max = 0;

	out->set = NULL;
	out->size = 0;
	ranges = xcalloc(cap, sizeof(*ranges));
	if (procattr_cpu_ranges(list, ranges, cap, &n, err) < 0)
		return -1;
	if (n == 0)
		return 0; /* empty: no set, meaning the default (all CPUs the cgroup allows) */
	for (size_t i = 0; i < n; i++)
		if (ranges[i][1] > max)
			max = ranges[i][1];
	out->set = CPU_ALLOC(max + 1);
	if (out->set == NULL)
		abort(); /* out of memory is not an error path */
	out->size = CPU_ALLOC_SIZE(max + 1);
	CPU_ZERO_S(out->size, out->set);
	for (size_t i = 0; i < n; i++)
		for (unsigned long c = ranges[i][0]; c <= ranges[i][1]; c++)
			CPU_SET_S(c, out->size, out->set);
	return 0;
}

void
procattr_cpuset_fini(struct procattr_cpuset *c)
{
	if (c->set != NULL)
		CPU_FREE(c->set);
	c->set = NULL;
	c->size = 0;
}

int
procattr_cpuset_apply(pid_t pid, const struct procattr_cpuset *c, struct err *err)
{
	/* No set: every CPU; the kernel narrows it to the cgroup's cpuset. */
	union {
		cpu_set_t set;
		unsigned char bytes[PROCATTR_MAX_CPU / 8 + 1];
	} all;

	if (c->set != NULL) {
		if (sched_setaffinity(pid, c->size, c->set) < 0)
			return err_sys(err, "sched_setaffinity");
		return 0;
	}
	memset(&all, 0xff, sizeof(all));
	if (sched_setaffinity(pid, sizeof(all), &all.set) < 0)
		return err_sys(err, "sched_setaffinity (all cpus)");
	return 0;
}
