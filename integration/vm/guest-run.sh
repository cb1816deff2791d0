#!/bin/bash
# guest-run.sh: pid 1 of the qemu guest after switch_root (the host's Debian userspace over a
# tmpfs overlay, the guest's own kernel). Mounts a cgroup v2 host (cgroup2 at /sys/fs/cgroup,
# every controller enabled at the root, this runner in /husk-vm/runner as systemd would put a
# session in a leaf), copies the scripts and binaries to a tmpfs, runs the cgroups unit tests that
# touch the real hierarchy (test_cg_host, test_cg_v1), then integration/cgroups/t_cg_*.sh in two
# lanes, then a check that nothing was left under /sys/fs/cgroup, and writes each one's TAP to
# the 9p share "out":
#   out/index          one name per line, written when that test program starts
#   out/<name>.tap     its TAP output (stdout and stderr)
#   out/<name>.rc      its exit status
#   out/done           written last, when everything ran (absent = the guest died or hung)
# then powers off. Environment (kernel command line): HUSK_REPO (repo root), HUSK_BUILD (build
# dir), HUSK_TESTS (optional: space- or comma-separated names to run, e.g. t_cg_cpu.sh). The
# tests see HUSK_VM=1: they may change what only a throwaway machine should (the huge page pool,
# io.cost on a loop device).
set -u
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LC_ALL=C
out=/run/husk-vm-out

log() { echo "guest-run: $*" >/dev/console; }

halt() {
	sync
	busybox poweroff -f 2>/dev/null
	echo o >/proc/sysrq-trigger
	sleep 10
}

die() {
	log "$*"
	[ -d "$out" ] && echo "$*" >"$out/fatal"
	halt
}

setup_mounts() {
	mount -t tmpfs -o mode=0755,nosuid,nodev run /run || die "mount /run"
	ln -sfn /proc/self/fd /dev/fd
	ln -sfn /proc/self/fd/0 /dev/stdin
	ln -sfn /proc/self/fd/1 /dev/stdout
	ln -sfn /proc/self/fd/2 /dev/stderr
	mkdir -p "$out" /dev/pts /dev/shm /dev/mqueue
	mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 out "$out" || die "mount out"
	# the checkout may live under /tmp (CI clones anywhere): keep the host's /tmp reachable
	mkdir -p /run/host-tmp
	mount --bind /tmp /run/host-tmp || die "bind the host's /tmp"
	mount -t tmpfs -o mode=1777,nosuid,nodev tmp /tmp || die "mount /tmp"
	mount -t devpts -o newinstance,ptmxmode=0666,mode=0620,gid=5 devpts /dev/pts ||
		die "mount devpts"
	mount -t tmpfs -o mode=1777,nosuid,nodev shm /dev/shm || die "mount /dev/shm"
	mount -t mqueue mqueue /dev/mqueue || true
	mount -t cgroup2 -o nsdelegate cgroup2 /sys/fs/cgroup || die "mount cgroup2"
	mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null || true
	mount -t bpf bpf /sys/fs/bpf 2>/dev/null || true
	ip link set lo up 2>/dev/null || true
	hostname husk-vm
}

# Every controller the kernel has, enabled at the root; the runner moves to a leaf.
setup_cgroups() {
	local c all=""
	for c in $(cat /sys/fs/cgroup/cgroup.controllers); do all="$all +$c"; done
	echo "$all" >/sys/fs/cgroup/cgroup.subtree_control || die "enable controllers:$all"
	mkdir -p /sys/fs/cgroup/husk-vm/runner
	echo "$all" >/sys/fs/cgroup/husk-vm/cgroup.subtree_control ||
		die "enable controllers in /husk-vm"
	echo $$ >/sys/fs/cgroup/husk-vm/runner/cgroup.procs || die "move the runner"
	log "cgroup2 controllers:$all; subtree_control: $(cat /sys/fs/cgroup/cgroup.subtree_control)"
}

# The cgroup directories that exist now (the leftovers check compares against it).
cg_tree() {
	find /sys/fs/cgroup -mindepth 1 -type d | sort
}

