#include "cli_events.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/cleanup.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "cgroups/cgroups.h"
#include "cli_flags.h"
#include "cli_json.h"

/* ---- runc's types.Stats, from our cgroup statistics ---- */

static void
json_mem_entry(struct cli_json *j, const char *key, uint64_t limit, uint64_t usage, uint64_t max,
               uint64_t failcnt)
{
	cli_json_obj(j, key);
	cli_json_u64(j, "limit", limit);
	cli_json_u64_nz(j, "usage", usage);
	cli_json_u64_nz(j, "max", max);
	cli_json_u64(j, "failcnt", failcnt);
	cli_json_end(j);
}

static int
kv_cmp(const void *a, const void *b)
{
	return strcmp(((const struct cg_kv_u64 *)a)->key, ((const struct cg_kv_u64 *)b)->key);
}

/* Go encodes maps with sorted keys; omitempty drops an empty one. */
static void
json_raw(struct cli_json *j, struct cg_kv_u64 *raw, size_t n)
{
	if (n == 0)
		return;
	qsort(raw, n, sizeof(*raw), kv_cmp);
	cli_json_obj(j, "raw");
	for (size_t i = 0; i < n; i++)
		cli_json_u64(j, raw[i].key, raw[i].value);
	cli_json_end(j);
}

static void
json_cpu(struct cli_json *j, uint64_t total, const uint64_t *percpu, size_t n_percpu,
         uint64_t kernel, uint64_t user, uint64_t periods, uint64_t throttled,
         uint64_t throttled_time)
{
	cli_json_obj(j, "cpu");
	cli_json_obj(j, "usage");
	cli_json_u64_nz(j, "total", total);
	if (n_percpu > 0) {
		cli_json_arr(j, "percpu");
		for (size_t i = 0; i < n_percpu; i++)
			cli_json_u64(j, NULL, percpu[i]);
		cli_json_end(j);
	}
	cli_json_u64(j, "kernel", kernel);
	cli_json_u64(j, "user", user);
	cli_json_end(j);
	cli_json_obj(j, "throttling");
	cli_json_u64_nz(j, "periods", periods);
	cli_json_u64_nz(j, "throttledPeriods", throttled);
	cli_json_u64_nz(j, "throttledTime", throttled_time);
	cli_json_end(j);
	cli_json_end(j);
}

/* Not collected: runc's non-omitempty fields, all zero. */
static void
json_cpuset(struct cli_json *j)
{
	static const char *const keys[] = {
	    "cpu_exclusive",   "mem_hardwall",       "mem_exclusive",
	    "memory_migrate",  "memory_spread_page", "memory_spread_slab",
	    "memory_pressure", "sched_load_balance", "sched_relax_domain_level",
	};

	cli_json_obj(j, "cpuset");
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		cli_json_u64(j, keys[i], 0);
	cli_json_end(j);
}

static void
json_pids(struct cli_json *j, const struct cg_pids_stat *p)
{
	cli_json_obj(j, "pids");
	cli_json_u64_nz(j, "current", p->current);
	cli_json_u64_nz(j, "limit", p->limit);
	cli_json_end(j);
}

static void
json_blkio_entry(struct cli_json *j, uint64_t major, uint64_t minor, const char *op, uint64_t value)
{
	cli_json_obj(j, NULL);
	cli_json_u64_nz(j, "major", major);
	cli_json_u64_nz(j, "minor", minor);
	if (op && *op)
		cli_json_str(j, "op", op);
	cli_json_u64_nz(j, "value", value);
	cli_json_end(j);
}

static void
json_blkio_list(struct cli_json *j, const char *key, const struct cg_v1_blkio_list *l)
{
	if (l->n == 0)
		return;
	cli_json_arr(j, key);
	for (size_t i = 0; i < l->n; i++)
		json_blkio_entry(j, l->e[i].major, l->e[i].minor, l->e[i].op, l->e[i].value);
	cli_json_end(j);
}

static int
hugetlb_cmp(const void *a, const void *b)
{
	return strcmp(((const struct cg_hugetlb_stat *)a)->pagesize,
	              ((const struct cg_hugetlb_stat *)b)->pagesize);
}

