# Shared helpers for the containerd integration tests (sourced). A private containerd: its own
# root, state, sockets and config under a temp dir; our shim found through PATH (BUILD first).
# Only /run/containerd/s (the shim socket dir, fixed by containerd), ctr's FIFO dir and the
# runtimes' state dirs under /run/containerd are shared with the host; cleanup removes what the
# test made there.

: "${BUILD:=build}"
HUSK_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
case "$BUILD" in /*) ;; *) BUILD=$HUSK_TOP/$BUILD ;; esac
export BUILD
HUSK_RT=io.containerd.husk.v2
RUNC_RT=io.containerd.runc.v2
IMG=docker.io/library/busybox:husk
NS=husktest-$$

tap_n=0
tap_fail=0
ok() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $*"; }
skip() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $1 # SKIP $2"; }
not_ok() { tap_n=$((tap_n + 1)); tap_fail=$((tap_fail + 1)); echo "not ok $tap_n - $*"; }
# check DESC CMD...: ok if CMD succeeds.
check() {
	local d=$1
	shift
	if "$@"; then ok "$d"; else not_ok "$d"; fi
}
# is DESC GOT WANT
is() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1"
		echo "#   got:  $(printf %q "$2")"
		echo "#   want: $(printf %q "$3")"
	fi
}
diag() { echo "# $*"; }
skip_all() {
	echo "1..0 # SKIP $*"
	exit 0
}

# Probes what a private containerd needs; skips the whole script when it is missing.
ctrd_probe() {
	[ "$(id -u)" = 0 ] || skip_all "needs root"
	command -v containerd >/dev/null || skip_all "containerd not installed"
	command -v ctr >/dev/null || skip_all "ctr not installed"
	[ -x "$BUILD/containerd-shim-husk-v2" ] || skip_all "$BUILD/containerd-shim-husk-v2 not built"
	command -v containerd-shim-runc-v2 >/dev/null || skip_all "containerd-shim-runc-v2 missing"
}

# ctrd_config [TOP-LEVEL-LINE...]: writes CTRD_DIR/config.toml for a private containerd (root,
# state, sockets, debug log and opt dir in CTRD_DIR), with the given top-level keys before its
# tables; callers append their own tables.
ctrd_config() {
	{
		printf 'version = 2\nroot = "%s/root"\nstate = "%s/state"\n' "$CTRD_DIR" "$CTRD_DIR"
		[ $# = 0 ] || printf '%s\n' "$@"
		cat <<TOML
[grpc]
  address = "$CTRD_SOCK"
[ttrpc]
  address = "$CTRD_SOCK.ttrpc"
[debug]
  address = "$CTRD_DIR/debug.sock"
  level = "debug"
[plugins."io.containerd.internal.v1.opt"]
  path = "$CTRD_DIR/opt"
TOML
	} >"$CTRD_DIR/config.toml"
}

# Starts containerd in CTRD_DIR (made here); sets CTRD_SOCK, CTRD_PID.
ctrd_start() {
	CTRD_DIR=$(mktemp -d /tmp/husk-ctrd.XXXXXX)
	CTRD_SOCK=$CTRD_DIR/containerd.sock
	ctrd_config 'disabled_plugins = ["io.containerd.grpc.v1.cri"]'
	ctrd_snapshot_dirs
	ctrd_launch
	trap ctrd_cleanup EXIT
}

# ctrd_snapshot_dirs [DIR...]: which of DIR... and the namespace's runtime dirs exist now (and
# ctr's FIFO dirs), for ctrd_remove_new_dirs.
ctrd_snapshot_dirs() {
	local d
	for d in "$@" "/run/containerd/husk/$NS" "/run/containerd/runc/$NS"; do
		[ -e "$d" ] && echo "$d"
	done >"$CTRD_DIR/before.dirs"
	ls /run/containerd/fifo >"$CTRD_DIR/fifo-before" 2>/dev/null
}

# ctrd_remove_new_dirs [DIR...]: removes, when empty, those of DIR... and the namespace's runtime
# dirs that ctrd_snapshot_dirs did not see, then the host dirs that containerd, the shims and ctr
# make (HOST_DIRS) where they were not there when this file was sourced.
HOST_DIRS="/run/containerd/husk /run/containerd/runc /run/containerd/fifo /run/containerd/s
	/run/containerd" # children first
HOST_DIRS_BEFORE=$(for d in $HOST_DIRS; do [ -e "$d" ] && echo "$d"; done)
ctrd_remove_new_dirs() {
	local d
	if [ -f "${CTRD_DIR:-}/before.dirs" ]; then
		for d in "$@" "/run/containerd/husk/$NS" "/run/containerd/runc/$NS"; do
			[ -d "$d" ] && ! grep -qx "$d" "$CTRD_DIR/before.dirs" || continue
			# a shim that is still exiting empties its namespace dir last: up to 3 s
			for _ in $(seq 1 30); do
				rmdir "$d" 2>/dev/null && break
				sleep 0.1
			done
		done
	fi
	for d in $HOST_DIRS; do
		grep -qx "$d" <<<"$HOST_DIRS_BEFORE" || rmdir "$d" 2>/dev/null
	done
}

# ctr makes its FIFOs in /run/containerd/fifo/RANDOM/ and leaves them when it does not wait for
# the process (-d, or killed): removes the ones made since ctrd_start that no process holds.
ctrd_clean_fifos() {
	local d held
	[ -f "$CTRD_DIR/fifo-before" ] || return 0
	held=$(find /proc/[0-9]*/fd -lname '/run/containerd/fifo/*' -printf '%l\n' 2>/dev/null)
	for d in /run/containerd/fifo/*/; do
		d=${d%/}
		[ -d "$d" ] || continue
		grep -qx "${d##*/}" "$CTRD_DIR/fifo-before" && continue
		printf '%s\n' "$held" | grep -q "^$d/" && continue
		rm -rf "$d"
	done
}

