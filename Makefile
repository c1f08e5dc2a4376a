# sift - one build for everything (GNU make, pkg-config; no autotools).
#
#   make              siftd, siftc, siftadm, sift-migrate and the libraries, in build/
#   make run          install missing dependencies, build, run siftd -f on config/sift.yaml
#   make check        install missing dependencies, build, run every test
#   make asan [check] the same with AddressSanitizer + UBSan, in build-asan/
#   make fuzz         libFuzzer targets (clang), in build-fuzz/
#   make install      PREFIX=/usr/local DESTDIR= (binaries, config, rules)
#   make clean

PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
DATADIR    ?= $(PREFIX)/share/sift
SYSCONFDIR ?= $(if $(filter /usr,$(PREFIX)),/etc,$(PREFIX)/etc)
CONFDIR    ?= $(SYSCONFDIR)/sift

CC      ?= cc
FUZZ_CC ?= clang
PYTHON  ?= python3

# `make asan ...` builds and tests the sanitizer flavour; the two never mix.
ifneq ($(filter asan,$(MAKECMDGOALS)),)
FLAVOUR := asan
endif
ifeq ($(FLAVOUR),asan)
BUILD   := build-asan
OPT     := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDOPT   := -fsanitize=address,undefined
else
BUILD   := build
OPT     := -O2 -g
LDOPT   :=
endif

# Hyperscan is optional: when pkg-config finds libhs the regex matcher
# (server/scan/scan_match*.c) uses it as a prefilter, else PCRE2 does it all.
# `make HYPERSCAN=no BUILD=build-nohs unit` builds and tests the PCRE2-only
# flavour in a tree of its own.
ifeq ($(origin HYPERSCAN),undefined)
HYPERSCAN := $(shell pkg-config --exists libhs && echo yes || echo no)
endif
PKGS      := libevent libevent_openssl yaml-0.1 libsodium libpcre2-8 libidn2 libssl libcrypto zlib libzstd \
             $(if $(filter yes,$(HYPERSCAN)),libhs)
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CHECK_LIBS := $(shell pkg-config --libs check 2>/dev/null)
# Berkeley DB 5.3 (libdb-dev) has no pkg-config file; the Bayes store needs it.
DB_LIBS    := -ldb

CPPFLAGS += -D_GNU_SOURCE -Iserver -I. -DSIFT_CONFDIR='"$(CONFDIR)"' -DSIFT_DATADIR='"$(DATADIR)"' \
            $(if $(filter yes,$(HYPERSCAN)),-DSIFT_HAVE_HYPERSCAN)
WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wformat=2 -Wvla
CFLAGS   += -std=c11 $(OPT) $(WARN) -MMD -MP $(PKG_CFLAGS)
LDFLAGS  += $(LDOPT)
LDLIBS   += $(PKG_LIBS) $(DB_LIBS) -lm

# Everything under server/ but daemon/ is libsift.a; daemon/ but its main()
# is libsiftd.a, which siftadm also links to check configs with the very
# tables siftd uses.
LIB_SRC    := $(sort $(wildcard server/core/*.c server/mime/*.c server/scan/*.c \
                  server/stat/*.c server/checks/*.c server/proto/*.c))
DAEMON_SRC := $(filter-out server/daemon/siftd_main.c,$(sort $(wildcard server/daemon/*.c)))
# compat/ (SpamAssassin's language and evals) is libsiftcompat.a, above
# libsift.a and below the daemon.
COMPAT_SRC := $(sort $(wildcard compat/*.c))
LIB        := $(BUILD)/libsift.a
CLIB       := $(BUILD)/libsiftcompat.a
DLIB       := $(BUILD)/libsiftd.a
PROGS      := $(BUILD)/siftd $(BUILD)/siftc $(BUILD)/siftadm $(BUILD)/sift-spamd \
              $(BUILD)/sift-migrate

UNIT_SRC   := $(sort $(wildcard tests/unit/*/test_*.c))
UNIT_BINS  := $(patsubst %.c,$(BUILD)/%,$(UNIT_SRC))
FUZZ_SRC   := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS  := $(patsubst tests/fuzz/%.c,build-fuzz/%,$(FUZZ_SRC))

