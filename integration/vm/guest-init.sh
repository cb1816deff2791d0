#!/bin/sh
# guest-init.sh: /init of the qemu guest's initramfs (run by busybox sh as pid 1).
# Loads the virtio / 9p / overlay modules, mounts the host's root (9p tag "hostroot", read-only)
# as the lower layer of an overlay with a tmpfs upper layer, and switch_root's to it to run
# $HUSK_REPO/integration/vm/guest-run.sh with bash. HUSK_* variables come from the kernel command
# line (unknown name=value parameters become init's environment).
export PATH=/bin
bb=/bin/busybox

die() {
	echo "guest-init: $*"
	$bb sleep 1
	$bb poweroff -f
	exit 1
}

$bb mount -t proc proc /proc || die "mount /proc"
$bb mount -t sysfs sysfs /sys || die "mount /sys"
$bb mount -t devtmpfs devtmpfs /dev || die "mount /dev"
for m in $($bb cat /modules/order); do
	$bb insmod "/modules/$m.ko" || die "insmod $m"
done
# cache=loose: the host's files don't change under a test run, and every uncached lookup over
# 9p costs a round trip through the emulated virtio device.
$bb mount -t 9p -o ro,trans=virtio,version=9p2000.L,msize=512000,cache=loose hostroot /lower ||
	die "mount the host's root (9p tag hostroot)"
$bb mount -t tmpfs -o mode=0755 upper /upper || die "mount /upper"
$bb mkdir -p /upper/data /upper/work
$bb mount -t overlay -o lowerdir=/lower,upperdir=/upper/data,workdir=/upper/work root /newroot ||
	die "mount the overlay root"
for d in proc sys dev; do
	$bb mount --move "/$d" "/newroot/$d" || die "move /$d"
done
[ -n "${HUSK_REPO:-}" ] && [ -f "/newroot$HUSK_REPO/integration/vm/guest-run.sh" ] ||
	die "HUSK_REPO (${HUSK_REPO:-unset}) has no integration/vm/guest-run.sh"
exec $bb switch_root /newroot /bin/bash "$HUSK_REPO/integration/vm/guest-run.sh"
