#!/usr/bin/env bash
# t_vm_cgroup2.sh: the cgroup tests on a real cgroup v2 kernel. Boots Debian's linux-image-amd64
# kernel in qemu (TCG, no KVM needed) with an initramfs from mkinitramfs.sh; the guest mounts the
# host's root read-only over 9p (under a tmpfs overlay), mounts cgroup2 with every controller and
# runs the cgroups unit tests on the real hierarchy ($BUILD/tests/test_cg_*) and
# integration/cgroups/t_cg_*.sh (guest-run.sh). Their TAP comes back through a 9p share and is
# relayed here as one TAP stream, renumbered, each line naming the guest program, so
# tests/run-all.sh counts every guest test. A test program that stops early has its missing
# tests reported failed; a guest that hangs is killed after VM_TIMEOUT seconds and reported as a
# failed test, with the end of its console.
#
# Environment: BUILD (default build), VM_TIMEOUT (default 540 s), VM_MEM (MiB, default 2048),
# VM_KERNEL (a /boot/vmlinuz-* with its /lib/modules; default the newest such), VM_TESTS (names
# of guest programs to run, e.g. "t_cg_cpu.sh leftovers"; default all), VM_KEEP=1 keeps the
# work dir (console.log, out/), VERBOSE=1 prints the guest console at the end.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$top/$BUILD ;; esac
VM_TIMEOUT=${VM_TIMEOUT:-540}
VM_MEM=${VM_MEM:-2048}
export LC_ALL=C

skip_all() {
	echo "1..1"
	echo "ok 1 - vm: cgroup v2 tests in a qemu guest # SKIP $*"
	exit 0
}

