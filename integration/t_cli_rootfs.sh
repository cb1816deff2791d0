#!/usr/bin/env bash
# Root filesystem and mounts: pivot_root vs --no-pivot, readonly root, rootfsPropagation, mounts
# in order with options (bind/rbind, ro, nosuid/nodev/noexec, propagation, rro, tmpfs size/mode),
# special filesystems, symlink-escape containment, cwd containment.
. "$(dirname "$0")/lib.sh"

# The container must see its rootfs as / and nothing of the host's tree.
check_sees_rootfs() { # OUTPUT-of-ls-/
	check_match "$1" '^init$' "ls / shows the rootfs"
	check_nomatch "$1" '^(usr|bin|boot|lib)$' "ls / shows host directories"
}

t_pivot_root() {
	mkbundle
	set_args /init ls / ';;' echo --- ';;' mounts
	local out
	out=$(run_out "$T/b" "$CID")
	check_sees_rootfs "$(echo "$out" | sed '/^---$/,$d')"
	check_nomatch "$(echo "$out" | sed '0,/^---$/d')" ' /sys/fs/cgroup/memory |/mnt/sandboxing' \
		"host mounts visible in the container's mountinfo"
}

t_no_pivot() {
	mkbundle
	set_args /init ls / ';;' echo --- ';;' pwd ';;' ls /proc/1/root/
	local out
	rt run --no-pivot --bundle "$T/b" "$CID" </dev/null >"$T/out" 2>"$T/err" ||
		fail "run --no-pivot: $(cat "$T/err")"
	out=$(cat "$T/out")
	check_sees_rootfs "$(echo "$out" | sed '/^---$/,$d')"
	check_eq "$(echo "$out" | sed '0,/^---$/d' | head -1)" / "cwd with --no-pivot"
	check_sees_rootfs "$(echo "$out" | sed '0,/^---$/d' | tail -n +2)"
}

# --no-pivot leaves the host's mounts under the moved rootfs. A full sysfs among them would let
# a nested user namespace (which needs no capability) mount a fresh sysfs; the runtime hides
# them first (as runc). With pivot_root the container's own masked sysfs is the only one.
t_no_pivot_hides_host_sysfs() {
	mkbundle
	set_args /init userns-mount sysfs
	local out
	run_ctr "$T/b" "$CID"
	out=$(cat "$T/out")
	case $out in
	"ERR "*" unshare")
		skip "no nested user namespace here: $out" ;;
	esac
	check_eq "$out" "ERR EPERM mount" "sysfs mount from a nested user namespace (pivot_root)"
	rt run --no-pivot --bundle "$T/b" "${CID}b" </dev/null >"$T/out" 2>"$T/err" || true
	check_eq "$(cat "$T/out")" "ERR EPERM mount" \
		"sysfs mount from a nested user namespace (--no-pivot)"
	check_match "$(awk '$5 == "/proc" || $5 == "/sys" { print $5 }' /proc/self/mountinfo | sort -u | tr '\n' ' ')" \
		'^/proc /sys $' "the host keeps its /proc and /sys"
}

# Without a mount namespace the rootfs set-up would mount into, and pivot, the caller's mount
# namespace: refused. The runtime runs in a private mount namespace here so that a regression
# cannot take the host's root.
t_no_mount_namespace_refused() {
	mkbundle
	cfg 'del_ns("mount")'
	local rc=0
	unshare -m --propagation private timeout -k 5 "$RT_TIMEOUT" "$RUNTIME" --root "$ROOT" \
		run --bundle "$T/b" "$CID" </dev/null >"$T/out" 2>"$T/err" || rc=$?
	[ $rc -ne 0 ] || fail "run without a mount namespace succeeded: $(cat "$T/out")"
	if is_husk; then
		check_match "$(cat "$T/err")" 'no mount namespace' "the error names the missing namespace"
	fi
	check_nofile "$ROOT/$CID" "state dir of the refused container"
}

