#!/usr/bin/env bash
# The containerd part of `make demo`: a private containerd (own root, state, sockets, config with
# the husk runtime on PATH), a busybox image built from Debian's busybox-static, a container run
# through io.containerd.husk.v2 with ctr; prints what it did, stops containerd, leaves nothing.
# Usage: demo.sh [BUILD]
set -u
BUILD=${1:-build}
cd "$(dirname "$0")/../.." || exit 1
. integration/containerd/lib.sh
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }
cr() { printf '$ ctr %s\n' "$*"; c "$@"; }
[ "$(id -u)" = 0 ] || { echo "demo: needs root (containerd)"; exit 1; }
[ -x "$BUILD/containerd-shim-husk-v2" ] || { echo "demo: build the shim first (make)"; exit 1; }

say "private containerd"
ctrd_start || exit 1
echo "config $CTRD_DIR/config.toml, socket $CTRD_SOCK, runtime $HUSK_RT -> $BUILD/containerd-shim-husk-v2"
say "busybox image from $(command -v busybox), imported with ctr image import"
ctrd_import_image || exit 1
cr image ls -q

say "ctr run --rm: output and exit code come back through the shim"
cr run --rm --runtime "$HUSK_RT" "$IMG" demo1 sh -c 'echo "hello from $(hostname), pid $$"; exit 3'
echo "exit code: $?"

say "a detached task: exec, ps, pause/resume, metrics, kill, delete"
cr run -d --runtime "$HUSK_RT" "$IMG" demo2 sh -c 'trap "exit 9" TERM; while :; do sleep 0.1; done'
cr task exec --exec-id e1 demo2 sh -c 'echo "exec sees pid 1: $(cat /proc/1/comm)"'
cr task ps demo2
cr task pause demo2
cr task ls
cr task resume demo2
cr task metrics demo2 | head -8
shim=$(ps -o ppid= -p "$(c task ls | awk '$1 == "demo2" { print $2 }')" | tr -d ' ')
echo "shim pid $shim: $(grep -E '^Threads' /proc/$shim/status | tr -s '\t' ' '), $(grep '^Pss:' /proc/$shim/smaps_rollup | tr -s ' ')"
cr task kill demo2
sleep 0.5
cr task ls
cr task delete demo2
cr container rm demo2

say "stopping containerd"
ctrd_cleanup
trap - EXIT
echo "done: nothing left in /run/containerd/s or /run/containerd/husk/$NS"
