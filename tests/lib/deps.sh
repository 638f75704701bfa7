#!/bin/sh
# Installs what the build and the tests need on Debian 12, as root, if missing.
# Idempotent and quick when everything is present (dpkg-query only).
set -eu

need="gcc make pkg-config libc6-dev libcurl4-openssl-dev libcjson-dev postgresql valgrind clang cppcheck clang-tidy clang-format"
missing=""
for p in $need; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
if ! command -v node >/dev/null 2>&1 || ! node -e 'process.exit(+process.versions.node.split(".")[0] < 20 ? 1 : 0)'; then
	missing="$missing nodejs"
fi
if [ -n "$missing" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "deps: missing packages:$missing (run as root, or install them)" >&2
		exit 1
	fi
	echo "deps: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	# shellcheck disable=SC2086
	apt-get install -y --no-install-recommends $missing >/dev/null ||
		{ apt-get update >/dev/null && apt-get install -y --no-install-recommends $missing >/dev/null; }
fi
# Debian's nodejs comes without npm (NodeSource's includes it).
command -v npm >/dev/null 2>&1 || apt-get install -y --no-install-recommends npm >/dev/null

# npm packages of the test servers, pinned by tests/package-lock.json.
cd "$(dirname "$0")/.."
if [ ! -f node_modules/.package-lock.json ] || ! cmp -s package-lock.json node_modules/.pc-lock; then
	echo "deps: npm ci in tests/"
	npm ci --no-audit --no-fund --loglevel=error >/dev/null
	cp package-lock.json node_modules/.pc-lock
fi
