# mcast - IP multicast library and tool. See README.md.
#
#   make            build libmcast.a, libmcast.so, mcast and examples/ into build/
#   make check      build and run every test (unit, then network)
#   make sanitize   the whole suite under ASan+UBSan (build-san/)
#   make valgrind   the whole suite under valgrind memcheck
#   make check-long a bounded soak test in namespaces (tests/long/)
#   make demo       a sender and two receivers on lo
#   make bench-verify  libsodium's verify loop beside mcast_env_open (ARGS=...)
#   make install    PREFIX=/usr/local DESTDIR=   (make uninstall undoes it)

PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
LIBDIR     ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR     ?= $(PREFIX)/share/man
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions

CC      ?= cc
CFLAGS  ?= -O2 -g
WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wformat=2 -Wvla -Wno-missing-field-initializers
# -MMD -MP: each object gets a .d file listing the headers it included,
# read back below, so that changing a header rebuilds what includes it.
# CPPFLAGS as the environment gives it (dpkg-buildflags: -D_FORTIFY_SOURCE).
XCFLAGS := -std=gnu11 -D_GNU_SOURCE -Iinclude -Isrc $(WARN) -MMD -MP $(CPPFLAGS) $(CFLAGS)
B       ?= build

# The version is written once, as MCAST_VERSION_MAJOR/MINOR/PATCH in
# include/mcast.h; `make -s version` prints it for scripts (debian/rules).
VERSION := $(shell sed -n 's/^\#define MCAST_VERSION_[A-Z]* \([0-9][0-9]*\)$$/\1/p' include/mcast.h | paste -sd. -)
SOMAJOR := 0
SONAME  := libmcast.so.$(SOMAJOR)
# The real file carries the full version; libmcast.so.0 (what programs load)
# and libmcast.so (what -lmcast finds) are symlinks to it.
SOFILE  := libmcast.so.$(VERSION)


