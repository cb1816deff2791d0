#!/usr/bin/env bash
# Namespaces: pid, mount, network, ipc, uts, user (uid/gid maps), cgroup, time (offsets); sharing
# the host's when not listed; joining existing ones by path.
. "$(dirname "$0")/lib.sh"

# ns_of NAME LISTING: the `NAME LINK` line of an `init ns` listing.
ns_of() {
	echo "$2" | awk -v n="$1" '$1 == n {print $2}'
}

t_private_namespaces() {
	mkbundle
	cfg 'add_ns("cgroup")'
	set_args /init ns
	local out host n
	out=$(run_out "$T/b" "$CID")
	host=$("$INIT_BIN" ns)
	for n in pid mnt net ipc uts cgroup; do
		[ -n "$(ns_of $n "$out")" ] || fail "no $n namespace in: $out"
		check_ne "$(ns_of $n "$out")" "$(ns_of $n "$host")" "$n namespace vs host"
	done
	check_eq "$(ns_of user "$out")" "$(ns_of user "$host")" "user namespace (not requested) vs host"
	check_eq "$(ns_of time "$out")" "$(ns_of time "$host")" "time namespace (not requested) vs host"
}

t_pid_namespace() {
	mkbundle
	set_args /init pid ';;' ls /proc
	local out
	out=$(run_out "$T/b" "$CID")
	check_eq "$(echo "$out" | head -1)" "1 0 1 1" "pid ppid sid pgid of the container process"
	check_eq "$(echo "$out" | grep -E '^[0-9]+$' | tr '\n' ' ')" "1 " "processes visible in /proc"
}

t_mount_namespace() {
	mkbundle
	set_args /init mountopt /proc ';;' sleep 1
	run_d "$CID"
	local r
	r=$(cd "$T/b/rootfs" && pwd -P)
	if awk '{print $5}' /proc/self/mountinfo | grep -q "^$r"; then
		fail "container mounts visible in the host's mount namespace"
	fi
	wait_output "$T/$CID.out" '^proc '
}

t_network_namespace() {
	mkbundle
	set_args /init read /proc/net/dev
	local out
	out=$(run_out "$T/b" "$CID")
	check_eq "$(echo "$out" | tail -n +3 | awk -F: '{gsub(/ /, "", $1); print $1}' | tr '\n' ' ')" "lo " \
		"network interfaces in a new netns"
}

t_uts_and_ipc_namespaces() {
	mkbundle
	cfg 'c["hostname"] = "ctr-host"'
	set_args /init hostname ';;' read /proc/sysvipc/shm
	local out host
	host=$(hostname)
	out=$(run_out "$T/b" "$CID")
	check_eq "$(echo "$out" | sed -n 1p)" ctr-host "hostname"
	check_eq "$(hostname)" "$host" "host hostname unchanged"
	check_eq "$(echo "$out" | sed -n '3,$p')" "" "no SysV shm segments in a new ipc ns"
}

t_domainname() {
	mkbundle
	cfg 'c["domainname"] = "ctr.domain"'
	set_args /init domainname
	local host
	host=$("$INIT_BIN" domainname)
	check_eq "$(run_out "$T/b" "$CID")" ctr.domain "domainname"
	check_eq "$("$INIT_BIN" domainname)" "$host" "host domainname unchanged"
}

t_hostname_needs_uts_namespace() {
	mkbundle
	cfg 'del_ns("uts")'
	snap
	rt_fail run --bundle "$T/b" "$CID"
	check_match "$(cat "$T/err")" '[Hh]ostname|UTS|uts' "error names hostname / uts"
	check_no_leftovers "$CID"
}

