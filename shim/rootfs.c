#include "rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/loop.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "runtime/mount_plan.h"

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
		enum mount_flag_kind kind;
		unsigned long flag = 0;
		bool clear = false;
		if (!o || strchr(o, ',')) {
			free(d);
			return err_set(err, EINVAL, "mount option %zu: %s", i,
			               o ? "contains a comma" : "missing");
		}
		if (strcmp(o, "loop") == 0) {
			*loop = true;
			continue;
		}
		/* containerd's words and the propagation types; mount(8)-only words such as
		 * lazytime or nosymfollow are data here, as in containerd */
		kind = mount_flag_lookup(o, &flag, &clear);
		if (kind == MOUNT_FLAG_COMMON || kind == MOUNT_FLAG_PROPAGATION) {
			if (clear)
				*flags &= ~flag;
			else
				*flags |= flag;
			continue;
		}
		if (!*o)
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

/* Attempts on a free loop device that another attacher took first (EBUSY), as containerd. */
#define ROOTFS_LOOP_TRIES 100

/* Detaches a loop device we attached, after a later step failed; err holds that failure. */
static void
rootfs_loop_detach(int lfd, const char *dev, struct err *err)
{
	size_t len = strlen(err->msg);

	if (ioctl(lfd, LOOP_CLR_FD, 0UL) < 0)
		snprintf(err->msg + len, sizeof(err->msg) - len, " (and detaching %s failed: %s)",
		         dev, strerror(errno));
}

/* Binds the backing file to the open, unbound loop device: LOOP_CONFIGURE, or on kernels
 * before 5.8 (EINVAL, ENOTTY) LOOP_SET_FD + LOOP_SET_STATUS64. Autoclear: the kernel detaches
 * the device when its last user (our fd, then the mount) goes. err->code EBUSY: the device
 * was taken meanwhile. */
static int
rootfs_loop_bind(int lfd, int back, const char *file, bool ro, const char *dev, struct err *err)
{
	struct loop_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.fd = (uint32_t)back;
	cfg.info.lo_flags = LO_FLAGS_AUTOCLEAR | (ro ? LO_FLAGS_READ_ONLY : 0);
	snprintf((char *)cfg.info.lo_file_name, sizeof(cfg.info.lo_file_name), "%s", file);
	if (ioctl(lfd, LOOP_CONFIGURE, &cfg) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOTTY)
		return err_sys(err, "configure loop device %s", dev);
	if (ioctl(lfd, LOOP_SET_FD, (unsigned long)back) < 0)
		return err_sys(err, "attach to loop device %s", dev);
	if (ioctl(lfd, LOOP_SET_STATUS64, &cfg.info) == 0)
		return 0;
	err_sys(err, "set up loop device %s", dev);
	rootfs_loop_detach(lfd, dev, err);
	return -1;
}

static void
rootfs_loop_backoff(int attempt)
{
	static unsigned seed;
	struct timespec ts;

	if (!seed)
		seed = (unsigned)getpid() ^ (unsigned)time(NULL);
	/* up to attempt * 10 ms, randomised so that racing attachers part */
	ts.tv_sec = 0;
	ts.tv_nsec = (long)(rand_r(&seed) % (attempt * 10) + 1) * 1000 * 1000;
	if (ts.tv_nsec >= 1000 * 1000 * 1000)
		ts.tv_nsec = 999 * 1000 * 1000;
	nanosleep(&ts, NULL);
}

int
rootfs_loop_attach(const char *file, bool ro, int *out, char *dev, size_t dev_len, struct err *err)
{
	const int oflags = (ro ? O_RDONLY : O_RDWR) | O_CLOEXEC;
	cleanup_close int back = -1, ctl = -1;

	*out = -1;
	back = open(file, oflags);
	if (back < 0)
		return err_sys(err, "open loop backing file %s", file);
	ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	if (ctl < 0)
		return err_sys(err, "loop %s: open /dev/loop-control", file);
	for (int attempt = 1; attempt <= ROOTFS_LOOP_TRIES; attempt++) {
		cleanup_close int lfd = -1;
		int n = ioctl(ctl, LOOP_CTL_GET_FREE);

		if (n < 0)
			return err_sys(err, "loop %s: get a free loop device", file);
		snprintf(dev, dev_len, "/dev/loop%d", n);
		lfd = open(dev, oflags);
		if (lfd < 0)
			return err_sys(err, "loop %s: open loop device %s", file, dev);
		if (rootfs_loop_bind(lfd, back, file, ro, dev, err) == 0) {
			*out = take_fd(&lfd);
			return 0;
		}
		if (err->code != EBUSY)
			return err_wrap(err, "loop %s", file);
		err_clear(err);
		rootfs_loop_backoff(attempt);
	}
	return err_set(err, EBUSY,
	               "loop %s: every free loop device was taken before we could "
	               "attach it (%d tries)",
	               file, ROOTFS_LOOP_TRIES);
}

/* One mount, as containerd's Mount.Mount does: loop device ("loop"), mount, propagation,
 * read-only bind remount. */
static int
rootfs_mount_one(const char *target, const struct rootfs_mount *m, struct err *err)
{
	const unsigned long ptypes = MS_SHARED | MS_PRIVATE | MS_SLAVE | MS_UNBINDABLE;
	const unsigned long bro = MS_BIND | MS_RDONLY;
	const char *type = m->type ? m->type : "", *source = m->source;
	cleanup_free char *data = NULL, *dir = NULL;
	unsigned long flags, oflags;
	cleanup_close int cwd = -1, lfd = -1;
	char dev[32] = "";
	bool loop, mounts;
	int r = 0;

	if (rootfs_parse_options(m->options, m->n_options, &flags, &data, &loop, err) < 0)
		return -1;
	oflags = flags & ~ptypes;
	/* a remount without data makes no mount(2) call with the source (containerd) */
	mounts = !(flags & MS_REMOUNT) || *data;
	if (loop && mounts) {
		if (rootfs_loop_attach(m->source, oflags & MS_RDONLY, &lfd, dev, sizeof(dev), err) <
		    0)
			return err_wrap(err, "mount %s %s on %s", type, m->source, target);
		source = dev;
	}
	if (m->type && strcmp(m->type, "overlay") == 0)
		rootfs_compact_lowerdir(data, &dir);
	if (dir) {
		cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (cwd < 0 || chdir(dir) < 0)
			return err_sys(err, "chdir %s for a long overlay lowerdir", dir);
	}
	if (mounts)
		r = mount(source, target, m->type, oflags, *data ? data : NULL);
	if (dir && fchdir(cwd) < 0)
		log_warn("cannot return to the working directory: %s", strerror(errno));
	if (r < 0 && lfd >= 0) {
		err_sys(err, "mount %s %s (loop device %s) on %s", type, m->source, dev, target);
		rootfs_loop_detach(lfd, dev, err);
		return -1;
	}
	if (r < 0)
		return err_sys(err, "mount %s %s on %s", type, m->source, target);
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
