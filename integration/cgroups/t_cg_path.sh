#!/usr/bin/env bash
# cgroups, paths and namespaces: absolute, relative (under the runtime's own cgroup; on v2 its
# parent, the own one holding processes) and absent cgroupsPath; the "cgroup" mount in the
# container with and without a cgroup namespace (v2: cgroup2 rooted at the container's cgroup,
# or a bind of its directory; v1: one entry per hierarchy), read-only; and, on v2, husk itself
# running inside a cgroup namespace with its own cgroup2 mount (a nested container manager).
. "$(dirname "$0")/cglib.sh"

# own_base: where relative cgroupsPaths go, as runc: v2 the parent of our own cgroup, v1 our
# cgroup (the name=systemd line, else the first).
own_base() {
	local own
	if is_v2; then
		own=$(sed -n 's/^0:://p' /proc/self/cgroup)
		own=$(dirname "$own")
	else
		own=$(sed -n 's/^[0-9]*:name=systemd://p' /proc/self/cgroup)
		[ -n "$own" ] || own=$(head -1 /proc/self/cgroup | cut -d: -f3)
	fi
	[ "$own" = / ] && own=""
	echo "$own"
}

# check_member PID: PID is in its cgroup in every hierarchy (cgroup.procs) and /proc/PID/cgroup
# names the expected path.
check_member() {
	local pid=$1 want d
	want=$(cg_relpath "$CID")
	for d in $(cg_dirs_of "$CID"); do
		grep -qx "$pid" "$d/cgroup.procs" || fail "pid $pid not in $d/cgroup.procs"
	done
	[ -n "$(cg_dirs_of "$CID")" ] || fail "no cgroup directory for $want"
	if is_v2; then
		check_eq "$(cat "/proc/$pid/cgroup")" "0::$want" "/proc/$pid/cgroup"
	else
		check_match "$(cat "/proc/$pid/cgroup")" "^[0-9]+:memory:$want\$" "/proc/$pid/cgroup (memory)"
		check_match "$(cat "/proc/$pid/cgroup")" "^[0-9]+:pids:$want\$" "/proc/$pid/cgroup (pids)"
	fi
}

t_absolute() {
	mkbundle
	create_ctr "$CID"
	check_member "$(ctr_pid "$CID")"
	delete_check "$CID"
}

t_relative() {
	CG_REL="$(own_base)/$CG_PARENT-rel"
	mkbundle
	cfg "c['linux']['cgroupsPath'] = '$CG_PARENT-rel/$CID'"
	create_ctr "$CID"
	check_member "$(ctr_pid "$CID")"
	delete_check "$CID"
}

t_absent() {
	CG_REL=$(own_base)
	mkbundle
	cfg "del c['linux']['cgroupsPath']"
	create_ctr "$CID"
	check_member "$(ctr_pid "$CID")"
	delete_check "$CID"
}

t_bad_paths_refused() {
	local p
	for p in "/" "/$CG_PARENT/.." "-bad.slice:husk:$CID" "a-.slice:husk:$CID"; do
		mkbundle
		cfg "c['linux']['cgroupsPath'] = '$p'"
		set_args /init echo ran
		snap
		rt_fail run --bundle "$T/b" "$CID"
		check_match "$(cat "$T/err")" 'cgroup' "error for cgroupsPath $p"
		check_no_leftovers "$CID"
	done
}

# cgroup_mount_bundle NS: a bundle with the "cgroup" mount, in a cgroup namespace when NS=1; the
# container prints /proc/self/cgroup, ---, the mount's entries, ---, a write attempt.
cgroup_mount_bundle() {
	local wfile=pids.max
	is_v2 || wfile=pids/pids.max
	mkbundle
	cfg "add_mount('/sys/fs/cgroup', 'cgroup', 'cgroup', ['nosuid', 'noexec', 'nodev', 'relatime', 'ro'])
resources()['pids'] = {'limit': 10}"
	[ "$1" = 1 ] && cfg "add_ns('cgroup')"
	set_args /init cgroup ';;' echo --- ';;' ls /sys/fs/cgroup ';;' echo --- ';;' write "/sys/fs/cgroup/$wfile" 5
}

t_cgroupns_mount() {
	cgroup_mount_bundle 1
	run_ctr "$T/b" "$CID"
	[ "$RC" -eq 1 ] || fail "run exited $RC (the write must fail): $(cat "$T/out") $(cat "$T/err")"
	local cg ls
	cg=$(seg 1 <"$T/out")
	ls=$(seg 2 <"$T/out")
	if is_v2; then
		check_eq "$cg" "0::/" "/proc/self/cgroup in a cgroup namespace"
		check_match "$ls" '^cgroup\.procs$' "cgroup2 mount: cgroup.procs"
		check_match "$ls" '^pids\.max$' "cgroup2 mount: pids.max (the container's own cgroup)"
	else
		check_nomatch "$cg" ':/.+$' "/proc/self/cgroup in a cgroup namespace (every path /)"
		check_match "$ls" '^memory$' "v1 cgroup mount: memory"
		check_match "$ls" '^pids$' "v1 cgroup mount: pids"
	fi
	check_match "$(seg 3 <"$T/out")" '^ERR EROFS ' "write to the read-only cgroup mount"
	check_cg_gone "$CID"
}

