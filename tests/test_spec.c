/* test_spec: valid configs into struct rt_spec: a config with every OCI 1.2 Linux field
 * (tests/fuzz/corpus/spec/full.json, shared with the fuzz corpus), defaults, tolerance of
 * unknown fields and nulls, rt_spec_load, and the default spec parsing back. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/fdutil.h"
#include "base/xalloc.h"
#include "spec.h"

#ifndef HUSK_SRCDIR
#define HUSK_SRCDIR "."
#endif
#define FULL_JSON HUSK_SRCDIR "/tests/fuzz/corpus/spec/full.json"
#define CAP(n) (UINT64_C(1) << (n))

/* Parses JSON written with ' for " (easier to read in C). */
static struct rt_spec *
parse_ok(const char *sq)
{
	char *json = xstrdup(sq);
	struct rt_spec *s = NULL;
	struct err err = {0};

	for (char *p = json; *p; p++)
		if (*p == '\'')
			*p = '"';
	if (rt_spec_parse(json, strlen(json), &s, &err) < 0)
		fail_msg("parse failed: %s\njson: %s", err.msg, json);
	free(json);
	assert_non_null(s);
	return s;
}

static int
full_setup(void **state)
{
	struct err err = {0};
	struct rt_spec *s = NULL;

	if (rt_spec_load(FULL_JSON, &s, &err) < 0) {
		print_error("%s\n", err.msg);
		return -1;
	}
	*state = s;
	return 0;
}

static int
full_teardown(void **state)
{
	rt_spec_free(*state);
	return 0;
}

static void
full_top_level(void **state)
{
	struct rt_spec *s = *state;

	assert_string_equal(s->oci_version, "1.2.0");
	assert_string_equal(s->root_path, "rootfs");
	assert_true(s->root_readonly);
	assert_string_equal(s->hostname, "box");
	assert_string_equal(s->domainname, "example.org");
	assert_int_equal(s->n_annotations, 2);
	assert_string_equal(s->annotations[0].key, "org.example.a");
	assert_string_equal(s->annotations[0].value, "1");
	assert_string_equal(s->annotations[1].key, "org.example.b");
	assert_string_equal(s->annotations[1].value, "two");
	assert_true(s->has_linux);
	assert_non_null(s->process);
}

static void
full_mounts(void **state)
{
	struct rt_spec *s = *state;
	struct rt_mount *m;

	assert_int_equal(s->n_mounts, 2);
	m = &s->mounts[0];
	assert_string_equal(m->destination, "/proc");
	assert_string_equal(m->type, "proc");
	assert_string_equal(m->source, "proc");
	assert_non_null(m->options);
	assert_null(m->options[0]);
	assert_int_equal(m->n_uid_mappings, 0);
	m = &s->mounts[1];
	assert_string_equal(m->destination, "/data");
	assert_string_equal(m->type, "bind");
	assert_string_equal(m->source, "/srv/data");
	assert_string_equal(m->options[0], "rbind");
	assert_string_equal(m->options[1], "ro");
	assert_string_equal(m->options[2], "idmap");
	assert_null(m->options[3]);
	assert_int_equal(m->n_uid_mappings, 1);
	assert_int_equal(m->uid_mappings[0].container_id, 0);
	assert_int_equal(m->uid_mappings[0].host_id, 100000);
	assert_int_equal(m->uid_mappings[0].size, 65536);
	assert_int_equal(m->n_gid_mappings, 1);
	assert_int_equal(m->gid_mappings[0].host_id, 200000);
	assert_int_equal(m->gid_mappings[0].size, 1000);
}

static void
full_process_user_args(void **state)
{
	struct rt_process *p = ((struct rt_spec *)*state)->process;

	assert_true(p->terminal);
	assert_true(p->has_console_size);
	assert_int_equal(p->console_height, 25);
	assert_int_equal(p->console_width, 80);
	assert_int_equal(p->user.uid, 1000);
	assert_int_equal(p->user.gid, 1001);
	assert_true(p->user.has_umask);
	assert_int_equal(p->user.umask, 022);
	assert_int_equal(p->user.n_additional_gids, 3);
	assert_int_equal(p->user.additional_gids[0], 5);
	assert_int_equal(p->user.additional_gids[1], 6);
	assert_int_equal(p->user.additional_gids[2], UINT32_MAX);
	assert_string_equal(p->user.username, "ignored");
	assert_int_equal(strv_len(p->args), 3);
	assert_string_equal(p->args[0], "sh");
	assert_string_equal(p->args[2], "echo hi");
	assert_int_equal(strv_len(p->env), 2);
	assert_string_equal(p->env[0], "PATH=/bin");
	assert_string_equal(p->cwd, "/home");
}

