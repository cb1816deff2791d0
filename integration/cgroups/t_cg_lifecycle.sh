#!/usr/bin/env bash
# cgroups in the container's life: pause/resume (v1 freezer.state, v2 cgroup.freeze and
# cgroup.events; the processes really stop), delete -f of a paused container, kill --all (every
# process of the cgroup, also outside the init's pid namespace; SIGKILL and another signal),
# `events --stats` values and the `events` stream ending with the container.
. "$(dirname "$0")/cglib.sh"

frozen_state() { # frozen_state ID: FROZEN or THAWED, from the cgroup files
	if is_v2; then
		if grep -qx 'frozen 1' "$(cgd memory "$1")/cgroup.events"; then echo FROZEN; else echo THAWED; fi
	else
		cgr freezer freezer.state "$1"
	fi
}

lines() { wc -l <"$1"; }

t_pause_resume() {
	is_v2 || need_ctrl freezer
	mkbundle
	set_args /init ticker
	run_d "$CID"
	wait_output "$T/$CID.out" '^5$'
	rt_ok pause "$CID"
	check_eq "$(status "$CID")" paused "status after pause"
	check_eq "$(frozen_state "$CID")" FROZEN "freezer state after pause"
	is_v2 && check_cgr memory cgroup.freeze 1
	local n1 n2
	n1=$(lines "$T/$CID.out")
	sleep 0.5
	n2=$(lines "$T/$CID.out")
	check_eq "$n2" "$n1" "ticker lines while paused"
	rt_ok resume "$CID"
	check_eq "$(status "$CID")" running "status after resume"
	check_eq "$(frozen_state "$CID")" THAWED "freezer state after resume"
	wait_output "$T/$CID.out" "^$((n1 + 5))\$"
	delete_check "$CID"
}

# Only a paused container can be resumed; a stopped one cannot be paused. (runc also pauses a
# created container and reports it "paused"; husk's state shows it "created" and then refuses to
# resume it: reported to the runtime's owner, not tested here yet.)
t_pause_states() {
	is_v2 || need_ctrl freezer
	mkbundle
	set_args /init echo ran
	create_ctr "$CID"
	rt_fail resume "$CID"
	check_match "$(cat "$T/err")" 'not paused' "resume of a created container"
	rt_ok start "$CID"
	wait_status "$CID" stopped
	rt_fail pause "$CID"
	check_match "$(cat "$T/err")" 'not running|stopped' "pause of a stopped container"
	check_eq "$(status "$CID")" stopped "status after a refused pause"
	delete_check "$CID"
}

t_delete_paused() {
	is_v2 || need_ctrl freezer
	mkbundle
	cfg 'del_ns("pid")'
	set_args /init fork-sleep 3 100
	run_d "$CID"
	wait_output "$T/$CID.out" '^forked 3$'
	rt_ok pause "$CID"
	local pids
	pids=$(tr '\n' ' ' <"$(cgd pids)/cgroup.procs")
	[ "$(wc -w <<<"$pids")" -eq 4 ] || fail "4 processes expected in the cgroup, got: $pids"
	delete_check "$CID"
	local p
	for p in $pids; do
		[ ! -e "/proc/$p" ] || [ "$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null)" = Z ] ||
			fail "process $p of the paused container survived delete -f"
	done
}

# Without a pid namespace, the init's death leaves its children: kill --all reaches them all.
t_kill_all_sigkill() {
	mkbundle
	cfg 'del_ns("pid")'
	set_args /init fork-sleep 3 100
	run_d "$CID"
	wait_output "$T/$CID.out" '^forked 3$'
	local procs
	procs=$(cgd pids)/cgroup.procs
	check_eq "$(wc -l <"$procs")" 4 "processes in the cgroup"
	rt_ok kill --all "$CID" KILL
	wait_for 10 test ! -s "$procs"
	wait_status "$CID" stopped
	delete_check "$CID"
}

t_kill_all_sigterm() {
	mkbundle
	cfg 'del_ns("pid")'
	set_args /init fork-sleep 3 100
	run_d "$CID"
	wait_output "$T/$CID.out" '^forked 3$'
	local procs
	procs=$(cgd pids)/cgroup.procs
	rt_ok kill -a "$CID" TERM
	wait_for 10 test ! -s "$procs"
	wait_status "$CID" stopped
	check_eq "$(frozen_state "$CID")" THAWED "freezer state after kill --all (frozen while signalling)"
	delete_check "$CID"
}

# The plain kill signals only the init: without a pid namespace its children stay (until delete).
t_kill_init_only() {
	mkbundle
	cfg 'del_ns("pid")'
	set_args /init fork-sleep 3 100
	run_d "$CID"
	wait_output "$T/$CID.out" '^forked 3$'
	local procs
	procs=$(cgd pids)/cgroup.procs
	rt_ok kill "$CID" KILL
	wait_status "$CID" stopped
	check_eq "$(wc -l <"$procs")" 3 "children left in the cgroup after the init was killed"
	delete_check "$CID"
}

t_events_stats() {
	mkbundle
	cfg "resources().update({'memory': {'limit': 96 << 20}, 'pids': {'limit': 20},
  'cpu': {'shares': 512, 'quota': 50000, 'period': 100000}})"
	set_args /init fork-sleep 2 100
	run_d "$CID"
	wait_output "$T/$CID.out" '^forked 2$'
	events_stats "$CID" "
s = d['data']
assert d['type'] == 'stats' and d['id'] == sys.argv[1], d
assert s['pids'] == {'current': 3, 'limit': 20}, s['pids']
assert s['memory']['usage']['limit'] == 96 << 20, s['memory']['usage']
assert s['memory']['usage']['usage'] > 0, s['memory']['usage']
assert s['cpu']['usage']['total'] > 0, s['cpu']
assert 'blkio' in s and 'hugetlb' in s, sorted(s)
print('ok', s['pids'], s['memory']['usage'])" "$CID"
	delete_check "$CID"
}

t_events_stream_ends_with_container() {
	mkbundle
	set_args /init pause
	run_d "$CID"
	local ev
	rt events --interval 100ms "$CID" >"$T/events.out" 2>"$T/events.err" &
	ev=$!
	echo "$ev" >>"$T/.pids"
	wait_for 20 sh -c "[ \$(grep -c '\"type\": *\"stats\"' '$T/events.out') -ge 2 ]"
	rt_ok delete -f "$CID"
	wait_for 15 sh -c "! kill -0 $ev"
	wait "$ev" || fail "events exited $?: $(cat "$T/events.err")"
	check_cg_gone "$CID"
}

t_events_stopped_refused() {
	mkbundle
	set_args /init echo done
	create_ctr "$CID"
	rt_ok start "$CID"
	wait_status "$CID" stopped
	rt_fail events --stats "$CID"
	check_match "$(cat "$T/err")" 'not running' "events --stats of a stopped container"
	delete_check "$CID"
}

run_cg_tests t_pause_resume t_pause_states t_delete_paused t_kill_all_sigkill t_kill_all_sigterm \
	t_kill_init_only t_events_stats t_events_stream_ends_with_container t_events_stopped_refused
