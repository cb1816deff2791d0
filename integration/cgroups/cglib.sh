# shellcheck shell=bash
# integration/cgroups/cglib.sh: shared code of the cgroup tests (t_cg_*.sh). They run on the host
# (cgroup v1 / hybrid here) and, unchanged, in the qemu guest on cgroup v2
# (integration/vm/t_vm_cgroup2.sh). Sources ../lib.sh (bundles, runtime wrappers, cleanup, TAP
# driver) and adds:
#   CG_MODE          v1, hybrid or v2 (the host's /sys/fs/cgroup)
#   cgd CTRL [ID]    the container's cgroup directory for a controller (v2: the one directory)
#   cgr CTRL FILE [ID]   a file of it, read (trailing newline dropped)
#   cg_has CTRL / need_ctrl CTRL   controller present (v1: mounted; v2: in cgroup.controllers)
#   check_cg_gone ID     no cgroup directory of container ID left in any hierarchy
#   blkdev               "MAJ:MIN" of a real disk (from /sys/block)
#   add_busybox [BUNDLE] copies busybox-static into the rootfs as /bin/busybox and /bin/sh
#   loop_new MiB         a loop device on a scratch file (detached after the test), loop_majmin
# Every script ends with t_no_leftovers (run_cg_tests adds it).

# shellcheck source=../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

