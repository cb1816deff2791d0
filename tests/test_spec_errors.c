/* test_spec_errors: every kind of bad config.json is rejected with EINVAL and the exact JSON
 * path of the culprit: wrong types, missing required fields, numbers out of range or not
 * integers, unknown names, duplicates, and invalid JSON. JSON is written with ' for ". */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/xalloc.h"
#include "spec.h"

#define CFG(x) "{'ociVersion':'1.2.0'," x "}"
/* Later keys win, so x may also replace cwd or args. */
#define PROC(x) CFG("'process':{'cwd':'/','args':['sh']," x "}")
#define LNX(x) CFG("'linux':{" x "}")
#define RES(x) LNX("'resources':{" x "}")

static char *
dq(const char *sq)
{
	char *json = xstrdup(sq);

	for (char *p = json; *p; p++)
		if (*p == '\'')
			*p = '"';
	return json;
}

static void
check_raw(const char *json, size_t len, const char *msg)
{
	struct rt_spec *s = (struct rt_spec *)1;
	struct err err = {0};
	int rc = rt_spec_parse(json, len, &s, &err);

	if (rc != -1 || strcmp(err.msg, msg) != 0)
		print_message("json: %.*s\nwant: %s\ngot:  %s\n", (int)len, json, msg, err.msg);
	assert_int_equal(rc, -1);
	assert_null(s);
	assert_int_equal(err.code, EINVAL);
	assert_string_equal(err.msg, msg);
}

/* Asserts that sq (with ' for ") is rejected with exactly msg. */
static void
check(const char *sq, const char *msg)
{
	char *json = dq(sq);

	check_raw(json, strlen(json), msg);
	free(json);
}

static void
top_level_errors(void **state)
{
	(void)state;
	check("[]", "config.json: expected a JSON object at the top level");
	check("'x'", "config.json: expected a JSON object at the top level");
	check("{}", "config.json: ociVersion: missing required field");
	check("{'ociVersion':null}", "config.json: ociVersion: missing required field");
	check("{'ociVersion':1}", "config.json: ociVersion: expected a string");
	check("{'ociVersion':''}", "config.json: ociVersion: must not be empty");
	check(CFG("'hostname':7"), "config.json: hostname: expected a string");
	check(CFG("'domainname':[]"), "config.json: domainname: expected a string");
	check(CFG("'process':[]"), "config.json: process: expected an object");
	check(CFG("'linux':'x'"), "config.json: linux: expected an object");
}

static void
root_errors(void **state)
{
	(void)state;
	check(CFG("'root':[]"), "config.json: root: expected an object");
	check(CFG("'root':{}"), "config.json: root.path: missing required field");
	check(CFG("'root':{'path':''}"), "config.json: root.path: must not be empty");
	check(CFG("'root':{'path':'r','readonly':'yes'}"),
	      "config.json: root.readonly: expected a boolean");
	check(CFG("'root':{'path':'r','readonly':1}"),
	      "config.json: root.readonly: expected a boolean");
}

static void
process_args_cwd_errors(void **state)
{
	(void)state;
	check(CFG("'process':{'cwd':'/'}"), "config.json: process.args: missing required field");
	check(PROC("'args':[]"), "config.json: process.args: must not be empty");
	check(PROC("'args':['sh','-c',3]"), "config.json: process.args[2]: expected a string");
	check(PROC("'args':'sh'"), "config.json: process.args: expected an array of strings");
	check(PROC("'args':[null]"), "config.json: process.args[0]: expected a string");
	check(CFG("'process':{'args':['sh']}"), "config.json: process.cwd: missing required field");
	check(PROC("'cwd':''"), "config.json: process.cwd: must not be empty");
	check(PROC("'cwd':'home'"),
	      "config.json: process.cwd: must be an absolute path, not \"home\"");
	check(PROC("'env':['A=1',{}]"), "config.json: process.env[1]: expected a string");
	check(PROC("'terminal':'true'"), "config.json: process.terminal: expected a boolean");
	check(PROC("'noNewPrivileges':1"),
	      "config.json: process.noNewPrivileges: expected a boolean");
	check(PROC("'apparmorProfile':false"),
	      "config.json: process.apparmorProfile: expected a string");
	check(PROC("'selinuxLabel':{}"), "config.json: process.selinuxLabel: expected a string");
}

