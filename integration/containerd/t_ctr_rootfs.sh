#!/usr/bin/env bash
# Rootfs loop mounts, sent straight to a husk shim with shimctl (no containerd): a Create whose
# rootfs is {type ext4, source IMG, options [loop, ro]} (an ext4 image made with mkfs.ext4 -d,
# holding a static busybox) runs its container from the image, on a read-only loop device with
# autoclear; Delete (the RPC, and the shim's `delete` action once the server is gone) leaves no
# mount and no loop device; a missing or broken image is a clear Create error that leaves
# nothing behind (no mount, no loop device, no container). TAP.
cd "$(dirname "$0")/../.." || exit 1
. integration/containerd/lib.sh
shimctl_probe
command -v mkfs.ext4 >/dev/null || skip_all "mkfs.ext4 missing (apt-get install e2fsprogs)"
command -v losetup >/dev/null || skip_all "losetup missing (util-linux)"
[ -c /dev/loop-control ] || skip_all "no /dev/loop-control"
BB=$(command -v busybox) || skip_all "busybox missing (busybox-static)"
! ldd "$BB" >/dev/null 2>&1 || skip_all "$BB is not static (busybox-static)"
echo "1..27"

T=$(mktemp -d /tmp/husk-rootfs.XXXXXX)
SNS=husk-rootfs-$$ # the shims' namespace (their state: /run/containerd/husk/$SNS)
CG=husk-rootfs-$$  # cgroupsPath /$CG/<id>
IMG=$T/img.ext4
IDS="c1 c2 c3"
pids=() # log readers and shim servers we started

cleanup() {
	local id d
	if [ "$tap_fail" -gt 0 ]; then
		for id in $IDS; do
			[ -s "$T/$id/shim.log" ] && sed "s/^/# $id shim: /" "$T/$id/shim.log" | tail -5
		done
	fi
	# force-deletes a container left by a failed check (unmounting its rootfs), then the rest
	# shellcheck disable=SC2086 # IDS is a list of words
	shimctl_cleanup "$T" "$SNS" "$CG" $IDS
	grep -o " $T/[^ ]*" /proc/self/mountinfo | sort -r | while read -r d; do
		umount -l "$d" 2>/dev/null
	done
	losetup -a 2>/dev/null | grep -F "($T/" | cut -d: -f1 | while read -r d; do
		losetup -d "$d" 2>/dev/null
	done
	rm -rf "$T"
}
trap cleanup EXIT

# The image: busybox, its applets, the mount points the container's mounts need.
src=$T/src
mkdir -p "$src"/{bin,etc,tmp,proc,sys,dev,root,run}
cp "$BB" "$src/bin/busybox"
for a in sh echo grep cat sleep; do ln -s busybox "$src/bin/$a"; done
echo 'root:x:0:0:root:/root:/bin/sh' >"$src/etc/passwd"
check "an ext4 image with busybox (mkfs.ext4 -d)" \
	sh -c "mkfs.ext4 -q -F -d '$src' '$IMG' 16M >/dev/null 2>&1"

# bundle ID ARGS...: $T/ID with a config.json (read-only root, cgroupsPath /$CG/ID).
bundle() {
	local b=$T/$1
	shift
	mkdir -p "$b"
	python3 integration/config.py default "$b/config.json" "/$CG/${b##*/}" &&
		python3 integration/config.py edit "$b/config.json" 'c["root"]["readonly"] = True' &&
		python3 integration/config.py args "$b/config.json" "$@"
}

