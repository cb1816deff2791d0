/* mount_info: one line of /proc/self/mountinfo, parsed (mount_cgroup.c, mount_pivot.c). */
#include "mount_internal.h"

#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/xalloc.h"

/* mountinfo escapes space, tab, newline and backslash as \ooo */
static char *
mount_unescape(const char *s, size_t n)
{
	char *out = xmalloc(n + 1);
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 3 < n && s[i + 1] >= '0' && s[i + 1] <= '3' &&
		    s[i + 2] >= '0' && s[i + 2] <= '7' && s[i + 3] >= '0' && s[i + 3] <= '7') {
			out[o++] = (char)((s[i + 1] - '0') << 6 | (s[i + 2] - '0') << 3 |
			                  (s[i + 3] - '0'));
			i += 3;
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
	return out;
}

void
mountinfo_line_fini(struct mountinfo_line *l)
{
	free(l->root);
	free(l->mountpoint);
	free(l->fstype);
	free(l->superopts);
	memset(l, 0, sizeof(*l));
}

/* Splits one mountinfo line: fields 4 and 5, then after " - ": fstype, source, superopts. */
bool
mountinfo_parse_line(const char *line, size_t len, struct mountinfo_line *out)
{
	const char *f[16];
	size_t flen[16], nf = 0, dash = 0;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < len && nf < ARRAY_SIZE(f);) {
		size_t j = i;

		while (j < len && line[j] != ' ')
			j++;
		f[nf] = line + i;
		flen[nf] = j - i;
		if (flen[nf] == 1 && line[i] == '-' && nf >= 6 && !dash)
			dash = nf;
		nf++;
		i = j + 1;
	}
	if (!dash || nf < dash + 4)
		return false;
	out->root = mount_unescape(f[3], flen[3]);
	out->mountpoint = mount_unescape(f[4], flen[4]);
	out->fstype = xstrndup(f[dash + 1], flen[dash + 1]);
	out->superopts = xstrndup(f[dash + 3], flen[dash + 3]);
	return true;
}
