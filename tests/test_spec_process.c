/* test_spec_process: rt_process_parse (runc exec --process, the shim's Exec spec) and
 * rt_resources_parse (runc update --resources, the shim's Update). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <cmocka.h>

#include "base/xalloc.h"
#include "spec.h"

static char *
dq(const char *sq)
{
	char *json = xstrdup(sq);

	for (char *p = json; *p; p++)
		if (*p == '\'')
			*p = '"';
	return json;
}

static struct rt_process *
process_ok(const char *sq)
{
	char *json = dq(sq);
	struct rt_process *p = NULL;
	struct err err = {0};

	if (rt_process_parse(json, strlen(json), &p, &err) < 0)
		fail_msg("%s\njson: %s", err.msg, json);
	free(json);
	assert_non_null(p);
	return p;
}

static void
process_err(const char *sq, const char *msg)
{
	char *json = dq(sq);
	struct rt_process *p = (struct rt_process *)1;
	struct err err = {0};
	int rc = rt_process_parse(json, strlen(json), &p, &err);

	if (rc != -1 || strcmp(err.msg, msg) != 0)
		print_message("json: %s\nwant: %s\ngot:  %s\n", json, msg, err.msg);
	free(json);
	assert_int_equal(rc, -1);
	assert_null(p);
	assert_int_equal(err.code, EINVAL);
	assert_string_equal(err.msg, msg);
}

static void
resources_err(const char *sq, const char *msg)
{
	char *json = dq(sq);
	struct cg_resources r;
	struct err err = {0};
	int rc;

	memset(&r, 0xa5, sizeof(r));
	rc = rt_resources_parse(json, strlen(json), &r, &err);
	if (rc != -1 || strcmp(err.msg, msg) != 0)
		print_message("json: %s\nwant: %s\ngot:  %s\n", json, msg, err.msg);
	free(json);
	assert_int_equal(rc, -1);
	assert_int_equal(err.code, EINVAL);
	assert_string_equal(err.msg, msg);
	/* The output is left as it was. */
	assert_int_equal(((unsigned char *)&r)[0], 0xa5);
	assert_int_equal(((unsigned char *)&r)[sizeof(r) - 1], 0xa5);
}

/* What containerd's shim sends for `ctr task exec` (Go field order, all set fields). */
static void
exec_process_from_containerd(void **state)
{
	struct rt_process *p = process_ok(
	    "{'terminal':true,'consoleSize':{'height':40,'width':120},"
	    "'user':{'uid':1000,'gid':1000,'additionalGids':[10,20]},"
	    "'args':['/bin/sh','-c','id'],'env':['PATH=/usr/bin','HOME=/root'],'cwd':'/root',"
	    "'capabilities':{'bounding':['CAP_CHOWN','CAP_KILL'],'effective':['CAP_KILL'],"
	    "'permitted':['CAP_KILL'],'ambient':['CAP_BPF','CAP_PERFMON','CAP_NOPE']},"
	    "'rlimits':[{'type':'RLIMIT_NPROC','hard':100,'soft':50}],"
	    "'noNewPrivileges':true,'apparmorProfile':'docker-default','oomScoreAdj':999,"
	    "'selinuxLabel':'l','scheduler':{'policy':'SCHED_BATCH','nice':19},"
	    "'ioPriority':{'class':'IOPRIO_CLASS_IDLE'},"
	    "'execCPUAffinity':{'final':'0'}}");

	(void)state;
	assert_true(p->terminal);
	assert_int_equal(p->console_height, 40);
	assert_int_equal(p->console_width, 120);
	assert_int_equal(p->user.uid, 1000);
	assert_int_equal(p->user.n_additional_gids, 2);
	assert_int_equal(p->user.additional_gids[1], 20);
	assert_string_equal(p->args[2], "id");
	assert_string_equal(p->env[1], "HOME=/root");
	assert_string_equal(p->cwd, "/root");
	assert_true(p->caps.bounding == ((1u << 0) | (1u << 5)));
	assert_true(p->caps.ambient == ((UINT64_C(1) << 39) | (UINT64_C(1) << 38)));
	assert_string_equal(p->unknown_caps[0], "CAP_NOPE");
	assert_null(p->unknown_caps[1]);
	assert_int_equal(p->rlimits[0].type, RLIMIT_NPROC);
	assert_int_equal(p->rlimits[0].hard, 100);
	assert_true(p->no_new_privileges);
	assert_string_equal(p->apparmor_profile, "docker-default");
	assert_int_equal(p->oom_score_adj, 999);
	assert_int_equal(p->scheduler.policy, 3 /* SCHED_BATCH */);
	assert_int_equal(p->scheduler.nice, 19);
	assert_int_equal(p->scheduler.flags, 0);
	assert_int_equal(p->io_priority.class, 3);
	assert_int_equal(p->io_priority.priority, 0);
	assert_null(p->exec_cpu_affinity_initial);
	assert_string_equal(p->exec_cpu_affinity_final, "0");
	rt_process_free(p);
}

