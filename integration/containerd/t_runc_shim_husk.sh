#!/usr/bin/env bash
# husk as the OCI runtime of containerd's own runc shim: io.containerd.runc.v2 with the runc
# option BinaryName = build/husk (ctr run --runc-binary, stored by the shim in options.json and
# used for every later call: create, start, exec, kill, ps, pause, resume, delete). The same
# checks run with BinaryName = runc for comparison. Then nothing may be left: runtime state,
# mounts, cgroups, processes, shim sockets. TAP.
#
# HUSK_TRACE=1 puts a wrapper in front of each runtime that logs every call the shim makes
# (argv and exit status) to /tmp/husk-shim-calls-PID-NAME.log; KEEP_CTRD=1 keeps the temp dir.
cd "$(dirname "$0")/../.." || exit 1
. integration/containerd/lib.sh

HUSK=$BUILD/husk
RUNC=$(command -v runc || true)
[ "$(id -u)" = 0 ] || skip_all "needs root"
command -v containerd >/dev/null || skip_all "containerd not installed"
command -v ctr >/dev/null || skip_all "ctr not installed"
command -v containerd-shim-runc-v2 >/dev/null || skip_all "containerd-shim-runc-v2 missing"
command -v script >/dev/null || skip_all "script(1) missing (bsdutils)"
[ -x "$HUSK" ] || skip_all "$HUSK not built"
RUNTIMES="husk:$HUSK"
[ -n "$RUNC" ] && RUNTIMES="$RUNTIMES runc:$RUNC"

N_SUITE=43
N_FINAL=3
echo "1..$((1 + N_SUITE * $(wc -w <<<"$RUNTIMES") + N_FINAL))"
[ -n "$RUNC" ] || diag "runc not installed: husk only"

ctrd_start || { echo "Bail out! containerd did not start"; exit 1; }
trap 'shim_cleanup' EXIT

# Everything lib.sh's cleanup does, plus the namespace's cgroup parents (containerd's default
# cgroupsPath is /NS/ID; like runc, husk leaves the NS parent, which holds nothing).
shim_cleanup() {
	ctrd_cleanup
	local d
	for d in /sys/fs/cgroup/*/"$NS" /sys/fs/cgroup/*/*/"$NS"; do
		[ -d "$d" ] && rmdir "$d" 2>/dev/null
	done
	return 0
}

check "busybox image imported" ctrd_import_image

# binary NAME PATH: what the shim gets as BinaryName (a logging wrapper under HUSK_TRACE=1).
binary() {
	if [ -z "${HUSK_TRACE:-}" ]; then
		echo "$2"
		return
	fi
	local w=$CTRD_DIR/trace-$1 log=/tmp/husk-shim-calls-$$-$1.log
	cat >"$w" <<SH
#!/bin/sh
echo "\$\$ \$*" >>"$log"
"$2" "\$@"
rc=\$?
echo "\$\$ exit \$rc" >>"$log"
exit \$rc
SH
	chmod +x "$w"
	echo "$w"
}

