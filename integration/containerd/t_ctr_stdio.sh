#!/usr/bin/env bash
# Stdio FIFOs of a husk shim driven with shimctl (no containerd): output is kept for a client
# that opens its stdout FIFO only after the process exited (ctr opens its read end from a
# goroutine, late under load), and the exit (Wait) waits for that reader, bounded; a client
# that never opens it holds the exit up for about a second, no more; a silent process holds
# nothing up. TAP.
cd "$(dirname "$0")/../.." || exit 1
. integration/containerd/lib.sh
shimctl_probe
BB=$(command -v busybox) || skip_all "busybox missing (busybox-static)"
! ldd "$BB" >/dev/null 2>&1 || skip_all "$BB is not static (busybox-static)"
echo "1..12"

T=$(mktemp -d /tmp/husk-stdio.XXXXXX)
SNS=husk-stdio-$$ # the shim's namespace (its state: /run/containerd/husk/$SNS)
CG=husk-stdio-$$  # cgroupsPath /$CG/<id>
IDS="c1 c2 c3"
pids=() # log reader, shim server, FIFO readers we started

cleanup() {
	if [ "$tap_fail" -gt 0 ] && [ -s "$T/shim.log" ]; then
		sed 's/^/# shim: /' "$T/shim.log" | tail -8
	fi
	# shellcheck disable=SC2086 # IDS is a list of words
	shimctl_cleanup "$T" "$SNS" "$CG" $IDS
	rm -rf "$T"
}
trap cleanup EXIT

# bundle ID ARGS...: $T/ID with a busybox rootfs and a config.json running ARGS.
bundle() {
	local b=$T/$1
	shift
	mkdir -p "$b/rootfs"/{bin,proc,sys,dev,tmp}
	cp "$BB" "$b/rootfs/bin/busybox"
	for a in sh echo true; do ln -s busybox "$b/rootfs/bin/$a"; done
	python3 integration/config.py default "$b/config.json" "/$CG/${b##*/}" &&
		python3 integration/config.py args "$b/config.json" "$@"
}
s() { timeout -k 5 30 "$SHIMCTL" "$SOCK" "$SNS" "$@"; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# One shim server for all three containers (started for c1's bundle, as containerd would).
bundle c1 /bin/echo late reader
bundle c2 /bin/echo nobody reads this
bundle c3 /bin/true
mkfifo "$T/log"
exec {logfd}<>"$T/log" # containerd holds the log FIFO open like this
cat "$T/log" >"$T/shim.log" 2>/dev/null &
pids+=($!)
disown $!
out=$(cd "$T/c1" && ln -s ../log log && "$SHIM" -namespace "$SNS" -address "$T/fake.sock" \
	-id c1 -debug start)
SOCK=${out#unix://}
shim_pid=$(s connect c1 | sed -n 's/^OK shim_pid=\([0-9]*\) .*/\1/p')
[ -n "$shim_pid" ] && pids+=("$shim_pid")
check "a shim server is up" test -n "$shim_pid"

# c1: the client opens its stdout FIFO 300 ms after the start, once the echo is long gone.
for id in c1 c2 c3; do mkfifo "$T/$id.out"; done
out=$(s create c1 "$T/c1" -o "$T/c1.out")
check "Create with a stdout FIFO nobody reads yet" grep -q '^OK create pid=[1-9]' <<<"$out"
(sleep 0.3 && exec cat "$T/c1.out" >"$T/c1.got") &
reader=$!
pids+=("$reader")
disown "$reader"
check "Start" grep -q '^OK start' <<<"$(s start c1)"
is "the exit is reported (Wait)" "$(s wait c1)" "OK wait exit_status=0"
for _ in $(seq 1 50); do kill -0 "$reader" 2>/dev/null || break; sleep 0.1; done
is "the late reader got the output" "$(cat "$T/c1.got" 2>/dev/null)" "late reader"
check "  and EOF (it ended)" sh -c "! kill -0 $reader 2>/dev/null"
s delete c1 >/dev/null

# c2: nobody ever opens the FIFO: the exit waits about a second, no more.
out=$(s create c2 "$T/c2" -o "$T/c2.out")
check "Create with a stdout FIFO nobody will read" grep -q '^OK create pid=[1-9]' <<<"$out"
t0=$(now_ms)
s start c2 >/dev/null
got=$(s wait c2)
waited=$(($(now_ms) - t0))
diag "c2: the exit came ${waited} ms after the start"
is "without a reader the exit is still reported" "$got" "OK wait exit_status=0"
check "  after the bounded wait for the reader (0.9 s <= $waited ms < 1.9 s)" \
	test "$waited" -ge 900 -a "$waited" -lt 1900
s delete c2 >/dev/null

# c3: a silent process: nothing to keep, nothing to wait for.
out=$(s create c3 "$T/c3" -o "$T/c3.out")
check "Create a process that writes nothing" grep -q '^OK create pid=[1-9]' <<<"$out"
t0=$(now_ms)
s start c3 >/dev/null
got=$(s wait c3)
waited=$(($(now_ms) - t0))
is "a process that wrote nothing exits" "$got" "OK wait exit_status=0"
check "  and is reported at once (${waited} ms < 900 ms)" test "$waited" -lt 900
s delete c3 >/dev/null
s shutdown >/dev/null 2>&1
