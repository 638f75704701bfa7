# progressive-capture - build, test and check.
#
#   make            development binary against Debian's -dev packages
#                   (names what is missing, and how to get it, before compiling)
#   make run REPO=owner/name   capture a repository into ./progressive-capture.db
#   make test       everything CI runs: installs what it needs, unit tests,
#                   sanitizers, fake GitHub + PostgreSQL integration tests
#   make unit       C unit tests only
#   make sanitize   unit tests under ASan/UBSan
#   make lint       cppcheck, clang-tidy, clang-format --dry-run
#   make fuzz       short libFuzzer runs of every parser
#   make bench      the performance table: requests, points, store requests,
#                   wall time, CPU, memory and start-up of the release and dev
#                   binaries beside the original plan's algorithm, with latency
#                   (tests/bench/bench.js; PC_BENCH_* variables choose; ~15 min)
#   make static     the release binary: musl, fully static, stripped
#                   (build/static/progressive-capture; dependencies from
#                   scripts/static-deps.sh, `make static-deps` alone)
#   make container  build the Dockerfile with podman and run the image
#                   as GitHub's runner does (tests/container/run.sh)
#
# WERROR=1 makes warnings errors, in every build.

PROG    := progressive-capture
PKGS    := libcurl libcjson sqlite3
# mbedTLS's crypto library (the GitHub App's JWT, appauth.c): Debian 12's
# libmbedtls-dev has no pkg-config file, so it is linked by name when
# pkg-config does not know it; the release build has it in its prefix.
CRYPTO  := mbedcrypto
WARN    := -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wformat=2 -Wconversion -Wno-sign-conversion
CSTD    := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
# What every build compiles with, the release binary and the fuzzers included.
BASE_CFLAGS := $(CSTD) $(WARN) -Iinclude
ifdef WERROR
BASE_CFLAGS += -Werror
endif
# CFLAGS is the user's (make CFLAGS=-O3 keeps the warnings and includes).
CFLAGS  ?= -O2 -g
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS  += $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lcurl -lcjson -lsqlite3)
LDLIBS  += $(shell pkg-config --libs $(CRYPTO) 2>/dev/null || echo -l$(CRYPTO))
LDLIBS  += -lm

