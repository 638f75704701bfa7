#!/bin/sh
# The container test (make container): builds the real Dockerfile with
# podman and runs the image the way GitHub's runner runs a container action
# (container.test.js), against the fake servers on this machine.
#
# No image registry is reachable here, so the builder's base image is made
# locally: debootstrap (Debian's minbase bookworm, with the same apt sources
# as the official image) imported into podman as localhost/pc-debian:bookworm.
# Podman on this kind of machine needs the runc runtime (crun refuses hybrid
# cgroups) and explicit ulimits; a containers.conf under build/container says
# so, chosen through CONTAINERS_CONF. Needs root. Prints "N passed, N failed".
#
# PC_DATABASE_URL: a PostgreSQL cluster to use (else tests/lib/pgtmp.sh starts one).
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
work=$top/build/container
base=localhost/pc-debian:bookworm
image=localhost/progressive-capture:test
mkdir -p "$work"
cd "$top"

say() { printf 'container: %s\n' "$*" >&2; }

[ "$(id -u)" = 0 ] || { say "needs root (podman, debootstrap)"; exit 1; }
EXTRA_PACKAGES="podman runc debootstrap" sh scripts/deps-build.sh

cat >"$work/containers.conf" <<'EOF'
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=4096:4096"]
[engine]
runtime = "runc"
EOF
export CONTAINERS_CONF="$work/containers.conf"

if ! podman image exists "$base"; then
	say "making $base with debootstrap"
	rm -rf "$work/rootfs"
	debootstrap --variant=minbase bookworm "$work/rootfs" http://deb.debian.org/debian >"$work/debootstrap.log" 2>&1 ||
		{ tail -n 20 "$work/debootstrap.log" >&2; exit 1; }
	# The official image's sources: main, updates and security.
	rm -f "$work/rootfs/etc/apt/sources.list"
	cat >"$work/rootfs/etc/apt/sources.list.d/debian.sources" <<'EOF'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
	rm -rf "$work/rootfs/var/cache/apt/archives"/*.deb "$work/rootfs/var/lib/apt/lists"/*
	tar -C "$work/rootfs" -c . | podman import - "$base" >"$work/import.log" 2>&1 ||
		{ cat "$work/import.log" >&2; exit 1; }
	rm -rf "$work/rootfs"
fi

say "building the Dockerfile"
start=$(date +%s)
podman build --network=host --build-arg DEBIAN="$base" -t "$image" -f Dockerfile . >"$work/build.log" 2>&1 ||
	{ tail -n 40 "$work/build.log" >&2; echo "0 passed, 1 failed"; exit 1; }
say "built $image in $(($(date +%s) - start)) s"

pg_dir=""
if [ -z "${PC_DATABASE_URL:-}" ]; then
	pg_dir=$(mktemp -d)
	PC_DATABASE_URL=$(tests/lib/pgtmp.sh start "$pg_dir")
	export PC_DATABASE_URL
fi
status=0
(cd tests && PC_IMAGE="$image" node --test --test-concurrency=1 --test-reporter=spec \
	--test-reporter-destination=stdout --test-reporter=tap \
	--test-reporter-destination="$work/container.tap" container/) || status=1
[ -z "$pg_dir" ] || { tests/lib/pgtmp.sh stop "$pg_dir" || true; rm -rf "$pg_dir"; }
p=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$work/container.tap" | tail -n 1)
f=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$work/container.tap" | tail -n 1)
echo "${p:-0} passed, ${f:-1} failed"
exit $status
