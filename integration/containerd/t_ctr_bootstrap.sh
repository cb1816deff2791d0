#!/usr/bin/env bash
# The `start` action's inputs besides its flags (shim-protocol.md 2.2, 2.5): containerd 2.3's
# BootstrapParams on stdin (hand-encoded here: socket_dir, a runc Options extension with
# shim_cgroup, the address fallbacks), the legacy options Any, undecodable stdin (ignored, as
# the Any path always did and as the Go shims do), `delete` removing a socket in socket_dir but
# never a file its address does not hash to; SCHED_CORE=1 by hand and through containerd's
# sched_core = true (the cookie check is a SKIP on a kernel without core scheduling). TAP.
# Usage: t_ctr_bootstrap.sh [BUILD]
cd "$(dirname "$0")/../.." || exit 1
[ -n "${1:-}" ] && BUILD=$1
. integration/containerd/lib.sh
ctrd_probe
shimctl_probe
command -v python3 >/dev/null || skip_all "python3 missing"
echo "1..42"

SNS=bootns-$$                    # the namespace of the hand-started shims
SDIR=/tmp/hb$$                   # a short socket_dir, as containerd 2.3 allows (<= 42 bytes)
CG=husk-bt-$$                    # the shim cgroup the runc Options extension names
WORK=$(mktemp -d /tmp/husk-bt.XXXXXX)
started=()                       # server pids to kill on exit

cleanup() {
	local p d
	for p in "${started[@]}"; do kill -9 "$p" 2>/dev/null; done
	sleep 0.2
	[ -n "${CTRD_DIR:-}" ] && ctrd_cleanup
	exec 7>&- 2>/dev/null
	rm -rf "$WORK" "$SDIR"
	for d in /sys/fs/cgroup/*/"$CG" /sys/fs/cgroup/"$CG"; do
		[ -d "$d" ] && rmdir "$d" 2>/dev/null
	done
	rmdir "/run/containerd/husk/$SNS" 2>/dev/null
	ctrd_remove_new_dirs
}
trap cleanup EXIT

# enc KEY=VALUE...: BootstrapParams (id, ns, dir, cg, grpc, ttrpc) in protobuf wire format, by
# hand: varints and length-delimited fields. any=1 writes the legacy options Any instead.
enc() {
	python3 -S - "$@" <<'PY'
import sys
def varint(n):
    n &= (1 << 64) - 1
    out = b""
    while True:
        b, n = n & 0x7f, n >> 7
        if not n:
            return out + bytes([b])
        out += bytes([b | 0x80])
def ld(field, data):
    data = data.encode() if isinstance(data, str) else data
    return varint(field << 3 | 2) + varint(len(data)) + data
def anymsg(type_url, value):
    return ld(1, type_url) + ld(2, value)
a = dict(x.split("=", 1) for x in sys.argv[1:])
runc = anymsg("containerd.runc.v1.Options", ld(3, a["cg"]) if a.get("cg") else b"")
if a.get("any"):
    sys.stdout.buffer.write(runc)
    sys.exit(0)
m = ld(1, a["id"]) + ld(2, a["ns"])
m += varint(3 << 3) + varint(-4)                    # log_level DEBUG: a 10-byte varint
m += ld(4, "2.3.4") + ld(5, a.get("ttrpc", "")) + ld(6, a.get("grpc", ""))
m += ld(7, "/usr/bin/containerd")
m += ld(8, ld(1, anymsg("containerd.io/sandbox.v1.SandboxConfig", b"\x08\x01")))
m += ld(8, ld(1, runc))
if "dir" in a:
    m += ld(9, a["dir"])
sys.stdout.buffer.write(m)
PY
}

# cookie PID...: the core-scheduling cookie of each pid, or "ERR <errno name>".
cookie() {
	python3 -S - "$@" <<'PY'
import ctypes, errno, sys
libc = ctypes.CDLL(None, use_errno=True)
U = ctypes.c_ulong
for pid in sys.argv[1:]:
    c = ctypes.c_ulonglong(0)
    # PR_SCHED_CORE, PR_SCHED_CORE_GET, pid, PIDTYPE_PID
    if libc.prctl(U(62), U(0), U(int(pid)), U(0), ctypes.byref(c)) < 0:
        print("ERR", errno.errorcode.get(ctypes.get_errno(), "?"))
    else:
        print(c.value)
PY
}

# bundle NAME: a bundle dir with a config.json grouping into pod "podb", and a log FIFO.
bundle() {
	local b=$WORK/$1
	mkdir -p "$b"
	echo '{"ociVersion":"1.2.0","annotations":{"io.kubernetes.cri.sandbox-id":"podb"}}' \
		>"$b/config.json"
	mkfifo "$b/log"
	echo "$b"
}
# server_pid SOCKET: the pid listening on it.
server_pid() { ss -xlpn 2>/dev/null | grep -F " $1 " | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2; }
hash_of() { printf '%s/%s/%s\n%s' "$1" "$2" "$3" containerd-shim-husk-v2 | sha256sum | cut -c1-64; }

# --- BootstrapParams with socket_dir and a runc Options extension
for d in /sys/fs/cgroup/pids /sys/fs/cgroup/memory; do [ -d "$d" ] && mkdir -p "$d/$CG"; done
[ -f /sys/fs/cgroup/cgroup.controllers ] && mkdir -p "/sys/fs/cgroup/$CG"
b1=$(bundle b1)
exec 7<>"$b1/log"
enc id=c1 ns="$SNS" dir="$SDIR/" cg="/$CG" grpc="$WORK/fake.sock" ttrpc="$WORK/ev.ttrpc" \
	>"$WORK/params1"
out=$(cd "$b1" && env -u TTRPC_ADDRESS "$SHIM" -namespace "$SNS" -address "$WORK/fake.sock" \
	-id c1 start <"$WORK/params1" 2>&1)
is "start with BootstrapParams exits 0" "$?" 0
want="unix://$SDIR/$(hash_of "$WORK/fake.sock" "$SNS" podb)"
is "it prints only the address, in socket_dir (trailing / dropped), with the usual hash" \
	"$out" "$want"
is "the address file holds the same" "$(cat "$b1/address" 2>/dev/null)" "$out"
sock=${out#unix://}
check "nothing of it in /run/containerd/s" test ! -e "/run/containerd/s/${sock##*/}"
is "the socket is 0600" "$(stat -c '%F %a' "$sock" 2>/dev/null)" "socket 600"
is "socket_dir was made 0700" "$(stat -c %a "$SDIR" 2>/dev/null)" 700
pid=$(server_pid "$sock")
[ -n "$pid" ] && started+=("$pid")
check "a server listens on it" test -n "$pid"
got=$("$SHIMCTL" "$sock" "$SNS" connect "" 2>&1)
is "the Task API answers there (Connect)" "$got" "OK shim_pid=$pid task_pid=0"
check "the server joined the shim cgroup of the runc Options extension" \
	grep -q ":/$CG\$" "/proc/$pid/cgroup"