t_user_namespace_maps() {
	mkbundle
	cfg 'userns(100000, 65536)
c["linux"]["gidMappings"] = [{"containerID": 0, "hostID": 200000, "size": 1000},
                             {"containerID": 1000, "hostID": 300000, "size": 10}]'
	set_args /init read /proc/self/uid_map ';;' read /proc/self/gid_map ';;' id ';;' \
		write /tmp/owned ';;' sleep 2
	run_d "$CID"
	local pid
	pid=$(ctr_pid "$CID")
	wait_output "$T/$CID.out" '^uid='
	local out
	out=$(cat "$T/$CID.out")
	check_match "$out" '^ +0 +100000 +65536$' "uid_map"
	check_match "$out" '^ +0 +200000 +1000$' "gid_map first range"
	check_match "$out" '^ +1000 +300000 +10$' "gid_map second range"
	check_match "$out" '^uid=0 gid=0 euid=0 egid=0' "ids inside"
	check_match "$(grep '^Uid:' "/proc/$pid/status")" '100000' "host view of the uid"
	wait_output "$T/$CID.out" '^OK$'
	check_eq "$(stat -c %u:%g "$T/b/rootfs/tmp/owned")" 100000:200000 "owner on the host of a file made inside"
	local hu
	hu=$("$INIT_BIN" ns | awk '$1 == "user" {print $2}')
	check_ne "$(readlink "/proc/$pid/ns/user")" "$hu" "user ns vs host"
}

t_cgroup_namespace() {
	mkbundle
	cfg 'add_ns("cgroup")'
	set_args /init cgroup
	local out
	out=$(run_out "$T/b" "$CID")
	check_match "$out" '^[0-9]+:pids:/$' "pids cgroup is / inside a cgroup ns"
	check_match "$out" '^[0-9]+:memory:/$' "memory cgroup is / inside a cgroup ns"
	check_nomatch "$out" "$CG_PARENT" "cgroup path leaks the host path"
	cfg 'del_ns("cgroup")'
	out=$(run_out "$T/b" "$CID")
	check_match "$out" "^[0-9]+:pids:/$CG_PARENT/$CID\$" "pids cgroup without a cgroup ns"
}

t_time_namespace_offsets() {
	mkbundle
	cfg 'add_ns("time"); c["linux"]["timeOffsets"] = {"monotonic": {"secs": 864000, "nanosecs": 0},
"boottime": {"secs": 1728000, "nanosecs": 0}}'
	set_args /init read /proc/self/timens_offsets ';;' clock
	local out host_m host_b m b
	read -r host_m host_b <<<"$("$INIT_BIN" clock)"
	out=$(run_out "$T/b" "$CID")
	check_match "$out" '^monotonic +864000 +0$' "monotonic offset"
	check_match "$out" '^boottime +1728000 +0$' "boottime offset"
	read -r m b <<<"$(echo "$out" | tail -1)"
	[ $((m - host_m)) -ge 863990 ] && [ $((m - host_m)) -le 864030 ] ||
		fail "CLOCK_MONOTONIC inside $m vs host $host_m: not offset by 864000"
	[ $((b - host_b)) -ge 1727990 ] && [ $((b - host_b)) -le 1728030 ] ||
		fail "CLOCK_BOOTTIME inside $b vs host $host_b: not offset by 1728000"
}

t_unlisted_namespace_is_shared() {
	mkbundle
	cfg 'del_ns("network"); del_ns("ipc")'
	set_args /init ns
	local out host
	out=$(run_out "$T/b" "$CID")
	host=$("$INIT_BIN" ns)
	check_eq "$(ns_of net "$out")" "$(ns_of net "$host")" "net namespace when not listed"
	check_eq "$(ns_of ipc "$out")" "$(ns_of ipc "$host")" "ipc namespace when not listed"
}

t_join_netns_by_path() {
	local name=husk-it-$$-$TESTNUM
	ip netns add "$name" || skip "ip netns add failed"
	echo "$name" >>"$T/.netns"
	mkbundle
	cfg "add_ns('network', '/run/netns/$name')"
	set_args /init ns
	local out ino
	out=$(run_out "$T/b" "$CID")
	ino=$(stat -L -c %i "/run/netns/$name")
	check_eq "$(ns_of net "$out")" "net:[$ino]" "joined network namespace"
}

