#!/usr/bin/env bash
# Events from io.containerd.husk.v2 as `ctr events` sees them, in order, next to
# io.containerd.runc.v2's: create, start, exec-added, exec-started, exit (exec before init),
# paused, resumed, delete, and OOM. TAP.
cd "$(dirname "$0")/../.." || exit 1
. integration/containerd/lib.sh
ctrd_probe
echo "1..9"
ctrd_start || { echo "Bail out! containerd did not start"; exit 1; }
check "busybox image imported" ctrd_import_image

c events >"$CTRD_DIR/events" 2>&1 &
evpid=$!
sleep 0.3
wait_stopped() {
	for _ in $(seq 1 50); do
		c task ls | grep -q "^$1 .*STOPPED" && return 0
		sleep 0.1
	done
}
for rt in $HUSK_RT $RUNC_RT; do
	s=${rt#io.containerd.}
	s=${s%.v2}
	c run -d --runtime "$rt" "$IMG" "ev-$s" sh -c 'trap "exit 9" TERM; while :; do sleep 0.1; done' \
		>/dev/null
	c task exec --exec-id x "ev-$s" true
	c task pause "ev-$s"
	c task resume "ev-$s"
	c task exec -d --exec-id y "ev-$s" sleep 100
	c task kill "ev-$s" # SIGTERM: init exits 9, the pid namespace takes exec y with it
	wait_stopped "ev-$s"
	c task delete "ev-$s" >/dev/null 2>&1
	c container rm "ev-$s"
	c run --rm --memory-limit 20000000 --runtime "$rt" "$IMG" "oom-$s" \
		sh -c 'x=$(head -c 200000000 /dev/zero | tr "\000" a)' >/dev/null 2>&1
done
sleep 0.5
kill "$evpid"
wait "$evpid" 2>/dev/null

# topics ID: the task topics of one container, in order, with the exit's process id.
topics() {
	grep "\"container_id\":\"$1\"" "$CTRD_DIR/events" | awk '{ print $6, $7 }' |
		sed -E 's/^(\/tasks\/[a-z-]+) .*"id":"([^"]*)".*/\1(\2)/; s/^(\/tasks\/[a-z-]+) .*/\1/' |
		uniq | tr '\n' ' '
}
want="/tasks/create /tasks/start /tasks/exec-added /tasks/exec-started /tasks/exit(x) \
/tasks/paused /tasks/resumed /tasks/exec-added /tasks/exec-started /tasks/exit(y) \
/tasks/exit(ev-@) /tasks/delete "
is "husk: lifecycle events in order" "$(topics ev-husk)" "${want//@/husk}"
is "runc: lifecycle events in order" "$(topics ev-runc)" "${want//@/runc}"
check "husk: OOM event" grep -q '/tasks/oom {"container_id":"oom-husk"}' "$CTRD_DIR/events"
check "runc: OOM event" grep -q '/tasks/oom {"container_id":"oom-runc"}' "$CTRD_DIR/events"
want_oom="/tasks/create /tasks/start /tasks/oom /tasks/exit(oom-@) /tasks/delete "
is "husk: OOM before the exit" "$(topics oom-husk)" "${want_oom//@/husk}"
is "runc: OOM before the exit" "$(topics oom-runc)" "${want_oom//@/runc}"
check "husk: exit status 137 after the OOM kill" \
	grep -q '/tasks/exit {"container_id":"oom-husk".*"exit_status":137' "$CTRD_DIR/events"
check "husk: TaskExit carries exit_status and exited_at" \
	grep -q '/tasks/exit {"container_id":"ev-husk","id":"ev-husk","pid":[0-9]*,"exit_status":9,"exited_at":"' \
	"$CTRD_DIR/events"