# Faster versions of lib.sh helpers (same results): in the qemu guest every process costs tens of
# milliseconds (TCG) and python3 seconds, so the hot paths use sed and one find.
status() {
	local s
	s=$(rt state "$1" 2>/dev/null) || true
	[[ $s =~ \"status\":\ *\"([a-z]+)\" ]] && echo "${BASH_REMATCH[1]}"
	return 0
}
ctr_pid() {
	local s
	s=$(rt state "$1") || fail "state $1"
	[[ $s =~ \"pid\":\ *([0-9]+) ]] || fail "no pid in the state of $1: $s"
	echo "${BASH_REMATCH[1]}"
}
procs_under() {
	find /proc/[0-9]*/root /proc/[0-9]*/cwd /proc/[0-9]*/exe -maxdepth 0 -printf '%l %p\n' \
		2>/dev/null | awk -v d="$1" '$1 == d || index($1, d "/") == 1 {
			split($2, a, "/"); print a[3] }' | sort -un
}
# python3 without site packages (-S; config.py and py_json need only the standard library):
# starting it takes seconds in the guest otherwise. `python3 config.py default FILE CGPATH`
# (lib.sh's mkbundle) is served from a copy of the first default config.json when
# CG_CONFIG_TMPL names one (mkbundle below).
CG_CONFIG_TMPL=""
python3() {
	if [ -n "$CG_CONFIG_TMPL" ] && [ "${1##*/}" = config.py ] && [ "${2:-}" = default ]; then
		sed "s|@CGPATH@|$4|" "$CG_CONFIG_TMPL" >"$3"
		return
	fi
	command python3 -S -E "$@"
}

eval "lib_mkbundle() $(declare -f mkbundle | sed 1d)"
mkbundle() {
	local b=${1:-$T/b} id=${2:-$CID} rc=0
	if [ ! -s "$TB/.config.json" ]; then
		lib_mkbundle "$b" "$id" || return
		sed "s|\"/$CG_PARENT/$id\"|\"@CGPATH@\"|" "$b/config.json" >"$TB/.config.json"
		return
	fi
	CG_CONFIG_TMPL=$TB/.config.json
	lib_mkbundle "$b" "$id" || rc=$?
	CG_CONFIG_TMPL=""
	return $rc
}

# lib.sh's cleanup after each test, preceded by a leak check: once the runtime deleted the test's
# containers, no cgroup may remain below our parents ($TB/.leaks; t_no_leftovers reports them).
eval "lib_cleanup_test() $(declare -f cleanup_test | sed 1d)"
cleanup_test() {
	local id c sub p
	if [ -n "$ROOT" ] && [ -n "$TB" ]; then
		for id in $(ls -A "$ROOT" 2>/dev/null); do
			timeout 20 "$RUNTIME" --root "$ROOT" delete -f "$id" >/dev/null 2>&1 || true
		done
		for c in $(our_cgroups); do
			sub=$(find "$c" -mindepth 1 -type d 2>/dev/null)
			[ -z "$sub" ] || echo "after test $TESTNUM:" $sub >>"$TB/.leaks"
		done
		# containers without our parent (no or relative cgroupsPath) are named hk<pid>-N
		for c in $(find $CG_ROOT -maxdepth 7 -type d -name "hk$$-*" 2>/dev/null); do
			echo "after test $TESTNUM: $c" >>"$TB/.leaks"
			for p in $(find "$c" -name cgroup.procs -exec cat {} + 2>/dev/null); do
				kill -9 "$p" 2>/dev/null
			done
			sleep 0.2
			find "$c" -depth -type d -exec rmdir {} + 2>/dev/null
		done
	fi
	lib_cleanup_test
}

CG_ROOT=/sys/fs/cgroup
if [ -f $CG_ROOT/cgroup.controllers ]; then
	CG_MODE=v2
elif [ "$(stat -f -c %T $CG_ROOT/unified 2>/dev/null)" = cgroup2fs ]; then
	CG_MODE=hybrid
else
	CG_MODE=v1
fi

is_v2() { [ "$CG_MODE" = v2 ]; }

# CG_MNT[controller]: the v1 mount point of each mounted controller's hierarchy (from mountinfo,
# read once), and cg_mnt CTRL to ask it ("" if not mounted).
declare -A CG_MNT=()
while read -r c m; do
	[ -n "${CG_MNT[$c]:-}" ] || CG_MNT[$c]=$m
done < <(awk '{
	for (i = 7; i <= NF && $i != "-"; i++) ;
	if ($(i + 1) != "cgroup") next
	n = split($(i + 3), o, ",")
	for (k = 1; k <= n; k++) if (o[k] !~ /^(rw|ro)$/) print o[k], $5
}' /proc/self/mountinfo)
cg_mnt() {
	echo "${CG_MNT[$1]:-}"
}

cg_has() {
	if is_v2; then
		grep -qw -- "$1" $CG_ROOT/cgroup.controllers
	else
		[ -n "$(cg_mnt "$1")" ]
	fi
}

need_ctrl() {
	local c
	for c in "$@"; do
		cg_has "$c" || skip "no $c controller on this host ($CG_MODE)"
	done
}

# The cgroup path of container ID inside a hierarchy: $CG_REL/ID, CG_REL defaulting to
# /$CG_PARENT (the default bundle's cgroupsPath /$CG_PARENT/ID); a test may set CG_REL, even to "".
cg_relpath() {
	echo "${CG_REL-/$CG_PARENT}/$1"
}

cgd() { # cgd CTRL [ID]
	local id=${2:-$CID}
	if is_v2; then
		echo "$CG_ROOT${CG_REL-/$CG_PARENT}/$id"
	else
		echo "${CG_MNT[$1]:-}${CG_REL-/$CG_PARENT}/$id"
	fi
}

cgr() { # cgr CTRL FILE [ID]
	local f=${CG_MNT[$1]:-}
	is_v2 && f=$CG_ROOT
	f=$f${CG_REL-/$CG_PARENT}/${3:-$CID}/$2
	[ -e "$f" ] || fail "$f: missing"
	echo "$(<"$f")"
}

# check_cgr CTRL FILE WANT [ID]: the file's content (whitespace squeezed) is WANT.
check_cgr() {
	local got w
	got=$(cgr "$1" "$2" "${4:-$CID}")
	set -f
	w=($got) # squeezes spaces and newlines
	set +f
	check_eq "${w[*]}" "$3" "$(cgd "$1" "${4:-$CID}")/$2"
}

# cg_mounts: every cgroup / cgroup2 mount point under /sys/fs/cgroup (v1 hierarchies, name=systemd,
# the unified mount; v2: the root).
cg_mounts() {
	awk '{
		for (i = 7; i <= NF && $i != "-"; i++) ;
		if (($(i + 1) == "cgroup" || $(i + 1) == "cgroup2") && $5 ~ "^/sys/fs/cgroup") print $5
	}' /proc/self/mountinfo | sort -u
}

# cg_dirs_of ID: every existing cgroup directory of container ID, in all hierarchies.
cg_dirs_of() {
	local m d
	for m in $(cg_mounts); do
		d=$m$(cg_relpath "$1")
		[ -d "$d" ] && echo "$d"
	done
	return 0
}

check_cg_gone() { # check_cg_gone ID
	local left
	left=$(cg_dirs_of "$1")
	[ -z "$left" ] || fail "cgroup of $1 left behind: $left"
}

# delete_check ID: `delete -f` through the runtime, then no cgroup of ID may remain.
delete_check() {
	rt_ok delete -f "$1"
	check_cg_gone "$1"
}

# blkdev: MAJ:MIN of a whole disk that is not a loop, ram, zram or nbd device.
blkdev() {
	local d
	for d in /sys/block/*; do
		case ${d##*/} in loop* | ram* | zram* | nbd* | sr* | fd*) continue ;; esac
		[ -r "$d/dev" ] && { cat "$d/dev"; return 0; }
	done
	return 1
}