static void
process_user_errors(void **state)
{
	(void)state;
	check(PROC("'user':[]"), "config.json: process.user: expected an object");
	check(PROC("'user':{'uid':-1}"),
	      "config.json: process.user.uid: -1 is out of range (0..4294967295)");
	check(PROC("'user':{'uid':4294967296}"),
	      "config.json: process.user.uid: 4294967296 is out of range (0..4294967295)");
	check(PROC("'user':{'gid':1.5}"),
	      "config.json: process.user.gid: expected an integer, not 1.5");
	check(PROC("'user':{'gid':1e3}"),
	      "config.json: process.user.gid: expected an integer, not 1e3");
	check(PROC("'user':{'gid':1.0}"),
	      "config.json: process.user.gid: expected an integer, not 1.0");
	check(PROC("'user':{'uid':'0'}"), "config.json: process.user.uid: expected an integer");
	check(PROC("'user':{'umask':true}"),
	      "config.json: process.user.umask: expected an integer");
	check(PROC("'user':{'additionalGids':[1,-2]}"),
	      "config.json: process.user.additionalGids[1]: -2 is out of range (0..4294967295)");
	check(PROC("'user':{'additionalGids':[1,'x']}"),
	      "config.json: process.user.additionalGids[1]: expected an integer");
	check(PROC("'user':{'additionalGids':5}"),
	      "config.json: process.user.additionalGids: expected an array");
	check(PROC("'user':{'username':5}"),
	      "config.json: process.user.username: expected a string");
}

static void
process_console_caps_errors(void **state)
{
	(void)state;
	check(PROC("'consoleSize':{'height':1}"),
	      "config.json: process.consoleSize.width: missing required field");
	check(PROC("'consoleSize':{'height':70000,'width':1}"),
	      "config.json: process.consoleSize.height: 70000 is out of range (0..65535)");
	check(PROC("'consoleSize':[]"), "config.json: process.consoleSize: expected an object");
	check(PROC("'capabilities':['CAP_KILL']"),
	      "config.json: process.capabilities: expected an object");
	check(PROC("'capabilities':{'bounding':'CAP_KILL'}"),
	      "config.json: process.capabilities.bounding: expected an array of strings");
	check(PROC("'capabilities':{'ambient':['CAP_KILL',5]}"),
	      "config.json: process.capabilities.ambient[1]: expected a string");
	check(PROC("'execCPUAffinity':{'initial':0}"),
	      "config.json: process.execCPUAffinity.initial: expected a string");
	check(PROC("'execCPUAffinity':'0-3'"),
	      "config.json: process.execCPUAffinity: expected an object");
}

static void
process_rlimit_errors(void **state)
{
	(void)state;
	check(PROC("'rlimits':[{'type':'RLIMIT_FOO','soft':1,'hard':1}]"),
	      "config.json: process.rlimits[0].type: unknown rlimit \"RLIMIT_FOO\"");
	check(PROC("'rlimits':[{'type':'nofile','soft':1,'hard':1}]"),
	      "config.json: process.rlimits[0].type: unknown rlimit \"nofile\"");
	check(PROC("'rlimits':[{'type':'RLIMIT_NOFILE','soft':1,'hard':1},"
	           "{'type':'RLIMIT_CORE','soft':1,'hard':1},"
	           "{'type':'RLIMIT_NOFILE','soft':2,'hard':2}]"),
	      "config.json: process.rlimits[2].type: duplicate rlimit \"RLIMIT_NOFILE\"");
	check(PROC("'rlimits':[{'type':'RLIMIT_NOFILE','hard':1}]"),
	      "config.json: process.rlimits[0].soft: missing required field");
	check(PROC("'rlimits':[{'soft':1,'hard':1}]"),
	      "config.json: process.rlimits[0].type: missing required field");
	check(PROC("'rlimits':[{'type':'RLIMIT_NOFILE','soft':1,'hard':-1}]"),
	      "config.json: process.rlimits[0].hard: -1 is out of range (0..18446744073709551615)");
	check(PROC("'rlimits':[{'type':'RLIMIT_NOFILE','soft':18446744073709551616,'hard':1}]"),
	      "config.json: process.rlimits[0].soft: 18446744073709551616 is out of range");
	check(PROC("'rlimits':['RLIMIT_NOFILE']"),
	      "config.json: process.rlimits[0]: expected an object");
	check(PROC("'rlimits':{}"), "config.json: process.rlimits: expected an array");
}