t_readonly_root() {
	mkbundle
	cfg 'c["root"]["readonly"] = True'
	set_args /init write /newfile ';;' write /tmp/newfile ';;' write /dev/shm/ok ';;' mountopt /
	run_ctr "$T/b" "$CID"
	local out
	out=$(cat "$T/out")
	check_match "$(echo "$out" | sed -n 1p)" '^ERR EROFS /newfile$' "write to a readonly root"
	check_match "$(echo "$out" | sed -n 2p)" '^ERR EROFS /tmp/newfile$' "write to /tmp on a readonly root"
	check_eq "$(echo "$out" | sed -n 3p)" OK "write to /dev/shm (tmpfs) on a readonly root"
	check_match "$(echo "$out" | sed -n 4p)" '^[^ ]+ ro[, ]' "mount options of / on a readonly root"
	check_nofile "$T/b/rootfs/newfile"
}

t_rootfs_propagation() {
	mkbundle
	cfg 'c["linux"]["rootfsPropagation"] = "shared"'
	set_args /init mountopt /
	check_match "$(run_out "$T/b" "$CID")" ' shared:[0-9]+' "/ with rootfsPropagation shared"
	cfg 'c["linux"]["rootfsPropagation"] = "private"'
	check_match "$(run_out "$T/b" "$CID")" ' -$' "/ with rootfsPropagation private"
}

t_mount_propagation_options() {
	mkdir -p "$T/shared"
	mount --bind "$T/shared" "$T/shared"
	mount --make-shared "$T/shared"
	mkbundle
	cfg "add_mount('/s1', 'bind', '$T/shared', ['rbind', 'rslave'])
add_mount('/s2', 'bind', '$T/shared', ['rbind', 'rshared'])
add_mount('/s3', 'bind', '$T/shared', ['rbind', 'rprivate'])"
	set_args /init mountopt /s1 ';;' mountopt /s2 ';;' mountopt /s3 ';;' sleep 1.5 ';;' \
		ls /s1/sub ';;' echo --- ';;' ls /s3/sub
	run_d "$CID"
	wait_output "$T/$CID.out" '^bind|^ext4' 5
	sleep 0.2
	mkdir -p "$T/shared/sub"
	mount -t tmpfs -o size=1m tmpfs "$T/shared/sub"
	touch "$T/shared/sub/propagated"
	wait_status "$CID" stopped
	local out
	out=$(cat "$T/$CID.out")
	check_match "$(echo "$out" | sed -n 1p)" ' master:[0-9]+' "/s1 rslave"
	check_match "$(echo "$out" | sed -n 2p)" ' shared:[0-9]+' "/s2 rshared"
	check_match "$(echo "$out" | sed -n 3p)" ' -$' "/s3 rprivate"
	check_match "$(echo "$out" | sed -n '/^---$/q;4,$p')" '^propagated$' "host mount propagated into a slave mount"
	check_nomatch "$(echo "$out" | sed '0,/^---$/d')" '^propagated$' "host mount propagated into a private mount"
}

t_mounts_in_order() {
	mkdir -p "$T/data"
	echo hi >"$T/data/file"
	mkbundle
	cfg "add_mount('/a', 'tmpfs', 'tmpfs', ['size=1m'])
add_mount('/a/b', 'bind', '$T/data', ['bind'])
add_mount('/a/b/c', 'tmpfs', 'tmpfs', ['size=1m'])"
	set_args /init ls /a/b ';;' echo --- ';;' mounts
	local out
	out=$(run_out "$T/b" "$CID")
	check_eq "$(echo "$out" | sed '/^---$/,$d' | tr '\n' ' ')" "c file " "/a/b: the bind mount over the tmpfs, with c made inside"
	check_eq "$(echo "$out" | sed '0,/^---$/d' | awk '$5 ~ /^\/a/ {print $5}' | tr '\n' ' ')" "/a /a/b /a/b/c " \
		"mount order"
	check_file "$T/data/c" "mount point made in the bind source"
}

