#!/usr/bin/env bash
# make demo: runs a busybox container with husk and prints what it did.
# Builds a bundle from Debian's busybox-static, then: husk run (foreground, exit code), and the
# create / start / state / exec / kill / delete lifecycle. Uses a private --root; leaves nothing.
set -eu
BUILD=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
HUSK=$top/$BUILD/husk
work=$(mktemp -d /tmp/husk-demo.XXXXXX)
root=$work/state
id=demo-$$
cleanup() {
	"$HUSK" --root "$root" delete --force "$id" >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

say "bundle: busybox-static rootfs in $work/bundle"
mkdir -p "$work/bundle/rootfs"/{bin,proc,sys,dev,tmp,etc}
cp /bin/busybox "$work/bundle/rootfs/bin/busybox"
for a in sh echo ls cat hostname id ps sleep uname; do ln -s busybox "$work/bundle/rootfs/bin/$a"; done
echo 'root:x:0:0:root:/:/bin/sh' >"$work/bundle/rootfs/etc/passwd"
cd "$work/bundle"
run "$HUSK" spec
python3 - <<'PY'
import json
c = json.load(open("config.json"))
c["process"]["terminal"] = False
c["process"]["args"] = ["sh", "-c", "echo hello from husk: $(hostname), pid $$, uid $(id -u); exit 3"]
c["root"]["readonly"] = True
json.dump(c, open("config.json", "w"), indent=2)
PY

say "husk run: foreground, returns the container's exit code"
set +e
run "$HUSK" --root "$root" run "$id"
echo "exit code: $?"
set -e

say "lifecycle: create, start, state, exec, kill, delete"
python3 - <<'PY'
import json
c = json.load(open("config.json"))
c["process"]["args"] = ["sleep", "1000"]
json.dump(c, open("config.json", "w"), indent=2)
PY
run "$HUSK" --root "$root" create "$id"
run "$HUSK" --root "$root" state "$id"
run "$HUSK" --root "$root" start "$id"
run "$HUSK" --root "$root" list
run "$HUSK" --root "$root" exec "$id" ps
run "$HUSK" --root "$root" ps "$id"
run "$HUSK" --root "$root" kill "$id" KILL
sleep 0.3
run "$HUSK" --root "$root" state "$id"
run "$HUSK" --root "$root" delete "$id"
say "done: nothing left under $root"