static void
json_hugetlb(struct cli_json *j, struct cg_hugetlb_stat *h, size_t n)
{
	if (n > 1)
		qsort(h, n, sizeof(*h), hugetlb_cmp);
	cli_json_obj(j, "hugetlb");
	for (size_t i = 0; i < n; i++) {
		cli_json_obj(j, h[i].pagesize);
		cli_json_u64_nz(j, "usage", h[i].usage);
		cli_json_u64_nz(j, "max", h[i].max);
		cli_json_u64(j, "failcnt", h[i].failcnt);
		cli_json_end(j);
	}
	cli_json_end(j);
}

static void
json_tail(struct cli_json *j)
{
	cli_json_obj(j, "intel_rdt");
	cli_json_end(j);
	cli_json_null(j, "network_interfaces");
}

static void
json_stats_v1(struct cli_json *j, struct cg_stats_v1 *s)
{
	json_cpu(j, s->cpu.total, s->cpu.per_cpu, s->cpu.n_per_cpu, s->cpu.kernel, s->cpu.user,
	         s->cpu.periods, s->cpu.throttled_periods, s->cpu.throttled_time);
	json_cpuset(j);
	cli_json_obj(j, "memory");
	cli_json_u64_nz(j, "cache", s->memory.cache);
	json_mem_entry(j, "usage", s->memory.usage.limit, s->memory.usage.usage,
	               s->memory.usage.max, s->memory.usage.failcnt);
	json_mem_entry(j, "swap", s->memory.swap.limit, s->memory.swap.usage, s->memory.swap.max,
	               s->memory.swap.failcnt);
	json_mem_entry(j, "kernel", s->memory.kernel.limit, s->memory.kernel.usage,
	               s->memory.kernel.max, s->memory.kernel.failcnt);
	json_mem_entry(j, "kernelTCP", s->memory.kernel_tcp.limit, s->memory.kernel_tcp.usage,
	               s->memory.kernel_tcp.max, s->memory.kernel_tcp.failcnt);
	json_raw(j, s->memory.raw, s->memory.n_raw);
	cli_json_end(j);
	json_pids(j, &s->pids);
	cli_json_obj(j, "blkio");
	json_blkio_list(j, "ioServiceBytesRecursive", &s->blkio.io_service_bytes_recursive);
	json_blkio_list(j, "ioServicedRecursive", &s->blkio.io_serviced_recursive);
	json_blkio_list(j, "ioQueueRecursive", &s->blkio.io_queued_recursive);
	json_blkio_list(j, "ioServiceTimeRecursive", &s->blkio.io_service_time_recursive);
	json_blkio_list(j, "ioWaitTimeRecursive", &s->blkio.io_wait_time_recursive);
	json_blkio_list(j, "ioMergedRecursive", &s->blkio.io_merged_recursive);
	json_blkio_list(j, "ioTimeRecursive", &s->blkio.io_time_recursive);
	json_blkio_list(j, "sectorsRecursive", &s->blkio.sectors_recursive);
	cli_json_end(j);
	json_hugetlb(j, s->hugetlb, s->n_hugetlb);
	json_tail(j);
}

/* io.stat as runc's fs2 reports it: bytes and ios per device, "Read" and "Write". */
static void
json_io_v2(struct cli_json *j, const struct cg_stats_v2 *s)
{
	cli_json_obj(j, "blkio");
	if (s->io.n_usage > 0) {
		cli_json_arr(j, "ioServiceBytesRecursive");
		for (size_t i = 0; i < s->io.n_usage; i++) {
			const struct cg_v2_io_entry *e = &s->io.usage[i];
			json_blkio_entry(j, e->major, e->minor, "Read", e->rbytes);
			json_blkio_entry(j, e->major, e->minor, "Write", e->wbytes);
		}
		cli_json_end(j);
		cli_json_arr(j, "ioServicedRecursive");
		for (size_t i = 0; i < s->io.n_usage; i++) {
			const struct cg_v2_io_entry *e = &s->io.usage[i];
			json_blkio_entry(j, e->major, e->minor, "Read", e->rios);
			json_blkio_entry(j, e->major, e->minor, "Write", e->wios);
		}
		cli_json_end(j);
	}
	cli_json_end(j);
}

