#!/usr/bin/env bash
# containerd-shim-husk-v2 against containerd-shim-runc-v2 (+ runc), measured side by side in one
# run on one private containerd: `ctr run --rm` latency, `ctr task exec` latency (and the shims'
# own part of it, driven over ttrpc by shimctl without ctr and containerd), shim memory with
# 10 running containers (PSS, RSS, threads), stdout throughput. Runs are interleaved and the
# median is reported, since this machine is shared. Targets (issue 4): start <= 0.6x, exec <= 0.5x,
# PSS <= 0.1x with one thread, throughput >= 1.5x. Prints a report, then TAP lines for the
# targets. Usage: shim_bench.sh [BUILD]   (RUNS=15 EXECS=20 MB=1024 to tune)
cd "$(dirname "$0")/../.." || exit 1
BUILD=${1:-${BUILD:-build}}
. integration/containerd/lib.sh
RUNS=${RUNS:-15}
EXECS=${EXECS:-20}
MB=${MB:-1024}
ctrd_probe
ctrd_start || { echo "Bail out! containerd did not start"; exit 1; }
ctrd_import_image || { echo "Bail out! image import failed"; exit 1; }
res=$CTRD_DIR/bench
mkdir -p "$res"

now_ms() { echo $(($(date +%s%N) / 1000000)); }
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : int((a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }
short() { local s=${1#io.containerd.}; echo "${s%.v2}"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0) ? a / b : 0 }'; }

# warm up both paths (page cache, binaries)
for rt in $HUSK_RT $RUNC_RT; do c run --rm --runtime "$rt" "$IMG" "warm-$(short "$rt")" true; done

for i in $(seq 1 "$RUNS"); do
	for rt in $HUSK_RT $RUNC_RT; do
		t0=$(now_ms)
		c run --rm --runtime "$rt" "$IMG" "run-$i-$(short "$rt")" true
		echo $(($(now_ms) - t0)) >>"$res/run-$(short "$rt")"
	done
done

for rt in $HUSK_RT $RUNC_RT; do
	c run -d --runtime "$rt" "$IMG" "ex-$(short "$rt")" sleep 100000 >/dev/null
done
for i in $(seq 1 "$EXECS"); do
	for rt in $HUSK_RT $RUNC_RT; do
		s=$(short "$rt")
		t0=$(now_ms)
		c task exec --exec-id "e$i" "ex-$s" true
		echo $(($(now_ms) - t0)) >>"$res/exec-$s"
	done
done
# The same exec without ctr and containerd: shimctl sends each shim what containerd sends for
# `ctr task exec` (Exec, Wait + Start, Delete; no stdio) on one connection, in rounds.
tasks=$CTRD_DIR/state/io.containerd.runtime.v2.task/$NS
python3 -c 'import json, sys; p = json.load(open(sys.argv[1]))["process"]
p["args"], p["terminal"] = ["true"], False; json.dump(p, open(sys.argv[2], "w"))' \
	"$tasks/ex-husk/config.json" "$res/process.json"
for i in $(seq 1 4); do
	for rt in $HUSK_RT $RUNC_RT; do
		s=$(short "$rt")
		"$BUILD/integration/shimctl" "$(sed 's|^unix://||' "$tasks/ex-$s/address")" "$NS" \
			exec-bench "ex-$s" $((EXECS / 4 + 1)) "$res/process.json" |
			sed -n 's/^OK exec-bench .*median_us=\([0-9]*\).*/\1/p' >>"$res/sexec-$s"
	done
done
for rt in $HUSK_RT $RUNC_RT; do c task kill -s KILL "ex-$(short "$rt")"; done

for i in 1 2 3; do
	for rt in $HUSK_RT $RUNC_RT; do
		s=$(short "$rt")
		t0=$(now_ms)
		c run --rm --runtime "$rt" "$IMG" "tp-$i-$s" dd if=/dev/zero bs=64k count=$((MB * 16)) \
			2>/dev/null | cat >/dev/null
		echo $(($(now_ms) - t0)) >>"$res/tp-$s"
	done
done

# Memory: 10 running containers per runtime, one shim each (no grouping), summed.
for rt in $HUSK_RT $RUNC_RT; do
	s=$(short "$rt")
	for i in $(seq 1 10); do
		c run -d --runtime "$rt" "$IMG" "mem-$i-$s" sleep 100000 >/dev/null
	done
done
sleep 1
for rt in $HUSK_RT $RUNC_RT; do
	s=$(short "$rt")
	pss=0 rss=0 thr=0 n=0
	for i in $(seq 1 10); do
		init=$(c task ls | awk -v id="mem-$i-$s" '$1 == id { print $2 }')
		shim=$(ps -o ppid= -p "$init" | tr -d ' ')
		read -r p r < <(awk '/^Pss:/ { p = $2 } /^Rss:/ { r = $2 } END { print p, r }' \
			"/proc/$shim/smaps_rollup")
		t=$(awk '/^Threads:/ { print $2 }' "/proc/$shim/status")
		pss=$((pss + p)) rss=$((rss + r)) thr=$((thr + t)) n=$((n + 1))
	done
	echo "$pss $rss $thr $n" >"$res/mem-$s"
done

read -r hp hr ht hn <"$res/mem-husk"
read -r rp rr rth rn <"$res/mem-runc"
hrun=$(median <"$res/run-husk") rrun=$(median <"$res/run-runc")
hexe=$(median <"$res/exec-husk") rexe=$(median <"$res/exec-runc")
hsex=$(median <"$res/sexec-husk") rsex=$(median <"$res/sexec-runc")
htp=$(median <"$res/tp-husk") rtp=$(median <"$res/tp-runc")
hmbs=$((MB * 1000 / htp)) rmbs=$((MB * 1000 / rtp))

printf '\n%-34s %12s %12s %8s %8s\n' "measure (median)" husk runc ratio target
printf '%-34s %10s ms %10s ms %8s %8s\n' "ctr run --rm latency ($RUNS runs)" "$hrun" "$rrun" \
	"$(ratio "$hrun" "$rrun")" "<= 0.60"
printf '%-34s %10s ms %10s ms %8s %8s\n' "ctr task exec latency ($EXECS runs)" "$hexe" "$rexe" \
	"$(ratio "$hexe" "$rexe")" "<= 0.50"
printf '%-34s %10s us %10s us %8s\n' "shim's own exec, direct ttrpc" "$hsex" "$rsex" \
	"$(ratio "$hsex" "$rsex")"
printf '%-34s %7s kB %9s kB %8s %8s\n' "shim PSS, 10 containers (sum)" "$hp" "$rp" \
	"$(ratio "$hp" "$rp")" "<= 0.10"
printf '%-34s %7s kB %9s kB %8s\n' "shim RSS, 10 containers (sum)" "$hr" "$rr" "$(ratio "$hr" "$rr")"
printf '%-34s %10s %12s\n' "shim threads, 10 containers (sum)" "$ht" "$rth"
printf '%-34s %7s MB/s %7s MB/s %8s %8s\n' "stdout throughput ($MB MiB, dd 64k)" "$hmbs" "$rmbs" \
	"$(ratio "$hmbs" "$rmbs")" ">= 1.50"
echo

echo "1..5"
tap() { if awk "BEGIN { exit !($2) }"; then echo "ok - $1"; else echo "not ok - $1"; fi; }
tap "run --rm latency $(ratio "$hrun" "$rrun")x runc <= 0.6x" "$hrun <= 0.6 * $rrun"
tap "exec latency $(ratio "$hexe" "$rexe")x runc <= 0.5x" "$hexe <= 0.5 * $rexe"
tap "shim PSS $(ratio "$hp" "$rp")x runc <= 0.1x" "$hp <= 0.1 * $rp"
tap "one thread per husk shim" "$ht == $hn"
tap "stdout throughput $(ratio "$hmbs" "$rmbs")x runc >= 1.5x" "$hmbs >= 1.5 * $rmbs"
