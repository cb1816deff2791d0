/* cg_res: OCI linux.resources -> neutral values and file writes: the plan type, conversions
 * (runc and crun semantics), the pieces v1 and v2 share, and the plan runner. */
#include "cg_internal.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/xalloc.h"

void
cg__plan_add(struct cg_plan *p, enum cg_controller c, unsigned flags, const char *file,
	     const char *fmt, ...)
{
	struct cg_write *w;
	va_list ap;

	p->w = xreallocarray(p->w, p->n + 1, sizeof(*p->w));
	w = &p->w[p->n++];
	w->ctrl = c;
	w->flags = flags;
	w->file = xstrdup(file);
	va_start(ap, fmt);
	if (vasprintf(&w->value, fmt, ap) < 0)
		abort(); /* out of memory is not an error path */
	va_end(ap);
}

void
cg__plan_fini(struct cg_plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->w[i].file);
		free(p->w[i].value);
	}
	free(p->w);
	p->w = NULL;
	p->n = 0;
}

/* ln(x) for x >= 1 without libm: x = m * 2^k, m in [1, 2), ln(m) = 2 atanh((m-1)/(m+1)).
 * Returns log2(x) so that powers of two come out exact. */
static double
log2_d(double x)
{
	int k = 0;
	double z, z2, term, sum = 0;

	while (x >= 2) {
		x /= 2; /* exact */
		k++;
	}
	z = (x - 1) / (x + 1);
	z2 = z * z;
	term = z;
	for (int i = 1; i < 80 && term != 0; i += 2) {
		sum += term / i;
		term *= z2;
	}
	return k + 2 * sum / 0.69314718055994530942;
}

/* 10^e for 0 <= e < 16: exact for integers, else exp(e ln 10) by Taylor series. */
static double
pow10_d(double e)
{
	double y, r, term = 1, sum = 1, v = 1;
	int n;

	if (e == (double)(int)e) {
		for (int i = 0; i < (int)e; i++)
			v *= 10;
		return v;
	}
	y = e * 2.30258509299404568402;
	n = (int)(y / 0.69314718055994530942 + 0.5);
	r = y - n * 0.69314718055994530942;
	for (int i = 1; i < 40; i++) {
		term *= r / i;
		sum += term;
	}
	for (int i = 0; i < n; i++)
		sum *= 2;
	return sum;
}

/* runc >= 1.3 / crun >= 1.23 (kubernetes#131216): a quadratic in log2 that maps 2 -> 1,
 * 1024 -> 100 (both defaults) and 262144 -> 10000:
 *   weight = ceil(10^((l^2 + 125 l) / 612 - 7/34)), l = log2(shares).
 * Computed without libm; the nearest any result comes to an integer is 4e-10 (relative),
 * far above this code's error, so it matches runc's float64 math for every value. */
uint64_t
cg__shares_to_weight(uint64_t shares)
{
	double l, exponent, v;
	uint64_t w;

	if (shares == 0)
		return 0;
	if (shares <= 2)
		return 1;
	if (shares >= 262144)
		return 10000;
	l = log2_d((double)shares);
	exponent = (l * l + 125 * l) / 612.0 - 7.0 / 34.0;
	v = pow10_d(exponent);
	w = (uint64_t)v;
	return (double)w < v ? w + 1 : w;
}

/* blkio.weight [10, 1000] -> io.weight [1, 10000], linear (runc). */
uint64_t
cg__blkio_weight_to_io(uint64_t weight)
{
	if (weight == 0)
		return 0;
	if (weight < 10)
		weight = 10;
	return 1 + (weight - 10) * 9999 / 990;
}