static void
full_process_caps(void **state)
{
	struct rt_process *p = ((struct rt_spec *)*state)->process;

	assert_true(p->has_caps);
	assert_true(p->caps.bounding == (CAP(21) | CAP(5) | CAP(40)));
	assert_true(p->caps.effective == CAP(5));
	assert_true(p->caps.inheritable == CAP(0));
	assert_true(p->caps.permitted == (CAP(5) | CAP(13)));
	assert_true(p->caps.ambient == CAP(10));
	/* Unknown names are left out of the masks and listed once. */
	assert_non_null(p->unknown_caps);
	assert_string_equal(p->unknown_caps[0], "CAP_FUTURE_THING");
	assert_null(p->unknown_caps[1]);
}

static void
full_process_rlimits(void **state)
{
	struct rt_process *p = ((struct rt_spec *)*state)->process;

	assert_int_equal(p->n_rlimits, 2);
	assert_int_equal(p->rlimits[0].type, RLIMIT_NOFILE);
	assert_int_equal(p->rlimits[0].hard, 1024);
	assert_int_equal(p->rlimits[0].soft, 512);
	assert_int_equal(p->rlimits[1].type, RLIMIT_CORE);
	assert_true(p->rlimits[1].hard == UINT64_MAX);
	assert_int_equal(p->rlimits[1].soft, 0);
}

static void
full_process_attrs(void **state)
{
	struct rt_process *p = ((struct rt_spec *)*state)->process;

	assert_true(p->no_new_privileges);
	assert_string_equal(p->apparmor_profile, "husk-default");
	assert_true(p->has_oom_score_adj);
	assert_int_equal(p->oom_score_adj, -500);
	assert_true(p->has_scheduler);
	assert_int_equal(p->scheduler.policy, 6 /* SCHED_DEADLINE */);
	assert_int_equal(p->scheduler.nice, -5);
	assert_int_equal(p->scheduler.priority, 10);
	assert_int_equal(p->scheduler.flags, 0x01 | 0x40);
	assert_int_equal(p->scheduler.runtime, 1000);
	assert_int_equal(p->scheduler.deadline, 2000);
	assert_int_equal(p->scheduler.period, 3000);
	assert_string_equal(p->selinux_label, "system_u:system_r:container_t:s0");
	assert_true(p->has_io_priority);
	assert_int_equal(p->io_priority.class, 2);
	assert_int_equal(p->io_priority.priority, 4);
	assert_string_equal(p->exec_cpu_affinity_initial, "0-1");
	assert_string_equal(p->exec_cpu_affinity_final, "1");
}

static void
full_hooks(void **state)
{
	struct rt_hooks *h = &((struct rt_spec *)*state)->hooks;
	struct rt_hook *pre;

	assert_int_equal(h->n_hooks[RT_HOOK_PRESTART], 1);
	pre = &h->hooks[RT_HOOK_PRESTART][0];
	assert_string_equal(pre->path, "/bin/pre");
	assert_string_equal(pre->args[0], "pre");
	assert_string_equal(pre->args[1], "x");
	assert_null(pre->args[2]);
	assert_string_equal(pre->env[0], "A=1");
	assert_true(pre->has_timeout);
	assert_int_equal(pre->timeout, 5);
	assert_int_equal(h->n_hooks[RT_HOOK_CREATE_RUNTIME], 1);
	assert_string_equal(h->hooks[RT_HOOK_CREATE_RUNTIME][0].path, "/bin/cr");
	assert_false(h->hooks[RT_HOOK_CREATE_RUNTIME][0].has_timeout);
	assert_non_null(h->hooks[RT_HOOK_CREATE_RUNTIME][0].args);
	assert_null(h->hooks[RT_HOOK_CREATE_RUNTIME][0].args[0]);
	assert_non_null(h->hooks[RT_HOOK_CREATE_RUNTIME][0].env);
	assert_int_equal(h->n_hooks[RT_HOOK_CREATE_CONTAINER], 2);
	assert_string_equal(h->hooks[RT_HOOK_CREATE_CONTAINER][1].path, "/bin/cc2");
	assert_int_equal(h->n_hooks[RT_HOOK_START_CONTAINER], 1);
	assert_string_equal(h->hooks[RT_HOOK_START_CONTAINER][0].path, "/bin/sc");
	assert_int_equal(h->n_hooks[RT_HOOK_POSTSTART], 1);
	assert_string_equal(h->hooks[RT_HOOK_POSTSTART][0].path, "/bin/ps");
	assert_int_equal(h->n_hooks[RT_HOOK_POSTSTOP], 1);
	assert_int_equal(h->hooks[RT_HOOK_POSTSTOP][0].timeout, 1);
}

