#!/usr/bin/env bash
# Process attributes: args (PATH lookup), env, cwd, user (uid gid additionalGids umask),
# capabilities (five sets, nothing implicit), rlimits, noNewPrivileges, oomScoreAdj, scheduler,
# ioPriority, sysctl, personality, session keyring (--no-new-keyring).
. "$(dirname "$0")/lib.sh"

t_args_env_cwd() {
	mkbundle
	mkdir -p "$T/b/rootfs/work dir"
	cfg 'proc()["env"] = ["PATH=/", "GREETING=hello world", "EMPTY="]; proc()["cwd"] = "/work dir"'
	# args[0] without a slash is looked up in the container's PATH
	set_args init echo "two words" ';;' printenv GREETING ';;' printenv EMPTY ';;' pwd ';;' printenv
	local out
	out=$(run_out "$T/b" "$CID")
	check_eq "$(echo "$out" | sed -n 1p)" "two words" "argument with a space"
	check_eq "$(echo "$out" | sed -n 2p)" "hello world" "env value with a space"
	check_eq "$(echo "$out" | sed -n 3p)" "" "empty env value"
	check_eq "$(echo "$out" | sed -n 4p)" "/work dir" "cwd"
	check_eq "$(echo "$out" | sed -n '5,$p' | grep -v '^HOME=' | sort | tr '\n' ' ')" \
		"EMPTY= GREETING=hello world PATH=/ " "the whole environment (besides HOME)"
}

t_user_uid_gid_groups_umask() {
	mkbundle
	cfg 'proc()["user"] = {"uid": 1000, "gid": 1000, "additionalGids": [1001, 5], "umask": 0o027}'
	set_args /init id ';;' umask ';;' write /tmp/f
	local out
	out=$(run_out "$T/b" "$CID")
	check_eq "$(echo "$out" | sed -n 1p)" "uid=1000 gid=1000 euid=1000 egid=1000 groups=5,1001" "ids (the kernel sorts groups)"
	check_eq "$(echo "$out" | sed -n 2p)" 0027 "umask"
	check_eq "$(stat -c '%u %g %a' "$T/b/rootfs/tmp/f")" "1000 1000 640" "owner and mode of a new file"
	cfg 'proc()["user"] = {"uid": 0, "gid": 0}'
	set_args /init id
	check_eq "$(run_out "$T/b" "$CID")" "uid=0 gid=0 euid=0 egid=0 groups=" "root without additionalGids"
}

# caps_hex NAMES...: the capability mask of NAMES (CAP_ numbers) as /proc/self/status prints it.
caps_hex() {
	python3 -c '
import sys
num = {"CAP_CHOWN": 0, "CAP_KILL": 5, "CAP_NET_BIND_SERVICE": 10, "CAP_NET_ADMIN": 12,
       "CAP_SYS_ADMIN": 21, "CAP_AUDIT_WRITE": 29}
print("%016x" % sum(1 << num[n] for n in sys.argv[1:]))' "$@"
}

t_capabilities_root() {
	mkbundle
	cfg 'caps("CAP_KILL", "CAP_CHOWN", sets=("bounding", "effective", "permitted"))'
	set_args /init caps
	local out
	out=$(run_out "$T/b" "$CID")
	check_match "$out" "^CapBnd:	$(caps_hex CAP_KILL CAP_CHOWN)\$" "bounding"
	check_match "$out" "^CapPrm:	$(caps_hex CAP_KILL CAP_CHOWN)\$" "permitted"
	check_match "$out" "^CapEff:	$(caps_hex CAP_KILL CAP_CHOWN)\$" "effective"
	check_match "$out" '^CapInh:	0000000000000000$' "inheritable (not configured)"
	check_match "$out" '^CapAmb:	0000000000000000$' "ambient (not configured)"
}

t_capabilities_nothing_implicit() {
	mkbundle
	cfg 'proc()["capabilities"] = {"bounding": [], "effective": [], "permitted": [],
"inheritable": [], "ambient": []}'
	set_args /init caps
	local out
	out=$(run_out "$T/b" "$CID")
	for s in Inh Prm Eff Bnd Amb; do
		check_match "$out" "^Cap$s:	0000000000000000\$" "Cap$s with empty sets (root)"
	done
	cfg 'del c["process"]["capabilities"]'
	out=$(run_out "$T/b" "$CID")
	for s in Inh Prm Eff Bnd Amb; do
		check_match "$out" "^Cap$s:	0000000000000000\$" "Cap$s without a capabilities object (root)"
	done
}

t_capabilities_five_sets_non_root() {
	mkbundle
	cfg 'proc()["user"] = {"uid": 1000, "gid": 1000}
proc()["capabilities"] = {"bounding": ["CAP_KILL", "CAP_NET_ADMIN", "CAP_SYS_ADMIN"],
  "permitted": ["CAP_KILL", "CAP_NET_ADMIN"], "effective": ["CAP_KILL", "CAP_NET_ADMIN"],
  "inheritable": ["CAP_NET_ADMIN"], "ambient": ["CAP_NET_ADMIN"]}'
	set_args /init caps
	local out
	out=$(run_out "$T/b" "$CID")
	# After execve by a non-root user only the ambient set survives in permitted/effective.
	check_match "$out" "^CapBnd:	$(caps_hex CAP_KILL CAP_NET_ADMIN CAP_SYS_ADMIN)\$" "bounding"
	check_match "$out" "^CapInh:	$(caps_hex CAP_NET_ADMIN)\$" "inheritable"
	check_match "$out" "^CapAmb:	$(caps_hex CAP_NET_ADMIN)\$" "ambient"
	check_match "$out" "^CapPrm:	$(caps_hex CAP_NET_ADMIN)\$" "permitted"
	check_match "$out" "^CapEff:	$(caps_hex CAP_NET_ADMIN)\$" "effective"
}