static void
process_sched_ioprio_oom_errors(void **state)
{
	(void)state;
	check(PROC("'oomScoreAdj':1001"),
	      "config.json: process.oomScoreAdj: 1001 is out of range (-1000..1000)");
	check(PROC("'oomScoreAdj':-1001"),
	      "config.json: process.oomScoreAdj: -1001 is out of range (-1000..1000)");
	check(PROC("'scheduler':{}"),
	      "config.json: process.scheduler.policy: missing required field");
	check(PROC("'scheduler':{'policy':'SCHED_FOO'}"),
	      "config.json: process.scheduler.policy: unknown scheduler policy \"SCHED_FOO\"");
	check(PROC("'scheduler':{'policy':'SCHED_RR','flags':['SCHED_FLAG_RECLAIM','X']}"),
	      "config.json: process.scheduler.flags[1]: unknown scheduler flag \"X\"");
	check(PROC("'scheduler':{'policy':'SCHED_RR','nice':2147483648}"),
	      "config.json: process.scheduler.nice: 2147483648 is out of range "
	      "(-2147483648..2147483647)");
	check(PROC("'scheduler':{'policy':'SCHED_RR','runtime':-5}"),
	      "config.json: process.scheduler.runtime: -5 is out of range "
	      "(0..18446744073709551615)");
	check(PROC("'ioPriority':{'priority':1}"),
	      "config.json: process.ioPriority.class: missing required field");
	check(PROC("'ioPriority':{'class':'IOPRIO_CLASS_NONE'}"),
	      "config.json: process.ioPriority.class: unknown I/O priority class "
	      "\"IOPRIO_CLASS_NONE\"");
	check(PROC("'ioPriority':{'class':'IOPRIO_CLASS_RT','priority':8}"),
	      "config.json: process.ioPriority.priority: 8 is out of range (0..7)");
}

static void
mount_errors(void **state)
{
	(void)state;
	check(CFG("'mounts':{}"), "config.json: mounts: expected an array");
	check(CFG("'mounts':['/proc']"), "config.json: mounts[0]: expected an object");
	check(CFG("'mounts':[{'destination':'/a'},{'type':'tmpfs'}]"),
	      "config.json: mounts[1].destination: missing required field");
	check(CFG("'mounts':[{'destination':''}]"),
	      "config.json: mounts[0].destination: must not be empty");
	check(CFG("'mounts':[{'destination':'/a','options':['ro',1]}]"),
	      "config.json: mounts[0].options[1]: expected a string");
	check(CFG("'mounts':[{'destination':'/a','source':1}]"),
	      "config.json: mounts[0].source: expected a string");
	check(CFG("'mounts':[{'destination':'/a','uidMappings':[{'containerID':0,'hostID':1}]}]"),
	      "config.json: mounts[0].uidMappings[0].size: missing required field");
	check(CFG("'mounts':[{'destination':'/a','gidMappings':[{'containerID':0,'hostID':-1,"
	          "'size':1}]}]"),
	      "config.json: mounts[0].gidMappings[0].hostID: -1 is out of range (0..4294967295)");
}

static void
hook_and_annotation_errors(void **state)
{
	(void)state;
	check(CFG("'hooks':[]"), "config.json: hooks: expected an object");
	check(CFG("'hooks':{'prestart':{}}"), "config.json: hooks.prestart: expected an array");
	check(CFG("'hooks':{'poststart':[{'args':['x']}]}"),
	      "config.json: hooks.poststart[0].path: missing required field");
	check(CFG("'hooks':{'prestart':[{'path':'/a','timeout':0}]}"),
	      "config.json: hooks.prestart[0].timeout: must be greater than zero, not 0");
	check(CFG("'hooks':{'createRuntime':[{'path':'/a'},{'path':'/b','timeout':-3}]}"),
	      "config.json: hooks.createRuntime[1].timeout: must be greater than zero, not -3");
	check(CFG("'hooks':{'startContainer':[{'path':'/a','timeout':2.5}]}"),
	      "config.json: hooks.startContainer[0].timeout: expected an integer, not 2.5");
	check(CFG("'hooks':{'poststop':[{'path':'/a','env':'A=1'}]}"),
	      "config.json: hooks.poststop[0].env: expected an array of strings");
	check(CFG("'hooks':{'createContainer':[{'path':'/a','args':[1]}]}"),
	      "config.json: hooks.createContainer[0].args[0]: expected a string");
	check(CFG("'annotations':[]"), "config.json: annotations: expected an object");
	check(CFG("'annotations':{'a.b':1}"),
	      "config.json: annotations[\"a.b\"]: expected a string");
}

