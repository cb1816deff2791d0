/* cg_path: OCI linux.cgroupsPath -> a cgroup path inside the hierarchy (runc's rules). */
#include "cg_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/fdutil.h"
#include "base/xalloc.h"

char *
cg__clean_path(const char *p)
{
	size_t cap = strlen(p) + 2, n = 0;
	char *out = xmalloc(cap);

	out[n++] = '/';
	while (*p) {
		size_t len;

		p += strspn(p, "/");
		len = strcspn(p, "/");
		if (len == 0)
			break;
		if (len == 1 && p[0] == '.') {
			/* skip */
		} else if (len == 2 && p[0] == '.' && p[1] == '.') {
			while (n > 1 && out[n - 1] != '/')
				n--;
			if (n > 1)
				n--; /* the '/' before the removed component */
		} else {
			if (n > 1)
				out[n++] = '/';
			memcpy(out + n, p, len);
			n += len;
		}
		p += len;
	}
	out[n] = '\0';
	return out;
}

int
cg__expand_slice(const char *slice, char **out, struct err *err)
{
	static const char suffix[] = ".slice";
	size_t sl = strlen(slice), xl = sizeof(suffix) - 1, nl;
	cleanup_free char *path = NULL;
	const char *p, *end;

	if (sl <= xl || strcmp(slice + sl - xl, suffix) != 0 || strchr(slice, '/'))
		return err_set(err, EINVAL, "invalid systemd slice name \"%s\"", slice);
	nl = sl - xl;
	if (nl == 1 && slice[0] == '-') {
		*out = xstrdup("/");
		return 0;
	}
	path = xstrdup("");
	for (p = slice, end = slice + nl; p < end;) {
		const char *dash = memchr(p, '-', (size_t)(end - p));
		size_t clen = dash ? (size_t)(dash - p) : (size_t)(end - p);
		char *next;

		if (clen == 0 || (dash && dash + 1 == end))
			return err_set(err, EINVAL, "invalid systemd slice name \"%s\"", slice);
		/* Each level is the prefix of the name up to this component. */
		next = xasprintf("%s/%.*s%s", path, (int)(p + clen - slice), slice, suffix);
		free(path);
		path = next;
		p += clen + (dash ? 1 : 0);
	}
	*out = take_ptr(path);
	return 0;
}

char *
cg__own_cgroup(const char *text, bool v2)
{
	const char *first = NULL, *pick = NULL;

	for (const char *line = text; line && *line;) {
		const char *c1 = strchr(line, ':');
		const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		const char *nl = strchr(line, '\n');

		if (c1 && c2 && (!nl || c2 < nl)) {
			size_t clen = (size_t)(c2 - c1 - 1);
			bool is_v2 = strncmp(line, "0::", 3) == 0;

			if (v2 && is_v2)
				pick = c2 + 1;
			if (!v2 && !is_v2 && clen == 12 && strncmp(c1 + 1, "name=systemd", 12) == 0)
				pick = c2 + 1;
			if (!v2 && !is_v2 && first == NULL)
				first = c2 + 1;
		}
		line = nl ? nl + 1 : NULL;
	}
	if (pick == NULL)
		pick = first;
	if (pick == NULL)
		return NULL;
	return xstrndup(pick, strcspn(pick, "\n"));
}

/* "slice:prefix:name" -> "/expanded/slice/prefix-name.scope" */
static int
resolve_systemd(const char *spec, char **out, struct err *err)
{
	const char *c1 = strchr(spec, ':');
	const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	cleanup_free char *slice = NULL, *sdir = NULL, *unit = NULL;
	const char *prefix, *name;
	size_t plen;

	if (c1 == NULL || c2 == NULL || strchr(c2 + 1, ':'))
		return err_set(err, EINVAL,
			       "cgroupsPath \"%s\": expected \"slice:prefix:name\" for systemd cgroups",
			       spec);
	slice = c1 == spec ? xstrdup("system.slice") : xstrndup(spec, (size_t)(c1 - spec));
	prefix = c1 + 1;
	plen = (size_t)(c2 - prefix);
	name = c2 + 1;
	if (*name == '\0' || strchr(name, '/') || memchr(prefix, '/', plen) ||
	    strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return err_set(err, EINVAL, "cgroupsPath \"%s\": bad unit name", spec);
	if (cg__expand_slice(slice, &sdir, err) < 0)
		return err_wrap(err, "cgroupsPath \"%s\"", spec);
	if (strlen(name) > 6 && strcmp(name + strlen(name) - 6, ".slice") == 0)
		unit = xstrdup(name);
	else if (plen == 0)
		unit = xasprintf("%s.scope", name);
	else
		unit = xasprintf("%.*s-%s.scope", (int)plen, prefix, name);
	*out = cg__join(sdir, unit);
	return 0;
}

static bool
looks_systemd(const char *p)
{
	const char *c1 = strchr(p, ':');
	const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;

	return p[0] != '/' && c2 != NULL && strchr(c2 + 1, ':') == NULL;
}

static int
resolve_relative(const struct cg_root *root, const char *rel, char **out, struct err *err)
{
	cleanup_free char *text = NULL, *own = NULL, *base = NULL, *joined = NULL;
	bool v2 = root->mode == CG_MODE_V2;

	if (read_file_at(-1, root->self_cgroup, &text, NULL, err) < 0)
		return err_wrap(err, "relative cgroupsPath \"%s\"", rel);
	own = cg__own_cgroup(text, v2);
	if (own == NULL)
		return err_set(err, EINVAL, "%s: no %s line for relative cgroupsPath \"%s\"",
			       root->self_cgroup, v2 ? "\"0::\"" : "cgroup", rel);
	base = cg__clean_path(own);
	if (v2) { /* the own cgroup has processes: use its parent, as runc */
		char *slash = strrchr(base, '/');
		if (slash == base)
			base[1] = '\0';
		else if (slash)
			*slash = '\0';
	}
	joined = cg__join(base, rel);
	*out = cg__clean_path(joined);
	if (strcmp(*out, "/") == 0) {
		free(*out);
		*out = NULL;
		return err_set(err, EINVAL, "cgroupsPath \"%s\" resolves to the cgroup root", rel);
	}
	return 0;
}

int
cg_path_resolve(const struct cg_root *root, const char *cgroups_path, const char *id,
		bool systemd, char **out, struct err *err)
{
	cleanup_free char *tmp = NULL;
	const char *p = cgroups_path ? cgroups_path : "";

	if (id == NULL || id[0] == '\0' || strchr(id, '/') || strcmp(id, "..") == 0 ||
	    strcmp(id, ".") == 0)
		return err_set(err, EINVAL, "container id \"%s\" cannot name a cgroup", id ? id : "");
	if (systemd && p[0] == '\0') {
		tmp = xasprintf("system.slice:husk:%s", id);
		return resolve_systemd(tmp, out, err);
	}
	if ((systemd && p[0] != '/') || looks_systemd(p))
		return resolve_systemd(p, out, err);
	if (p[0] == '/') {
		*out = cg__clean_path(p);
		if (strcmp(*out, "/") == 0) {
			free(*out);
			*out = NULL;
			return err_set(err, EINVAL, "cgroupsPath \"%s\" is the cgroup root", p);
		}
		return 0;
	}
	return resolve_relative(root, p[0] ? p : id, out, err);
}
