/* cg_stats: parsers shared by the v1 and v2 statistics (PSI, rdma, key-value files, hugepage
 * sizes) and the network counters from /proc/<pid>/net/dev. */
#include "cg_internal.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/fdutil.h"
#include "base/xalloc.h"

/* "some avg10=0.12 avg60=0.00 avg300=0.00 total=123\nfull avg10=..." */
int
cg__parse_psi(const char *text, struct cg_psi *out)
{
	memset(out, 0, sizeof(*out));
	for (const char *line = text; line && *line;) {
		struct cg_psi_data *d = NULL;
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		cleanup_free char *copy = xstrndup(line, len);
		char *save = NULL;

		if (strncmp(copy, "some ", 5) == 0)
			d = &out->some;
		else if (strncmp(copy, "full ", 5) == 0)
			d = &out->full;
		for (char *t = d ? strtok_r(copy + 5, " ", &save) : NULL; t;
		     t = strtok_r(NULL, " ", &save)) {
			if (strncmp(t, "avg10=", 6) == 0)
				d->avg10 = strtod(t + 6, NULL);
			else if (strncmp(t, "avg60=", 6) == 0)
				d->avg60 = strtod(t + 6, NULL);
			else if (strncmp(t, "avg300=", 7) == 0)
				d->avg300 = strtod(t + 7, NULL);
			else if (strncmp(t, "total=", 6) == 0)
				d->total = strtoull(t + 6, NULL, 10);
		}
		if (d)
			out->present = true;
		line = nl ? nl + 1 : NULL;
	}
	return 0;
}

static uint32_t
rdma_value(const char *v)
{
	if (strncmp(v, "max", 3) == 0)
		return UINT32_MAX;
	return (uint32_t)strtoul(v, NULL, 10);
}

/* "mlx4_0 hca_handle=2 hca_object=2000" per line; "max" reads as UINT32_MAX (containerd). */
int
cg__parse_rdma(const char *text, struct cg_rdma_entry **out, size_t *n)
{
	for (const char *line = text; line && *line;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		cleanup_free char *copy = xstrndup(line, len);
		char *save = NULL, *dev = strtok_r(copy, " ", &save);

		if (dev) {
			struct cg_rdma_entry *e;
			*out = xreallocarray(*out, *n + 1, sizeof(**out));
			e = &(*out)[(*n)++];
			memset(e, 0, sizeof(*e));
			e->device = xstrdup(dev);
			for (char *t = strtok_r(NULL, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
				if (strncmp(t, "hca_handle=", 11) == 0)
					e->hca_handles = rdma_value(t + 11);
				else if (strncmp(t, "hca_object=", 11) == 0)
					e->hca_objects = rdma_value(t + 11);
			}
		}
		line = nl ? nl + 1 : NULL;
	}
	return 0;
}

int
cg__parse_kv_all(const char *text, struct cg_kv_u64 **out, size_t *n)
{
	for (const char *line = text; line && *line;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		const char *sp = memchr(line, ' ', len);

		if (sp && sp > line) {
			*out = xreallocarray(*out, *n + 1, sizeof(**out));
			(*out)[*n].key = xstrndup(line, (size_t)(sp - line));
			(*out)[*n].value = strtoull(sp + 1, NULL, 10);
			(*n)++;
		}
		line = nl ? nl + 1 : NULL;
	}
	return 0;
}

char **
cg__hugepage_sizes(const char *dir, const char *suffix)
{
	cleanup_dir DIR *d = opendir(dir);
	char **v = xcalloc(1, sizeof(char *));
	size_t n = 0, sl = strlen(suffix);
	struct dirent *de;

	while (d && (de = readdir(d)) != NULL) {
		const char *name = de->d_name, *dot;
		size_t nl = strlen(name);
		cleanup_free char *size = NULL;

		if (strncmp(name, "hugetlb.", 8) != 0 || nl <= 8 + sl + 1 ||
		    strcmp(name + nl - sl, suffix) != 0 || name[nl - sl - 1] != '.')
			continue;
		dot = strchr(name + 8, '.');
		if (dot == NULL || dot != name + nl - sl - 1)
			continue; /* hugetlb.2MB.rsvd.max and the like */
		size = xstrndup(name + 8, (size_t)(dot - name - 8));
		if (!cg__valid_pagesize(size))
			continue;
		v = xreallocarray(v, n + 2, sizeof(char *));
		v[n++] = take_ptr(size);
		v[n] = NULL;
	}
	return v;
}

int
cg__parse_netdev(const char *text, struct cg_net_stat **out, size_t *n)
{
	for (const char *line = text; line && *line;) {
		const char *nl = strchr(line, '\n');
		const char *colon = strchr(line, ':');
		uint64_t f[16] = {0};
		const char *name;
		size_t name_len;
		int k = 0;

		if (colon && (!nl || colon < nl)) {
			name = line + strspn(line, " ");
			name_len = (size_t)(colon - name);
			for (const char *p = colon + 1; k < 16;) {
				char *end;
				uint64_t v = strtoull(p, &end, 10);
				if (end == p)
					break;
				f[k++] = v;
				p = end;
			}
			if (k >= 12 && !(name_len == 2 && strncmp(name, "lo", 2) == 0) &&
			    name_len < sizeof((*out)->name)) {
				struct cg_net_stat *s;
				*out = xreallocarray(*out, *n + 1, sizeof(**out));
				s = &(*out)[(*n)++];
				memset(s, 0, sizeof(*s));
				memcpy(s->name, name, name_len);
				s->rx_bytes = f[0], s->rx_packets = f[1], s->rx_errors = f[2];
				s->rx_dropped = f[3], s->tx_bytes = f[8], s->tx_packets = f[9];
				s->tx_errors = f[10], s->tx_dropped = f[11];
			}
		}
		line = nl ? nl + 1 : NULL;
	}
	return 0;
}

int
cg_stats_net(pid_t pid, struct cg_net_stat **out, size_t *n, struct err *err)
{
	char path[64];
	cleanup_free char *text = NULL;

	*out = NULL;
	*n = 0;
	snprintf(path, sizeof(path), "/proc/%d/net/dev", (int)pid);
	if (read_file_at(-1, path, &text, NULL, err) < 0)
		return -1;
	return cg__parse_netdev(text, out, n);
}
