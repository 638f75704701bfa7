#!/bin/sh
# static-deps.sh - the release binary's dependencies (make static-deps; make
# static runs it first): built with musl from Debian's own source packages into
# a prefix that `make static` compiles and links the binary against.
#
# 1. Fetches the source packages pinned in scripts/static-deps.versions with
#    apt (a private deb-src list made from the machine's own sources: apt checks
#    the archive's signature and every file's hash), unpacks them with
#    dpkg-source (Debian's patches, security fixes included, applied).
# 2. Builds them with musl-gcc into $STATIC_DIR/prefix, once: a stamp holding
#    the versions and this script's hash says whether the prefix is current.
#      mbedTLS  the TLS library; patched to use the getrandom system call under
#               musl too (upstream only does under glibc), so a root with no
#               /dev/urandom still has entropy
#      libcurl  HTTP and HTTPS only, on mbedTLS, no compression or IDN
#               libraries; Debian's GnuTLS/NSS flavour patches reversed
#      cJSON, SQLite (the amalgamation, made from the source tree, configured
#               for musl so it uses pread/pwrite and fdatasync)
#      mimalloc the allocator, replacing musl's malloc (see below)
# Also installs the tools `make static` uses (musl-gcc, pkg-config, strip, file).
#
# The binary itself is the Makefile's: the same sources, rules and warnings as
# every other build (make static).
#
# Needs root only to install missing build tools (apt). STATIC_DIR is the work
# directory (default build/static); JOBS sets make's parallelism.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
dir=${STATIC_DIR:-$top/build/static}
prefix=$dir/prefix
jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}
versions=$top/scripts/static-deps.versions
cc=musl-gcc

say() { printf 'static: %s\n' "$*" >&2; }
die() { printf 'static: error: %s\n' "$*" >&2; exit 1; }

# --- tools -------------------------------------------------------------------
tools="musl-tools make gcc libc6-dev autoconf automake libtool pkg-config tcl dpkg-dev xz-utils patch binutils file ca-certificates"
missing=""
for p in $tools; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	[ "$(id -u)" = 0 ] || die "missing packages:$missing (install them, or run as root)"
	say "installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	# shellcheck disable=SC2086
	apt-get install -y --no-install-recommends $missing >/dev/null ||
		{ apt-get update >/dev/null && apt-get install -y --no-install-recommends $missing >/dev/null; }
fi

# --- sources -----------------------------------------------------------------
pins=$(grep -v '^#' "$versions" | grep -v '^[[:space:]]*$' | tr '\n' ' ')
stamp="$pins $(cksum <"$0" | cut -d' ' -f1)"
if [ -f "$prefix/.stamp" ] && [ "$(cat "$prefix/.stamp")" = "$stamp" ]; then
	say "dependencies up to date in $prefix"
