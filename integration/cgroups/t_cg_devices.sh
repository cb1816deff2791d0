#!/usr/bin/env bash
# cgroups, devices (v1 devices.allow/deny, v2 an eBPF program): a block device bound into the
# container is usable only as its rules say (no rule: denied; "r": read but not write; "rw":
# both); the default devices stay usable; linux.devices are allowed; a spec rule cannot take a
# default device away (runc's order: the defaults come last). The container opens a loop device
# on a scratch file of ours, so a rule that failed to deny writes only touches that file.
. "$(dirname "$0")/cglib.sh"

# dev_bundle RULE: a bundle with our loop device bound at /dev/hkloop, RULE (python, or "") added
# to linux.resources.devices, and a container that tries to read it, then to open it for writing.
dev_bundle() {
	local loop dev
	loop=$(loop_new 1) || skip "no loop device (losetup -f)"
	dev=$(loop_majmin "$loop")
	LOOP_FILE=$(losetup -n -O BACK-FILE "$loop")
	mkbundle
	add_busybox
	cfg "add_mount('/dev/hkloop', 'bind', '$loop', ['bind'])
maj, mnr = $((${dev%:*})), $((${dev#*:}))
${1:-pass}"
	set_args /bin/sh -c 'busybox dd if=/dev/hkloop of=/dev/null bs=512 count=1 2>&1; /init write /dev/hkloop yes'
}

t_no_rule_denied() {
	dev_bundle ""
	run_ctr "$T/b" "$CID"
	check_match "$(cat "$T/out")" "can't open '/dev/hkloop': Operation not permitted" "read without a rule"
	check_match "$(cat "$T/out")" '^ERR EPERM /dev/hkloop$' "write without a rule"
	check_eq "$(head -c 3 "$LOOP_FILE" | tr -d '\0')" "" "the scratch file"
	check_cg_gone "$CID"
}

t_read_only_rule() {
	dev_bundle "resources()['devices'].append({'allow': True, 'type': 'b', 'major': maj, 'minor': mnr, 'access': 'r'})"
	run_ctr "$T/b" "$CID"
	check_match "$(cat "$T/out")" '^1\+0 records in$' "read with an 'r' rule"
	check_match "$(cat "$T/out")" '^ERR EPERM /dev/hkloop$' "write with an 'r' rule"
	check_eq "$(head -c 3 "$LOOP_FILE" | tr -d '\0')" "" "the scratch file"
	check_cg_gone "$CID"
}

t_read_write_rule() {
	dev_bundle "resources()['devices'].append({'allow': True, 'type': 'b', 'major': maj, 'minor': mnr, 'access': 'rw'})"
	run_out "$T/b" "$CID" >/dev/null
	check_match "$(cat "$T/out")" '^1\+0 records in$' "read with an 'rw' rule"
	check_match "$(cat "$T/out")" '^OK$' "write with an 'rw' rule"
	sync
	check_eq "$(head -c 3 "$LOOP_FILE")" "yes" "what the container wrote to the device"
	check_cg_gone "$CID"
}

# Later rules win: the device allowed, then its writes denied.
t_later_rule_wins() {
	dev_bundle "resources()['devices'] += [{'allow': True, 'type': 'b', 'major': maj, 'minor': mnr, 'access': 'rw'},
  {'allow': False, 'type': 'b', 'major': maj, 'minor': mnr, 'access': 'w'}]"
	run_ctr "$T/b" "$CID"
	check_match "$(cat "$T/out")" '^1\+0 records in$' "read"
	check_match "$(cat "$T/out")" '^ERR EPERM /dev/hkloop$' "write (denied by the later rule)"
	check_cg_gone "$CID"
}

# A wildcard allow then a deny of one device: v2's program takes the last match; v1's kernel
# keeps exceptions and a deny removes only an exact match, so there the device stays writable
# (runc on v1 behaves the same).
t_wildcard_then_deny() {
	is_v2 || skip "v1 device exceptions: a deny removes only an exact match (kernel semantics)"
	dev_bundle "resources()['devices'] += [{'allow': True, 'type': 'b', 'access': 'rw'},
  {'allow': False, 'type': 'b', 'major': maj, 'minor': mnr, 'access': 'w'}]"
	run_ctr "$T/b" "$CID"
	check_match "$(cat "$T/out")" '^1\+0 records in$' "read (allowed by the wildcard rule)"
	check_match "$(cat "$T/out")" '^ERR EPERM /dev/hkloop$' "write (denied by the later rule)"
	check_cg_gone "$CID"
}

t_default_devices_usable() {
	mkbundle
	set_args /init write /dev/null ';;' write /dev/zero ';;' write /dev/full ';;' read /dev/null
	run_ctr "$T/b" "$CID"
	check_eq "$(head -2 "$T/out" | tr '\n' ' ')" "OK OK " "write /dev/null and /dev/zero"
	check_match "$(sed -n 3p "$T/out")" '^ERR ENOSPC /dev/full$' "write /dev/full (allowed, device full)"
	check_cg_gone "$CID"
}

# runc appends its default allow-list after the spec's rules, so a spec rule cannot deny
# /dev/null; husk does the same (a rule "deny c 1:3 w" leaves /dev/null writable).
t_default_devices_after_spec_rules() {
	mkbundle
	cfg "resources()['devices'].append({'allow': False, 'type': 'c', 'major': 1, 'minor': 3, 'access': 'w'})"
	set_args /init write /dev/null
	run_out "$T/b" "$CID" >/dev/null
	check_eq "$(cat "$T/out")" OK "write /dev/null with a deny rule in the spec (runc order)"
	check_cg_gone "$CID"
}

# `husk update` leaves the device rules alone (runc does not update them either).
t_update_keeps_rules() {
	dev_bundle "resources()['devices'].append({'allow': True, 'type': 'b', 'major': maj, 'minor': mnr, 'access': 'r'})"
	set_args /bin/sh -c 'while [ ! -e /tmp/go ]; do sleep 0.1; done; /init write /dev/hkloop yes; exec /init pause'
	cfg "resources()['pids'] = {'limit': 50}"
	run_d "$CID"
	rt_ok update --pids-limit 60 "$CID"
	touch "$T/b/rootfs/tmp/go"
	wait_output "$T/$CID.out" '^(ERR|OK)' 20
	check_match "$(cat "$T/$CID.out")" '^ERR EPERM /dev/hkloop$' "write after an update"
	if ! is_v2; then
		check_match "$(cgr devices devices.list)" "^b [0-9]+:[0-9]+ r$" devices.list
	fi
	delete_check "$CID"
}

run_cg_tests t_no_rule_denied t_read_only_rule t_read_write_rule t_later_rule_wins t_wildcard_then_deny \
	t_default_devices_usable t_default_devices_after_spec_rules t_update_keeps_rules