is "TTRPC_ADDRESS missing from the env: the server has BootstrapParams' address" \
	"$(tr '\0' '\n' <"/proc/$pid/environ" | grep '^TTRPC_ADDRESS=')" \
	"TTRPC_ADDRESS=$WORK/ev.ttrpc"

# -address missing (and GRPC_ADDRESS): BootstrapParams' containerd_grpc_address is hashed
b2=$(bundle b2)
enc id=c2 ns="$SNS" dir="$SDIR" grpc="$WORK/fake.sock" >"$WORK/params2"
out2=$(cd "$b2" && env -u GRPC_ADDRESS "$SHIM" -namespace "$SNS" -id c2 start \
	<"$WORK/params2" 2>&1)
is "without -address, the params' grpc address gives the same pod shim" "$out2" "$out"
is "still one server for the pod" "$(ss -xlpn 2>/dev/null | grep -cF " $sock ")" 1

# delete: only a dead shim's socket goes, and only one whose address is ours
(cd "$b1" && "$SHIM" -namespace "$SNS" -address "$WORK/fake.sock" -id c1 -bundle "$b1" \
	delete >"$WORK/del0" 2>&1)
is "delete while the server lives exits 0" "$?" 0
check "and leaves its socket (it still serves the pod)" test -S "$sock"
kill -9 "$pid"
for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
check "SIGKILLed server: its socket stays behind" test -S "$sock"
cp "$b1/address" "$WORK/address.saved"
python3 -S -c 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$SDIR/decoy"
printf 'unix://%s/decoy' "$SDIR" >"$b1/address"
(cd "$b1" && "$SHIM" -namespace "$SNS" -address "$WORK/fake.sock" -id c1 -bundle "$b1" \
	delete >/dev/null 2>&1)