static void
full_namespaces(void **state)
{
	struct rt_linux *l = &((struct rt_spec *)*state)->linux;

	for (int k = 0; k < RT_NS_NKINDS; k++)
		assert_true(l->ns[k].present);
	assert_string_equal(l->ns[RT_NS_NET].path, "/var/run/netns/x");
	assert_null(l->ns[RT_NS_PID].path);
	assert_null(l->ns[RT_NS_TIME].path);
}

static void
full_idmaps_time_devices(void **state)
{
	struct rt_linux *l = &((struct rt_spec *)*state)->linux;

	assert_int_equal(l->n_uid_mappings, 2);
	assert_int_equal(l->uid_mappings[1].container_id, 1);
	assert_int_equal(l->uid_mappings[1].host_id, 100000);
	assert_int_equal(l->uid_mappings[1].size, 65535);
	assert_int_equal(l->n_gid_mappings, 1);
	assert_int_equal(l->gid_mappings[0].host_id, 1000);
	assert_true(l->time_monotonic.has);
	assert_int_equal(l->time_monotonic.secs, -86400);
	assert_int_equal(l->time_monotonic.nanosecs, 500);
	assert_true(l->time_boottime.has);
	assert_int_equal(l->time_boottime.secs, 3600);
	assert_int_equal(l->time_boottime.nanosecs, 0);
	assert_int_equal(l->n_devices, 2);
	assert_int_equal(l->devices[0].type, 'c');
	assert_string_equal(l->devices[0].path, "/dev/fuse");
	assert_int_equal(l->devices[0].major, 10);
	assert_int_equal(l->devices[0].minor, 229);
	assert_true(l->devices[0].has_file_mode);
	assert_int_equal(l->devices[0].file_mode, 0666);
	assert_true(l->devices[0].has_uid && l->devices[0].has_gid);
	assert_int_equal(l->devices[1].type, 'p');
	assert_false(l->devices[1].has_file_mode);
	assert_false(l->devices[1].has_uid);
}

static void
full_resources_mem_cpu_pids(void **state)
{
	struct rt_linux *l = &((struct rt_spec *)*state)->linux;
	struct cg_resources *r = &l->resources;

	assert_true(l->has_resources);
	assert_true(r->has_memory);
	assert_true(r->memory.has_limit && r->memory.limit == 536870912);
	assert_true(r->memory.has_reservation && r->memory.reservation == 268435456);
	assert_true(r->memory.has_swap && r->memory.swap == -1);
	assert_true(r->memory.has_kernel && r->memory.kernel == 0);
	assert_true(r->memory.has_kernel_tcp && r->memory.kernel_tcp == 1048576);
	assert_true(r->memory.has_swappiness && r->memory.swappiness == 60);
	assert_true(r->memory.has_disable_oom_killer && r->memory.disable_oom_killer);
	assert_true(r->memory.has_use_hierarchy && !r->memory.use_hierarchy);
	assert_true(r->memory.has_check_before_update && r->memory.check_before_update);
	assert_true(r->has_cpu);
	assert_true(r->cpu.has_shares && r->cpu.shares == 1024);
	assert_true(r->cpu.has_quota && r->cpu.quota == 50000);
	assert_true(r->cpu.has_burst && r->cpu.burst == 1000);
	assert_true(r->cpu.has_period && r->cpu.period == 100000);
	assert_true(r->cpu.has_rt_runtime && r->cpu.rt_runtime == 950000);
	assert_true(r->cpu.has_rt_period && r->cpu.rt_period == 1000000);
	assert_true(r->cpu.has_idle && r->cpu.idle == 1);
	assert_string_equal(r->cpu.cpus, "0-1");
	assert_string_equal(r->cpu.mems, "0");
	assert_true(r->has_pids && r->pids.has_limit && r->pids.limit == 32771);
}