wanted() { # wanted NAME: whether HUSK_TESTS selects NAME (all when empty)
	local t
	[ -z "${HUSK_TESTS:-}" ] && return 0
	for t in ${HUSK_TESTS//,/ }; do
		[ "$t" = "$1" ] && return 0
	done
	return 1
}

run_prog() { # run_prog NAME TIMEOUT CMD...
	local name=$1 to=$2 rc=0 start
	shift 2
	wanted "$name" || return 0
	echo "$name" >>"$out/index"
	start=$(date +%s)
	log "running $name"
	timeout -k 5 "$to" "$@" >"$out/$name.tap" 2>&1 </dev/null || rc=$?
	echo "$rc" >"$out/$name.rc"
	log "$name: exit $rc, $(($(date +%s) - start)) s, $(grep -c '^ok' "$out/$name.tap") ok," \
		"$(grep -c '^not ok' "$out/$name.tap") not ok"
}

# A TAP stream of one test: nothing under /sys/fs/cgroup but what was there before the tests.
leftovers_check() {
	local extra
	cg_tree >/tmp/.cg_after || { echo "1..1"; echo "not ok 1 - list /sys/fs/cgroup"; return; }
	extra=$(comm -13 "$out/.cg_before" /tmp/.cg_after)
	echo "1..1"
	if [ -z "$extra" ]; then
		echo "ok 1 - nothing left under /sys/fs/cgroup after the tests"
	else
		echo "not ok 1 - cgroups left under /sys/fs/cgroup after the tests"
		printf '#   %s\n' $extra
	fi
}

# A copy of what the tests run (scripts, husk, the helpers, the unit tests) in the guest's tmpfs:
# the host may rebuild build/ meanwhile, and 9p with cache=loose would then lose the files.
snapshot() {
	local src=$HUSK_REPO b=${HUSK_BUILD:-$HUSK_REPO/build} f
	case $b in /*) ;; *) b=$src/$b ;; esac
	case $src in /tmp/*) src=/run/host-tmp/${src#/tmp/} ;; esac
	case $b in /tmp/*) b=/run/host-tmp/${b#/tmp/} ;; esac
	REPO=/run/husk-repo
	mkdir -p "$REPO/build/integration" "$REPO/build/tests" "$REPO/tests"
	cp -a "$src/integration" "$REPO/" || die "copy $src/integration"
	for f in husk integration/init tests/test_cg_host tests/test_cg_v1; do
		cp -a "$b/$f" "$REPO/build/$f" || die "copy $b/$f"
	done
}

# The t_cg_*.sh scripts in two lanes (the guest has two cpus; each script is mostly one busy
# process at a time), longest first; each lane runs its share one after the other.
run_lanes() {
	local order=(t_cg_memory.sh t_cg_misc.sh t_cg_devices.sh t_cg_lifecycle.sh t_cg_io.sh
		t_cg_path.sh t_cg_cpu.sh) all=() t i
	for t in "${order[@]}"; do [ -x "integration/cgroups/$t" ] && all+=("$t"); done
	for t in integration/cgroups/t_cg_*.sh; do
		t=${t##*/}
		[[ " ${all[*]} " == *" $t "* ]] || { [ -x "integration/cgroups/$t" ] && all+=("$t"); }
	done
	for lane in 0 1; do
		(
			for ((i = lane; i < ${#all[@]}; i += 2)); do
				run_prog "${all[i]}" 300 "integration/cgroups/${all[i]}"
			done
		) &
	done
	wait
}

main() {
	local t
	setup_mounts
	: >"$out/index"
	setup_cgroups
	cg_tree >"$out/.cg_before"
	snapshot
	log "kernel $(uname -r), $(nproc) cpus, $(awk '/MemTotal/ {print $2 " kB"}' /proc/meminfo)"
	export BUILD=$REPO/build CMOCKA_MESSAGE_OUTPUT=TAP HUSK_VM=1
	cd "$REPO" || die "cd $REPO"
	# The unit tests that use the real hierarchy (the others run on fake trees, as on the host).
	for t in test_cg_host test_cg_v1; do
		run_prog "$t" 120 "$BUILD/tests/$t"
	done
	run_lanes
	run_prog leftovers 30 bash "$REPO/integration/vm/guest-run.sh" leftovers-check "$out"
	echo ok >"$out/done"
	log "done"
	halt
}

if [ "${1:-}" = leftovers-check ]; then
	out=$2
	leftovers_check
	exit 0
fi
main
