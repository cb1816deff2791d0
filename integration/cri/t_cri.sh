#!/usr/bin/env bash
# containerd's CRI (what the kubelet talks to) with runtime handlers `husk`
# (io.containerd.husk.v2) and `runc` (io.containerd.runc.v2), side by side, driven by our CRI
# client (cri.py): pods with their own and the host's network namespace, containers in them,
# one shim per pod, ExecSync, CRI logs, stats, resource updates, stop with a grace period,
# exit codes, OOM, and nothing left behind. TAP.
cd "$(dirname "$0")/../.." || exit 1
. integration/containerd/lib.sh
. integration/cri/lib.sh
cri_probe
echo "1..189"
cri_start || {
	echo "Bail out! containerd with CRI did not start"
	sed 's/^/#   /' "$CTRD_DIR/containerd.log" 2>/dev/null | tail -20
	exit 1
}

LOOP='trap "exit 9" TERM; while :; do sleep 0.1; done'
HUSK_SHIM=$(readlink -f "$BUILD/containerd-shim-husk-v2")
RUNC_SHIM=$(readlink -f "$(command -v containerd-shim-runc-v2)")
TS='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})'

is "Version names containerd and CRI v1" \
	"$(cri -q runtime_name version) $(cri -q runtime_api_version version)" "containerd v1"
st=$(cri status)
is "Status: RuntimeReady and NetworkReady" "$("$PY" -c '
import json, sys
c = json.loads(sys.argv[1])["status"]["conditions"]
print(" ".join(x["type"] + "=" + str(x["status"]) for x in c))' "$st")" \
	"RuntimeReady=True NetworkReady=True"
imgs=$(cri -q images images)
check "ListImages shows the imported busybox and pause images" \
	grep -q "\"$IMG\".*\"$PAUSE_IMG\"\|\"$PAUSE_IMG\".*\"$IMG\"" <<<"$imgs"
listen=$(ss -ltnpH 2>/dev/null | grep "pid=$CTRD_PID," | awk '{ print $4 }')
check "containerd listens on TCP (the stream server) on 127.0.0.1 only" \
	test -n "$listen" -a -z "$(grep -v '^127\.0\.0\.1:' <<<"$listen")"

# lap NAME: with CRI_TIMING=1, the seconds since the last lap as a TAP comment.
lap_t=$SECONDS
lap() {
	[ -n "${CRI_TIMING:-}" ] && diag "$h: $((SECONDS - lap_t)) s before $1"
	lap_t=$SECONDS
}
# contains TEXT WORD...: every WORD occurs in TEXT.
contains() {
	local s=$1 w
	shift
	for w; do grep -qF -- "$w" <<<"$s" || return 1; done
}
# alive PID...: those of the processes that still run after up to 5 s (a zombie is dead: the
# test's pause process reaps nothing).
alive() {
	local p left
	for _ in $(seq 1 50); do
		left=
		for p; do
			sed 's/.*) //' "/proc/$p/stat" 2>/dev/null | grep -qv '^Z' && left="$left $p"
		done
		[ -z "$left" ] && break
		sleep 0.1
	done
	echo $left
}
# pod_pid POD: the pause process's pid.
pod_pid() { cri -q info.info.pid inspectp "$1"; }
ctr_pid() { cri -q info.info.pid inspect "$1"; }