# status ID: the task's STATUS column; task_pid ID: its PID column.
status() { c task ls | awk -v id="$1" '$1 == id { print $3 }'; }
task_pid() { c task ls | awk -v id="$1" '$1 == id { print $2 }'; }
wait_status() { # ID WANT: up to 5 s
	for _ in $(seq 1 50); do
		[ "$(status "$1")" = "$2" ] && return 0
		sleep 0.1
	done
	return 1
}
# sock ID: the shim socket containerd 1.6 derives from its address, the namespace and the id.
sock() {
	echo "/run/containerd/s/$(printf '%s' "$CTRD_SOCK/$NS/$1" | sha256sum | cut -d' ' -f1)"
}
# exit_of OUTPUT: the exit code in `ctr task delete`'s "exit with non-zero exit code N" warning.
exit_of() { sed -n 's/.*non-zero exit code \([0-9]*\).*/\1/p' <<<"$1"; }
# freezer ID: the task's freezer.state.
freezer() { cat "/sys/fs/cgroup/freezer/$NS/$1/freezer.state" 2>/dev/null; }
# read_n ID EXEC_ID: the task's counter through `ctr task exec cat`. Under load ctr itself can
# print nothing (its Delete cancels a FIFO reader that has not opened yet: seen with runc's own
# shim too), so empty output gets one more try, named in a diag line.
read_n() {
	local v
	v=$(c task exec --exec-id "$2" "$1" cat /tmp/n </dev/null)
	if [ -z "$v" ]; then
		diag "exec $2 printed nothing (ctr's FIFO race); once more"
		v=$(c task exec --exec-id "$2-again" "$1" cat /tmp/n </dev/null)
	fi
	echo "$v"
}
# no_procs_under DIR: no process has its root, cwd or exe under DIR.
no_procs_under() {
	local p l
	for p in /proc/[0-9]*; do
		for l in root cwd exe; do
			case $(readlink "$p/$l" 2>/dev/null) in
			"$1"/*)
				echo "# pid ${p#/proc/}: $l under $1"
				return 1
				;;
			esac
		done
	done
	return 0
}
# no_cgroups PREFIX: no cgroup dir /NS/PREFIX* in any hierarchy.
no_cgroups() {
	local d
	for d in /sys/fs/cgroup/*/"$NS"/"$1"* /sys/fs/cgroup/*/*/"$NS"/"$1"*; do
		if [ -d "$d" ]; then
			echo "# left: $d"
			return 1
		fi
	done
	return 0
}

IDS=""
LOOP='i=0; trap "exit 42" TERM; while :; do i=$((i+1)); echo $i >/tmp/n; sleep 0.1; done'

