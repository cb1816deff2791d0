#!/usr/bin/env bash
# cgroups: pids (limit, update, enforced), hugepageLimits (limit read back; enforced where the
# kernel has huge pages to hand out), network classID/priorities (v1 net_cls/net_prio; ignored on
# v2 as runc does), rdma (a device's limits, or the error for a device the kernel lacks),
# unified (v2 files written last, bad keys refused; a clear error on v1), each through husk and
# read back from the cgroup files. Controllers this host lacks give a clear error naming them.
. "$(dirname "$0")/cglib.sh"

# ---------------------------------------------------------------- pids

t_pids_limit() {
	need_ctrl pids
	mkbundle
	cfg 'resources()["pids"] = {"limit": 16}'
	run_d "$CID"
	check_cgr pids pids.max 16
	rt_ok update --pids-limit 32 "$CID"
	check_cgr pids pids.max 32
	echo '{"pids": {"limit": -1}}' | rt update -r - "$CID" >/dev/null 2>"$T/err" ||
		fail "update -r - (pids -1): $(cat "$T/err")"
	check_cgr pids pids.max max
	rt_ok update --pids-limit 20 "$CID"
	check_cgr pids pids.max 20
	check_ge "$(cgr pids pids.current)" 1 pids.current
	delete_check "$CID"
}

check_ge() { [ "$1" -ge "$2" ] || fail "$3: $1 < $2"; }

t_pids_enforced() {
	need_ctrl pids
	mkbundle
	cfg 'resources()["pids"] = {"limit": 4}'
	set_args /init fork-sleep 8 0.5
	run_ctr "$T/b" "$CID"
	check_match "$(cat "$T/out")" '^ERR EAGAIN fork$' "fork beyond pids.max"
	check_cg_gone "$CID"
}

# ---------------------------------------------------------------- hugetlb

# The smallest huge page size, as the kernel names it in hugetlb files ("2MB").
hp_size() {
	local kb
	kb=$(ls /sys/kernel/mm/hugepages 2>/dev/null | sed -n 's/^hugepages-\([0-9]*\)kB$/\1/p' | sort -n | head -1)
	[ -n "$kb" ] || return 1
	if [ "$kb" -ge 1048576 ]; then echo "$((kb / 1048576))GB"; else echo "$((kb / 1024))MB"; fi
}

t_hugetlb_limit() {
	local hp
	hp=$(hp_size) || skip "the kernel has no huge pages"
	mkbundle
	cfg "resources()['hugepageLimits'] = [{'pageSize': '$hp', 'limit': 4 << 20}]"
	if ! cg_has hugetlb; then
		# hybrid hosts often leave hugetlb to the unified hierarchy: no v1 hierarchy to use
		snap
		rt_fail run --bundle "$T/b" "$CID"
		check_match "$(cat "$T/err")" "hugetlb" "error names the hugetlb controller"
		check_no_leftovers "$CID"
		return 0
	fi
	create_ctr "$CID"
	if is_v2; then
		check_cgr hugetlb "hugetlb.$hp.max" $((4 << 20))
		[ ! -e "$(cgd hugetlb)/hugetlb.$hp.rsvd.max" ] || check_cgr hugetlb "hugetlb.$hp.rsvd.max" $((4 << 20))
	else
		check_cgr hugetlb "hugetlb.$hp.limit_in_bytes" $((4 << 20))
	fi
	delete_check "$CID"
}

t_hugetlb_bad_pagesize() {
	mkbundle
	cfg "resources()['hugepageLimits'] = [{'pageSize': '3MB', 'limit': 4 << 20}]"
	snap
	rt_fail run --bundle "$T/b" "$CID"
	check_match "$(cat "$T/err")" "3MB" "error names the page size"
	check_no_leftovers "$CID"
}