# handler_tests H: every scenario with runtime handler H.
handler_tests() {
	local h=$1 shim_exe pa pb ppa ppb main mpid shim_a shim_b b1 b1pid out rc t t0=$SECONDS
	[ "$h" = husk ] && shim_exe=$HUSK_SHIM || shim_exe=$RUNC_SHIM

	# --- pods ---
	lap "pods"
	pod_json "a-$h" POD
	pa=$(runp "a-$h" "$h")
	check "$h: RunPodSandbox, own network namespace" test -n "$pa"
	read -r t out ppa <<<"$(cri -q status.state,status.network.ip,info.info.pid inspectp "$pa")"
	is "$h: PodSandboxStatus is SANDBOX_READY" "$t" SANDBOX_READY
	is "$h: the pod has the CNI address" "$out" 192.0.2.1
	check "$h: the pause process runs" test -n "$ppa" -a -d "/proc/$ppa"
	check "$h: the pause process is not in the host's network namespace" \
		test "$(readlink "/proc/$ppa/ns/net")" != "$(readlink /proc/self/ns/net)"
	out=$(nsenter -t "$ppa" -n ip -o link show 2>&1)
	check "$h: its network namespace has lo up and eth0" \
		contains "$out" "1: lo: <LOOPBACK,UP" ": eth0@"

	pod_json "b-$h" NODE privileged
	pb=$(runp "b-$h" "$h")
	read -r t ppb <<<"$(cri -q status.state,info.info.pid inspectp "$pb")"
	is "$h: RunPodSandbox, host network: SANDBOX_READY" "$t" SANDBOX_READY
	check "$h: the host-network pod is in the host's network namespace" \
		test -n "$ppb" -a "$(readlink "/proc/$ppb/ns/net")" = "$(readlink /proc/self/ns/net)"

	# --- a container ---
	lap "a container"
	main=$(CTR_PIDNS=POD run_ctr "$pa" "a-$h" main "$IMG" '{}' \
		sh -c "echo hello-out; echo hello-err >&2; $LOOP")
	check "$h: CreateContainer + StartContainer" test -n "$main"
	read -r t mpid <<<"$(cri -q status.state,info.info.pid inspect "$main")"
	is "$h: ContainerStatus is CONTAINER_RUNNING" "$t" CONTAINER_RUNNING
	check "$h: ContainerStatus gives the pid of a live process" \
		test -n "$mpid" -a "${mpid:-0}" -gt 0 -a -d "/proc/$mpid"
	check "$h: the container shares the pod's network and ipc namespaces" \
		test "$(readlink "/proc/$mpid/ns/net") $(readlink "/proc/$mpid/ns/ipc")" = \
		"$(readlink "/proc/$ppa/ns/net") $(readlink "/proc/$ppa/ns/ipc")"
	check "$h: and, with pid: POD, the pod's pid namespace" \
		test "$(readlink "/proc/$mpid/ns/pid")" = "$(readlink "/proc/$ppa/ns/pid")" -a \
		"$(readlink "/proc/$ppa/ns/pid")" != "$(readlink /proc/self/ns/pid)"

	# --- grouping: one shim per pod ---
	lap "grouping"
	shim_a=$(ppid_of "$ppa")
	is "$h: the pause container's parent is the $h shim" "$(exe_of "$shim_a")" "$shim_exe"
	is "$h: the app container has the same parent (one shim for the pod)" \
		"$(ppid_of "$mpid")" "$shim_a"
	b1=$(run_ctr "$pb" "b-$h" b1 "$IMG" '{}' sh -c "$LOOP")
	b1pid=$(ctr_pid "$b1")
	check "$h: a container with pid: CONTAINER has its own pid namespace" \
		test -n "$b1pid" -a "$(readlink "/proc/$b1pid/ns/pid")" != "$(readlink "/proc/$ppb/ns/pid")"
	shim_b=$(ppid_of "$ppb")
	is "$h: the second pod's containers share its shim" "$(ppid_of "$b1pid")" "$shim_b"
	check "$h: two pods, two shims" test -n "$shim_b" -a "$shim_b" != "$shim_a" \
		-a "$(exe_of "$shim_b")" = "$shim_exe"
	if [ "$h" = husk ]; then
		is "husk: exactly two husk shim processes serve the two pods" \
			"$(shim_pids "$HUSK_SHIM" | sort | tr '\n' ' ')" \
			"$(printf '%s\n' "$shim_a" "$shim_b" | sort | tr '\n' ' ')"
	fi

	record_sockets

	# --- containerd restarts under the running pods ---
	lap "containerd restarts under the running pods"
	check "$h: containerd restarts" cri_restart
	is "$h: after the restart the pod is SANDBOX_READY" "$(cri -q status.state inspectp "$pa")" \
		SANDBOX_READY
	is "$h: ... the container CONTAINER_RUNNING, with the same pid" \
		"$(cri -q status.state,info.info.pid inspect "$main")" "CONTAINER_RUNNING $mpid"
	check "$h: ... served by the same shim" test "$(ppid_of "$mpid")" = "$shim_a" -a -d "/proc/$shim_a"

	# --- ExecSync ---
	lap "ExecSync"
	out=$(cri exec "$main" 10 sh -c 'echo out; echo err >&2; exit 3' 2>"$CTRD_DIR/err")
	rc=$?
	is "$h: ExecSync stdout" "$out" out
	is "$h: ExecSync stderr" "$(cat "$CTRD_DIR/err")" err
	is "$h: ExecSync exit code" "$rc" 3
	is "$h: ExecSync runs in the pod's uts namespace" "$(cri exec "$main" 10 hostname)" "a-$h"
	check "$h: ExecSync sees the pause process in the shared pid namespace" \
		grep -q '^/init pause$' <<<"$(cri exec "$main" 10 ps -o args)"
	cri exec "$main" 20 seq 1 50000 >"$CTRD_DIR/out"
	is "$h: ExecSync returns a large output whole" \
		"$(wc -l <"$CTRD_DIR/out") $(tail -1 "$CTRD_DIR/out")" "50000 50000"
	out=$(cri exec "$main" 1 sleep 37 2>&1)
	rc=$?
	is "$h: ExecSync with a timeout fails" "$rc" 200
	check "$h: with a timeout error" grep -q 'timeout 1s exceeded' <<<"$out"
	t=
	for _ in $(seq 1 20); do
		t=$(for p in $(cat "$(ctr_cgroup "$mpid" pids)/cgroup.procs" 2>/dev/null); do
			tr '\0' ' ' 2>/dev/null <"/proc/$p/cmdline"; echo; done | grep -c '^sleep 37')
		[ "$t" = 0 ] && break
		sleep 0.1
	done
	is "$h: the timed-out exec was killed" "$t" 0

	# --- what CRI puts in the spec: user, cwd, env, mounts, read-only root, /etc files, sysctls ---
	lap "what CRI puts in the spec"
	mkdir -p "$CTRD_DIR/vol-$h"
	echo vol-data >"$CTRD_DIR/vol-$h/data"
	cat >"$CTRD_DIR/ctr-spec.json" <<JSON
{"metadata": {"name": "spec"}, "image": {"image": "$IMG"},
 "command": ["sh", "-c", "while :; do sleep 0.1; done"], "working_dir": "/tmp",
 "envs": [{"key": "FOO", "value": "bar baz"}], "log_path": "spec.log",
 "mounts": [{"container_path": "/vol", "host_path": "$CTRD_DIR/vol-$h", "readonly": true}],
 "linux": {"resources": {"oom_score_adj": 500},
           "security_context": {"run_as_user": {"value": 65534}, "readonly_rootfs": true}}}
JSON
	t=$(start_ctr "$pa" "a-$h" spec)
	is "$h: the container's oom_score_adj" "$(cat "/proc/$(ctr_pid "$t")/oom_score_adj")" 500
	is "$h: run_as_user, working_dir, envs" \
		"$(cri exec "$t" 10 sh -c 'echo "$(id -u) $(pwd) $FOO"')" "65534 /tmp bar baz"
	is "$h: a read-only host_path mount" \
		"$(cri exec "$t" 10 sh -c 'cat /vol/data; touch /vol/x 2>/dev/null; echo $?')" \
		"vol-data
1"
	is "$h: readonly_rootfs" "$(cri exec "$t" 10 sh -c 'touch /x 2>/dev/null; echo $?')" 1
	is "$h: /etc/hostname, /etc/hosts and /etc/resolv.conf from CRI" \
		"$(cri exec "$t" 10 sh -c 'cat /etc/hostname; test -s /etc/hosts && test -f /etc/resolv.conf && echo files')" \
		"a-$h
files"
	cri exec "$main" 10 sh -c 'echo shm-data >/dev/shm/x' >/dev/null
	is "$h: the containers of a pod share /dev/shm" "$(cri exec "$t" 10 cat /dev/shm/x)" shm-data
	is "$h: the pod's sysctl is set in its network namespace" \
		"$(cri exec "$t" 10 cat /proc/sys/net/ipv4/ip_unprivileged_port_start)" 1000
	is "$h: the pause container has CRI's cpu.shares of 2" \
		"$(cat "$(ctr_cgroup "$ppa" cpu)/cpu.shares" 2>&1)" 2
	cri stop "$t" 0
	cri rm "$t"

	# --- ExecSync calls at the same time (the kubelet's probes) ---
	lap "ExecSync calls at the same time (the kubelet's probes)"
	t=
	for i in 1 2 3 4; do
		cri exec "$main" 10 sh -c "sleep 0.5; echo exec-$i; exit $i" >"$CTRD_DIR/par$i" 2>&1 &
		t="$t $!"
	done
	wait $t # (not a bare wait: containerd is our child too)
	is "$h: four concurrent ExecSync calls get their own output" \
		"$(cat "$CTRD_DIR"/par[1-4] | tr '\n' ' ')" "exec-1 exec-2 exec-3 exec-4 "

	# --- privileged ---
	lap "privileged"
	cat >"$CTRD_DIR/ctr-priv.json" <<JSON
{"metadata": {"name": "priv"}, "image": {"image": "$IMG"},
 "command": ["sh", "-c", "while :; do sleep 0.1; done"], "log_path": "priv.log",
 "linux": {"security_context": {"privileged": true}}}
JSON
	t=$(start_ctr "$pb" "b-$h" priv)
	is "$h: privileged: every capability of the bounding set" \
		"$(cri exec "$t" 10 grep CapEff /proc/self/status | awk '{ print $2 }')" \
		"$(awk '/^CapBnd/ { print $2 }' /proc/self/status)"
	cri exec "$t" 10 sh -c 'ls /dev | wc -l' >"$CTRD_DIR/privdev-$h"
	check "$h: privileged: the host's devices (/dev/loop-control, /dev/kmsg)" \
		cri exec "$t" 10 sh -c 'test -c /dev/loop-control && test -c /dev/kmsg'
	cri stop "$t" 0
	cri rm "$t"

	# --- a tty container ---
	lap "a tty container"
	cat >"$CTRD_DIR/ctr-tty.json" <<JSON
{"metadata": {"name": "tty"}, "image": {"image": "$IMG"}, "tty": true,
 "command": ["sh", "-c", "tty; echo tty-out; exit 4"], "log_path": "tty.log"}
JSON
	t=$(start_ctr "$pa" "a-$h" tty)
	wait_state "$t" CONTAINER_EXITED
	is "$h: a tty container's exit code" "$(cri -q status.exit_code inspect "$t")" 4
	check "$h: its output reaches the log from the pty" \
		grep -Eq "^$TS stdout F tty-out\$" "$CTRD_DIR/logs/a-$h/tty.log"
	check "$h: on /dev/pts/0" grep -Eq "^$TS stdout F /dev/pts/0\$" "$CTRD_DIR/logs/a-$h/tty.log"
	cri rm "$t"

	# --- logs ---
	lap "logs"
	for _ in $(seq 1 50); do
		grep -q hello-err "$CTRD_DIR/logs/a-$h/main.log" 2>/dev/null && break
		sleep 0.1
	done
	check "$h: stdout reaches the CRI log as '<time> stdout F line'" \
		grep -Eq "^$TS stdout F hello-out\$" "$CTRD_DIR/logs/a-$h/main.log"
	check "$h: stderr reaches the CRI log as '<time> stderr F line'" \
		grep -Eq "^$TS stderr F hello-err\$" "$CTRD_DIR/logs/a-$h/main.log"

	t=$(run_ctr "$pa" "a-$h" many "$IMG" '{}' sh -c \
		'i=0; while [ $i -lt 5000 ]; do echo "line $i"; i=$((i+1)); done
		 head -c 20000 /dev/zero | tr "\0" x; echo')
	wait_state "$t" CONTAINER_EXITED
	"$PY" - "$CTRD_DIR/logs/a-$h/many.log" "$TS" >"$CTRD_DIR/logcheck" <<'PY'
import re, sys
ts, lines, long, bad = sys.argv[2], [], "", 0
for l in open(sys.argv[1]).read().split("\n")[:-1]:
    m = re.fullmatch(ts + r" stdout (?P<tag>[PF]) (?P<msg>.*)", l)
    if not m:
        bad += 1
    elif m["msg"].startswith("x"):
        long += m["msg"]
    else:
        lines.append(m["msg"] if m["tag"] == "F" else "partial")
print(lines == ["line %d" % i for i in range(5000)], len(long) == 20000, bad)
PY
	is "$h: 5000 lines and a 20000-byte line (split P/F) reach the log whole and in order" \
		"$(cat "$CTRD_DIR/logcheck")" "True True 0"
	cri rm "$t"

	# --- stats ---
	lap "stats"
	cri stats "$main" >"$CTRD_DIR/stats-$h.json"
	local sid scpu smem sts
	read -r sid scpu smem sts <<<"$(cri -q stats.attributes.id,stats.cpu.usage_core_nano_seconds.value,stats.memory.working_set_bytes.value,stats.cpu.timestamp stats "$main")"
	is "$h: ContainerStats names the container" "$sid" "$main"
	check "$h: ContainerStats has CPU usage" test "${scpu:-0}" -gt 0
	check "$h: ContainerStats has a working set" test "${smem:-0}" -gt 0
	check "$h: ContainerStats has timestamps" test "${sts:-0}" -gt 0
	"$PY" -c '
import json, sys
def keys(d, p=""):
    for k, v in sorted(d.items()):
        if k != "attributes":
            yield p + k
            if isinstance(v, dict):
                yield from keys(v, p + k + ".")
print("\n".join(keys(json.load(open(sys.argv[1]))["stats"])))' "$CTRD_DIR/stats-$h.json" \
		>"$CTRD_DIR/statkeys-$h"
	out=$(cri -q stats statsall)
	check "$h: ListContainerStats succeeds and lists the containers of both pods" \
		contains "$out" "\"$main\"" "\"$b1\""
	out=$(cri -q stats statsall "$pa")
	check "$h: ListContainerStats filtered by pod" \
		test "$(contains "$out" "\"$main\"" && echo y)$(contains "$out" "\"$b1\"" && echo n)" = y

	# --- UpdateContainerResources ---
	lap "UpdateContainerResources"
	t=$(ctr_cgroup "$mpid" memory)
	is "$h: the container's cgroup is under the pod's cgroup parent" "$t" \
		"/sys/fs/cgroup/memory/$CRI_CG/$main"
	echo '{"memory_limit_in_bytes": 67108864, "cpu_period": 100000, "cpu_quota": 50000,
	       "cpu_shares": 512, "cpuset_cpus": "0"}' >"$CTRD_DIR/res.json"
	cri update "$main" "$CTRD_DIR/res.json"
	is "$h: UpdateContainerResources: memory.limit_in_bytes" \
		"$(cat "$t/memory.limit_in_bytes" 2>&1)" 67108864
	t=$(ctr_cgroup "$mpid" cpu)
	is "$h: UpdateContainerResources: cpu quota, period, shares" \
		"$(cat "$t/cpu.cfs_quota_us" "$t/cpu.cfs_period_us" "$t/cpu.shares" 2>&1 | tr '\n' ' ')" \
		"50000 100000 512 "
	is "$h: UpdateContainerResources: cpuset.cpus" \
		"$(cat "$(ctr_cgroup "$mpid" cpuset)/cpuset.cpus" 2>&1)" 0
	is "$h: ContainerStatus reports the new memory limit" \
		"$(cri -q status.resources.linux.memory_limit_in_bytes inspect "$main")" 67108864

	# --- StopContainer: SIGTERM, then SIGKILL after the grace period ---
	lap "StopContainer"
	cri stop "$main" 10
	is "$h: StopContainer: the container's TERM trap ends it, reason Error" \
		"$(cri -q status.state,status.exit_code,status.reason inspect "$main")" \
		"CONTAINER_EXITED 9 Error"
	# (in the pod's pid namespace, with a background process that keeps its stdout open)
	t=$(CTR_PIDNS=POD run_ctr "$pa" "a-$h" stubborn "$IMG" '{}' \
		sh -c 'sleep 1000 & trap "echo got-term" TERM; echo ready; while :; do sleep 0.1; done')
	for _ in $(seq 1 50); do
		grep -q ready "$CTRD_DIR/logs/a-$h/stubborn.log" 2>/dev/null && break
		sleep 0.1
	done
	out=$(cat "$(ctr_cgroup "$(ctr_pid "$t")" pids)/cgroup.procs")
	CRI_TIMEOUT=30 cri stop "$t" 2
	is "$h: StopContainer on a process that survives SIGTERM: SIGKILL after the grace period" \
		"$(cri -q status.state,status.exit_code inspect "$t")" "CONTAINER_EXITED 137"
	check "$h: it got SIGTERM first" grep -q 'stdout F got-term$' \
		"$CTRD_DIR/logs/a-$h/stubborn.log"
	is "$h: pid: POD: the container's other processes die with its init" "$(alive $out)" ""
	cri rm "$t"

	# --- containers that end by themselves ---
	lap "containers that end by themselves"
	t=$(run_ctr "$pa" "a-$h" exit7 "$IMG" '{}' sh -c 'echo bye; exit 7')
	check "$h: a container that exits by itself is CONTAINER_EXITED" wait_state "$t" CONTAINER_EXITED
	is "$h: its exit code and reason" "$(cri -q status.exit_code,status.reason inspect "$t")" \
		"7 Error"
	# (not finished_at >= started_at: CRI takes started_at when Start returns, and a quick
	# process may have exited by then; containerd-shim-runc-v2 shows it now and then)
	out=$(cri inspect "$t")
	check "$h: started_at and finished_at are set, after created_at" "$PY" -c '
