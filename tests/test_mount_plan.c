/* Unit tests for mount_plan.c: every OCI mount option to flags, cleared flags, propagation,
 * recursive attributes and data; path cleaning, /proc targets, remount flag computation. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/statvfs.h>

#include <cmocka.h>

#include "base/cleanup.h"
#include "runtime/mount.h"
#include "runtime/mount_internal.h"
#include "runtime/spec.h"

#define OPTS(...) ((char *[]){__VA_ARGS__, NULL})

static int
plan(const char *type, char **opts, struct mount_plan *p, struct err *err)
{
	struct rt_mount m = {
	    .destination = "/mnt", .type = (char *)type, .source = "src", .options = opts};

	return mount_plan_make(&m, p, err);
}

struct flag_case {
	const char *opt;
	unsigned long set, clear;
};

static const struct flag_case flag_cases[] = {
    {"ro", MS_RDONLY, 0},
    {"rw", 0, MS_RDONLY},
    {"nosuid", MS_NOSUID, 0},
    {"suid", 0, MS_NOSUID},
    {"nodev", MS_NODEV, 0},
    {"dev", 0, MS_NODEV},
    {"noexec", MS_NOEXEC, 0},
    {"exec", 0, MS_NOEXEC},
    {"sync", MS_SYNCHRONOUS, 0},
    {"async", 0, MS_SYNCHRONOUS},
    {"dirsync", MS_DIRSYNC, 0},
    {"remount", MS_REMOUNT, 0},
    {"mand", MS_MANDLOCK, 0},
    {"nomand", 0, MS_MANDLOCK},
    {"noatime", MS_NOATIME, 0},
    {"atime", 0, MS_NOATIME},
    {"nodiratime", MS_NODIRATIME, 0},
    {"diratime", 0, MS_NODIRATIME},
    {"relatime", MS_RELATIME, 0},
    {"norelatime", 0, MS_RELATIME},
    {"strictatime", MS_STRICTATIME, 0},
    {"nostrictatime", 0, MS_STRICTATIME},
    {"lazytime", MS_LAZYTIME, 0},
    {"nolazytime", 0, MS_LAZYTIME},
    {"silent", MS_SILENT, 0},
    {"loud", 0, MS_SILENT},
    {"iversion", MS_I_VERSION, 0},
    {"noiversion", 0, MS_I_VERSION},
    {"nosymfollow", MS_NOSYMFOLLOW, 0},
    {"symfollow", 0, MS_NOSYMFOLLOW},
    {"defaults", 0, 0},
};

static void
each_flag_option(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(flag_cases); i++) {
		struct mount_plan p;
		struct err err = {0};

		assert_int_equal(plan("tmpfs", OPTS((char *)flag_cases[i].opt), &p, &err), 0);
		if (p.flags != flag_cases[i].set || p.clear != flag_cases[i].clear)
			fail_msg("%s: flags %#lx clear %#lx", flag_cases[i].opt, p.flags, p.clear);
		assert_int_equal(p.kind, MOUNT_KIND_FS);
		assert_null(p.data);
		assert_int_equal(p.n_propagation, 0);
		assert_false(p.needs_remount);
		mount_plan_fini(&p);
	}
}

static void
last_option_wins(void **state)
{
	struct mount_plan p;
	struct err err = {0};

	(void)state;
	assert_int_equal(plan("tmpfs", OPTS("ro", "rw", "nosuid", "suid", "nosuid"), &p, &err), 0);
	assert_int_equal(p.flags, MS_NOSUID);
	assert_int_equal(p.clear, MS_RDONLY);
	mount_plan_fini(&p);
}

static void
propagation_options(void **state)
{
	static const struct {
		const char *opt;
		unsigned long flag;
	} cases[] = {
	    {"private", MS_PRIVATE},       {"rprivate", MS_PRIVATE | MS_REC},
	    {"shared", MS_SHARED},         {"rshared", MS_SHARED | MS_REC},
	    {"slave", MS_SLAVE},           {"rslave", MS_SLAVE | MS_REC},
	    {"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC},
	};
	struct mount_plan p;
	struct err err = {0};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		assert_int_equal(plan("tmpfs", OPTS((char *)cases[i].opt), &p, &err), 0);
		assert_int_equal(p.n_propagation, 1);
		assert_int_equal(p.propagation[0], cases[i].flag);
		assert_int_equal(p.flags, 0); /* not mixed into the mount(2) flags */
		mount_plan_fini(&p);
	}
	/* several: applied in order */
	assert_int_equal(plan("tmpfs", OPTS("rshared", "runbindable"), &p, &err), 0);
	assert_int_equal(p.n_propagation, 2);
	assert_int_equal(p.propagation[0], MS_SHARED | MS_REC);
	assert_int_equal(p.propagation[1], MS_UNBINDABLE | MS_REC);
	mount_plan_fini(&p);
	assert_int_equal(
	    plan("tmpfs", OPTS("shared", "slave", "private", "shared", "slave"), &p, &err), -1);
	assert_int_equal(err.code, EINVAL);
	assert_non_null(strstr(err.msg, "/mnt"));
}

