#!/bin/sh
# Installs what `make` needs on Debian/Ubuntu if it is missing: a C compiler,
# make, pkg-config and the -dev packages of libcurl, cJSON and SQLite.
# Quick when everything is there (dpkg-query only); needs root to install.
set -eu

need="gcc make pkg-config libc6-dev libcurl4-openssl-dev libcjson-dev libsqlite3-dev"
missing=""
command -v dpkg-query >/dev/null 2>&1 || exit 0 # not Debian: the build says what is missing
for p in $need ${EXTRA_PACKAGES:-}; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
[ -n "$missing" ] || exit 0
if [ "$(id -u)" != 0 ]; then
	echo "deps: missing packages:$missing (install them, or run as root)" >&2
	exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086
apt-get install -y --no-install-recommends $missing >/dev/null ||
	{ apt-get update >/dev/null && apt-get install -y --no-install-recommends $missing >/dev/null; }
