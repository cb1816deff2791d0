#include "cli_user.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/fdutil.h"
#include "base/sys.h"
#include "base/xalloc.h"

static bool
is_number(const char *s, size_t len, uint32_t *out)
{
	uint64_t v = 0;

	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
		if (v > UINT32_MAX)
			return false;
	}
	*out = (uint32_t)v;
	return true;
}

/* Field `idx` (0-based, ':' separated) of line [p, end) as a number. */
static bool
line_field_num(const char *p, const char *end, int idx, uint32_t *out)
{
	for (int i = 0; i < idx; i++) {
		p = memchr(p, ':', (size_t)(end - p));
		if (p == NULL)
			return false;
		p++;
	}
	return is_number(
	    p, strcspn(p, ":\n") < (size_t)(end - p) ? strcspn(p, ":\n") : (size_t)(end - p), out);
}

/* Finds the line whose first field is name (len bytes); returns its start, *end its end. */
static const char *
db_find(const char *text, const char *name, size_t len, const char **end)
{
	for (const char *p = text; p && *p;) {
		const char *e = strchr(p, '\n');
		if (e == NULL)
			e = p + strlen(p);
		if ((size_t)(e - p) > len && strncmp(p, name, len) == 0 && p[len] == ':') {
			*end = e;
			return p;
		}
		p = *e ? e + 1 : e;
	}
	return NULL;
}

int
cli_user_resolve(const char *spec, const char *passwd, const char *group, struct cli_user *out,
                 struct err *err)
{
	const char *colon = strchr(spec, ':'), *line, *end;
	size_t ulen = colon ? (size_t)(colon - spec) : strlen(spec);
	struct cli_user u = {0};

	if (ulen == 0)
		return err_set(err, EINVAL, "invalid user \"%s\": empty user", spec);
	if (!is_number(spec, ulen, &u.uid)) {
		line = passwd ? db_find(passwd, spec, ulen, &end) : NULL;
		if (line == NULL || !line_field_num(line, end, 2, &u.uid) ||
		    !line_field_num(line, end, 3, &u.gid))
			return err_set(err, ENOENT, "unknown user \"%.*s\"", (int)ulen, spec);
		u.has_gid = true;
	}
	if (colon) {
		const char *g = colon + 1;
		if (*g == '\0')
			return err_set(err, EINVAL, "invalid user \"%s\": empty group", spec);
		if (!is_number(g, strlen(g), &u.gid)) {
			line = group ? db_find(group, g, strlen(g), &end) : NULL;
			if (line == NULL || !line_field_num(line, end, 2, &u.gid))
				return err_set(err, ENOENT, "unknown group \"%s\"", g);
		}
		u.has_gid = true;
	}
	*out = u;
	return 0;
}

/* Without openat2: walks path one component at a time, refusing symlinks. */
static int
open_nofollow_walk(int root_fd, const char *path)
{
	cleanup_free char *copy = xstrdup(path);
	char *save = NULL, *tok, *next;
	int dir = dup(root_fd), fd;

	if (dir < 0)
		return -1;
	for (tok = strtok_r(copy, "/", &save); tok; tok = next) {
		next = strtok_r(NULL, "/", &save);
		fd = openat(dir, tok,
		            (next ? O_PATH | O_DIRECTORY : O_RDONLY) | O_NOFOLLOW | O_CLOEXEC);
		close(dir);
		if (fd < 0)
			return -1;
		dir = fd;
	}
	return dir;
}

int
cli_read_in_root(int root_fd, const char *path, char **out, struct err *err)
{
	struct open_how how = {
	    .flags = O_RDONLY | O_CLOEXEC,
	    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	cleanup_close int fd = -1;
	size_t len;

	*out = NULL;
	fd = sys_openat2(root_fd, path, &how, sizeof(how));
	if (fd < 0 && (errno == ENOSYS || errno == EPERM))
		fd = open_nofollow_walk(root_fd, path);
	if (fd < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		return err_sys(err, "open %s in the container", path);
	}
	if (read_all(fd, out, &len, err) < 0)
		return err_wrap(err, "read %s in the container", path);
	return 0;
}

int
cli_user_resolve_pid(pid_t pid, const char *spec, struct cli_user *out, struct err *err)
{
	cleanup_free char *passwd = NULL, *group = NULL;
	cleanup_close int root_fd = -1;
	const char *colon = strchr(spec, ':');
	size_t ulen = colon ? (size_t)(colon - spec) : strlen(spec);
	bool user_name, group_name;
	char root[64];
	uint32_t dummy;

	user_name = !is_number(spec, ulen, &dummy);
	group_name = colon && !is_number(colon + 1, strlen(colon + 1), &dummy);
	if (user_name || group_name) {
		snprintf(root, sizeof(root), "/proc/%d/root", (int)pid);
		root_fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (root_fd < 0)
			return err_sys(err, "open %s", root);
	}
	if (user_name && ulen > 0 && cli_read_in_root(root_fd, "etc/passwd", &passwd, err) < 0)
		return -1;
	if (group_name && colon[1] && cli_read_in_root(root_fd, "etc/group", &group, err) < 0)
		return -1;
	return cli_user_resolve(spec, passwd, group, out, err);
}
