/* cli_update: `husk update`: new resource limits for a running container, from --resources
 * FILE|- (a LinuxResources object) or from runc's flags. As runc, a zero value leaves the
 * current setting alone. */
#ifndef CLI_CLI_UPDATE_H
#define CLI_CLI_UPDATE_H

#include "cgroups/cg_resources.h"
#include "cli.h"

struct cli_update_flags {
	const char *resources;
	const char *cpu_period, *cpu_quota, *cpu_burst, *cpu_share, *cpu_rt_period, *cpu_rt_runtime,
	    *cpuset_cpus, *cpuset_mems;
	const char *memory, *memory_reservation, *memory_swap, *kernel_memory, *kernel_memory_tcp;
	const char *l3_cache_schema, *mem_bw_schema;
	int blkio_weight, pids_limit;
};

/* Pure: the resources the flags ask for (r zeroed first). Bad numbers and sizes name the flag. */
int cli_update_from_flags(const struct cli_update_flags *uf, struct cg_resources *r,
                          struct err *err);
/* runc's "0 = unchanged": clears the has_ flags of zero values (and empty cpuset strings);
 * kernel memory is dropped with a warning, as runc ignores it. */
void cli_update_drop_zeros(struct cg_resources *r);

int cli_update(struct cli_ctx *ctx, int argc, char **argv, struct err *err);

#endif
