#!/usr/bin/env bash
# CLI stdio: terminal through --console-socket (pty master by SCM_RIGHTS, consoleSize, input),
# detached stdio, --preserve-fds, LISTEN_FDS, and no other fd reaching the container.
. "$(dirname "$0")/lib.sh"

t_terminal_console_socket() {
	mkbundle
	cfg 'proc()["terminal"] = True; proc()["consoleSize"] = {"height": 30, "width": 100}'
	set_args /init isatty ';;' ttyname ';;' winsize ';;' pid ';;' stat /dev/console
	console_start "$T/c.sock" "$T/c.out"
	create_ctr "$CID" "$T/b" --console-socket "$T/c.sock"
	rt_ok start "$CID"
	wait_for 10 test -e "$T/c.out.done"
	local out
	out=$(tr -d '\r' <"$T/c.out")
	check_match "$(cat "$T/c.out.info")" 'isatty=True' "received fd is a terminal"
	check_match "$out" '^0 tty$' "stdin is the pty"
	check_match "$out" '^1 tty$' "stdout is the pty"
	check_match "$out" '^2 tty$' "stderr is the pty"
	check_match "$out" '^/dev/pts/[0-9]+$' "ttyname"
	check_match "$out" '^30 100$' "consoleSize applied"
	check_match "$out" '^1 0 1 1$' "pid 1 is a session leader (pid ppid sid pgid)"
	check_match "$out" '^c 136:[0-9]+ ' "/dev/console is the pty (char 136:N)"
}

t_terminal_input() {
	mkbundle
	cfg 'proc()["terminal"] = True'
	set_args /init cat
	console_start "$T/c.sock" "$T/c.out" --input $'hello terminal\n\x04'
	run_d "$CID" "$T/b" --console-socket "$T/c.sock"
	wait_for 10 test -e "$T/c.out.done"
	check_match "$(tr -d '\r' <"$T/c.out")" '^hello terminal$' "input echoed back through the pty"
	wait_status "$CID" stopped
}

t_terminal_needs_console_socket() {
	mkbundle
	cfg 'proc()["terminal"] = True'
	snap
	rt_fail create --bundle "$T/b" "$CID"
	check_match "$(cat "$T/err")" 'console' "error names the console socket"
	check_no_leftovers "$CID"
}

t_console_socket_without_terminal() {
	mkbundle
	console_start "$T/c.sock" "$T/c.out" --timeout 3
	snap
	rt_fail create --bundle "$T/b" --console-socket "$T/c.sock" "$CID"
	check_match "$(cat "$T/err")" 'console|terminal|tty' "error names the console socket"
	check_no_leftovers "$CID"
}

t_run_foreground_terminal() {
	command -v script >/dev/null || skip "script(1) not installed"
	mkbundle
	cfg 'proc()["terminal"] = True'
	set_args /init isatty ';;' exit 5
	local rc=0
	script -qec "$RUNTIME --root $ROOT run --bundle $T/b $CID" /dev/null </dev/null >"$T/out" 2>&1 || rc=$?
	check_match "$(tr -d '\r' <"$T/out")" '^1 tty$' "stdout of run -t is a tty"
	check_eq "$rc" 5 "exit code of run with a terminal"
}

t_detached_stdio_passthrough() {
	mkbundle
	set_args /init echo to-stdout ';;' write /dev/stderr to-stderr ';;' cat
	echo "from-stdin" >"$T/in"
	rt create --bundle "$T/b" "$CID" <"$T/in" >"$T/o" 2>"$T/e" || fail "create: $(cat "$T/e")"
	rt_ok start "$CID"
	wait_status "$CID" stopped
	check_eq "$(cat "$T/o")" $'to-stdout\nOK\nfrom-stdin' "stdout of a detached container"
	check_match "$(cat "$T/e")" 'to-stderr' "stderr of a detached container"
}

t_preserve_fds() {
	mkbundle
	set_args /init fds ';;' write-fd 3 via-fd-3 ';;' write-fd 4 via-fd-4
	: >"$T/f3"
	: >"$T/f4"
	local rc=0
	rt run --preserve-fds 2 --bundle "$T/b" "$CID" </dev/null >"$T/out" 2>"$T/err" 3>>"$T/f3" 4>>"$T/f4" 5>"$T/f5" || rc=$?
	check_eq "$rc" 0 "run --preserve-fds 2: $(cat "$T/err")"
	check_eq "$(awk '{print $1}' "$T/out" | head -n 5 | tr '\n' ' ')" "0 1 2 3 4 " "fds with --preserve-fds 2"
	check_eq "$(cat "$T/f3")" via-fd-3 "write through preserved fd 3"
	check_eq "$(cat "$T/f4")" via-fd-4 "write through preserved fd 4"
	check_nomatch "$(awk '{print $1}' "$T/out")" '^5$' "fd 5 is not preserved"
}

t_listen_fds() {
	mkbundle
	set_args /init printenv LISTEN_FDS ';;' printenv LISTEN_PID ';;' fds ';;' write-fd 3 via-listen-fd
	: >"$T/f3"
	local rc=0
	# LISTEN_PID must be the runtime's own pid: set it in a shell that execs the runtime.
	LISTEN_FDS=1 timeout 60 bash -c 'export LISTEN_PID=$$; exec "$@"' _ \
		"$RUNTIME" --root "$ROOT" run --bundle "$T/b" "$CID" </dev/null >"$T/out" 2>"$T/err" 3>>"$T/f3" || rc=$?
	check_eq "$rc" 0 "run with LISTEN_FDS=1: $(cat "$T/err")"
	check_eq "$(sed -n 1p "$T/out")" 1 "LISTEN_FDS in the container"
	check_eq "$(sed -n 2p "$T/out")" 1 "LISTEN_PID in the container"
	check_match "$(cat "$T/out")" '^3 ' "fd 3 passed through"
	check_eq "$(cat "$T/f3")" via-listen-fd "write through the LISTEN_FDS fd"
}

t_only_stdio_fds_reach_container() {
	mkbundle
	set_args /init fds
	run_ctr "$T/b" "$CID" 5>"$T/leak5" 6<"$T/b/config.json" 9>"$T/leak9"
	check_eq "$RC" 0 "run"
	check_eq "$(awk '{print $1}' "$T/out" | tr '\n' ' ')" "0 1 2 " "fds of the container (run)"
	mkbundle "$T/b2" "${CID}b"
	set_args "$T/b2" /init fds
	rt create --bundle "$T/b2" "${CID}b" </dev/null >"$T/o2" 2>"$T/e2" 5>"$T/leak5" 7<"$T/b/config.json" ||
		fail "create: $(cat "$T/e2")"
	rt_ok start "${CID}b" 8>"$T/leak8"
	wait_status "${CID}b" stopped
	check_eq "$(awk '{print $1}' "$T/o2" | tr '\n' ' ')" "0 1 2 " "fds of the container (create/start)"
}

run_tests t_terminal_console_socket t_terminal_input t_terminal_needs_console_socket \
	t_console_socket_without_terminal t_run_foreground_terminal t_detached_stdio_passthrough \
	t_preserve_fds t_listen_fds t_only_stdio_fds_reach_container