pick_kernel() {
	local k v best=""
	if [ -n "${VM_KERNEL:-}" ]; then
		echo "$VM_KERNEL"
		return
	fi
	for k in /boot/vmlinuz-*; do
		[ -f "$k" ] || continue
		v=${k#/boot/vmlinuz-}
		[ -d "/lib/modules/$v/kernel/fs/9p" ] || [ -d "/lib/modules/$v/kernel/net/9p" ] ||
			continue
		best=$k
	done
	echo "$best"
}

qemu=$(command -v qemu-system-x86_64 || true)
[ -n "$qemu" ] || skip_all "qemu-system-x86_64 missing (apt-get install qemu-system-x86)"
[ "$(uname -m)" = x86_64 ] || skip_all "the guest is x86_64 and this host is $(uname -m)"
kernel=$(pick_kernel)
[ -n "$kernel" ] || skip_all "no /boot/vmlinuz-* with 9p modules (apt-get install linux-image-amd64)"
[ -r "$kernel" ] || skip_all "$kernel is not readable (run as root)"
kver=${kernel#/boot/vmlinuz-}

work=$(mktemp -d /tmp/husk-vm.XXXXXX)
qpid=""
cleanup() {
	[ -n "$qpid" ] && kill -9 "$qpid" 2>/dev/null
	if [ "${VM_KEEP:-0}" = 1 ]; then
		echo "# kept $work" >&2
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$work/out"

missing=""
for f in "$BUILD/husk" "$BUILD/integration/init" "$BUILD/tests/test_cg_host"; do
	[ -x "$f" ] || missing="$missing $f"
done
if [ -n "$missing" ]; then
	echo "1..1"
	echo "not ok 1 - vm: build first (make all test-programs): missing$missing"
	exit 1
fi
if ! "$top/integration/vm/mkinitramfs.sh" "$work/initrd.gz" "$kver" 2>"$work/mkinitramfs.err"; then
	echo "1..1"
	echo "not ok 1 - vm: build the initramfs: $(cat "$work/mkinitramfs.err")"
	exit 1
fi
# A disk for the io controller tests: the guest sees it as /dev/vda.
truncate -s 64M "$work/disk.img"

append="console=ttyS0 quiet panic=-1 HUSK_REPO=$top HUSK_BUILD=$BUILD"
[ -n "${VM_TESTS:-}" ] && append="$append HUSK_TESTS=${VM_TESTS// /,}"
start=$(date +%s)
# -virtfs readonly: the guest cannot write to the host; multidevs=remap: the host's / spans
# several filesystems, inode numbers must not collide in the guest.
"$qemu" -m "$VM_MEM" -smp 2 -display none -monitor none -no-reboot -nic none \
	-serial "file:$work/console.log" \
	-kernel "$kernel" -initrd "$work/initrd.gz" -append "$append" \
	-virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap" \
	-virtfs "local,path=$work/out,mount_tag=out,security_model=none" \
	-drive "file=$work/disk.img,if=virtio,format=raw" \
	</dev/null >"$work/qemu.out" 2>&1 &
qpid=$!
timed_out=0
for ((i = 0; i < VM_TIMEOUT * 5; i++)); do
	kill -0 "$qpid" 2>/dev/null || break
	sleep 0.2
done
if kill -0 "$qpid" 2>/dev/null; then
	timed_out=1
	kill -9 "$qpid" 2>/dev/null
fi
wait "$qpid" 2>/dev/null
qrc=$?
qpid=""
elapsed=$(($(date +%s) - start))

# Relay: one TAP stream, renumbered; per program, planned-but-unreported tests fail.
n=0 n_fail=0
emit() { # emit ok|not-ok TEXT
	n=$((n + 1))
	if [ "$1" = ok ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; n_fail=$((n_fail + 1)); fi
}
echo "# guest: $kver, qemu $("$qemu" --version | awk 'NR == 1 {print $4}'), TCG, $VM_MEM MiB"
while read -r prog; do
	[ -n "$prog" ] || continue
	plan=-1 seen=0
	while IFS= read -r line; do
		case $line in
		1..*) plan=${line#1..}; plan=${plan%% *} ;;
		"ok "* | "not ok "*)
			seen=$((seen + 1))
			text=$(printf '%s\n' "$line" | sed -E 's/^(not )?ok [0-9]+ *-? *//')
			case $line in
			ok*) emit ok "vm $prog: $text" ;;
			*) emit not-ok "vm $prog: $text" ;;
			esac
			;;
		"#"*) echo "# vm $prog: ${line#\#}" ;;
		esac
	done <"$work/out/$prog.tap"
	if [ "$plan" -ge 0 ] 2>/dev/null && [ "$seen" -lt "$plan" ]; then
		for ((k = seen; k < plan; k++)); do
			emit not-ok "vm $prog: test $((k + 1)) of $plan did not report (exit $(cat "$work/out/$prog.rc" 2>/dev/null || echo '?'))"
		done
	elif [ "$plan" -lt 0 ] && [ "$seen" -eq 0 ]; then
		emit not-ok "vm $prog: printed no test result (exit $(cat "$work/out/$prog.rc" 2>/dev/null || echo '?'))"
	fi
done < <(cat "$work/out/index" 2>/dev/null)

if [ -f "$work/out/done" ]; then
	emit ok "vm: the guest ran every test program and powered off (${elapsed} s)"
else
	why="qemu exited $qrc"
	[ $timed_out = 1 ] && why="killed after ${VM_TIMEOUT} s"
	[ -f "$work/out/fatal" ] && why="$why: $(cat "$work/out/fatal")"
	emit not-ok "vm: the guest did not finish ($why)"
	echo "# qemu: $(tail -n 5 "$work/qemu.out" 2>/dev/null | tr '\n' ' ')"
	tail -n 30 "$work/console.log" 2>/dev/null | sed 's/^/#   console: /'
fi
[ "${VERBOSE:-0}" = 1 ] && sed 's/^/#   console: /' "$work/console.log"
echo "1..$n"
echo "# vm: $n tests, $n_fail failed, ${elapsed} s"
[ "$n_fail" -eq 0 ]
