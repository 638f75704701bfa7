#!/bin/sh
# Installs what the build and the tests need on Debian 12, as root, if missing:
# the build's packages (scripts/deps-build.sh), the test tools, Node.js 20+,
# and the npm packages of tests/ (pinned by package-lock.json).
set -eu
cd "$(dirname "$0")/../.."

# libclang-rt-dev: clang's libFuzzer and sanitizer runtimes, which
# --no-install-recommends leaves out (the fuzzers would not link). time:
# /usr/bin/time, which measures the CPU and memory of what make bench runs.
EXTRA_PACKAGES="postgresql sqlite3 valgrind time clang libclang-rt-dev cppcheck clang-tidy clang-format" \
	sh scripts/deps-build.sh
if ! command -v node >/dev/null 2>&1 || ! node -e 'process.exit(+process.versions.node.split(".")[0] < 20 ? 1 : 0)'; then
	EXTRA_PACKAGES=nodejs sh scripts/deps-build.sh
fi
# Debian's nodejs comes without npm (NodeSource's includes it).
command -v npm >/dev/null 2>&1 || EXTRA_PACKAGES=npm sh scripts/deps-build.sh

cd tests
if [ ! -f node_modules/.package-lock.json ] || ! cmp -s package-lock.json node_modules/.pc-lock; then
	echo "deps: npm ci in tests/"
	npm ci --no-audit --no-fund --loglevel=error >/dev/null
	cp package-lock.json node_modules/.pc-lock
fi