LIB_SRC := $(wildcard src/lib/*.c)
CLI_SRC := $(wildcard src/cli/*.c)

# ---- Modules that link an external library ------------------------------
# libmcast's core is libc only. A module that needs another library (the
# envelope with libsodium; the tool's NORM transport with libnorm, its MQTT
# bridge with libmosquitto) adds its flags here, one line per library, and
# nowhere else: LIB_EXT_* for what libmcast itself links, CLI_EXT_* for
# what only the mcast tool (and its unit tests and fuzz targets) links.
# For example:
#   CLI_EXT_CFLAGS += $(shell pkg-config --cflags libmosquitto)
#   CLI_EXT_LIBS   += $(shell pkg-config --libs libmosquitto)
# tests/deps.sh installs the -dev packages these need.
LIB_EXT_CFLAGS := $(shell pkg-config --cflags libsodium 2>/dev/null)
LIB_EXT_LIBS   := $(shell pkg-config --libs libsodium 2>/dev/null || echo -lsodium)
CLI_EXT_CFLAGS :=
CLI_EXT_LIBS   :=
# The MQTT bridge (src/cli/bridge_mqtt.c): libmosquitto-dev.
CLI_EXT_CFLAGS += $(shell pkg-config --cflags libmosquitto 2>/dev/null)
CLI_EXT_LIBS   += $(shell pkg-config --libs libmosquitto 2>/dev/null || echo -lmosquitto)
# The NORM transport (src/cli/transport_norm*.c) links libnorm; filestore.c
# hashes files with libcrypto's SHA-256, which uses the CPU's SHA
# instructions (256 MiB in 0.18 s of CPU here, libsodium's 1.0 s).
CLI_EXT_LIBS   += -lnorm -lcrypto
LIB_OBJ := $(LIB_SRC:%.c=$(B)/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(B)/%.o)
# The tool's objects minus main(), for unit tests and fuzz targets.
CLI_LIB_OBJ := $(filter-out $(B)/src/cli/main.o,$(CLI_OBJ))

UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
# Small programs that script tests drive (tests/helpers/), on the library
# and the tool's objects as the unit tests are.
HELPER_SRC := $(wildcard tests/helpers/*.c)
HELPER_BIN := $(HELPER_SRC:tests/helpers/%.c=$(B)/tests/helpers/%)

EXAMPLE_SRC := $(wildcard examples/*.c)
EXAMPLE_BIN := $(EXAMPLE_SRC:examples/%.c=$(B)/examples/%)

all: $(B)/mcast $(B)/libmcast.a $(B)/$(SONAME) $(B)/libmcast.so $(EXAMPLE_BIN)

# Besides the .d files: the public header and the Makefile itself, so that
# objects built before a .d existed (or with other flags) are rebuilt too.
$(B)/src/lib/%.o: src/lib/%.c include/mcast.h Makefile
	@mkdir -p $(@D)
	$(CC) $(XCFLAGS) $(LIB_EXT_CFLAGS) -fPIC -fvisibility=hidden -c -o $@ $<

$(B)/src/cli/%.o: src/cli/%.c include/mcast.h Makefile
	@mkdir -p $(@D)
	$(CC) $(XCFLAGS) $(CLI_EXT_CFLAGS) -c -o $@ $<

$(B)/libmcast.a: $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(B)/$(SOFILE): $(LIB_OBJ)
	$(CC) -shared -Wl,-soname,$(SONAME) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LIB_EXT_LIBS)

$(B)/$(SONAME): $(B)/$(SOFILE)
	ln -sf $(SOFILE) $@

$(B)/libmcast.so: $(B)/$(SONAME)
	ln -sf $(SONAME) $@

# The examples see only the public header, as a program built against an
# installed libmcast would.
$(B)/examples/%: examples/%.c include/mcast.h $(B)/libmcast.a
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -D_GNU_SOURCE -Iinclude $(WARN) $(CPPFLAGS) $(CFLAGS) -o $@ $< $(B)/libmcast.a \
	      $(LDFLAGS) $(LIB_EXT_LIBS)

$(B)/mcast: $(CLI_OBJ) $(B)/libmcast.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(CLI_OBJ) $(B)/libmcast.a $(CLI_EXT_LIBS) $(LIB_EXT_LIBS)

$(B)/tests/%: tests/unit/%.c $(CLI_LIB_OBJ) $(B)/libmcast.a $(B)/deps.ok
	@mkdir -p $(@D)
	$(CC) $(XCFLAGS) $(CLI_EXT_CFLAGS) -Wno-missing-prototypes -o $@ $< $(CLI_LIB_OBJ) \
	      $(B)/libmcast.a $(LDFLAGS) -lcmocka $(CLI_EXT_LIBS) $(LIB_EXT_LIBS)

$(B)/tests/helpers/%: tests/helpers/%.c $(CLI_LIB_OBJ) $(B)/libmcast.a
	@mkdir -p $(@D)
	$(CC) $(XCFLAGS) $(CLI_EXT_CFLAGS) -o $@ $< $(CLI_LIB_OBJ) \
	      $(B)/libmcast.a $(LDFLAGS) $(CLI_EXT_LIBS) $(LIB_EXT_LIBS)

# A NORM peer written against libnorm's C API alone, for the network tests.
$(B)/tests/normpeer: tests/net/normpeer.c $(B)/deps.ok
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -D_GNU_SOURCE $(WARN) $(CFLAGS) -o $@ $< $(LDFLAGS) -lnorm

# Test dependencies: says which Debian package is missing, installs it as root.
$(B)/deps.ok: tests/deps.sh
	sh tests/deps.sh
	@mkdir -p $(@D) && touch $@

# The install and examples tests build programs against the library: they
# get the same compiler and flags (ASan's, under `make sanitize`).
check: all $(UNIT_BIN) $(HELPER_BIN) $(B)/tests/normpeer
	MCAST=$(abspath $(B)/mcast) NORMPEER=$(abspath $(B)/tests/normpeer) CC="$(CC)" CFLAGS="$(CFLAGS)" LDFLAGS="$(LDFLAGS)" \
	sh tests/run.sh $(UNIT_BIN)

# Long runs, not part of make check: a bounded soak of ping, bench and recv
# together in namespaces (tests/long/).
check-long: all $(B)/tests/normpeer
	MCAST=$(abspath $(B)/mcast) NORMPEER=$(abspath $(B)/tests/normpeer) sh tests/long/run.sh

SAN := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
sanitize:
	MCAST_SLOW=2 $(MAKE) B=build-san CFLAGS="$(SAN)" LDFLAGS="-fsanitize=address,undefined" check

valgrind: all $(UNIT_BIN) $(HELPER_BIN) $(B)/tests/normpeer
	RUN_LIMIT=300 MCAST_WRAP="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect" \
	MCAST=$(abspath $(B)/mcast) NORMPEER=$(abspath $(B)/tests/normpeer) CC="$(CC)" CFLAGS="$(CFLAGS)" LDFLAGS="$(LDFLAGS)" \
	sh tests/run.sh $(UNIT_BIN)

# libsodium's own verify loop beside mcast_env_open(), the ceiling for a
# verifying receiver (bench/verify_loop.c, bench/RESULTS.md); not a test.
$(B)/bench/verify_loop: bench/verify_loop.c include/mcast.h $(B)/libmcast.a
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -D_GNU_SOURCE -Iinclude $(WARN) $(CFLAGS) $(LIB_EXT_CFLAGS) -o $@ $< \
	      $(B)/libmcast.a $(LDFLAGS) $(LIB_EXT_LIBS)

bench-verify: $(B)/bench/verify_loop
	$(B)/bench/verify_loop $(ARGS)

demo: $(B)/mcast
	sh tests/demo.sh $(B)/mcast

# pkg-config's --define-prefix (and relocated installs) need libdir and
# includedir written in terms of ${prefix} when they lie under it.
pcdir = $(patsubst $(PREFIX)/%,$${prefix}/%,$(1))

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR) \
	        $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man3 $(DESTDIR)$(PKGCONFIGDIR) \
	        $(DESTDIR)$(BASHCOMPDIR)
	install -m 755 $(B)/mcast $(DESTDIR)$(BINDIR)/mcast
	install -m 644 $(B)/libmcast.a $(DESTDIR)$(LIBDIR)/libmcast.a
	install -m 755 $(B)/$(SOFILE) $(DESTDIR)$(LIBDIR)/$(SOFILE)
	ln -sf $(SOFILE) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libmcast.so
	install -m 644 include/mcast.h $(DESTDIR)$(INCLUDEDIR)/mcast.h
	install -m 644 man/mcast.1 $(DESTDIR)$(MANDIR)/man1/mcast.1
	install -m 644 man/libmcast.3 $(DESTDIR)$(MANDIR)/man3/libmcast.3
	install -m 644 completion/mcast.bash $(DESTDIR)$(BASHCOMPDIR)/mcast
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(call pcdir,$(LIBDIR))|' \
	    -e 's|@INCLUDEDIR@|$(call pcdir,$(INCLUDEDIR))|' -e 's|@VERSION@|$(VERSION)|' \
	    mcast.pc.in > $(DESTDIR)$(PKGCONFIGDIR)/mcast.pc

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/mcast $(DESTDIR)$(LIBDIR)/libmcast.a \
	      $(DESTDIR)$(LIBDIR)/$(SOFILE) $(DESTDIR)$(LIBDIR)/$(SONAME) \
	      $(DESTDIR)$(LIBDIR)/libmcast.so $(DESTDIR)$(INCLUDEDIR)/mcast.h \
	      $(DESTDIR)$(MANDIR)/man1/mcast.1 $(DESTDIR)$(MANDIR)/man3/libmcast.3 \
	      $(DESTDIR)$(BASHCOMPDIR)/mcast $(DESTDIR)$(PKGCONFIGDIR)/mcast.pc

version:
	@echo $(VERSION)

clean:
	rm -rf build build-san

# The header dependencies -MMD wrote (none before the first build).
-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(UNIT_BIN:=.d) $(HELPER_BIN:=.d)

# Fuzz targets (libFuzzer, clang): `make fuzz`, see fuzz/README.md.
-include fuzz/fuzz.mk

.PHONY: all check check-long sanitize valgrind demo bench-verify install uninstall version clean