static void
full_resources_blkio_huge_net(void **state)
{
	struct cg_resources *r = &((struct rt_spec *)*state)->linux.resources;
	struct cg_blkio *b = &r->blkio;

	assert_true(r->has_blkio);
	assert_true(b->has_weight && b->weight == 500);
	assert_true(b->has_leaf_weight && b->leaf_weight == 300);
	assert_int_equal(b->n_weight_device, 2);
	assert_int_equal(b->weight_device[0].major, 8);
	assert_int_equal(b->weight_device[0].minor, 0);
	assert_true(b->weight_device[0].has_weight && b->weight_device[0].weight == 600);
	assert_true(b->weight_device[0].has_leaf_weight && b->weight_device[0].leaf_weight == 200);
	assert_false(b->weight_device[1].has_leaf_weight);
	assert_int_equal(b->n_read_bps, 1);
	assert_int_equal(b->read_bps[0].rate, 600);
	assert_int_equal(b->n_write_bps, 1);
	assert_int_equal(b->write_bps[0].minor, 1);
	assert_int_equal(b->write_bps[0].rate, 700);
	assert_int_equal(b->n_read_iops, 1);
	assert_int_equal(b->read_iops[0].rate, 800);
	assert_int_equal(b->n_write_iops, 1);
	assert_int_equal(b->write_iops[0].minor, 3);
	assert_int_equal(r->n_hugepages, 2);
	assert_string_equal(r->hugepages[0].page_size, "2MB");
	assert_true(r->hugepages[0].limit == UINT64_C(9223372036854772000));
	assert_string_equal(r->hugepages[1].page_size, "1GB");
	assert_true(r->has_network);
	assert_true(r->network.has_class_id && r->network.class_id == 1048577);
	assert_int_equal(r->network.n_priorities, 2);
	assert_string_equal(r->network.priorities[1].name, "eth1");
	assert_int_equal(r->network.priorities[1].priority, 1000);
}

static void
full_resources_devices_rdma_unified(void **state)
{
	struct cg_resources *r = &((struct rt_spec *)*state)->linux.resources;

	assert_int_equal(r->n_devices, 3);
	assert_false(r->devices[0].allow);
	assert_int_equal(r->devices[0].type, 'a');
	assert_int_equal(r->devices[0].major, -1);
	assert_int_equal(r->devices[0].minor, -1);
	assert_string_equal(r->devices[0].access, "rwm");
	assert_true(r->devices[1].allow);
	assert_int_equal(r->devices[1].type, 'c');
	assert_int_equal(r->devices[1].major, 10);
	assert_int_equal(r->devices[1].minor, 229);
	assert_string_equal(r->devices[1].access, "rw");
	assert_int_equal(r->devices[2].type, 'b');
	assert_int_equal(r->devices[2].major, 8);
	assert_int_equal(r->devices[2].minor, -1);
	assert_string_equal(r->devices[2].access, "");
	assert_int_equal(r->n_rdma, 2);
	assert_string_equal(r->rdma[0].device, "mlx5_1");
	assert_true(r->rdma[0].has_hca_handles && r->rdma[0].hca_handles == 3);
	assert_true(r->rdma[0].has_hca_objects && r->rdma[0].hca_objects == 10000);
	assert_string_equal(r->rdma[1].device, "mlx4_0");
	assert_false(r->rdma[1].has_hca_handles);
	assert_int_equal(r->n_unified, 2);
	assert_string_equal(r->unified[0].key, "memory.high");
	assert_string_equal(r->unified[0].value, "1073741824");
	assert_string_equal(r->unified[1].value, "default 100");
}

static void
full_seccomp(void **state)
{
	struct rt_seccomp *sc = ((struct rt_spec *)*state)->linux.seccomp;
	struct rt_seccomp_rule *r;

	assert_non_null(sc);
	assert_string_equal(sc->default_action, "SCMP_ACT_ERRNO");
	assert_true(sc->has_default_errno_ret && sc->default_errno_ret == 38);
	assert_string_equal(sc->architectures[0], "SCMP_ARCH_X86_64");
	assert_string_equal(sc->architectures[1], "SCMP_ARCH_X86");
	assert_null(sc->architectures[2]);
	assert_string_equal(sc->flags[0], "SECCOMP_FILTER_FLAG_LOG");
	assert_string_equal(sc->listener_path, "/run/listener.sock");
	assert_string_equal(sc->listener_metadata, "meta");
	assert_int_equal(sc->n_syscalls, 2);
	assert_string_equal(sc->syscalls[0].names[1], "write");
	assert_string_equal(sc->syscalls[0].action, "SCMP_ACT_ALLOW");
	assert_false(sc->syscalls[0].has_errno_ret);
	assert_int_equal(sc->syscalls[0].n_args, 0);
	r = &sc->syscalls[1];
	assert_true(r->has_errno_ret && r->errno_ret == 1);
	assert_int_equal(r->n_args, 2);
	assert_int_equal(r->args[0].index, 0);
	assert_int_equal(r->args[0].value, 8);
	assert_int_equal(r->args[0].value_two, 0);
	assert_string_equal(r->args[0].op, "SCMP_CMP_EQ");
	assert_int_equal(r->args[1].index, 5);
	assert_true(r->args[1].value == UINT64_MAX);
	assert_int_equal(r->args[1].value_two, 4);
	assert_string_equal(r->args[1].op, "SCMP_CMP_MASKED_EQ");
}

