#!/usr/bin/env bash
# cgroups, block I/O: weight, weightDevice, read/write bps and iops throttles (on the host's real
# disk from /sys/block) set through config.json and `husk update --blkio-weight`, read back (v1:
# blkio.[bfq.]weight*, blkio.throttle.*; v2: io.[bfq.]weight, io.max); I/O counted per device
# in the kernel's statistics and in `events --stats` (a loop device on a scratch file, read by
# the container through linux.devices).
. "$(dirname "$0")/cglib.sh"

# first_line_weight: "default 300" or "300" -> 300 (the default weight line).
default_weight() {
	awk 'NR == 1 {print $NF}'
}

weight_file() { # the default weight file the library writes: bfq when the kernel has it
	local d
	d=$(cgd blkio)
	if is_v2; then
		if [ -e "$d/io.bfq.weight" ]; then echo io.bfq.weight; else echo io.weight; fi
	else
		if [ -e "$d/blkio.bfq.weight" ]; then echo blkio.bfq.weight; else echo blkio.weight; fi
	fi
}

want_weight() { # want_weight FILE BLKIO_WEIGHT: what FILE holds for a blkio weight
	case $1 in io.weight) blkio_to_io_weight "$2" ;; *) echo "$2" ;; esac
}

need_io() {
	if is_v2; then need_ctrl io; else need_ctrl blkio; fi
}

t_weight() {
	need_io
	# v1 has a default weight file only with an I/O scheduler that weighs (bfq; cfq before 5.0)
	is_v2 || [ -e "$(cg_mnt blkio)/blkio.bfq.weight" ] || [ -e "$(cg_mnt blkio)/blkio.weight" ] ||
		skip "no blkio weight file on this kernel (no bfq or cfq)"
	mkbundle
	cfg 'resources()["blockIO"] = {"weight": 300}'
	create_ctr "$CID"
	local f
	f=$(weight_file)
	check_eq "$(cgr blkio "$f" | default_weight)" "$(want_weight "$f" 300)" "$(cgd blkio)/$f"
	rt_ok update --blkio-weight 500 "$CID"
	check_eq "$(cgr blkio "$f" | default_weight)" "$(want_weight "$f" 500)" "$f after update"
	delete_check "$CID"
}

t_throttle_real_disk() {
	need_io
	local dev maj min
	dev=$(blkdev) || skip "no disk in /sys/block"
	maj=${dev%:*} min=${dev#*:}
	mkbundle
	cfg "resources()['blockIO'] = {
  'throttleReadBpsDevice': [{'major': $maj, 'minor': $min, 'rate': 1048576}],
  'throttleWriteBpsDevice': [{'major': $maj, 'minor': $min, 'rate': 2097152}],
  'throttleReadIOPSDevice': [{'major': $maj, 'minor': $min, 'rate': 100}],
  'throttleWriteIOPSDevice': [{'major': $maj, 'minor': $min, 'rate': 200}]}"
	create_ctr "$CID"
	if is_v2; then
		check_cgr blkio io.max "$dev rbps=1048576 wbps=2097152 riops=100 wiops=200"
	else
		check_cgr blkio blkio.throttle.read_bps_device "$dev 1048576"
		check_cgr blkio blkio.throttle.write_bps_device "$dev 2097152"
		check_cgr blkio blkio.throttle.read_iops_device "$dev 100"
		check_cgr blkio blkio.throttle.write_iops_device "$dev 200"
	fi
	# update --resources: new rates replace, a rate of 0 removes the limit
	echo "{\"blockIO\": {\"throttleReadBpsDevice\": [{\"major\": $maj, \"minor\": $min, \"rate\": 4194304}],
 \"throttleWriteIOPSDevice\": [{\"major\": $maj, \"minor\": $min, \"rate\": 0}]}}" >"$T/res.json"
	rt_ok update -r "$T/res.json" "$CID"
	if is_v2; then
		check_cgr blkio io.max "$dev rbps=4194304 wbps=2097152 riops=100 wiops=max"
	else
		check_cgr blkio blkio.throttle.read_bps_device "$dev 4194304"
		check_cgr blkio blkio.throttle.write_iops_device ""
	fi
	delete_check "$CID"
}

t_throttle_bad_device_fails() {
	need_io
	mkbundle
	# no such block device: the kernel refuses the rule, the error names the file
	cfg "resources()['blockIO'] = {'throttleReadBpsDevice': [{'major': 4095, 'minor': 1, 'rate': 1}]}"
	snap
	rt_fail run --bundle "$T/b" "$CID"
	check_match "$(cat "$T/err")" 'io.max|blkio.throttle.read_bps_device' "error names the file"
	check_match "$(cat "$T/err")" '4095:1' "error names the device"
	check_no_leftovers "$CID"
}