# (Re)starts the daemon on the existing CTRD_DIR.
ctrd_launch() {
	PATH=$BUILD:$PATH setsid containerd --config "$CTRD_DIR/config.toml" >>"$CTRD_DIR/containerd.log" 2>&1 &
	CTRD_PID=$!
	for _ in $(seq 1 100); do
		ctr -a "$CTRD_SOCK" version >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "# containerd did not start; log:"
	sed 's/^/#   /' "$CTRD_DIR/containerd.log" | tail -20
	return 1
}

ctrd_stop() {
	[ -n "${CTRD_PID:-}" ] || return 0
	kill "$CTRD_PID" 2>/dev/null
	wait "$CTRD_PID" 2>/dev/null
	CTRD_PID=
}

# ctr on the private containerd, bounded by CTR_TIMEOUT seconds (default 60).
c() { timeout -k 5 "${CTR_TIMEOUT:-60}" ctr -a "$CTRD_SOCK" -n "$NS" "$@"; }

ctrd_import_image() {
	local tar=$CTRD_DIR/busybox.tar
	"$HUSK_TOP/integration/containerd/mkimage.sh" "$tar" "$IMG" &&
		c image import "$tar" >/dev/null
}

# Removes every task and container, stops containerd, unmounts and removes the dir.
ctrd_cleanup() {
	local id
	if [ -n "${CTRD_PID:-}" ]; then
		for id in $(c task ls -q 2>/dev/null); do
			c task kill -s KILL "$id" >/dev/null 2>&1
		done
		sleep 0.3
		for id in $(c task ls -q 2>/dev/null); do
			c task delete -f "$id" >/dev/null 2>&1
		done
		for id in $(c container ls -q 2>/dev/null); do
			c container delete "$id" >/dev/null 2>&1
		done
	fi
	ctrd_stop
	ctrd_clean_fifos
	ctrd_remove_new_dirs
	# the namespace's parent cgroup (both runtimes leave it, like runc does for "default")
	for d in /sys/fs/cgroup/*/"$NS" /sys/fs/cgroup/"$NS"; do
		[ -d "$d" ] && rmdir "$d" 2>/dev/null
	done
	ctrd_remove_dir
}

# Unmounts what is left under CTRD_DIR and removes it (KEEP_CTRD=1 keeps it, said in a line).
ctrd_remove_dir() {
	[ -n "${CTRD_DIR:-}" ] && [ -d "$CTRD_DIR" ] || return 0
	grep -o " ${CTRD_DIR}[^ ]*" /proc/self/mountinfo | sort -r | while read -r m; do
		umount -l "$m" 2>/dev/null
	done
	if [ -n "${KEEP_CTRD:-}" ]; then
		echo "# kept $CTRD_DIR"
	else
		rm -rf "$CTRD_DIR"
	fi
}

# shimctl_cleanup DIR SNS CG ID...: what a shimctl test's shims leave: each container with a
# bundle DIR/ID force-deleted by the shim's `delete` action (it unmounts the rootfs), the pids in
# the array `pids` SIGKILLed, the cgroup /CG and its children, the namespace's state dir and the
# host dirs made.
shimctl_cleanup() {
	local t=$1 sns=$2 cg=$3 id p d
	shift 3
	for id in "$@"; do
		[ -d "$t/$id" ] && "$SHIM" -namespace "$sns" -address "$t/fake.sock" -id "$id" \
			-bundle "$t/$id" delete >/dev/null 2>&1
	done
	for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
	for d in /sys/fs/cgroup/*/"$cg" /sys/fs/cgroup/"$cg"; do
		[ -d "$d" ] && rmdir "$d"/* "$d" 2>/dev/null
	done
	rmdir "/run/containerd/husk/$sns" 2>/dev/null
	ctrd_remove_new_dirs
}

# Sets SHIM and SHIMCTL for the tests that drive a husk shim without containerd; skips the
# script when either is missing or we are not root.
shimctl_probe() {
	[ "$(id -u)" = 0 ] || skip_all "needs root"
	SHIM=$BUILD/containerd-shim-husk-v2
	SHIMCTL=$BUILD/integration/shimctl
	[ -x "$SHIM" ] || skip_all "$SHIM not built"
	[ -x "$SHIMCTL" ] || skip_all "$SHIMCTL not built (make test-programs)"
}
