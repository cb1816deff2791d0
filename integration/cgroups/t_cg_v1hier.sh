#!/usr/bin/env bash
# cgroups v1: the controllers a v1/hybrid host may leave without a hierarchy (net_cls, net_prio,
# hugetlb, perf_event: this host keeps them off v1). The script re-runs itself in a private mount
# namespace where /sys/fs/cgroup is a new tmpfs holding the host's hierarchies (bind mounts) plus
# fresh ones for those controllers (net_cls and net_prio co-mounted, with the usual symlinks), so
# nothing changes for the rest of the machine; then husk sets network classID/priorities and
# hugepageLimits and they are read back, the container's "cgroup" mount shows the co-mounted
# hierarchy, and everything is removed. When the namespace ends, unused hierarchies go away and
# their controllers return to where they were.
set -u
if [ "${HUSK_CG_PRIVNS:-0}" != 1 ]; then
	if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
		echo "1..1"
		echo "ok 1 - v1 hierarchies # SKIP cgroup v2 host (no v1 hierarchies)"
		exit 0
	fi
	if [ "$(id -u)" != 0 ] || ! command -v unshare >/dev/null; then
		echo "1..1"
		echo "ok 1 - v1 hierarchies # SKIP needs root and unshare"
		exit 0
	fi
	exec unshare -m --propagation private env HUSK_CG_PRIVNS=1 "$0" "$@"
fi

# --- inside the private mount namespace: rebuild /sys/fs/cgroup
V1_NEW=""
setup_hierarchies() {
	local old d c
	old=$(mktemp -d /tmp/husk-cgold.XXXXXX)
	mount --rbind /sys/fs/cgroup "$old" || return 1
	mount -t tmpfs -o mode=755 cgroup-root /sys/fs/cgroup || return 1
	for d in "$old"/*; do
		c=${d##*/}
		if [ -L "$d" ]; then
			cp -P "$d" "/sys/fs/cgroup/$c"
		elif [ -d "$d" ] && mountpoint -q "$d"; then
			mkdir "/sys/fs/cgroup/$c"
			mount --bind "$d" "/sys/fs/cgroup/$c" || return 1
		fi
	done
	umount -l "$old" && rmdir "$old"
	# A controller can move to a new v1 hierarchy when nothing uses it elsewhere.
	if [ ! -e /sys/fs/cgroup/net_cls ] && [ ! -e /sys/fs/cgroup/net_prio ]; then
		mkdir /sys/fs/cgroup/net_cls,net_prio
		if mount -t cgroup -o net_cls,net_prio cgroup /sys/fs/cgroup/net_cls,net_prio 2>/dev/null; then
			ln -s net_cls,net_prio /sys/fs/cgroup/net_cls
			ln -s net_cls,net_prio /sys/fs/cgroup/net_prio
			V1_NEW="$V1_NEW net_cls,net_prio"
		else
			rmdir /sys/fs/cgroup/net_cls,net_prio
		fi
	fi
	for c in hugetlb perf_event; do
		[ -e "/sys/fs/cgroup/$c" ] && continue
		mkdir "/sys/fs/cgroup/$c"
		if mount -t cgroup -o "$c" cgroup "/sys/fs/cgroup/$c" 2>/dev/null; then
			V1_NEW="$V1_NEW $c"
		else
			rmdir "/sys/fs/cgroup/$c"
		fi
	done
}
if ! setup_hierarchies; then
	echo "1..1"
	echo "not ok 1 - v1 hierarchies: could not set up /sys/fs/cgroup in a private mount namespace"
	exit 1
fi

. "$(dirname "$0")/cglib.sh"

