#!/usr/bin/env bash
# Builds a docker-archive tar of a one-file image for `ctr image import`: the static test helper
# as /init, entrypoint `/init pause` (pid 1 that sleeps in pause(2) until SIGKILL). It is the CRI
# tests' sandbox image, and its helper's other subcommands (`/init oom`, ...) serve as commands.
# Usage: mkpause.sh OUT.tar REF INIT_BIN
set -euo pipefail
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
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime='2024-01-01 00:00Z' \
	-C "$root" -cf "$work/layer.tar" .
diff_id=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
mkdir -p "$work/img/$diff_id"
mv "$work/layer.tar" "$work/img/$diff_id/layer.tar"
cat >"$work/config.json" <<JSON
{"architecture":"amd64","os":"linux","created":"2024-01-01T00:00:00Z",
 "config":{"Env":["PATH=/"],"Entrypoint":["/init","pause"],"WorkingDir":"/"},
 "rootfs":{"type":"layers","diff_ids":["sha256:$diff_id"]},
 "history":[{"created":"2024-01-01T00:00:00Z","created_by":"husk mkpause.sh (integration/init)"}]}
JSON
cfg=$(sha256sum "$work/config.json" | cut -d' ' -f1)
mv "$work/config.json" "$work/img/$cfg.json"
printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["%s/layer.tar"]}]\n' \
	"$cfg" "$ref" "$diff_id" >"$work/img/manifest.json"
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime='2024-01-01 00:00Z' \
	-C "$work/img" -cf "$out" .
