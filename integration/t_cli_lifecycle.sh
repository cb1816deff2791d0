#!/usr/bin/env bash
# CLI lifecycle: create / start / state / kill / delete / run (-d, --keep, exit codes) /
# --pid-file / --bundle / list / ps / pause / resume / events --stats.
. "$(dirname "$0")/lib.sh"

t_create_waits_until_start() {
	mkbundle
	set_args /init echo hello
	create_ctr "$CID"
	check_eq "$(status "$CID")" created "status after create"
	local pid
	pid=$(ctr_pid "$CID")
	[ "$pid" -gt 0 ] && [ -d "/proc/$pid" ] || fail "created container has no live pid ($pid)"
	sleep 0.3
	[ ! -s "$T/$CID.out" ] || fail "process ran before start: $(cat "$T/$CID.out")"
	check_ne "$(tr '\0' ' ' <"/proc/$pid/cmdline")" "/init echo hello " "cmdline before start"
	rt_ok start "$CID"
	wait_output "$T/$CID.out" '^hello$'
	wait_status "$CID" stopped
}

t_state_fields() {
	mkbundle
	create_ctr "$CID"
	rt_ok state "$CID" >"$T/state.json"
	local b
	b=$(cd "$T/b" && pwd -P)
	py_json '
import re
for k in ("ociVersion", "id", "status", "pid", "bundle", "annotations", "rootfs", "created",
          "owner"):
    assert k in d, "state has no %r: %r" % (k, d)
assert d["id"] == sys.argv[1], d["id"]
assert d["status"] == "created", d["status"]
assert isinstance(d["pid"], int) and d["pid"] > 0, d["pid"]
assert d["bundle"] == sys.argv[2], (d["bundle"], sys.argv[2])
assert d["rootfs"] == sys.argv[2] + "/rootfs", d["rootfs"]
assert d["annotations"] == {"org.husk.test": "yes"}, d["annotations"]
assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", d["created"]), d["created"]
assert re.match(r"\d+\.\d+\.\d+", d["ociVersion"]), d["ociVersion"]
assert isinstance(d["owner"], str)
' "$CID" "$b" <"$T/state.json" || fail "state: $(cat "$T/state.json")"
	rt_ok start "$CID"
	check_eq "$(status "$CID")" running "status after start"
	rt_fail state "${CID}-nonexistent"
	check_match "$(cat "$T/err")" "${CID}-nonexistent|not exist|not found" "state of unknown id"
}

t_start_twice_fails() {
	mkbundle
	create_ctr "$CID"
	rt_ok start "$CID"
	rt_fail start "$CID"
	check_eq "$(status "$CID")" running "status after second start"
}

t_kill_signal_names_and_numbers() {
	mkbundle
	set_args /init signals
	create_ctr "$CID"
	rt_ok start "$CID"
	wait_output "$T/$CID.out" '^ready$'
	rt_ok kill "$CID" USR1
	wait_output "$T/$CID.out" '^signal 10$'
	rt_ok kill "$CID" SIGUSR2
	wait_output "$T/$CID.out" '^signal 12$'
	rt_ok kill "$CID" 1
	wait_output "$T/$CID.out" '^signal 1$'
	rt_fail kill "$CID" NOSUCHSIGNAL
	rt_ok kill "$CID"
	wait_output "$T/$CID.out" '^signal 15$'
	wait_status "$CID" stopped
	rt_fail kill "$CID" KILL
}

t_kill_all() {
	mkbundle
	set_args /init fork-sleep 3 100
	create_ctr "$CID"
	rt_ok start "$CID"
	wait_output "$T/$CID.out" '^forked 3$'
	local procs n p
	procs=$(cat "$(cg_dir pids "$CID")/cgroup.procs")
	n=$(echo "$procs" | wc -l)
	check_eq "$n" 4 "processes in the container cgroup"
	rt_ok kill --all "$CID" KILL
	wait_status "$CID" stopped
	for p in $procs; do
		wait_for 5 test ! -d "/proc/$p"
	done
}

