#!/usr/bin/env bash
# CLI NOTIFY_SOCKET (runc's sd_notify relay): with NOTIFY_SOCKET set, create/run bind-mount
# <root>/<id>/notify at /run/notify and set NOTIFY_SOCKET=/run/notify/notify.sock in the
# container; start (and run -d / run) bind that socket and wait for the container's READY=,
# relay it to the host socket with MAINPID (and BARRIER=1, sd_notify_barrier: runc >= 1.2), or
# return when the init exits. The host side is a python listener that logs every datagram.
. "$(dirname "$0")/lib.sh"

unset NOTIFY_SOCKET

# listen_start [BARRIER_DELAY [ADDRESS]]: the host's notify socket ($T/host.sock, or ADDRESS,
# "@name" = abstract); every datagram is logged as JSON to $T/host.log; received fds (the
# barrier pipe) are closed after BARRIER_DELAY seconds. Sets HOST to the address.
listen_start() {
	HOST=${2:-$T/host.sock}
	cat >"$T/listen.py" <<'EOF'
import array, json, os, socket, sys, time
addr, log, delay = sys.argv[1], sys.argv[2], float(sys.argv[3])
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("\0" + addr[1:] if addr.startswith("@") else addr)
open(log + ".ready", "w").close()
def rec(d):
    with open(log, "a") as f:
        f.write(json.dumps(d) + "\n")
while True:
    data, anc, _, _ = s.recvmsg(65536, socket.CMSG_SPACE(16 * 4))
    fds = []
    for lvl, typ, cd in anc:
        if lvl == socket.SOL_SOCKET and typ == socket.SCM_RIGHTS:
            a = array.array("i")
            a.frombytes(cd[: len(cd) - len(cd) % 4])
            fds += list(a)
    rec({"t": time.time(), "data": data.decode("utf-8", "replace"), "nfds": len(fds)})
    if fds:
        time.sleep(delay)
        for fd in fds:
            os.close(fd)
        rec({"t": time.time(), "closed": len(fds)})
EOF
	: >"$T/host.log"
	bg python3 "$T/listen.py" "$HOST" "$T/host.log" "${1:-0}"
	wait_for 10 test -e "$T/host.log.ready"
}

# host_lines: every line the host received, in order, one per line.
host_lines() {
	python3 -c '
import json, sys
for l in open(sys.argv[1]):
    d = json.loads(l)
    for x in d.get("data", "").split("\n"):
        if x:
            print(x)' "$T/host.log"
}

# check_relayed PID: the host got READY=1 then MAINPID=PID (runc 1.1 sends both in one datagram,
# newer runc and husk one each), then, from husk (and runc >= 1.2), BARRIER=1 with one fd.
check_relayed() {
	local got want
	got=$(host_lines | tr '\n' ' ')
	want="READY=1 MAINPID=$1 BARRIER=1 "
	if is_runc && [ "$got" = "READY=1 MAINPID=$1 " ]; then
		echo "runc without sd_notify_barrier: $got"
		return 0
	fi
	check_eq "$got" "$want" "host notify messages"
	python3 -c '
import json, sys
r = [json.loads(l) for l in open(sys.argv[1])]
b = [x for x in r if x.get("data") == "BARRIER=1"]
assert len(b) == 1 and b[0]["nfds"] == 1, r
assert any(x.get("closed") == 1 for x in r), r' "$T/host.log" || fail "barrier: $(cat "$T/host.log")"
}

now() { date +%s.%N; }
elapsed_ge() { # elapsed_ge T0 T1 SECONDS
	python3 -c 'import sys; sys.exit(0 if float(sys.argv[2]) - float(sys.argv[1]) >= float(sys.argv[3]) else 1)' "$@"
}

t_env_and_mount() {
	mkbundle
	set_args /init printenv NOTIFY_SOCKET ';;' echo --- ';;' mounts ';;' echo --- ';;' \
		stat /run/notify
	listen_start
	NOTIFY_SOCKET=$HOST create_ctr "$CID"
	[ -d "$ROOT/$CID/notify" ] || fail "no notify dir $ROOT/$CID/notify after create"
	check_eq "$(stat -c %a "$ROOT/$CID/notify")" 755 "notify dir mode"
	check_nofile "$ROOT/$CID/notify/notify.sock" "socket before start"
	NOTIFY_SOCKET=$HOST rt_ok start "$CID"
	wait_status "$CID" stopped
	[ -S "$ROOT/$CID/notify/notify.sock" ] || fail "no socket $ROOT/$CID/notify/notify.sock"
	check_eq "$(stat -c %a "$ROOT/$CID/notify/notify.sock")" 777 "socket mode"
	local out mi
	out=$(cat "$T/$CID.out")
	check_eq "$(echo "$out" | seg 1)" /run/notify/notify.sock "NOTIFY_SOCKET in the container"
	mi=$(echo "$out" | seg 2 | awk '$5 == "/run/notify"')
	[ -n "$mi" ] || fail "no /run/notify mount: $(echo "$out" | seg 2)"
	check_match "$(echo "$mi" | awk '{print $4}')" "/$CID/notify\$" "mount source"
	local o
	o=$(echo "$mi" | awk '{print $6}')
	for f in ro nosuid nodev noexec; do
		check_match "$o" "(^|,)$f(,|\$)" "mount options"
	done
	check_match "$(echo "$out" | seg 3)" '^d ' "/run/notify in the container"
	check_eq "$(host_lines)" "" "host messages without READY"
	rt_ok delete "$CID"
	check_nofile "$ROOT/$CID" "state dir after delete"
}

