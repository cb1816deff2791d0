#!/usr/bin/env bash
# cgroups, cpu: shares, quota/period, burst, realtime, cpus/mems, idle set through config.json and
# `husk update`, read back from the cgroup files (v1: cpu.*, cpuset.*; v2: cpu.weight, cpu.max,
# cpu.max.burst, cpu.idle, cpuset.*), the quota enforced (throttled periods, also in
# `events --stats`), realtime refused on v2.
. "$(dirname "$0")/cglib.sh"

# The last cpu (and memory node) this host has.
last_cpu() { sed -E 's/.*[,-]//' /sys/devices/system/cpu/online; }

# The parent's realtime budget back to 0 (the kernel refuses while the removed child's share is
# still accounted: it goes after an RCU grace period).
rt_budget_reset() {
	wait_for 5 sh -c "echo 0 >'$(cg_mnt cpu)/$CG_PARENT/cpu.rt_runtime_us'"
}

t_shares_quota_period() {
	need_ctrl cpu
	mkbundle
	cfg 'resources()["cpu"] = {"shares": 512, "quota": 50000, "period": 100000}'
	set_args /init echo ran
	create_ctr "$CID"
	if is_v2; then
		check_cgr cpu cpu.weight "$(shares_to_weight 512)"
		check_cgr cpu cpu.max "50000 100000"
	else
		check_cgr cpu cpu.shares 512
		check_cgr cpu cpu.cfs_quota_us 50000
		check_cgr cpu cpu.cfs_period_us 100000
	fi
	rt_ok start "$CID"
	wait_output "$T/$CID.out" '^ran$'
	wait_status "$CID" stopped
	delete_check "$CID"
}

t_quota_without_period() {
	need_ctrl cpu
	mkbundle
	cfg 'resources()["cpu"] = {"quota": 25000}'
	create_ctr "$CID"
	if is_v2; then
		check_cgr cpu cpu.max "25000 100000"
	else
		check_cgr cpu cpu.cfs_quota_us 25000
		check_cgr cpu cpu.cfs_period_us 100000
	fi
	delete_check "$CID"
}

t_burst() {
	need_ctrl cpu
	mkbundle
	cfg 'resources()["cpu"] = {"quota": 50000, "period": 100000, "burst": 20000}'
	if is_v2; then
		[ -n "$(find $CG_ROOT -maxdepth 2 -name cpu.max.burst | head -1)" ] ||
			skip "no cpu.max.burst (kernel < 5.14)"
	else
		[ -e "$(cg_mnt cpu)/cpu.cfs_burst_us" ] || skip "no cpu.cfs_burst_us (kernel < 5.14)"
	fi
	create_ctr "$CID"
	if is_v2; then
		check_cgr cpu cpu.max.burst 20000
		check_cgr cpu cpu.max "50000 100000"
	else
		check_cgr cpu cpu.cfs_burst_us 20000
	fi
	delete_check "$CID"
}

t_realtime() {
	need_ctrl cpu
	mkbundle
	cfg 'resources()["cpu"] = {"realtimePeriod": 100000, "realtimeRuntime": 1000}'
	if is_v2; then
		snap
		rt_fail run --bundle "$T/b" "$CID"
		check_match "$(cat "$T/err")" '[Rr]ealtime' "error names the realtime settings"
		check_match "$(cat "$T/err")" 'v1|v2' "error says which cgroup version is needed"
		check_no_leftovers "$CID"
		return 0
	fi
	local parent
	parent=$(cg_mnt cpu)/$CG_PARENT
	[ -e "$(cg_mnt cpu)/cpu.rt_runtime_us" ] || skip "no cpu.rt_runtime_us (CONFIG_RT_GROUP_SCHED off)"
	# A new cgroup has no realtime budget: the parent needs one to hand out (runc does not do
	# this either; an administrator does).
	mkdir -p "$parent"
	echo 20000 >"$parent/cpu.rt_runtime_us" || skip "cannot give $parent a realtime budget"
	create_ctr "$CID"
	check_cgr cpu cpu.rt_period_us 100000
	check_cgr cpu cpu.rt_runtime_us 1000
	delete_check "$CID"
	rt_budget_reset
}

t_realtime_over_budget_fails() {
	is_v2 && skip "realtime is refused on v2 (t_realtime)"
	need_ctrl cpu
	[ -e "$(cg_mnt cpu)/cpu.rt_runtime_us" ] || skip "no cpu.rt_runtime_us (CONFIG_RT_GROUP_SCHED off)"
	mkbundle
	cfg 'resources()["cpu"] = {"realtimePeriod": 100000, "realtimeRuntime": 90000}'
	snap
	rt_fail run --bundle "$T/b" "$CID"
	check_match "$(cat "$T/err")" 'cpu.rt_runtime_us' "error names the file"
	check_no_leftovers "$CID"
}

t_cpuset() {
	need_ctrl cpuset
	local cpu
	cpu=$(last_cpu)
	mkbundle
	cfg "resources()['cpu'] = {'cpus': '$cpu', 'mems': '0'}"
	set_args /init read /proc/self/status
	create_ctr "$CID"
	check_cgr cpuset cpuset.cpus "$cpu"
	check_cgr cpuset cpuset.mems 0
	rt_ok start "$CID"
	wait_output "$T/$CID.out" '^Cpus_allowed_list:'
	check_eq "$(awk '/^Cpus_allowed_list:/ {print $2}' "$T/$CID.out")" "$cpu" "Cpus_allowed_list in the container"
	check_eq "$(awk '/^Mems_allowed_list:/ {print $2}' "$T/$CID.out")" 0 "Mems_allowed_list in the container"
	delete_check "$CID"
}