# Every .c under src/, in whatever folders it is split into.
SRC     := $(sort $(shell find src -name '*.c'))
GEN     := build/gen/sqlite_schema.c build/gen/sqlite_functions.c
LIBSRC  := $(filter-out src/main.c,$(SRC)) $(GEN)
UNITSRC := $(wildcard tests/unit/*.c)
FUZZSRC := $(wildcard tests/fuzz/fuzz_*.c)
# $(call objs,DIR,SOURCES): the objects of SOURCES in the build under DIR.
objs     = $(patsubst %.c,$(1)/obj/%.o,$(2))

.PHONY: all run unit sanitize test bench lint format fuzz fuzz-build clean static static-deps \
	container deps-check
.DELETE_ON_ERROR:

all: $(PROG)

# --- the builds -----------------------------------------------------------------
# Every build compiles the same sources with the same rule, standard, defines
# and warnings (BASE_CFLAGS), into objects of its own with header dependencies
# (-MMD); a build only chooses its compiler, flags and packages:
#   build/obj          development     $(CC), CFLAGS, Debian's -dev packages
#   build/san/obj      ASan + UBSan    $(CC), CFLAGS -O1, sanitizers
#   build/fuzz/obj     libFuzzer       clang, -g -O1, fuzzer instrumentation
#   build/static/obj   the release     musl-gcc, RELEASE_CFLAGS, the static prefix
SAN            := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
FUZZ_CC        ?= clang
FUZZ_SAN       := -fsanitize=address,undefined
STATIC_CC      ?= musl-gcc
RELEASE_CFLAGS ?= -Os -ffunction-sections -fdata-sections
RELEASE_LDFLAGS ?= -static -Wl,--gc-sections
# The dependencies' work directory (STATIC_DIR=/elsewhere shares the prefix
# between checkouts); the release objects and binary stay in build/static.
STATIC_DIR     ?= build/static
STATIC_PKG      = PKG_CONFIG_LIBDIR=$(abspath $(STATIC_DIR))/prefix/lib/pkgconfig PKG_CONFIG_PATH= \
                  pkg-config --static

build/obj/% build/san/%: BUILD_CC = $(CC)
build/obj/%:    BUILD_CFLAGS = $(PKG_CFLAGS) $(CFLAGS)
build/san/%:    BUILD_CFLAGS = $(PKG_CFLAGS) $(CFLAGS) $(SAN) -O1
build/fuzz/%:   BUILD_CC = $(FUZZ_CC)
build/fuzz/%:   BUILD_CFLAGS = $(PKG_CFLAGS) -g -O1 -fsanitize=fuzzer-no-link $(FUZZ_SAN)
build/static/%: BUILD_CC = $(STATIC_CC)
# Expanded when a recipe runs, after static-deps has made the prefix.
build/static/%: BUILD_CFLAGS = $(shell $(STATIC_PKG) --cflags $(PKGS)) $(RELEASE_CFLAGS)
# Unit tests: their harness's header; TEST() functions need no prototypes.
build/obj/tests/unit/% build/san/obj/tests/unit/%: TEST_CFLAGS = -Wno-missing-prototypes -Itests/unit

define compile
@mkdir -p $(@D)
$(BUILD_CC) $(BASE_CFLAGS) $(BUILD_CFLAGS) $(TEST_CFLAGS) -MMD -MP -c -o $@ $<
endef
build/obj/%.o: %.c | deps-check
	$(compile)
build/san/obj/%.o: %.c | deps-check
	$(compile)
build/fuzz/obj/%.o: %.c | deps-check
	$(compile)
build/static/obj/%.o: %.c | static-deps
	$(compile)

# The -dev packages, checked before the first host compile: on a fresh
# machine `make` names what is missing and how to get it, instead of stopping
# at the first #include. It installs nothing itself (make run and make test do).
deps-check:
	@CC='$(CC)' sh scripts/deps-build.sh --check $(PKGS) $(CRYPTO)

# The SQLite schema and functions, compiled in.
build/gen/sqlite_%.c: db/sqlite/%.sql scripts/embed.sh
	@mkdir -p $(dir $@)
	sh scripts/embed.sh sqlite_$*_sql $< > $@

# --- development ----------------------------------------------------------------
$(PROG): $(call objs,build,$(SRC) $(GEN))
	$(CC) $(CFLAGS) -o $@ $^ $(LDFLAGS) $(LDLIBS)

build/unit: $(call objs,build,$(UNITSRC) $(LIBSRC))
	$(CC) $(CFLAGS) -o $@ $^ $(LDFLAGS) $(LDLIBS)

unit: build/unit
	cd tests && ../build/unit

# --- unit tests and a binary under AddressSanitizer + UndefinedBehaviorSanitizer
build/san/unit: $(call objs,build/san,$(UNITSRC) $(LIBSRC))
	$(CC) $(CFLAGS) $(SAN) -o $@ $^ $(LDFLAGS) $(LDLIBS)
build/san/$(PROG): $(call objs,build/san,$(SRC) $(GEN))
	$(CC) $(CFLAGS) $(SAN) -o $@ $^ $(LDFLAGS) $(LDLIBS)
sanitize: build/san/unit build/san/$(PROG)
	cd tests && ../build/san/unit

# --- the release binary -------------------------------------------------------
# scripts/static-deps.sh fetches and builds the pinned dependencies with musl,
# once; the binary is then this Makefile's own build, linked -static, with
# unused sections dropped, and stripped (the unstripped link stays in obj/).
static-deps:
	@STATIC_DIR='$(abspath $(STATIC_DIR))' sh scripts/static-deps.sh

# mimalloc (an object, not an archive) replaces musl's malloc: see static-deps.sh.
build/static/obj/$(PROG): $(call objs,build/static,$(SRC) $(GEN)) | static-deps
	$(STATIC_CC) $(RELEASE_LDFLAGS) -o $@ $^ $(shell $(STATIC_PKG) --libs $(PKGS) mimalloc) -l$(CRYPTO)

build/static/$(PROG): build/static/obj/$(PROG)
	strip -o $@ $<
	@file $@ | grep -q 'statically linked' || \
		{ echo "static: $@ is not statically linked: $$(file -b $@)" >&2; exit 1; }

static: build/static/$(PROG)
	@echo "static: build/static/$(PROG): $$(file -b $< | cut -d, -f1-2), stripped, $$(wc -c <$<) bytes"

container:
	sh tests/container/run.sh

# --- tests ----------------------------------------------------------------------
# tests/run.sh installs what the build needs before building anything.
test:
	tests/run.sh

# Capture a repository into the local SQLite file, installing the build's
# packages first if need be:
#   make run REPO=owner/name [PRS=1,2,3] [DAYS=30] [COMMAND=pr-all] [DATABASE=file]
# GITHUB_TOKEN is used when set; GITHUB_API_URL / GITHUB_GRAPHQL_URL choose the server.
run:
	@test -n "$(REPO)" || { echo "usage: make run REPO=owner/name [PRS=1,2,3] [DAYS=30]" \
		"[COMMAND=pr-all] [DATABASE=file]" >&2; exit 2; }
	@sh scripts/deps-build.sh
	@$(MAKE) --no-print-directory $(PROG)
	./$(PROG) $(or $(COMMAND),pr-all) --repo $(REPO) $(if $(PRS),--prs $(PRS)) \
		$(if $(DAYS),--days $(DAYS)) $(if $(DATABASE),--database $(DATABASE))

# What captures cost and how long they take, against the plan's algorithm
# (tests/bench/bench.js: a report, it asserts nothing). PostgreSQL comes from
# PC_DATABASE_URL, else a throwaway one is started. make test runs its quick
# mode (tests/bench/bench.test.js) and the request counts (efficiency.test.js).
bench:
	sh tests/lib/deps.sh
	@$(MAKE) --no-print-directory $(PROG) static
	cd tests && node bench/bench.js

# clang-tidy: bug-finding checks; off are the "use memcpy_s" advice (Annex K,
# which glibc and musl do not have), two known false positives, and
# sizeof-expression, which flags the idiom p = xcalloc(n, sizeof(*p)) for
# arrays of pointers.
TIDY_CHECKS := -*,bugprone-*,clang-analyzer-*,\
	-clang-analyzer-security.insecureAPI.DeprecatedOrUnsafeBufferHandling,\
	-clang-analyzer-valist.Uninitialized,-bugprone-easily-swappable-parameters,\
	-bugprone-reserved-identifier,-bugprone-assignment-in-if-condition,\
	-bugprone-narrowing-conversions,-bugprone-sizeof-expression
lint:
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability,performance \
		--std=c11 --inline-suppr -Iinclude src
	clang-tidy --quiet --warnings-as-errors='*' -checks='$(TIDY_CHECKS)' $(SRC) -- \
		$(CSTD) -Iinclude 2>/dev/null
	clang-format --dry-run -Werror $(SRC) $(wildcard include/*.h) $(UNITSRC) \
		$(wildcard tests/unit/*.h tests/fuzz/*.c)

format:
	clang-format -i $(SRC) $(wildcard include/*.h) $(UNITSRC) $(wildcard tests/unit/*.h tests/fuzz/*.c)

# --- libFuzzer targets, one per parser family ---------------------------------------
# `make fuzz FUZZ_SECONDS=60` for longer runs.
FUZZ_SECONDS ?= 10
FUZZERS := $(patsubst tests/fuzz/%.c,build/fuzz/%,$(FUZZSRC))
$(FUZZERS): build/fuzz/%: build/fuzz/obj/tests/fuzz/%.o $(call objs,build/fuzz,$(LIBSRC))
	$(FUZZ_CC) -fsanitize=fuzzer $(FUZZ_SAN) -o $@ $^ $(LDFLAGS) $(LDLIBS)
fuzz-build: $(FUZZERS)
fuzz: fuzz-build
	@for f in $(FUZZERS); do \
		n=$$(basename $$f); mkdir -p build/corpus/$$n; \
		echo "fuzz: $$n for $(FUZZ_SECONDS) s"; \
		$$f -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -print_final_stats=0 \
			build/corpus/$$n tests/fuzz/seeds/$$n 2>build/fuzz/$$n.log \
			|| { tail -n 40 build/fuzz/$$n.log; exit 1; }; \
	done

clean:
	rm -rf build $(PROG)

-include $(patsubst %.o,%.d,$(foreach b,build build/san build/fuzz build/static,\
	$(call objs,$(b),$(SRC) $(GEN) $(UNITSRC) $(FUZZSRC))))
