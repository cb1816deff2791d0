/* spec_gen: the default config.json that `husk spec` writes: the values of `runc spec`
 * (runc's specconv.Example) and, for --rootless, its ToRootless changes. Fields come out in the
 * order runc's Go structs give them, indented with tabs as runc does. */
#include "spec.h"

#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>

#include <yajl/yajl_gen.h>

#include "base/xalloc.h"
#include "rt.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

struct gen_mount {
	const char *destination, *type, *source;
	const char *options[8]; /* NULL-terminated */
};

static const struct gen_mount default_mounts[] = {
    {"/proc", "proc", "proc", {NULL}},
    {"/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k", NULL}},
    {"/dev/pts",
     "devpts",
     "devpts",
     {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5", NULL}},
    {"/dev/shm", "tmpfs", "shm", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k", NULL}},
    {"/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev", NULL}},
    {"/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro", NULL}},
    {"/sys/fs/cgroup", "cgroup", "cgroup", {"nosuid", "noexec", "nodev", "relatime", "ro", NULL}},
};

/* What ToRootless puts in place of the sysfs mount: a user namespace cannot mount sysfs
 * without its own network namespace. */
static const struct gen_mount rootless_sys = {
    "/sys", "none", "/sys", {"rbind", "nosuid", "noexec", "nodev", "ro", NULL}};

static const char *const default_caps[] = {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE",
                                           NULL};
