#!/usr/bin/env bash
# cgroups, memory: limit, reservation, swap, swappiness, disableOOMKiller, kernel memory set through
# config.json and `husk update`, read back (v1: memory.*; v2: memory.max/low/swap.max, the
# v1-only knobs accepted and ignored as runc does); checkBeforeUpdate; `events --stats` memory
# values; a container allocating past its limit is OOM-killed: `run` exits 137 (SIGKILL) and
# `husk events` reports {"type":"oom"}.
. "$(dirname "$0")/cglib.sh"

M=$((1 << 20))

has_swap_limit() { # swap accounting: v1 memory.memsw.*, v2 memory.swap.max
	if is_v2; then
		[ -n "$(find $CG_ROOT -maxdepth 2 -name memory.swap.max | head -1)" ]
	else
		[ -e "$(cg_mnt memory)/memory.memsw.limit_in_bytes" ]
	fi
}

# fill_shm MiB: container args that put MiB of /dev/shm (charged to the memory cgroup) in use,
# print "filled" and wait.
fill_shm_args() {
	set_args /bin/sh -c "dd if=/dev/zero of=/dev/shm/fill bs=1M count=$1 2>/dev/null && echo filled && exec /init pause"
}

t_limits() {
	need_ctrl memory
	mkbundle
	cfg "resources()['memory'] = {'limit': 64 * $M, 'reservation': 32 * $M, 'swappiness': 30}"
	create_ctr "$CID"
	if is_v2; then
		check_cgr memory memory.max $((64 * M))
		check_cgr memory memory.low $((32 * M))
		[ ! -e "$(cgd memory)/memory.swappiness" ] || fail "memory.swappiness on v2?"
	else
		check_cgr memory memory.limit_in_bytes $((64 * M))
		check_cgr memory memory.soft_limit_in_bytes $((32 * M))
		check_cgr memory memory.swappiness 30
	fi
	delete_check "$CID"
}

t_swap() {
	need_ctrl memory
	has_swap_limit || skip "no swap accounting on this kernel"
	mkbundle
	cfg "resources()['memory'] = {'limit': 64 * $M, 'swap': 96 * $M}"
	create_ctr "$CID"
	if is_v2; then
		check_cgr memory memory.max $((64 * M))
		check_cgr memory memory.swap.max $((32 * M)) # swap = memory+swap - memory
	else
		check_cgr memory memory.limit_in_bytes $((64 * M))
		check_cgr memory memory.memsw.limit_in_bytes $((96 * M))
	fi
	delete_check "$CID"
}

t_swap_unlimited_and_none() {
	need_ctrl memory
	has_swap_limit || skip "no swap accounting on this kernel"
	mkbundle
	cfg "resources()['memory'] = {'limit': 64 * $M, 'swap': -1}"
	mkbundle "$T/b2" "${CID}b"
	cfg "$T/b2" "resources()['memory'] = {'limit': 64 * $M, 'swap': 64 * $M}"
	create_ctr "$CID"
	create_ctr "${CID}b" "$T/b2"
	if is_v2; then
		check_cgr memory memory.swap.max max
		check_cgr memory memory.swap.max 0 "${CID}b"
	else
		check_cgr memory memory.memsw.limit_in_bytes "$(cat "$(cg_mnt memory)/memory.memsw.limit_in_bytes")"
		check_cgr memory memory.memsw.limit_in_bytes $((64 * M)) "${CID}b"
	fi
	delete_check "$CID"
	delete_check "${CID}b"
}

t_swap_below_limit_refused() {
	need_ctrl memory
	has_swap_limit || skip "no swap accounting on this kernel"
	mkbundle
	cfg "resources()['memory'] = {'limit': 64 * $M, 'swap': 32 * $M}"
	snap
	rt_fail run --bundle "$T/b" "$CID"
	check_match "$(cat "$T/err")" 'swap|memsw' "error names the swap limit"
	check_no_leftovers "$CID"
}

t_disable_oom_killer() {
	need_ctrl memory
	mkbundle
	cfg "resources()['memory'] = {'limit': 64 * $M, 'disableOOMKiller': True}"
	set_args /init echo ran
	create_ctr "$CID"
	if is_v2; then
		check_cgr memory memory.max $((64 * M)) # accepted, nothing to set on v2 (as runc)
	else
		check_match "$(cgr memory memory.oom_control)" '^oom_kill_disable 1$' "memory.oom_control"
	fi
	rt_ok start "$CID"
	wait_output "$T/$CID.out" '^ran$'
	delete_check "$CID"
}

t_kernel_memory() {
	need_ctrl memory
	mkbundle
	cfg "resources()['memory'] = {'limit': 64 * $M, 'kernel': 32 * $M, 'kernelTCP': 16 * $M}"
	create_ctr "$CID"
	local kf
	kf=$(cgd memory)/memory.kmem.limit_in_bytes
	if is_v2 || [ ! -e "$kf" ]; then
		check_nofile "$kf" # v2: no kernel memory limit; ignored as runc does
	else
		# Kernels >= 5.16 keep the file but ignore writes (deprecated): either is accepted.
		check_match "$(cat "$kf")" "^($((32 * M))|9223372036854771712)$" "$kf"
		check_match "$(cgr memory memory.kmem.tcp.limit_in_bytes)" "^($((16 * M))|9223372036854771712)$" \
			memory.kmem.tcp.limit_in_bytes
	fi
	check_eq "$(status "$CID")" created "status"
	delete_check "$CID"
}

