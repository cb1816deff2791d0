#include "rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/log.h"
#include "base/xalloc.h"

struct rootfs_flag {
	const char *name;
	bool clear;
	unsigned long flag;
};

/* containerd's mount option table (mount_linux.go), by name. */
static const struct rootfs_flag rootfs_flags[] = {
    {"async", true, MS_SYNCHRONOUS},
    {"atime", true, MS_NOATIME},
    {"bind", false, MS_BIND},
    {"defaults", false, 0},
    {"dev", true, MS_NODEV},
    {"diratime", true, MS_NODIRATIME},
    {"dirsync", false, MS_DIRSYNC},
    {"exec", true, MS_NOEXEC},
    {"mand", false, MS_MANDLOCK},
    {"noatime", false, MS_NOATIME},
    {"nodev", false, MS_NODEV},
    {"nodiratime", false, MS_NODIRATIME},
    {"noexec", false, MS_NOEXEC},
    {"nomand", true, MS_MANDLOCK},
    {"norelatime", true, MS_RELATIME},
    {"nostrictatime", true, MS_STRICTATIME},
    {"nosuid", false, MS_NOSUID},
    {"rbind", false, MS_BIND | MS_REC},
    {"relatime", false, MS_RELATIME},
    {"remount", false, MS_REMOUNT},
    {"ro", false, MS_RDONLY},
    {"rw", true, MS_RDONLY},
    {"strictatime", false, MS_STRICTATIME},
    {"suid", true, MS_NOSUID},
    {"sync", false, MS_SYNCHRONOUS},
    {"private", false, MS_PRIVATE},
    {"rprivate", false, MS_PRIVATE | MS_REC},
    {"shared", false, MS_SHARED},
    {"rshared", false, MS_SHARED | MS_REC},
    {"slave", false, MS_SLAVE},
    {"rslave", false, MS_SLAVE | MS_REC},
    {"unbindable", false, MS_UNBINDABLE},
    {"runbindable", false, MS_UNBINDABLE | MS_REC},
};

int
rootfs_parse_options(char *const *opts, size_t n, unsigned long *flags, char **data, bool *loop,
                     struct err *err)
{
	size_t len = 0, cap = 64;
	char *d = xmalloc(cap);

	*flags = 0;
	*loop = false;
	d[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		const char *o = opts[i];
		bool known = false;
		if (!o || strchr(o, ',')) {
			free(d);
			return err_set(err, EINVAL, "mount option %zu: %s", i,
			               o ? "contains a comma" : "missing");
		}
		if (strcmp(o, "loop") == 0) {
			*loop = true;
			continue;
		}
		for (size_t k = 0; k < ARRAY_SIZE(rootfs_flags); k++) {
			if (strcmp(o, rootfs_flags[k].name) != 0)
				continue;
			if (rootfs_flags[k].clear)
				*flags &= ~rootfs_flags[k].flag;
			else
				*flags |= rootfs_flags[k].flag;
			known = true;
			break;
		}
		if (known || !*o)
			continue;
		size_t ol = strlen(o);
		if (len + ol + 2 > cap) {
			while (len + ol + 2 > cap)
				cap *= 2;
			d = xrealloc(d, cap);
		}
		if (len)
			d[len++] = ',';
		memcpy(d + len, o, ol + 1);
		len += ol;
	}
	*data = d;
	return 0;
}

/* Length of the common directory prefix of the ':'-separated dirs in s[0, n) ("" if none). */
static size_t
common_dir_prefix(const char *s, size_t n)
{
	const char *first = s, *first_end = memchr(s, ':', n);
	size_t best = first_end ? (size_t)(first_end - s) : n;
	const char *p = s;

	while (p < s + n) {
		const char *e = memchr(p, ':', (size_t)(s + n - p));
		size_t l = e ? (size_t)(e - p) : (size_t)(s + n - p), k = 0;
		while (k < best && k < l && first[k] == p[k])
			k++;
		best = k;
		p = e ? e + 1 : s + n;
	}
	while (best > 0 && first[best - 1] != '/')
		best--;
	return best; /* includes the trailing '/' */
}