t_join_ipc_uts_by_path() {
	bg unshare --ipc --uts sleep 100
	local holder=$BG_PID
	# re-evaluated on every try: the holder may not have unshared yet
	wait_for 5 sh -c "test \"\$(readlink /proc/$holder/ns/uts)\" != \"\$(readlink /proc/self/ns/uts)\""
	mkbundle
	cfg "add_ns('ipc', '/proc/$holder/ns/ipc'); add_ns('uts', '/proc/$holder/ns/uts')
c.pop('hostname', None)"
	set_args /init ns
	local out
	out=$(run_out "$T/b" "$CID")
	check_eq "$(ns_of ipc "$out")" "$(readlink "/proc/$holder/ns/ipc")" "joined ipc namespace"
	check_eq "$(ns_of uts "$out")" "$(readlink "/proc/$holder/ns/uts")" "joined uts namespace"
}

t_join_pid_ns_of_other_container() {
	mkbundle
	run_d "$CID"
	local pid1
	pid1=$(ctr_pid "$CID")
	mkbundle "$T/b2" "${CID}b"
	cfg "$T/b2" "add_ns('pid', '/proc/$pid1/ns/pid')"
	set_args "$T/b2" /init ns ';;' pid
	local out
	out=$(run_out "$T/b2" "${CID}b")
	check_eq "$(ns_of pid "$out")" "$(readlink "/proc/$pid1/ns/pid")" "joined pid namespace"
	check_nomatch "$(echo "$out" | tail -1)" '^1 ' "pid in a joined pid namespace is not 1"
}

# Joining another container's pid namespace is not a pid namespace of one's own: the init is
# not pid 1 there, so its other processes outlive it and delete must kill them (a CRI pod with
# a shared pid namespace; runc: Namespaces.IsPrivate(NEWPID)).
t_joined_pid_ns_leftovers_die_on_delete() {
	mkbundle
	run_d "$CID"
	local pid1 procs p
	pid1=$(ctr_pid "$CID")
	mkbundle "$T/b2" "${CID}b"
	cfg "$T/b2" "add_ns('pid', '/proc/$pid1/ns/pid')"
	set_args "$T/b2" /init fork-sleep 1 100
	run_d "${CID}b" "$T/b2"
	wait_output "$T/${CID}b.out" '^forked 1$'
	procs=$(cat "$(cg_dir pids "${CID}b")/cgroup.procs")
	check_eq "$(echo "$procs" | wc -l)" 2 "processes in the joining container's cgroup"
	kill -KILL "$(ctr_pid "${CID}b")"
	wait_status "${CID}b" stopped
	rt_ok delete "${CID}b"
	for p in $procs; do # dead; a zombie of the first container's init (which reaps nothing)
		wait_for 5 sh -c "! sed 's/.*) //' /proc/$p/stat | grep -qv '^Z'"
	done
	check_eq "$(status "${CID}b")" "" "the container is gone"
}

t_join_nonexistent_ns_path_fails() {
	mkbundle
	cfg "add_ns('network', '$T/no-such-netns')"
	snap
	rt_fail run --bundle "$T/b" "$CID"
	check_match "$(cat "$T/err")" "no-such-netns" "error names the namespace path"
	check_no_leftovers "$CID"
}

run_tests t_private_namespaces t_pid_namespace t_mount_namespace t_network_namespace \
	t_uts_and_ipc_namespaces t_domainname t_hostname_needs_uts_namespace t_user_namespace_maps \
	t_cgroup_namespace t_time_namespace_offsets t_unlisted_namespace_is_shared \
	t_join_netns_by_path t_join_ipc_uts_by_path t_join_pid_ns_of_other_container \
	t_joined_pid_ns_leftovers_die_on_delete t_join_nonexistent_ns_path_fails
