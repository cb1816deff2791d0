#!/usr/bin/env bash
# /dev: default devices (major:minor, mode), links (/dev/fd, /dev/std*, /dev/ptmx), /dev/pts,
# /dev/shm, spec devices and the devices cgroup, maskedPaths, readonlyPaths.
. "$(dirname "$0")/lib.sh"

DEFAULT_DEVS="null:1:3 zero:1:5 full:1:7 random:1:8 urandom:1:9 tty:5:0"

check_default_devices() { # OUTPUT of `stat` of each default device, in DEFAULT_DEVS order
	local i=1 d name mm line
	for d in $DEFAULT_DEVS; do
		name=${d%%:*}
		mm=${d#*:}
		line=$(echo "$1" | sed -n "${i}p")
		check_match "$line" "^c $mm 0666 " "/dev/$name"
		i=$((i + 1))
	done
}

stat_args() {
	local d args=(/init)
	for d in $DEFAULT_DEVS; do args+=(stat "/dev/${d%%:*}" ';;'); done
	echo "${args[@]}"
}

t_default_devices() {
	mkbundle
	# shellcheck disable=SC2046
	set_args $(stat_args) write /dev/null ';;' write /dev/full
	run_ctr "$T/b" "$CID"
	local out
	out=$(cat "$T/out")
	check_default_devices "$out"
	check_eq "$(echo "$out" | sed -n 7p)" OK "write to /dev/null"
	check_match "$(echo "$out" | sed -n 8p)" '^ERR ENOSPC' "write to /dev/full"
}

t_default_devices_in_user_namespace() {
	mkbundle
	cfg 'userns(100000, 65536)'
	# shellcheck disable=SC2046
	set_args $(stat_args) write /dev/null
	run_ctr "$T/b" "$CID"
	local out
	out=$(cat "$T/out")
	check_default_devices "$out"
	check_eq "$(echo "$out" | sed -n 7p)" OK "write to /dev/null in a user namespace"
}

t_dev_links() {
	mkbundle
	set_args /init readlink /dev/fd ';;' readlink /dev/stdin ';;' readlink /dev/stdout ';;' \
		readlink /dev/stderr ';;' readlink /dev/ptmx ';;' ls /dev/fd/
	local out
	out=$(run_out "$T/b" "$CID")
	check_eq "$(echo "$out" | sed -n 1p)" /proc/self/fd "/dev/fd"
	check_eq "$(echo "$out" | sed -n 2p)" /proc/self/fd/0 "/dev/stdin"
	check_eq "$(echo "$out" | sed -n 3p)" /proc/self/fd/1 "/dev/stdout"
	check_eq "$(echo "$out" | sed -n 4p)" /proc/self/fd/2 "/dev/stderr"
	check_eq "$(echo "$out" | sed -n 5p)" pts/ptmx "/dev/ptmx"
	check_match "$(echo "$out" | sed -n '6,$p' | tr '\n' ' ')" '^0 1 2 ' "/dev/fd/ lists fds"
}

t_dev_pts_and_shm() {
	mkbundle
	set_args /init mountopt /dev/pts ';;' stat /dev/pts/ptmx ';;' write /dev/shm/f ';;' mountopt /dev/shm
	local out
	out=$(run_out "$T/b" "$CID")
	check_match "$(echo "$out" | sed -n 1p)" '^devpts ' "/dev/pts is devpts"
	check_match "$(echo "$out" | sed -n 1p)" 'gid=5' "/dev/pts gid option"
	check_match "$(echo "$out" | sed -n 2p)" '^c 5:2 0666 ' "/dev/pts/ptmx of a new instance (ptmxmode=0666)"
	check_eq "$(echo "$out" | sed -n 3p)" OK "write to /dev/shm"
	check_match "$(echo "$out" | sed -n 4p)" '^tmpfs .*size=65536k' "/dev/shm is the configured tmpfs"
}

t_spec_devices_and_cgroup() {
	mkbundle
	cfg 'c["linux"]["devices"] = [
  {"path": "/dev/mynull", "type": "c", "major": 1, "minor": 3, "fileMode": 0o606, "uid": 1000, "gid": 1001},
  {"path": "/dev/sub/myfuse", "type": "c", "major": 10, "minor": 229, "fileMode": 0o666},
  {"path": "/dev/myfifo", "type": "p"}]
resources()["devices"] = [{"allow": False, "access": "rwm"},
  {"allow": True, "type": "c", "major": 1, "minor": 3, "access": "rwm"}]'
	set_args /init stat /dev/mynull ';;' stat /dev/sub/myfuse ';;' stat /dev/myfifo ';;' \
		write /dev/mynull ';;' read /dev/sub/myfuse
	run_ctr "$T/b" "$CID"
	local out
	out=$(cat "$T/out")
	check_eq "$(echo "$out" | sed -n 1p)" "c 1:3 0606 1000 1001" "spec device /dev/mynull"
	check_eq "$(echo "$out" | sed -n 2p)" "c 10:229 0666 0 0" "spec device in a subdirectory"
	check_match "$(echo "$out" | sed -n 3p)" '^p ' "spec fifo"
	check_eq "$(echo "$out" | sed -n 4p)" OK "write to an allowed device"
	check_match "$(echo "$out" | sed -n 5p)" '^ERR EPERM /dev/sub/myfuse$' "open of a device the cgroup denies"
}

