#!/usr/bin/env bash
# Hooks: prestart, createRuntime, createContainer, startContainer, poststart, poststop run at the
# right moment and in the right namespaces, get the state on stdin, their args and env; timeout
# and failure make the operation fail and leave nothing behind.
. "$(dirname "$0")/lib.sh"

# A host-side hook: `hook.sh NAME [ARGS...]` records its stdin (the state), args, env, mount and
# pid namespaces under $T/marks/NAME.*, and appends NAME to $T/marks/order.
mkhook() {
	mkdir -p "$T/marks"
	cat >"$T/hook.sh" <<EOF
#!/bin/sh
d=$T/marks
n=\$1
cat >"\$d/\$n.state"
echo "\$0 \$*" >"\$d/\$n.args"
env >"\$d/\$n.env"
readlink /proc/self/ns/mnt >"\$d/\$n.mntns"
echo "\$n" >>"\$d/order"
EOF
	chmod 0755 "$T/hook.sh"
}

# all_hooks: every hook kind; startContainer runs /init inside the container, writing to /marks.
all_hooks() {
	cfg "add_mount('/marks', 'bind', '$T/marks', ['bind'])
for k in ('prestart', 'createRuntime', 'createContainer', 'poststart', 'poststop'):
    hook(k, '$T/hook.sh', ['hook.sh', k])
hook('startContainer', '/init', ['init', 'hook', '/marks/startContainer.state'])"
}

# check_state NAME STATUS-ERE: the state NAME got on stdin.
check_state() {
	python3 -c '
import json, re, sys
d = json.load(open(sys.argv[1]))
assert d["id"] == sys.argv[2], d
assert re.fullmatch(sys.argv[3], d["status"]), ("status", d["status"], sys.argv[3])
assert d["bundle"] == sys.argv[4], ("bundle", d["bundle"])
assert d["ociVersion"], d
if d["status"] != "stopped":
    assert d.get("pid", 0) > 0, ("pid", d)
assert d.get("annotations") == {"org.husk.test": "yes"}, ("annotations", d)
' "$T/marks/$1.state" "$CID" "$2" "$(cd "$T/b" && pwd -P)" || fail "state of the $1 hook: $(cat "$T/marks/$1.state")"
}

t_hooks_run_at_the_right_moment() {
	mkbundle
	mkhook
	all_hooks
	set_args /init sleep 30
	create_ctr "$CID"
	check_eq "$(tr '\n' ' ' <"$T/marks/order")" "prestart createRuntime createContainer " "hooks run by create"
	check_nofile "$T/marks/startContainer.state" "startContainer hook before start"
	check_state prestart 'creating|created'
	check_state createRuntime 'creating|created'
	check_state createContainer 'creating|created'
	rt_ok start "$CID"
	check_file "$T/marks/startContainer.state" "startContainer hook after start"
	wait_for 5 grep -q poststart "$T/marks/order"
	check_eq "$(tr '\n' ' ' <"$T/marks/order")" "prestart createRuntime createContainer poststart " \
		"hooks after start"
	check_state startContainer 'creating|created|running'
	check_state poststart 'created|running'
	rt_ok kill "$CID" KILL
	wait_status "$CID" stopped
	check_nofile "$T/marks/poststop.state" "poststop hook before delete"
	rt_ok delete "$CID"
	check_eq "$(tail -1 "$T/marks/order")" poststop "last hook"
	check_state poststop 'stopped'
}

# start, exec and delete use the config the container was created with (runc keeps a copy):
# the bundle's config.json removed after create changes nothing.
t_config_kept_from_create() {
	mkbundle
	mkhook
	all_hooks
	set_args /init sleep 30
	create_ctr "$CID"
	mv "$T/b/config.json" "$T/config.orig"
	rt_ok start "$CID"
	wait_for 5 grep -q poststart "$T/marks/order"
	check_file "$T/marks/startContainer.state" "startContainer hook from the kept config"
	# (runc exec reads the bundle's config.json for process defaults: husk's does not need it)
	is_runc || check_eq "$(rt_ok exec "$CID" /init echo still)" still \
		"exec without the bundle's config"
	rt_ok kill "$CID" KILL
	wait_status "$CID" stopped
	rt_ok delete "$CID"
	check_eq "$(tail -1 "$T/marks/order")" poststop "poststop hook from the kept config"
	mv "$T/config.orig" "$T/b/config.json"
}

t_hooks_namespaces() {
	mkbundle
	mkhook
	all_hooks
	create_ctr "$CID"
	local pid hostmnt
	pid=$(ctr_pid "$CID")
	hostmnt=$(readlink /proc/self/ns/mnt)
	check_eq "$(cat "$T/marks/prestart.mntns")" "$hostmnt" "mount ns of the prestart hook"
	check_eq "$(cat "$T/marks/createRuntime.mntns")" "$hostmnt" "mount ns of the createRuntime hook"
	check_eq "$(cat "$T/marks/createContainer.mntns")" "$(readlink "/proc/$pid/ns/mnt")" \
		"mount ns of the createContainer hook"
	rt_ok start "$CID"
	wait_for 5 test -e "$T/marks/poststart.mntns"
	check_eq "$(cat "$T/marks/poststart.mntns")" "$hostmnt" "mount ns of the poststart hook"
}

