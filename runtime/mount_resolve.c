/* mount_resolve: open a container path inside the rootfs without ever leaving it, creating
 * missing mount targets. openat2(RESOLVE_IN_ROOT) where the kernel has it; otherwise an O_PATH
 * walk that expands symlinks itself, relative to the rootfs. */
#include "mount_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/sys.h"
#include "base/xalloc.h"

#define RESOLVE_MAX_LINKS 40 /* the kernel's MAXSYMLINKS */
#define RESOLVE_MAX_DEPTH 256

const char *
mount_fdpath(int fd, struct mount_fdpath *buf)
{
	(void)snprintf(buf->s, sizeof(buf->s), "/proc/self/fd/%d", fd);
	return buf->s;
}

/* Creates name in dirfd: a directory, or an empty file when file is set. EEXIST is not an
 * error (a race, or a dangling symlink: the lookup that follows reports it). */
static int
resolve_create(int dirfd, const char *name, bool file)
{
	int fd;

	if (!file)
		return mkdirat(dirfd, name, 0755) < 0 && errno != EEXIST ? -1 : 0;
	fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return errno == EEXIST ? 0 : -1;
	close(fd);
	return 0;
}

static int
resolve_openat2_try(int rootfd, const char *path)
{
	struct open_how how = {
	    .flags = O_PATH | O_CLOEXEC,
	    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	int fd;

	/* EAGAIN: a concurrent rename or mount; the kernel asks us to retry */
	for (int i = 0; i < 16; i++) {
		fd = sys_openat2(rootfd, path, &how, sizeof(how));
		if (fd >= 0 || errno != EAGAIN)
			break;
	}
	return fd;
}

/* A dangling symlink name in the directory that clean[0..name) names: the path to resolve
 * instead, its target spliced in (textually: the kernel resolves it the same way). */
static char *
resolve_splice_link(int dirfd, const char *clean, const char *name, const char *rest)
{
	char target[PATH_MAX];
	ssize_t n = readlinkat(dirfd, name, target, sizeof(target) - 1);

	if (n < 0)
		return NULL;
	target[n] = '\0';
	if (target[0] == '/')
		return xasprintf("%s%s%s", target, *rest ? "/" : "", rest);
	return xasprintf("%.*s/%s%s%s", (int)(name - clean), clean, target, *rest ? "/" : "", rest);
}

/* Walks clean prefix by prefix from the root, creating what is missing. Returns 0 with *out
 * set, 1 with *again set to a new path when a dangling symlink must be followed, -1. */
static int
resolve_openat2_create(int rootfd, char *clean, enum mount_create create, int *out, char **again)
{
	cleanup_close int cur = resolve_openat2_try(rootfd, "/");

	if (cur < 0)
		return -1;
	for (char *s = clean + 1; *s;) {
		char *e = strchrnul(s, '/');
		bool last = *e == '\0';
		char saved = *e;
		int next;

		*e = '\0';
		next = resolve_openat2_try(rootfd, clean);
		if (next < 0 && errno == ENOENT) {
			*again = resolve_splice_link(cur, clean, s, last ? "" : e + 1);
			if (*again)
				return 1;
			if (resolve_create(cur, s, last && create == MOUNT_CREATE_FILE) < 0)
				return -1;
			next = resolve_openat2_try(rootfd, clean);
		}
		if (next < 0)
			return -1;
		close(cur);
		cur = next;
		*e = saved;
		s = last ? e : e + 1;
	}
	*out = take_fd(&cur);
	return 0;
}

int
mount_resolve_openat2(int rootfd, const char *path, enum mount_create create, int *out,
                      struct err *err)
{
	char *clean = NULL;
	int fd, rc = 1;

	*out = -1;
	fd = resolve_openat2_try(rootfd, path);
	if (fd >= 0 || errno != ENOENT || create == MOUNT_CREATE_NONE) {
		if (fd < 0)
			return err_sys(err, "%s", path);
		*out = fd;
		return 0;
	}
	/* Some component is missing: resolve prefix by prefix, creating what is absent in the
	 * already-resolved parent; a dangling symlink is followed (inside the root) and its
	 * target created, as the walk does. */
	clean = mount_clean_path(path);
	for (int links = 0; rc == 1; links++) {
		char *again = NULL;

		if (links > RESOLVE_MAX_LINKS) {
			errno = ELOOP;
			rc = -1;
			break;
		}
		rc = resolve_openat2_create(rootfd, clean, create, out, &again);
		if (rc == 1) {
			free(clean);
			clean = mount_clean_path(again);
			free(again);
		}
	}
	free(clean);
	if (rc < 0)
		return err_sys(err, "%s", path);
	return 0;
}

struct walk_item {
	char *name; /* owned */
};

struct walk {
	struct walk_item *todo; /* owned: a stack, the next component last */
	size_t n_todo, cap_todo;
	int dirs[RESOLVE_MAX_DEPTH]; /* dirs[0] = root (borrowed), the rest owned */
	size_t depth;
	int n_links;
};

/* Pushes the components of path so that its first component is popped first. */
static void
walk_push_path(struct walk *w, const char *path)
{
	size_t start = w->n_todo;

	for (const char *s = path; *s;) {
		const char *e = strchrnul(s, '/');

		if (e > s) {
			if (w->n_todo == w->cap_todo) {
				w->cap_todo = w->cap_todo ? 2 * w->cap_todo : 16;
				w->todo = xreallocarray(w->todo, w->cap_todo, sizeof(*w->todo));
			}
			w->todo[w->n_todo++].name = xstrndup(s, (size_t)(e - s));
		}
		s = *e ? e + 1 : e;
	}
	/* reverse what was just pushed */
	for (size_t i = start, j = w->n_todo; j > 0 && i < j - 1; i++, j--) {
		struct walk_item t = w->todo[i];

		w->todo[i] = w->todo[j - 1];
		w->todo[j - 1] = t;
	}
}

static void
walk_to_root(struct walk *w)
{
	while (w->depth > 0)
		close(w->dirs[w->depth--]);
}

static void
walk_fini(struct walk *w)
{
	walk_to_root(w);
	for (size_t i = 0; i < w->n_todo; i++)
		free(w->todo[i].name);
	free(w->todo);
}

/* A symlink named name in the current directory: queue its target. */
static int
walk_follow(struct walk *w, const char *name, bool *is_link)
{
	char target[PATH_MAX];
	ssize_t n;

	*is_link = false;
	n = readlinkat(w->dirs[w->depth], name, target, sizeof(target) - 1);
	if (n < 0) /* EINVAL: not a symlink; ENOENT: missing, the caller may create it */
		return errno == EINVAL || errno == ENOENT ? 0 : -1;
	if (++w->n_links > RESOLVE_MAX_LINKS) {
		errno = ELOOP;
		return -1;
	}
	*is_link = true;
	target[n] = '\0';
	if (target[0] == '/')
		walk_to_root(w);
	walk_push_path(w, target);
	return 0;
}

/* One normal component: descend into it (or follow it if it is a symlink). */
static int
walk_step(struct walk *w, const struct walk_item *it, enum mount_create create)
{
	bool last = w->n_todo == 0, is_link;
	struct stat st;
	int fd;

	if (walk_follow(w, it->name, &is_link) < 0 || is_link)
		return is_link ? 0 : -1;
	fd = openat(w->dirs[w->depth], it->name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && create != MOUNT_CREATE_NONE) {
		if (resolve_create(w->dirs[w->depth], it->name,
		                   last && create == MOUNT_CREATE_FILE) < 0)
			return -1;
		if (walk_follow(w, it->name, &is_link) < 0 || is_link)
			return is_link ? 0 : -1; /* raced with a symlink: follow it */
		fd = openat(w->dirs[w->depth], it->name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0) {
		int saved = errno;

		close(fd);
		errno = saved;
		return -1;
	}
	if (S_ISLNK(st.st_mode) || (!last && !S_ISDIR(st.st_mode))) {
		/* a symlink here means a rename race: refuse rather than loop */
		close(fd);
		errno = S_ISLNK(st.st_mode) ? ELOOP : ENOTDIR;
		return -1;
	}
	if (w->depth + 1 == RESOLVE_MAX_DEPTH) {
		close(fd);
		errno = ENAMETOOLONG;
		return -1;
	}
	w->dirs[++w->depth] = fd;
	return 0;
}

int
mount_resolve_walk(int rootfd, const char *path, enum mount_create create, int *out,
                   struct err *err)
{
	struct walk w = {.dirs = {rootfd}};
	int rc = 0;

	*out = -1;
	walk_push_path(&w, path);
	while (w.n_todo > 0) {
		struct walk_item it = w.todo[--w.n_todo];

		if (strcmp(it.name, ".") == 0) {
			/* nothing */
		} else if (strcmp(it.name, "..") == 0) {
			if (w.depth > 0)
				close(w.dirs[w.depth--]);
		} else if (walk_step(&w, &it, create) < 0) {
			rc = err_sys(err, "%s", path);
		}
		free(it.name);
		if (rc < 0)
			break;
	}
	if (rc == 0) {
		if (w.depth > 0)
			*out = w.dirs[w.depth--];
		else if ((*out = openat(rootfd, ".", O_PATH | O_CLOEXEC)) < 0)
			rc = err_sys(err, "%s", path);
	}
	walk_fini(&w);
	return rc;
}

int
mount_resolve(int rootfd, const char *path, enum mount_resolve_mode mode, enum mount_create create,
              int *out, struct err *err)
{
	if (mode == MOUNT_RESOLVE_WALK)
		return mount_resolve_walk(rootfd, path, create, out, err);
	if (mount_resolve_openat2(rootfd, path, create, out, err) == 0)
		return 0;
	/* ENOSYS: kernel < 5.6; EPERM: a seccomp profile that forbids openat2 */
	if (mode == MOUNT_RESOLVE_AUTO && (err->code == ENOSYS || err->code == EPERM))
		return mount_resolve_walk(rootfd, path, create, out, err);
	return -1;
}