else
	rm -rf "$dir/apt" "$dir/src" "$prefix"
	mkdir -p "$dir/apt/parts" "$dir/apt/lists/partial" "$dir/apt/cache" "$dir/src" "$prefix"
	# A deb-src twin of every deb source the machine uses (deb822 or one-line).
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] && sed 's/^Types:.*/Types: deb-src/' "$f" >"$dir/apt/parts/$(basename "$f")"
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] && sed -n 's/^deb \(.*\)/deb-src \1/p' "$f" >"$dir/apt/parts/$(basename "$f").list"
	done
	ls "$dir/apt/parts"/* >/dev/null 2>&1 || die "no apt sources found to fetch source packages from"
	apt_o="-o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts=$dir/apt/parts
		-o Dir::State::Lists=$dir/apt/lists -o Dir::Cache=$dir/apt/cache
		-o APT::Sandbox::User=root"
	say "fetching source packages: $pins"
	# shellcheck disable=SC2086
	apt-get $apt_o update >/dev/null || die "apt-get update of the deb-src lists failed"
	for pin in $pins; do
		# shellcheck disable=SC2086
		if ! (cd "$dir/src" && apt-get $apt_o source --download-only "$pin" >/dev/null 2>&1); then
			name=${pin%%=*}
			# shellcheck disable=SC2086
			have=$(apt-cache $apt_o showsrc "$name" 2>/dev/null | sed -n 's/^Version: //p' | tr '\n' ' ')
			die "source package $pin is not in the archive (it has: ${have:-nothing});" \
				"update scripts/static-deps.versions"
		fi
	done
	# The hashes were checked by apt against the signed index; dpkg-source
	# checks the tarballs against the .dsc again as it unpacks.
	for dsc in "$dir"/src/*.dsc; do
		(cd "$dir/src" && dpkg-source --no-check -x "$(basename "$dsc")" >/dev/null) ||
			die "could not unpack $dsc"
	done
fi

src_of() { find "$dir/src" -maxdepth 1 -type d -name "$1-*" | head -n 1; }
export CC="$cc"
export PKG_CONFIG_LIBDIR="$prefix/lib/pkgconfig" PKG_CONFIG_PATH=""
opt="-Os -ffunction-sections -fdata-sections -fPIE"

if [ ! -f "$prefix/.stamp" ]; then
	mkdir -p "$prefix/lib/pkgconfig" "$prefix/include"

	# mbedTLS: getrandom() under musl too.
	s=$(src_of mbedtls)
	say "building mbedTLS ($s)"
	sed -i 's/^#if ((defined(__linux__) \&\& defined(__GLIBC__)) || defined(__midipix__))$/#if defined(__linux__) || defined(__midipix__)/' \
		"$s/library/entropy_poll.c"
	grep -q '^#if defined(__linux__) || defined(__midipix__)$' "$s/library/entropy_poll.c" ||
		die "mbedTLS: the getrandom guard in entropy_poll.c was not found (new version?)"
	make -s -C "$s/library" -j"$jobs" CC="$cc" CFLAGS="$opt" \
		libmbedcrypto.a libmbedx509.a libmbedtls.a >/dev/null
	cp "$s"/library/libmbed*.a "$prefix/lib/"
	cp -r "$s/include/mbedtls" "$s/include/psa" "$prefix/include/"

	# cJSON: one file.
	s=$(src_of cjson)
	say "building cJSON ($s)"
	mkdir -p "$prefix/include/cjson"
	$cc $opt -std=c89 -c -o "$s/cJSON.o" "$s/cJSON.c"
	ar rcs "$prefix/lib/libcjson.a" "$s/cJSON.o"
	cp "$s/cJSON.h" "$prefix/include/cjson/"
	printf 'prefix=%s\nName: libcjson\nDescription: cJSON\nVersion: 1\nLibs: -L${prefix}/lib -lcjson\nCflags: -I${prefix}/include/cjson\n' \
		"$prefix" >"$prefix/lib/pkgconfig/libcjson.pc"

	# SQLite: the amalgamation (tclsh makes it), built for one thread. Its
	# configure runs with musl-gcc and the amalgamation is compiled with the
	# sqlite_cfg.h it writes (_HAVE_SQLITE_CONFIG_H): without it os_unix.c
	# knows nothing of the C library and falls back to lseek()+read()/write()
	# for every page (pread/pwrite: HAVE_PREAD, HAVE_PWRITE), fsync for
	# fdatasync, no malloc_usable_size, no localtime_r - what the dev build's
	# libsqlite3 (Debian's configure) has.
	s=$(src_of sqlite3)
	say "building SQLite ($s)"
	mkdir -p "$s/bld"
	(cd "$s/bld" && CC="$cc" ../configure --disable-tcl --disable-readline >/dev/null &&
		make -s sqlite3.c >/dev/null 2>&1) || die "SQLite: could not make the amalgamation"
	for h in HAVE_PREAD HAVE_PWRITE HAVE_FDATASYNC HAVE_MALLOC_USABLE_SIZE; do
		grep -q "^#define $h 1" "$s/bld/sqlite_cfg.h" || die "SQLite: configure found no $h under musl"
	done
	$cc $opt -D_HAVE_SQLITE_CONFIG_H -I"$s/bld" \
		-DSQLITE_THREADSAFE=0 -DSQLITE_OMIT_LOAD_EXTENSION -DSQLITE_DQS=0 \
		-DSQLITE_DEFAULT_FOREIGN_KEYS=0 -DSQLITE_USE_URI=0 \
		-c -o "$s/bld/sqlite3.o" "$s/bld/sqlite3.c"
	ar rcs "$prefix/lib/libsqlite3.a" "$s/bld/sqlite3.o"
	cp "$s/bld/sqlite3.h" "$prefix/include/"
	printf 'prefix=%s\nName: sqlite3\nDescription: SQLite\nVersion: 3\nLibs: -L${prefix}/lib -lsqlite3\nCflags: -I${prefix}/include\n' \
		"$prefix" >"$prefix/lib/pkgconfig/sqlite3.pc"

	# mimalloc: replaces musl's malloc (mallocng) in the binary. mallocng
	# unmaps a size class's group as soon as it empties, so every page cache
	# buffer, curl transfer buffer and JSON tree freed and made again cost an
	# mmap+munmap pair (14,000 of each for a 100-PR SQLite capture, 2.5x the
	# CPU of the glibc build); mimalloc keeps freed memory for reuse. One
	# object (src/static.c, the library's own single-file build) linked
	# before libc, so its malloc, free, calloc, realloc... are the ones used
	# (musl supports replacing malloc in a static link).
	s=$(src_of mimalloc)
	say "building mimalloc ($s)"
	$cc $opt -DNDEBUG -DMI_MALLOC_OVERRIDE -DMI_STAT=0 -I"$s/include" \
		-c -o "$prefix/lib/mimalloc.o" "$s/src/static.c"
	printf 'prefix=%s\nName: mimalloc\nDescription: mimalloc as malloc\nVersion: 2\nLibs: ${prefix}/lib/mimalloc.o\n' \
		"$prefix" >"$prefix/lib/pkgconfig/mimalloc.pc"

	# libcurl: upstream's build, HTTP(S) on mbedTLS and nothing else.
	s=$(src_of curl)
	say "building libcurl ($s)"
	for p in 99_nss.patch 90_gnutls.patch; do
		if [ -f "$s/debian/patches/$p" ] && patch -R -p1 --dry-run -s -d "$s" <"$s/debian/patches/$p" >/dev/null 2>&1; then
			patch -R -p1 -s -d "$s" <"$s/debian/patches/$p"
		fi
	done
	(cd "$s" && autoreconf -fi >/dev/null 2>&1) || die "curl: autoreconf failed"
	(cd "$s" && ./configure --quiet --host="$(uname -m)-linux-musl" --build="$(uname -m)-linux-gnu" \
		CC="$cc" CFLAGS="$opt" CPPFLAGS="-I$prefix/include" LDFLAGS="-L$prefix/lib" \
		--prefix="$prefix" --disable-shared --enable-static --with-pic \
		--with-mbedtls="$prefix" --with-ca-bundle=/etc/ssl/certs/ca-certificates.crt \
		--without-ca-path --without-ca-fallback \
		--disable-ftp --disable-file --disable-ldap --disable-ldaps --disable-rtsp \
		--disable-dict --disable-telnet --disable-tftp --disable-pop3 --disable-imap \
		--disable-smb --disable-smtp --disable-gopher --disable-mqtt --disable-manual \
		--disable-docs --disable-ntlm --disable-ntlm-wb --disable-kerberos-auth \
		--disable-negotiate-auth --disable-aws --disable-netrc --disable-unix-sockets \
		--disable-alt-svc --disable-hsts --disable-cookies --disable-doh \
		--disable-mime --disable-form-api --disable-verbose --disable-versioned-symbols \
		--disable-threaded-resolver --enable-ipv6 \
		--without-zlib --without-brotli --without-zstd --without-libpsl --without-libidn2 \
		--without-nghttp2 --without-nghttp3 --without-ngtcp2 --without-libssh2 \
		--without-libssh --without-librtmp --without-gssapi --without-libgsasl \
		--without-hyper --without-quiche --without-msh3 >"$dir/curl-configure.log" 2>&1) ||
		{ tail -n 30 "$dir/curl-configure.log" >&2; die "curl: configure failed"; }
	make -s -C "$s/lib" -j"$jobs" >/dev/null 2>&1 || die "curl: build failed"
	make -s -C "$s/lib" install >/dev/null
	make -s -C "$s/include" install >/dev/null
	cp "$s/libcurl.pc" "$prefix/lib/pkgconfig/"
	printf '%s' "$stamp" >"$prefix/.stamp"
fi