static void
recursive_attributes(void **state)
{
	static const struct {
		const char *opt;
		uint64_t set, clr;
	} cases[] = {
	    {"rro", MOUNT_ATTR_RDONLY, 0},
	    {"rrw", 0, MOUNT_ATTR_RDONLY},
	    {"rnosuid", MOUNT_ATTR_NOSUID, 0},
	    {"rsuid", 0, MOUNT_ATTR_NOSUID},
	    {"rnodev", MOUNT_ATTR_NODEV, 0},
	    {"rdev", 0, MOUNT_ATTR_NODEV},
	    {"rnoexec", MOUNT_ATTR_NOEXEC, 0},
	    {"rexec", 0, MOUNT_ATTR_NOEXEC},
	    {"rnodiratime", MOUNT_ATTR_NODIRATIME, 0},
	    {"rdiratime", 0, MOUNT_ATTR_NODIRATIME},
	    {"rnosymfollow", MOUNT_ATTR_NOSYMFOLLOW, 0},
	    {"rsymfollow", 0, MOUNT_ATTR_NOSYMFOLLOW},
	    /* atime modes: the kernel wants the whole __ATIME mask cleared */
	    {"rnoatime", MOUNT_ATTR_NOATIME, MOUNT_ATTR__ATIME},
	    {"rstrictatime", MOUNT_ATTR_STRICTATIME, MOUNT_ATTR__ATIME},
	    {"rrelatime", MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME},
	    {"ratime", MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME},
	    {"rnostrictatime", MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME},
	    {"rnorelatime", MOUNT_ATTR_STRICTATIME, MOUNT_ATTR__ATIME},
	};
	struct mount_plan p;
	struct err err = {0};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		assert_int_equal(plan("bind", OPTS("rbind", (char *)cases[i].opt), &p, &err), 0);
		if (p.attr_set != cases[i].set || p.attr_clr != cases[i].clr)
			fail_msg("%s: set %#llx clr %#llx", cases[i].opt,
			         (unsigned long long)p.attr_set, (unsigned long long)p.attr_clr);
		assert_int_equal(p.flags, MS_BIND | MS_REC);
		assert_false(p.needs_remount); /* mount_setattr, not a remount */
		mount_plan_fini(&p);
	}
	/* rro then rrw: the last wins */
	assert_int_equal(
	    plan("bind", OPTS("rbind", "rro", "rrw", "rnoatime", "rstrictatime"), &p, &err), 0);
	assert_int_equal(p.attr_set, MOUNT_ATTR_STRICTATIME);
	assert_int_equal(p.attr_clr, MOUNT_ATTR_RDONLY | MOUNT_ATTR__ATIME);
	mount_plan_fini(&p);
}

static void
data_options_joined(void **state)
{
	struct mount_plan p;
	struct err err = {0};

	(void)state;
	assert_int_equal(plan("tmpfs",
	                      OPTS("nosuid", "size=65536k", "strictatime", "mode=755", "uid=5"), &p,
	                      &err),
	                 0);
	assert_string_equal(p.data, "size=65536k,mode=755,uid=5");
	assert_int_equal(p.flags, MS_NOSUID | MS_STRICTATIME);
	mount_plan_fini(&p);
	assert_null(p.data);

	assert_int_equal(
	    plan("devpts",
	         OPTS("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"), &p,
	         &err),
	    0);
	assert_string_equal(p.data, "newinstance,ptmxmode=0666,mode=0620,gid=5");
	mount_plan_fini(&p);

	assert_int_equal(plan("tmpfs", OPTS("nosuid", ""), &p, &err), -1);
	assert_int_equal(err.code, EINVAL);
}