# suite NAME BINARY: the checks, with ids NAME-*; state under $CTRD_DIR/NAME-root.
suite() {
	local n=$1 bin root out rc id pid p ok_pids
	bin=$(binary "$1" "$2")
	root=$CTRD_DIR/$n-root
	r() { c run --runc-binary "$bin" --runc-root "$root" "$@"; }
	IDS="$IDS $n-rm $n-rm0 $n-in $n-tty $n-d $n-all $n-f $n-mem $n-bad"

	# ---- run --rm: stdio and exit code
	r --rm "$IMG" "$n-rm" sh -c 'echo out; echo err >&2; exit 7' \
		>"$CTRD_DIR/out" 2>"$CTRD_DIR/err" </dev/null
	rc=$?
	is "$n: run --rm prints stdout" "$(cat "$CTRD_DIR/out")" out
	is "$n: run --rm prints stderr" "$(cat "$CTRD_DIR/err")" err
	is "$n: run --rm returns the exit code" "$rc" 7
	r --rm "$IMG" "$n-rm0" true </dev/null >/dev/null 2>&1
	is "$n: run --rm of true returns 0" "$?" 0
	# (ctr run never closes the task's stdin: read one line, not to EOF)
	out=$(printf 'one\ntwo\n' | r --rm "$IMG" "$n-in" sh -c 'read l; echo "got $l"')
	is "$n: run --rm passes stdin" "$out" "got one"
	script -qec "ctr -a $CTRD_SOCK -n $NS run --rm -t --runc-binary $bin --runc-root $root \
		$IMG $n-tty sh -c 'tty; exit 4'" /dev/null </dev/null >"$CTRD_DIR/out" 2>&1
	rc=$?
	if [ "$n" = runc ] && ! grep -q '/dev/pts/0' "$CTRD_DIR/out"; then
		# the runc shim can publish the exit before it copied the pty's output (ctr then
		# stops reading): the reference's own race, seen once in many runs; not what we test
		skip "$n: run -t gets a pty (console socket)" \
			"runc.v2 + runc lost the output: $(tr '\n' ' ' <"$CTRD_DIR/out")"
	else
		check "$n: run -t gets a pty (console socket)" grep -q '/dev/pts/0' "$CTRD_DIR/out"
	fi
	is "$n: run -t returns the exit code" "$rc" 4

	# ---- run -d and the runtime's own view of it
	id=$n-d
	r -d "$IMG" "$id" sh -c "$LOOP" </dev/null >/dev/null
	check "$n: run -d: RUNNING" wait_status "$id" RUNNING
	pid=$(task_pid "$id")
	out=$("$2" --root "$root/$NS" state "$id" 2>&1)
	check "$n: the runtime keeps its state under --runc-root/NS" test -d "$root/$NS/$id"
	is "$n: the runtime's state agrees" \
		"$(python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["pid"], d["status"])' \
			<<<"$out" 2>&1)" "$pid running"
	is "$n: options.json names the binary" \
		"$(python3 -c 'import json,sys; print(json.load(sys.stdin)["binary_name"])' \
			<"$CTRD_DIR/state/io.containerd.runtime.v2.task/$NS/$id/options.json" 2>&1)" "$bin"
	check "$n: the shim socket exists while the task runs" test -S "$(sock "$id")"

	# ---- exec
	out=$(c task exec --exec-id e1 "$id" sh -c 'echo exec-out; echo exec-err >&2; exit 5' \
		2>&1 </dev/null)
	rc=$?
	is "$n: exec output" "$(sort <<<"$out" | tr '\n' ' ')" "exec-err exec-out "
	is "$n: exec exit code" "$rc" 5
	is "$n: exec with stdin" "$(printf 'a\nb\nc\n' | c task exec --exec-id e2 "$id" wc -l | tr -d ' ')" 3
	script -qec "ctr -a $CTRD_SOCK -n $NS task exec -t --exec-id e3 $id sh -c 'tty; exit 6'" \
		/dev/null </dev/null >"$CTRD_DIR/out" 2>&1
	rc=$?
	check "$n: exec -t gets a pty" grep -q '/dev/pts/' "$CTRD_DIR/out"
	is "$n: exec -t exit code" "$rc" 6
	out=$(c task exec --exec-id e4 "$id" /nonexist 2>&1 </dev/null)
	rc=$?
	check "$n: exec of a missing binary fails naming it ($out)" \
		test "$rc" != 0 -a -n "$(grep -F /nonexist <<<"$out")"
	is "$n: the task still runs after the failed exec" "$(status "$id")" RUNNING

	# ---- ps
	c task exec -d --exec-id e5 "$id" sleep 1000 </dev/null >/dev/null
	c task ps "$id" >"$CTRD_DIR/ps-$n" 2>&1
	check "$n: ps lists the init pid" grep -q "^$pid " "$CTRD_DIR/ps-$n"
	check "$n: ps names the exec" grep -q 'ExecID:e5' "$CTRD_DIR/ps-$n"
	ok_pids=1
	for p in $(awk 'NR > 1 { print $1 }' "$CTRD_DIR/ps-$n"); do
		# (the loop's short-lived sleeps may be gone by now)
		grep -q ":/$NS/$id\$" "/proc/$p/cgroup" 2>/dev/null || [ ! -e "/proc/$p" ] || ok_pids=0
	done
	is "$n: every ps pid is in the task's cgroup" "$ok_pids" 1
	c task kill -s KILL --exec-id e5 "$id"

	# ---- pause / resume
	c task pause "$id"
	is "$n: pause: PAUSED" "$(status "$id")" PAUSED
	is "$n: pause: cgroup FROZEN" "$(freezer "$id")" FROZEN
	c task resume "$id"
	is "$n: resume: RUNNING" "$(status "$id")" RUNNING
	is "$n: resume: cgroup THAWED" "$(freezer "$id")" THAWED
	a=$(read_n "$id" e6)
	sleep 0.4
	b=$(read_n "$id" e7)
	check "$n: the task makes progress after resume ($a -> $b)" test "${b:-0}" -gt "${a:-0}"

	c task metrics "$id" >"$CTRD_DIR/metrics-$n" 2>&1
	check "$n: metrics report memory and pids" \
		grep -q '^pids.current' "$CTRD_DIR/metrics-$n"

	# ---- kill: the exit is reported
	c task kill "$id"
	check "$n: kill (SIGTERM) stops the task" wait_status "$id" STOPPED
	out=$(c task kill "$id" 2>&1)
	check "$n: kill of a stopped task: NotFound, process already finished ($out)" \
		grep -q 'process already finished: not found' <<<"$out"
	out=$(c task delete "$id" 2>&1)
	is "$n: delete reports the exit code of the trap" "$(exit_of "$out")" 42
	c container rm "$id"

	# ---- kill --all
	id=$n-all
	r -d "$IMG" "$id" sh -c 'sleep 1000 & sleep 1000 & trap "" TERM; wait' </dev/null >/dev/null
	wait_status "$id" RUNNING
	c task kill --all -s KILL "$id"
	check "$n: kill --all stops the task" wait_status "$id" STOPPED
	is "$n: kill --all: no process left in its cgroup" \
		"$(cat "/sys/fs/cgroup/pids/$NS/$id/cgroup.procs" 2>/dev/null | wc -l)" 0
	out=$(c task delete "$id" 2>&1)
	is "$n: delete after kill --all reports 137" "$(exit_of "$out")" 137
	c container rm "$id"

	# ---- delete -f of a running task
	id=$n-f
	r -d "$IMG" "$id" sleep 1000 </dev/null >/dev/null
	wait_status "$id" RUNNING
	pid=$(task_pid "$id")
	c task delete -f "$id" >/dev/null 2>&1
	is "$n: delete -f removes a running task" "$(status "$id")" ""
	check "$n: delete -f: its init is gone" test ! -d "/proc/$pid"
	c container rm "$id"

	# ---- resources reach the cgroup
	id=$n-mem
	r -d --memory-limit 67108864 "$IMG" "$id" sleep 1000 </dev/null >/dev/null
	wait_status "$id" RUNNING
	is "$n: --memory-limit is applied" \
		"$(cat "/sys/fs/cgroup/memory/$NS/$id/memory.limit_in_bytes" 2>&1)" 67108864
	c task kill -s KILL "$id"
	wait_status "$id" STOPPED
	c task delete "$id" >/dev/null 2>&1
	c container rm "$id"

	# ---- a failing create: the runtime's error reaches ctr, nothing is left
	out=$(r --rm "$IMG" "$n-bad" /nonexist 2>&1 </dev/null)
	rc=$?
	check "$n: run of a missing binary fails with the runtime's error ($out)" \
		test "$rc" != 0 -a -n "$(grep 'OCI runtime create failed:.*/nonexist' <<<"$out")"
	c container rm "$n-bad" >/dev/null 2>&1

	# ---- nothing left of this runtime's tasks
	is "$n: no task left" "$(c task ls -q | grep -c "^$n-")" 0
	is "$n: no runtime state left" "$(ls -A "$root/$NS" 2>/dev/null)" ""
	check "$n: no cgroup left" no_cgroups "$n-"
	is "$n: no shim left" "$(pgrep -f -- "-namespace $NS -id $n-" | wc -l)" 0
	out=""
	for id in $IDS; do
		[ "${id%%-*}" = "$n" ] && [ -e "$(sock "$id")" ] && out="$out $id"
	done
	is "$n: no shim socket left in /run/containerd/s" "$out" ""
}

for spec in $RUNTIMES; do
	suite "${spec%%:*}" "${spec#*:}"
done

# ---- the whole private containerd goes away cleanly
leftover_mounts=$(grep -c " $CTRD_DIR/" /proc/self/mountinfo)
is "no mount left under the temp dir" "$leftover_mounts" 0
dir=$CTRD_DIR
shim_cleanup
CTRD_DIR=
trap - EXIT
if [ -n "${KEEP_CTRD:-}" ]; then
	ok "containerd stopped, temp dir removed # SKIP KEEP_CTRD set"
else
	check "containerd stopped, temp dir removed" test ! -e "$dir"
fi
check "no process left in the temp dir" no_procs_under "$dir"
[ -n "${HUSK_TRACE:-}" ] && diag "HUSK_TRACE: call logs in /tmp/husk-shim-calls-$$-*.log"
exit 0
