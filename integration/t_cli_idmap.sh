#!/usr/bin/env bash
# Idmapped bind mounts (runtime-spec 1.2): mounts[].uidMappings/gidMappings, the idmap option
# with the container's own mappings, ridmap against idmap on an rbind tree, writes through the
# mapping, and the errors (one map only, not a bind, no mappings at all), each leaving nothing
# behind. Owners are read inside the container with the helper's `stat` (type dev mode uid gid).
. "$(dirname "$0")/lib.sh"

# A source tree on the test's own filesystem, owners on disk: f 0:0, g 5:6, dir 0:0 (0755).
mksrc() {
	mkdir -p "$T/src"
	touch "$T/src/f" "$T/src/g"
	chown 5:6 "$T/src/g"
	chmod 0755 "$T/src"
}

owner() { awk '{ print $4 ":" $5 }'; }

# The kernel or the test's filesystem may not do idmapped mounts: the runtime says so.
skip_if_unsupported() { # ERR_FILE
	if grep -q 'may not support idmapped mounts' "$1"; then
		skip "no idmapped mounts here: $(cat "$1")"
	fi
}

t_mount_mappings() {
	mksrc
	mkbundle
	cfg "add_mount('/data', 'bind', '$T/src', ['bind'],
  uidMappings=[{'containerID': 0, 'hostID': 1000, 'size': 10}],
  gidMappings=[{'containerID': 0, 'hostID': 2000, 'size': 10}])"
	set_args /init stat /data/f ';;' stat /data/g ';;' stat /data
	run_ctr "$T/b" "$CID"
	skip_if_unsupported "$T/err"
	[ "$RC" -eq 0 ] || fail "run exited $RC: $(cat "$T/out") $(cat "$T/err")"
	check_eq "$(sed -n 1p "$T/out" | owner)" 1000:2000 "owner of f (0:0 on disk)"
	check_eq "$(sed -n 2p "$T/out" | owner)" 1005:2006 "owner of g (5:6 on disk)"
	check_eq "$(sed -n 3p "$T/out" | owner)" 1000:2000 "owner of the mounted directory"
	# a write as 1000:2000 through the mount lands as 0:0 on disk
	cfg 'proc()["user"] = {"uid": 1000, "gid": 2000}'
	set_args /init write /data/new hello
	run_out "$T/b" "${CID}b" >/dev/null
	check_eq "$(stat -c %u:%g "$T/src/new")" 0:0 "owner on disk of a file made through the mount"
	# the host's view of the source is untouched
	check_eq "$(stat -c %u:%g "$T/src/f")" 0:0 "owner of f on the host"
}

t_idmap_container_userns() {
	mksrc
	mkbundle
	cfg "userns(100000, 65536)
add_mount('/data', 'bind', '$T/src', ['bind', 'idmap'])
add_mount('/plain', 'bind', '$T/src', ['bind'])"
	mkdir "$T/b/rootfs/data" "$T/b/rootfs/plain" # host root's rootfs: not writable in the userns
	set_args /init stat /data/f ';;' stat /data/g ';;' stat /plain/f
	run_ctr "$T/b" "$CID"
	skip_if_unsupported "$T/err"
	[ "$RC" -eq 0 ] || fail "run exited $RC: $(cat "$T/out") $(cat "$T/err")"
	check_eq "$(sed -n 1p "$T/out" | owner)" 0:0 "f through idmap, in the user namespace"
	check_eq "$(sed -n 2p "$T/out" | owner)" 5:6 "g through idmap, in the user namespace"
	check_eq "$(sed -n 3p "$T/out" | owner)" 65534:65534 "f through a plain bind (unmapped)"
}

# rbind of a tree with a submount: ridmap maps both, idmap only the top.
t_ridmap_vs_idmap() {
	mksrc
	mkdir -p "$T/src/sub" "$T/other"
	touch "$T/other/inner"
	mount --bind "$T/other" "$T/src/sub"
	mkbundle
	cfg "m = dict(uidMappings=[{'containerID': 0, 'hostID': 1000, 'size': 10}],
  gidMappings=[{'containerID': 0, 'hostID': 1000, 'size': 10}])
add_mount('/r', 'bind', '$T/src', ['rbind', 'ridmap'], **m)
add_mount('/t', 'bind', '$T/src', ['rbind', 'idmap'], **m)"
	set_args /init stat /r/f ';;' stat /r/sub/inner ';;' stat /t/f ';;' stat /t/sub/inner
	run_ctr "$T/b" "$CID"
	skip_if_unsupported "$T/err"
	[ "$RC" -eq 0 ] || fail "run exited $RC: $(cat "$T/out") $(cat "$T/err")"
	check_eq "$(sed -n 1p "$T/out" | owner)" 1000:1000 "top of a ridmap tree"
	check_eq "$(sed -n 2p "$T/out" | owner)" 1000:1000 "submount of a ridmap tree"
	check_eq "$(sed -n 3p "$T/out" | owner)" 1000:1000 "top of an idmap tree"
	check_eq "$(sed -n 4p "$T/out" | owner)" 0:0 "submount of an idmap tree (not mapped)"
}

# Refused before anything is made: the error names the mount; no state, mount or process left.
t_idmap_errors() {
	mksrc
	local case
	for case in \
		"add_mount('/data', 'bind', '$T/src', ['bind'], uidMappings=[{'containerID': 0, 'hostID': 1000, 'size': 1}])|uidMappings and gidMappings" \
		"add_mount('/data', 'tmpfs', 'tmpfs', ['idmap'])|must be a bind mount" \
		"add_mount('/data', 'bind', '$T/src', ['bind', 'idmap'])|idmap needs uidMappings" \
		"add_mount('/data', 'bind', '$T/nonexistent', ['bind', 'idmap'], uidMappings=[{'containerID': 0, 'hostID': 1000, 'size': 1}], gidMappings=[{'containerID': 0, 'hostID': 1000, 'size': 1}])|open_tree"; do
		mkbundle
		cfg "${case%|*}"
		rt_fail run --bundle "$T/b" "$CID"
		if is_husk; then
			check_match "$(cat "$T/err")" "mount /data.*${case#*|}" "error for: ${case%|*}"
		fi
		check_nofile "$ROOT/$CID" "state dir after a refused idmapped mount"
		check_nomatch "$(cat /proc/self/mountinfo)" " $T/b/rootfs" "rootfs mounts left"
		rm -rf "$T/b"
	done
}

run_tests t_mount_mappings t_idmap_container_userns t_ridmap_vs_idmap t_idmap_errors
