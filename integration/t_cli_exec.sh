#!/usr/bin/env bash
# CLI exec: joining every namespace and the cgroup of the container, --process JSON, flags
# -t -d --pid-file --env --cwd --user --additional-gids --cap --no-new-privs, exit codes, stdin.
. "$(dirname "$0")/lib.sh"

# A running container with every namespace but user and time (pid/net/ipc/uts/mnt/cgroup).
start_pause() {
	mkbundle
	cfg 'add_ns("cgroup"); proc()["noNewPrivileges"] = False'
	run_d "$CID"
	PID=$(ctr_pid "$CID")
}

# exec_out ARGS...: `exec` in the foreground; fails the test on a non-zero exit; prints stdout.
exec_out() {
	local rc=0
	rt exec "$@" </dev/null >"$T/eout" 2>"$T/eerr" || rc=$?
	[ $rc -eq 0 ] || fail "exec $*: exit $rc: $(cat "$T/eout" "$T/eerr")"
	cat "$T/eout"
}

t_exec_joins_every_namespace() {
	start_pause
	local want got host
	want=$("$INIT_BIN" ns "$PID")
	got=$(exec_out "$CID" /init ns)
	check_eq "$got" "$want" "namespaces of the exec'd process vs init"
	host=$("$INIT_BIN" ns self)
	for ns in cgroup ipc mnt net pid uts; do
		check_ne "$(echo "$got" | grep "^$ns ")" "$(echo "$host" | grep "^$ns ")" "$ns namespace vs host"
	done
	local p
	p=$(exec_out "$CID" /init pid | cut -d' ' -f1)
	[ "$p" -gt 1 ] || fail "exec'd pid in the container's pid namespace: $p"
	check_eq "$(exec_out "$CID" /init hostname)" husk-test "hostname seen by exec"
}

t_exec_joins_cgroup() {
	start_pause
	local got c
	got=$(exec_out "$CID" /init cgroup ';;' echo --- ';;' read /proc/1/cgroup)
	check_eq "$(echo "$got" | sed -n '1,/^---$/p' | sed '$d')" "$(echo "$got" | sed '0,/^---$/d')" \
		"/proc/self/cgroup of exec vs /proc/1/cgroup"
	rt_ok exec -d --pid-file "$T/exec.pid" "$CID" /init sleep 30 </dev/null >/dev/null
	local epid
	epid=$(cat "$T/exec.pid")
	for c in cpu cpuacct memory pids freezer devices blkio; do
		grep -qx "$epid" "$(cg_dir $c "$CID")/cgroup.procs" ||
			fail "exec'd pid $epid not in $(cg_dir $c "$CID")/cgroup.procs"
	done
	check_eq "$(grep -c . "$(cg_dir pids "$CID")/cgroup.procs")" 2 "processes in the cgroup"
}

t_exec_joins_user_namespace() {
	mkbundle
	cfg 'userns(100000, 65536); del_mount("/sys"); add_ns("cgroup")'
	run_d "$CID"
	PID=$(ctr_pid "$CID")
	local got
	got=$(exec_out "$CID" /init ns)
	check_eq "$got" "$("$INIT_BIN" ns "$PID")" "namespaces of exec vs init (user ns)"
	check_match "$(exec_out "$CID" /init read /proc/self/uid_map)" '^ +0 +100000 +65536$' "uid_map seen by exec"
	check_match "$(exec_out "$CID" /init id)" '^uid=0 gid=0 ' "id in the user namespace"
}

t_exec_process_json() {
	start_pause
	cat >"$T/process.json" <<'EOF'
{
	"terminal": false,
	"user": {"uid": 1000, "gid": 1000, "additionalGids": [1001, 1002]},
	"args": ["/init", "id", ";;", "pwd", ";;", "printenv", "HELLO", ";;", "nnp", ";;", "caps"],
	"env": ["PATH=/bin", "HELLO=world"],
	"cwd": "/tmp",
	"noNewPrivileges": true,
	"capabilities": {"bounding": ["CAP_KILL"], "effective": ["CAP_KILL"],
			 "permitted": ["CAP_KILL"], "inheritable": ["CAP_KILL"],
			 "ambient": ["CAP_KILL"]}
}
EOF
	local out
	out=$(exec_out --process "$T/process.json" "$CID")
	check_eq "$(echo "$out" | sed -n 1p)" "uid=1000 gid=1000 euid=1000 egid=1000 groups=1001,1002" "id"
	check_eq "$(echo "$out" | sed -n 2p)" /tmp "cwd"
	check_eq "$(echo "$out" | sed -n 3p)" world "env"
	check_match "$out" '^NoNewPrivs:	1$' "noNewPrivileges"
	check_match "$out" '^CapBnd:	0000000000000020$' "bounding set (CAP_KILL)"
	check_match "$out" '^CapEff:	0000000000000020$' "effective set (CAP_KILL)"
	check_match "$out" '^CapPrm:	0000000000000020$' "permitted set (CAP_KILL)"
	check_match "$out" '^CapInh:	0000000000000020$' "inheritable set (CAP_KILL)"
	check_match "$out" '^CapAmb:	0000000000000020$' "ambient set (CAP_KILL, kept by a non-root user)"
}

