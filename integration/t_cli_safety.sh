#!/usr/bin/env bash
# Safety of the container child: non-dumpable until execve (observed through /proc ownership in a
# user namespace and through ptrace-mode access from inside the container), dumpable again after
# execve, and the runtime binary untouched.
. "$(dirname "$0")/lib.sh"

# A created (not started) container whose process runs as container uid 1000 = host 101000 in a
# user namespace mapping 0..65535 -> 100000..165535.
#
# Observation: /proc/PID/* of a dumpable process belong to its euid (101000); of a non-dumpable
# one, to root of the user namespace its memory map was made in (host root 0 for a child forked
# by the runtime, 100000 after an execve inside). When the runtime switches to uid 1000 before
# `start`, the owner during `created` tells whether the child is dumpable.
t_non_dumpable_until_exec() {
	mkbundle
	cfg 'userns(100000, 65536); proc()["user"] = {"uid": 1000, "gid": 1000}'
	set_args /init dumpable ';;' sleep 30
	create_ctr "$CID"
	local pid owner
	pid=$(ctr_pid "$CID")
	read -r _ uid _ <<<"$(grep '^Uid:' "/proc/$pid/status")"
	if [ "$uid" != 101000 ]; then
		skip "not observable: the created process still runs as host uid $uid (the runtime switches uid only after start)"
	fi
	owner=$(stat -c %u "/proc/$pid/status")
	check_match "$owner" '^(0|100000)$' "owner of /proc/PID/status while created (0 or 100000: non-dumpable; 101000: dumpable)"
	rt_ok start "$CID"
	wait_output "$T/$CID.out" '^[01]$'
	check_eq "$(head -1 "$T/$CID.out")" 1 "dumpable after execve"
	check_eq "$(stat -c %u "/proc/$pid/status")" 101000 "owner of /proc/PID/status after execve"
}

# From a process exec'd into a created container, the waiting child (pid 1) must not be
# ptrace-accessible: reading /proc/1/exe needs PTRACE_MODE_READ, denied for a non-dumpable task.
t_created_child_not_accessible_from_container() {
	mkbundle
	set_args /init sleep 30
	create_ctr "$CID"
	local out rc=0 sum
	sum=$(sha256sum "$RUNTIME" | cut -d' ' -f1)
	out=$(rt exec "$CID" /init readlink /proc/1/exe ';;' read /proc/1/environ 2>"$T/err" | tr -d '\0') ||
		rc=$?
	if [ $rc -ne 0 ] && [ -z "$out" ]; then
		skip "not observable: exec into a created container refused ($(cat "$T/err"))"
	fi
	check_match "$(echo "$out" | sed -n 1p)" '^ERR EACCES /proc/1/exe$' "readlink /proc/1/exe of the created child"
	check_match "$(echo "$out" | sed -n 2p)" '^ERR EACCES /proc/1/environ$' "read /proc/1/environ of the created child"
	check_eq "$(sha256sum "$RUNTIME" | cut -d' ' -f1)" "$sum" "runtime binary unchanged"
}

t_dumpable_after_exec() {
	mkbundle
	set_args /init dumpable ';;' readlink /proc/self/exe
	local out
	out=$(run_out "$T/b" "$CID")
	check_eq "$(echo "$out" | sed -n 1p)" 1 "dumpable after execve (root)"
	check_eq "$(echo "$out" | sed -n 2p)" /init "/proc/self/exe"
	cfg 'proc()["user"] = {"uid": 1000, "gid": 1000}'
	check_eq "$(run_out "$T/b" "$CID" | head -1)" 1 "dumpable after execve (uid 1000)"
}

t_state_dir_not_world_accessible() {
	mkbundle
	local r=$T/newroot/sub m rc=0
	"$RUNTIME" --root "$r" create --bundle "$T/b" "$CID" </dev/null >/dev/null 2>"$T/err" || rc=$?
	[ $rc -eq 0 ] || fail "create with a new --root: $(cat "$T/err")"
	m=$(stat -c %a "$r")
	"$RUNTIME" --root "$r" delete -f "$CID" >/dev/null 2>&1 || fail "delete under the new --root"
	[ $((8#$m & 8#066)) -eq 0 ] || fail "--root made by the runtime has mode $m: readable or writable by others"
}

run_tests t_non_dumpable_until_exec t_created_child_not_accessible_from_container \
	t_dumpable_after_exec t_state_dir_not_world_accessible
