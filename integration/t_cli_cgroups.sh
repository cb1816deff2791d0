#!/usr/bin/env bash
# cgroups: the container in its cgroup (absolute and relative cgroupsPath), limits in the cgroup
# files before the process runs, update (flags and --resources JSON), pids and memory limits
# enforced, removal on delete.
. "$(dirname "$0")/lib.sh"

V1_CONTROLLERS="cpu cpuacct cpuset memory devices freezer blkio pids"

cg_file() { # cg_file CONTROLLER FILE [ID]
	cat "$(cg_dir "$1" "${3:-$CID}")/$2"
}

t_absolute_cgroups_path() {
	mkbundle
	create_ctr "$CID"
	local pid c
	pid=$(ctr_pid "$CID")
	for c in $V1_CONTROLLERS; do
		grep -qx "$pid" "$(cg_dir "$c" "$CID")/cgroup.procs" ||
			fail "pid $pid not in $(cg_dir "$c" "$CID")/cgroup.procs"
	done
	check_match "$(cat "/proc/$pid/cgroup")" "^[0-9]+:memory:/$CG_PARENT/$CID\$" "/proc/PID/cgroup (memory)"
	check_match "$(cat "/proc/$pid/cgroup")" "^[0-9]+:pids:/$CG_PARENT/$CID\$" "/proc/PID/cgroup (pids)"
	rt_ok delete -f "$CID"
	for c in $V1_CONTROLLERS; do
		check_nofile "$(cg_dir "$c" "$CID")" "cgroup after delete"
	done
}

t_relative_cgroups_path() {
	mkbundle
	cfg "c['linux']['cgroupsPath'] = '$CG_PARENT-rel/$CID'"
	create_ctr "$CID"
	local pid line path
	pid=$(ctr_pid "$CID")
	line=$(grep -E '^[0-9]+:pids:' "/proc/$pid/cgroup")
	path=${line#*:pids:}
	case $path in
	*/"$CG_PARENT-rel/$CID") ;;
	*) fail "relative cgroupsPath: pids cgroup is $path, want .../$CG_PARENT-rel/$CID" ;;
	esac
	grep -qx "$pid" "/sys/fs/cgroup/pids$path/cgroup.procs" || fail "pid not in /sys/fs/cgroup/pids$path"
	rt_ok delete -f "$CID"
	check_nofile "/sys/fs/cgroup/pids$path" "cgroup after delete"
}

t_limits_set_before_start() {
	mkbundle
	cfg 'resources().update({"memory": {"limit": 64 << 20, "reservation": 32 << 20},
  "cpu": {"shares": 512, "quota": 50000, "period": 100000, "cpus": "0", "mems": "0"},
  "pids": {"limit": 32}})'
	set_args /init echo ran
	create_ctr "$CID"
	check_eq "$(cg_file memory memory.limit_in_bytes)" $((64 << 20)) "memory.limit_in_bytes"
	check_eq "$(cg_file memory memory.soft_limit_in_bytes)" $((32 << 20)) "memory.soft_limit_in_bytes"
	check_eq "$(cg_file cpu cpu.shares)" 512 "cpu.shares"
	check_eq "$(cg_file cpu cpu.cfs_quota_us)" 50000 "cpu.cfs_quota_us"
	check_eq "$(cg_file cpu cpu.cfs_period_us)" 100000 "cpu.cfs_period_us"
	check_eq "$(cg_file cpuset cpuset.cpus)" 0 "cpuset.cpus"
	check_eq "$(cg_file pids pids.max)" 32 "pids.max"
	check_eq "$(cat "$T/$CID.out")" "" "output before start"
	rt_ok start "$CID"
	wait_output "$T/$CID.out" '^ran$'
}