static void
process_minimal(void **state)
{
	struct rt_process *p = process_ok("{'args':['true'],'cwd':'/','user':{}}");

	(void)state;
	assert_string_equal(p->args[0], "true");
	assert_null(p->args[1]);
	assert_non_null(p->env);
	assert_null(p->env[0]);
	assert_false(p->has_caps);
	assert_null(p->unknown_caps);
	rt_process_free(p);
	rt_process_free(NULL);
}

static void
process_every_scheduler_name(void **state)
{
	static const char *const policies[] = {"SCHED_OTHER",   "SCHED_FIFO", "SCHED_RR",
	                                       "SCHED_BATCH",   "SCHED_ISO",  "SCHED_IDLE",
	                                       "SCHED_DEADLINE"};
	static const char *const classes[] = {"IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE",
	                                      "IOPRIO_CLASS_IDLE"};

	(void)state;
	for (int i = 0; i < 7; i++) {
		char *sq = xasprintf("{'args':['a'],'cwd':'/','scheduler':{'policy':'%s',"
		                     "'flags':['SCHED_FLAG_RECLAIM','SCHED_FLAG_DL_OVERRUN',"
		                     "'SCHED_FLAG_KEEP_POLICY','SCHED_FLAG_KEEP_PARAMS',"
		                     "'SCHED_FLAG_UTIL_CLAMP_MIN']}}",
		                     policies[i]);
		struct rt_process *p = process_ok(sq);
		assert_int_equal(p->scheduler.policy, i);
		assert_int_equal(p->scheduler.flags, 0x02 | 0x04 | 0x08 | 0x10 | 0x20);
		rt_process_free(p);
		free(sq);
	}
	for (int i = 0; i < 3; i++) {
		char *sq = xasprintf("{'args':['a'],'cwd':'/','ioPriority':{'class':'%s',"
		                     "'priority':7}}",
		                     classes[i]);
		struct rt_process *p = process_ok(sq);
		assert_int_equal(p->io_priority.class, i + 1);
		assert_int_equal(p->io_priority.priority, 7);
		rt_process_free(p);
		free(sq);
	}
}

static void
process_errors(void **state)
{
	(void)state;
	process_err("[]", "process: expected a JSON object at the top level");
	process_err("{'cwd':'/'}", "process: args: missing required field");
	process_err("{'cwd':'/','args':['a',2]}", "process: args[1]: expected a string");
	process_err("{'args':['a']}", "process: cwd: missing required field");
	process_err("{'args':['a'],'cwd':'.'}",
	            "process: cwd: must be an absolute path, not \".\"");
	process_err("{'args':['a'],'cwd':'/','user':{'uid':-1}}",
	            "process: user.uid: -1 is out of range (0..4294967295)");
	process_err("{'args':['a'],'cwd':'/','rlimits':[{'type':'RLIMIT_BOGUS','soft':0,"
	            "'hard':0}]}",
	            "process: rlimits[0].type: unknown rlimit \"RLIMIT_BOGUS\"");
	process_err("{'args':['a'],'cwd':'/','capabilities':{'permitted':[true]}}",
	            "process: capabilities.permitted[0]: expected a string");
	process_err("{'args':['a'],'cwd':'/'", "process: invalid JSON at offset 23: parse error: "
	                                       "premature EOF");
}