t_idle() {
	need_ctrl cpu
	if is_v2; then
		[ -n "$(find $CG_ROOT -maxdepth 2 -name cpu.idle | head -1)" ] || skip "no cpu.idle (kernel < 5.15)"
	else
		[ -e "$(cg_mnt cpu)/cpu.idle" ] || skip "no cpu.idle (kernel < 5.15)"
	fi
	mkbundle
	cfg 'resources()["cpu"] = {"idle": 1}'
	create_ctr "$CID"
	check_cgr cpu cpu.idle 1
	delete_check "$CID"
}

t_update_flags() {
	need_ctrl cpu cpuset
	local cpu
	cpu=$(last_cpu)
	mkbundle
	cfg 'resources()["cpu"] = {"shares": 512, "quota": 50000, "period": 100000}'
	run_d "$CID"
	rt_ok update --cpu-share 256 --cpu-quota 30000 --cpu-period 60000 --cpuset-cpus "$cpu" \
		--cpuset-mems 0 "$CID"
	if is_v2; then
		check_cgr cpu cpu.weight "$(shares_to_weight 256)"
		check_cgr cpu cpu.max "30000 60000"
	else
		check_cgr cpu cpu.shares 256
		check_cgr cpu cpu.cfs_quota_us 30000
		check_cgr cpu cpu.cfs_period_us 60000
	fi
	check_cgr cpuset cpuset.cpus "$cpu"
	check_cgr cpuset cpuset.mems 0
	# a bigger period than the quota allows, and back: the writes must be ordered
	rt_ok update --cpu-quota 200000 --cpu-period 250000 "$CID"
	rt_ok update --cpu-quota 5000 --cpu-period 10000 "$CID"
	if is_v2; then
		check_cgr cpu cpu.max "5000 10000"
	else
		check_cgr cpu cpu.cfs_quota_us 5000
		check_cgr cpu cpu.cfs_period_us 10000
	fi
	if { is_v2 && [ -e "$(cgd cpu)/cpu.max.burst" ]; } || [ -e "$(cgd cpu)/cpu.cfs_burst_us" ]; then
		rt_ok update --cpu-burst 2000 "$CID"
		if is_v2; then check_cgr cpu cpu.max.burst 2000; else check_cgr cpu cpu.cfs_burst_us 2000; fi
	fi
	check_eq "$(status "$CID")" running "status after updates"
	delete_check "$CID"
}

t_update_resources_unlimited() {
	need_ctrl cpu
	mkbundle
	cfg 'resources()["cpu"] = {"shares": 512, "quota": 50000, "period": 100000}'
	run_d "$CID"
	echo '{"cpu": {"shares": 2048, "quota": -1}}' >"$T/res.json"
	rt_ok update --resources "$T/res.json" "$CID"
	if is_v2; then
		check_cgr cpu cpu.weight "$(shares_to_weight 2048)"
		check_cgr cpu cpu.max "max 100000"
	else
		check_cgr cpu cpu.shares 2048
		check_cgr cpu cpu.cfs_quota_us -1
		check_cgr cpu cpu.cfs_period_us 100000
	fi
	delete_check "$CID"
}

t_update_realtime_flags() {
	need_ctrl cpu
	mkbundle
	run_d "$CID"
	if is_v2; then
		rt_fail update --cpu-rt-period 100000 --cpu-rt-runtime 1000 "$CID"
		check_match "$(cat "$T/err")" '[Rr]ealtime' "error names the realtime settings"
		check_eq "$(status "$CID")" running "status after a refused update"
		delete_check "$CID"
		return 0
	fi
	[ -e "$(cg_mnt cpu)/cpu.rt_runtime_us" ] || skip "no cpu.rt_runtime_us (CONFIG_RT_GROUP_SCHED off)"
	echo 20000 >"$(cg_mnt cpu)/$CG_PARENT/cpu.rt_runtime_us" || skip "no realtime budget for the parent"
	rt_ok update --cpu-rt-period 200000 --cpu-rt-runtime 2000 "$CID"
	check_cgr cpu cpu.rt_period_us 200000
	check_cgr cpu cpu.rt_runtime_us 2000
	delete_check "$CID"
	rt_budget_reset
}

# A container spinning on one cpu with a 10% quota is throttled: the kernel's counters and
# `events --stats` say so.
t_quota_enforced() {
	need_ctrl cpu
	mkbundle
	add_busybox
	cfg 'resources()["cpu"] = {"quota": 10000, "period": 100000}'
	set_args /bin/sh -c 'while :; do :; done'
	run_d "$CID"
	sleep 1.5
	local f=cpu.stat throttled
	if is_v2; then
		throttled=$(awk '$1 == "nr_throttled" {print $2}' "$(cgd cpu)/$f")
	else
		throttled=$(awk '$1 == "nr_throttled" {print $2}' "$(cgd cpu)/$f")
	fi
	[ "${throttled:-0}" -gt 0 ] || fail "nr_throttled is ${throttled:-missing} after 1.5 s at 10%"
	events_stats "$CID" '
t = d["data"]["cpu"]["throttling"]
assert d["type"] == "stats", d
assert t.get("throttledPeriods", 0) > 0, t
assert t.get("periods", 0) >= t["throttledPeriods"], t
assert d["data"]["cpu"]["usage"]["total"] > 0, d["data"]["cpu"]
print("throttled", t["throttledPeriods"], "of", t["periods"])'
	delete_check "$CID"
}

run_cg_tests t_shares_quota_period t_quota_without_period t_burst t_realtime \
	t_realtime_over_budget_fails t_cpuset t_idle t_update_flags t_update_resources_unlimited \
	t_update_realtime_flags t_quota_enforced
