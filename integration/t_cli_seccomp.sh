#!/usr/bin/env bash
# seccomp: errnoRet, default errno, defaultAction with defaultErrnoRet, argument filters, kill
# action, unknown syscall names, listenerPath (SCMP_ACT_NOTIFY with a python agent).
. "$(dirname "$0")/lib.sh"

t_errno_ret_blocks_syscall() {
	mkbundle
	cfg 'c["linux"]["seccomp"] = {"defaultAction": "SCMP_ACT_ALLOW",
  "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
  "syscalls": [{"names": ["getcwd"], "action": "SCMP_ACT_ERRNO", "errnoRet": 42}]}'
	set_args /init getcwd ';;' seccomp ';;' echo still-running
	run_ctr "$T/b" "$CID"
	local out
	out=$(cat "$T/out")
	check_eq "$(echo "$out" | sed -n 1p)" "ERR ENOMSG getcwd" "getcwd with errnoRet 42 (ENOMSG)"
	check_eq "$(echo "$out" | sed -n 2p)" "Seccomp:	2" "seccomp filter mode"
	check_eq "$(echo "$out" | sed -n 3p)" still-running "other syscalls"
}

# Without no_new_privs the filter needs CAP_SYS_ADMIN to load, so it goes in before the
# capabilities are dropped; it must still come after everything else the runtime does in the
# container (here: a filter blocking getcwd must not break the runtime's own cwd checks).
t_filter_without_nnp_loaded_last() {
	mkbundle
	cfg 'proc()["noNewPrivileges"] = False
c["linux"]["seccomp"] = {"defaultAction": "SCMP_ACT_ALLOW",
  "syscalls": [{"names": ["getcwd"], "action": "SCMP_ACT_ERRNO", "errnoRet": 42}]}'
	set_args /init getcwd ';;' seccomp ';;' nnp
	run_ctr "$T/b" "$CID"
	local out
	out=$(cat "$T/out")
	check_eq "$(echo "$out" | sed -n 1p)" "ERR ENOMSG getcwd" "getcwd with errnoRet 42, no_new_privs off"
	check_eq "$(echo "$out" | sed -n 2p)" "Seccomp:	2" "seccomp filter mode"
	check_eq "$(echo "$out" | sed -n 3p)" "NoNewPrivs:	0" "no_new_privs"
}

t_errno_default_is_eperm() {
	mkbundle
	cfg 'c["linux"]["seccomp"] = {"defaultAction": "SCMP_ACT_ALLOW",
  "syscalls": [{"names": ["getcwd", "uname"], "action": "SCMP_ACT_ERRNO"}]}'
	set_args /init getcwd ';;' hostname
	run_ctr "$T/b" "$CID"
	check_eq "$(sed -n 1p "$T/out")" "ERR EPERM getcwd" "getcwd with SCMP_ACT_ERRNO and no errnoRet"
	check_eq "$(sed -n 2p "$T/out")" "ERR EPERM uname" "second name of the same rule"
}

# all_syscalls_but NAME...: JSON list of every x86_64 syscall libseccomp knows, minus NAMEs.
all_syscalls_but() {
	python3 - "$@" <<'EOF'
import ctypes, json, re, sys
hdr = "/usr/include/x86_64-linux-gnu/asm/unistd_64.h"
names = re.findall(r"#define __NR_(\w+) \d+", open(hdr).read())
lib = ctypes.CDLL("libseccomp.so.2")
known = [n for n in names if lib.seccomp_syscall_resolve_name(n.encode()) >= 0]
print(json.dumps([n for n in known if n not in sys.argv[1:]]))
EOF
}

t_default_action_errno() {
	[ -r /usr/include/x86_64-linux-gnu/asm/unistd_64.h ] || skip "no unistd_64.h to list syscalls"
	mkbundle
	local allow
	allow=$(all_syscalls_but getcwd) || skip "libseccomp.so.2 not loadable from python"
	cfg "c['linux']['seccomp'] = {'defaultAction': 'SCMP_ACT_ERRNO', 'defaultErrnoRet': 95,
  'syscalls': [{'names': $allow, 'action': 'SCMP_ACT_ALLOW'}]}"
	set_args /init getcwd ';;' echo ok
	run_ctr "$T/b" "$CID"
	check_eq "$(sed -n 1p "$T/out")" "ERR EOPNOTSUPP getcwd" "a syscall outside the allow list gets defaultErrnoRet"
	check_eq "$(sed -n 2p "$T/out")" ok "allowed syscalls"
}