/* What `runc update --resources -` and containerd's Update (LinuxResources) carry. */
static void
resources_update_payload(void **state)
{
	char *json =
	    dq("{'memory':{'limit':1073741824,'swap':2147483648,'reservation':0},"
	       "'cpu':{'shares':512,'quota':-1,'period':100000,'cpus':'0-3','mems':''},"
	       "'pids':{'limit':-1},'blockIO':{'weight':100},"
	       "'hugepageLimits':[{'pageSize':'2MB','limit':4194304}],"
	       "'unified':{'memory.oom.group':'1'},'devices':[{'allow':false,'access':'m'}],"
	       "'network':{'classID':7},'rdma':{'d':{}}}");
	struct cg_resources r;
	struct err err = {0};

	(void)state;
	memset(&r, 0, sizeof(r));
	if (rt_resources_parse(json, strlen(json), &r, &err) < 0)
		fail_msg("%s", err.msg);
	assert_true(r.has_memory);
	assert_true(r.memory.has_limit && r.memory.limit == 1073741824);
	assert_true(r.memory.has_swap && r.memory.swap == 2147483648);
	assert_true(r.memory.has_reservation && r.memory.reservation == 0);
	assert_false(r.memory.has_kernel);
	assert_false(r.memory.has_swappiness);
	assert_true(r.has_cpu && r.cpu.shares == 512 && r.cpu.quota == -1);
	assert_false(r.cpu.has_burst);
	assert_string_equal(r.cpu.cpus, "0-3");
	assert_string_equal(r.cpu.mems, "");
	assert_true(r.has_pids && r.pids.has_limit && r.pids.limit == -1);
	assert_true(r.has_blkio && r.blkio.has_weight && r.blkio.weight == 100);
	assert_false(r.blkio.has_leaf_weight);
	assert_int_equal(r.n_hugepages, 1);
	assert_int_equal(r.hugepages[0].limit, 4194304);
	assert_int_equal(r.n_unified, 1);
	assert_string_equal(r.unified[0].key, "memory.oom.group");
	assert_int_equal(r.n_devices, 1);
	assert_string_equal(r.devices[0].access, "m");
	assert_true(r.has_network && r.network.class_id == 7);
	assert_int_equal(r.n_rdma, 1);
	assert_false(r.rdma[0].has_hca_handles || r.rdma[0].has_hca_objects);
	cg_resources_fini(&r);
	free(json);
}

static void
resources_empty_and_sections_absent(void **state)
{
	struct cg_resources r;
	struct err err = {0};

	(void)state;
	memset(&r, 0xff, sizeof(r));
	assert_int_equal(rt_resources_parse("{}", 2, &r, &err), 0);
	assert_false(r.has_memory || r.has_cpu || r.has_pids || r.has_blkio || r.has_network);
	assert_int_equal(r.n_devices, 0);
	assert_int_equal(r.n_unified, 0);
	assert_null(r.cpu.cpus);
	cg_resources_fini(&r);
	/* An empty pids object: the limit is not set (runtime-spec 1.2.1 made it optional). */
	assert_int_equal(rt_resources_parse("{\"pids\":{}}", 11, &r, &err), 0);
	assert_true(r.has_pids);
	assert_false(r.pids.has_limit);
	cg_resources_fini(&r);
}

static void
resources_errors(void **state)
{
	(void)state;
	resources_err("[1]", "resources: expected a JSON object at the top level");
	resources_err("{'memory':{'limit':1.5}}",
	              "resources: memory.limit: expected an integer, not 1.5");
	resources_err("{'cpu':{'shares':512,'period':-1}}",
	              "resources: cpu.period: -1 is out of range (0..18446744073709551615)");
	resources_err("{'cpu':{'cpus':'0','mems':0}}", "resources: cpu.mems: expected a string");
	resources_err("{'devices':[{'allow':'yes'}]}",
	              "resources: devices[0].allow: expected a boolean");
	resources_err("{'hugepageLimits':[{'pageSize':'2MB','limit':1},{'pageSize':''}]}",
	              "resources: hugepageLimits[1].pageSize: must not be empty");
	resources_err("{'unified':{'a':'1','b':[]}}",
	              "resources: unified[\"b\"]: expected a string");
	resources_err(
	    "{'rdma':{'x':{'hcaObjects':4294967296}}}",
	    "resources: rdma[\"x\"].hcaObjects: 4294967296 is out of range (0..4294967295)");
	resources_err("{'blockIO':{'throttleReadIOPSDevice':[{'major':1,'minor':1,'rate':1},5]}}",
	              "resources: blockIO.throttleReadIOPSDevice[1]: expected an object");
	resources_err("{'memory':", "resources: invalid JSON at offset 10: parse error: premature "
	                            "EOF");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(exec_process_from_containerd),
	    cmocka_unit_test(process_minimal),
	    cmocka_unit_test(process_every_scheduler_name),
	    cmocka_unit_test(process_errors),
	    cmocka_unit_test(resources_update_payload),
	    cmocka_unit_test(resources_empty_and_sections_absent),
	    cmocka_unit_test(resources_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