obj = $(patsubst %.c,$(BUILD)/%.o,$(1))

.PHONY: all asan run check check-build unit integration lint fuzz fuzz-check deps install \
        clean format bench
.DEFAULT_GOAL := all

all: $(PROGS)
asan: $(PROGS)

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(LIB): $(call obj,$(LIB_SRC))
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(DLIB): $(call obj,$(DAEMON_SRC))
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(CLIB): $(call obj,$(COMPAT_SRC))
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/siftd: $(call obj,server/daemon/siftd_main.c) $(DLIB) $(CLIB) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# siftd run by this name takes spamd's command line (server/daemon/spamd_opts.h).
$(BUILD)/sift-spamd: $(BUILD)/siftd
	ln -sf siftd $@

$(BUILD)/siftadm: $(call obj,$(wildcard client/siftadm*.c)) $(DLIB) $(CLIB) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# sift-migrate: migrate/*.c with the daemon's configuration tables (for its
# configtest), the SpamAssassin translator and the Bayes store; the stock
# sift.yaml is compiled in, for --out.
MIGRATE_SRC := $(sort $(wildcard migrate/*.c))

$(BUILD)/migrate/migrate_stock.c: config/sift.yaml
	@mkdir -p $(@D)
	{ echo '/* generated from config/sift.yaml by the Makefile */'; \
	  echo 'extern const char mig_stock_yaml[];'; echo 'const char mig_stock_yaml[] ='; \
	  sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/    "/' -e 's/$$/\\n"/' $<; echo ';'; } >$@

$(BUILD)/migrate/migrate_stock.o: $(BUILD)/migrate/migrate_stock.c
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/sift-migrate: $(call obj,$(MIGRATE_SRC)) $(BUILD)/migrate/migrate_stock.o $(DLIB) $(CLIB) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# siftc: client/siftc.c is its main(); the other client/siftc_*.c are its
# parts, which the unit tests in tests/unit/client/ link too.
SIFTC_PARTS := $(sort $(wildcard client/siftc_*.c))

$(BUILD)/siftc: $(call obj,client/siftc.c $(SIFTC_PARTS)) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Unit tests: one binary per tests/unit/LAYER/test_FILE.c; daemon and compat
# tests also link their libraries.
$(BUILD)/tests/unit/daemon/%: $(BUILD)/tests/unit/daemon/%.o $(DLIB) $(CLIB) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(CHECK_LIBS) $(LDLIBS)

$(BUILD)/tests/unit/compat/%: $(BUILD)/tests/unit/compat/%.o $(CLIB) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(CHECK_LIBS) $(LDLIBS)

# sift-migrate's parts, without its main()
MIGRATE_PARTS := $(filter-out migrate/migrate_main.c,$(MIGRATE_SRC))

$(BUILD)/tests/unit/migrate/%: $(BUILD)/tests/unit/migrate/%.o $(call obj,$(MIGRATE_PARTS)) \
                               $(BUILD)/migrate/migrate_stock.o $(DLIB) $(CLIB) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(CHECK_LIBS) $(LDLIBS)

$(BUILD)/tests/unit/client/%: $(BUILD)/tests/unit/client/%.o $(call obj,$(SIFTC_PARTS)) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(CHECK_LIBS) $(LDLIBS)

$(BUILD)/tests/unit/%: $(BUILD)/tests/unit/%.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(CHECK_LIBS) $(LDLIBS)

# Benchmarks: C programs in tests/bench/, each printing its figures.
BENCH_SRC  := $(sort $(wildcard tests/bench/bench_*.c))
BENCH_BINS := $(patsubst tests/bench/%.c,$(BUILD)/%,$(BENCH_SRC))

$(BUILD)/bench_%: $(BUILD)/tests/bench/bench_%.o $(CLIB) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# The two load drivers share tests/bench/load_common.c (options, corpus,
# epoll loop, figures).
BENCH_LOAD := $(BUILD)/bench_spamd_load $(BUILD)/bench_milter_load

$(BENCH_LOAD): $(BUILD)/%: $(BUILD)/tests/bench/%.o $(BUILD)/tests/bench/load_common.o $(CLIB) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

bench: $(BENCH_BINS)
	@for b in $(BENCH_BINS); do $$b; done

deps:
	@scripts/install-deps.sh --if-missing

run: deps
	@$(MAKE) --no-print-directory all
	$(BUILD)/siftd -f -c config/sift.yaml -o options.dbdir=$(CURDIR)/var/db \
	    -o options.pidfile=$(CURDIR)/var/run/siftd.pid -o logging.type=stderr \
	    $(if $(filter 0,$(shell id -u)),-o options.user=nobody)

check: deps
	@$(MAKE) --no-print-directory FLAVOUR=$(FLAVOUR) check-build
	@$(MAKE) --no-print-directory FLAVOUR=$(FLAVOUR) lint unit integration fuzz-check
	@echo "make check: all tests passed ($(BUILD))"

check-build: $(PROGS) $(UNIT_BINS)

unit: $(UNIT_BINS)
	@set -e; for t in $(UNIT_BINS); do \
	    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	    CK_VERBOSITY=$${CK_VERBOSITY:-normal} $$t; done

integration: $(PROGS)
	SIFT_BUILD=$(BUILD) $(PYTHON) -m unittest discover -s tests/integration -p 'test_*.py' \
	    $(if $(V),-v,)

lint:
	@scripts/check-layers.sh
	@scripts/check-format.sh

# libFuzzer targets: the library rebuilt with clang and the fuzzer runtime
# (with its header dependencies, as the other flavours: a changed struct
# rebuilds what uses it).
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
FUZZ_LIB_OBJ := $(patsubst %.c,build-fuzz/%.o,$(LIB_SRC) $(COMPAT_SRC))

build-fuzz/%.o: %.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CPPFLAGS) -std=c11 $(WARN) $(FUZZ_FLAGS) -MMD -MP $(PKG_CFLAGS) -c $< -o $@

