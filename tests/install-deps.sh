#!/usr/bin/env bash
# Installs the Debian 12 packages that building and testing husk need, when any is missing.
set -eu
pkgs=(
	gcc make pkg-config libc6-dev
	libyajl-dev libprotobuf-c-dev protobuf-c-compiler libevent-dev libseccomp-dev libcmocka-dev
	clang cppcheck
	busybox-static containerd runc crun criu iproute2 util-linux procps psmisc e2fsprogs
	qemu-system-x86 linux-image-amd64 cpio
	python3 python3-grpcio python3-protobuf protobuf-compiler containernetworking-plugins
)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing packages (${missing[*]}) and not root: install them first" >&2
	exit 1
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
