/* mount_plan: spec mount options -> mount(2) flags, propagation, mount_setattr attributes and
 * filesystem data. Pure: no syscalls, unit-tested exhaustively. */
#include "mount_plan.h"

#include <errno.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/statvfs.h>

#include "base/cleanup.h"
#include "base/xalloc.h"
#include "mount_internal.h"
#include "spec.h"

#ifndef ST_NOSYMFOLLOW
#define MOUNT_ST_NOSYMFOLLOW 0x2000UL
#else
#define MOUNT_ST_NOSYMFOLLOW ST_NOSYMFOLLOW
#endif

/* A word of a table other than the shared flags (recursive attributes). */
struct mount_opt {
	const char *name;
	bool clear;
	unsigned long flag;
};

struct mount_flag {
	const char *name;
	enum mount_flag_kind kind;
	bool clear;
	unsigned long flag;
};

#define COMMON MOUNT_FLAG_COMMON
#define EXTRA MOUNT_FLAG_EXTRA
#define PROP MOUNT_FLAG_PROPAGATION

/* mount(8) option names (the runtime spec points there), as runc and crun accept them; COMMON
 * marks the words containerd's mount package (mount_linux.go parseMountOptions) knows too. */
static const struct mount_flag mount_flags[] = {
    {"async", COMMON, true, MS_SYNCHRONOUS},
    {"atime", COMMON, true, MS_NOATIME},
    {"bind", COMMON, false, MS_BIND},
    {"defaults", COMMON, false, 0},
    {"dev", COMMON, true, MS_NODEV},
    {"diratime", COMMON, true, MS_NODIRATIME},
    {"dirsync", COMMON, false, MS_DIRSYNC},
    {"exec", COMMON, true, MS_NOEXEC},
    {"iversion", EXTRA, false, MS_I_VERSION},
    {"lazytime", EXTRA, false, MS_LAZYTIME},
    {"loud", EXTRA, true, MS_SILENT},
    {"mand", COMMON, false, MS_MANDLOCK},
    {"noatime", COMMON, false, MS_NOATIME},
    {"nodev", COMMON, false, MS_NODEV},
    {"nodiratime", COMMON, false, MS_NODIRATIME},
    {"noexec", COMMON, false, MS_NOEXEC},
    {"noiversion", EXTRA, true, MS_I_VERSION},
    {"nolazytime", EXTRA, true, MS_LAZYTIME},
    {"nomand", COMMON, true, MS_MANDLOCK},
    {"norelatime", COMMON, true, MS_RELATIME},
    {"nostrictatime", COMMON, true, MS_STRICTATIME},
    {"nosuid", COMMON, false, MS_NOSUID},
    {"nosymfollow", EXTRA, false, MS_NOSYMFOLLOW},
    {"rbind", COMMON, false, MS_BIND | MS_REC},
    {"relatime", COMMON, false, MS_RELATIME},
    {"remount", COMMON, false, MS_REMOUNT},
    {"ro", COMMON, false, MS_RDONLY},
    {"rw", COMMON, true, MS_RDONLY},
    {"silent", EXTRA, false, MS_SILENT},
    {"strictatime", COMMON, false, MS_STRICTATIME},
    {"suid", COMMON, true, MS_NOSUID},
    {"symfollow", EXTRA, true, MS_NOSYMFOLLOW},
    {"sync", COMMON, false, MS_SYNCHRONOUS},
    {"private", PROP, false, MS_PRIVATE},
    {"rprivate", PROP, false, MS_PRIVATE | MS_REC},
    {"shared", PROP, false, MS_SHARED},
    {"rshared", PROP, false, MS_SHARED | MS_REC},
    {"slave", PROP, false, MS_SLAVE},
    {"rslave", PROP, false, MS_SLAVE | MS_REC},
    {"unbindable", PROP, false, MS_UNBINDABLE},
    {"runbindable", PROP, false, MS_UNBINDABLE | MS_REC},
};

#undef COMMON
#undef EXTRA
#undef PROP