static const char *const default_env[] = {
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm", NULL};
static const char *const masked_paths[] = {"/proc/acpi",
                                           "/proc/asound",
                                           "/proc/kcore",
                                           "/proc/keys",
                                           "/proc/latency_stats",
                                           "/proc/timer_list",
                                           "/proc/timer_stats",
                                           "/proc/sched_debug",
                                           "/sys/firmware",
                                           "/proc/scsi",
                                           "/sys/devices/virtual/tpm",
                                           NULL};
static const char *const readonly_paths[] = {
    "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL};

static void
gen_str(yajl_gen g, const char *s)
{
	yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

static void
gen_kv_str(yajl_gen g, const char *key, const char *value)
{
	gen_str(g, key);
	gen_str(g, value);
}

static void
gen_kv_int(yajl_gen g, const char *key, long long value)
{
	gen_str(g, key);
	yajl_gen_integer(g, value);
}

static void
gen_kv_bool(yajl_gen g, const char *key, bool value)
{
	gen_str(g, key);
	yajl_gen_bool(g, value);
}

/* key: [strings]; rootless drops uid= and gid= options, as ToRootless does. */
static void
gen_kv_strv(yajl_gen g, const char *key, const char *const *v, bool drop_ids)
{
	gen_str(g, key);
	yajl_gen_array_open(g);
	for (; *v; v++) {
		if (drop_ids && (strncmp(*v, "uid=", 4) == 0 || strncmp(*v, "gid=", 4) == 0))
			continue;
		gen_str(g, *v);
	}
	yajl_gen_array_close(g);
}

static void
gen_process(yajl_gen g)
{
	gen_str(g, "process");
	yajl_gen_map_open(g);
	gen_kv_bool(g, "terminal", true);
	gen_str(g, "user");
	yajl_gen_map_open(g);
	gen_kv_int(g, "uid", 0);
	gen_kv_int(g, "gid", 0);
	yajl_gen_map_close(g);
	gen_kv_strv(g, "args", (const char *const[]){"sh", NULL}, false);
	gen_kv_strv(g, "env", default_env, false);
	gen_kv_str(g, "cwd", "/");
	gen_str(g, "capabilities");
	yajl_gen_map_open(g);
	gen_kv_strv(g, "bounding", default_caps, false);
	gen_kv_strv(g, "effective", default_caps, false);
	gen_kv_strv(g, "permitted", default_caps, false);
	yajl_gen_map_close(g);
	gen_str(g, "rlimits");
	yajl_gen_array_open(g);
	yajl_gen_map_open(g);
	gen_kv_str(g, "type", "RLIMIT_NOFILE");
	gen_kv_int(g, "hard", 1024);
	gen_kv_int(g, "soft", 1024);
	yajl_gen_map_close(g);
	yajl_gen_array_close(g);
	gen_kv_bool(g, "noNewPrivileges", true);
	yajl_gen_map_close(g);
}

static void
gen_mount_one(yajl_gen g, const struct gen_mount *m, bool rootless)
{
	yajl_gen_map_open(g);
	gen_kv_str(g, "destination", m->destination);
	gen_kv_str(g, "type", m->type);
	gen_kv_str(g, "source", m->source);
	if (m->options[0] != NULL)
		gen_kv_strv(g, "options", m->options, rootless);
	yajl_gen_map_close(g);
}

static void
gen_mounts(yajl_gen g, bool rootless)
{
	gen_str(g, "mounts");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < sizeof(default_mounts) / sizeof(default_mounts[0]); i++) {
		const struct gen_mount *m = &default_mounts[i];
		if (rootless && strcmp(m->destination, "/sys") == 0)
			m = &rootless_sys;
		gen_mount_one(g, m, rootless);
	}
	yajl_gen_array_close(g);
}

static void
gen_idmap(yajl_gen g, const char *key, unsigned long long host_id)
{
	gen_str(g, key);
	yajl_gen_array_open(g);
	yajl_gen_map_open(g);
	gen_kv_int(g, "containerID", 0);
	gen_kv_int(g, "hostID", (long long)host_id);
	gen_kv_int(g, "size", 1);
	yajl_gen_map_close(g);
	yajl_gen_array_close(g);
}

/* runc adds a cgroup namespace when the host is cgroup v2 only. */
static bool
host_is_cgroup2(void)
{
	struct statfs sf;

	return statfs("/sys/fs/cgroup", &sf) == 0 &&
	       (unsigned long)sf.f_type == CGROUP2_SUPER_MAGIC;
}

static void
gen_linux(yajl_gen g, bool rootless, uid_t uid, gid_t gid)
{
	const char *ns[8];
	size_t n = 0;

	gen_str(g, "linux");
	yajl_gen_map_open(g);
	if (rootless) {
		gen_idmap(g, "uidMappings", uid);
		gen_idmap(g, "gidMappings", gid);
	} else {
		gen_str(g, "resources");
		yajl_gen_map_open(g);
		gen_str(g, "devices");
		yajl_gen_array_open(g);
		yajl_gen_map_open(g);
		gen_kv_bool(g, "allow", false);
		gen_kv_str(g, "access", "rwm");
		yajl_gen_map_close(g);
		yajl_gen_array_close(g);
		yajl_gen_map_close(g);
	}
	ns[n++] = "pid";
	if (!rootless)
		ns[n++] = "network";
	ns[n++] = "ipc";
	ns[n++] = "uts";
	ns[n++] = "mount";
	if (host_is_cgroup2())
		ns[n++] = "cgroup";
	if (rootless)
		ns[n++] = "user";
	gen_str(g, "namespaces");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < n; i++) {
		yajl_gen_map_open(g);
		gen_kv_str(g, "type", ns[i]);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
	gen_kv_strv(g, "maskedPaths", masked_paths, false);
	gen_kv_strv(g, "readonlyPaths", readonly_paths, false);
	yajl_gen_map_close(g);
}

char *
rt_spec_default_json(bool rootless, uid_t uid, gid_t gid)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	const unsigned char *buf = NULL;
	size_t len = 0;
	char *out;

	if (g == NULL)
		abort(); /* out of memory, as xmalloc */
	yajl_gen_config(g, yajl_gen_beautify, 1);
	yajl_gen_config(g, yajl_gen_indent_string, "\t");
	yajl_gen_map_open(g);
	gen_kv_str(g, "ociVersion", RT_OCI_VERSION);
	gen_process(g);
	gen_str(g, "root");
	yajl_gen_map_open(g);
	gen_kv_str(g, "path", "rootfs");
	gen_kv_bool(g, "readonly", true);
	yajl_gen_map_close(g);
	gen_kv_str(g, "hostname", "runc");
	gen_mounts(g, rootless);
	gen_linux(g, rootless, uid, gid);
	yajl_gen_map_close(g);
	yajl_gen_get_buf(g, &buf, &len);
	out = xstrndup((const char *)buf, len);
	yajl_gen_free(g);
	return out;
}
