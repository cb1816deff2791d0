#!/usr/bin/env bash
# Stress reproducer, not part of the suite: N tasks of runtime RT (default husk), then ROUNDS
# times: restart containerd (RESTART=0: don't) and run `ctr task exec echo hiN` in each task;
# prints every exec whose output is missing or wrong and a RESULT line. Lost output shows under
# CPU load (two `sh -c 'while :; do :; done' &` on 2 cores; the rate moves with whatever else
# runs); strace hides it.
#   TRACE_MARK=<tracefs instance>/trace_marker  writes "EXEC rN xM" there before each exec
#   KEEP_LOG=1  keeps containerd's log (with the shims' debug lines) as /tmp/stress-PID.log
# Usage: [RT=io.containerd.runc.v2] [ROUNDS=20] [N=10] stress_exec_restart.sh
cd "$(dirname "$0")/../.." || exit 1
. integration/containerd/lib.sh
ctrd_probe
: "${RT:=$HUSK_RT}" "${ROUNDS:=20}" "${N:=10}" "${RESTART:=1}"
ctrd_start || exit 1
ctrd_import_image || exit 1
LOOP='trap "exit 9" TERM; while :; do sleep 0.1; done'
for i in $(seq 1 "$N"); do
	c run -d --runtime "$RT" "$IMG" "r$i" sh -c "$LOOP" >/dev/null || exit 1
done
fail=0 total=0
for round in $(seq 1 "$ROUNDS"); do
	if [ "$RESTART" = 1 ]; then
		ctrd_stop
		sleep 0.2
		ctrd_launch || exit 1
	fi
	for i in $(seq 1 "$N"); do
		total=$((total + 1))
		t0=$(date +%s.%N)
		[ -n "${TRACE_MARK:-}" ] && echo "EXEC r$i x$round" >"$TRACE_MARK"
		got=$(c task exec --exec-id "x$round" "r$i" echo "hi$i" 2>"$CTRD_DIR/err")
		rc=$?
		if [ "$got" != "hi$i" ]; then
			fail=$((fail + 1))
			echo "FAIL round $round r$i x$round at $t0: rc $rc out $(printf %q "$got")" \
				"err $(printf %q "$(cat "$CTRD_DIR/err")")"
		fi
	done
done
echo "RESULT rt=$RT restart=$RESTART failed $fail of $total"
if [ -n "${KEEP_LOG:-}" ]; then
	cp "$CTRD_DIR/containerd.log" "/tmp/stress-$$.log"
	echo "# containerd's log: /tmp/stress-$$.log"
fi
