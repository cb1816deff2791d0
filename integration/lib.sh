# shellcheck shell=bash
# integration/lib.sh: shared code for the husk CLI tests (integration/t_cli_*.sh).
#
# A test script sources this file, defines test functions and ends with
#   run_tests t_first t_second ...
# which prints the TAP plan `1..N` and one `ok` / `not ok` line per test. Each test runs in a
# subshell with `set -e`, in its own temp dir $T, with a unique container id $CID; the helpers
# below generate bundles (a temp rootfs with the static helper as /init and a config.json written
# by python3), drive the runtime under test with a private --root, and clean up after every test
# (containers, processes, mounts, cgroups, network namespaces, temp dirs), even when it fails.
#
# Environment: RUNTIME (default $BUILD/husk), BUILD (default build, relative to the repo root),
# INIT_BIN (default $BUILD/integration/init), VERBOSE=1 prints each test's log.

set -u
ITEST_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ITEST_DIR=$ITEST_TOP/integration
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ITEST_TOP/$BUILD ;; esac
RUNTIME=${RUNTIME:-$BUILD/husk}
case $RUNTIME in /*) ;; */*) RUNTIME=$ITEST_TOP/$RUNTIME ;; esac
INIT_BIN=${INIT_BIN:-$BUILD/integration/init}
RT_NAME=$(basename "$RUNTIME")
RT_TIMEOUT=${RT_TIMEOUT:-60}
export LC_ALL=C

# The cgroup parent of every container of this script run (cgroupsPath /$CG_PARENT/<id>).
CG_PARENT=husk-it-$$
TB=""      # this script's temp base dir
ROOT=""    # the runtime's --root (state dir), private to this script
T=""       # the current test's temp dir
CID=""     # the current test's container id (more: ${CID}b, ${CID}c, ...)
TESTNUM=0
N_PASS=0 N_FAIL=0 N_SKIP=0

is_husk() { [[ $RT_NAME == husk* ]]; }
is_runc() { [[ $RT_NAME == runc* ]]; }

# ---------------------------------------------------------------- assertions (inside a test)

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# skip REASON: ends the current test as skipped (never counted as passed).
skip() {
	echo "$*" >"$T/.skip"
	exit 0
}

# husk_only REASON: skips the test unless the runtime under test is husk.
husk_only() {
	is_husk || skip "$RT_NAME: $* (asserted for husk only)"
}

check_eq() { # check_eq GOT WANT WHAT
	[ "$1" = "$2" ] || fail "$3: got '$1', want '$2'"
}

check_ne() { # check_ne GOT NOTWANT WHAT
	[ "$1" != "$2" ] || fail "$3: got '$1', want something else"
}

check_match() { # check_match TEXT ERE WHAT
	printf '%s\n' "$1" | grep -Eq -- "$2" || fail "$3: '$1' does not match /$2/"
}

check_nomatch() { # check_nomatch TEXT ERE WHAT
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then fail "$3: '$1' matches /$2/"; fi
}

check_file() { [ -e "$1" ] || fail "${2:-$1}: missing"; }
check_nofile() { [ ! -e "$1" ] || fail "${2:-$1}: exists but should not"; }

# wait_for SECONDS CMD...: polls CMD every 50 ms until it succeeds; fails the test on timeout.
wait_for() {
	local limit=$1 i=0
	shift
	while ! "$@" 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt $((limit * 20)) ] || fail "timed out after ${limit}s waiting for: $*"
		sleep 0.05
	done
}

# ---------------------------------------------------------------- runtime wrappers

# rt ARGS...: the runtime under test with this script's private --root.
rt() {
	timeout -k 5 "$RT_TIMEOUT" "$RUNTIME" --root "$ROOT" "$@"
}

# rt_ok ARGS...: like rt, but fails the test (showing stderr) when it exits non-zero.
rt_ok() {
	local rc=0
	rt "$@" 2>"$T/.rt_err" || rc=$?
	if [ $rc -ne 0 ]; then
		fail "$RT_NAME $*: exit $rc: $(cat "$T/.rt_err")"
	fi
	cat "$T/.rt_err" >&2
}

# rt_fail ARGS...: runs the runtime expecting failure; its stderr (the error) goes to $T/err.
rt_fail() {
	local rc=0
	rt "$@" >"$T/out" 2>"$T/err" </dev/null || rc=$?
	if [ $rc -eq 0 ]; then
		fail "$RT_NAME $* succeeded but should have failed; output: $(cat "$T/out")"
	fi
	echo "expected failure ($rc): $(cat "$T/err")" >&2
}

# run_ctr BUNDLE ID: `run` in the foreground, stdin /dev/null; stdout -> $T/out, stderr -> $T/err;
# sets RC to the exit code.
run_ctr() {
	RC=0
	rt run --bundle "$1" "$2" </dev/null >"$T/out" 2>"$T/err" || RC=$?
	if [ -s "$T/err" ]; then echo "stderr of run $2: $(cat "$T/err")" >&2; fi
}

