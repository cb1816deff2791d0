#!/usr/bin/env bash
# Benchmark: a /bin/true container N times with husk, crun and runc in one run, interleaved.
# Prints per-container wall and CPU times (mean, median, p90, min), a create/start/delete
# breakdown, and the husk/crun and husk/runc ratios. Not a test: `make bench`.
#
# Usage: integration/bench/bench_cli.sh [BUILD]     (BUILD default build)
# Env: BENCH_N (100 `run`s per runtime), BENCH_PHASES (50 create/start/delete per runtime),
#      BENCH_SPARSE (20 `run`s per runtime, each after 200 ms idle: a lone container start pays
#      for things back-to-back runs share, e.g. the RCU grace period of the first cgroup.procs
#      write on cgroup v1),
#      HUSK, CRUN, RUNC (binaries; a missing one is left out),
#      BENCH_HUSK_NS=0 leaves out the extra "husk-crunns" column (husk in crun's namespace).
#
# One bundle per runtime, identical but for cgroupsPath (/husk-bench-PID/NAME): a read-only
# rootfs holding Debian's static busybox as /bin/true, `husk spec`'s default config with
# terminal false, args ["/bin/true"] and ociVersion 1.0.2 (Debian's crun 1.8.1 refuses 1.2.0).
# crun refuses this hybrid cgroup host, so it runs in a private mount namespace where
# /sys/fs/cgroup/unified is unmounted (entered with setns around each crun call, not timed);
# "husk-crunns" is husk in that same namespace, for a like-for-like comparison with crun.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-${BUILD:-build}}
case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD ;; esac
HUSK=${HUSK:-$BUILD/husk}
CRUN=${CRUN:-$(command -v crun || true)}
RUNC=${RUNC:-$(command -v runc || true)}
N=${BENCH_N:-100}
PHASES=${BENCH_PHASES:-50}
SPARSE=${BENCH_SPARSE:-20}

die() {
	echo "bench_cli: $*" >&2
	exit 1
}
[ "$(id -u)" = 0 ] || die "needs root"
[ -x "$HUSK" ] || die "$HUSK not built (make)"
bb=$(command -v busybox) || die "busybox missing (apt-get install busybox-static)"
file -L "$bb" | grep -q 'statically linked' || die "$bb is not static (busybox-static)"

W=$(mktemp -d /tmp/husk-bench.XXXXXX)
CG=husk-bench-$$
HOLDER=
STATE_MNT=
cleanup() {
	local d
	if [ -n "$STATE_MNT" ]; then
		umount "$W/run" 2>/dev/null || umount -l "$W/run" 2>/dev/null || true
	fi
	if [ -n "$HOLDER" ]; then
		kill "$HOLDER" 2>/dev/null || true
		wait "$HOLDER" 2>/dev/null || true
	fi
	for d in /sys/fs/cgroup/*/"$CG"; do
		[ -d "$d" ] || continue
		find "$d" -mindepth 1 -depth -type d -exec rmdir {} + 2>/dev/null || true
		rmdir "$d" 2>/dev/null || echo "bench_cli: could not remove $d" >&2
	done
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# State roots on a tmpfs, as /run is on a normal host (here /run is on the ext4 root, where
# creating the exec FIFO and removing files cost far more). Mounted before crun's namespace is
# made, so both namespaces see it.
mkdir -p "$W/run"
mount -t tmpfs -o mode=0700,size=64m husk-bench "$W/run"
STATE_MNT=1
mkdir -p "$W/rootfs/bin" "$W/rootfs"/{proc,dev,sys,tmp}
cp "$bb" "$W/rootfs/bin/true"
(cd "$W" && "$HUSK" spec)

# bundle NAME: $W/NAME/config.json; the shared rootfs by absolute path.
bundle() {
	mkdir -p "$W/$1" "$W/run/$1"
	python3 - "$W/config.json" "$W/$1/config.json" "$W/rootfs" "/$CG/$1" <<'EOF'
import json, sys
src, dst, rootfs, cg = sys.argv[1:]
c = json.load(open(src))
c["ociVersion"] = "1.0.2"
c["process"]["terminal"] = False
c["process"]["args"] = ["/bin/true"]
c["root"] = {"path": rootfs, "readonly": True}
c["linux"]["cgroupsPath"] = cg
json.dump(c, open(dst, "w"), indent=1)
EOF
	echo "$1=$2:$W/$1:$W/run/$1${3:+:$3}"
}

specs=("$(bundle husk "$HUSK")")
if [ -n "$CRUN" ]; then
	# The namespace holder: unshare execs sh, which execs sleep: one pid, ours to kill.
	unshare -m --propagation private sh -c \
		'umount /sys/fs/cgroup/unified 2>/dev/null; echo ready; exec sleep 1000000' \
		>"$W/holder.out" &
	HOLDER=$!
	for _ in $(seq 1 100); do
		grep -q ready "$W/holder.out" 2>/dev/null && break
		sleep 0.05
	done
	grep -q ready "$W/holder.out" || die "mount namespace for crun not ready"
	ns=/proc/$HOLDER/ns/mnt
	specs+=("$(bundle crun "$CRUN" "$ns")")
	[ "${BENCH_HUSK_NS:-1}" = 0 ] || specs+=("$(bundle husk-crunns "$HUSK" "$ns")")
else
	echo "bench_cli: crun not installed: left out" >&2
fi
if [ -n "$RUNC" ]; then
	specs+=("$(bundle runc "$RUNC")")
else
	echo "bench_cli: runc not installed: left out" >&2
fi

echo "host: $(uname -r), $(nproc) cpus; husk $("$HUSK" --version 2>/dev/null | head -1)" \
	"$([ -n "$CRUN" ] && "$CRUN" --version | head -1)," \
	"$([ -n "$RUNC" ] && "$RUNC" --version | head -1)"
python3 integration/bench/bench_cli.py --n "$N" --phases "$PHASES" --sparse "$SPARSE" \
	--ratios husk/crun,husk/runc,husk-crunns/crun "${specs[@]}"