static void
namespace_errors(void **state)
{
	(void)state;
	check(LNX("'namespaces':[{'type':'pid'},{'type':'foo'}]"),
	      "config.json: linux.namespaces[1].type: unknown namespace type \"foo\"");
	check(LNX("'namespaces':[{'type':'pid'},{'type':'net'}]"),
	      "config.json: linux.namespaces[1].type: unknown namespace type \"net\"");
	check(LNX("'namespaces':[{'type':'pid'},{'type':'ipc'},{'type':'pid'}]"),
	      "config.json: linux.namespaces[2].type: duplicate namespace type \"pid\"");
	check(LNX("'namespaces':[{'path':'/x'}]"),
	      "config.json: linux.namespaces[0].type: missing required field");
	check(LNX("'namespaces':[{'type':'user','path':1}]"),
	      "config.json: linux.namespaces[0].path: expected a string");
	check(LNX("'namespaces':['pid']"), "config.json: linux.namespaces[0]: expected an object");
	check(LNX("'namespaces':{'type':'pid'}"),
	      "config.json: linux.namespaces: expected an array");
}

static void
linux_misc_errors(void **state)
{
	(void)state;
	check(LNX("'uidMappings':[{'containerID':0,'hostID':0,'size':4294967296}]"),
	      "config.json: linux.uidMappings[0].size: 4294967296 is out of range (0..4294967295)");
	check(LNX("'gidMappings':[{'hostID':0,'size':1}]"),
	      "config.json: linux.gidMappings[0].containerID: missing required field");
	check(LNX("'timeOffsets':{'realtime':{'secs':1}}"),
	      "config.json: linux.timeOffsets[\"realtime\"]: unknown clock (expected monotonic or "
	      "boottime)");
	check(LNX("'timeOffsets':{'boottime':{'nanosecs':1000000000}}"),
	      "config.json: linux.timeOffsets[\"boottime\"].nanosecs: 1000000000 is out of range "
	      "(0..999999999)");
	check(LNX("'timeOffsets':{'monotonic':{'secs':'1'}}"),
	      "config.json: linux.timeOffsets[\"monotonic\"].secs: expected an integer");
	check(LNX("'timeOffsets':{'monotonic':5}"),
	      "config.json: linux.timeOffsets[\"monotonic\"]: expected an object");
	check(LNX("'cgroupsPath':1"), "config.json: linux.cgroupsPath: expected a string");
	check(LNX("'rootfsPropagation':true"),
	      "config.json: linux.rootfsPropagation: expected a string");
	check(LNX("'maskedPaths':'/proc'"),
	      "config.json: linux.maskedPaths: expected an array of strings");
	check(LNX("'readonlyPaths':['/a',['/b']]"),
	      "config.json: linux.readonlyPaths[1]: expected a string");
	check(LNX("'mountLabel':1"), "config.json: linux.mountLabel: expected a string");
	check(LNX("'sysctl':{'net.ipv4.ip_forward':1}"),
	      "config.json: linux.sysctl[\"net.ipv4.ip_forward\"]: expected a string");
	check(LNX("'personality':{}"),
	      "config.json: linux.personality.domain: missing required field");
	check(LNX("'personality':{'domain':'LINUX64'}"),
	      "config.json: linux.personality.domain: unknown personality domain \"LINUX64\"");
	check(LNX("'personality':{'domain':'LINUX','flags':[1]}"),
	      "config.json: linux.personality.flags[0]: expected a string");
}