enum mount_flag_kind
mount_flag_lookup(const char *name, unsigned long *flag, bool *clear)
{
	for (size_t i = 0; i < ARRAY_SIZE(mount_flags); i++) {
		if (strcmp(mount_flags[i].name, name) == 0) {
			*flag = mount_flags[i].flag;
			*clear = mount_flags[i].clear;
			return mount_flags[i].kind;
		}
	}
	return MOUNT_FLAG_NONE;
}

/* Recursive attributes (mount_setattr with AT_RECURSIVE), runtime-spec 1.1 "rro" etc. The
 * kernel wants an atime mode set together with MOUNT_ATTR__ATIME in attr_clr, and rejects a
 * partial atime clear, so undoing an atime mode ("ratime", "rnostrictatime") selects relatime
 * and "rnorelatime" selects strictatime (as mount(8) norelatime does). */
static const struct mount_opt mount_rattrs[] = {
    {"rro", false, MOUNT_ATTR_RDONLY},
    {"rrw", true, MOUNT_ATTR_RDONLY},
    {"rnosuid", false, MOUNT_ATTR_NOSUID},
    {"rsuid", true, MOUNT_ATTR_NOSUID},
    {"rnodev", false, MOUNT_ATTR_NODEV},
    {"rdev", true, MOUNT_ATTR_NODEV},
    {"rnoexec", false, MOUNT_ATTR_NOEXEC},
    {"rexec", true, MOUNT_ATTR_NOEXEC},
    {"rnodiratime", false, MOUNT_ATTR_NODIRATIME},
    {"rdiratime", true, MOUNT_ATTR_NODIRATIME},
    {"rnosymfollow", false, MOUNT_ATTR_NOSYMFOLLOW},
    {"rsymfollow", true, MOUNT_ATTR_NOSYMFOLLOW},
};

struct mount_atime_opt {
	const char *name;
	uint64_t mode; /* the MOUNT_ATTR__ATIME value selected */
};

static const struct mount_atime_opt mount_ratimes[] = {
    {"rrelatime", MOUNT_ATTR_RELATIME},       {"rnorelatime", MOUNT_ATTR_STRICTATIME},
    {"rnoatime", MOUNT_ATTR_NOATIME},         {"ratime", MOUNT_ATTR_RELATIME},
    {"rstrictatime", MOUNT_ATTR_STRICTATIME}, {"rnostrictatime", MOUNT_ATTR_RELATIME},
};

static const char *const mount_idmap_words[] = {"idmap", "ridmap"};

size_t
mount_option_names(const char **out, size_t cap)
{
	size_t n = 0;

	for (size_t i = 0; i < ARRAY_SIZE(mount_flags); i++, n++)
		if (n < cap)
			out[n] = mount_flags[i].name;
	for (size_t i = 0; i < ARRAY_SIZE(mount_rattrs); i++, n++)
		if (n < cap)
			out[n] = mount_rattrs[i].name;
	for (size_t i = 0; i < ARRAY_SIZE(mount_ratimes); i++, n++)
		if (n < cap)
			out[n] = mount_ratimes[i].name;
	for (size_t i = 0; i < ARRAY_SIZE(mount_idmap_words); i++, n++)
		if (n < cap)
			out[n] = mount_idmap_words[i];
	return n;
}

static const struct mount_opt *
mount_opt_find(const struct mount_opt *tab, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(tab[i].name, name) == 0)
			return &tab[i];
	return NULL;
}

static void
mount_data_append(char **data, const char *opt)
{
	char *old = *data;

	*data = old ? xasprintf("%s,%s", old, opt) : xstrdup(opt);
	free(old);
}

