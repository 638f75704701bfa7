#!/bin/sh
# deps-build.sh - what `make` needs: a C compiler, make, pkg-config and the
# -dev packages of libcurl, cJSON, SQLite and mbedTLS.
#
#   sh scripts/deps-build.sh                 installs what is missing on Debian/Ubuntu
#                                            (make run, tests/lib/deps.sh); needs root
#   sh scripts/deps-build.sh --check MOD...  installs nothing: names what is missing
#                                            for the pkg-config modules MOD and how to
#                                            get it, exits 1 (make, before compiling)
#
# Quick when everything is there (dpkg-query, pkg-config). EXTRA_PACKAGES adds
# Debian packages to install.
set -eu

# The Debian package that has a pkg-config module's .pc file.
deb_of() {
	case $1 in
	libcurl) echo libcurl4-openssl-dev ;;
	libcjson) echo libcjson-dev ;;
	sqlite3) echo libsqlite3-dev ;;
	mbedcrypto) echo libmbedtls-dev ;;
	*) echo "$1" ;;
	esac
}
# The Makefile's PKGS and CRYPTO.
modules="libcurl libcjson sqlite3 mbedcrypto"

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

if [ "${1:-}" = --check ]; then
	shift
	[ $# -gt 0 ] || set -- $modules
	cc=${CC:-cc}
	missing="" # what, one per line
	debs=""
	libc=1
	if ! command -v "${cc%% *}" >/dev/null 2>&1; then
		missing="${missing}the C compiler '$cc'
"
		case ${cc%% *} in cc | gcc) debs="$debs gcc" ;; esac
		! command -v dpkg-query >/dev/null 2>&1 || installed libc6-dev || libc=0
	elif ! printf '#include <stdio.h>\n' | $cc -E -x c - >/dev/null 2>&1; then
		libc=0
	fi
	[ $libc = 1 ] || {
		missing="${missing}the C library's headers (<stdio.h>)
"
		debs="$debs libc6-dev"
	}
	have_pc=1
	command -v pkg-config >/dev/null 2>&1 || {
		have_pc=0
		missing="${missing}pkg-config
"
		debs="$debs pkg-config"
	}
	for m in "$@"; do
		if [ $have_pc = 1 ] && pkg-config --exists "$m"; then
			continue
		elif [ "$m" = mbedcrypto ] && [ $libc = 1 ]; then
			# Debian 12's libmbedtls-dev has no .pc file: its header says.
			printf '#include <mbedtls/pk.h>\n' | $cc -E -x c - >/dev/null 2>&1 && continue
		elif [ $have_pc = 0 ] && command -v dpkg-query >/dev/null 2>&1; then
			installed "$(deb_of "$m")" && continue
		fi
		missing="${missing}$m (pkg-config module, with its headers)
"
		debs="$debs $(deb_of "$m")"
	done
	[ -n "$missing" ] || exit 0
	{
		echo "deps: the build needs what is missing here:"
		printf '%s' "$missing" | sed 's/^/deps:   /'
		echo "deps: on Debian/Ubuntu, install it with"
		echo "deps:   sudo sh scripts/deps-build.sh     (what make run and make test do)"
		echo "deps: or"
		echo "deps:   sudo apt-get install --no-install-recommends$debs"
	} >&2
	exit 1
fi

need="gcc make pkg-config libc6-dev"
for m in $modules; do
	need="$need $(deb_of $m)"
done
command -v dpkg-query >/dev/null 2>&1 || exit 0 # not Debian: the build says what is missing
missing=""
for p in $need ${EXTRA_PACKAGES:-}; do
	installed "$p" || missing="$missing $p"
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