t_delete_force_and_states() {
	mkbundle
	run_d "$CID"
	rt_fail delete "$CID"
	check_eq "$(status "$CID")" running "status after refused delete"
	local pid
	pid=$(ctr_pid "$CID")
	rt_ok delete --force "$CID"
	wait_for 5 test ! -d "/proc/$pid"
	check_eq "$(status "$CID")" "" "status after delete"
	check_nofile "$(cg_dir memory "$CID")" "cgroup after delete"
	rt_fail delete "$CID"
	# a stopped container is deleted without --force
	mkbundle "$T/b2" "${CID}b"
	set_args "$T/b2" /init exit 0
	run_d "${CID}b" "$T/b2"
	wait_status "${CID}b" stopped
	rt_ok delete "${CID}b"
	check_eq "$(status "${CID}b")" "" "status after delete of a stopped container"
	check_nofile "$ROOT/${CID}b" "state dir"
}

t_delete_created() {
	mkbundle
	create_ctr "$CID"
	local pid
	pid=$(ctr_pid "$CID")
	rt_ok delete "$CID"
	wait_for 5 test ! -d "/proc/$pid"
	check_eq "$(status "$CID")" "" "status after delete"
	check_nofile "$(cg_dir pids "$CID")" "cgroup after delete"
}

t_run_foreground_exit_code() {
	mkbundle
	set_args /init echo out ';;' exit 42
	run_ctr "$T/b" "$CID"
	check_eq "$RC" 42 "exit code of run"
	check_eq "$(cat "$T/out")" out "stdout of run"
	check_eq "$(status "$CID")" "" "container after run (deleted without --keep)"
	set_args /init exit 0
	run_ctr "$T/b" "$CID"
	check_eq "$RC" 0 "exit code of run"
}

t_run_killed_exit_code() {
	mkbundle
	set_args /init pause
	local rc=0 pid
	rt run --bundle "$T/b" "$CID" </dev/null >"$T/out" 2>"$T/err" &
	pid=$!
	wait_status "$CID" running
	rt_ok kill "$CID" KILL
	wait "$pid" || rc=$?
	check_eq "$rc" 137 "exit code of run after SIGKILL"
}

t_run_detach_and_keep() {
	mkbundle
	local t0 t1
	t0=$(date +%s)
	run_d "$CID"
	t1=$(date +%s)
	[ $((t1 - t0)) -lt 10 ] || fail "run -d took $((t1 - t0))s"
	check_eq "$(status "$CID")" running "status after run -d"
	kill -0 "$(ctr_pid "$CID")" || fail "pid of run -d not alive"
	mkbundle "$T/b2" "${CID}k"
	set_args "$T/b2" /init exit 3
	rt run --keep --bundle "$T/b2" "${CID}k" </dev/null >"$T/out" 2>"$T/err" || true
	check_eq "$(status "${CID}k")" stopped "status after run --keep"
	rt_ok delete "${CID}k"
}

t_pid_file() {
	mkbundle
	create_ctr "$CID" "$T/b" --pid-file "$T/pidfile"
	check_eq "$(cat "$T/pidfile")" "$(ctr_pid "$CID")" "create --pid-file"
	mkbundle "$T/b2" "${CID}b"
	(cd "$T" && rt run -d --bundle "$T/b2" --pid-file rel.pid "${CID}b" </dev/null >/dev/null 2>&1) ||
		fail "run -d --pid-file (relative)"
	check_eq "$(cat "$T/rel.pid")" "$(ctr_pid "${CID}b")" "run -d --pid-file (relative to cwd)"
}

t_bundle_defaults_to_cwd() {
	mkbundle
	(cd "$T/b" && rt create "$CID" </dev/null >/dev/null 2>"$T/err") || fail "create in cwd: $(cat "$T/err")"
	local bundle
	bundle=$(rt state "$CID" | py_json 'print(d["bundle"])')
	check_eq "$bundle" "$(cd "$T/b" && pwd -P)" "bundle of create without --bundle"
}

t_duplicate_id_refused() {
	mkbundle
	create_ctr "$CID"
	local pid
	pid=$(ctr_pid "$CID")
	mkbundle "$T/b2"
	rt_fail create --bundle "$T/b2" "$CID"
	check_match "$(cat "$T/err")" "exist" "error of a duplicate id"
	check_eq "$(ctr_pid "$CID")" "$pid" "first container after the refused duplicate"
	check_eq "$(status "$CID")" created "first container after the refused duplicate"
}