# The hierarchies made here are unmounted explicitly once their last child cgroup is freed (freeing
# is asynchronous): a hierarchy whose mount goes away while it still has a child stays in the
# kernel, holding its controllers (hugetlb would stay away from the host's unified hierarchy).
release_hierarchies() {
	local m first i n
	for m in $V1_NEW; do
		first=${m%%,*}
		for ((i = 0; i < 100; i++)); do
			n=$(awk -v c="$first" '$1 == c {print $3}' /proc/cgroups)
			[ "$n" = 1 ] && break
			sleep 0.1
		done
		umount "/sys/fs/cgroup/$m" || echo "# warning: umount /sys/fs/cgroup/$m failed" >&2
	done
	# Past the plan, but counted: a controller still held by a hierarchy of ours is a failure.
	for m in $V1_NEW; do
		first=${m%%,*}
		for ((i = 0; i < 50; i++)); do
			[ "$(awk -v c="$first" '$1 == c {print $2}' /proc/cgroups)" = 0 ] && continue 2
			sleep 0.1
		done
		echo "not ok $((TESTNUM + 1)) - the $m hierarchy made here was not released (see /proc/cgroups)"
	done
}
eval "lib_cleanup_all() $(declare -f cleanup_all | sed 1d)"
cleanup_all() {
	lib_cleanup_all
	release_hierarchies
}

t_hierarchies_mounted() {
	echo "mounted here:$V1_NEW" >&2
	[ -n "$V1_NEW" ] || skip "no controller could be given a v1 hierarchy (all in use elsewhere)"
	check_match "$(cat /proc/self/mountinfo)" ' /sys/fs/cgroup/memory .* - cgroup ' "the host's memory hierarchy"
}

t_network() {
	need_ctrl net_cls net_prio
	mkbundle
	cfg "resources()['network'] = {'classID': 1048577, 'priorities': [{'name': 'lo', 'priority': 5}]}"
	create_ctr "$CID"
	check_cgr net_cls net_cls.classid 1048577
	check_match "$(cgr net_prio net_prio.ifpriomap)" '^lo 5$' "net_prio.ifpriomap"
	delete_check "$CID"
}

t_hugetlb() {
	need_ctrl hugetlb
	local hp
	hp=$(ls /sys/kernel/mm/hugepages 2>/dev/null | sed -n 's/^hugepages-\([0-9]*\)kB$/\1/p' | sort -n | head -1)
	[ -n "$hp" ] || skip "the kernel has no huge pages"
	hp=$((hp / 1024))MB
	mkbundle
	cfg "resources()['hugepageLimits'] = [{'pageSize': '$hp', 'limit': 8 << 20}]"
	run_d "$CID"
	check_cgr hugetlb "hugetlb.$hp.limit_in_bytes" $((8 << 20))
	[ ! -e "$(cgd hugetlb)/hugetlb.$hp.rsvd.limit_in_bytes" ] ||
		check_cgr hugetlb "hugetlb.$hp.rsvd.limit_in_bytes" $((8 << 20))
	events_stats "$CID" "
h = d['data']['hugetlb'][sys.argv[1]]
assert h.get('failcnt', 0) == 0 and h.get('usage', 0) == 0, h
print(h)" "$hp"
	# a size the kernel lacks is refused, naming those it has
	mkbundle "$T/b2" "${CID}b"
	cfg "$T/b2" "resources()['hugepageLimits'] = [{'pageSize': '64KB', 'limit': 1 << 20}]"
	snap
	rt_fail run --bundle "$T/b2" "${CID}b"
	check_match "$(cat "$T/err")" "no 64KB huge pages \\(it has .*$hp" "error names the sizes"
	check_no_leftovers "${CID}b" "$T/b2"
	delete_check "$CID"
}

# The container's "cgroup" mount shows the co-mounted hierarchy and its symlinks.
t_cgroup_mount_comounted() {
	need_ctrl net_cls
	mkbundle
	cfg "add_mount('/sys/fs/cgroup', 'cgroup', 'cgroup', ['nosuid', 'noexec', 'nodev', 'ro'])"
	set_args /init ls /sys/fs/cgroup ';;' echo --- ';;' readlink /sys/fs/cgroup/net_cls ';;' \
		echo --- ';;' read /sys/fs/cgroup/net_cls/net_cls.classid
	run_out "$T/b" "$CID" >/dev/null
	check_match "$(seg 1 <"$T/out")" '^net_cls,net_prio$' "the co-mounted hierarchy"
	check_eq "$(seg 2 <"$T/out")" "net_cls,net_prio" "net_cls symlink"
	check_eq "$(seg 3 <"$T/out")" "0" "net_cls.classid through the symlink"
	check_cg_gone "$CID"
}

run_cg_tests t_hierarchies_mounted t_network t_hugetlb t_cgroup_mount_comounted
