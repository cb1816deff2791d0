#!/usr/bin/env bash
# CLI global flags (--root --log --log-format --debug --systemd-cgroup), spec, features, version,
# usage errors.
. "$(dirname "$0")/lib.sh"

t_root_flag_isolates_state() {
	mkbundle
	create_ctr "$CID"
	[ -d "$ROOT/$CID" ] || fail "no state dir $ROOT/$CID under --root (has: $(ls -A "$ROOT"))"
	local other=$T/other-root
	mkdir -p "$other"
	check_eq "$("$RUNTIME" --root "$other" list -q 2>&1)" "" "list under another --root"
	if "$RUNTIME" --root "$other" state "$CID" >/dev/null 2>&1; then
		fail "state found under another --root"
	fi
	check_eq "$(rt_ok list -q)" "$CID" "list under our --root"
	rt_ok delete "$CID"
	check_nofile "$ROOT/$CID" "state dir after delete"
}

# log_lines_json FILE: every line of FILE is a JSON object with level, msg and time.
log_lines_json() {
	python3 -c '
import json, sys
lines = [l for l in open(sys.argv[1]) if l.strip()]
assert lines, "empty log"
for l in lines:
    d = json.loads(l)
    for k in ("level", "msg", "time"):
        assert k in d, "no %r in %s" % (k, l)
' "$1" || fail "log is not JSON lines with level/msg/time: $(cat "$1")"
}

t_log_json_records_errors() {
	local rc=0
	rt --log "$T/log.json" --log-format json start "${CID}-nonexistent" >"$T/out" 2>"$T/err" || rc=$?
	[ $rc -ne 0 ] || fail "start of an unknown container succeeded"
	check_file "$T/log.json"
	log_lines_json "$T/log.json"
	python3 -c '
import json, sys
ls = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
assert any(l["level"] == "error" and l["msg"] for l in ls), ls
' "$T/log.json" || fail "no error line in $(cat "$T/log.json")"
	check_match "$(cat "$T/err" "$T/log.json")" 'not exist|not found|nonexistent' "error text"
}

t_log_text_format() {
	local rc=0
	rt --log "$T/log.txt" start "${CID}-nonexistent" >/dev/null 2>&1 || rc=$?
	[ $rc -ne 0 ] || fail "start of an unknown container succeeded"
	check_match "$(cat "$T/log.txt")" 'level=error' "text log line"
	check_match "$(cat "$T/log.txt")" 'msg=' "text log line"
	check_match "$(cat "$T/log.txt")" 'time=' "text log line"
}

t_debug_logs_debug_lines() {
	mkbundle
	rt --debug --log "$T/log.json" --log-format json create --bundle "$T/b" "$CID" \
		</dev/null >/dev/null 2>"$T/err" || fail "create --debug: $(cat "$T/err")"
	log_lines_json "$T/log.json"
	python3 -c '
import json, sys
ls = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
assert any(l["level"] == "debug" for l in ls), ls
' "$T/log.json" || fail "no debug line with --debug: $(cat "$T/log.json")"
	rt_ok delete -f "$CID"
	# without --debug: no debug lines
	rt --log "$T/log2.json" --log-format json create --bundle "$T/b" "$CID" \
		</dev/null >/dev/null 2>"$T/err" || fail "create: $(cat "$T/err")"
	if [ -s "$T/log2.json" ] && grep -q '"level":"debug"' "$T/log2.json"; then
		fail "debug lines without --debug: $(cat "$T/log2.json")"
	fi
}

t_systemd_cgroup_clear_error() {
	husk_only "runc supports the systemd cgroup driver"
	mkbundle
	snap
	rt_fail --systemd-cgroup create --bundle "$T/b" "$CID"
	check_match "$(cat "$T/err")" '[Ss]ystemd' "error of --systemd-cgroup names systemd"
	check_no_leftovers "$CID"
}

t_spec_default() {
	mkdir "$T/s"
	(cd "$T/s" && rt spec) || fail "spec"
	python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))