t_update_flags() {
	need_ctrl memory
	mkbundle
	cfg "resources()['memory'] = {'limit': 64 * $M}"
	run_d "$CID"
	rt_ok update --memory 128M --memory-reservation 48M "$CID"
	if is_v2; then
		check_cgr memory memory.max $((128 * M))
		check_cgr memory memory.low $((48 * M))
	else
		check_cgr memory memory.limit_in_bytes $((128 * M))
		check_cgr memory memory.soft_limit_in_bytes $((48 * M))
	fi
	if has_swap_limit; then
		# swap below the current limit and memory lowered in the same update: ordered writes
		rt_ok update --memory 32M --memory-swap 40M "$CID"
		if is_v2; then
			check_cgr memory memory.max $((32 * M))
			check_cgr memory memory.swap.max $((8 * M))
		else
			check_cgr memory memory.limit_in_bytes $((32 * M))
			check_cgr memory memory.memsw.limit_in_bytes $((40 * M))
		fi
		rt_ok update --memory 256M --memory-swap 512M "$CID"
		if is_v2; then
			check_cgr memory memory.max $((256 * M))
			check_cgr memory memory.swap.max $((256 * M))
		else
			check_cgr memory memory.limit_in_bytes $((256 * M))
			check_cgr memory memory.memsw.limit_in_bytes $((512 * M))
		fi
	fi
	rt_ok update --memory -1 --memory-swap -1 "$CID"
	if is_v2; then
		check_cgr memory memory.max max
	else
		check_cgr memory memory.limit_in_bytes "$(cat "$(cg_mnt memory)/memory.limit_in_bytes")"
	fi
	check_eq "$(status "$CID")" running "status after updates"
	delete_check "$CID"
}

t_update_resources_json() {
	need_ctrl memory
	mkbundle
	run_d "$CID"
	echo "{\"memory\": {\"limit\": $((96 * M)), \"reservation\": $((16 * M))}}" >"$T/res.json"
	rt_ok update -r "$T/res.json" "$CID"
	if is_v2; then
		check_cgr memory memory.max $((96 * M))
		check_cgr memory memory.low $((16 * M))
	else
		check_cgr memory memory.limit_in_bytes $((96 * M))
		check_cgr memory memory.soft_limit_in_bytes $((16 * M))
	fi
	delete_check "$CID"
}

# checkBeforeUpdate: a limit below what the container uses now is refused, nothing changes.
t_check_before_update() {
	need_ctrl memory
	mkbundle
	add_busybox
	cfg "resources()['memory'] = {'limit': 128 * $M}"
	fill_shm_args 24
	run_d "$CID"
	wait_output "$T/$CID.out" '^filled$' 30
	echo "{\"memory\": {\"limit\": $((8 * M)), \"checkBeforeUpdate\": true}}" >"$T/res.json"
	rt_fail update -r "$T/res.json" "$CID"
	check_match "$(cat "$T/err")" 'usage' "error says the usage is above the new limit"
	if is_v2; then
		check_cgr memory memory.max $((128 * M))
	else
		check_cgr memory memory.limit_in_bytes $((128 * M))
	fi
	check_eq "$(status "$CID")" running "status after a refused update"
	delete_check "$CID"
}

t_events_stats_memory() {
	need_ctrl memory
	mkbundle
	add_busybox
	cfg "resources()['memory'] = {'limit': 64 * $M}"
	fill_shm_args 16
	run_d "$CID"
	wait_output "$T/$CID.out" '^filled$' 30
	events_stats "$CID" "
m = d['data']['memory']
assert d['type'] == 'stats' and d['id'] == sys.argv[1], d
assert m['usage']['limit'] == 64 * $M, m['usage']
assert m['usage']['usage'] >= 16 * $M, m['usage']
assert m['usage']['usage'] <= 64 * $M, m['usage']
assert m.get('raw'), 'no raw memory.stat'
p = d['data']['pids']
assert p['current'] >= 1, p
print('memory usage', m['usage']['usage'])" "$CID"
	delete_check "$CID"
}

# The container waits for /tmp/go (created once `events` watches), then allocates until killed.
t_oom_killed_and_reported() {
	need_ctrl memory
	mkbundle
	add_busybox
	local lim="'limit': 32 * $M"
	has_swap_limit && lim="$lim, 'swap': 32 * $M"
	cfg "resources()['memory'] = {$lim}"
	set_args /bin/sh -c 'while [ ! -e /tmp/go ]; do sleep 0.1; done; exec /init oom'
	(
		rc=0
		rt run --bundle "$T/b" "$CID" </dev/null >"$T/run.out" 2>"$T/run.err" || rc=$?
		echo "$rc" >"$T/run.rc"
	) &
	echo $! >>"$T/.pids"
	wait_status "$CID" running 30
	local ev
	rt events --interval 200ms "$CID" >"$T/events.out" 2>"$T/events.err" &
	ev=$!
	echo "$ev" >>"$T/.pids"
	wait_output "$T/events.out" '"type": *"stats"' 30
	touch "$T/b/rootfs/tmp/go"
	wait_for 60 test -s "$T/run.rc"
	check_eq "$(cat "$T/run.rc")" 137 "exit status of run (128 + SIGKILL)"
	# `run` deleted the container: events sees the cgroup go and ends.
	wait_for 20 sh -c "! kill -0 $ev"
	wait "$ev" || fail "events exited $?: $(cat "$T/events.err")"
	check_match "$(cat "$T/events.out")" "\"type\": *\"oom\", *\"id\": *\"$CID\"" "events reported the OOM"
	check_cg_gone "$CID"
}

run_cg_tests t_limits t_swap t_swap_unlimited_and_none t_swap_below_limit_refused \
	t_disable_oom_killer t_kernel_memory t_update_flags t_update_resources_json \
	t_check_before_update t_events_stats_memory t_oom_killed_and_reported
