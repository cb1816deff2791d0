/* cg_util: cgroup file reads and writes, pid lists, directory trees. Every error names the file. */
#include "cg_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/magic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/fdutil.h"
#include "base/xalloc.h"

char *
cg__join(const char *a, const char *b)
{
	size_t la = strlen(a);

	while (la > 1 && a[la - 1] == '/')
		la--;
	while (*b == '/')
		b++;
	if (*b == '\0')
		return xstrndup(a, la);
	if (la == 1 && a[0] == '/')
		return xasprintf("/%s", b);
	return xasprintf("%.*s/%s", (int)la, a, b);
}

int
cg__write(const char *dir, const char *file, const char *value, struct err *err)
{
	cleanup_free char *path = cg__join(dir, file);
	cleanup_close int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	size_t len = strlen(value);
	ssize_t n;

	if (fd < 0)
		return err_sys(err, "open %s", path);
	do
		n = write(fd, value, len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return err_sys(err, "write \"%s\" to %s", value, path);
	if ((size_t)n != len)
		return err_set(err, EIO, "write \"%s\" to %s: short write", value, path);
	return 0;
}

int
cg__read(const char *dir, const char *file, char **out, struct err *err)
{
	cleanup_free char *path = cg__join(dir, file);
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return err_sys(err, "open %s", path);
	if (read_all(fd, out, NULL, err) < 0)
		return err_wrap(err, "%s", path);
	return 0;
}

int
cg__read_u64(const char *dir, const char *file, uint64_t *out, struct err *err)
{
	cleanup_free char *text = NULL;
	char *end;
	const char *p;

	if (cg__read(dir, file, &text, err) < 0)
		return -1;
	p = text + strspn(text, " \t\n");
	if (strncmp(p, "max", 3) == 0) {
		*out = UINT64_MAX;
		return 0;
	}
	errno = 0;
	*out = strtoull(p, &end, 10);
	if (errno != 0 || end == p || (*end != '\0' && *end != '\n' && *end != ' ')) {
		cleanup_free char *path = cg__join(dir, file);
		return err_set(err, EINVAL, "%s: not a number: \"%.32s\"", path, p);
	}
	return 0;
}

bool
cg__is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

bool
cg__exists(const char *dir, const char *file)
{
	cleanup_free char *path = cg__join(dir, file);

	return access(path, F_OK) == 0;
}

int
cg__kv_get(const char *text, const char *key, uint64_t *value)
{
	size_t kl = strlen(key);
	const char *p = text;

	while (p && *p) {
		if (strncmp(p, key, kl) == 0 && (p[kl] == ' ' || p[kl] == '\t')) {
			*value = strtoull(p + kl + 1, NULL, 10);
			return 0;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return -1;
}

void
cg__parse_pids(const char *text, pid_t **pids, size_t *n)
{
	const char *p = text;

	while (*p) {
		char *end;
		long v = strtol(p, &end, 10);
		bool dup = false;

		if (end == p) {
			p++;
			continue;
		}
		p = end;
		if (v <= 0)
			continue;
		for (size_t i = 0; i < *n && !dup; i++)
			dup = (*pids)[i] == (pid_t)v;
		if (dup)
			continue;
		*pids = xreallocarray(*pids, *n + 1, sizeof(**pids));
		(*pids)[(*n)++] = (pid_t)v;
	}
}

int
cg__read_pids(const char *dir, bool recursive, pid_t **pids, size_t *n, struct err *err)
{
	cleanup_free char *text = NULL;
	cleanup_dir DIR *d = NULL;
	struct dirent *de;

	if (cg__read(dir, "cgroup.procs", &text, err) < 0)
		return -1;
	cg__parse_pids(text, pids, n);
	if (!recursive)
		return 0;
	d = opendir(dir);
	if (d == NULL)
		return err_sys(err, "opendir %s", dir);
	while ((de = readdir(d)) != NULL) {
		cleanup_free char *sub = NULL;

		if (de->d_type != DT_DIR || strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		sub = cg__join(dir, de->d_name);
		if (cg__read_pids(sub, true, pids, n, err) < 0) {
			if (err->code == ENOENT) /* removed meanwhile */
				continue;
			return -1;
		}
	}
	return 0;
}

long long
cg__now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
cg__sleep_ms(long ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static bool
is_cgroupfs(const char *dir)
{
	struct statfs sfs;

	if (statfs(dir, &sfs) < 0)
		return true; /* be conservative: never unlink on doubt */
	return sfs.f_type == CGROUP_SUPER_MAGIC || sfs.f_type == CGROUP2_SUPER_MAGIC;
}

/* Fake test trees hold regular files in place of the kernel's: remove them so rmdir works. */
static void
unlink_fake_files(const char *dir)
{
	cleanup_dir DIR *d = NULL;
	struct dirent *de;

	if (is_cgroupfs(dir))
		return;
	d = opendir(dir);
	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL)
		if (de->d_type == DT_REG)
			unlinkat(dirfd(d), de->d_name, 0);
}

static int
rmdir_retry(const char *dir, long long deadline_ms, struct err *err)
{
	long delay = 10;

	for (;;) {
		if (rmdir(dir) == 0 || errno == ENOENT)
			return 0;
		if (errno == ENOTEMPTY) {
			unlink_fake_files(dir);
			if (rmdir(dir) == 0 || errno == ENOENT)
				return 0;
		}
		if (errno != EBUSY || cg__now_ms() >= deadline_ms)
			return err_sys(err, "rmdir %s", dir);
		cg__sleep_ms(delay);
		if (delay < 200)
			delay *= 2;
	}
}

int
cg__rmdir_tree(const char *dir, long long deadline_ms, struct err *err)
{
	cleanup_dir DIR *d = NULL;
	struct dirent *de;

	/* the common case: an empty leaf goes with one syscall */
	if (rmdir(dir) == 0 || errno == ENOENT)
		return 0;
	d = opendir(dir);
	if (d == NULL) {
		if (errno == ENOENT)
			return 0;
		return err_sys(err, "opendir %s", dir);
	}
	while ((de = readdir(d)) != NULL) {
		cleanup_free char *sub = NULL;

		if (de->d_type != DT_DIR || strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		sub = cg__join(dir, de->d_name);
		if (cg__rmdir_tree(sub, deadline_ms, err) < 0)
			return -1;
	}
	return rmdir_retry(dir, deadline_ms, err);
}

int
cg__mkdir_path(const char *base, const char *rel, char ***made, size_t *n_made, struct err *err)
{
	cleanup_free char *cur = xstrdup(base);
	const char *p = rel;

	while (*p) {
		size_t len;
		char *next;

		p += strspn(p, "/");
		len = strcspn(p, "/");
		if (len == 0)
			break;
		next = xasprintf("%s/%.*s", cur, (int)len, p);
		free(cur);
		cur = next;
		p += len;
		if (mkdir(cur, 0755) == 0) {
			*made = xreallocarray(*made, *n_made + 2, sizeof(char *));
			(*made)[(*n_made)++] = xstrdup(cur);
			(*made)[*n_made] = NULL;
			continue;
		}
		if (errno != EEXIST)
			return err_sys(err, "mkdir %s", cur);
	}
	return 0;
}

int
cg__write_pid(const char *dir, pid_t pid, struct err *err)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%d", (int)pid);
	for (int i = 0;; i++) {
		if (cg__write(dir, "cgroup.procs", buf, err) == 0)
			return 0;
		if (err->code != EINVAL || i >= 5)
			return -1;
		cg__sleep_ms(30);
	}
}
