# libFuzzer targets (tests/fuzz/fuzz_*.c), included by the top Makefile. They are built by
# clang with SAN=fuzz into their own directory (build-fuzz by default): `make fuzz-bins`
# builds them, `make fuzz [FUZZ_TIME=600] [FUZZ_TARGETS="kmsg record"]` runs each in turn on
# its seed corpus (tests/fuzz/run.sh); `make check` runs each for a few seconds.

FUZZ_O ?= build-fuzz
FUZZ_TIME ?= 600
FUZZ_TARGETS ?=
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN := $(FUZZ_SRC:%.c=$(O)/%)
FUZZ_TOOLS := $(O)/tests/fuzz/tuf_seeds
# Of the backend only the parsers: the targets link these objects, not all of libbackend.a
FUZZ_BACKEND_OBJ := $(filter $(O)/backend/cve/% $(O)/backend/profile/makeval% \
	$(O)/backend/profile/makefile.o $(O)/backend/vet/vet_console.o $(O)/backend/cmd/config.o \
	$(O)/backend/fleet/rollout_policy.o $(O)/backend/fleet/fleet_parse.o \
	$(O)/backend/generate/klpdiff/klp_symdb.o $(O)/backend/generate/klpdiff/kelf.o,\
	$(BACKEND_OBJ))

.PHONY: fuzz fuzz-bins
ifeq ($(SAN),fuzz)
fuzz-bins: $(FUZZ_BIN) $(FUZZ_TOOLS)
else
fuzz-bins:
	@$(MAKE) --no-print-directory O=$(FUZZ_O) SAN=fuzz CC=clang fuzz-bins
endif

$(O)/tests/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(FUZZ_BACKEND_OBJ) \
		$(O)/libagent.a $(O)/libcommon.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(LDFLAGS_ALL) -fsanitize=fuzzer -MMD -MP -o $@ $< $(FUZZ_BACKEND_OBJ) \
		$(O)/libagent.a $(O)/libcommon.a $(PKG_LIBS)

$(O)/tests/fuzz/tuf_seeds: tests/fuzz/tuf_seeds.c $(O)/libcommon.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(LDFLAGS_ALL) -fsanitize=fuzzer-no-link -o $@ $< $(O)/libcommon.a \
		$(PKG_LIBS)

fuzz: deps
	@$(MAKE) --no-print-directory fuzz-bins
	@tests/fuzz/run.sh --bin $(FUZZ_O) --time $(FUZZ_TIME) $(FUZZ_TARGETS)