check "an address file naming another socket: delete leaves that socket alone" \
	test -S "$SDIR/decoy"
check "and ours too (not what the file names)" test -S "$sock"
rm -f "$SDIR/decoy"
cp "$WORK/address.saved" "$b1/address"
(cd "$b1" && "$SHIM" -namespace "$SNS" -address "$WORK/other.sock" -id c1 -bundle "$b1" \
	delete >/dev/null 2>&1)
check "delete for another containerd address does not remove it" test -S "$sock"
(cd "$b1" && "$SHIM" -namespace "$SNS" -address "$WORK/fake.sock" -id c1 -bundle "$b1" \
	delete >"$WORK/del1" 2>"$WORK/del1.err")
is "delete after the server died exits 0" "$?" 0
check "it prints a DeleteResponse (exit_status 137)" \
	grep -q '020 211 001' <<<"$(od -An -c "$WORK/del1")"
check "the socket in socket_dir is gone" test ! -e "$sock"
is "nothing is left in socket_dir" "$(ls -A "$SDIR")" ""
is "no server is left" "$(ss -xlpn 2>/dev/null | grep -cF "$SDIR/")" 0
# a regular file with our hashed name is not a socket: left, with a message
touch "$sock"
(cd "$b1" && "$SHIM" -namespace "$SNS" -address "$WORK/fake.sock" -id c1 -bundle "$b1" \
	delete >/dev/null 2>"$WORK/del2.err")
check "a regular file with our socket's name is left alone" test -f "$sock"
check "and delete says why" grep -q "is not a socket" "$WORK/del2.err"
rm -f "$sock"
exec 7>&-

# --- what start refuses or ignores
b3=$(bundle b3)
exec 7<>"$b3/log"
long=/tmp/hb$$-$(printf '%042d' 0 | cut -c1-$((42 - ${#SDIR})))
enc id=c3 ns="$SNS" dir="$long" >"$WORK/params3"
err=$(cd "$b3" && "$SHIM" -namespace "$SNS" -address "$WORK/fake.sock" -id c3 start \
	<"$WORK/params3" 2>&1)
rc=$?
check "a socket_dir of ${#long} bytes (path > 107): start fails" test "$rc" -ne 0
check "naming the path and saying it is too long" \
	grep -q "socket path $long/[0-9a-f]\{64\} is too long" <<<"$err"
check "and creates nothing" test ! -e "$long"
enc id=c3 ns="$SNS" dir="run/s" >"$WORK/params4"
err=$(cd "$b3" && "$SHIM" -namespace "$SNS" -address "$WORK/fake.sock" -id c3 start \
	<"$WORK/params4" 2>&1)
rc=$?
check "a relative socket_dir: start fails with a clear error" \
	sh -c '[ "$1" -ne 0 ] && grep -q "socket_dir.*\"run/s\" is not an absolute path" <<EOF
$2
EOF' _ "$rc" "$err"

# ignored stdin lands in the default dir, like no options at all
defsock=/run/containerd/s/$(hash_of "$WORK/fake.sock" "$SNS" podb)
start_default() { # start_default DESC STDIN_FILE
	local o p
	o=$(cd "$b3" && "$SHIM" -namespace "$SNS" -address "$WORK/fake.sock" -id c3 start \
		<"$2" 2>&1)
	is "$1" "$o" "unix://$defsock"
	p=$(server_pid "$defsock")
	[ -n "$p" ] && started+=("$p")
	echo "$p" >"$WORK/lastpid"
}
stop_default() {
	local p
	p=$(cat "$WORK/lastpid")
	[ -n "$p" ] && kill "$p"
	for _ in $(seq 1 30); do [ -e "$defsock" ] || break; sleep 0.1; done
}
printf '\377\376 not protobuf \000\001' >"$WORK/garbage"
start_default "garbage on stdin is ignored: start succeeds in /run/containerd/s" "$WORK/garbage"
stop_default
check "(that server stopped and removed its socket)" test ! -e "$defsock"
enc id=other ns="$SNS" dir="$SDIR" >"$WORK/params5"
start_default "BootstrapParams of another instance_id: ignored, default dir" "$WORK/params5"
stop_default
check "its socket_dir was not used" test ! -e "$SDIR/${defsock##*/}"
enc any=1 cg="/$CG" >"$WORK/any"
start_default "the legacy options Any still works" "$WORK/any"
p=$(cat "$WORK/lastpid")
check "and its shim_cgroup is joined" grep -q ":/$CG\$" "/proc/${p:-0}/cgroup"
stop_default
exec 7>&-

# --- SCHED_CORE
probe=$(cookie $$)
case "$probe" in
ERR\ EINVAL) nosched="this kernel has no core scheduling (CONFIG_SCHED_CORE unset: PR_SCHED_CORE_GET gives EINVAL)" ;;
ERR\ ENODEV) nosched="no core scheduling on this machine (no SMT: PR_SCHED_CORE_GET gives ENODEV)" ;;
ERR*) nosched="PR_SCHED_CORE_GET failed: $probe" ;;
*) nosched= ;;
esac
b4=$(bundle b4)
exec 7<>"$b4/log"
out=$(cd "$b4" && SCHED_CORE=1 "$SHIM" -namespace "$SNS" -address "$WORK/fake.sock" -id c4 \
	start </dev/null 2>&1)
