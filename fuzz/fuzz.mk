# fuzz/fuzz.mk - libFuzzer targets, included at the end of the Makefile.
#
#   make fuzz-build    build every target into build-fuzz/
#   make fuzz          build, then run each target for FUZZ_SECONDS (30) on
#                      its seed corpus; fails if any target crashes
#   make fuzz-addr     run one target (fuzz/fuzz_addr.c)
#   make fuzz-coverage line coverage of src/ reached by the corpora
#   make fuzz-clean    remove build-fuzz/ (so does `make clean`)
#
# A target is one file, fuzz/fuzz_NAME.c, that defines
# LLVMFuzzerTestOneInput. It is linked with every library object and every
# tool object but main.o. Its seeds live in fuzz/corpus/fuzz_NAME/ and an
# optional dictionary in fuzz/fuzz_NAME.dict. Nothing else needs adding.
#
# Needs clang and its libFuzzer runtime. On Debian: apt-get install clang
# libclang-rt-14-dev (the -NN- is clang's major version, `clang -dumpversion`).
# See fuzz/README.md.

FUZZ_CC      ?= clang
FUZZ_B       ?= build-fuzz
FUZZ_SECONDS ?= 30
# Extra libFuzzer flags for `make fuzz`, e.g. FUZZ_FLAGS=-jobs=2.
FUZZ_FLAGS   ?=

FUZZ_SAN    := -fsanitize=address,undefined -fno-sanitize-recover=all \
               -fno-omit-frame-pointer
FUZZ_CFLAGS := -std=gnu11 -D_GNU_SOURCE -Iinclude -Isrc $(WARN) -O1 -g $(FUZZ_SAN)

FUZZ_SRC  := $(wildcard fuzz/fuzz_*.c)
FUZZ_NAME := $(FUZZ_SRC:fuzz/fuzz_%.c=%)
FUZZ_BIN  := $(FUZZ_NAME:%=$(FUZZ_B)/fuzz_%)
FUZZ_OBJ  := $(LIB_SRC:%.c=$(FUZZ_B)/%.o) \
             $(filter-out $(FUZZ_B)/src/cli/main.o,$(CLI_SRC:%.c=$(FUZZ_B)/%.o))