/* OCI memory.swap is memory+swap; v2 memory.swap.max is swap alone. 0 = unset, -1 = max. */
int
cg__swap_to_v2(int64_t swap, int64_t memory, int64_t *out, struct err *err)
{
	if (memory == -1 && swap == 0) {
		*out = -1; /* unlimited memory without a swap limit: unlimited swap too */
		return 0;
	}
	if (swap == -1 || swap == 0) {
		*out = swap;
		return 0;
	}
	if (swap < -1)
		return err_set(err, EINVAL, "memory.swap %" PRId64 " is invalid", swap);
	if (memory == 0 || memory == -1)
		return err_set(err, EINVAL,
			       "memory.swap %" PRId64 " needs a memory limit (memory+swap semantics)",
			       swap);
	if (memory < 0)
		return err_set(err, EINVAL, "memory.limit %" PRId64 " is invalid", memory);
	if (swap < memory)
		return err_set(err, EINVAL,
			       "memory.swap %" PRId64 " is below memory.limit %" PRId64
			       " (memory+swap must be >= memory)",
			       swap, memory);
	*out = swap - memory;
	return 0;
}

static void
dev_num(char *buf, size_t len, int64_t v)
{
	if (v < 0)
		snprintf(buf, len, "*");
	else
		snprintf(buf, len, "%" PRId64, v);
}

void
cg__device_rule_str(const struct cg_device_rule *d, char *buf, size_t len)
{
	char maj[24], min[24];

	dev_num(maj, sizeof(maj), d->major);
	dev_num(min, sizeof(min), d->minor);
	snprintf(buf, len, "%c %s:%s %s", d->type ? d->type : 'a', maj, min,
		 d->access[0] ? d->access : "rwm");
}

bool
cg__valid_pagesize(const char *s)
{
	size_t n = strspn(s, "0123456789");

	if (n == 0 || n > 8)
		return false;
	return (s[n] == 'K' || s[n] == 'M' || s[n] == 'G' || s[n] == 'T') && s[n + 1] == 'B' &&
	       s[n + 2] == '\0';
}

int
cg__plan_pids(const struct cg_resources *r, struct cg_plan *p)
{
	if (!r->has_pids || !r->pids.has_limit)
		return 0;
	if (r->pids.limit > 0)
		cg__plan_add(p, CG_CTRL_PIDS, 0, "pids.max", "%" PRId64, r->pids.limit);
	else
		cg__plan_add(p, CG_CTRL_PIDS, 0, "pids.max", "max");
	return 0;
}

int
cg__plan_cpuset(const struct cg_resources *r, struct cg_plan *p)
{
	if (!r->has_cpu)
		return 0;
	if (r->cpu.cpus && r->cpu.cpus[0])
		cg__plan_add(p, CG_CTRL_CPUSET, 0, "cpuset.cpus", "%s", r->cpu.cpus);
	if (r->cpu.mems && r->cpu.mems[0])
		cg__plan_add(p, CG_CTRL_CPUSET, 0, "cpuset.mems", "%s", r->cpu.mems);
	return 0;
}

int
cg__plan_hugetlb(const struct cg_resources *r, bool v2, struct cg_plan *p, struct err *err)
{
	for (size_t i = 0; i < r->n_hugepages; i++) {
		const struct cg_hugepage *h = &r->hugepages[i];
		char file[64];

		if (h->page_size == NULL || !cg__valid_pagesize(h->page_size))
			return err_set(err, EINVAL, "hugepageLimits[%zu]: bad pageSize \"%s\"", i,
				       h->page_size ? h->page_size : "");
		snprintf(file, sizeof(file), "hugetlb.%s.%s", h->page_size,
			 v2 ? "max" : "limit_in_bytes");
		cg__plan_add(p, CG_CTRL_HUGETLB, 0, file, "%" PRIu64, h->limit);
		/* Reservations (kernel 5.7+) get the same limit, where the kernel has them. */
		snprintf(file, sizeof(file), "hugetlb.%s.rsvd.%s", h->page_size,
			 v2 ? "max" : "limit_in_bytes");
		cg__plan_add(p, CG_CTRL_HUGETLB, CG_W_OPTIONAL, file, "%" PRIu64, h->limit);
	}
	return 0;
}

int
cg__check_pagesizes(const struct cg_resources *r, const char *dir, const char *suffix,
		    struct err *err)
{
	char **have = NULL;
	int rc = 0;