t_no_notify_socket() {
	mkbundle
	set_args /init printenv ';;' echo --- ';;' mounts
	create_ctr "$CID"
	check_nofile "$ROOT/$CID/notify" "notify dir without NOTIFY_SOCKET"
	rt_ok start "$CID"
	wait_status "$CID" stopped
	local out
	out=$(cat "$T/$CID.out")
	check_nomatch "$(echo "$out" | seg 1)" '^NOTIFY_SOCKET=' "env"
	check_nomatch "$(echo "$out" | seg 2 | awk '{print $5}')" '^/run/notify$' "mounts"
	rt_ok delete "$CID"
}

t_start_waits_for_ready() {
	mkbundle
	set_args /init sleep 1.5 ';;' notify READY=1 ';;' pause
	listen_start
	snap
	NOTIFY_SOCKET=$HOST create_ctr "$CID"
	local pid t0 t1
	pid=$(ctr_pid "$CID")
	t0=$(now)
	NOTIFY_SOCKET=$HOST rt_ok start "$CID"
	t1=$(now)
	elapsed_ge "$t0" "$t1" 1.3 || fail "start returned before READY ($t0 .. $t1)"
	check_relayed "$pid"
	check_eq "$(status "$CID")" running "status"
	rt_ok kill "$CID" KILL
	wait_status "$CID" stopped
	rt_ok delete "$CID"
	check_no_leftovers "$CID"
}

t_barrier_is_waited_for() {
	husk_only "runc 1.1 has no sd_notify_barrier (runc >= 1.2 does)"
	mkbundle
	set_args /init notify READY=1 ';;' pause
	listen_start 1.5
	NOTIFY_SOCKET=$HOST create_ctr "$CID"
	local t0 t1
	t0=$(now)
	NOTIFY_SOCKET=$HOST rt_ok start "$CID"
	t1=$(now)
	elapsed_ge "$t0" "$t1" 1.3 || fail "start did not wait for the barrier ($t0 .. $t1)"
	python3 -c '
import json, sys
r = [json.loads(l) for l in open(sys.argv[1])]
c = [x["t"] for x in r if "closed" in x]
assert c and c[0] <= float(sys.argv[2]), (r, sys.argv[2])' "$T/host.log" "$t1" ||
		fail "start returned before the barrier closed: $(cat "$T/host.log")"
}

t_exit_without_ready() {
	mkbundle
	set_args /init sleep 0.5 ';;' exit 3
	listen_start
	NOTIFY_SOCKET=$HOST create_ctr "$CID"
	NOTIFY_SOCKET=$HOST rt_ok start "$CID"
	wait_status "$CID" stopped 5
	check_eq "$(host_lines)" "" "host messages"
	rt_ok delete "$CID"
}

t_ready_then_exit() {
	mkbundle
	set_args /init notify READY=1
	listen_start
	NOTIFY_SOCKET=$HOST create_ctr "$CID"
	local pid
	pid=$(ctr_pid "$CID")
	NOTIFY_SOCKET=$HOST rt_ok start "$CID"
	check_relayed "$pid"
	rt_ok delete "$CID"
}

t_other_messages_not_relayed() {
	mkbundle
	set_args /init notify STATUS=starting ';;' sleep 0.3 ';;' notify "READY=1
STATUS=up" ';;' pause
	listen_start
	NOTIFY_SOCKET=$HOST create_ctr "$CID"
	local pid
	pid=$(ctr_pid "$CID")
	NOTIFY_SOCKET=$HOST rt_ok start "$CID"
	check_relayed "$pid"
}

t_ready_after_other_lines() {
	husk_only "runc only looks for READY= at the start of a datagram"
	mkbundle
	set_args /init notify "STATUS=almost
READY=1" ';;' pause
	listen_start
	NOTIFY_SOCKET=$HOST create_ctr "$CID"
	local pid
	pid=$(ctr_pid "$CID")
	NOTIFY_SOCKET=$HOST rt_ok start "$CID"
	check_relayed "$pid"
}