import json, sys
s = json.loads(sys.argv[1])["status"]
c, st, f = (int(s[k]) for k in ("created_at", "started_at", "finished_at"))
sys.exit(not (0 < c < st and c < f))' "$out"
	cri rm "$t"
	t=$(CTR_PIDNS=POD run_ctr "$pa" "a-$h" exitbg "$IMG" '{}' \
		sh -c 'sleep 1000 & sleep 0.5; exit 5')
	check "$h: pid: POD, an init that exits leaving a background process: CONTAINER_EXITED" \
		wait_state "$t" CONTAINER_EXITED
	is "$h: ... with its exit code" "$(cri -q status.exit_code,status.reason inspect "$t")" "5 Error"
	for _ in $(seq 1 50); do
		out=$(cat "/sys/fs/cgroup/pids/$CRI_CG/$t/cgroup.procs" 2>/dev/null)
		[ -z "$out" ] && break
		sleep 0.1
	done
	is "$h: ... and no process is left in its cgroup" "$out" ""
	cri rm "$t"
	t=$(run_ctr "$pa" "a-$h" exit0 "$IMG" '{}' true)
	wait_state "$t" CONTAINER_EXITED
	is "$h: exit 0 is reason Completed" "$(cri -q status.exit_code,status.reason inspect "$t")" \
		"0 Completed"
	cri rm "$t"

	# --- OOM ---
	lap "OOM"
	t=$(run_ctr "$pa" "a-$h" oom "$PAUSE_IMG" '{"memory_limit_in_bytes": 33554432}' /init oom)
	check "$h: a container allocating past its 32 MiB limit ends" wait_state "$t" CONTAINER_EXITED
	for _ in $(seq 1 20); do
		[ "$(cri -q status.reason inspect "$t")" = OOMKilled ] && break
		sleep 0.25
	done
	is "$h: ... with reason OOMKilled and exit code 137" \
		"$(cri -q status.reason,status.exit_code inspect "$t")" "OOMKilled 137"
	cri rm "$t"

	# --- RemoveContainer ---
	lap "RemoveContainer"
	cri rm "$main"
	out=$(cri -q containers ps "$pa")
	is "$h: RemoveContainer: the pod lists no container" "$out" "[]"
	check "$h: the pod's shim still runs for the pause container" kill -0 "$shim_a"
	is "$h: the pause container still has the same shim" "$(ppid_of "$ppa")" "$shim_a"

	# --- the pause process killed from outside ---
	lap "the pause process killed from outside"
	pod_json "c-$h" POD
	local pc ppc vic shim_c
	pc=$(runp "c-$h" "$h")
	ppc=$(pod_pid "$pc")
	shim_c=$(ppid_of "$ppc")
	vic=$(CTR_PIDNS=POD run_ctr "$pc" "c-$h" victim "$IMG" '{}' sh -c "$LOOP")
	wait_state "$vic" CONTAINER_RUNNING
	record_sockets
	kill -KILL "$ppc"
	check "$h: a pod whose pause process was killed becomes SANDBOX_NOTREADY" \
		wait_pod_state "$pc" SANDBOX_NOTREADY
	check "$h: its container, in the pause's pid namespace, is killed with it" \
		wait_state "$vic" CONTAINER_EXITED
	is "$h: ... exit code 137" "$(cri -q status.exit_code inspect "$vic")" 137
	cri stopp "$pc"
	cri rmp "$pc"
	is "$h: that pod stops and is removed" "$?" 0
	for _ in $(seq 1 50); do [ -d "/proc/$shim_c" ] || break; sleep 0.1; done
	check "$h: its shim exits" test -n "$shim_c" -a ! -d "/proc/$shim_c"

	# --- StopPodSandbox, RemovePodSandbox ---
	lap "StopPodSandbox, RemovePodSandbox"
	cri stopp "$pb"
	is "$h: StopPodSandbox: SANDBOX_NOTREADY" "$(cri -q status.state inspectp "$pb")" \
		SANDBOX_NOTREADY
	is "$h: StopPodSandbox stops the pod's running container" \
		"$(cri -q status.state inspect "$b1")" CONTAINER_EXITED
	check "$h: the pause process is gone" test ! -d "/proc/$ppb"
	cri stopp "$pa"
	cri stopp "$pa"
	is "$h: StopPodSandbox twice is fine" "$?" 0
	cri rmp "$pb"
	cri rmp "$pa"
	out=$(cri -q items pods)
	check "$h: RemovePodSandbox: no pod left" test "$out" = "[]"
	cri rmp "$pa"
	is "$h: RemovePodSandbox of a removed pod is fine" "$?" 0
	for _ in $(seq 1 50); do
		kill -0 "$shim_a" 2>/dev/null || kill -0 "$shim_b" 2>/dev/null || break
		sleep 0.1
	done
	check "$h: both shims exited" test -n "$shim_a" -a -n "$shim_b" -a ! -d "/proc/$shim_a" \
		-a ! -d "/proc/$shim_b"
	diag "$h: $((SECONDS - t0)) s"
}

