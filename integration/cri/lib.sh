# Helpers for the CRI tests (sourced after integration/containerd/lib.sh, whose TAP helpers,
# ctrd_config, ctrd_launch and ctrd_stop they use). A private containerd with the CRI plugin on:
# its own root, state, sockets, config, CNI config and images under a temp dir; runtime handlers
# `husk` (io.containerd.husk.v2, our shim from $BUILD through PATH) and `runc`
# (io.containerd.runc.v2). Pods get the cgroup parent /$CRI_CG; their network namespaces live
# under the state dir (netns_mounts_under_state_dir); the stream server listens on 127.0.0.1 only.

NS=k8s.io # the CRI plugin's containerd namespace
PY=/usr/bin/python3 # Debian's python with python3-grpcio and python3-protobuf
CRI_TOP=$HUSK_TOP/integration/cri
INIT_BIN=${INIT_BIN:-$BUILD/integration/init}
PAUSE_IMG=localhost/husk-cri/pause:1
CRI_CG=husk-cri-$$
HANDLERS=${HANDLERS:-husk runc} # the plan line counts both

cri_probe() {
	ctrd_probe
	[ -x "$PY" ] && "$PY" -c 'import grpc, google.protobuf' 2>/dev/null ||
		skip_all "$PY without grpc/protobuf (apt-get install python3-grpcio python3-protobuf)"
	command -v protoc >/dev/null || skip_all "protoc missing (apt-get install protobuf-compiler)"
	[ -x /usr/lib/cni/loopback ] ||
		skip_all "CNI plugins missing (apt-get install containernetworking-plugins)"
	command -v nsenter >/dev/null && command -v ip >/dev/null || skip_all "nsenter or ip missing"
	if [ ! -x "$INIT_BIN" ]; then
		make -s -C "$HUSK_TOP" BUILD="$BUILD" "$INIT_BIN" >&2 || true
	fi
	[ -x "$INIT_BIN" ] || skip_all "$INIT_BIN not built (make test-programs)"
}

