#!/usr/bin/env bash
# The task service over ttrpc, driven directly with shimctl against a husk shim that containerd
# started: RPCs ctr cannot reach (Update, Checkpoint, Stats decoding), status codes, a deferred
# Wait not blocking other calls on its connection, and a malformed or oversize frame ending only
# that connection (or only that stream) while containerd's own connection goes on. TAP.
cd "$(dirname "$0")/../.." || exit 1
. integration/containerd/lib.sh
ctrd_probe
shimctl_probe
echo "1..17"
ctrd_start || { echo "Bail out! containerd did not start"; exit 1; }
check "busybox image imported" ctrd_import_image

c run -d --runtime "$HUSK_RT" "$IMG" r1 sh -c 'trap "exit 9" TERM; while :; do sleep 0.1; done' \
	>/dev/null
sock=$(sed 's|^unix://||' "$CTRD_DIR/state/io.containerd.runtime.v2.task/$NS/r1/address")
pid=$(c task ls | awk '$1 == "r1" { print $2 }')
s() { "$SHIMCTL" "$sock" "$NS" "$@"; }

check "Connect reports the task pid" grep -q "task_pid=$pid\$" <<<"$(s connect r1)"
check "Connect of an unknown id is task_pid 0, no error" grep -q 'task_pid=0$' <<<"$(s connect nope)"
check "State: running (2)" grep -q "^OK id=r1 pid=$pid status=2 " <<<"$(s state r1)"
check "State of an unknown container: NotFound (5)" grep -q '^ERR 5 .*container not created' \
	<<<"$(s state nope)"
check "State of an unknown exec: NotFound (5)" grep -q '^ERR 5 .*process does not exist' \
	<<<"$(s state r1 nope)"
check "Stats: cgroup v1 Metrics with memory and pids" \
	grep -Eq '^OK io.containerd.cgroups.v1.Metrics memory.usage=[1-9][0-9]* pids.current=[1-9]' \
	<<<"$(s stats r1)"
is "Update applies LinuxResources" "$(s update r1 '{"memory":{"limit":67108864}}')" "OK update"
is "  the memory limit is set" \
	"$(cat /sys/fs/cgroup/memory/$NS/r1/memory.limit_in_bytes 2>/dev/null)" 67108864
check "Update with bad JSON: InvalidArgument (3)" grep -q '^ERR 3 ' \
	<<<"$(s update r1 '{"memory":{"limit":"x"}}')"
check "Checkpoint: Unimplemented (12)" grep -q '^ERR 12 .*not supported by husk yet' \
	<<<"$(s checkpoint r1)"
is "a pending Wait does not hold up State on the same connection" \
	"$(s wait-while-state r1)" "OK state answered while wait is pending"
out=$(s garbage)
check "a frame of unknown type ends that connection" grep -q '^OK garbage connection closed' <<<"$out"
check "  and a new connection works" grep -q '^OK a new connection still works' <<<"$out"
out=$(s oversize)
check "a 5 MiB request gets ResourceExhausted (8)" grep -q '^OK oversize answered with code 8' \
	<<<"$out"
check "  and that connection goes on" grep -q '^OK same connection still works' <<<"$out"
check "containerd's own connection is unaffected" sh -c \
	"ctr -a $CTRD_SOCK -n $NS task ps r1 | grep -q '^$pid '"