# weightDevice needs a proportional-weight policy on that device: bfq as its scheduler (v1, v2
# io.bfq.weight) or, for v2 io.weight, io.cost enabled for it. Done on a loop device of ours.
t_weight_device() {
	need_io
	local loop dev f
	loop=$(loop_new 8) || skip "no loop device (losetup -f)"
	dev=$(loop_majmin "$loop")
	# which file the runtime will use: a container without blockIO shows what the kernel has
	mkbundle "$T/probe" "${CID}p"
	create_ctr "${CID}p" "$T/probe"
	f=$(cgd blkio "${CID}p")
	if is_v2 && [ ! -e "$f/io.bfq.weight" ]; then
		[ -w $CG_ROOT/io.cost.qos ] || skip "no io.cost.qos (iocost) for io.weight per device"
		echo "$dev enable=1" >$CG_ROOT/io.cost.qos || skip "cannot enable iocost on $loop"
		echo "$dev" >>"$T/.iocost"
		f=io.weight
	else
		grep -qw bfq "/sys/block/${loop#/dev/}/queue/scheduler" || skip "no bfq scheduler"
		echo bfq >"/sys/block/${loop#/dev/}/queue/scheduler" || skip "cannot use bfq on $loop"
		if is_v2; then f=io.bfq.weight; else f=blkio.bfq.weight_device; fi
	fi
	delete_check "${CID}p"
	mkbundle
	cfg "resources()['blockIO'] = {'weight': 200,
  'weightDevice': [{'major': ${dev%:*}, 'minor': ${dev#*:}, 'weight': 300}]}"
	create_ctr "$CID"
	if [ "$f" = io.weight ]; then
		check_match "$(cgr blkio io.weight)" "^$dev $(blkio_to_io_weight 300)\$" "io.weight per device"
	else
		check_match "$(cgr blkio "$f")" "^$dev 300\$" "$f per device"
	fi
	delete_check "$CID"
}

# A container reading 1 MiB from a block device (O_DIRECT) through linux.devices: the bytes are
# counted for that device, in the cgroup files and in `events --stats`.
t_io_stats() {
	need_io
	local loop dev
	loop=$(loop_new 8) || skip "no loop device (losetup -f)"
	dev=$(loop_majmin "$loop")
	mkbundle
	add_busybox
	# Recent kernels count v1 blkio.throttle.* bytes only for bios that meet a throttle rule: a
	# generous one (1 GiB/s) makes them count without slowing anything.
	cfg "c['linux']['devices'] = [{'path': '/dev/hkdisk', 'type': 'b', 'major': ${dev%:*},
  'minor': ${dev#*:}, 'fileMode': 0o600, 'uid': 0, 'gid': 0}]
resources()['blockIO'] = {'throttleReadBpsDevice': [{'major': ${dev%:*}, 'minor': ${dev#*:},
  'rate': 1 << 30}]}"
	set_args /bin/sh -c 'busybox dd if=/dev/hkdisk of=/dev/null bs=64k count=16 iflag=direct 2>&1 && echo read && exec /init pause'
	run_d "$CID"
	wait_output "$T/$CID.out" '^read$' 30
	local bytes
	if is_v2; then
		bytes=$(awk -v d="$dev" '$1 == d {for (i = 2; i <= NF; i++) if ($i ~ /^rbytes=/) print substr($i, 8)}' \
			"$(cgd blkio)/io.stat")
	else
		bytes=$(awk -v d="$dev" '$1 == d && $2 == "Read" {print $3}' \
			"$(cgd blkio)/blkio.throttle.io_service_bytes_recursive")
	fi
	[ "${bytes:-0}" -ge 1048576 ] || fail "read bytes of $dev: '${bytes}', want >= 1 MiB"
	events_stats "$CID" "
maj, mnr = map(int, sys.argv[1].split(':'))
# runc omits zero fields (omitempty): minor 0 is absent
e = [x for x in d['data']['blkio'].get('ioServiceBytesRecursive', [])
     if x.get('major', 0) == maj and x.get('minor', 0) == mnr and x.get('op') == 'Read']
assert e and e[0]['value'] >= 1048576, d['data']['blkio']
print('read', e[0]['value'])" "$dev"
	delete_check "$CID"
}

run_cg_tests t_weight t_throttle_real_disk t_throttle_bad_device_fails t_weight_device t_io_stats