void
rootfs_compact_lowerdir(char *data, char **chdir_to)
{
	long page = sysconf(_SC_PAGESIZE);
	char *lo = strstr(data, "lowerdir="), *val, *end, *out, *w;
	size_t vlen, pre;

	*chdir_to = NULL;
	if (!lo || (long)strlen(data) < page - 512)
		return;
	val = lo + 9;
	end = strchr(val, ',');
	vlen = end ? (size_t)(end - val) : strlen(val);
	pre = common_dir_prefix(val, vlen);
	if (pre <= 1)
		return;
	*chdir_to = xstrndup(val, pre);
	out = xmalloc(vlen + 1);
	w = out;
	for (const char *p = val; p < val + vlen;) {
		const char *e = memchr(p, ':', (size_t)(val + vlen - p));
		size_t l = e ? (size_t)(e - p) : (size_t)(val + vlen - p);
		if (w > out)
			*w++ = ':';
		memcpy(w, p + pre, l - pre);
		w += l - pre;
		p = e ? e + 1 : val + vlen;
	}
	*w = '\0';
	/* rewrite in place: the new value is shorter */
	memmove(val + (w - out), val + vlen, strlen(val + vlen) + 1);
	memcpy(val, out, (size_t)(w - out));
	free(out);
}

/* One mount, as containerd's Mount.Mount does: mount, propagation, read-only bind remount. */
static int
rootfs_mount_one(const char *target, const struct rootfs_mount *m, struct err *err)
{
	const unsigned long ptypes = MS_SHARED | MS_PRIVATE | MS_SLAVE | MS_UNBINDABLE;
	const unsigned long bro = MS_BIND | MS_RDONLY;
	cleanup_free char *data = NULL, *dir = NULL;
	unsigned long flags, oflags;
	cleanup_close int cwd = -1;
	bool loop;
	int r = 0;

	if (rootfs_parse_options(m->options, m->n_options, &flags, &data, &loop, err) < 0)
		return -1;
	if (loop)
		return err_set(err, ENOTSUP, "mount %s: loop mounts are not supported", m->source);
	oflags = flags & ~ptypes;
	if (m->type && strcmp(m->type, "overlay") == 0)
		rootfs_compact_lowerdir(data, &dir);
	if (dir) {
		cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (cwd < 0 || chdir(dir) < 0)
			return err_sys(err, "chdir %s for a long overlay lowerdir", dir);
	}
	if (!(flags & MS_REMOUNT) || *data)
		r = mount(m->source, target, m->type, oflags, *data ? data : NULL);
	if (dir && fchdir(cwd) < 0)
		log_warn("cannot return to the working directory: %s", strerror(errno));
	if (r < 0)
		return err_sys(err, "mount %s %s on %s", m->type ? m->type : "", m->source, target);
	if ((flags & ptypes) &&
	    mount("", target, "", flags & (ptypes | MS_REC | MS_SILENT), NULL) < 0)
		return err_sys(err, "set propagation of %s", target);
	if ((oflags & bro) == bro && mount("", target, "", oflags | MS_REMOUNT, NULL) < 0)
		return err_sys(err, "remount %s read-only", target);
	return 0;
}

int
rootfs_mount_all(const char *target, const struct rootfs_mount *m, size_t n, struct err *err)
{
	struct err e2 = {0};

	if (mkdir(target, 0711) < 0 && errno != EEXIST)
		return err_sys(err, "mkdir %s", target);
	for (size_t i = 0; i < n; i++) {
		if (rootfs_mount_one(target, &m[i], err) < 0) {
			rootfs_unmount_all(target, &e2);
			return -1;
		}
	}
	return 0;
}

int
rootfs_unmount_all(const char *target, struct err *err)
{
	struct timespec pause = {0, 50 * 1000 * 1000};

	for (int tries = 0; tries < 1000; tries++) {
		if (umount2(target, tries < 50 ? 0 : MNT_DETACH) == 0)
			continue;
		if (errno == EINVAL || errno == ENOENT)
			return 0; /* nothing (more) mounted there */
		if (errno == EBUSY && tries < 50) {
			nanosleep(&pause, NULL);
			continue;
		}
		return err_sys(err, "unmount %s", target);
	}
	return err_set(err, EBUSY, "unmount %s: still mounted", target);
}
