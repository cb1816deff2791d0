#include "cli_update.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/fdutil.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "cli_flags.h"

static int
flag_u64(const char *name, const char *v, bool *has, uint64_t *dst, struct err *err)
{
	if (v == NULL || *v == '\0')
		return 0;
	if (cli_parse_u64(v, dst) < 0)
		return err_set(err, EINVAL,
		               "invalid value for %s: \"%s\" is not an unsigned number", name, v);
	*has = true;
	return 0;
}

static int
flag_i64(const char *name, const char *v, bool *has, int64_t *dst, struct err *err)
{
	if (v == NULL || *v == '\0')
		return 0;
	if (cli_parse_i64(v, dst) < 0)
		return err_set(err, EINVAL, "invalid value for %s: \"%s\" is not a number", name,
		               v);
	*has = true;
	return 0;
}

/* A memory size: "-1" (unlimited) or a size with runc's suffixes. */
static int
flag_mem(const char *name, const char *v, bool *has, int64_t *dst, struct err *err)
{
	if (v == NULL || *v == '\0')
		return 0;
	if (strcmp(v, "-1") == 0)
		*dst = -1;
	else if (cli_parse_size(v, dst, err) < 0)
		return err_wrap(err, "invalid value for %s", name);
	*has = true;
	return 0;
}

static int
cpu_from_flags(const struct cli_update_flags *uf, struct cg_cpu *c, struct err *err)
{
	if (flag_u64("cpu-period", uf->cpu_period, &c->has_period, &c->period, err) < 0 ||
	    flag_u64("cpu-rt-period", uf->cpu_rt_period, &c->has_rt_period, &c->rt_period, err) <
	        0 ||
	    flag_u64("cpu-share", uf->cpu_share, &c->has_shares, &c->shares, err) < 0 ||
	    flag_u64("cpu-burst", uf->cpu_burst, &c->has_burst, &c->burst, err) < 0 ||
	    flag_i64("cpu-quota", uf->cpu_quota, &c->has_quota, &c->quota, err) < 0 ||
	    flag_i64("cpu-rt-runtime", uf->cpu_rt_runtime, &c->has_rt_runtime, &c->rt_runtime,
	             err) < 0)
		return -1;
	if (uf->cpuset_cpus && *uf->cpuset_cpus)
		c->cpus = xstrdup(uf->cpuset_cpus);
	if (uf->cpuset_mems && *uf->cpuset_mems)
		c->mems = xstrdup(uf->cpuset_mems);
	return 0;
}

int
cli_update_from_flags(const struct cli_update_flags *uf, struct cg_resources *r, struct err *err)
{
	struct cg_memory *m = &r->memory;

	memset(r, 0, sizeof(*r));
	if (uf->l3_cache_schema && *uf->l3_cache_schema)
		return err_set(err, ENOTSUP, "--l3-cache-schema: Intel RDT is not supported");
	if (uf->mem_bw_schema && *uf->mem_bw_schema)
		return err_set(err, ENOTSUP, "--mem-bw-schema: Intel RDT is not supported");
	if (uf->blkio_weight < 0 || uf->blkio_weight > UINT16_MAX)
		return err_set(err, EINVAL, "invalid value for blkio-weight: %d", uf->blkio_weight);
	if (cpu_from_flags(uf, &r->cpu, err) < 0 ||
	    flag_mem("memory", uf->memory, &m->has_limit, &m->limit, err) < 0 ||
	    flag_mem("memory-swap", uf->memory_swap, &m->has_swap, &m->swap, err) < 0 ||
	    flag_mem("kernel-memory", uf->kernel_memory, &m->has_kernel, &m->kernel, err) < 0 ||
	    flag_mem("kernel-memory-tcp", uf->kernel_memory_tcp, &m->has_kernel_tcp, &m->kernel_tcp,
	             err) < 0 ||
	    flag_mem("memory-reservation", uf->memory_reservation, &m->has_reservation,
	             &m->reservation, err) < 0) {
		cg_resources_fini(r);
		return -1;
	}
	r->blkio.has_weight = true;
	r->blkio.weight = (uint16_t)uf->blkio_weight;
	r->pids.has_limit = true;
	r->pids.limit = uf->pids_limit;
	cli_update_drop_zeros(r);
	return 0;
}

void
cli_update_drop_zeros(struct cg_resources *r)
{
	struct cg_memory *m = &r->memory;
	struct cg_cpu *c = &r->cpu;

	if ((m->has_kernel && m->kernel != 0) || (m->has_kernel_tcp && m->kernel_tcp != 0))
		log_warn("Kernel memory settings are ignored and will be removed");
	m->has_kernel = m->has_kernel_tcp = false;
	m->has_limit &= m->limit != 0;
	m->has_reservation &= m->reservation != 0;
	m->has_swap &= m->swap != 0;
	c->has_shares &= c->shares != 0;
	c->has_quota &= c->quota != 0;
	c->has_period &= c->period != 0;
	c->has_rt_runtime &= c->rt_runtime != 0;
	c->has_rt_period &= c->rt_period != 0;
	if (c->cpus && *c->cpus == '\0') {
		free(c->cpus);
		c->cpus = NULL;
	}
	if (c->mems && *c->mems == '\0') {
		free(c->mems);
		c->mems = NULL;
	}
	r->blkio.has_weight &= r->blkio.weight != 0;
	r->pids.has_limit &= r->pids.limit != 0;
	r->has_memory = m->has_limit || m->has_reservation || m->has_swap || m->has_swappiness ||
	                m->has_disable_oom_killer || m->has_use_hierarchy ||
	                m->has_check_before_update;
	r->has_cpu = c->has_shares || c->has_quota || c->has_burst || c->has_period ||
	             c->has_rt_runtime || c->has_rt_period || c->has_idle || c->cpus || c->mems;
	r->has_pids = r->pids.has_limit;
	r->has_blkio = r->has_blkio || r->blkio.has_weight;
}