for h in $HANDLERS; do
	handler_tests "$h"
done

check "husk and runc report the same ContainerStats fields" \
	cmp -s "$CTRD_DIR/statkeys-husk" "$CTRD_DIR/statkeys-runc"
is "husk and runc give a privileged container the same number of /dev entries" \
	"$(cat "$CTRD_DIR/privdev-husk")" "$(cat "$CTRD_DIR/privdev-runc")"

# --- nothing left behind ---
is "no husk shim process left" "$(shim_pids "$HUSK_SHIM" | wc -l)" 0
socks=$(sort -u "$CTRD_DIR/our.socks" | grep -c .)
is "no socket of our $socks shims (3 pods x 2 handlers) left in /run/containerd/s" \
	"$socks $(sort -u "$CTRD_DIR/our.socks" | while read -r s; do [ -e "$s" ] && echo "$s"; done)" "6 "
is "no mount left under the test dir" \
	"$(grep -c " $CTRD_DIR" /proc/self/mountinfo)" 0
is "no container cgroup left under /$CRI_CG" \
	"$(find /sys/fs/cgroup/*/"$CRI_CG" -mindepth 1 -type d 2>/dev/null | wc -l)" 0
for d in /sys/fs/cgroup/*/"$CRI_CG"; do [ -d "$d" ] && rmdir "$d"; done
is "the cgroup parents we made are removed" "$(ls -d /sys/fs/cgroup/*/"$CRI_CG" 2>/dev/null)" ""
is "no network namespace left (CRI's netns dir under our state dir)" \
	"$(ls -A "$CTRD_DIR/state/io.containerd.grpc.v1.cri/netns" 2>/dev/null)" ""
is "no CNI result of our pods left in /var/lib/cni" \
	"$(ls /var/lib/cni/results 2>/dev/null | grep -F -f "$CTRD_DIR/our.ids")" ""
is "husk: no runtime state of our pods and containers left" \
	"$(ls -A "/run/containerd/husk/$NS" 2>/dev/null | grep -F -f "$CTRD_DIR/our.ids")" ""
