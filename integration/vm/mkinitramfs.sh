#!/usr/bin/env bash
# mkinitramfs.sh OUT KVER: builds the qemu guest's initramfs (gzip'd newc cpio) for kernel KVER
# (Debian's linux-image-amd64, /lib/modules/KVER):
#   /init                 integration/vm/guest-init.sh (busybox sh): loads the modules, mounts the
#                         host's root read-only over 9p under a tmpfs overlay, switch_root's to it
#   /bin/busybox          busybox-static, the only program of the initramfs
#   /modules/*.ko         virtio, 9p, overlay and loop modules with their dependencies (Debian builds them
#                         as modules), and /modules/order: the insmod order (dependencies first)
# The tests themselves (husk, the cmocka binaries, bash, python3) come from the host's root: the
# guest runs the same Debian 12 userspace, on its own kernel with cgroup v2.
set -eu
out=$1 kver=$2
here=$(cd "$(dirname "$0")" && pwd)
moddir=/lib/modules/$kver
busybox=$(command -v busybox || true)

[ -d "$moddir" ] || { echo "mkinitramfs: $moddir missing (apt-get install linux-image-amd64)" >&2; exit 1; }
[ -n "$busybox" ] || { echo "mkinitramfs: busybox missing (apt-get install busybox-static)" >&2; exit 1; }
if ldd "$busybox" >/dev/null 2>&1; then
	echo "mkinitramfs: $busybox is not static (apt-get install busybox-static)" >&2
	exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work"/{bin,dev,proc,sys,modules,lower,upper,newroot}
cp "$busybox" "$work/bin/busybox"
ln -s busybox "$work/bin/sh"
cp "$here/guest-init.sh" "$work/init"
chmod 0755 "$work/init"

# Modules in dependency order (depth first, each once).
declare -A seen=()
order=()
add_mod() {
	local m=$1 f d
	[ -n "${seen[$m]:-}" ] && return 0
	seen[$m]=1
	f=$(modinfo -k "$kver" -F filename "$m" 2>/dev/null) || {
		echo "mkinitramfs: module $m not found for $kver" >&2
		return 1
	}
	case $f in (builtin) return 0 ;; esac
	for d in $(modinfo -k "$kver" -F depends "$m" | tr ',' ' '); do
		add_mod "$d"
	done
	case $f in
	*.ko) cp "$f" "$work/modules/$m.ko" ;;
	*.ko.xz) xz -dc "$f" >"$work/modules/$m.ko" ;;
	*.ko.zst) zstd -qdc "$f" >"$work/modules/$m.ko" ;;
	*.ko.gz) gzip -dc "$f" >"$work/modules/$m.ko" ;;
	*) echo "mkinitramfs: $m: unexpected module file $f" >&2; return 1 ;;
	esac
	order+=("$m")
}
for m in virtio_pci 9pnet_virtio 9p overlay virtio_blk loop; do
	add_mod "$m"
done
printf '%s\n' "${order[@]}" >"$work/modules/order"

(cd "$work" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) |
	gzip -1 >"$out.tmp"
mv "$out.tmp" "$out"
