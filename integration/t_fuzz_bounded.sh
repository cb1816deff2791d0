#!/usr/bin/env bash
# A bounded libFuzzer run of every fuzz target (clang, ASan+UBSan), as CI's fuzzing step: the
# corpus replay runs with the unit tests; this looks for new crashes for FUZZ_SECONDS each.
set -u
cd "$(dirname "$0")/.." || exit 1
BUILD=${BUILD:-build}
secs=${FUZZ_SECONDS:-45}
targets=$(ls tests/fuzz/fuzz_*.c | sed 's|.*/fuzz_||; s|\.c$||')
n=$(echo "$targets" | wc -w)
echo "1..$((n + 1))"
if ! command -v clang >/dev/null; then
	echo "not ok 1 - clang is missing (tests/install-deps.sh installs it)"
	exit 0
fi
if log=$(make --no-print-directory fuzz BUILD="$BUILD" 2>&1); then
	echo "ok 1 - libFuzzer targets build with clang"
else
	echo "not ok 1 - libFuzzer targets build with clang"
	printf '%s\n' "$log" | tail -20 | sed 's/^/#   /'
	exit 0
fi
i=1
for t in $targets; do
	i=$((i + 1))
	if log=$(make --no-print-directory fuzz-run BUILD="$BUILD" FUZZ_RUN="$t" FUZZ_SECONDS="$secs" 2>&1); then
		echo "ok $i - fuzz_$t: ${secs}s, no crash ($(printf '%s\n' "$log" | grep -o 'stat::number_of_executed_units: *[0-9]*' | grep -o '[0-9]*$') runs)"
	else
		echo "not ok $i - fuzz_$t crashed (inputs in $BUILD/fuzz/crashes/)"
		printf '%s\n' "$log" | tail -30 | sed 's/^/#   /'
	fi
done