static void
bind_kinds_and_remount(void **state)
{
	struct mount_plan p;
	struct err err = {0};

	(void)state;
	/* type bind without options: a plain bind */
	assert_int_equal(plan("bind", NULL, &p, &err), 0);
	assert_int_equal(p.kind, MOUNT_KIND_BIND);
	assert_int_equal(p.flags, MS_BIND);
	assert_false(p.needs_remount);
	mount_plan_fini(&p);
	/* no type, rbind: recursive */
	assert_int_equal(plan(NULL, OPTS("rbind"), &p, &err), 0);
	assert_int_equal(p.kind, MOUNT_KIND_BIND);
	assert_int_equal(p.flags, MS_BIND | MS_REC);
	assert_false(p.needs_remount);
	mount_plan_fini(&p);
	/* any type with "bind" is a bind (docker sends type "none") */
	assert_int_equal(plan("none", OPTS("bind", "ro"), &p, &err), 0);
	assert_int_equal(p.kind, MOUNT_KIND_BIND);
	assert_int_equal(p.flags, MS_BIND | MS_RDONLY);
	assert_true(p.needs_remount);
	mount_plan_fini(&p);
	/* a cleared flag asks for a remount too */
	assert_int_equal(plan("bind", OPTS("rbind", "rw"), &p, &err), 0);
	assert_true(p.needs_remount);
	mount_plan_fini(&p);
	/* propagation alone does not */
	assert_int_equal(plan("bind", OPTS("rbind", "rprivate"), &p, &err), 0);
	assert_false(p.needs_remount);
	assert_int_equal(p.n_propagation, 1);
	mount_plan_fini(&p);
	/* non-bind never needs one: flags go to mount(2) directly */
	assert_int_equal(plan("proc", OPTS("nosuid", "noexec", "nodev", "ro"), &p, &err), 0);
	assert_int_equal(p.kind, MOUNT_KIND_FS);
	assert_false(p.needs_remount);
	mount_plan_fini(&p);
}

static void
cgroup_kind(void **state)
{
	struct mount_plan p;
	struct err err = {0};

	(void)state;
	assert_int_equal(
	    plan("cgroup", OPTS("nosuid", "noexec", "nodev", "relatime", "ro"), &p, &err), 0);
	assert_int_equal(p.kind, MOUNT_KIND_CGROUP);
	assert_int_equal(p.flags, MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RELATIME | MS_RDONLY);
	mount_plan_fini(&p);
	assert_int_equal(plan("cgroup2", NULL, &p, &err), 0);
	assert_int_equal(p.kind, MOUNT_KIND_CGROUP);
	mount_plan_fini(&p);
	/* a bind of /sys/fs/cgroup stays a bind */
	assert_int_equal(plan("cgroup", OPTS("rbind"), &p, &err), 0);
	assert_int_equal(p.kind, MOUNT_KIND_BIND);
	mount_plan_fini(&p);
}

static void
unsupported_and_bad(void **state)
{
	struct mount_plan p;
	struct err err = {0};
	struct rt_idmap map = {0, 1000, 1};
	struct rt_mount m = {.destination = "/x",
	                     .type = "bind",
	                     .source = "/y",
	                     .uid_mappings = &map,
	                     .n_uid_mappings = 1};

	(void)state;
	assert_int_equal(plan("tmpfs", OPTS("tmpcopyup"), &p, &err), -1);
	assert_int_equal(err.code, EOPNOTSUPP);
	assert_non_null(strstr(err.msg, "tmpcopyup is not supported"));
	/* uid mappings without gid mappings */
	assert_int_equal(mount_plan_make(&m, &p, &err), -1);
	assert_int_equal(err.code, EINVAL);
	assert_non_null(strstr(err.msg, "uidMappings and gidMappings must be given together"));
	m.n_uid_mappings = 0;
	m.destination = "";
	assert_int_equal(mount_plan_make(&m, &p, &err), -1);
	assert_int_equal(err.code, EINVAL);
}