# start_shim ID: starts a shim server for the bundle $T/ID, sets SOCK and SHIM_PID.
start_shim() {
	local b=$T/$1 out fd
	mkfifo "$b/log"
	exec {fd}<>"$b/log" # containerd holds the log FIFO open like this
	cat "$b/log" >"$b/shim.log" 2>/dev/null &
	pids+=($!)
	disown $!
	out=$(cd "$b" && "$SHIM" -namespace "$SNS" -address "$T/fake.sock" -id "$1" start)
	SOCK=${out#unix://}
	SHIM_PID=$(s connect "$1" | sed -n 's/^OK shim_pid=\([0-9]*\) .*/\1/p')
	[ -n "$SHIM_PID" ] && pids+=("$SHIM_PID")
}
s() { timeout -k 5 30 "$SHIMCTL" "$SOCK" "$SNS" "$@"; }

# mount_src DIR: the source of the mount on DIR ("" if none).
mount_src() { awk -v d="$1" '$5 == d { sub(/.* - /, ""); split($0, f, " "); print f[2] }' \
	/proc/self/mountinfo | tail -1; }
# loops_of FILE: the loop devices attached to FILE.
loops_of() { losetup -a 2>/dev/null | grep -F "($1)" | cut -d: -f1; }
# no_loops_of FILE: none within 5 s (the container's mount namespace goes asynchronously).
no_loops_of() {
	for _ in $(seq 1 50); do
		[ -z "$(loops_of "$1")" ] && return 0
		sleep 0.1
	done
	echo "# still attached to $1: $(loops_of "$1")"
	return 1
}
# gone PID: no live process PID (none, or a zombie its new parent has not reaped yet).
gone() { [ "${1:-0}" -gt 0 ] && ! ps -o stat= -p "$1" | grep -qv '^Z'; }

# --- a container from a read-only loop-mounted image, Delete RPC
bundle c1 /bin/sh -c "echo hello from the loop image; grep ' / ' /proc/mounts"
start_shim c1
out=$(s create c1 "$T/c1" -o "file://$T/c1/out" -e "file://$T/c1/err" -m ext4 "$IMG" loop,ro)
diag "create: $out"
check "Create with rootfs {ext4, IMG, [loop, ro]} succeeds" grep -q '^OK create pid=[1-9]' \
	<<<"$out"
dev=$(mount_src "$T/c1/rootfs")
check "  <bundle>/rootfs is mounted from a loop device" grep -Eqx '/dev/loop[0-9]+' <<<"$dev"
is "  that device, and only it, is attached to the image" "$(loops_of "$IMG")" "$dev"
is "  read-only, with autoclear" "$(losetup -n -O RO,AUTOCLEAR -l "$dev" 2>/dev/null | xargs)" \
	"1 1"
check "Start" grep -q '^OK start pid=[1-9]' <<<"$(s start c1)"
is "the container exits 0" "$(s wait c1)" "OK wait exit_status=0"
check "it printed from the image" grep -qx 'hello from the loop image' "$T/c1/out"
check "  its root is the loop device, ext4, read-only" grep -Eq "^$dev / ext4 ro[, ]" "$T/c1/out"
check "Delete" grep -q '^OK delete' <<<"$(s delete c1)"
is "  <bundle>/rootfs is unmounted" "$(mount_src "$T/c1/rootfs")" ""
check "  the loop device is released" no_loops_of "$IMG"
s shutdown >/dev/null 2>&1

# --- a missing image: a clear error, nothing left
bundle c2 /bin/true
start_shim c2
out=$(s create c2 "$T/c2" -m ext4 "$T/missing.img" loop,ro)
diag "create: $out"
check "Create with a missing image fails naming it" \
	grep -q "^ERR [0-9]* .*open loop backing file $T/missing.img: No such file" <<<"$out"
is "  nothing is mounted on <bundle>/rootfs" "$(mount_src "$T/c2/rootfs")" ""
is "  no loop device of ours" "$(losetup -a | grep -cF "($T/")" 0
is "  no container was created" "$(s state c2 | cut -d' ' -f1-2)" "ERR 5"

# --- an image that is no filesystem: attached, mount fails, detached again
truncate -s 4M "$T/zero.img"
out=$(s create c2 "$T/c2" -m ext4 "$T/zero.img" loop,ro)
diag "create: $out"
check "Create with a broken image fails naming it and the loop device" \
	grep -q "^ERR [0-9]* .*mount ext4 $T/zero.img (loop device /dev/loop[0-9]*) on $T/c2/rootfs" \
	<<<"$out"
is "  nothing is mounted on <bundle>/rootfs" "$(mount_src "$T/c2/rootfs")" ""
check "  the loop device is detached" no_loops_of "$T/zero.img"
s shutdown >/dev/null 2>&1

# --- the shim's `delete` action (the server is gone, containerd cleans up)
bundle c3 /bin/sh -c 'echo up; while :; do sleep 1; done'
start_shim c3
out=$(s create c3 "$T/c3" -o "file://$T/c3/out" -m ext4 "$IMG" ro,loop; s start c3)
diag "create, start: $(xargs <<<"$out")"
check "a long-running container from the image" grep -q '^OK start' <<<"$out"
task_pid=$(s connect c3 | sed -n 's/.* task_pid=\([0-9]*\)$/\1/p')
dev=$(mount_src "$T/c3/rootfs")
check "  on a loop device of the image" test -n "$dev" -a "$(loops_of "$IMG")" = "$dev"
kill -9 "$SHIM_PID"
"$SHIM" -namespace "$SNS" -address "$T/fake.sock" -id c3 -bundle "$T/c3" delete \
	>"$T/c3/delete.out" 2>"$T/c3/delete.err"
is "the shim's delete action exits 0 once the server was killed" "$?" 0
check "  the dead server's socket is removed" test ! -e "$SOCK"
check "  the container is gone" gone "$task_pid"
is "  <bundle>/rootfs is unmounted" "$(mount_src "$T/c3/rootfs")" ""
check "  the loop device is released" no_loops_of "$IMG"
is "nothing of ours is mounted or attached at the end" \
	"$(grep -c " $T/" /proc/self/mountinfo)/$(losetup -a | grep -cF "($T/")" "0/0"