t_cgroup_mount_without_ns() {
	cgroup_mount_bundle 0
	run_ctr "$T/b" "$CID"
	[ "$RC" -eq 1 ] || fail "run exited $RC (the write must fail): $(cat "$T/out") $(cat "$T/err")"
	local cg ls
	cg=$(seg 1 <"$T/out")
	ls=$(seg 2 <"$T/out")
	if is_v2; then
		check_eq "$cg" "0::/$CG_PARENT/$CID" "/proc/self/cgroup without a cgroup namespace"
		check_match "$ls" '^pids\.max$' "bind of the container's cgroup: pids.max"
	else
		check_match "$cg" "^[0-9]+:pids:/$CG_PARENT/$CID\$" "/proc/self/cgroup without a cgroup namespace"
		check_match "$ls" '^pids$' "v1 cgroup mount: pids"
	fi
	check_match "$(seg 3 <"$T/out")" '^ERR EROFS ' "write to the read-only cgroup mount"
	check_cg_gone "$CID"
}

# v2: husk inside a cgroup namespace whose root is $CG_PARENT-ns, with its own cgroup2 mount and
# itself in a leaf (/runner), as in a container running a container manager. Relative and
# absolute paths resolve inside the namespace; limits land in the real tree below it.
t_nested_cgroupns() {
	is_v2 || skip "cgroup v2 only (a v1 host has no single tree to delegate)"
	command -v unshare >/dev/null || skip "no unshare"
	need_ctrl memory pids
	local outer=$CG_ROOT/$CG_PARENT-ns
	mkdir -p "$outer"
	mkbundle
	cfg "c['linux']['cgroupsPath'] = 'ctr/$CID'
resources()['memory'] = {'limit': 32 << 20}
resources()['pids'] = {'limit': 12}"
	mkbundle "$T/b2" "${CID}b"
	cfg "$T/b2" "c['linux']['cgroupsPath'] = '/abs/${CID}b'
resources()['pids'] = {'limit': 13}"
	cat >"$T/inner.sh" <<'EOF'
set -eu
umount -l /sys/fs/cgroup
mount -t cgroup2 cgroup2 /sys/fs/cgroup
mkdir /sys/fs/cgroup/runner
echo $$ >/sys/fs/cgroup/runner/cgroup.procs
echo "own $(cat /proc/self/cgroup)"
rt() { "$RUNTIME" --root "$ROOT" "$@"; }
rt run -d --bundle "$T/b" "$CID" </dev/null >/dev/null 2>"$T/inner.err"
rt run -d --bundle "$T/b2" "${CID}b" </dev/null >/dev/null 2>>"$T/inner.err"
echo "state $(rt state "$CID" | tr -d '\n ')"
echo "memory.max $(cat /sys/fs/cgroup/ctr/$CID/memory.max)"
echo "pids.max $(cat /sys/fs/cgroup/ctr/$CID/pids.max)"
echo "abs pids.max $(cat /sys/fs/cgroup/abs/${CID}b/pids.max)"
echo "controllers $(cat /sys/fs/cgroup/cgroup.subtree_control)"
cat "/sys/fs/cgroup/ctr/$CID/cgroup.procs" >"$T/inner.procs"
cp "/sys/fs/cgroup/ctr/$CID/memory.max" "$T/inner.real" 2>/dev/null || true
touch "$T/inner.ready"
while [ ! -e "$T/inner.go" ]; do sleep 0.1; done
rt delete -f "$CID"
rt delete -f "${CID}b"
echo "gone $([ -d /sys/fs/cgroup/ctr/$CID ] && echo no || echo yes)"
EOF
	(
		echo "$BASHPID" >"$outer/cgroup.procs"
		exec env RUNTIME="$RUNTIME" ROOT="$ROOT" T="$T" CID="$CID" \
			unshare -C -m --propagation private bash "$T/inner.sh" >"$T/inner.out" 2>&1
	) &
	echo $! >>"$T/.pids"
	local inner=$!
	wait_for 60 sh -c "test -e '$T/inner.ready' || ! kill -0 $inner"
	[ -e "$T/inner.ready" ] || fail "inner script ended early: $(cat "$T/inner.out" "$T/inner.err" 2>/dev/null)"
	# From outside: the container's cgroup is below the namespace root.
	check_eq "$(cat "$outer/ctr/$CID/memory.max")" $((32 << 20)) "$outer/ctr/$CID/memory.max"
	check_eq "$(cat "$outer/ctr/$CID/cgroup.procs")" "$(cat "$T/inner.procs")" "processes seen inside and outside"
	check_eq "$(cat "$outer/abs/${CID}b/pids.max")" 13 "absolute path inside the namespace"
	touch "$T/inner.go"
	wait "$inner" || fail "inner script failed: $(cat "$T/inner.out")"
	cat "$T/inner.out" >&2
	check_match "$(cat "$T/inner.out")" '^own 0::/runner$' "the runtime's own cgroup inside the namespace"
	check_match "$(cat "$T/inner.out")" "^memory.max $((32 << 20))\$" "memory.max seen inside"
	check_match "$(cat "$T/inner.out")" '^pids.max 12$' "pids.max seen inside"
	check_match "$(cat "$T/inner.out")" '^gone yes$' "delete inside the namespace"
	check_nofile "$outer/ctr/$CID" "cgroup after delete"
	check_nofile "$outer/abs/${CID}b" "cgroup after delete"
	rmdir "$outer/runner" "$outer/ctr" "$outer/abs"
}

run_cg_tests t_absolute t_relative t_absent t_bad_paths_refused t_cgroupns_mount \
	t_cgroup_mount_without_ns t_nested_cgroupns