static void
idmapped(void **state)
{
	struct mount_plan p;
	struct err err = {0};
	struct rt_idmap map = {0, 1000, 1};
	struct rt_mount m = {.destination = "/x",
	                     .type = "bind",
	                     .source = "/y",
	                     .options = OPTS("rbind"),
	                     .uid_mappings = &map,
	                     .n_uid_mappings = 1,
	                     .gid_mappings = &map,
	                     .n_gid_mappings = 1};

	(void)state;
	/* mappings alone: the top mount only, of an rbind tree too */
	assert_int_equal(mount_plan_make(&m, &p, &err), 0);
	assert_int_equal(p.idmap, MOUNT_IDMAP_TOP);
	assert_int_equal(p.flags & (MS_BIND | MS_REC), MS_BIND | MS_REC);
	mount_plan_fini(&p);
	m.options = OPTS("rbind", "ridmap");
	assert_int_equal(mount_plan_make(&m, &p, &err), 0);
	assert_int_equal(p.idmap, MOUNT_IDMAP_RECURSIVE);
	mount_plan_fini(&p);
	/* the options without mappings (the container's are used) */
	assert_int_equal(plan("bind", OPTS("bind", "idmap", "ro"), &p, &err), 0);
	assert_int_equal(p.idmap, MOUNT_IDMAP_TOP);
	assert_true(p.needs_remount);
	assert_null(p.data); /* not filesystem data */
	mount_plan_fini(&p);
	assert_int_equal(plan(NULL, OPTS("rbind", "ridmap"), &p, &err), 0);
	assert_int_equal(p.idmap, MOUNT_IDMAP_RECURSIVE);
	mount_plan_fini(&p);
	/* only a bind can be idmapped */
	assert_int_equal(plan("tmpfs", OPTS("idmap"), &p, &err), -1);
	assert_int_equal(err.code, EINVAL);
	assert_non_null(strstr(err.msg, "must be a bind mount"));
	m.type = "tmpfs";
	m.options = NULL;
	assert_int_equal(mount_plan_make(&m, &p, &err), -1);
	assert_int_equal(err.code, EINVAL);
	/* nothing asked: not idmapped */
	assert_int_equal(plan("bind", OPTS("rbind"), &p, &err), 0);
	assert_int_equal(p.idmap, MOUNT_IDMAP_NONE);
	mount_plan_fini(&p);
}

static void
rootfs_propagation_names(void **state)
{
	unsigned long f = 1;
	struct err err = {0};

	(void)state;
	assert_int_equal(mount_propagation_flags(NULL, &f, &err), 0);
	assert_int_equal(f, 0);
	assert_int_equal(mount_propagation_flags("", &f, &err), 0);
	assert_int_equal(f, 0);
	assert_int_equal(mount_propagation_flags("rslave", &f, &err), 0);
	assert_int_equal(f, MS_SLAVE | MS_REC);
	assert_int_equal(mount_propagation_flags("shared", &f, &err), 0);
	assert_int_equal(f, MS_SHARED);
	assert_int_equal(mount_propagation_flags("bogus", &f, &err), -1);
	assert_int_equal(err.code, EINVAL);
	assert_non_null(strstr(err.msg, "rootfsPropagation"));
	assert_non_null(strstr(err.msg, "bogus"));
}