t_abstract_host_socket() {
	mkbundle
	set_args /init notify READY=1 ';;' pause
	listen_start 0 "@husk-notify-$CID"
	NOTIFY_SOCKET=$HOST create_ctr "$CID"
	local pid
	pid=$(ctr_pid "$CID")
	NOTIFY_SOCKET=$HOST rt_ok start "$CID"
	check_relayed "$pid"
}

t_run_detached() {
	mkbundle
	set_args /init sleep 1 ';;' notify READY=1 ';;' pause
	listen_start
	snap
	local t0 t1
	t0=$(now)
	NOTIFY_SOCKET=$HOST run_d "$CID"
	t1=$(now)
	elapsed_ge "$t0" "$t1" 0.8 || fail "run -d returned before READY ($t0 .. $t1)"
	check_eq "$(status "$CID")" running "status"
	check_relayed "$(ctr_pid "$CID")"
	[ -S "$ROOT/$CID/notify/notify.sock" ] || fail "no socket $ROOT/$CID/notify/notify.sock"
	rt_ok delete -f "$CID"
	check_no_leftovers "$CID"
}

t_run_foreground() {
	mkbundle
	set_args /init notify READY=1 ';;' sleep 0.3 ';;' echo done
	listen_start
	snap
	local rc=0
	# The runtime's own pid: the shell that records it execs it.
	NOTIFY_SOCKET=$HOST timeout -k 5 30 bash -c 'echo $$ >"$1"; shift; exec "$@"' _ \
		"$T/run.pid" "$RUNTIME" --root "$ROOT" run --bundle "$T/b" "$CID" </dev/null \
		>"$T/out" 2>"$T/err" || rc=$?
	check_eq "$rc" 0 "run exit status ($(cat "$T/err"))"
	check_eq "$(grep -v notified "$T/out")" done "output"
	# run stays with the container: its own pid is the main pid (as runc).
	check_relayed "$(cat "$T/run.pid")"
	check_no_leftovers "$CID"
}

t_run_foreground_without_ready() {
	husk_only "runc 1.1 run waits for READY= forever"
	mkbundle
	set_args /init echo hi
	listen_start
	NOTIFY_SOCKET=$HOST run_ctr "$T/b" "$CID"
	check_eq "$RC" 0 "run exit status"
	check_eq "$(cat "$T/out")" hi "output"
	check_eq "$(host_lines)" "" "host messages"
}

t_start_needs_notify_dir() {
	mkbundle
	set_args /init notify READY=1 ';;' pause
	listen_start
	create_ctr "$CID"
	NOTIFY_SOCKET=$HOST rt_fail start "$CID"
	check_eq "$(status "$CID")" created "status after the failed start"
	check_eq "$(host_lines)" "" "host messages"
}

t_start_host_socket_missing() {
	mkbundle
	set_args /init pause
	NOTIFY_SOCKET=$T/host.sock create_ctr "$CID"
	NOTIFY_SOCKET=$T/nothing.sock rt_fail start "$CID"
	check_eq "$(status "$CID")" running "status (the container started)"
}

t_failed_create_leaves_nothing() {
	mkbundle
	cfg 'add_mount("/mnt/x", "bind", "/nonexistent/husk-notify-src", ["bind"])'
	listen_start
	snap
	NOTIFY_SOCKET=$HOST rt_fail create --bundle "$T/b" "$CID"
	check_no_leftovers "$CID"
	snap
	NOTIFY_SOCKET=$HOST rt_fail run -d --bundle "$T/b" "$CID"
	check_no_leftovers "$CID"
}

t_root_too_long() {
	husk_only "runc creates it and fails at start, when it binds the socket"
	mkbundle
	local root rc=0
	root=$T/$(printf 'r%.0s' $(seq 90))
	NOTIFY_SOCKET=$T/host.sock "$RUNTIME" --root "$root" create --bundle "$T/b" "$CID" \
		</dev/null >"$T/out" 2>"$T/err" || rc=$?
	[ $rc -ne 0 ] || fail "create with a too long notify socket path succeeded"
	check_match "$(cat "$T/err")" "notify socket .* too long" "error"
	check_nofile "$root/$CID" "state dir"
}

run_tests t_env_and_mount t_no_notify_socket t_start_waits_for_ready t_barrier_is_waited_for \
	t_exit_without_ready t_ready_then_exit t_other_messages_not_relayed \
	t_ready_after_other_lines t_abstract_host_socket t_run_detached t_run_foreground \
	t_run_foreground_without_ready t_start_needs_notify_dir t_start_host_socket_missing \
	t_failed_create_leaves_nothing t_root_too_long