add_busybox() {
	local b=${1:-$T/b} bb
	bb=$(command -v busybox) || skip "busybox missing (busybox-static)"
	mkdir -p "$b/rootfs/bin"
	cp "$bb" "$b/rootfs/bin/busybox"
	ln -sf busybox "$b/rootfs/bin/sh"
}

# shares -> cpu.weight, as runc >= 1.3 and crun: 1024 -> 100, on a log scale
# (10^((l^2 + 125 l) / 612 - 7/34), l = log2(shares), rounded up; [2, 262144] -> [1, 10000]).
shares_to_weight() {
	python3 -c 'import math, sys
s = int(sys.argv[1])
l = math.log2(s) if 2 < s < 262144 else 0
print(1 if s <= 2 else 10000 if s >= 262144 else math.ceil(10 ** ((l * l + 125 * l) / 612 - 7 / 34)))' "$1"
}

# blkio weight -> io.weight (runc: 1 + ((weight - 10) * 9999) / 990)
blkio_to_io_weight() {
	echo $((1 + (($1 - 10) * 9999) / 990))
}

# events_stats ID CODE: runs `events --stats` and python CODE on it (d = the event).
events_stats() {
	local id=$1
	shift
	rt events --stats "$id" >"$T/stats.json" 2>"$T/stats.err" ||
		fail "events --stats $id: $(cat "$T/stats.err")"
	py_json "$@" <"$T/stats.json"
}

# loop_new MiB: a loop device on a scratch file of ours (detached after the test).
loop_new() {
	local f l
	f=$(mktemp "$T/disk.XXXXXX")
	truncate -s "${1}M" "$f"
	l=$(losetup -f --show "$f" 2>/dev/null) || return 1
	echo "$l" >>"$T/.loops"
	echo "$l"
}

loop_majmin() {
	cat "/sys/block/${1#/dev/}/dev"
}

# Detach our loop devices and turn iocost back off after each test.
eval "cg_cleanup_test() $(declare -f cleanup_test | sed 1d)"
cleanup_test() {
	cg_cleanup_test
	local l d
	if [ -n "$T" ] && [ -f "$T/.iocost" ]; then
		while read -r d; do echo "$d enable=0" >$CG_ROOT/io.cost.qos 2>/dev/null; done <"$T/.iocost"
		rm -f "$T/.iocost"
	fi
	if [ -n "$T" ] && [ -f "$T/.loops" ]; then
		while read -r l; do
			echo none >"/sys/block/${l#/dev/}/queue/scheduler" 2>/dev/null
			losetup -d "$l" 2>/dev/null
		done <"$T/.loops"
		rm -f "$T/.loops"
	fi
}

# The last test of every script: the runtime removed every cgroup it made for our containers
# (the parents $CG_PARENT and $CG_PARENT-* are removed here: runc leaves parents too), and
# nothing of this script is left under /sys/fs/cgroup.
t_no_leftovers() {
	local c left=""
	[ ! -s "$TB/.leaks" ] || fail "the runtime left container cgroups: $(cat "$TB/.leaks")"
	for c in $(our_cgroups); do
		left="$left $(find "$c" -mindepth 1 -type d 2>/dev/null)"
	done
	[ -z "${left// /}" ] || fail "container cgroups left behind:$left"
	for c in $(our_cgroups); do
		rmdir "$c" || fail "rmdir $c"
	done
	left=$(find $CG_ROOT -maxdepth 4 -name "$CG_PARENT*" 2>/dev/null)
	[ -z "$left" ] || fail "left under $CG_ROOT: $left"
}

run_cg_tests() {
	run_tests "$@" t_no_leftovers
}
