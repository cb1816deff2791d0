/* service_stats: cgroup statistics as containerd's io.containerd.cgroups.v1.Metrics (v1 and
 * hybrid hosts) or io.containerd.cgroups.v2.Metrics, packed into an Any. */
#ifndef SHIM_SERVICE_STATS_H
#define SHIM_SERVICE_STATS_H

#include <stdint.h>
#include <sys/types.h>

#include "proto/google/protobuf/any.pb-c.h"

struct cg_stats;

#define STATS_V1_TYPE "io.containerd.cgroups.v1.Metrics"
#define STATS_V2_TYPE "io.containerd.cgroups.v2.Metrics"

/* Fills any (type_url static, value in *buf, owned by the caller). pid: the init, for the
 * network counters of v1 (0 = none). Returns 0. */
int svc_stats_pack(const struct cg_stats *st, pid_t pid, Google__Protobuf__Any *any, uint8_t **buf);

#endif