static void
full_linux_misc(void **state)
{
	struct rt_linux *l = &((struct rt_spec *)*state)->linux;

	assert_string_equal(l->cgroups_path, "/husk/c1");
	assert_string_equal(l->rootfs_propagation, "rslave");
	assert_int_equal(strv_len(l->masked_paths), 2);
	assert_string_equal(l->masked_paths[1], "/sys/firmware");
	assert_int_equal(strv_len(l->readonly_paths), 1);
	assert_string_equal(l->mount_label, "system_u:object_r:container_file_t:s0");
	assert_int_equal(l->n_sysctl, 2);
	assert_string_equal(l->sysctl[0].key, "net.ipv4.ip_forward");
	assert_string_equal(l->sysctl[0].value, "1");
	assert_true(l->has_personality);
	assert_string_equal(l->personality_domain, "LINUX32");
	assert_non_null(l->personality_flags);
	assert_null(l->personality_flags[0]);
}

static void
minimal_config_defaults(void **state)
{
	struct rt_spec *s = parse_ok("{'ociVersion':'1.0.0'}");

	(void)state;
	assert_string_equal(s->oci_version, "1.0.0");
	assert_null(s->process);
	assert_null(s->root_path);
	assert_false(s->root_readonly);
	assert_null(s->hostname);
	assert_int_equal(s->n_mounts, 0);
	assert_int_equal(s->n_annotations, 0);
	for (int k = 0; k < RT_HOOK_NKINDS; k++)
		assert_int_equal(s->hooks.n_hooks[k], 0);
	assert_false(s->has_linux);
	assert_false(s->linux.has_resources);
	assert_null(s->linux.seccomp);
	/* Vectors documented "may be empty" are never NULL. */
	assert_non_null(s->linux.masked_paths);
	assert_null(s->linux.masked_paths[0]);
	assert_non_null(s->linux.readonly_paths);
	for (int k = 0; k < RT_NS_NKINDS; k++)
		assert_false(s->linux.ns[k].present);
	rt_spec_free(s);
}

static void
process_defaults(void **state)
{
	struct rt_spec *s = parse_ok("{'ociVersion':'1','process':{'cwd':'/','args':['a']}}");
	struct rt_process *p = s->process;

	(void)state;
	assert_false(p->terminal);
	assert_false(p->has_console_size);
	assert_int_equal(p->user.uid, 0);
	assert_int_equal(p->user.gid, 0);
	assert_false(p->user.has_umask);
	assert_int_equal(p->user.n_additional_gids, 0);
	assert_non_null(p->env);
	assert_null(p->env[0]);
	assert_false(p->has_caps);
	assert_true(p->caps.bounding == 0);
	assert_null(p->unknown_caps);
	assert_int_equal(p->n_rlimits, 0);
	assert_false(p->no_new_privileges);
	assert_false(p->has_oom_score_adj);
	assert_false(p->has_scheduler);
	assert_false(p->has_io_priority);
	assert_null(p->apparmor_profile);
	assert_null(p->exec_cpu_affinity_initial);
	rt_spec_free(s);
}

static void
unknown_fields_ignored(void **state)
{
	struct rt_spec *s = parse_ok(
	    "{'ociVersion':'1.2.0','future':{'x':[1,2,{'y':null}]},'windows':{'layerFolders':[]},"
	    "'solaris':{},'vm':{'kernel':{'path':'/k'}},'platform':{'os':'linux'},"
	    "'root':{'path':'r','new':true},"
	    "'process':{'cwd':'/','args':['a'],'commandLine':'x','user':{'uid':1,'sid':'S'},"
	    "'capabilities':{'bounding':['CAP_KILL'],'extra':['CAP_X']},'what':1.5},"
	    "'mounts':[{'destination':'/x','newOpt':{}}],"
	    "'linux':{'intelRdt':{'closID':'c','enableCMT':true},'netDevices':{'eth0':{}},"
	    "'memoryPolicy':{'mode':'MPOL_BIND'},'namespaces':[{'type':'pid','extra':1}],"
	    "'resources':{'cpu':{'shares':2,'future':'x'},'misc':{'a':1}},"
	    "'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['x'],"
	    "'action':'SCMP_ACT_LOG','comment':'c','includes':{}}]}}}");

	(void)state;
	assert_string_equal(s->root_path, "r");
	assert_int_equal(s->process->user.uid, 1);
	assert_true(s->process->caps.bounding == CAP(5));
	assert_null(s->process->unknown_caps); /* the unknown "extra" set is not looked at */
	assert_string_equal(s->mounts[0].destination, "/x");
	assert_true(s->linux.ns[RT_NS_PID].present);
	assert_true(s->linux.resources.cpu.has_shares);
	assert_int_equal(s->linux.seccomp->n_syscalls, 1);
	rt_spec_free(s);
}

