#!/usr/bin/env bash
# Builds a docker-archive tar of a busybox image from Debian's busybox-static, for
# `ctr image import`. Usage: mkimage.sh OUT.tar [REF]   (REF default docker.io/library/busybox:husk)
set -euo pipefail
# shellcheck source=integration/containerd/image_pack.sh
. "$(dirname "$0")/image_pack.sh"
out=$1
ref=${2:-docker.io/library/busybox:husk}
bb=$(command -v busybox)
# a static binary: ldd has nothing to list
! ldd "$bb" >/dev/null 2>&1 || {
	echo "mkimage: $bb is not a static busybox (apt-get install busybox-static)" >&2
	exit 1
}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/rootfs
mkdir -p "$root"/{bin,etc,tmp,proc,sys,dev,root,var,run}
chmod 1777 "$root/tmp"
cp "$bb" "$root/bin/busybox"
for a in $("$bb" --list); do
	[ "$a" = busybox ] || ln -s busybox "$root/bin/$a"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
pack_image "$root" "$out" "$ref" '{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["sh"],"WorkingDir":"/"}' \
	'husk mkimage.sh (busybox-static)'
