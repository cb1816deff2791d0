/* cg_resources: OCI linux.resources as plain C, filled by the spec parser (runtime/spec*.c) and
 * applied by cgroups/. Every scalar has a has_ flag: unset fields are left alone. */
#ifndef CGROUPS_CG_RESOURCES_H
#define CGROUPS_CG_RESOURCES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cg_device_rule {
	bool allow;
	char type;	/* 'a', 'b' or 'c' */
	int64_t major;	/* -1 = wildcard */
	int64_t minor;	/* -1 = wildcard */
	char access[4]; /* subset of "rwm", NUL-terminated; "" = rwm */
};

struct cg_memory {
	bool has_limit, has_reservation, has_swap, has_kernel, has_kernel_tcp, has_swappiness;
	int64_t limit, reservation, swap, kernel, kernel_tcp; /* -1 = unlimited */
	uint64_t swappiness;
	bool has_disable_oom_killer, disable_oom_killer;
	bool has_use_hierarchy, use_hierarchy;
	bool has_check_before_update, check_before_update;
};

struct cg_cpu {
	bool has_shares, has_quota, has_burst, has_period, has_rt_runtime, has_rt_period, has_idle;
	uint64_t shares, burst, period, rt_period;
	int64_t quota, rt_runtime, idle;
	char *cpus; /* owned, NULL = unset */
	char *mems; /* owned, NULL = unset */
};

struct cg_pids {
	bool has_limit;
	int64_t limit; /* <= 0 = unlimited */
};

struct cg_weight_device {
	int64_t major, minor;
	bool has_weight, has_leaf_weight;
	uint16_t weight, leaf_weight;
};

struct cg_throttle_device {
	int64_t major, minor;
	uint64_t rate;
};

struct cg_blkio {
	bool has_weight, has_leaf_weight;
	uint16_t weight, leaf_weight;
	struct cg_weight_device *weight_device; /* owned */
	size_t n_weight_device;
	struct cg_throttle_device *read_bps, *write_bps, *read_iops, *write_iops; /* owned */
	size_t n_read_bps, n_write_bps, n_read_iops, n_write_iops;
};

struct cg_hugepage {
	char *page_size; /* owned, e.g. "2MB" */
	uint64_t limit;
};

struct cg_net_prio {
	char *name; /* owned */
	uint32_t priority;
};

struct cg_network {
	bool has_class_id;
	uint32_t class_id;
	struct cg_net_prio *priorities; /* owned */
	size_t n_priorities;
};

struct cg_rdma {
	char *device; /* owned */
	bool has_hca_handles, has_hca_objects;
	uint32_t hca_handles, hca_objects;
};

struct cg_kv {
	char *key;   /* owned */
	char *value; /* owned */
};

struct cg_resources {
	struct cg_device_rule *devices; /* owned */
	size_t n_devices;
	bool has_memory, has_cpu, has_pids, has_blkio, has_network;
	struct cg_memory memory;
	struct cg_cpu cpu;
	struct cg_pids pids;
	struct cg_blkio blkio;
	struct cg_hugepage *hugepages; /* owned */
	size_t n_hugepages;
	struct cg_network network;
	struct cg_rdma *rdma; /* owned */
	size_t n_rdma;
	struct cg_kv *unified; /* owned */
	size_t n_unified;
};

/* Frees what r owns (not r itself) and zeroes it. */
void cg_resources_fini(struct cg_resources *r);

#endif
