#!/bin/sh
# The whole test suite, as CI runs it (make test; .ci/run calls make test).
#
# On a fresh Debian 12 as root it installs what it needs (tests/lib/deps.sh),
# builds with warnings as errors, runs the C unit tests (plain and under
# ASan/UBSan), starts a throwaway PostgreSQL, runs the Node suites (the fake
# GitHub, the PostgREST gateway, the workflows run by a local executor, and the
# integration tests that run the binary as the Actions runner does, the fault
# campaign), builds the static release binary and tries it in an empty root,
# builds the image with podman and runs it as the runner does, fuzzes each
# parser briefly, stops everything, and ends with one line: "N passed, N failed".
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)
work=$(mktemp -d /tmp/pc-test-XXXXXX)
chmod 755 "$work"
pg_dir="$work/pg"
passed=0
failed=0
status=0
results=""

cleanup() {
	tests/lib/pgtmp.sh stop "$pg_dir" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT INT TERM

# Adds a suite's "N passed, N failed" line (from file $1) to the totals.
tally() {
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$1" | tail -n 1)
	if [ -z "$line" ]; then
		echo "run: $2 printed no result line" >&2
		failed=$((failed + 1))
		results="$results$(printf '  %-34s %s' "$2" "no result line: it crashed or stopped")
"
		return
	fi
	p=${line%% passed*}
	f=${line#*, }
	f=${f%% failed*}
	passed=$((passed + p))
	failed=$((failed + f))
	results="$results$(printf '  %-34s %s' "$2" "$line")
"
}

# Node's TAP summary ("# pass N", "# fail N") as the same line.
tap_tally() {
	p=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$1" | tail -n 1)
	f=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$1" | tail -n 1)
	echo "${p:-0} passed, ${f:-1} failed" >"$1.line"
	tally "$1.line" "$2"
}

section() { printf '\n== %s\n' "$*"; }

section "dependencies"
sh tests/lib/deps.sh

section "build (warnings are errors)"
make -s WERROR=1 progressive-capture build/unit
make -s WERROR=1 build/san/unit build/san/progressive-capture

section "lint (cppcheck, clang-tidy, clang-format)"
if make -s lint >"$work/lint.out" 2>&1; then
	echo "1 passed, 0 failed" >"$work/lint.line"
else
	cat "$work/lint.out"
	echo "0 passed, 1 failed" >"$work/lint.line"
	status=1
fi
tally "$work/lint.line" "lint"

section "unit tests"
(cd tests && ../build/unit) >"$work/unit.out" 2>&1 || status=1
grep -v '^ok ' "$work/unit.out" || true
tally "$work/unit.out" "unit tests"

section "unit tests under ASan + UBSan"
(cd tests && ASAN_OPTIONS=detect_leaks=1 ../build/san/unit) >"$work/san.out" 2>&1 || status=1
grep -v '^ok ' "$work/san.out" || true
tally "$work/san.out" "sanitizer unit tests"

section "PostgreSQL"
PC_DATABASE_URL=$(tests/lib/pgtmp.sh start "$pg_dir")
export PC_DATABASE_URL
echo "$PC_DATABASE_URL"

# workflows: the workflows users copy, through GitHub's parser and run end to
# end by the local executor against the fake GitHub and PostgreSQL.
for suite in fake-github postgrest workflows; do
	section "node suite: $suite"
	(cd tests && node --test --test-concurrency=1 \
		--test-reporter=spec --test-reporter-destination=stdout \
		--test-reporter=tap --test-reporter-destination="$work/$suite.tap" \
		"$suite/") || status=1
	tap_tally "$work/$suite.tap" "$suite"
done

# The integration suite once per store: the same scenarios, PostgreSQL behind
# the PostgREST gateway, then a SQLite file.
for store in postgrest sqlite; do
	section "integration tests, store $store"
	(cd tests && PC_STORE=$store node --test --test-concurrency=1 \
		--test-reporter=spec --test-reporter-destination=stdout \
		--test-reporter=tap --test-reporter-destination="$work/integration-$store.tap" \
		integration/) || status=1
	tap_tally "$work/integration-$store.tap" "integration ($store)"
done

# bench/: the request counts of a 1,000-PR capture (efficiency.test.js) and
# make bench's harness in its quick mode (bench.test.js: 50 PRs, a full table).
section "efficiency and the bench harness (counted, never timed)"
(cd tests && node --test --test-concurrency=1 \
	--test-reporter=spec --test-reporter-destination=stdout \
	--test-reporter=tap --test-reporter-destination="$work/bench.tap" \
	bench/) || status=1
tap_tally "$work/bench.tap" "efficiency"

section "integration tests on the sanitizer build (store sqlite)"
(cd tests && PC_STORE=sqlite PC_CAMPAIGN_RUNS=15 PC_BIN="$top/build/san/progressive-capture" node --test --test-concurrency=1 \
	--test-reporter=dot --test-reporter-destination=stdout \
	--test-reporter=tap --test-reporter-destination="$work/san-integration.tap" \
	integration/) || status=1
tap_tally "$work/san-integration.tap" "sanitizer integration"

section "integration tests under valgrind (memcheck, leaks; store postgrest)"
# valgrind.bin, not the /usr/bin/valgrind sh wrapper: the shell drops the
# runner's hyphenated INPUT_* variables from the environment.
(cd tests && PC_WRAP="valgrind.bin -q --error-exitcode=99 --leak-check=full \
	--errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect" \
	node --test --test-concurrency=1 \
	--test-reporter=dot --test-reporter-destination=stdout \
	--test-reporter=tap --test-reporter-destination="$work/valgrind.tap" \
	integration/pr_details.test.js integration/jobs.test.js) || status=1
tap_tally "$work/valgrind.tap" "valgrind integration"

section "the release binary (make static) in an empty root"
if make -s WERROR=1 static >"$work/static.out" 2>&1; then
	tail -n 1 "$work/static.out"
	(cd tests && node --test --test-concurrency=1 \
		--test-reporter=spec --test-reporter-destination=stdout \
		--test-reporter=tap --test-reporter-destination="$work/static.tap" \
		static/) || status=1
	tap_tally "$work/static.tap" "static binary"
else
	tail -n 30 "$work/static.out"
	echo "0 passed, 1 failed" >"$work/static.line"
	tally "$work/static.line" "static binary"
	status=1
fi

section "the image under podman, run as the runner runs it"
sh tests/container/run.sh >"$work/container.out" 2>&1 || status=1
cat "$work/container.out"
tally "$work/container.out" "container"

section "fuzzing smoke (${FUZZ_SECONDS:=5} s per target)"
# A fuzzer that does not build is a failure like one that crashes, and the run
# still ends with its result line.
make -s -k fuzz-build || status=1
for src in tests/fuzz/fuzz_*.c; do
	n=$(basename "$src" .c)
	f=build/fuzz/$n
	mkdir -p "build/corpus/$n"
	if [ -x "$f" ] && "$f" -max_total_time="$FUZZ_SECONDS" -max_len=65536 "build/corpus/$n" \
		"tests/fuzz/seeds/$n" >"$work/$n.log" 2>&1; then
		echo "ok   $n"
		passed=$((passed + 1))
	else
		if [ -x "$f" ]; then
			tail -n 30 "$work/$n.log"
			echo "FAIL $n"
		else
			echo "FAIL $n (did not build)"
		fi
		failed=$((failed + 1))
		status=1
	fi
done

section "results"
printf '%s' "$results"
echo
echo "$passed passed, $failed failed"
[ "$status" = 0 ] && [ "$failed" = 0 ]