static void
device_errors(void **state)
{
	(void)state;
	check(LNX("'devices':[{'path':'/dev/x','major':1,'minor':1}]"),
	      "config.json: linux.devices[0].type: missing required field");
	check(LNX("'devices':[{'path':'/dev/x','type':'x','major':1,'minor':1}]"),
	      "config.json: linux.devices[0].type: unknown device type \"x\"");
	check(LNX("'devices':[{'path':'/dev/x','type':'cb','major':1,'minor':1}]"),
	      "config.json: linux.devices[0].type: unknown device type \"cb\"");
	check(LNX("'devices':[{'type':'c','major':1,'minor':1}]"),
	      "config.json: linux.devices[0].path: missing required field");
	check(LNX("'devices':[{'type':'c','path':'/dev/x','minor':1}]"),
	      "config.json: linux.devices[0].major: missing required field");
	check(LNX("'devices':[{'type':'b','path':'/dev/x','major':1}]"),
	      "config.json: linux.devices[0].minor: missing required field");
	check(LNX("'devices':[{'type':'p','path':'/dev/x','fileMode':-1}]"),
	      "config.json: linux.devices[0].fileMode: -1 is out of range (0..4294967295)");
	check(LNX("'devices':[{'type':'p','path':'/dev/x','uid':'root'}]"),
	      "config.json: linux.devices[0].uid: expected an integer");
}

static void
resources_errors(void **state)
{
	(void)state;
	check(LNX("'resources':[]"), "config.json: linux.resources: expected an object");
	check(RES("'devices':[{'access':'rwm'}]"),
	      "config.json: linux.resources.devices[0].allow: missing required field");
	check(RES("'devices':[{'allow':true,'access':'rwx'}]"),
	      "config.json: linux.resources.devices[0].access: invalid access \"rwx\" (expected "
	      "letters of rwm)");
	check(RES("'devices':[{'allow':true,'access':'rr'}]"),
	      "config.json: linux.resources.devices[0].access: invalid access \"rr\" (expected "
	      "letters of rwm)");
	check(RES("'devices':[{'allow':true,'type':'d'}]"),
	      "config.json: linux.resources.devices[0].type: unknown device type \"d\" (expected "
	      "a, b or c)");
	check(RES("'devices':[{'allow':true,'major':'8'}]"),
	      "config.json: linux.resources.devices[0].major: expected an integer");
	check(RES("'memory':{'limit':'1G'}"),
	      "config.json: linux.resources.memory.limit: expected an integer");
	check(RES("'memory':{'limit':9223372036854775808}"),
	      "config.json: linux.resources.memory.limit: 9223372036854775808 is out of range "
	      "(-9223372036854775808..9223372036854775807)");
	check(RES("'memory':{'swappiness':-1}"),
	      "config.json: linux.resources.memory.swappiness: -1 is out of range "
	      "(0..18446744073709551615)");
	check(RES("'memory':{'disableOOMKiller':0}"),
	      "config.json: linux.resources.memory.disableOOMKiller: expected a boolean");
	check(RES("'cpu':{'shares':-1}"),
	      "config.json: linux.resources.cpu.shares: -1 is out of range "
	      "(0..18446744073709551615)");
	check(RES("'cpu':{'cpus':[0,1]}"),
	      "config.json: linux.resources.cpu.cpus: expected a string");
	check(RES("'pids':{'limit':true}"),
	      "config.json: linux.resources.pids.limit: expected an integer");
	check(RES("'pids':5"), "config.json: linux.resources.pids: expected an object");
}