static void
statvfs_and_remount_flags(void **state)
{
	(void)state;
	assert_int_equal(mount_flags_from_statvfs(ST_RDONLY | ST_NOSUID | ST_RELATIME),
	                 MS_RDONLY | MS_NOSUID | MS_RELATIME);
	assert_int_equal(
	    mount_flags_from_statvfs(ST_NODEV | ST_NOEXEC | ST_NOATIME | ST_NODIRATIME),
	    MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME);
	/* neither noatime nor relatime: strictatime */
	assert_int_equal(mount_flags_from_statvfs(0), MS_STRICTATIME);
	/* ST_VALID and others are not mount flags */
	assert_int_equal(mount_flags_from_statvfs(0x20 | ST_RELATIME), MS_RELATIME);

	/* ro on a nosuid,nodev,relatime source keeps those */
	assert_int_equal(
	    mount_bind_remount_flags(MS_BIND | MS_RDONLY, 0, MS_NOSUID | MS_NODEV | MS_RELATIME),
	    MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_RELATIME);
	/* an explicit rw / suid is honoured: not copied from the source */
	assert_int_equal(mount_bind_remount_flags(MS_BIND, MS_RDONLY | MS_NOSUID,
	                                          MS_RDONLY | MS_NOSUID | MS_NOEXEC | MS_NOATIME),
	                 MS_BIND | MS_REMOUNT | MS_NOEXEC | MS_NOATIME);
	/* a requested atime mode replaces the source's */
	assert_int_equal(mount_bind_remount_flags(MS_BIND | MS_STRICTATIME, 0, MS_RELATIME),
	                 MS_BIND | MS_REMOUNT | MS_STRICTATIME);
	/* MS_REC means nothing to a remount */
	assert_int_equal(mount_bind_remount_flags(MS_BIND | MS_REC | MS_NOEXEC, 0, MS_RELATIME),
	                 MS_BIND | MS_REMOUNT | MS_NOEXEC | MS_RELATIME);
}

static void
clean_paths(void **state)
{
	static const char *const cases[][2] = {
	    {"/", "/"},
	    {"", "/"},
	    {"/a//b/./c/", "/a/b/c"},
	    {"a/b", "/a/b"},
	    {"/../x", "/../x"},
	    {"./", "/"},
	    {"/dev/", "/dev"},
	    {"//proc///sys", "/proc/sys"},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		cleanup_free char *c = mount_clean_path(cases[i][0]);

		assert_string_equal(c, cases[i][1]);
	}
}

static void
proc_targets(void **state)
{
	(void)state;
	assert_true(mount_dest_allowed("/proc", "proc"));
	assert_false(mount_dest_allowed("/proc", "tmpfs"));
	assert_false(mount_dest_allowed("/proc", NULL));
	assert_true(mount_dest_allowed("/proc/cpuinfo", NULL));
	assert_true(mount_dest_allowed("/proc/meminfo", "bind"));
	assert_true(mount_dest_allowed("/proc/sys/kernel/ns_last_pid", NULL));
	assert_false(mount_dest_allowed("/proc/self/attr", NULL));
	assert_false(mount_dest_allowed("/proc/sys", "tmpfs"));
	assert_false(mount_dest_allowed("/proc/1/root", "bind"));
	assert_true(mount_dest_allowed("/processes", "tmpfs"));
	assert_true(mount_dest_allowed("/", "bind"));
	assert_true(mount_dest_allowed("/data", NULL));
}

static const char mountinfo_v1[] =
    "22 27 0:21 / /proc rw,relatime - proc proc rw\n"
    "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid shared:9 - cgroup cgroup rw,cpu,cpuacct\n"
    "35 31 0:32 /outer /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
    "40 31 0:37 / /sys/fs/cgroup/sys\\040temd rw,relatime - cgroup cgroup rw,xattr,name=systemd\n"
    "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw,nsdelegate\n";