static void
json_stats_v2(struct cli_json *j, struct cg_stats_v2 *s)
{
	/* runc's fs2: limits of "max" are MaxUint64; swap is reported with memory added, as
	 * v1's memsw. */
	uint64_t mem_limit = s->memory.usage_limit ? s->memory.usage_limit : UINT64_MAX;
	uint64_t swap_limit = s->memory.swap_limit ? s->memory.swap_limit : UINT64_MAX;

	if (swap_limit != UINT64_MAX && mem_limit != UINT64_MAX)
		swap_limit += mem_limit;
	json_cpu(j, s->cpu.usage_usec * 1000, NULL, 0, s->cpu.system_usec * 1000,
	         s->cpu.user_usec * 1000, s->cpu.nr_periods, s->cpu.nr_throttled,
	         s->cpu.throttled_usec * 1000);
	json_cpuset(j);
	cli_json_obj(j, "memory");
	cli_json_u64_nz(j, "cache", s->memory.file);
	json_mem_entry(j, "usage", mem_limit, s->memory.usage, s->memory.max_usage, 0);
	json_mem_entry(j, "swap", swap_limit, s->memory.swap_usage + s->memory.usage,
	               s->memory.swap_max_usage, 0);
	json_mem_entry(j, "kernel", 0, 0, 0, 0);
	json_mem_entry(j, "kernelTCP", 0, 0, 0, 0);
	json_raw(j, s->memory.raw, s->memory.n_raw);
	cli_json_end(j);
	json_pids(j, &s->pids);
	json_io_v2(j, s);
	json_hugetlb(j, s->hugetlb, s->n_hugetlb);
	json_tail(j);
}

char *
cli_events_stats_json(const char *id, struct cg_stats *s)
{
	struct cli_json j;

	cli_json_init(&j);
	cli_json_obj(&j, NULL);
	cli_json_str(&j, "type", "stats");
	cli_json_str(&j, "id", id);
	cli_json_obj(&j, "data");
	if (s->is_v2)
		json_stats_v2(&j, &s->v2);
	else
		json_stats_v1(&j, &s->v1);
	cli_json_end(&j);
	cli_json_end(&j);
	return cli_json_take(&j);
}

char *
cli_events_oom_json(const char *id)
{
	struct cli_json j;

	cli_json_init(&j);
	cli_json_obj(&j, NULL);
	cli_json_str(&j, "type", "oom");
	cli_json_str(&j, "id", id);
	cli_json_end(&j);
	return cli_json_take(&j);
}

/* ---- the command ---- */

struct events_target {
	const char *id;
	struct cg_root *root;
	struct cg *cg;
};

static int
events_open(struct cli_ctx *ctx, const char *id, struct events_target *t, struct err *err)
{
	struct cg_root_opts o = {0};
	struct rt_state *st = NULL;
	int r;

	memset(t, 0, sizeof(*t));
	t->id = id;
	if (rt_container_state(&ctx->rt, id, &st, err) < 0)
		return -1;
	if (st->status == RT_STOPPED)
		r = err_set(err, EBUSY, "container with id %s is not running", id);
	else if (st->cgroup_path == NULL || *st->cgroup_path == '\0')
		r = err_set(err, ENOENT, "container %s has no cgroup", id);
	else
		r = cg_root_open(&o, &t->root, err);
	if (r == 0 && cg_open(t->root, st->cgroup_path, &t->cg, err) < 0)
		r = err_wrap(err, "cgroup of %s", id);
	rt_state_free(st);
	return r;
}

static void
events_close(struct events_target *t)
{
	cg_free(t->cg);
	if (t->root)
		cg_root_free(t->root);
}