t_hook_args_and_env() {
	mkbundle
	mkhook
	cfg "hook('prestart', '$T/hook.sh', ['ignored-argv0', 'prestart', 'second arg'], ['HOOKVAR=v1', 'PATH=/usr/bin:/bin'])
hook('poststart', '$T/hook.sh', None, None)"
	set_args /init sleep 30
	export HUSK_ITEST_LEAK=1
	create_ctr "$CID"
	check_eq "$(cat "$T/marks/prestart.args")" "$T/hook.sh prestart second arg" "args of the hook (\$0 is the script)"
	check_match "$(cat "$T/marks/prestart.env")" '^HOOKVAR=v1$' "env of the hook"
	check_nomatch "$(cat "$T/marks/prestart.env")" '^HUSK_ITEST_LEAK=' "the runtime's env leaked into the hook"
	rt_ok start "$CID"
	# a hook without args gets argv[0] = path and nothing else: $1 is empty, NAME ""
	wait_for 5 test -e "$T/marks/.args"
	check_eq "$(cat "$T/marks/.args")" "$T/hook.sh " "args of a hook without args"
}

t_hook_timeout_fails_create() {
	mkbundle
	mkhook
	cat >"$T/slow.sh" <<EOF
#!/bin/sh
exec sleep 20.$TESTNUM$$
EOF
	chmod 0755 "$T/slow.sh"
	cfg "hook('createRuntime', '$T/slow.sh', timeout=1)"
	snap
	local t0 t1
	t0=$(date +%s)
	rt_fail create --bundle "$T/b" "$CID"
	t1=$(date +%s)
	[ $((t1 - t0)) -lt 10 ] || fail "create with a 1s hook timeout took $((t1 - t0))s"
	check_match "$(cat "$T/err")" 'time|hook' "error of a hook timeout"
	check_no_leftovers "$CID"
	local p
	for p in /proc/[0-9]*; do
		if tr '\0' ' ' <"$p/cmdline" 2>/dev/null | grep -q "^sleep 20.$TESTNUM$$"; then
			fail "the timed-out hook is still running (pid ${p#/proc/})"
		fi
	done
}

t_failing_hook_fails_create_and_cleans_up() {
	mkbundle
	mkhook
	printf '#!/bin/sh\necho hook-says-no >&2\nexit 3\n' >"$T/fail.sh"
	chmod 0755 "$T/fail.sh"
	local kind
	for kind in prestart createRuntime createContainer; do
		cfg "c.pop('hooks', None); hook('$kind', '$T/fail.sh')"
		snap
		rt_fail create --bundle "$T/b" "$CID"
		check_match "$(cat "$T/err")" 'hook|exit|status' "error of a failing $kind hook"
		check_no_leftovers "$CID"
	done
}

t_failing_start_container_hook() {
	mkbundle
	cfg "hook('startContainer', '/init', ['init', 'exit', '4'])"
	set_args /init echo should-not-run
	create_ctr "$CID"
	local pid
	pid=$(ctr_pid "$CID")
	rt_fail start "$CID"
	wait_for 5 test ! -d "/proc/$pid"
	check_nomatch "$(cat "$T/$CID.out")" 'should-not-run' "process ran after a failing startContainer hook"
	check_match "$(status "$CID")" '^(stopped|)$' "status after a failing startContainer hook"
}

t_missing_hook_binary() {
	mkbundle
	cfg "hook('prestart', '$T/no-such-hook')"
	snap
	rt_fail create --bundle "$T/b" "$CID"
	check_match "$(cat "$T/err")" 'no-such-hook' "error names the missing hook"
	check_no_leftovers "$CID"
}

t_failing_poststop_hook_still_deletes() {
	mkbundle
	printf '#!/bin/sh\nexit 1\n' >"$T/fail.sh"
	chmod 0755 "$T/fail.sh"
	cfg "hook('poststop', '$T/fail.sh')"
	set_args /init exit 0
	run_d "$CID"
	wait_status "$CID" stopped
	rt delete "$CID" >/dev/null 2>&1 || true
	check_eq "$(status "$CID")" "" "container after delete with a failing poststop hook"
	check_nofile "$ROOT/$CID" "state dir after delete with a failing poststop hook"
}

run_tests t_hooks_run_at_the_right_moment t_hooks_namespaces t_hook_args_and_env \
	t_hook_timeout_fails_create t_failing_hook_fails_create_and_cleans_up \
	t_failing_start_container_hook t_missing_hook_binary t_failing_poststop_hook_still_deletes \
	t_config_kept_from_create