t_rlimits() {
	mkbundle
	cfg 'proc()["rlimits"] = [{"type": "RLIMIT_NOFILE", "soft": 512, "hard": 1024},
{"type": "RLIMIT_CORE", "soft": 0, "hard": 4096}, {"type": "RLIMIT_NPROC", "soft": 300, "hard": 400}]'
	set_args /init rlimit NOFILE ';;' rlimit CORE ';;' rlimit NPROC
	local out
	out=$(run_out "$T/b" "$CID")
	check_eq "$(echo "$out" | sed -n 1p)" "512 1024" "RLIMIT_NOFILE"
	check_eq "$(echo "$out" | sed -n 2p)" "0 4096" "RLIMIT_CORE"
	check_eq "$(echo "$out" | sed -n 3p)" "300 400" "RLIMIT_NPROC"
}

t_no_new_privileges() {
	mkbundle
	set_args /init nnp
	check_eq "$(run_out "$T/b" "$CID")" "NoNewPrivs:	1" "noNewPrivileges true"
	cfg 'proc()["noNewPrivileges"] = False'
	check_eq "$(run_out "$T/b" "$CID")" "NoNewPrivs:	0" "noNewPrivileges false"
}

t_oom_score_adj() {
	mkbundle
	# only raised: lowering below the caller's value needs CAP_SYS_RESOURCE, absent here
	cfg 'proc()["oomScoreAdj"] = 567'
	set_args /init read /proc/self/oom_score_adj
	check_eq "$(run_out "$T/b" "$CID")" 567 "oom_score_adj"
	check_eq "$(cat /proc/self/oom_score_adj)" 0 "the caller's oom_score_adj is unchanged"
}

t_scheduler() {
	mkbundle
	cfg 'proc()["scheduler"] = {"policy": "SCHED_BATCH", "nice": 7}'
	set_args /init sched
	check_eq "$(run_out "$T/b" "$CID")" "SCHED_BATCH 0 7" "policy priority nice"
	cfg 'proc()["scheduler"] = {"policy": "SCHED_RR", "priority": 3}'
	# with v1 realtime group scheduling a new cgroup has no realtime budget: give it some
	if [ -f /sys/fs/cgroup/cpu/cpu.rt_runtime_us ]; then
		# directly under the root: a nested parent has no budget to hand down
		cfg "c['linux']['cgroupsPath'] = '/husk-rt-$CID'"
		cfg 'c["linux"].setdefault("resources", {})["cpu"] = {"realtimeRuntime": 10000, "realtimePeriod": 1000000}'
	fi
	check_eq "$(run_out "$T/b" "$CID")" "SCHED_RR 3 0" "policy priority nice"
}

t_io_priority() {
	mkbundle
	cfg 'proc()["ioPriority"] = {"class": "IOPRIO_CLASS_BE", "priority": 6}'
	set_args /init ioprio
	check_eq "$(run_out "$T/b" "$CID")" "2 6" "ioprio class level"
	cfg 'proc()["ioPriority"] = {"class": "IOPRIO_CLASS_IDLE", "priority": 0}'
	check_eq "$(run_out "$T/b" "$CID")" "3 0" "ioprio class level"
}

t_sysctl() {
	mkbundle
	cfg 'c["linux"]["sysctl"] = {"net.ipv4.ip_forward": "1", "kernel.shmmax": "123456789",
"kernel.msgmax": "4321", "net.ipv4.ping_group_range": "0 100"}'
	set_args /init sysctl net.ipv4.ip_forward ';;' sysctl kernel.shmmax ';;' sysctl kernel.msgmax \
		';;' sysctl net.ipv4.ping_group_range
	local out
	out=$(run_out "$T/b" "$CID")
	check_eq "$(echo "$out" | sed -n 1p)" 1 "net.ipv4.ip_forward"
	check_eq "$(echo "$out" | sed -n 2p)" 123456789 "kernel.shmmax"
	check_eq "$(echo "$out" | sed -n 3p)" 4321 "kernel.msgmax"
	check_match "$(echo "$out" | sed -n 4p)" '^0[[:space:]]+100$' "net.ipv4.ping_group_range"
	check_ne "$(cat /proc/sys/kernel/shmmax)" 123456789 "host kernel.shmmax"
}

t_personality() {
	mkbundle
	cfg 'c["linux"]["personality"] = {"domain": "LINUX32"}'
	set_args /init personality
	check_eq "$(run_out "$T/b" "$CID")" 0x8 "personality LINUX32"
	cfg 'c["linux"]["personality"] = {"domain": "LINUX"}'
	check_eq "$(run_out "$T/b" "$CID")" 0x0 "personality LINUX"
}

t_session_keyring() {
	mkbundle
	set_args /init keyring
	local host out
	host=$("$INIT_BIN" keyring)
	out=$(run_out "$T/b" "$CID")
	check_ne "${out%% *}" "${host%% *}" "session keyring of the container vs the caller's"
	check_match "$out" "^[0-9]+ keyring;.*;(_ses\\.)?$CID\$" "new session keyring named after the container"
	rt run --no-new-keyring --bundle "$T/b" "$CID" </dev/null >"$T/out" 2>"$T/err" ||
		fail "run --no-new-keyring: $(cat "$T/err")"
	check_eq "$(cut -d' ' -f1 "$T/out")" "${host%% *}" "session keyring with --no-new-keyring"
}

run_tests t_args_env_cwd t_user_uid_gid_groups_umask t_capabilities_root \
	t_capabilities_nothing_implicit t_capabilities_five_sets_non_root t_rlimits \
	t_no_new_privileges t_oom_score_adj t_scheduler t_io_priority t_sysctl t_personality \
	t_session_keyring