static int
mount_plan_option(struct mount_plan *p, const struct rt_mount *m, const char *o, struct err *err)
{
	const struct mount_opt *f;
	enum mount_flag_kind kind;
	unsigned long flag = 0;
	bool clear = false;

	kind = mount_flag_lookup(o, &flag, &clear);
	if (kind == MOUNT_FLAG_COMMON || kind == MOUNT_FLAG_EXTRA) {
		if (clear) {
			p->flags &= ~flag;
			p->clear |= flag;
		} else {
			p->flags |= flag;
			p->clear &= ~flag;
		}
	} else if (kind == MOUNT_FLAG_PROPAGATION) {
		if (p->n_propagation == MOUNT_MAX_PROPAGATION)
			return err_set(err, EINVAL, "mount %s: more than %d propagation options",
			               m->destination, MOUNT_MAX_PROPAGATION);
		p->propagation[p->n_propagation++] = flag;
	} else if ((f = mount_opt_find(mount_rattrs, ARRAY_SIZE(mount_rattrs), o))) {
		if (f->clear) {
			p->attr_clr |= f->flag;
			p->attr_set &= ~(uint64_t)f->flag;
		} else {
			p->attr_set |= f->flag;
			p->attr_clr &= ~(uint64_t)f->flag;
		}
	} else if (strcmp(o, "idmap") == 0 || strcmp(o, "ridmap") == 0) {
		p->idmap = o[0] == 'r' ? MOUNT_IDMAP_RECURSIVE : MOUNT_IDMAP_TOP;
	} else if (strcmp(o, "tmpcopyup") == 0) {
		return err_set(err, EOPNOTSUPP, "mount %s: option %s is not supported",
		               m->destination, o);
	} else {
		for (size_t i = 0; i < ARRAY_SIZE(mount_ratimes); i++) {
			if (strcmp(mount_ratimes[i].name, o) == 0) {
				p->attr_set = (p->attr_set & ~(uint64_t)MOUNT_ATTR__ATIME) |
				              mount_ratimes[i].mode;
				p->attr_clr |= MOUNT_ATTR__ATIME;
				return 0;
			}
		}
		if (*o == '\0')
			return err_set(err, EINVAL, "mount %s: empty option", m->destination);
		mount_data_append(&p->data, o);
	}
	return 0;
}

int
mount_plan_make(const struct rt_mount *m, struct mount_plan *p, struct err *err)
{
	memset(p, 0, sizeof(*p));
	if (!m->destination || m->destination[0] == '\0')
		return err_set(err, EINVAL, "mount: empty destination");
	if (!m->n_uid_mappings != !m->n_gid_mappings)
		return err_set(err, EINVAL,
		               "mount %s: uidMappings and gidMappings must be given together",
		               m->destination);
	for (char **o = m->options; o && *o; o++) {
		if (mount_plan_option(p, m, *o, err) < 0) {
			mount_plan_fini(p);
			return -1;
		}
	}
	/* mappings without idmap or ridmap: the top mount only (as runc) */
	if (m->n_uid_mappings && p->idmap == MOUNT_IDMAP_NONE)
		p->idmap = MOUNT_IDMAP_TOP;
	if (m->type && strcmp(m->type, "bind") == 0)
		p->flags |= MS_BIND;
	if (p->flags & MS_BIND)
		p->kind = MOUNT_KIND_BIND;
	else if (m->type && (strcmp(m->type, "cgroup") == 0 || strcmp(m->type, "cgroup2") == 0))
		p->kind = MOUNT_KIND_CGROUP;
	else
		p->kind = MOUNT_KIND_FS;
	/* MS_BIND ignores every other flag: they need a MS_BIND|MS_REMOUNT pass. Cleared flags
	 * count too: "rw" on a bind of a read-only mount asks for a writable mount. */
	if (p->kind == MOUNT_KIND_BIND &&
	    ((p->flags & ~(unsigned long)(MS_BIND | MS_REC | MS_REMOUNT)) || p->clear))
		p->needs_remount = true;
	if (p->idmap && p->kind != MOUNT_KIND_BIND) {
		mount_plan_fini(p);
		return err_set(err, EINVAL, "mount %s: an idmapped mount must be a bind mount",
		               m->destination);
	}
	return 0;
}

