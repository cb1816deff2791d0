#!/usr/bin/env bash
# `ctr run --rm` through io.containerd.husk.v2, compared with io.containerd.runc.v2: output and
# exit code, plain FIFOs, -t, --log-uri file:// and binary://. TAP.
cd "$(dirname "$0")/../.." || exit 1
. integration/containerd/lib.sh
ctrd_probe
echo "1..25"
ctrd_start || { echo "Bail out! containerd did not start"; exit 1; }
check "busybox image imported" ctrd_import_image

# run_case RT NAME ARGS...: stdout, stderr and exit code of `ctr run --rm` in $CTRD_DIR/out.
run_case() {
	local rt=$1 name=$2
	shift 2
	c run --rm --runtime "$rt" "$IMG" "$name-${rt##*.containerd.}" "$@" \
		>"$CTRD_DIR/out" 2>"$CTRD_DIR/err" </dev/null
	echo $? >"$CTRD_DIR/rc"
}

for rt in $HUSK_RT $RUNC_RT; do
	s=${rt#io.containerd.}
	run_case "$rt" plain sh -c 'echo out; echo err >&2; exit 3'
	is "$s: run --rm prints stdout" "$(cat "$CTRD_DIR/out")" "out"
	is "$s: run --rm prints stderr" "$(cat "$CTRD_DIR/err")" "err"
	is "$s: run --rm returns the exit code" "$(cat "$CTRD_DIR/rc")" 3

	c run --rm --null-io --runtime "$rt" "$IMG" "null-$s" sh -c 'echo lost; exit 2' \
		>"$CTRD_DIR/out" 2>&1
	echo $? >"$CTRD_DIR/rc"
	is "$s: --null-io: no output, exit code kept" "$(cat "$CTRD_DIR/out") $(cat "$CTRD_DIR/rc")" " 2"

	run_case "$rt" big sh -c 'i=0; while [ $i -lt 20000 ]; do echo "line $i"; i=$((i+1)); done'
	got="$(wc -l <"$CTRD_DIR/out") $(tail -1 "$CTRD_DIR/out")"
	if [ "$s" = runc.v2 ] && [ "$got" != "20000 line 19999" ]; then
		# containerd-shim-runc-v2 can publish the exit before its copy of the output is
		# done (ctr then stops reading): the reference's own race, not what we test
		skip "$s: 20000 lines arrive intact before the exit" "runc.v2 lost output: got $got"
	else
		is "$s: 20000 lines arrive intact before the exit" "$got" "20000 line 19999"
	fi

	# -t needs a terminal on ctr's side: script(1) gives it one.
	script -qec "ctr -a $CTRD_SOCK -n $NS run --rm -t --runtime $rt $IMG tty-$s \
		sh -c 'tty; echo hi; exit 4'" /dev/null </dev/null >"$CTRD_DIR/out" 2>&1
	echo $? >"$CTRD_DIR/rc"
	tr -d '\r\0' <"$CTRD_DIR/out" >"$CTRD_DIR/out2"
	check "$s: run -t gets a pty" grep -q '/dev/pts/0$' "$CTRD_DIR/out2"
	check "$s: run -t output arrives" grep -qx 'hi' "$CTRD_DIR/out2"
	is "$s: run -t returns the exit code" "$(cat "$CTRD_DIR/rc")" 4

	log=$CTRD_DIR/logs-$s/file.log
	c run --rm --log-uri "file://$log" --runtime "$rt" "$IMG" file-$s \
		sh -c 'echo to-file; echo err-file >&2; exit 5' >"$CTRD_DIR/out" 2>&1
	echo $? >"$CTRD_DIR/rc"
	got=$(sort "$log" 2>/dev/null | tr '\n' ' ')
	if [ "$s" = runc.v2 ] && [ "$got" != "err-file to-file " ]; then
		# the reference shim's own race (exit published before its copy is done)
		skip "$s: --log-uri file:// keeps both streams" "runc.v2 lost output: got $got"
	else
		is "$s: --log-uri file:// keeps both streams" "$got" "err-file to-file "
	fi
	is "$s: --log-uri file:// returns the exit code" "$(cat "$CTRD_DIR/rc")" 5

	bdir=$CTRD_DIR/blog-$s
	mkdir -p "$bdir"
	cat >"$CTRD_DIR/logger.sh" <<'SH'
#!/bin/sh
# binary:// logger: args "dir" DIR; fd 3 stdout, fd 4 stderr, fd 5 readiness.
echo "$CONTAINER_ID $CONTAINER_NAMESPACE" >"$2/env"
exec 5>&-
/bin/cat <&3 >"$2/out" &
/bin/cat <&4 >"$2/err" &
wait
SH
	chmod +x "$CTRD_DIR/logger.sh"
	c run --rm --log-uri "binary://$CTRD_DIR/logger.sh?dir=$bdir" --runtime "$rt" "$IMG" \
		bin-$s sh -c 'echo to-bin; echo err-bin >&2; exit 6' >"$CTRD_DIR/out" 2>&1
	echo $? >"$CTRD_DIR/rc"
	for _ in 1 2 3 4 5 6 7 8 9 10; do [ -s "$bdir/err" ] && break; sleep 0.2; done
	is "$s: binary:// logger gets stdout, stderr, id and namespace" \
		"$(cat "$bdir/out" "$bdir/err" "$bdir/env" 2>/dev/null | tr '\n' ' ')" \
		"to-bin err-bin bin-$s $NS "
done

# Nothing of husk's left behind once every task is gone.
check "husk: no runtime state left" test -z "$(ls -A /run/containerd/husk/$NS 2>/dev/null)"
check "husk: no rootfs mount left" sh -c "! grep -q ' $CTRD_DIR/state' /proc/self/mountinfo"
