# pack_image ROOT OUT REF CONFIG CREATED_BY (sourced by mkimage.sh and cri/mkpause.sh): writes a
# docker-archive tar of one reproducible layer (ROOT, sorted, owner 0, fixed mtime) to OUT, for
# `ctr image import`; CONFIG is the image config's "config" object (JSON), tagged REF. Works in
# ROOT.img, beside ROOT, which the caller removes with ROOT's parent.
# shellcheck shell=bash
pack_image() {
	local root=$1 out=$2 ref=$3 config=$4 created_by=$5 img=$1.img diff_id cfg
	mkdir "$img"
	tar --sort=name --owner=0 --group=0 --numeric-owner --mtime='2024-01-01 00:00Z' \
		-C "$root" -cf "$img/layer.tar" .
	diff_id=$(sha256sum "$img/layer.tar" | cut -d' ' -f1)
	mkdir "$img/$diff_id"
	mv "$img/layer.tar" "$img/$diff_id/layer.tar"
	cat >"$img/config.json" <<JSON
{"architecture":"amd64","os":"linux","created":"2024-01-01T00:00:00Z",
 "config":$config,
 "rootfs":{"type":"layers","diff_ids":["sha256:$diff_id"]},
 "history":[{"created":"2024-01-01T00:00:00Z","created_by":"$created_by"}]}
JSON
	cfg=$(sha256sum "$img/config.json" | cut -d' ' -f1)
	mv "$img/config.json" "$img/$cfg.json"
	printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["%s/layer.tar"]}]\n' \
		"$cfg" "$ref" "$diff_id" >"$img/manifest.json"
	tar --sort=name --owner=0 --group=0 --numeric-owner --mtime='2024-01-01 00:00Z' \
		-C "$img" -cf "$out" .
}