# Starts containerd with CRI in CTRD_DIR (made here); compiles the client, sets up CNI and
# imports the images. Sets CTRD_SOCK, CTRD_PID.
cri_start() {
	CTRD_DIR=$(mktemp -d /tmp/husk-cri.XXXXXX)
	CTRD_SOCK=$CTRD_DIR/containerd.sock
	trap cri_cleanup EXIT
	ctrd_snapshot_dirs /var/lib/cni/results /var/lib/cni
	mkdir -p "$CTRD_DIR/py" "$CTRD_DIR/cni/bin" "$CTRD_DIR/cni/net.d" "$CTRD_DIR/logs"
	protoc -I "$CRI_TOP" --python_out="$CTRD_DIR/py" "$CRI_TOP/cri_api.proto" || return 1
	# Debian's plugins plus ours, in one bin_dir (containerd 1.6 takes a single directory).
	ln -s /usr/lib/cni/* "$CTRD_DIR/cni/bin/"
	cp "$CRI_TOP/cni-veth-in-pod" "$CTRD_DIR/cni/bin/"
	cat >"$CTRD_DIR/cni/net.d/10-husk-cri.conflist" <<JSON
{"cniVersion":"0.4.0","name":"husk-cri-$$","plugins":[{"type":"cni-veth-in-pod"},{"type":"loopback"}]}
JSON
	ctrd_config
	cat >>"$CTRD_DIR/config.toml" <<TOML
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMG"
  restrict_oom_score_adj = true
  disable_apparmor = true
  enable_selinux = false
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  disable_tcp_service = true
  enable_tls_streaming = false
  netns_mounts_under_state_dir = true
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "$CTRD_DIR/cni/bin"
    conf_dir = "$CTRD_DIR/cni/net.d"
    max_conf_num = 1
  [plugins."io.containerd.grpc.v1.cri".containerd]
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.husk]
      runtime_type = "io.containerd.husk.v2"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
TOML
	ctrd_launch || return 1
	# the CRI service answers once its plugin is up
	for _ in $(seq 1 100); do
		cri version >/dev/null 2>&1 && break
		sleep 0.1
	done
	cri version >/dev/null || return 1
	"$HUSK_TOP/integration/containerd/mkimage.sh" "$CTRD_DIR/busybox.tar" "$IMG" &&
		"$CRI_TOP/mkpause.sh" "$CTRD_DIR/pause.tar" "$PAUSE_IMG" "$INIT_BIN" &&
		c image import "$CTRD_DIR/busybox.tar" >/dev/null &&
		c image import "$CTRD_DIR/pause.tar" >/dev/null
}

# cri [-q PATH] VERB ARGS...: the CRI client on the private containerd (cri.py), bounded.
cri() {
	timeout -k 5 "${CRI_TIMEOUT:-90}" "$PY" "$CRI_TOP/cri.py" -a "$CTRD_SOCK" \
		-p "$CTRD_DIR/py" "$@"
}

# json_list ARGS...: the arguments as a JSON array of strings.
json_list() { "$PY" -c 'import json, sys; print(json.dumps(sys.argv[1:]))' "$@"; }

# pod_json NAME NETWORK (NODE or POD) [privileged]: writes $CTRD_DIR/pod-NAME.json, a
# PodSandboxConfig. The pod's hostname is NAME with its own network (and so uts) namespace,
# none with the host's; with its own network namespace it also sets a network sysctl. A
# privileged pod may hold privileged containers.
pod_json() {
	local name=$1 net=$2 host=$1 sysctls='{"net.ipv4.ip_unprivileged_port_start": "1000"}'
	local priv=false
	[ "$net" = NODE ] && host='' sysctls='{}'
	[ "${3:-}" = privileged ] && priv=true
	mkdir -p "$CTRD_DIR/logs/$name"
	cat >"$CTRD_DIR/pod-$name.json" <<JSON
{"metadata": {"name": "$name", "uid": "uid-$name-$$", "namespace": "husk-cri", "attempt": 0},
 "hostname": "$host", "log_directory": "$CTRD_DIR/logs/$name",
 "labels": {"husk-cri": "$$"},
 "linux": {"cgroup_parent": "/$CRI_CG",
           "sysctls": $sysctls,
           "security_context": {"privileged": $priv,
                                "namespace_options": {"network": "$net", "pid": "POD",
                                                      "ipc": "POD"}}}}
JSON
}

# ctr_json NAME IMAGE RESOURCES_JSON CMD...: writes $CTRD_DIR/ctr-NAME.json, a ContainerConfig
# logging to NAME.log in the pod's log directory. RESOURCES_JSON is a LinuxContainerResources
# ({} for none). The pid namespace is the container's own, or the pod's with CTR_PIDNS=POD.
ctr_json() {
	local name=$1 image=$2 res=$3
	shift 3
	cat >"$CTRD_DIR/ctr-$name.json" <<JSON
{"metadata": {"name": "$name", "attempt": 0}, "image": {"image": "$image"},
 "command": $(json_list "$@"), "log_path": "$name.log",
 "labels": {"husk-cri": "$$"},
 "linux": {"resources": $res,
           "security_context": {"namespace_options": {"pid": "${CTR_PIDNS:-CONTAINER}"}}}}
JSON
}

# run_ctr POD_ID POD_NAME NAME IMAGE RESOURCES_JSON CMD...: create + start; prints the id.
run_ctr() {
	local pod=$1 podname=$2 name=$3 image=$4 res=$5
	shift 5
	ctr_json "$name" "$image" "$res" "$@"
	start_ctr "$pod" "$podname" "$name"
}

# start_ctr POD_ID POD_NAME NAME: create from $CTRD_DIR/ctr-NAME.json + start; prints the id
# and notes it in $CTRD_DIR/our.ids.
start_ctr() {
	local id
	id=$(cri create "$1" "$CTRD_DIR/ctr-$3.json" "$CTRD_DIR/pod-$2.json") || return 1
	echo "$id" >>"$CTRD_DIR/our.ids"
	cri start "$id" || return 1
	echo "$id"
}

# wait_pod_state ID STATE: up to 15 s for PodSandboxStatus to report STATE.
wait_pod_state() {
	for _ in $(seq 1 60); do
		[ "$(cri -q status.state inspectp "$1" 2>/dev/null)" = "$2" ] && return 0
		sleep 0.25
	done
	return 1
}

# cri_restart: restarts containerd (the shims keep running) and waits for its CRI service.
cri_restart() {
	ctrd_stop
	ctrd_launch || return 1
	for _ in $(seq 1 100); do
		cri version >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

# wait_state ID STATE: up to 15 s for ContainerStatus to report STATE (CONTAINER_EXITED ...).
wait_state() {
	for _ in $(seq 1 60); do
		[ "$(cri -q status.state inspect "$1" 2>/dev/null)" = "$2" ] && return 0
		sleep 0.25
	done
	return 1
}

# runp POD_NAME HANDLER: RunPodSandbox from $CTRD_DIR/pod-POD_NAME.json; prints the id and
# notes it in $CTRD_DIR/our.ids.
runp() {
	local id
	id=$(cri runp "$CTRD_DIR/pod-$1.json" "$2") || return 1
	echo "$id" >>"$CTRD_DIR/our.ids"
	echo "$id"
}

# record_sockets: notes the shim socket of every task bundle (its address file) in
# $CTRD_DIR/our.socks, to check at the end that none is left. /run/containerd/s is shared with
# every other containerd on the host, so a before/after listing would not do.
record_sockets() {
	local f
	for f in "$CTRD_DIR/state/io.containerd.runtime.v2.task/$NS"/*/address; do
		[ -f "$f" ] && sed 's|^unix://||' "$f" && echo
	done >>"$CTRD_DIR/our.socks"
}

ppid_of() { awk '{ print $4 }' "/proc/$1/stat" 2>/dev/null; }
exe_of() { readlink "/proc/$1/exe" 2>/dev/null; }

# shim_pids EXE: pids of the processes running that binary.
shim_pids() {
	local p
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/exe" 2>/dev/null)" = "$1" ] && echo "${p#/proc/}"
	done
}

# ctr_cgroup PID CONTROLLER: the process's cgroup directory for a v1 controller.
ctr_cgroup() {
	local rel
	rel=$(awk -F: -v c="$2" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' \
		"/proc/$1/cgroup")
	[ -n "$rel" ] && echo "/sys/fs/cgroup/$2$rel"
}

# Stops and removes every pod of ours (containers go with them), stops containerd, removes
# the cgroup parents, mounts and directories we made.
cri_cleanup() {
	local id d
	if [ -n "${CTRD_PID:-}" ]; then
		for id in $(cri -q items pods 2>/dev/null | "$PY" -c \
			'import json, sys; [print(p["id"]) for p in json.loads(sys.stdin.read() or "[]")]'); do
			cri stopp "$id" >/dev/null 2>&1
			cri rmp "$id" >/dev/null 2>&1
		done
	fi
	ctrd_stop
	for d in /sys/fs/cgroup/*/"$CRI_CG"; do
		[ -d "$d" ] || continue
		find "$d" -mindepth 1 -depth -type d -exec rmdir {} + 2>/dev/null
		rmdir "$d" 2>/dev/null
	done
	[ -n "${CTRD_DIR:-}" ] && ctrd_remove_new_dirs /var/lib/cni/results /var/lib/cni
	ctrd_remove_dir
}