	if (r->n_hugepages == 0 || dir == NULL)
		return 0;
	have = cg__hugepage_sizes(dir, suffix);
	for (size_t i = 0; rc == 0 && have[0] && i < r->n_hugepages; i++) {
		const char *want = r->hugepages[i].page_size;
		bool found = false;
		char list[128] = "";
		size_t len = 0;

		for (size_t k = 0; have[k] && !found; k++)
			found = want && strcmp(have[k], want) == 0;
		if (found || want == NULL)
			continue;
		for (size_t k = 0; have[k] && len < sizeof(list); k++)
			len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s", k ? " " : "",
						have[k]);
		rc = err_set(err, EINVAL,
			     "hugepageLimits[%zu]: the kernel has no %s huge pages (it has %s)", i,
			     want, list);
	}
	strv_free(have);
	return rc;
}

int
cg__plan_rdma(const struct cg_resources *r, struct cg_plan *p, struct err *err)
{
	for (size_t i = 0; i < r->n_rdma; i++) {
		const struct cg_rdma *d = &r->rdma[i];
		char handles[40] = "", objects[40] = "";

		if (d->device == NULL || d->device[0] == '\0' || strpbrk(d->device, " \t\n/="))
			return err_set(err, EINVAL, "rdma: bad device name \"%s\"",
				       d->device ? d->device : "");
		if (!d->has_hca_handles && !d->has_hca_objects)
			continue;
		if (d->has_hca_handles)
			snprintf(handles, sizeof(handles), " hca_handle=%" PRIu32, d->hca_handles);
		if (d->has_hca_objects)
			snprintf(objects, sizeof(objects), " hca_object=%" PRIu32, d->hca_objects);
		cg__plan_add(p, CG_CTRL_RDMA, 0, "rdma.max", "%s%s%s", d->device, handles,
			     objects);
	}
	return 0;
}

static int
verify(const char *dir, const struct cg_write *w, struct err *err)
{
	cleanup_free char *text = NULL;
	size_t len;

	if (cg__read(dir, w->file, &text, err) < 0)
		return -1;
	len = strlen(text);
	while (len > 0 && isspace((unsigned char)text[len - 1]))
		text[--len] = '\0';
	if (strcmp(text, w->value) == 0)
		return 0;
	return err_set(err, EINVAL, "%s/%s: wrote %s but the kernel set %s (out of its range)",
		       dir, w->file, w->value, text);
}

static int
run_one(const struct cg *cg, const struct cg_write *w, cg_dir_fn dir_of, bool may_defer,
	struct err *err)
{
	cleanup_free char *dir = dir_of(cg, w->ctrl);

	if (dir == NULL) {
		if (w->flags & CG_W_OPTIONAL)
			return 0;
		return err_set(err, ENOTSUP, "%s: the %s controller is not available for %s",
			       w->file, cg_controller_name(w->ctrl), cg->path);
	}
	if (cg__write(dir, w->file, w->value, err) < 0) {
		if (w->flags & CG_W_BEST_EFFORT)
			return 0;
		if ((w->flags & CG_W_OPTIONAL) && (err->code == ENOENT || err->code == EOPNOTSUPP))
			return 0;
		if (may_defer && (w->flags & CG_W_DEFER_EINVAL) && err->code == EINVAL)
			return 1;
		return -1;
	}
	if (w->flags & CG_W_VERIFY)
		return verify(dir, w, err);
	return 0;
}

int
cg__plan_run(const struct cg *cg, const struct cg_plan *p, cg_dir_fn dir_of, struct err *err)
{
	cleanup_free size_t *deferred = xcalloc(p->n + 1, sizeof(*deferred));
	size_t n_deferred = 0;

	for (size_t i = 0; i < p->n; i++) {
		int r = run_one(cg, &p->w[i], dir_of, true, err);
		if (r < 0)
			return -1;
		if (r > 0)
			deferred[n_deferred++] = i;
	}
	for (size_t i = 0; i < n_deferred; i++)
		if (run_one(cg, &p->w[deferred[i]], dir_of, false, err) < 0)
			return -1;
	return 0;
}