void
mount_plan_fini(struct mount_plan *p)
{
	free(p->data);
	p->data = NULL;
}

int
mount_propagation_flags(const char *name, unsigned long *out, struct err *err)
{
	unsigned long flag = 0;
	bool clear = false;

	*out = 0;
	if (!name || !*name)
		return 0;
	if (mount_flag_lookup(name, &flag, &clear) != MOUNT_FLAG_PROPAGATION)
		return err_set(err, EINVAL, "linux.rootfsPropagation: unknown value %s", name);
	*out = flag;
	return 0;
}

unsigned long
mount_flags_from_statvfs(unsigned long st)
{
	static const struct {
		unsigned long st, ms;
	} map[] = {
	    {ST_RDONLY, MS_RDONLY},     {ST_NOSUID, MS_NOSUID},
	    {ST_NODEV, MS_NODEV},       {ST_NOEXEC, MS_NOEXEC},
	    {ST_NOATIME, MS_NOATIME},   {ST_NODIRATIME, MS_NODIRATIME},
	    {ST_RELATIME, MS_RELATIME}, {MOUNT_ST_NOSYMFOLLOW, MS_NOSYMFOLLOW},
	};
	unsigned long ms = 0;

	for (size_t i = 0; i < ARRAY_SIZE(map); i++)
		if (st & map[i].st)
			ms |= map[i].ms;
	/* neither noatime nor relatime: the mount is strictatime */
	if (!(ms & (MS_NOATIME | MS_RELATIME)))
		ms |= MS_STRICTATIME;
	return ms;
}

#define MOUNT_ATIME_FLAGS (MS_NOATIME | MS_RELATIME | MS_STRICTATIME)
#define MOUNT_KEEP_FLAGS                                                                           \
	(MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NODIRATIME | MS_NOSYMFOLLOW)

unsigned long
mount_bind_remount_flags(unsigned long want, unsigned long cleared, unsigned long src)
{
	unsigned long out = want | MS_BIND | MS_REMOUNT;

	/* A remount replaces every per-mount flag: keep what the source has and the spec did
	 * not clear (as mount(8) does with mount_setattr), so "ro" on a bind of a nosuid mount
	 * stays nosuid, and flags locked in a user namespace are not dropped (EPERM). */
	out |= src & MOUNT_KEEP_FLAGS & ~cleared;
	if (!(want & MOUNT_ATIME_FLAGS))
		out |= src & MOUNT_ATIME_FLAGS & ~cleared;
	return out & ~(unsigned long)MS_REC;
}

char *
mount_clean_path(const char *path)
{
	size_t len = strlen(path);
	char *out = xmalloc(len + 2);
	size_t o = 0;

	out[o++] = '/';
	for (const char *s = path; *s;) {
		const char *e = strchrnul(s, '/');
		size_t n = (size_t)(e - s);

		if (n > 0 && !(n == 1 && s[0] == '.')) {
			if (o > 1)
				out[o++] = '/';
			memcpy(out + o, s, n);
			o += n;
		}
		s = *e ? e + 1 : e;
	}
	out[o] = '\0';
	return out;
}

static bool
mount_path_is_under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

bool
mount_dest_allowed(const char *dest, const char *type)
{
	/* lxcfs-style files that may be bind-mounted over procfs entries (runc's list) */
	static const char *const proc_ok[] = {
	    "/proc/cpuinfo", "/proc/diskstats",
	    "/proc/meminfo", "/proc/stat",
	    "/proc/swaps",   "/proc/uptime",
	    "/proc/loadavg", "/proc/slabinfo",
	    "/proc/net/dev", "/proc/sys/kernel/ns_last_pid",
	};

	if (!mount_path_is_under(dest, "/proc"))
		return true;
	if (strcmp(dest, "/proc") == 0)
		return type && strcmp(type, "proc") == 0;
	for (size_t i = 0; i < ARRAY_SIZE(proc_ok); i++)
		if (strcmp(dest, proc_ok[i]) == 0)
			return true;
	return false;
}