static int
events_print_stats(const struct events_target *t, struct err *err)
{
	struct cg_stats s;
	cleanup_free char *json = NULL;

	if (cg_stats(t->cg, &s, err) < 0) {
		cg_stats_fini(&s);
		return -1;
	}
	json = cli_events_stats_json(t->id, &s);
	cg_stats_fini(&s);
	printf("%s\n", json);
	fflush(stdout);
	return 0;
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Is the container still there and not stopped? (when there is no OOM watch to tell) */
static bool
events_alive(struct cli_ctx *ctx, const char *id)
{
	struct rt_state *st = NULL;
	struct err err = {0};
	bool alive;

	if (rt_container_state(&ctx->rt, id, &st, &err) < 0)
		return false;
	alive = st->status != RT_STOPPED;
	rt_state_free(st);
	return alive;
}

static void
events_oom_check(struct cg_oom **w, const char *id)
{
	struct err err = {0};
	uint64_t n = 0;
	bool gone = false;

	if (cg_oom_check(*w, &n, &gone, &err) < 0) {
		log_error("oom watch of %s: %s", id, err.msg);
		gone = true;
	}
	for (uint64_t i = 0; i < n; i++) {
		cleanup_free char *json = cli_events_oom_json(id);
		printf("%s\n", json);
	}
	fflush(stdout);
	if (gone) {
		cg_oom_close(*w);
		*w = NULL;
	}
}

/* Stats every interval and OOM events, until the cgroup goes away (runc: the OOM channel
 * closes) or, without an OOM watch, the container stops. */
static int
events_stream(struct cli_ctx *ctx, struct events_target *t, int64_t interval_ms,
              struct err *out_err)
{
	struct cg_oom *w = NULL;
	struct err err = {0};
	bool had_watch;
	int64_t next = now_ms() + interval_ms;

	if (cg_oom_open(t->cg, &w, &err) < 0) {
		log_warn("no OOM events for %s: %s", t->id, err.msg);
		w = NULL;
	}
	had_watch = w != NULL;
	for (;;) {
		struct pollfd p = {.fd = w ? cg_oom_fd(w) : -1, .events = POLLIN};
		int64_t wait = next - now_ms();

		if (poll(&p, 1, wait > 0 ? (int)wait : 0) < 0 && errno != EINTR) {
			err_sys(out_err, "poll");
			if (w)
				cg_oom_close(w);
			return -1;
		}
		if (w && (p.revents & POLLIN)) {
			events_oom_check(&w, t->id);
			if (w == NULL)
				return 0;
		}
		if (now_ms() < next)
			continue;
		next += interval_ms;
		if (!had_watch && !events_alive(ctx, t->id))
			return 0;
		err_clear(&err);
		if (events_print_stats(t, &err) < 0)
			log_error("stats of %s: %s", t->id, err.msg);
	}
}

int
cli_events(struct cli_ctx *ctx, int argc, char **argv, struct err *err)
{
	const char *interval = "5s";
	bool stats = false;
	struct cli_flag flags[] = {
	    CLI_FLAG("interval", CLI_STRING, &interval,
	             "set the stats collection interval (default: 5s)"),
	    CLI_FLAG("stats", CLI_BOOL, &stats, "display the container's stats then exit"),
	};
	struct events_target t = {0};
	struct cli_args pos;
	int64_t ns = 0;
	int r;

	r = cli_cmd_parse(ctx, flags, ARRAY_SIZE(flags), argc, argv, CLI_ARGS_ANYWHERE, 1, 1, &pos,
	                  err);
	if (r != 0)
		return r < 0 ? -1 : 0;
	if (cli_parse_duration(interval, &ns, err) < 0)
		r = err_wrap(err, "--interval");
	else if (ns <= 0)
		r = err_set(err, EINVAL, "duration interval must be greater than 0");
	if (r == 0)
		r = events_open(ctx, pos.v[0], &t, err);
	if (r == 0 && stats)
		r = events_print_stats(&t, err);
	else if (r == 0)
		r = events_stream(ctx, &t, ns / 1000000 > 0 ? ns / 1000000 : 1, err);
	events_close(&t);
	cli_args_fini(&pos);
	return r;
}
