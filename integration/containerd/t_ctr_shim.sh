#!/usr/bin/env bash
# The shim binary's own contract: `start` prints only the address, writes the address file and
# reuses a live shim of the same group; -info prints a RuntimeInfo; one shim serves a whole pod
# (io.kubernetes.cri.sandbox-id grouping) and exits when the last container is deleted. TAP.
cd "$(dirname "$0")/../.." || exit 1
. integration/containerd/lib.sh
ctrd_probe
echo "1..14"
SHIM=$BUILD/containerd-shim-husk-v2

info=$("$SHIM" -info | od -An -c | tr -d ' \n')
check "-info prints a RuntimeInfo named io.containerd.husk.v2" \
	grep -q 'io.containerd.husk.v2' <<<"$info"
check "-info carries the OCI features" grep -q 'features/Features' <<<"$info"

# start by hand, in a bundle of our own
b=$(mktemp -d /tmp/husk-shimtest.XXXXXX)
echo '{"ociVersion":"1.2.0","annotations":{"io.kubernetes.cri.sandbox-id":"podx"}}' >"$b/config.json"
mkfifo "$b/log"
exec 7<>"$b/log" # containerd holds the log FIFO open like this
args=(-namespace "shimtest-$$" -address "$b/fake.sock" -id c1)
out=$(cd "$b" && "$SHIM" "${args[@]}" start 2>&1)
rc=$?
is "start exits 0" "$rc" 0
check "start prints only a unix:///run/containerd/s/<hex> address" \
	grep -Eqx 'unix:///run/containerd/s/[0-9a-f]{64}' <<<"$out"
is "start writes the same address to the address file" "$(cat "$b/address")" "$out"
sock=${out#unix://}
check "the server listens on it" test -S "$sock"
pid=$(ss -xlpn 2>/dev/null | grep -F "$sock" | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2)
check "a server process owns the socket" test -n "$pid"
b2=$(mktemp -d /tmp/husk-shimtest.XXXXXX)
cp "$b/config.json" "$b2/"
out2=$(cd "$b2" && "$SHIM" -namespace "shimtest-$$" -address "$b/fake.sock" -id c2 start 2>&1)
is "start for a second container of the pod reuses the shim" "$out2" "$out"
is "only one server for the pod" "$(ss -xlpn 2>/dev/null | grep -cF "$sock")" 1
[ -n "$pid" ] && kill "$pid"
for _ in $(seq 1 30); do [ -e "$sock" ] || break; sleep 0.1; done
check "SIGTERM: the server exits and removes its socket" test ! -e "$sock"
exec 7>&-
rm -rf "$b" "$b2"
rmdir "/run/containerd/husk/shimtest-$$" 2>/dev/null

# a pod through containerd
ctrd_start || { echo "Bail out! containerd did not start"; exit 1; }
ctrd_import_image
LOOP='trap "exit 9" TERM; while :; do sleep 0.1; done'
for i in 1 2 3; do
	c run -d --annotation io.kubernetes.cri.sandbox-id=pod1 --runtime "$HUSK_RT" "$IMG" "p$i" \
		sh -c "$LOOP" >/dev/null
done
shims=$(for i in 1 2 3; do
	ps -o ppid= -p "$(c task ls | awk -v id="p$i" '$1 == id { print $2 }')"
done | sort -u | wc -l)
is "the 3 containers of a pod share one shim" "$shims" 1
shim=$(ps -o ppid= -p "$(c task ls | awk '$1 == "p1" { print $2 }')" | tr -d ' ')
podsock=$(sed 's|^unix://||' "$CTRD_DIR/state/io.containerd.runtime.v2.task/$NS/p1/address")
c task kill p1
sleep 0.5
c task delete p1 >/dev/null 2>&1
c container rm p1
check "after deleting one, the shim still serves the others" \
	test "$(c task exec --exec-id x p2 echo still)" = still
for i in 2 3; do c task kill "p$i"; done
sleep 0.5
for i in 2 3; do c task delete "p$i" >/dev/null 2>&1; c container rm "p$i"; done
for _ in $(seq 1 30); do kill -0 "$shim" 2>/dev/null || break; sleep 0.1; done
check "the shim exits after the last container of the pod" sh -c "! kill -0 $shim 2>/dev/null"
check "and removes its socket" test ! -e "$podsock"