rc=$?
if [ -n "$nosched" ]; then
	check "SCHED_CORE=1 without kernel support: start fails, as the runc shim's" test "$rc" -ne 0
	check "saying why" grep -q "SCHED_CORE is set.*core scheduling" <<<"$out"
	check "and leaves no socket and no server" sh -c "[ ! -e '$defsock' ] && \
		! ss -xlpn 2>/dev/null | grep -qF ' $defsock '"
else
	is "SCHED_CORE=1: start exits 0" "$rc" 0
	p=$(server_pid "$defsock")
	[ -n "$p" ] && started+=("$p")
	mine=$(cookie $$) theirs=$(cookie "${p:-0}")
	check "the server has a cookie of its own (not 0, not ours)" \
		test -n "$p" -a "$theirs" != 0 -a "$theirs" != "$mine"
	[ -n "$p" ] && kill "$p"
	check "(that server stopped)" sh -c "sleep 0.5; ! kill -0 ${p:-0} 2>/dev/null"
fi
exec 7>&-

# through containerd: sched_core = true makes it set SCHED_CORE=1 for every shim
ctrd_start || { echo "Bail out! containerd did not start"; exit 1; }
trap cleanup EXIT # ctrd_start set its own
cat >>"$CTRD_DIR/config.toml" <<'TOML'
[plugins."io.containerd.runtime.v2.task"]
  sched_core = true
TOML
ctrd_stop
ctrd_launch || { echo "Bail out! containerd did not restart with sched_core"; exit 1; }
ctrd_import_image
csock=/run/containerd/s/$(hash_of "$CTRD_SOCK" "$NS" sc1)
out=$(c run -d --runtime "$HUSK_RT" "$IMG" sc1 sleep 60 2>&1)
rc=$?
if [ -n "$nosched" ]; then
	check "containerd with sched_core: the husk task fails to start" test "$rc" -ne 0
	check "with the shim's reason in containerd's error" grep -q "SCHED_CORE is set" <<<"$out"
	diag "ctr run said: $out"
	check "and no husk shim or socket is left" sh -c "[ ! -e '$csock' ] && \
		! pgrep -f 'containerd-shim-husk-v[2] .*-namespace $NS ' >/dev/null"
	skip "shim, container init and containerd: cookies" "$nosched"
else
	check "containerd with sched_core: a husk task runs" test "$rc" -eq 0
	init=$(c task ls | awk '$1 == "sc1" { print $2 }')
	shim=$(ps -o ppid= -p "${init:-0}" | tr -d ' ')
	read -r cs ci cc < <(cookie "${shim:-0}" "${init:-0}" "$CTRD_PID" | tr '\n' ' ')
	diag "cookies: shim $cs, init $ci, containerd $cc"
	check "the shim has a cookie (not 0)" test -n "$shim" -a "$cs" != 0 -a "${cs%% *}" != ERR
	is "the container init shares the shim's cookie" "$ci" "$cs"
	check "containerd's cookie is another" test "$cc" != "$cs"
	c task kill -s KILL sc1 >/dev/null 2>&1
	sleep 0.5
	c task delete sc1 >/dev/null 2>&1
fi
c container rm sc1 >/dev/null 2>&1
exit 0
