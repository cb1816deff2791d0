#!/usr/bin/env bash
# Runs every test and prints one closing line: `tests: N passed, N failed, N skipped`.
# Unit tests are cmocka binaries (TAP output); integration tests are integration/t_*.sh and
# integration/*/t_*.sh, which print TAP themselves. A plan line `1..N` with fewer results counts
# the missing ones as failed. Usage: run-all.sh [--unit-only] [BUILD]
set -u
unit_only=0
if [ "${1:-}" = "--unit-only" ]; then unit_only=1; shift; fi
BUILD=${1:-build}
export BUILD
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
pass=0 fail=0 skip=0
failed_names=()

# count_tap NAME: reads TAP on stdin, echoes it, adds to the totals.
count_tap() {
	local name=$1 line plan=-1 seen=0
	while IFS= read -r line; do
		printf '%s\n' "$line"
		case "$line" in
		1..*) plan=${line#1..}; plan=${plan%% *} ;;
		"not ok "*"# SKIP"* | "not ok "*"# skip"* | "ok "*"# SKIP"* | "ok "*"# skip"*)
			skip=$((skip + 1)); seen=$((seen + 1)) ;;
		"not ok "*)
			fail=$((fail + 1)); seen=$((seen + 1)); failed_names+=("$name: ${line#not ok }") ;;
		"ok "*)
			pass=$((pass + 1)); seen=$((seen + 1)) ;;
		esac
	done
	if [ "$plan" -ge 0 ] 2>/dev/null && [ "$seen" -lt "$plan" ]; then
		fail=$((fail + plan - seen))
		failed_names+=("$name: $((plan - seen)) planned tests did not report")
	elif [ "$plan" -lt 0 ] && [ "$seen" -eq 0 ]; then
		fail=$((fail + 1))
		failed_names+=("$name: printed no test result")
	fi
}

run_one() { # run_one NAME TIMEOUT CMD...
	local name=$1 to=$2
	shift 2
	echo "# --- $name"
	local out
	out=$(mktemp)
	timeout -k 10 "$to" "$@" >"$out" 2>&1
	local rc=$?
	count_tap "$name" <"$out"
	if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
		fail=$((fail + 1)); failed_names+=("$name: timed out after ${to}s")
	fi
	rm -f "$out"
}

for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	case "$t" in *.o | *.d) continue ;; esac
	CMOCKA_MESSAGE_OUTPUT=TAP run_one "$(basename "$t")" 300 "$t"
done

for t in "$BUILD"/tests/fuzz/replay_*; do
	[ -x "$t" ] || continue
	run_one "$(basename "$t")" 300 "$t"
done

if [ "$unit_only" = 0 ]; then
	for t in integration/t_*.sh integration/*/t_*.sh; do
		[ -x "$t" ] || continue
		run_one "$t" 1800 "$t"
	done
fi

if [ ${#failed_names[@]} -gt 0 ]; then
	echo "# failures:"
	for f in "${failed_names[@]}"; do echo "#   $f"; done
fi
echo "tests: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