/* --resources FILE or - (stdin). */
static int
update_from_file(const char *path, struct cg_resources *r, struct err *err)
{
	cleanup_free char *text = NULL;
	size_t len;

	if (strcmp(path, "-") == 0 ? read_all(0, &text, &len, err) < 0
	                           : read_file_at(AT_FDCWD, path, &text, &len, err) < 0)
		return -1;
	if (rt_resources_parse(text, len, r, err) < 0)
		return err_wrap(err, "%s", strcmp(path, "-") == 0 ? "stdin" : path);
	cli_update_drop_zeros(r);
	return 0;
}

static size_t
update_flags_fill(struct cli_flag *f, struct cli_update_flags *u)
{
	size_t n = 0;

	f[n++] = (struct cli_flag)CLI_FLAG(
	    "resources, r", CLI_STRING, &u->resources,
	    "path to the file containing the resources to update or '-' to read from the "
	    "standard input (a LinuxResources JSON object; other options are then ignored)");
	f[n++] = (struct cli_flag)CLI_FLAG("blkio-weight", CLI_INT, &u->blkio_weight,
	                                   "Specifies per cgroup weight, range is from 10 to 1000");
	f[n++] = (struct cli_flag)CLI_FLAG("cpu-period", CLI_STRING, &u->cpu_period,
	                                   "CPU CFS period to be used for hardcapping (in usecs)");
	f[n++] = (struct cli_flag)CLI_FLAG("cpu-quota", CLI_STRING, &u->cpu_quota,
	                                   "CPU CFS hardcap limit (in usecs)");
	f[n++] = (struct cli_flag)CLI_FLAG("cpu-burst", CLI_STRING, &u->cpu_burst,
	                                   "CPU CFS hardcap burst limit (in usecs)");
	f[n++] = (struct cli_flag)CLI_FLAG("cpu-share", CLI_STRING, &u->cpu_share,
	                                   "CPU shares (relative weight vs. other containers)");
	f[n++] =
	    (struct cli_flag)CLI_FLAG("cpu-rt-period", CLI_STRING, &u->cpu_rt_period,
	                              "CPU realtime period to be used for hardcapping (in usecs)");
	f[n++] = (struct cli_flag)CLI_FLAG("cpu-rt-runtime", CLI_STRING, &u->cpu_rt_runtime,
	                                   "CPU realtime hardcap limit (in usecs)");
	f[n++] =
	    (struct cli_flag)CLI_FLAG("cpuset-cpus", CLI_STRING, &u->cpuset_cpus, "CPU(s) to use");
	f[n++] = (struct cli_flag)CLI_FLAG("cpuset-mems", CLI_STRING, &u->cpuset_mems,
	                                   "Memory node(s) to use");
	f[n++] = (struct cli_flag)CLI_FLAG("kernel-memory", CLI_STRING, &u->kernel_memory,
	                                   "(obsoleted; do not use)");
	f[n++] = (struct cli_flag)CLI_FLAG("kernel-memory-tcp", CLI_STRING, &u->kernel_memory_tcp,
	                                   "(obsoleted; do not use)");
	f[n++] =
	    (struct cli_flag)CLI_FLAG("memory", CLI_STRING, &u->memory,
	                              "Memory limit (in bytes; suffixes k, m, g, ... allowed)");
	f[n++] = (struct cli_flag)CLI_FLAG("memory-reservation", CLI_STRING, &u->memory_reservation,
	                                   "Memory reservation or soft_limit (in bytes)");
	f[n++] = (struct cli_flag)CLI_FLAG("memory-swap", CLI_STRING, &u->memory_swap,
	                                   "Total memory usage (memory + swap); set '-1' to enable "
	                                   "unlimited swap");
	f[n++] = (struct cli_flag)CLI_FLAG("pids-limit", CLI_INT, &u->pids_limit,
	                                   "Maximum number of pids allowed in the container");
	f[n++] = (struct cli_flag)CLI_FLAG("l3-cache-schema", CLI_STRING, &u->l3_cache_schema,
	                                   "The string of Intel RDT/CAT L3 cache schema (not "
	                                   "supported)");
	f[n++] =
	    (struct cli_flag)CLI_FLAG("mem-bw-schema", CLI_STRING, &u->mem_bw_schema,
	                              "The string of Intel RDT/MBA memory bandwidth schema (not "
	                              "supported)");
	return n;
}

int
cli_update(struct cli_ctx *ctx, int argc, char **argv, struct err *err)
{
	struct cli_update_flags uf = {0};
	struct cli_flag flags[20];
	size_t n = update_flags_fill(flags, &uf);
	struct cg_resources res = {0};
	struct cli_args pos;
	int r;

	r = cli_cmd_parse(ctx, flags, n, argc, argv, CLI_ARGS_ANYWHERE, 1, 1, &pos, err);
	if (r != 0)
		return r < 0 ? -1 : 0;
	if (uf.resources && *uf.resources)
		r = update_from_file(uf.resources, &res, err);
	else
		r = cli_update_from_flags(&uf, &res, err);
	if (r == 0)
		r = rt_container_update(&ctx->rt, pos.v[0], &res, err);
	cg_resources_fini(&res);
	cli_args_fini(&pos);
	return r;
}