t_list_table_json_quiet() {
	mkbundle
	run_d "$CID"
	mkbundle "$T/b2" "${CID}b"
	create_ctr "${CID}b" "$T/b2"
	local out
	out=$(rt_ok list)
	check_match "$(echo "$out" | head -1)" '^ID +PID +STATUS +BUNDLE +CREATED +OWNER' "list header"
	check_match "$out" "^$CID +[0-9]+ +running +$T/b " "list row of $CID"
	check_match "$out" "^${CID}b +[0-9]+ +created +$T/b2 " "list row of ${CID}b"
	rt_ok list --format json >"$T/list.json"
	py_json '
ids = {c["id"]: c for c in d}
assert set(ids) == {sys.argv[1], sys.argv[1] + "b"}, ids
c = ids[sys.argv[1]]
assert c["status"] == "running" and c["pid"] > 0, c
for k in ("id", "pid", "status", "bundle", "rootfs", "created", "owner"):
    assert k in c, k
assert ids[sys.argv[1] + "b"]["status"] == "created"
' "$CID" <"$T/list.json" || fail "list --format json: $(cat "$T/list.json")"
	check_eq "$(rt_ok list -q | sort | tr '\n' ' ')" "$CID ${CID}b " "list -q"
}

t_ps_table_and_json() {
	mkbundle
	set_args /init fork-sleep 2 100
	run_d "$CID"
	wait_output "$T/$CID.out" '^forked 2$'
	local pid out
	pid=$(ctr_pid "$CID")
	rt_ok ps --format json "$CID" >"$T/ps.json"
	py_json '
pids = sorted(d)
assert int(sys.argv[1]) in pids, (sys.argv[1], pids)
assert len(pids) == 3, pids
' "$pid" <"$T/ps.json" || fail "ps --format json: $(cat "$T/ps.json")"
	out=$(rt_ok ps "$CID")
	check_match "$(echo "$out" | head -1)" 'PID' "ps table header"
	check_match "$out" "^[^ ]+ +$pid " "ps table row of the init pid"
	check_eq "$(echo "$out" | tail -n +2 | wc -l)" 3 "ps table rows"
}

t_pause_resume() {
	mkbundle
	set_args /init ticker
	run_d "$CID"
	wait_output "$T/$CID.out" '^5$'
	rt_ok pause "$CID"
	check_eq "$(status "$CID")" paused "status after pause"
	check_eq "$(cat "$(cg_dir freezer "$CID")/freezer.state")" FROZEN "freezer.state"
	local a b c
	sleep 0.1
	a=$(wc -l <"$T/$CID.out")
	sleep 0.5
	b=$(wc -l <"$T/$CID.out")
	check_eq "$b" "$a" "output lines of a paused process"
	rt_fail pause "$CID"
	rt_ok resume "$CID"
	check_eq "$(status "$CID")" running "status after resume"
	wait_for 5 test "$(wc -l <"$T/$CID.out")" -gt "$b"
	c=$(wc -l <"$T/$CID.out")
	echo "lines: $a before, $b while paused, $c after resume" >&2
	rt_fail resume "$CID"
	# a paused container can be deleted with --force
	rt_ok pause "$CID"
	rt_ok delete -f "$CID"
	check_eq "$(status "$CID")" "" "status after delete -f of a paused container"
}

t_events_stats() {
	mkbundle
	cfg 'resources()["memory"] = {"limit": 256 << 20}; resources()["pids"] = {"limit": 100}'
	run_d "$CID"
	rt_ok events --stats "$CID" >"$T/ev.json"
	py_json '
assert d["type"] == "stats", d.get("type")
assert d["id"] == sys.argv[1], d.get("id")
s = d["data"]
assert s["pids"]["current"] >= 1, s["pids"]
assert s["pids"]["limit"] == 100, s["pids"]
assert s["memory"]["usage"]["usage"] > 0, s["memory"]
assert s["memory"]["usage"]["limit"] == 256 << 20, s["memory"]["usage"]
assert "usage" in s["cpu"] and "total" in s["cpu"]["usage"], s["cpu"]
' "$CID" <"$T/ev.json" || fail "events --stats: $(cat "$T/ev.json")"
	rt_fail events --stats "${CID}-nonexistent"
}

run_tests t_create_waits_until_start t_state_fields t_start_twice_fails \
	t_kill_signal_names_and_numbers t_kill_all t_delete_force_and_states t_delete_created \
	t_run_foreground_exit_code t_run_killed_exit_code t_run_detach_and_keep t_pid_file \
	t_bundle_defaults_to_cwd t_duplicate_id_refused t_list_table_json_quiet t_ps_table_and_json \
	t_pause_resume t_events_stats