# Library and tool objects, instrumented for coverage but without
# libFuzzer's main(), which only the final link brings in.
$(FUZZ_B)/src/%.o: src/%.c include/mcast.h $(wildcard src/lib/*.h src/cli/*.h) \
		   $(FUZZ_B)/toolchain.ok
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(LIB_EXT_CFLAGS) $(CLI_EXT_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_B)/fuzz_%: fuzz/fuzz_%.c $(wildcard fuzz/*.h) $(FUZZ_OBJ)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer \
		-o $@ $< $(FUZZ_OBJ) $(CLI_EXT_LIBS) $(LIB_EXT_LIBS)

# Fail early, naming the package, when clang or libFuzzer is missing.
$(FUZZ_B)/toolchain.ok: fuzz/fuzz.mk
	@mkdir -p $(@D)
	@printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n);\nint LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' \
		> $(@D)/toolchain.c
	@$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $(@D)/toolchain \
		$(@D)/toolchain.c 2>$(@D)/toolchain.log || { \
		v=$$($(FUZZ_CC) -dumpversion 2>/dev/null | cut -d. -f1); \
		echo "fuzz: $(FUZZ_CC) cannot link with -fsanitize=fuzzer (see $(@D)/toolchain.log)."; \
		echo "fuzz: on Debian, install: apt-get install clang libclang-rt-$${v:-NN}-dev"; \
		exit 1; }
	@touch $@

fuzz-build: $(FUZZ_BIN)

# The objects are only ever prerequisites of a pattern rule; without this
# make would delete them as intermediates after every link.
.SECONDARY: $(FUZZ_OBJ)

# Run one target. New inputs go to build-fuzz/corpus/fuzz_NAME/ (the first
# directory libFuzzer is given), so the committed seeds stay as they are;
# crash inputs go to build-fuzz/artifacts/fuzz_NAME/.
FUZZ_RUN := $(FUZZ_NAME:%=fuzz-%)
$(FUZZ_RUN): fuzz-%: $(FUZZ_B)/fuzz_%
	@mkdir -p $(FUZZ_B)/corpus/fuzz_$* $(FUZZ_B)/artifacts/fuzz_$* \
		  $(FUZZ_B)/logs fuzz/corpus/fuzz_$*
	@echo "fuzz: fuzz_$* for $(FUZZ_SECONDS)s, log in $(FUZZ_B)/logs/fuzz_$*.log"
	@UBSAN_OPTIONS=print_stacktrace=1 $(FUZZ_B)/fuzz_$* \
		-max_total_time=$(FUZZ_SECONDS) -timeout=10 -print_final_stats=1 \
		-artifact_prefix=$(FUZZ_B)/artifacts/fuzz_$*/ \
		$(if $(wildcard fuzz/fuzz_$*.dict),-dict=fuzz/fuzz_$*.dict) \
		$(FUZZ_FLAGS) $(FUZZ_B)/corpus/fuzz_$* fuzz/corpus/fuzz_$* \
		> $(FUZZ_B)/logs/fuzz_$*.log 2>&1; rc=$$?; \
	grep -E '^#[0-9]+[[:space:]]+DONE' $(FUZZ_B)/logs/fuzz_$*.log | sed 's/^/fuzz: fuzz_$*: /'; \
	if [ $$rc -ne 0 ]; then \
		tail -n 40 $(FUZZ_B)/logs/fuzz_$*.log; \
		echo "fuzz: fuzz_$* FAILED (exit $$rc); inputs in $(FUZZ_B)/artifacts/fuzz_$*/:"; \
		ls $(FUZZ_B)/artifacts/fuzz_$*/; \
		exit 1; \
	fi

fuzz: $(FUZZ_RUN)

# Coverage: the same targets built for llvm-cov (no sanitizers), run once
# over the committed seeds and whatever `make fuzz` added in build-fuzz/.
FUZZ_COV_B   := $(FUZZ_B)/cov
FUZZ_COV_OBJ := $(FUZZ_OBJ:$(FUZZ_B)/%=$(FUZZ_COV_B)/%)
FUZZ_PROFDATA ?= llvm-profdata
FUZZ_LLVMCOV  ?= llvm-cov
FUZZ_COV_FLAGS := -std=gnu11 -D_GNU_SOURCE -Iinclude -Isrc -O0 -g \
                  -fprofile-instr-generate -fcoverage-mapping

$(FUZZ_COV_B)/src/%.o: src/%.c include/mcast.h $(wildcard src/lib/*.h src/cli/*.h) \
		       $(FUZZ_B)/toolchain.ok
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_COV_FLAGS) $(LIB_EXT_CFLAGS) $(CLI_EXT_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_COV_B)/fuzz_%: fuzz/fuzz_%.c $(wildcard fuzz/*.h) $(FUZZ_COV_OBJ)
	$(FUZZ_CC) $(FUZZ_COV_FLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_COV_OBJ) $(CLI_EXT_LIBS) $(LIB_EXT_LIBS)

.SECONDARY: $(FUZZ_COV_OBJ)

fuzz-coverage: $(FUZZ_NAME:%=$(FUZZ_COV_B)/fuzz_%)
	@for t in $(FUZZ_NAME:%=fuzz_%); do \
		mkdir -p $(FUZZ_B)/corpus/$$t; \
		LLVM_PROFILE_FILE=$(FUZZ_COV_B)/$$t.profraw $(FUZZ_COV_B)/$$t -runs=0 \
			$(FUZZ_B)/corpus/$$t fuzz/corpus/$$t > $(FUZZ_COV_B)/$$t.log 2>&1 || exit 1; \
		$(FUZZ_PROFDATA) merge -sparse -o $(FUZZ_COV_B)/$$t.profdata \
			$(FUZZ_COV_B)/$$t.profraw || exit 1; \
		echo "== $$t"; \
		$(FUZZ_LLVMCOV) report $(FUZZ_COV_B)/$$t \
			-instr-profile=$(FUZZ_COV_B)/$$t.profdata $(LIB_SRC) $(CLI_SRC) | \
			awk 'NR <= 2 || ($$1 != "TOTAL" && $$1 !~ /^-+$$/ && $$7 != "0.00%")'; \
	done
	@echo "fuzz: per-line detail: $(FUZZ_LLVMCOV) show $(FUZZ_COV_B)/fuzz_NAME -instr-profile=$(FUZZ_COV_B)/fuzz_NAME.profdata src/lib/addr.c"

fuzz-clean:
	rm -rf $(FUZZ_B)

clean: fuzz-clean

.PHONY: fuzz fuzz-build fuzz-clean fuzz-coverage $(FUZZ_RUN)