# With huge pages in the pool, a container limited to one page gets one and no more (the charge
# fails with ENOSPC), and `events --stats` shows the usage. Only where the pool may be changed
# (the qemu guest) or already has pages.
t_hugetlb_enforced() {
	local hp nr f
	need_ctrl hugetlb
	hp=$(hp_size) || skip "the kernel has no huge pages"
	[ "$hp" = 2MB ] || skip "huge page size $hp"
	f=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
	nr=$(cat $f)
	if [ "$nr" -lt 2 ]; then
		[ "${HUSK_VM:-0}" = 1 ] || skip "no 2MB huge pages in the pool (vm.nr_hugepages)"
		echo 4 >$f
		[ "$(cat $f)" -ge 2 ] || skip "the kernel gave no huge pages"
	fi
	mkbundle
	add_busybox
	cfg "resources()['hugepageLimits'] = [{'pageSize': '2MB', 'limit': 2 << 20}]
add_mount('/hp', 'hugetlbfs', 'hugetlbfs', ['pagesize=2M'])"
	set_args /bin/sh -c 'busybox fallocate -l 2097152 /hp/a && echo one &&
		{ busybox fallocate -l 2097152 /hp/b 2>&1 || echo refused; } && exec /init pause'
	run_d "$CID"
	wait_output "$T/$CID.out" '^(refused|one)' 30
	wait_output "$T/$CID.out" '^refused$' 10
	events_stats "$CID" "
h = d['data']['hugetlb']['2MB']
assert h.get('usage') == 2 << 20, h
print('hugetlb', h)"
	delete_check "$CID"
	[ "$nr" -lt 2 ] && echo "$nr" >$f
	return 0
}

# ---------------------------------------------------------------- network

t_network() {
	mkbundle
	cfg "resources()['network'] = {'classID': 1048577, 'priorities': [{'name': 'lo', 'priority': 5}]}"
	set_args /init echo ran
	if is_v2; then
		# no v2 controller: ignored, as runc does
		run_out "$T/b" "$CID" >/dev/null
		check_eq "$(cat "$T/out")" ran "output"
		check_cg_gone "$CID"
		return 0
	fi
	if ! cg_has net_cls || ! cg_has net_prio; then
		snap
		rt_fail run --bundle "$T/b" "$CID"
		check_match "$(cat "$T/err")" "net_cls|net_prio" "error names the missing controller"
		check_no_leftovers "$CID"
		return 0
	fi
	create_ctr "$CID"
	check_cgr net_cls net_cls.classid 1048577
	check_match "$(cgr net_prio net_prio.ifpriomap)" '^lo 5$' "net_prio.ifpriomap"
	delete_check "$CID"
}

# ---------------------------------------------------------------- rdma

t_rdma() {
	local dev
	dev=$(ls /sys/class/infiniband 2>/dev/null | head -1)
	mkbundle
	cfg "resources()['rdma'] = {'${dev:-hk_nodev0}': {'hcaHandles': 3, 'hcaObjects': 100}}"
	if [ -n "$dev" ] && cg_has rdma; then
		create_ctr "$CID"
		check_match "$(cgr rdma rdma.max)" "^$dev hca_handle=3 hca_object=100\$" rdma.max
		delete_check "$CID"
		return 0
	fi
	# No such device (or no rdma controller): the error names the file or the controller.
	snap
	rt_fail run --bundle "$T/b" "$CID"
	check_match "$(cat "$T/err")" "rdma" "error names rdma"
	check_no_leftovers "$CID"
}

# ---------------------------------------------------------------- unified

t_unified() {
	mkbundle
	cfg "resources()['unified'] = {'memory.high': str(64 << 20), 'pids.max': '7', 'cpu.weight': '42'}
resources()['cpu'] = {'shares': 1024}"
	if ! is_v2; then
		snap
		rt_fail run --bundle "$T/b" "$CID"
		check_match "$(cat "$T/err")" 'unified' "error names linux.resources.unified"
		check_match "$(cat "$T/err")" 'v2' "error says it needs cgroup v2"
		check_no_leftovers "$CID"
		return 0
	fi
	need_ctrl memory pids cpu
	create_ctr "$CID"
	check_cgr memory memory.high $((64 << 20))
	check_cgr pids pids.max 7
	check_cgr cpu cpu.weight 42 # unified wins over shares (1024 -> 100)
	echo '{"unified": {"memory.high": "max", "pids.max": "9"}}' >"$T/res.json"
	rt_ok update -r "$T/res.json" "$CID"
	check_cgr memory memory.high max
	check_cgr pids pids.max 9
	delete_check "$CID"
}

t_unified_bad_keys() {
	is_v2 || skip "unified is refused as a whole on v1 (t_unified)"
	local key
	for key in cgroup.procs ../memory.max memory.nosuchfile nodot; do
		mkbundle
		cfg "resources()['unified'] = {'$key': '1'}"
		snap
		rt_fail run --bundle "$T/b" "$CID"
		check_match "$(cat "$T/err")" "${key//./\\.}" "error names the key $key"
		check_no_leftovers "$CID"
	done
}

run_cg_tests t_pids_limit t_pids_enforced t_hugetlb_limit t_hugetlb_bad_pagesize \
	t_hugetlb_enforced t_network t_rdma t_unified t_unified_bad_keys