# run_out BUNDLE ID: runs the container, fails the test on a non-zero exit, prints its stdout.
run_out() {
	run_ctr "$1" "$2"
	[ "$RC" -eq 0 ] || fail "run $2 exited $RC: $(cat "$T/out") $(cat "$T/err")"
	cat "$T/out"
}

# create_ctr ID [BUNDLE [FLAGS...]]: `create`, the container's stdio on files $T/ID.out and
# $T/ID.err (stdin /dev/null); fails the test when create fails.
create_ctr() {
	local id=$1 b=${2:-$T/b} rc=0
	shift
	[ $# -gt 0 ] && shift
	rt create --bundle "$b" "$@" "$id" </dev/null >"$T/$id.out" 2>"$T/$id.err" || rc=$?
	[ $rc -eq 0 ] || fail "create $id: exit $rc: $(cat "$T/$id.err")"
}

# run_d ID [BUNDLE [FLAGS...]]: `run -d`, stdio as for create_ctr.
run_d() {
	local id=$1 b=${2:-$T/b} rc=0
	shift
	[ $# -gt 0 ] && shift
	rt run -d --bundle "$b" "$@" "$id" </dev/null >"$T/$id.out" 2>"$T/$id.err" || rc=$?
	[ $rc -eq 0 ] || fail "run -d $id: exit $rc: $(cat "$T/$id.err")"
}

# wait_status ID STATUS [SECONDS]: waits until `state` reports STATUS.
wait_status() {
	local i=0 limit=$((${3:-10} * 20)) s
	while s=$(status "$1"); [ "$s" != "$2" ]; do
		i=$((i + 1))
		[ $i -lt $limit ] || fail "container $1: status '$s', want '$2'"
		sleep 0.05
	done
}

# wait_output FILE ERE [SECONDS]: waits until FILE has a line matching ERE.
wait_output() {
	local i=0 limit=$((${3:-10} * 20))
	while ! grep -Eq -- "$2" "$1" 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt $limit ] || fail "$1: no line matching /$2/ (has: $(cat "$1" 2>/dev/null))"
		sleep 0.05
	done
}

# status ID: the container's status from `state` ("" if the runtime doesn't know it).
status() {
	rt state "$1" 2>/dev/null | py_json 'print(d["status"])' 2>/dev/null || true
}

# ctr_pid ID: the pid from `state`.
ctr_pid() {
	rt state "$1" | py_json 'print(d["pid"])'
}

# py_json CODE [ARGS...]: runs python CODE with `d` bound to the JSON read from stdin and
# sys.argv[1:] = ARGS.
py_json() {
	local code=$1
	shift
	python3 -c "import json,sys
d=json.load(sys.stdin)
$code" "$@"
}

# seg N: the Nth (from 1) part of stdin, parts being separated by lines `---`
# (as printed by `/init ... ';;' echo --- ';;' ...`).
seg() {
	awk -v n="$1" '$0 == "---" {i++; next} i == n - 1'
}

# ---------------------------------------------------------------- bundles

# mkbundle [DIR [ID]]: a bundle in DIR (default $T/b) whose cgroupsPath is /$CG_PARENT/ID (default
# $CID): rootfs with /init and minimal dirs and /etc files, and the default config.json.
mkbundle() {
	local b=${1:-$T/b} id=${2:-$CID} r
	r=$b/rootfs
	mkdir -p "$r"/{proc,sys,dev,tmp,etc,mnt,root,home/tester,var/empty}
	chmod 1777 "$r/tmp"
	cp "$INIT_BIN" "$r/init"
	chmod 0755 "$r/init"
	printf '%s\n' 'root:x:0:0:root:/root:/init' 'tester:x:1000:1000:tester:/home/tester:/init' \
		'nobody:x:65534:65534:nobody:/nonexistent:/init' >"$r/etc/passwd"
	printf '%s\n' 'root:x:0:' 'tty:x:5:' 'tester:x:1000:' 'extra:x:1001:tester' \
		'nogroup:x:65534:' >"$r/etc/group"
	echo 'husk-test' >"$r/etc/hostname"
	python3 "$ITEST_DIR/config.py" default "$b/config.json" "/$CG_PARENT/$id"
}

# cfg [BUNDLE] CODE: edits BUNDLE/config.json (default $T/b) with python CODE; `c` is the config,
# helpers from config.py (add_ns, del_ns, add_mount, ...) are in scope.
cfg() {
	local b=$T/b
	if [ $# -ge 2 ]; then b=$1; shift; fi
	python3 "$ITEST_DIR/config.py" edit "$b/config.json" "$1"
}

# set_args [BUNDLE] ARGS...: sets process.args (BUNDLE must be a directory with config.json).
set_args() {
	local b=$T/b
	if [ -f "$1/config.json" ]; then b=$1; shift; fi
	python3 "$ITEST_DIR/config.py" args "$b/config.json" "$@"
}

# ---------------------------------------------------------------- host-side probes

# cg_dir CONTROLLER ID: the host cgroup dir of container ID (absolute cgroupsPath).
cg_dir() {
	echo "/sys/fs/cgroup/$1/$CG_PARENT/$2"
}

# host_mounts: mount points (field 5 of mountinfo) of this mount namespace, sorted.
host_mounts() {
	awk '{print $5}' /proc/self/mountinfo | sort
}

# procs_under DIR: pids whose root, cwd or exe lies under DIR.
procs_under() {
	local p l
	for p in /proc/[0-9]*; do
		for l in root cwd exe; do
			case $(readlink "$p/$l" 2>/dev/null || true) in
			"$1" | "$1"/*) echo "${p#/proc/}"; break ;;
			esac
		done
	done
}

# new_mounts BEFORE AFTER: mount points in AFTER but not in BEFORE (lists from host_mounts) that
# may be ours: under this script's temp dir, or anywhere outside /tmp and /run (where other test
# suites on this machine mount their own things concurrently).
new_mounts() {
	comm -13 "$1" "$2" | while read -r mp; do
		case $mp in
		"$TB" | "$TB"/*) echo "$mp" ;;
		/tmp/* | /run/*) ;;
		*) echo "$mp" ;;
		esac
	done
}

# snap: records mounts, runtime state dirs and cgroup dirs before an operation that must fail.
snap() {
	host_mounts >"$T/.snap_mounts"
	ls -A "$ROOT" 2>/dev/null | sort >"$T/.snap_state" || true
}

# check_no_leftovers ID [BUNDLE]: after a failed create/run of ID: no new mount, no state dir under
# --root, no cgroup dir, no process inside the bundle.
check_no_leftovers() {
	local id=$1 b=${2:-$T/b} c d p
	host_mounts >"$T/.now_mounts"
	d=$(new_mounts "$T/.snap_mounts" "$T/.now_mounts")
	[ -z "$d" ] || fail "mounts left behind: $d"
	case $id in
	"" | . | ..) ;; # not a name: only the --root listing below can tell
	*)
		[ ! -e "$ROOT/$id" ] || fail "state dir $ROOT/$id left behind"
		for c in /sys/fs/cgroup/*/; do
			[ ! -d "$c$CG_PARENT/$id" ] || fail "cgroup $c$CG_PARENT/$id left behind"
		done
		;;
	esac
	ls -A "$ROOT" 2>/dev/null | sort >"$T/.now_state" || true
	d=$(diff "$T/.snap_state" "$T/.now_state" || true)
	[ -z "$d" ] || fail "state left under --root: $d"
	if [ -n "$id" ] && rt state "$id" >/dev/null 2>&1; then
		fail "the runtime still knows container $id"
	fi
	p=$(procs_under "$(cd "$b" && pwd -P)")
	[ -z "$p" ] || fail "processes left in the bundle: $p ($(ps -o pid,args -p "${p//$'\n'/,}"))"
}

# ---------------------------------------------------------------- helpers started in background

# bg CMD...: starts CMD in the background, remembers its pid for cleanup; sets BG_PID.
bg() {
	"$@" &
	BG_PID=$!
	echo "$BG_PID" >>"$T/.pids"
}

# console_start SOCKET OUTFILE [console_recv.py options]: a console-socket receiver.
console_start() {
	local sock=$1
	bg python3 "$ITEST_DIR/console_recv.py" "$@"
	wait_for 10 test -S "$sock"
}

# ---------------------------------------------------------------- cleanup

# our_cgroups: the cgroup dirs named $CG_PARENT or $CG_PARENT-* anywhere in the hierarchies (absolute paths are
# /$CG_PARENT/ID; tests using relative paths put them under a $CG_PARENT-something parent).
our_cgroups() {
	find /sys/fs/cgroup -maxdepth 6 -type d \( -name "$CG_PARENT" -o -name "$CG_PARENT-*" \) -prune \
		2>/dev/null
}

cleanup_test() {
	local id p c d mp
	[ -n "$ROOT" ] || return 0
	# Containers: everything under our private --root goes.
	for id in $(rt list -q 2>/dev/null) $(ls -A "$ROOT" 2>/dev/null); do
		timeout 20 "$RUNTIME" --root "$ROOT" delete -f "$id" >/dev/null 2>&1 || true
	done
	# Background helpers this test started.
	if [ -n "$T" ] && [ -f "$T/.pids" ]; then
		while read -r p; do kill -9 "$p" 2>/dev/null || true; done <"$T/.pids"
		while read -r p; do wait "$p" 2>/dev/null || true; done <"$T/.pids"
		rm -f "$T/.pids"
	fi
	# Processes left in our cgroups (a runtime that failed to clean up), then the cgroups.
	for c in $(our_cgroups); do
		# shellcheck disable=SC2044 # pids: no spaces
		for p in $(find "$c" -name cgroup.procs -exec cat {} + 2>/dev/null); do
			kill -9 "$p" 2>/dev/null || true
		done
		find "$c" -mindepth 1 -depth -type d 2>/dev/null | while read -r d; do
			[ -f "$d/freezer.state" ] && echo THAWED >"$d/freezer.state" 2>/dev/null
			rmdir "$d" 2>/dev/null || { sleep 0.2; rmdir "$d" 2>/dev/null; } || true
		done
	done
	# Processes still running from inside our temp dir.
	for p in $(procs_under "$TB"); do kill -9 "$p" 2>/dev/null || true; done
	# Network namespaces and mounts this test made.
	if [ -n "$T" ] && [ -f "$T/.netns" ]; then
		while read -r d; do ip netns del "$d" 2>/dev/null || true; done <"$T/.netns"
		rm -f "$T/.netns"
	fi
	awk '{print $5}' /proc/self/mountinfo | grep -F "$TB/" | sort -r | while read -r mp; do
		umount -l "$mp" 2>/dev/null || true
	done
}

cleanup_all() {
	local c
	cleanup_test
	for c in $(our_cgroups); do
		rmdir "$c" 2>/dev/null || true
	done
	if [ -n "$TB" ] && [ -d "$TB" ]; then
		if grep -qF "$TB/" /proc/self/mountinfo; then
			echo "# warning: mounts left under $TB, not removing it" >&2
		else
			rm -rf "$TB"
		fi
	fi
}

# ---------------------------------------------------------------- the driver

# Prepares the script run (temp dirs, traps); call before run_tests or let run_tests do it.
itest_setup() {
	[ -n "$TB" ] && return 0
	if [ "$(id -u)" != 0 ]; then
		echo "1..0 # SKIP the CLI integration tests need root"
		exit 0
	fi
	TB=$(mktemp -d /tmp/husk-itest.XXXXXX)
	chmod 0755 "$TB"
	ROOT=$TB/state
	mkdir -p "$ROOT"
	trap 'cleanup_all' EXIT
	trap 'exit 130' INT TERM
	if [ ! -x "$INIT_BIN" ]; then
		make -s -C "$ITEST_TOP" BUILD="$BUILD" "$INIT_BIN" >&2 || true
	fi
}

# run_tests FN...: the TAP plan, then each test in a subshell; cleanup after each.
run_tests() {
	local fn rc desc
	itest_setup
	echo "1..$#"
	echo "# runtime: $RUNTIME"
	if [ ! -x "$RUNTIME" ] || [ ! -x "$INIT_BIN" ]; then
		for fn in "$@"; do
			TESTNUM=$((TESTNUM + 1))
			echo "not ok $TESTNUM - ${fn#t_}: runtime $RUNTIME or helper $INIT_BIN missing (build them, or set RUNTIME=)"
			N_FAIL=$((N_FAIL + 1))
		done
		return 1
	fi
	for fn in "$@"; do
		TESTNUM=$((TESTNUM + 1))
		T=$TB/t$TESTNUM
		CID=hk$$-$TESTNUM
		mkdir -p "$T"
		desc=${fn#t_}
		# Not inside `||` or `if`: bash would ignore `set -e` in the whole subshell.
		(
			set -eE
			trap 'echo "line $LINENO: \`$BASH_COMMAND\` exited $?" >&2' ERR
			cd "$T"
			"$fn"
		) >"$T/.log" 2>&1 </dev/null
		rc=$?
		if [ -f "$T/.skip" ]; then
			echo "ok $TESTNUM - $desc # SKIP $(cat "$T/.skip")"
			N_SKIP=$((N_SKIP + 1))
		elif [ $rc -eq 0 ]; then
			echo "ok $TESTNUM - $desc"
			N_PASS=$((N_PASS + 1))
			[ "${VERBOSE:-0}" = 1 ] && sed 's/^/#   /' "$T/.log"
		else
			echo "not ok $TESTNUM - $desc"
			N_FAIL=$((N_FAIL + 1))
			tail -n 40 "$T/.log" | sed 's/^/#   /'
		fi
		cleanup_test
		if grep -qF "$T/" /proc/self/mountinfo; then
			echo "# warning: mounts left under $T, not removing it"
		else
			rm -rf "$T"
		fi
	done
	echo "# $N_PASS passed, $N_FAIL failed, $N_SKIP skipped ($RT_NAME)"
	[ $N_FAIL -eq 0 ]
}