static void
cgroup_v1_parse(void **state)
{
	static const char self[] = "12:name=systemd:/user.slice/x\n"
	                           "4:memory:/outer/inner\n"
	                           "3:cpu,cpuacct:/c1\n"
	                           "2:pids:/p\n" /* no such mount: skipped */
	                           "0::/unified/path\n";
	struct mount_cgroup_v1 *v = NULL;
	size_t n = 0;
	cleanup_free char *v2 = NULL;

	(void)state;
	mount_cgroup_v1_parse(mountinfo_v1, self, &v, &n);
	assert_int_equal(n, 3);
	assert_string_equal(v[0].mountpoint, "/sys/fs/cgroup/sys temd"); /* \040 unescaped */
	assert_string_equal(v[0].controllers, "name=systemd");
	assert_string_equal(v[0].path, "/user.slice/x");
	assert_string_equal(v[0].root, "/");
	assert_string_equal(v[1].mountpoint, "/sys/fs/cgroup/memory");
	assert_string_equal(v[1].root, "/outer");
	assert_string_equal(v[1].path, "/outer/inner");
	assert_string_equal(v[2].mountpoint, "/sys/fs/cgroup/cpu,cpuacct");
	assert_string_equal(v[2].controllers, "cpu,cpuacct");
	mount_cgroup_v1_free(v, n);

	v2 = mount_cgroup_v2_path(self);
	assert_string_equal(v2, "/unified/path");
	assert_null(mount_cgroup_v2_path("1:cpu:/\n"));

	/* relative paths for the bind source; outside the root: NULL (cannot be bound) */
	assert_string_equal(mount_cgroup_rel("/", "/a/b"), "/a/b");
	assert_string_equal(mount_cgroup_rel("/outer", "/outer/inner"), "/inner");
	assert_string_equal(mount_cgroup_rel("/outer", "/outer"), "");
	assert_null(mount_cgroup_rel("/outer", "/outerx/y"));
	assert_null(mount_cgroup_rel("/outer", "/elsewhere"));
	assert_null(mount_cgroup_rel("/../..", "/")); /* seen from inside a cgroup namespace */
	/* "cpu" alone does not match "cpu,cpuacct"'s line? it does: every controller listed
	 * in /proc/self/cgroup must be in the mount's options */
	mount_cgroup_v1_parse(mountinfo_v1, "3:cpu:/z\n", &v, &n);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].mountpoint, "/sys/fs/cgroup/cpu,cpuacct");
	mount_cgroup_v1_free(v, n);
	/* garbage is skipped, not a crash */
	mount_cgroup_v1_parse("x\n- - -\n\n", "::\n:\n1:cpu\n", &v, &n);
	assert_int_equal(n, 0);
	mount_cgroup_v1_free(v, n);
}

static void
dev_setup_needed(void **state)
{
	struct rt_mount devtmpfs = {.destination = "/dev", .type = "tmpfs"};
	struct rt_mount devbind = {.destination = "/dev/", .type = "bind", .source = "/dev"};
	struct rt_mount devrbind = {
	    .destination = "/dev", .source = "/dev", .options = OPTS("rbind")};
	struct rt_spec spec = {.mounts = &devtmpfs, .n_mounts = 1};

	(void)state;
	assert_true(mount_needs_dev_setup(&spec));
	spec.mounts = &devbind;
	assert_false(mount_needs_dev_setup(&spec));
	spec.mounts = &devrbind;
	assert_false(mount_needs_dev_setup(&spec));
	spec.n_mounts = 0;
	assert_true(mount_needs_dev_setup(&spec));
}

static void
env_from_spec(void **state)
{
	struct rt_spec spec = {.has_linux = true};
	struct mount_env env;

	(void)state;
	mount_env_from_spec(&spec, &env);
	assert_false(env.userns);
	assert_true(env.new_netns);
	assert_false(env.cgroupns);
	spec.linux.ns[RT_NS_USER].present = true;
	spec.linux.ns[RT_NS_NET].present = true;
	spec.linux.ns[RT_NS_CGROUP].present = true;
	mount_env_from_spec(&spec, &env);
	assert_true(env.userns);
	assert_true(env.new_netns);
	assert_true(env.cgroupns);
	spec.linux.ns[RT_NS_NET].path = "/proc/1/ns/net";
	mount_env_from_spec(&spec, &env);
	assert_false(env.new_netns);
	assert_int_equal(env.resolve, MOUNT_RESOLVE_AUTO);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(each_flag_option),
	    cmocka_unit_test(last_option_wins),
	    cmocka_unit_test(propagation_options),
	    cmocka_unit_test(recursive_attributes),
	    cmocka_unit_test(data_options_joined),
	    cmocka_unit_test(bind_kinds_and_remount),
	    cmocka_unit_test(cgroup_kind),
	    cmocka_unit_test(unsupported_and_bad),
	    cmocka_unit_test(idmapped),
	    cmocka_unit_test(rootfs_propagation_names),
	    cmocka_unit_test(statvfs_and_remount_flags),
	    cmocka_unit_test(clean_paths),
	    cmocka_unit_test(proc_targets),
	    cmocka_unit_test(cgroup_v1_parse),
	    cmocka_unit_test(dev_setup_needed),
	    cmocka_unit_test(env_from_spec),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
