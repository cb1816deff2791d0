/* ns: namespaces of the container: created, joined by path, user ns maps, time offsets. */
#include "rt_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/fdutil.h"
#include "base/sys.h"
#include "base/xalloc.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

void
rt__ns_close(int fds[RT_NS_NKINDS])
{
	for (int k = 0; k < RT_NS_NKINDS; k++) {
		if (fds[k] >= 0)
			close(fds[k]);
		fds[k] = -1;
	}
}

int
rt__ns_open_paths(const struct rt_spec *spec, int fds[RT_NS_NKINDS], struct err *err)
{
	for (int k = 0; k < RT_NS_NKINDS; k++)
		fds[k] = -1;
	for (int k = 0; k < RT_NS_NKINDS; k++) {
		const struct rt_namespace *ns = &spec->linux.ns[k];
		if (!ns->present || ns->path == NULL || ns->path[0] == '\0')
			continue;
		fds[k] = open(ns->path, O_RDONLY | O_CLOEXEC);
		if (fds[k] < 0) {
			err_sys(err, "open %s namespace %s", rt_ns_name((enum rt_ns_kind)k), ns->path);
			rt__ns_close(fds);
			return -1;
		}
	}
	return 0;
}

int
rt__ns_new_flags(const struct rt_spec *spec)
{
	int flags = 0;

	for (int k = 0; k < RT_NS_NKINDS; k++) {
		const struct rt_namespace *ns = &spec->linux.ns[k];
		if (ns->present && (ns->path == NULL || ns->path[0] == '\0'))
			flags |= rt_ns_clone_flag((enum rt_ns_kind)k);
	}
	return flags;
}

static const int ns_join_order[] = {RT_NS_USER, RT_NS_IPC,    RT_NS_UTS,  RT_NS_NET,
				    RT_NS_PID,	RT_NS_CGROUP, RT_NS_TIME, RT_NS_MOUNT};

int
rt__ns_join(int fds[RT_NS_NKINDS], struct err *err)
{
	for (size_t i = 0; i < ARRAY_SIZE(ns_join_order); i++) {
		int k = ns_join_order[i];
		if (fds[k] < 0)
			continue;
		if (sys_setns(fds[k], rt_ns_clone_flag((enum rt_ns_kind)k)) < 0)
			return err_sys(err, "join %s namespace", rt_ns_name((enum rt_ns_kind)k));
		close(fds[k]);
		fds[k] = -1;
	}
	return 0;
}

int
rt__ns_open_pid(pid_t pid, int fds[RT_NS_NKINDS], struct err *err)
{
	for (int k = 0; k < RT_NS_NKINDS; k++)
		fds[k] = -1;
	for (int k = 0; k < RT_NS_NKINDS; k++) {
		char path[64], self[64];
		struct stat a, b;
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid,
			 rt_ns_proc_name((enum rt_ns_kind)k));
		snprintf(self, sizeof(self), "/proc/self/ns/%s", rt_ns_proc_name((enum rt_ns_kind)k));
		if (stat(path, &a) < 0) {
			if (errno == ENOENT)
				continue; /* the kernel lacks this kind */
			err_sys(err, "stat %s", path);
			rt__ns_close(fds);
			return -1;
		}
		if (stat(self, &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev)
			continue;
		fds[k] = open(path, O_RDONLY | O_CLOEXEC);
		if (fds[k] < 0) {
			err_sys(err, "open %s", path);
			rt__ns_close(fds);
			return -1;
		}
	}
	return 0;
}

static char *
idmap_text(const struct rt_idmap *m, size_t n)
{
	size_t cap = n * 40 + 1, len = 0;
	char *buf = xmalloc(cap);

	buf[0] = '\0';
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(buf + len, cap - len, "%u %u %u\n", m[i].container_id,
					m[i].host_id, m[i].size);
	return buf;
}

int
rt__idmap_write(pid_t pid, const struct rt_idmap *uid_maps, size_t n_uid,
		const struct rt_idmap *gid_maps, size_t n_gid, struct err *err)
{
	cleanup_free char *uid = idmap_text(uid_maps, n_uid);
	cleanup_free char *gid = idmap_text(gid_maps, n_gid);
	char path[64];

	if (n_uid) {
		snprintf(path, sizeof(path), "/proc/%d/uid_map", (int)pid);
		if (write_file_at(AT_FDCWD, path, uid, strlen(uid), err) < 0)
			return err_wrap(err, "write uid mappings");
	}
	if (n_gid) {
		snprintf(path, sizeof(path), "/proc/%d/gid_map", (int)pid);
		if (write_file_at(AT_FDCWD, path, gid, strlen(gid), err) < 0)
			return err_wrap(err, "write gid mappings");
	}
	return 0;
}

int
rt__userns_write_maps(pid_t pid, const struct rt_spec *spec, struct err *err)
{
	const struct rt_linux *l = &spec->linux;

	return rt__idmap_write(pid, l->uid_mappings, l->n_uid_mappings, l->gid_mappings,
			       l->n_gid_mappings, err);
}

int
rt__timens_write_offsets(const struct rt_spec *spec, struct err *err)
{
	const struct rt_linux *l = &spec->linux;
	char buf[128];
	size_t n = 0;

	if (l->time_monotonic.has)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "monotonic %lld %u\n",
				      (long long)l->time_monotonic.secs, l->time_monotonic.nanosecs);
	if (l->time_boottime.has)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "boottime %lld %u\n",
				      (long long)l->time_boottime.secs, l->time_boottime.nanosecs);
	if (n == 0)
		return 0;
	/* one line per write: the kernel parses a single write as a whole */
	for (char *line = buf, *nl; (nl = strchr(line, '\n')) != NULL; line = nl + 1) {
		if (write_file_at(AT_FDCWD, "/proc/self/timens_offsets", line,
				  (size_t)(nl - line + 1), err) < 0)
			return err_wrap(err, "set time namespace offsets");
	}
	return 0;
}

void
rt__userns_root_ids(const struct rt_spec *spec, uid_t *uid, gid_t *gid)
{
	const struct rt_linux *l = &spec->linux;

	*uid = 0;
	*gid = 0;
	for (size_t i = 0; i < l->n_uid_mappings; i++)
		if (l->uid_mappings[i].container_id == 0)
			*uid = l->uid_mappings[i].host_id;
	for (size_t i = 0; i < l->n_gid_mappings; i++)
		if (l->gid_mappings[i].container_id == 0)
			*gid = l->gid_mappings[i].host_id;
}