static void
resources_blkio_net_errors(void **state)
{
	(void)state;
	check(RES("'blockIO':{'weight':65536}"),
	      "config.json: linux.resources.blockIO.weight: 65536 is out of range (0..65535)");
	check(RES("'blockIO':{'weightDevice':[{'minor':0,'weight':10}]}"),
	      "config.json: linux.resources.blockIO.weightDevice[0].major: missing required field");
	check(RES("'blockIO':{'weightDevice':[{'major':8,'minor':0,'leafWeight':-1}]}"),
	      "config.json: linux.resources.blockIO.weightDevice[0].leafWeight: -1 is out of range "
	      "(0..65535)");
	check(
	    RES("'blockIO':{'throttleReadBpsDevice':[{'major':8,'minor':0}]}"),
	    "config.json: linux.resources.blockIO.throttleReadBpsDevice[0].rate: missing required "
	    "field");
	check(RES("'blockIO':{'throttleWriteIOPSDevice':[{'major':8,'minor':'0','rate':1}]}"),
	      "config.json: linux.resources.blockIO.throttleWriteIOPSDevice[0].minor: expected an "
	      "integer");
	check(RES("'hugepageLimits':[{'limit':1}]"),
	      "config.json: linux.resources.hugepageLimits[0].pageSize: missing required field");
	check(RES("'hugepageLimits':[{'pageSize':'2MB'}]"),
	      "config.json: linux.resources.hugepageLimits[0].limit: missing required field");
	check(RES("'network':{'classID':-1}"),
	      "config.json: linux.resources.network.classID: -1 is out of range (0..4294967295)");
	check(RES("'network':{'priorities':[{'name':'eth0','priority':-1}]}"),
	      "config.json: linux.resources.network.priorities[0].priority: -1 is out of range "
	      "(0..4294967295)");
	check(RES("'network':{'priorities':[{'priority':1}]}"),
	      "config.json: linux.resources.network.priorities[0].name: missing required field");
	check(RES("'rdma':{'mlx5_1':{'hcaHandles':'x'}}"),
	      "config.json: linux.resources.rdma[\"mlx5_1\"].hcaHandles: expected an integer");
	check(RES("'rdma':{'mlx5_1':3}"),
	      "config.json: linux.resources.rdma[\"mlx5_1\"]: expected an object");
	check(RES("'rdma':[]"), "config.json: linux.resources.rdma: expected an object");
	check(RES("'unified':{'memory.max':1024}"),
	      "config.json: linux.resources.unified[\"memory.max\"]: expected a string");
}

static void
seccomp_errors(void **state)
{
	(void)state;
	check(LNX("'seccomp':{}"),
	      "config.json: linux.seccomp.defaultAction: missing required field");
	check(LNX("'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','defaultErrnoRet':-1}"),
	      "config.json: linux.seccomp.defaultErrnoRet: -1 is out of range (0..4294967295)");
	check(LNX("'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','architectures':'x86'}"),
	      "config.json: linux.seccomp.architectures: expected an array of strings");
	check(LNX("'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','flags':[1]}"),
	      "config.json: linux.seccomp.flags[0]: expected a string");
	check(LNX("'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','listenerPath':1}"),
	      "config.json: linux.seccomp.listenerPath: expected a string");
	check(LNX("'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'action':'x'}]}"),
	      "config.json: linux.seccomp.syscalls[0].names: missing required field");
	check(LNX("'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':[],"
	          "'action':'x'}]}"),
	      "config.json: linux.seccomp.syscalls[0].names: must not be empty");
	check(LNX("'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['read']}]}"),
	      "config.json: linux.seccomp.syscalls[0].action: missing required field");
	check(LNX("'seccomp':{'defaultAction':'A','syscalls':[{'names':['read'],'action':'A',"
	          "'args':[{'index':6,'value':1,'op':'SCMP_CMP_EQ'}]}]}"),
	      "config.json: linux.seccomp.syscalls[0].args[0].index: 6 is out of range (0..5)");
	check(LNX("'seccomp':{'defaultAction':'A','syscalls':[{'names':['read'],'action':'A',"
	          "'args':[{'index':1,'value':1}]}]}"),
	      "config.json: linux.seccomp.syscalls[0].args[0].op: missing required field");
	check(LNX("'seccomp':{'defaultAction':'A','syscalls':[{'names':['read'],'action':'A',"
	          "'args':[{'index':1,'op':'SCMP_CMP_EQ'}]}]}"),
	      "config.json: linux.seccomp.syscalls[0].args[0].value: missing required field");
	check(
	    LNX("'seccomp':{'defaultAction':'A','syscalls':[{'names':['read'],'action':'A',"
	        "'errnoRet':-1}]}"),
	    "config.json: linux.seccomp.syscalls[0].errnoRet: -1 is out of range (0..4294967295)");
}

