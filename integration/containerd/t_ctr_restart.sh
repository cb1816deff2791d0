#!/usr/bin/env bash
# Robustness: containerd restarted under 10 running husk containers (all still listed, exec,
# ps, pause, metrics and kill work, exits reported); the shim SIGKILLed (containerd reports the
# exit, nothing is left: mount, cgroup, process, socket, runtime state). TAP.
cd "$(dirname "$0")/../.." || exit 1
. integration/containerd/lib.sh
ctrd_probe
N=10
echo "1..21"
ctrd_start || { echo "Bail out! containerd did not start"; exit 1; }
check "busybox image imported" ctrd_import_image

status() { c task ls | awk -v id="$1" '$1 == id { print $3 }'; }
pid_of() { c task ls | awk -v id="$1" '$1 == id { print $2 }'; }
running_count() { c task ls | awk '$3 == "RUNNING"' | wc -l; }
LOOP='trap "exit 9" TERM; while :; do sleep 0.1; done'

for i in $(seq 1 $N); do
	c run -d --runtime "$HUSK_RT" "$IMG" "r$i" sh -c "$LOOP" >/dev/null
done
is "$N husk tasks running" "$(running_count)" $N
pids_before=$(for i in $(seq 1 $N); do pid_of "r$i"; done | tr '\n' ' ')

ctrd_stop
sleep 0.5
alive=0
for p in $pids_before; do kill -0 "$p" 2>/dev/null && alive=$((alive + 1)); done
is "containers keep running while containerd is down" "$alive" $N
check "containerd restarts" ctrd_launch
is "after the restart all $N are listed as running" "$(running_count)" $N
is "with the same pids" "$(for i in $(seq 1 $N); do pid_of "r$i"; done | tr '\n' ' ')" \
	"$pids_before"

ok_exec=0
for i in $(seq 1 $N); do
	got=$(c task exec --exec-id x "r$i" echo "hi$i" 2>&1)
	rc=$?
	if [ "$got" = "hi$i" ]; then
		ok_exec=$((ok_exec + 1))
	else
		echo "# exec in r$i after the restart: exit $rc, printed: $(printf %q "$got")"
		sed -n '/"x"/p; /r'"$i"'/p' "$CTRD_DIR/containerd.log" | grep -v 'level=info' |
			tail -5 | sed 's/^/#   /'
	fi
done
is "exec works in every task after the restart" "$ok_exec" $N
check "ps works after the restart" sh -c "ctr -a $CTRD_SOCK -n $NS task ps r1 | grep -q \"^$(pid_of r1) \""
c task pause r2 && c task resume r2
is "pause and resume work after the restart" "$(status r2)" RUNNING
check "metrics work after the restart" sh -c "ctr -a $CTRD_SOCK -n $NS task metrics r3 | grep -q memory"

for i in $(seq 1 $N); do c task kill "r$i"; done
for _ in $(seq 1 50); do
	[ "$(c task ls | awk '$3 == "STOPPED"' | wc -l)" = $N ] && break
	sleep 0.1
done
is "kill stops all $N and the exits are reported" "$(c task ls | awk '$3 == "STOPPED"' | wc -l)" $N
codes=$(for i in $(seq 1 $N); do c task delete "r$i" 2>&1 | grep -o 'exit code [0-9]*'; done |
	sort -u)
is "every exit code is the container's own" "$codes" "exit code 9"
for i in $(seq 1 $N); do c container rm "r$i"; done

# The shim SIGKILLed under a running container.
c run -d --runtime "$HUSK_RT" "$IMG" victim sh -c "$LOOP" >/dev/null
bundle=$CTRD_DIR/state/io.containerd.runtime.v2.task/$NS/victim
sock=$(sed 's|^unix://||' "$bundle/address")
init=$(pid_of victim)
shim=$(ps -o ppid= -p "$init" | tr -d ' ')
# the checks below look where things are while the task lives
check "the victim's cgroup is where the checks look" sh -c "ls -d /sys/fs/cgroup/*/$NS/victim | grep -q ."
check "the victim's socket is where the checks look" test -S "$sock"
check "the victim's rootfs is mounted where the checks look" grep -q " $bundle/rootfs" /proc/self/mountinfo
c events >"$CTRD_DIR/events" 2>&1 &
evpid=$!
sleep 0.3
kill -9 "$shim"
for _ in $(seq 1 50); do
	[ -z "$(status victim)" ] && ! kill -0 "$init" 2>/dev/null && break
	sleep 0.1
done
sleep 0.3
kill "$evpid" 2>/dev/null
wait "$evpid" 2>/dev/null
check "containerd reports the exit of the killed shim's task" \
	grep -q '/tasks/exit.*victim' "$CTRD_DIR/events"
check "no process left" sh -c "! kill -0 $init 2>/dev/null"
check "no rootfs mount left" sh -c "! grep -q ' $bundle/rootfs' /proc/self/mountinfo"
check "no cgroup left" sh -c "! ls -d /sys/fs/cgroup/*/$NS/victim 2>/dev/null | grep -q ."
check "no socket left" test ! -e "$sock"
check "no runtime state left" test ! -e "/run/containerd/husk/$NS/victim"
c container rm victim >/dev/null 2>&1