t_args_filter() {
	mkbundle
	cfg 'c["linux"]["seccomp"] = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
  {"names": ["personality"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1,
   "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}]},
  {"names": ["personality"], "action": "SCMP_ACT_ERRNO", "errnoRet": 22,
   "args": [{"index": 0, "value": 0xff00, "valueTwo": 0x0100, "op": "SCMP_CMP_MASKED_EQ"}]}]}'
	set_args /init personality 8 ';;' personality 0x0100 ';;' personality 0x0200 ';;' personality 0
	run_ctr "$T/b" "$CID"
	check_eq "$(sed -n 1p "$T/out")" "ERR EPERM personality" "personality(8) matches SCMP_CMP_EQ 8"
	check_eq "$(sed -n 2p "$T/out")" "ERR EINVAL personality" "personality(0x100) matches MASKED_EQ"
	check_eq "$(sed -n 3p "$T/out")" "0x200" "personality(0x200) matches no rule"
	check_eq "$(sed -n 4p "$T/out")" "0x0" "personality(0) matches no rule"
}

t_kill_action() {
	mkbundle
	cfg 'c["linux"]["seccomp"] = {"defaultAction": "SCMP_ACT_ALLOW",
  "syscalls": [{"names": ["getcwd"], "action": "SCMP_ACT_KILL_PROCESS"}]}'
	set_args /init echo before ';;' getcwd ';;' echo after
	run_ctr "$T/b" "$CID"
	check_eq "$RC" $((128 + 31)) "exit code of a process killed by SIGSYS"
	check_eq "$(cat "$T/out")" before "output before the killed syscall"
}

t_unknown_syscall_name_refused() {
	husk_only "runc skips syscall names libseccomp does not know"
	mkbundle
	cfg 'c["linux"]["seccomp"] = {"defaultAction": "SCMP_ACT_ALLOW",
  "syscalls": [{"names": ["getcwd", "no_such_syscall_xyz"], "action": "SCMP_ACT_ERRNO"}]}'
	snap
	rt_fail run --bundle "$T/b" "$CID"
	check_match "$(cat "$T/err")" 'no_such_syscall_xyz' "error names the unknown syscall"
	check_no_leftovers "$CID"
}

t_unknown_action_refused() {
	mkbundle
	cfg 'c["linux"]["seccomp"] = {"defaultAction": "SCMP_ACT_ALLOW",
  "syscalls": [{"names": ["getcwd"], "action": "SCMP_ACT_FROBNICATE"}]}'
	snap
	rt_fail run --bundle "$T/b" "$CID"
	check_match "$(cat "$T/err")" 'SCMP_ACT_FROBNICATE|action' "error names the bad action"
	check_no_leftovers "$CID"
}

t_listener_path_notify() {
	mkbundle
	cfg "c['linux']['seccomp'] = {'defaultAction': 'SCMP_ACT_ALLOW',
  'listenerPath': '$T/agent.sock', 'listenerMetadata': 'meta-$CID',
  'syscalls': [{'names': ['getcwd'], 'action': 'SCMP_ACT_NOTIFY'}]}"
	set_args /init getcwd ';;' echo after
	bg python3 "$ITEST_DIR/seccomp_agent.py" "$T/agent.sock" "$T/agent.json" --errno 38
	wait_for 10 test -S "$T/agent.sock"
	run_ctr "$T/b" "$CID"
	check_eq "$(sed -n 1p "$T/out")" "ERR ENOSYS getcwd" "getcwd answered by the agent with ENOSYS"
	check_eq "$(sed -n 2p "$T/out")" after "process continues after the notification"
	check_file "$T/agent.json" "state sent to the listener"
	py_json '
assert d["ociVersion"], d
assert d["fds"] == ["seccompFd"], d["fds"]
assert d["metadata"] == "meta-" + sys.argv[1], d.get("metadata")
assert d["state"]["id"] == sys.argv[1], d["state"]
assert d["pid"] > 0, d
' "$CID" <"$T/agent.json" || fail "listener state: $(cat "$T/agent.json")"
	check_match "$(cat "$T/agent.json.notifs")" '^nr=79 ' "the agent saw getcwd (79)"
}

run_tests t_errno_ret_blocks_syscall t_filter_without_nnp_loaded_last t_errno_default_is_eperm t_default_action_errno \
	t_args_filter t_kill_action t_unknown_syscall_name_refused t_unknown_action_refused \
	t_listener_path_notify