t_update_flags() {
	mkbundle
	cfg 'resources().update({"memory": {"limit": 64 << 20}, "pids": {"limit": 32}})'
	run_d "$CID"
	rt_ok update --memory 128M --cpu-quota 30000 --cpu-period 100000 --cpu-share 256 \
		--pids-limit 50 --cpuset-cpus 1 "$CID"
	check_eq "$(cg_file memory memory.limit_in_bytes)" $((128 << 20)) "memory.limit_in_bytes after update"
	check_eq "$(cg_file cpu cpu.cfs_quota_us)" 30000 "cpu.cfs_quota_us after update"
	check_eq "$(cg_file cpu cpu.cfs_period_us)" 100000 "cpu.cfs_period_us after update"
	check_eq "$(cg_file cpu cpu.shares)" 256 "cpu.shares after update"
	check_eq "$(cg_file pids pids.max)" 50 "pids.max after update"
	check_eq "$(cg_file cpuset cpuset.cpus)" 1 "cpuset.cpus after update"
	check_eq "$(status "$CID")" running "status after update"
}

t_update_resources_json() {
	mkbundle
	run_d "$CID"
	cat >"$T/res.json" <<'EOF'
{"memory": {"limit": 104857600}, "cpu": {"shares": 300, "quota": 20000, "period": 100000},
 "pids": {"limit": 40}}
EOF
	rt_ok update --resources "$T/res.json" "$CID"
	check_eq "$(cg_file memory memory.limit_in_bytes)" 104857600 "memory.limit_in_bytes"
	check_eq "$(cg_file cpu cpu.shares)" 300 "cpu.shares"
	check_eq "$(cg_file cpu cpu.cfs_quota_us)" 20000 "cpu.cfs_quota_us"
	check_eq "$(cg_file pids pids.max)" 40 "pids.max"
	echo '{"pids": {"limit": 41}}' | rt update --resources - "$CID" >/dev/null 2>"$T/err" ||
		fail "update --resources -: $(cat "$T/err")"
	check_eq "$(cg_file pids pids.max)" 41 "pids.max after --resources -"
	check_eq "$(cg_file memory memory.limit_in_bytes)" 104857600 "memory limit kept by a pids-only update"
}

t_update_errors() {
	mkbundle
	run_d "$CID"
	rt_fail update --memory lots "$CID"
	check_match "$(cat "$T/err")" 'lots|memory' "error names the bad value"
	echo '{"pids": {"limit": ' >"$T/bad.json"
	rt_fail update --resources "$T/bad.json" "$CID"
	rt_fail update --pids-limit 10 "${CID}-nonexistent"
	check_match "$(cat "$T/err")" 'not exist|not found|nonexistent' "update of an unknown container"
	check_eq "$(status "$CID")" running "status after failed updates"
}

t_pids_limit_enforced() {
	mkbundle
	cfg 'resources()["pids"] = {"limit": 4}'
	set_args /init fork-sleep 8 0.5
	run_ctr "$T/b" "$CID"
	check_match "$(cat "$T/out")" '^ERR EAGAIN fork$' "fork beyond pids.max"
}

t_memory_limit_oom_kill() {
	mkbundle
	cfg 'resources()["memory"] = {"limit": 32 << 20, "swap": 32 << 20}'
	set_args /init oom
	run_ctr "$T/b" "$CID"
	check_eq "$RC" 137 "exit code of a process killed by the OOM killer"
	if [ -d "$(cg_dir memory "$CID")" ]; then fail "memory cgroup left after run"; fi
}

t_unified_on_v1_refused() {
	mkbundle
	cfg 'resources()["unified"] = {"memory.max": "1000000"}'
	snap
	rt_fail run --bundle "$T/b" "$CID"
	check_match "$(cat "$T/err")" 'unified|v2|cgroup' "error names the unified resources"
	check_no_leftovers "$CID"
}

run_tests t_absolute_cgroups_path t_relative_cgroups_path t_limits_set_before_start \
	t_update_flags t_update_resources_json t_update_errors t_pids_limit_enforced \
	t_memory_limit_oom_kill t_unified_on_v1_refused