build-fuzz/libsift.a: $(FUZZ_LIB_OBJ)
	rm -f $@ && ar rcs $@ $^

build-fuzz/fuzz_%: tests/fuzz/fuzz_%.c build-fuzz/libsift.a
	$(FUZZ_CC) $(CPPFLAGS) -std=c11 $(WARN) $(FUZZ_FLAGS) -fsanitize=fuzzer -MMD -MP $(PKG_CFLAGS) \
	    -o $@ $< build-fuzz/libsift.a $(PKG_LIBS) $(DB_LIBS) -lm

fuzz: $(FUZZ_BINS)

# A short pass of every target over its seeds; `scripts/fuzz.sh NAME SECONDS` runs one longer.
fuzz-check: fuzz
	@set -e; for f in $(FUZZ_BINS); do scripts/fuzz.sh --check $$(basename $$f); done

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(CONFDIR)/local.d $(DESTDIR)$(CONFDIR)/override.d \
	    $(DESTDIR)$(DATADIR)/rules
	install -m 0755 $(filter-out %/sift-spamd,$(PROGS)) $(DESTDIR)$(BINDIR)/
	ln -sf siftd $(DESTDIR)$(BINDIR)/sift-spamd
	install -m 0644 config/sift.yaml $(DESTDIR)$(CONFDIR)/sift.yaml
	install -m 0644 config/local.d/*.example $(DESTDIR)$(CONFDIR)/local.d/
	install -m 0644 config/override.d/*.example $(DESTDIR)$(CONFDIR)/override.d/
	cp -R rules/. $(DESTDIR)$(DATADIR)/rules/
	install -m 0644 data/public_suffix_list.dat $(DESTDIR)$(DATADIR)/

format:
	clang-format -i $$(find server compat migrate client tests -name '*.[ch]' 2>/dev/null)

clean:
	rm -rf build build-asan build-fuzz

-include $(shell find $(sort build build-asan build-fuzz $(BUILD)) -name '*.d' 2>/dev/null)