assert c["ociVersion"].startswith("1."), c["ociVersion"]
assert c["root"]["path"] == "rootfs", c["root"]
assert c["process"]["args"] == ["sh"], c["process"]["args"]
assert c["process"]["cwd"] == "/"
ns = {n["type"] for n in c["linux"]["namespaces"]}
assert {"pid", "ipc", "uts", "mount", "network"} <= ns, ns
assert "user" not in ns, ns
dests = {m["destination"] for m in c["mounts"]}
assert {"/proc", "/dev", "/dev/pts", "/dev/shm", "/sys"} <= dests, dests
assert c["linux"].get("maskedPaths") and c["linux"].get("readonlyPaths")
' "$T/s/config.json" || fail "spec output: $(head -c 2000 "$T/s/config.json")"
	local rc=0
	(cd "$T/s" && rt spec) >/dev/null 2>"$T/err" || rc=$?
	[ $rc -ne 0 ] || fail "spec overwrote an existing config.json"
	check_match "$(cat "$T/err")" 'config.json' "error of spec on an existing config names it"
	mkdir "$T/s2"
	rt_ok spec --bundle "$T/s2"
	check_file "$T/s2/config.json" "spec --bundle"
}

t_spec_rootless() {
	mkdir "$T/s"
	rt_ok spec --rootless --bundle "$T/s"
	python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))
ns = {n["type"] for n in c["linux"]["namespaces"]}
assert "user" in ns, ns
assert "network" not in ns, ns
u, g = c["linux"]["uidMappings"], c["linux"]["gidMappings"]
assert u == [{"containerID": 0, "hostID": int(sys.argv[2]), "size": 1}], u
assert g == [{"containerID": 0, "hostID": int(sys.argv[3]), "size": 1}], g
' "$T/s/config.json" "$(id -u)" "$(id -g)" || fail "spec --rootless: $(cat "$T/s/config.json")"
}

t_features_json() {
	rt_ok features >"$T/f.json"
	py_json '
assert d["ociVersionMin"].startswith("1.0"), d["ociVersionMin"]
assert d["ociVersionMax"].startswith("1."), d["ociVersionMax"]
hooks = set(d["hooks"])
want = {"prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"}
assert want <= hooks, hooks
mo = set(d["mountOptions"])
assert {"ro", "rw", "bind", "rbind", "nosuid", "nodev", "noexec", "rprivate"} <= mo, mo
assert {"rro", "rnoatime", "nosymfollow"} <= mo or not d["ociVersionMax"] >= "1.1", mo
assert "tmpcopyup" not in mo, mo  # refused by husk: not to be advertised
l = d["linux"]
assert ({"idmap", "ridmap"} <= mo) == l["mountExtensions"]["idmap"]["enabled"], (mo, l)
assert {"cgroup", "ipc", "mount", "network", "pid", "user", "uts"} <= set(l["namespaces"]), l
assert "CAP_SYS_ADMIN" in l["capabilities"] and "CAP_KILL" in l["capabilities"]
assert l["cgroup"]["v1"] is True and l["cgroup"]["v2"] is True, l["cgroup"]
s = l["seccomp"]
assert s["enabled"] is True
assert {"SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_NOTIFY"} <= set(s["actions"]), s
assert {"SCMP_CMP_EQ", "SCMP_CMP_MASKED_EQ"} <= set(s["operators"]), s
assert "SCMP_ARCH_X86_64" in s["archs"], s
' <"$T/f.json" || fail "features: $(head -c 3000 "$T/f.json")"
}

t_version() {
	local out
	out=$("$RUNTIME" --version) || fail "--version exited non-zero"
	check_match "$out" '[0-9]+\.[0-9]+' "--version prints a version"
	check_match "$out" '^spec: 1\.' "--version prints the spec version"
}

t_usage_errors() {
	rt_fail frobnicate
	rt_fail create
	check_match "$(cat "$T/err")" 'argument|[Uu]sage|container id' "create without an id"
	rt_fail kill
	rt_fail --log-format yaml list
	check_match "$(cat "$T/err")" 'yaml|format' "unknown --log-format names the value"
}

run_tests t_root_flag_isolates_state t_log_json_records_errors t_log_text_format \
	t_debug_logs_debug_lines t_systemd_cgroup_clear_error t_spec_default t_spec_rootless \
	t_features_json t_version t_usage_errors