t_masked_paths() {
	mkbundle
	mkdir -p "$T/b/rootfs/etc/secretdir"
	echo secret >"$T/b/rootfs/etc/secret"
	echo secret >"$T/b/rootfs/etc/secretdir/f"
	cfg 'c["linux"]["maskedPaths"] += ["/etc/secret", "/etc/secretdir", "/does/not/exist"]'
	set_args /init stat /proc/timer_list ';;' read /proc/timer_list ';;' echo --- ';;' ls /proc/acpi \
		';;' echo --- ';;' read /etc/secret ';;' echo --- ';;' ls /etc/secretdir ';;' echo --- \
		';;' write /etc/secretdir/x ';;' echo --- ';;' mountopt /proc/acpi
	local out
	run_ctr "$T/b" "$CID"
	out=$(cat "$T/out")
	check_match "$(echo "$out" | seg 1)" '^c 1:3 ' "/proc/timer_list masked with /dev/null"
	check_eq "$(echo "$out" | seg 1 | wc -l)" 1 "masked /proc/timer_list reads empty"
	check_eq "$(echo "$out" | seg 2)" "" "masked /proc/acpi (a dir) is empty"
	check_eq "$(echo "$out" | seg 3)" "" "masked /etc/secret reads empty"
	check_eq "$(echo "$out" | seg 4)" "" "masked /etc/secretdir is empty"
	check_match "$(echo "$out" | seg 5)" '^ERR EROFS /etc/secretdir/x$' "masked dir is read-only"
	check_match "$(echo "$out" | seg 6)" '^tmpfs ro' "masked dir is a read-only tmpfs"
	check_nomatch "$out" '^secret$|^f$' "masked content visible"
}

t_readonly_paths() {
	mkbundle
	mkdir -p "$T/b/rootfs/data"
	cfg 'c["linux"]["readonlyPaths"] += ["/data", "/does/not/exist"]'
	set_args /init write /proc/sys/kernel/hostname x ';;' write /data/f ';;' write /tmp/f ';;' \
		mountopt /proc/sys ';;' mountopt /data
	run_ctr "$T/b" "$CID"
	local out
	out=$(cat "$T/out")
	check_match "$(echo "$out" | sed -n 1p)" '^ERR EROFS' "write to /proc/sys"
	check_match "$(echo "$out" | sed -n 2p)" '^ERR EROFS' "write to a readonly path"
	check_eq "$(echo "$out" | sed -n 3p)" OK "write elsewhere"
	check_match "$(echo "$out" | sed -n 4p)" '^proc ro,' "/proc/sys mount"
	check_match "$(echo "$out" | sed -n 5p)" '^[^ ]+ ro,' "/data mount"
}

run_tests t_default_devices t_default_devices_in_user_namespace t_dev_links t_dev_pts_and_shm \
	t_spec_devices_and_cgroup t_masked_paths t_readonly_paths