t_bind_mount_options() {
	mkdir -p "$T/data"
	mkbundle
	cfg "add_mount('/ro', 'bind', '$T/data', ['bind', 'ro', 'nosuid', 'nodev', 'noexec'])
add_mount('/rw', 'bind', '$T/data', ['bind', 'rw'])"
	set_args /init mountopt /ro ';;' mountopt /rw ';;' write /ro/x ';;' write /rw/y
	run_ctr "$T/b" "$CID"
	local out opts
	out=$(cat "$T/out")
	opts=$(echo "$out" | sed -n 1p | cut -d' ' -f2)
	for o in ro nosuid nodev noexec; do
		check_match ",$opts," ",$o," "option $o of /ro ($opts)"
	done
	check_match "$(echo "$out" | sed -n 2p | cut -d' ' -f2)" '^rw' "options of /rw"
	check_match "$(echo "$out" | sed -n 3p)" '^ERR EROFS' "write into a ro bind mount"
	check_eq "$(echo "$out" | sed -n 4p)" OK "write into a rw bind mount"
	check_file "$T/data/y"
	check_nofile "$T/data/x"
}

t_bind_vs_rbind() {
	mkdir -p "$T/tree/sub"
	mount -t tmpfs -o size=1m tmpfs "$T/tree/sub"
	touch "$T/tree/sub/inner"
	mkbundle
	cfg "add_mount('/b1', 'bind', '$T/tree', ['bind'])
add_mount('/b2', 'bind', '$T/tree', ['rbind'])"
	set_args /init ls /b1/sub ';;' echo --- ';;' ls /b2/sub
	local out
	out=$(run_out "$T/b" "$CID")
	check_eq "$(echo "$out" | sed '/^---$/,$d')" "" "submount through a bind (non-recursive) mount"
	check_eq "$(echo "$out" | sed '0,/^---$/d')" inner "submount through an rbind mount"
}

t_rro_recursive_readonly() {
	mkdir -p "$T/tree/sub"
	mount -t tmpfs -o size=1m tmpfs "$T/tree/sub"
	mkbundle
	cfg "add_mount('/r', 'bind', '$T/tree', ['rbind', 'rro'])"
	set_args /init mountopt /r ';;' mountopt /r/sub ';;' write /r/sub/x
	run_ctr "$T/b" "$CID"
	[ "$RC" -ne 0 ] || [ -s "$T/out" ] || fail "no output"
	check_match "$(sed -n 1p "$T/out")" '^[^ ]+ ro[, ]' "/r with rro"
	check_match "$(sed -n 2p "$T/out")" '^tmpfs ro[, ]' "/r/sub (submount) with rro"
	check_match "$(sed -n 3p "$T/out")" '^ERR EROFS' "write into a submount of an rro mount"
}

t_tmpfs_size_mode() {
	mkbundle
	cfg "add_mount('/t', 'tmpfs', 'tmpfs', ['size=1m', 'mode=1770', 'nosuid'])"
	set_args /init mountopt /t ';;' stat /t
	local out
	out=$(run_out "$T/b" "$CID")
	check_match "$(echo "$out" | sed -n 1p)" '^tmpfs [^ ]*nosuid[^ ]* [^ ]*size=1024k' "tmpfs size"
	check_match "$(echo "$out" | sed -n 1p)" 'mode=1770' "tmpfs mode option"
	check_match "$(echo "$out" | sed -n 2p)" '^d 0:0 1770 ' "mode of the tmpfs root"
}