static void
null_means_absent(void **state)
{
	struct rt_spec *s = parse_ok(
	    "{'ociVersion':'1','root':null,'hostname':null,'mounts':null,'hooks':null,"
	    "'annotations':{'a':null},'process':{'cwd':'/','args':['a'],'env':null,"
	    "'user':{'uid':null,'additionalGids':null},'capabilities':{'bounding':null},"
	    "'oomScoreAdj':null,'scheduler':null},"
	    "'linux':{'namespaces':null,'resources':{'memory':{'limit':null},'devices':null},"
	    "'seccomp':null,'sysctl':null}}");

	(void)state;
	assert_null(s->root_path);
	assert_null(s->hostname);
	assert_int_equal(s->n_mounts, 0);
	assert_int_equal(s->n_annotations, 1);
	assert_string_equal(s->annotations[0].value, ""); /* Go stores "" for a null map value */
	assert_non_null(s->process->env);
	assert_true(s->process->has_caps);
	assert_false(s->process->has_oom_score_adj);
	assert_false(s->process->has_scheduler);
	assert_true(s->linux.has_resources);
	assert_true(s->linux.resources.has_memory);
	assert_false(s->linux.resources.memory.has_limit);
	assert_null(s->linux.seccomp);
	rt_spec_free(s);
}

static void
repeated_keys_last_wins(void **state)
{
	struct rt_spec *s = parse_ok("{'ociVersion':'1','hostname':'a','hostname':'b',"
	                             "'annotations':{'k':'1','j':'x','k':'2'},"
	                             "'linux':{'sysctl':{'a':'1','a':'2'}}}");

	(void)state;
	assert_string_equal(s->hostname, "b");
	assert_int_equal(s->n_annotations, 2);
	assert_string_equal(s->annotations[0].key, "j");
	assert_string_equal(s->annotations[1].key, "k");
	assert_string_equal(s->annotations[1].value, "2");
	assert_int_equal(s->linux.n_sysctl, 1);
	assert_string_equal(s->linux.sysctl[0].value, "2");
	rt_spec_free(s);
}

