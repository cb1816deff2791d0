#!/usr/bin/env bash
# Builds a docker-archive tar of a one-file image for `ctr image import`: the static test helper
# as /init, entrypoint `/init pause` (pid 1 that sleeps in pause(2) until SIGKILL). It is the CRI
# tests' sandbox image, and its helper's other subcommands (`/init oom`, ...) serve as commands.
# Usage: mkpause.sh OUT.tar REF INIT_BIN
set -euo pipefail
# shellcheck source=integration/containerd/image_pack.sh
. "$(dirname "$0")/../containerd/image_pack.sh"
out=$1 ref=$2 init=$3
! ldd "$init" >/dev/null 2>&1 || {
	echo "mkpause: $init is not static" >&2
	exit 1
}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/rootfs
mkdir -p "$root"/{etc,proc,sys,dev,tmp}
chmod 1777 "$root/tmp"
cp "$init" "$root/init"
printf 'root:x:0:0:root:/:/init\n' >"$root/etc/passwd"
printf 'root:x:0:\n' >"$root/etc/group"
pack_image "$root" "$out" "$ref" '{"Env":["PATH=/"],"Entrypoint":["/init","pause"],"WorkingDir":"/"}' \
	'husk mkpause.sh (integration/init)'