t_exec_flags_env_cwd_user() {
	start_pause
	local out
	out=$(exec_out --env FOO=bar --env X=1 --cwd /tmp --user 1000:1000 --additional-gids 1001 "$CID" \
		/init printenv FOO ';;' printenv X ';;' pwd ';;' id ';;' printenv PATH)
	check_eq "$(echo "$out" | sed -n 1p)" bar "--env FOO"
	check_eq "$(echo "$out" | sed -n 2p)" 1 "--env X"
	check_eq "$(echo "$out" | sed -n 3p)" /tmp "--cwd"
	check_eq "$(echo "$out" | sed -n 4p)" "uid=1000 gid=1000 euid=1000 egid=1000 groups=1001" "--user --additional-gids"
	check_eq "$(echo "$out" | sed -n 5p)" "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
		"PATH from the container's config"
	out=$(exec_out --user 1000 "$CID" /init id)
	check_match "$out" '^uid=1000 ' "--user UID only"
}

t_exec_user_by_name() {
	husk_only "runc's exec --user takes numeric ids only"
	start_pause
	check_match "$(exec_out --user tester "$CID" /init id)" '^uid=1000 gid=1000 ' "--user tester (container /etc/passwd)"
	rt_fail exec --user nosuchuser "$CID" /init id
	check_match "$(cat "$T/err")" 'nosuchuser' "error of an unknown user names it"
}

t_exec_cap_and_no_new_privs() {
	start_pause
	local out
	out=$(exec_out "$CID" /init caps ';;' nnp)
	check_match "$out" '^CapEff:	0000000020000420$' "default effective caps"
	check_match "$out" '^NoNewPrivs:	0$' "no_new_privs off by default (config false)"
	out=$(exec_out --cap CAP_SYS_ADMIN --no-new-privs "$CID" /init caps ';;' nnp)
	check_match "$out" '^CapBnd:	0000000020200420$' "--cap adds CAP_SYS_ADMIN to bounding"
	check_match "$out" '^CapEff:	0000000020200420$' "--cap adds CAP_SYS_ADMIN to effective"
	check_match "$out" '^NoNewPrivs:	1$' "--no-new-privs"
}

t_exec_detach_pid_file() {
	start_pause
	rt_ok exec -d --pid-file "$T/e.pid" "$CID" /init sleep 30 </dev/null >/dev/null
	local p
	p=$(cat "$T/e.pid")
	[ -d "/proc/$p" ] || fail "exec -d pid $p not running"
	check_eq "$(readlink "/proc/$p/ns/pid")" "$(readlink "/proc/$PID/ns/pid")" "pid ns of exec -d"
	check_eq "$(tr '\0' ' ' <"/proc/$p/cmdline")" "/init sleep 30 " "cmdline of exec -d"
}

t_exec_tty_console_socket() {
	start_pause
	console_start "$T/console.sock" "$T/console.out"
	rt_ok exec -t -d --console-socket "$T/console.sock" "$CID" /init isatty ';;' ttyname </dev/null >/dev/null
	wait_for 10 test -e "$T/console.out.done"
	local out
	out=$(tr -d '\r' <"$T/console.out")
	check_match "$out" '^0 tty$' "stdin is a tty"
	check_match "$out" '^1 tty$' "stdout is a tty"
	check_match "$out" '^2 tty$' "stderr is a tty"
	check_match "$out" '^/dev/pts/[0-9]+$' "ttyname"
}

t_exec_exit_code_and_stdin() {
	start_pause
	local rc=0
	rt exec "$CID" /init exit 7 </dev/null >/dev/null 2>&1 || rc=$?
	check_eq "$rc" 7 "exit code of exec"
	local out
	out=$(echo "from stdin" | rt exec "$CID" /init cat 2>"$T/err") || fail "exec cat: $(cat "$T/err")"
	check_eq "$out" "from stdin" "stdin of exec"
	rc=0
	rt exec "$CID" /nonexistent </dev/null >"$T/out" 2>"$T/err" || rc=$?
	[ $rc -ne 0 ] || fail "exec of a missing binary succeeded"
	check_match "$(cat "$T/err")" 'nonexistent' "error of exec of a missing binary names it"
}

t_exec_sees_only_stdio_fds() {
	start_pause
	local out
	out=$(exec_out "$CID" /init fds 7>"$T/leak7" 8<"$T/b/config.json")
	check_eq "$(echo "$out" | cut -d' ' -f1 | tr '\n' ' ')" "0 1 2 " "fds of the exec'd process"
}

t_exec_into_stopped_fails() {
	mkbundle
	set_args /init exit 0
	run_d "$CID"
	wait_status "$CID" stopped
	rt_fail exec "$CID" /init echo hi
	check_match "$(cat "$T/err")" 'stopped|not running|running' "exec into a stopped container"
	rt_fail exec "${CID}-nonexistent" /init echo hi
}

run_tests t_exec_joins_every_namespace t_exec_joins_cgroup t_exec_joins_user_namespace \
	t_exec_process_json t_exec_flags_env_cwd_user t_exec_user_by_name \
	t_exec_cap_and_no_new_privs t_exec_detach_pid_file t_exec_tty_console_socket \
	t_exec_exit_code_and_stdin t_exec_sees_only_stdio_fds t_exec_into_stopped_fails