t_special_filesystems() {
	mkbundle
	cfg "add_mount('/sys/fs/cgroup', 'cgroup', 'cgroup', ['nosuid', 'noexec', 'nodev', 'relatime', 'ro'])"
	set_args /init mountopt /proc ';;' mountopt /sys ';;' mountopt /dev/pts ';;' mountopt /dev/mqueue \
		';;' mountopt /dev/shm ';;' mountopt /dev ';;' ls /sys/fs/cgroup
	local out
	out=$(run_out "$T/b" "$CID")
	check_match "$(echo "$out" | sed -n 1p)" '^proc ' "/proc"
	check_match "$(echo "$out" | sed -n 2p)" '^sysfs ro,' "/sys (ro)"
	check_match "$(echo "$out" | sed -n 3p)" '^devpts ' "/dev/pts"
	check_match "$(echo "$out" | sed -n 3p)" 'ptmxmode=666' "/dev/pts options"
	check_match "$(echo "$out" | sed -n 4p)" '^mqueue ' "/dev/mqueue"
	check_match "$(echo "$out" | sed -n 5p)" '^tmpfs [^ ]*nodev' "/dev/shm"
	check_match "$(echo "$out" | sed -n 6p)" '^tmpfs ' "/dev"
	check_match "$out" '^memory$' "memory controller under /sys/fs/cgroup"
	check_match "$out" '^pids$' "pids controller under /sys/fs/cgroup"
}

t_symlink_escape_contained() {
	local esc=/tmp/husk-escape-$$-$TESTNUM
	rm -rf "$esc"
	mkbundle
	ln -s /etc "$T/b/rootfs/evil"
	ln -s ../../../../../../../../../../.. "$T/b/rootfs/up"
	ln -s "$esc" "$T/b/rootfs/evil2"
	cfg "add_mount('/evil', 'tmpfs', 'tmpfs', ['size=1m'])
add_mount('/up/tmp/upmnt', 'tmpfs', 'tmpfs', ['size=1m'])
add_mount('/evil2/sub', 'tmpfs', 'tmpfs', ['size=1m'])"
	set_args /init mountopt /etc ';;' ls /etc
	snap
	local hostetc
	hostetc=$(ls /etc | md5sum)
	run_ctr "$T/b" "$CID"
	local rc=$RC
	host_mounts >"$T/after"
	check_eq "$(new_mounts "$T/.snap_mounts" "$T/after")" "" "new host mounts after the run"
	check_eq "$(ls /etc | md5sum)" "$hostetc" "host /etc listing"
	[ ! -e "$esc" ] || { rm -rf "$esc"; fail "a mount target was created on the host: $esc"; }
	check_nofile /tmp/upmnt "host /tmp/upmnt"
	if [ "$rc" -eq 0 ]; then
		check_match "$(sed -n 1p "$T/out")" '^tmpfs ' "the /evil mount landed on the container's /etc"
	fi
}

t_cwd_contained() {
	mkbundle
	ln -s ../../../../../../../../.. "$T/b/rootfs/up"
	cfg 'proc()["cwd"] = "/up"'
	set_args /init pwd ';;' ls .
	local out
	out=$(run_out "$T/b" "$CID")
	check_eq "$(echo "$out" | head -1)" / "cwd through a symlink to ../../.."
	check_sees_rootfs "$(echo "$out" | tail -n +2)"
	cfg 'proc()["cwd"] = "/nonexistent/dir"'
	set_args /init pwd
	out=$(run_out "$T/b" "$CID")
	check_eq "$out" /nonexistent/dir "a missing cwd is created inside the rootfs"
	check_file "$T/b/rootfs/nonexistent/dir"
}

t_relative_cwd_rejected() {
	mkbundle
	cfg 'proc()["cwd"] = "tmp"'
	snap
	rt_fail run --bundle "$T/b" "$CID"
	check_match "$(cat "$T/err")" '[Cc]wd|absolute' "error names cwd"
	check_no_leftovers "$CID"
}

run_tests t_pivot_root t_no_pivot t_no_pivot_hides_host_sysfs t_no_mount_namespace_refused t_readonly_root t_rootfs_propagation t_mount_propagation_options \
	t_mounts_in_order t_bind_mount_options t_bind_vs_rbind t_rro_recursive_readonly \
	t_tmpfs_size_mode t_special_filesystems t_symlink_escape_contained t_cwd_contained \
	t_relative_cwd_rejected