/* Repeated keys are found by sorting: a pod with many annotations parses in n log n. */
static void
many_annotations(void **state)
{
	const int n = 5000;
	size_t cap = (size_t)n * 32 + 64, len = 0;
	char *json = xmalloc(cap);
	struct rt_spec *s = NULL;
	struct err err = {0};

	(void)state;
	len += (size_t)snprintf(json + len, cap - len, "{\"ociVersion\":\"1\",\"annotations\":{");
	for (int i = 0; i < n; i++)
		len += (size_t)snprintf(json + len, cap - len, "\"k%05d\":\"v\",", i);
	for (int i = 0; i < n; i += 100)
		len += (size_t)snprintf(json + len, cap - len, "\"k%05d\":\"dup\",", i);
	len += (size_t)snprintf(json + len - 1, cap - len, "}}") - 1;
	if (rt_spec_parse(json, len, &s, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(s->n_annotations, n);
	/* Kept in the order of each key's last occurrence. */
	assert_string_equal(s->annotations[0].key, "k00001");
	assert_string_equal(s->annotations[n - n / 100 - 1].key, "k04999");
	assert_string_equal(s->annotations[n - n / 100].key, "k00000");
	assert_string_equal(s->annotations[n - n / 100].value, "dup");
	assert_string_equal(s->annotations[n - 1].key, "k04900");
	rt_spec_free(s);
	free(json);
}

static void
devices_and_namespace_paths(void **state)
{
	struct rt_spec *s = parse_ok(
	    "{'ociVersion':'1','linux':{'namespaces':[{'type':'network','path':''},"
	    "{'type':'user','path':'/proc/1/ns/user'}],'devices':[{'path':'/dev/u','type':'u',"
	    "'major':1,'minor':2},{'path':'/dev/b','type':'b','major':8,'minor':0}],"
	    "'resources':{'devices':[{'allow':true,'type':'','access':''}]}}}");
	struct rt_linux *l = &s->linux;

	(void)state;
	assert_true(l->ns[RT_NS_NET].present);
	assert_null(l->ns[RT_NS_NET].path); /* "" = create a new one */
	assert_string_equal(l->ns[RT_NS_USER].path, "/proc/1/ns/user");
	assert_int_equal(l->devices[0].type, 'u');
	assert_int_equal(l->devices[0].major, 1);
	assert_int_equal(l->devices[1].type, 'b');
	assert_int_equal(l->resources.devices[0].type, 'a');
	assert_string_equal(l->resources.devices[0].access, "");
	rt_spec_free(s);
}

static void
number_edges_accepted(void **state)
{
	struct rt_spec *s = parse_ok(
	    "{'ociVersion':'1','process':{'cwd':'/','args':['a'],'user':{'uid':4294967295,"
	    "'gid':0},'oomScoreAdj':-1000,'rlimits':[{'type':'RLIMIT_AS','soft':"
	    "18446744073709551615,'hard':18446744073709551615}],'scheduler':{'policy':"
	    "'SCHED_OTHER','nice':-2147483648,'priority':2147483647}},'linux':{'resources':"
	    "{'memory':{'limit':-9223372036854775808,'swap':9223372036854775807},"
	    "'cpu':{'quota':-1}},'timeOffsets':{'boottime':{'secs':-9223372036854775808,"
	    "'nanosecs':999999999}}}}");
	struct rt_process *p = s->process;

	(void)state;
	assert_true(p->user.uid == UINT32_MAX);
	assert_int_equal(p->oom_score_adj, -1000);
	assert_true(p->rlimits[0].soft == UINT64_MAX);
	assert_int_equal(p->scheduler.nice, INT32_MIN);
	assert_int_equal(p->scheduler.priority, INT32_MAX);
	assert_true(s->linux.resources.memory.limit == INT64_MIN);
	assert_true(s->linux.resources.memory.swap == INT64_MAX);
	assert_true(s->linux.resources.cpu.quota == -1);
	assert_true(s->linux.time_boottime.secs == INT64_MIN);
	assert_int_equal(s->linux.time_boottime.nanosecs, 999999999);
	rt_spec_free(s);
}

static void
load_errors(void **state)
{
	char dir[] = "/tmp/test_spec.XXXXXX";
	char *path;
	struct rt_spec *s = (struct rt_spec *)1;
	struct err err = {0};

	(void)state;
	assert_non_null(mkdtemp(dir));
	path = xasprintf("%s/config.json", dir);
	assert_int_equal(rt_spec_load(path, &s, &err), -1);
	assert_null(s);
	assert_int_equal(err.code, ENOENT);
	assert_non_null(strstr(err.msg, "config.json"));
	err_clear(&err);
	assert_int_equal(rt_spec_load(dir, &s, &err), -1);
	assert_int_equal(err.code, EINVAL);
	assert_non_null(strstr(err.msg, "not a regular file"));
	err_clear(&err);
	assert_int_equal(write_file_atomic_at(AT_FDCWD, path, "{\"ociVersion\":5}", 16, 0600, &err),
	                 0);
	assert_int_equal(rt_spec_load(path, &s, &err), -1);
	assert_int_equal(err.code, EINVAL);
	/* A file's errors name the file. */
	{
		char *want = xasprintf("%s: ociVersion: expected a string", path);
		assert_string_equal(err.msg, want);
		free(want);
	}
	assert_int_equal(
	    write_file_atomic_at(AT_FDCWD, path, "{\"ociVersion\":\"1\"}", 18, 0600, &err), 0);
	assert_int_equal(rt_spec_load(path, &s, &err), 0);
	assert_string_equal(s->oci_version, "1");
	rt_spec_free(s);
	unlink(path);
	rmdir(dir);
	free(path);
}

/* The default spec, as runc's Example(): parses back and says what runc's says. */
static void
default_spec_parses_back(void **state)
{
	char *json = rt_spec_default_json(false, 0, 0);
	struct rt_spec *s = NULL;
	struct err err = {0};
	const uint64_t caps = CAP(29) | CAP(5) | CAP(10);

	(void)state;
	assert_non_null(json);
	if (rt_spec_parse(json, strlen(json), &s, &err) < 0)
		fail_msg("%s", err.msg);
	assert_string_equal(s->oci_version, "1.2.0");
	assert_string_equal(s->root_path, "rootfs");
	assert_true(s->root_readonly);
	assert_string_equal(s->hostname, "runc");
	assert_true(s->process->terminal);
	assert_string_equal(s->process->args[0], "sh");
	assert_null(s->process->args[1]);
	assert_string_equal(s->process->cwd, "/");
	assert_string_equal(s->process->env[1], "TERM=xterm");
	assert_true(s->process->caps.bounding == caps);
	assert_true(s->process->caps.effective == caps);
	assert_true(s->process->caps.permitted == caps);
	assert_true(s->process->caps.inheritable == 0 && s->process->caps.ambient == 0);
	assert_int_equal(s->process->n_rlimits, 1);
	assert_int_equal(s->process->rlimits[0].type, RLIMIT_NOFILE);
	assert_int_equal(s->process->rlimits[0].soft, 1024);
	assert_true(s->process->no_new_privileges);
	assert_int_equal(s->n_mounts, 7);
	assert_string_equal(s->mounts[2].destination, "/dev/pts");
	assert_string_equal(s->mounts[2].options[5], "gid=5");
	assert_string_equal(s->mounts[5].type, "sysfs");
	assert_true(s->linux.ns[RT_NS_PID].present && s->linux.ns[RT_NS_NET].present);
	assert_true(s->linux.ns[RT_NS_IPC].present && s->linux.ns[RT_NS_UTS].present);
	assert_true(s->linux.ns[RT_NS_MOUNT].present);
	assert_false(s->linux.ns[RT_NS_USER].present);
	assert_true(s->linux.has_resources);
	assert_int_equal(s->linux.resources.n_devices, 1);
	assert_false(s->linux.resources.devices[0].allow);
	assert_string_equal(s->linux.resources.devices[0].access, "rwm");
	assert_int_equal(strv_len(s->linux.masked_paths), 11);
	assert_int_equal(strv_len(s->linux.readonly_paths), 5);
	assert_int_equal(s->linux.n_uid_mappings, 0);
	/* Tab-indented like runc's output. */
	assert_non_null(strstr(json, "\n\t\"ociVersion\": \"1.2.0\""));
	rt_spec_free(s);
	free(json);
}

static void
default_spec_rootless(void **state)
{
	char *json = rt_spec_default_json(true, 1234, 5678);
	struct rt_spec *s = NULL;
	struct err err = {0};

	(void)state;
	if (rt_spec_parse(json, strlen(json), &s, &err) < 0)
		fail_msg("%s", err.msg);
	assert_true(s->linux.ns[RT_NS_USER].present);
	assert_false(s->linux.ns[RT_NS_NET].present);
	assert_true(s->linux.ns[RT_NS_PID].present);
	assert_int_equal(s->linux.n_uid_mappings, 1);
	assert_int_equal(s->linux.uid_mappings[0].container_id, 0);
	assert_int_equal(s->linux.uid_mappings[0].host_id, 1234);
	assert_int_equal(s->linux.uid_mappings[0].size, 1);
	assert_int_equal(s->linux.n_gid_mappings, 1);
	assert_int_equal(s->linux.gid_mappings[0].host_id, 5678);
	assert_false(s->linux.has_resources);
	assert_int_equal(s->n_mounts, 7);
	/* /sys is an rbind of the host's, and no mount keeps a uid= or gid= option. */
	assert_string_equal(s->mounts[5].destination, "/sys");
	assert_string_equal(s->mounts[5].type, "none");
	assert_string_equal(s->mounts[5].source, "/sys");
	assert_string_equal(s->mounts[5].options[0], "rbind");
	for (size_t i = 0; i < s->n_mounts; i++)
		for (char **o = s->mounts[i].options; *o; o++)
			assert_true(strncmp(*o, "gid=", 4) != 0 && strncmp(*o, "uid=", 4) != 0);
	assert_int_equal(strv_len(s->mounts[2].options), 5);
	rt_spec_free(s);
	free(json);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(full_top_level, full_setup, full_teardown),
	    cmocka_unit_test_setup_teardown(full_mounts, full_setup, full_teardown),
	    cmocka_unit_test_setup_teardown(full_process_user_args, full_setup, full_teardown),
	    cmocka_unit_test_setup_teardown(full_process_caps, full_setup, full_teardown),
	    cmocka_unit_test_setup_teardown(full_process_rlimits, full_setup, full_teardown),
	    cmocka_unit_test_setup_teardown(full_process_attrs, full_setup, full_teardown),
	    cmocka_unit_test_setup_teardown(full_hooks, full_setup, full_teardown),
	    cmocka_unit_test_setup_teardown(full_namespaces, full_setup, full_teardown),
	    cmocka_unit_test_setup_teardown(full_idmaps_time_devices, full_setup, full_teardown),
	    cmocka_unit_test_setup_teardown(full_resources_mem_cpu_pids, full_setup, full_teardown),
	    cmocka_unit_test_setup_teardown(full_resources_blkio_huge_net, full_setup,
	                                    full_teardown),
	    cmocka_unit_test_setup_teardown(full_resources_devices_rdma_unified, full_setup,
	                                    full_teardown),
	    cmocka_unit_test_setup_teardown(full_seccomp, full_setup, full_teardown),
	    cmocka_unit_test_setup_teardown(full_linux_misc, full_setup, full_teardown),
	    cmocka_unit_test(minimal_config_defaults),
	    cmocka_unit_test(process_defaults),
	    cmocka_unit_test(unknown_fields_ignored),
	    cmocka_unit_test(null_means_absent),
	    cmocka_unit_test(repeated_keys_last_wins),
	    cmocka_unit_test(many_annotations),
	    cmocka_unit_test(devices_and_namespace_paths),
	    cmocka_unit_test(number_edges_accepted),
	    cmocka_unit_test(load_errors),
	    cmocka_unit_test(default_spec_parses_back),
	    cmocka_unit_test(default_spec_rootless),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