static void
invalid_json(void **state)
{
	static const char nul[] = "{\"ociVersion\":\"1\"\0}";

	(void)state;
	check("{'ociVersion': '1.0'",
	      "config.json: invalid JSON at offset 20: parse error: premature EOF");
	check("{'a' x}",
	      "config.json: invalid JSON at offset 5: lexical error: invalid char in json text");
	check("", "config.json: invalid JSON at offset 0: parse error: premature EOF");
	check("{} {}", "config.json: invalid JSON at offset 3: parse error: trailing garbage");
	check("/* c */ {'ociVersion':'1'}",
	      "config.json: invalid JSON at offset 0: lexical error: probable comment found in "
	      "input text, comments are not enabled");
	check("{'ociVersion':'1',}",
	      "config.json: invalid JSON at offset 18: parse error: invalid object key (must be a "
	      "string)");
	check("{'ociVersion':01}",
	      "config.json: invalid JSON at offset 14: parse error: after key and value, inside "
	      "map, I expect ',' or '}'");
	check_raw(nul, sizeof(nul) - 1,
	          "config.json: invalid JSON at offset 17: lexical error: invalid char in json "
	          "text");
	check_raw("{\"ociVersion\":\"\xff\"}", 18,
	          "config.json: invalid JSON at offset 15: lexical error: invalid bytes in UTF8 "
	          "string");
	check("{'ociVersion':'a\\u0000b'}",
	      "config.json: unsupported JSON at offset 23: a string contains a NUL character "
	      "(\\u0000)");
	check("{'k\\u0000':1,'ociVersion':'1'}",
	      "config.json: unsupported JSON at offset 9: a string contains a NUL character "
	      "(\\u0000)");
}

static void
nesting_limit(void **state)
{
	char *deep = xmalloc(2 * 200 + 64);
	size_t n = 0;

	(void)state;
	/* 64 levels are fine (unknown fields are ignored) ... */
	n = (size_t)sprintf(deep, "{\"ociVersion\":\"1\",\"x\":");
	for (int i = 0; i < 63; i++)
		deep[n++] = '[';
	for (int i = 0; i < 63; i++)
		deep[n++] = ']';
	deep[n++] = '}';
	{
		struct rt_spec *s = NULL;
		struct err err = {0};
		assert_int_equal(rt_spec_parse(deep, n, &s, &err), 0);
		rt_spec_free(s);
	}
	/* ... 65 are not, before any tree is built. */
	n = (size_t)sprintf(deep, "{\"ociVersion\":\"1\",\"x\":");
	for (int i = 0; i < 200; i++)
		deep[n++] = '[';
	check_raw(deep, n,
	          "config.json: unsupported JSON at offset 85: arrays and objects nested too "
	          "deeply");
	free(deep);
}

static void
path_of_long_keys_is_bounded(void **state)
{
	char *json = xmalloc(2048);
	char *want;

	(void)state;
	snprintf(json, 2048, "{\"ociVersion\":\"1\",\"annotations\":{\"%0300d\":1}}", 7);
	want = xasprintf("config.json: annotations[\"%064d...\"]: expected a string", 0);
	check_raw(json, strlen(json), want);
	free(want);
	/* Control characters and quotes in keys are shown as '?'. */
	check("{'ociVersion':'1','annotations':{'a\\nb\\'c':1}}",
	      "config.json: annotations[\"a?b?c\"]: expected a string");
	free(json);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(top_level_errors),
	    cmocka_unit_test(root_errors),
	    cmocka_unit_test(process_args_cwd_errors),
	    cmocka_unit_test(process_user_errors),
	    cmocka_unit_test(process_console_caps_errors),
	    cmocka_unit_test(process_rlimit_errors),
	    cmocka_unit_test(process_sched_ioprio_oom_errors),
	    cmocka_unit_test(mount_errors),
	    cmocka_unit_test(hook_and_annotation_errors),
	    cmocka_unit_test(namespace_errors),
	    cmocka_unit_test(linux_misc_errors),
	    cmocka_unit_test(device_errors),
	    cmocka_unit_test(resources_errors),
	    cmocka_unit_test(resources_blkio_net_errors),
	    cmocka_unit_test(seccomp_errors),
	    cmocka_unit_test(invalid_json),
	    cmocka_unit_test(nesting_limit),
	    cmocka_unit_test(path_of_long_keys_is_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
