# Fuzz targets (libFuzzer) and the replay of their corpora. Included from tests/module.mk.
#
# Each tests/fuzz/fuzz_<name>.c defines LLVMFuzzerTestOneInput (prototype in tests/fuzz/fuzz.h).
# Its seed corpus is tests/fuzz/corpus/<name>/ (one input per file; add every crash you fix),
# and tests/fuzz/<name>.dict, if present, is a libFuzzer dictionary for it. Each target builds
# twice:
#
#   $(BUILD)/tests/fuzz/replay_<name>   `make test-programs`: gcc (ASan+UBSan with SAN=1), the
#       target + tests/fuzz/replay_main.c, linked with the gcc libraries. It feeds every corpus
#       file once and prints TAP (`ok N - tests/fuzz/corpus/<name>/<file>`), so
#       tests/run-all.sh counts one test per input and a crash fails the run.
#   $(BUILD)/fuzz/fuzz_<name>           `make fuzz`: clang -fsanitize=fuzzer,address,undefined.
#       The libraries are instrumented too: their sources are recompiled by clang into
#       $(BUILD)/fuzz/obj/ and archived into $(BUILD)/fuzz/libfuzzcore.a.
#
# `make fuzz-run` runs each target for FUZZ_SECONDS (default 60) on its working corpus
# $(BUILD)/fuzz/work/<name>/ (a copy of the seed corpus, kept between runs, which also gets the
# new inputs libFuzzer finds); crash inputs land in $(BUILD)/fuzz/crashes/<name>-*. FUZZ_FLAGS
# adds libFuzzer flags (e.g. FUZZ_FLAGS=-jobs=2). Only targets named in FUZZ_RUN (default: all)
# run. A crash makes the run fail.
#
# Per-target extras. Set them in tests/fuzz/fuzz_<name>.mk (included below, before the rules
# are made) with <name> as in fuzz_<name>.c:
#   FUZZ_<name>_SRCS      more sources compiled into both builds (e.g. a stub service)
#   FUZZ_<name>_LIBS      more gcc-built libraries for the replay build, before the core ones
#   FUZZ_<name>_LIBSRCS   the sources of those libraries, recompiled by clang for the fuzz build
#                         (archived into $(BUILD)/fuzz/libfuzz_<name>.a)
#   FUZZ_<name>_EXT_LIBS  more system libraries for both builds
# For instance the shim's tests/fuzz/fuzz_ttrpc_frame.mk would say:
#   FUZZ_ttrpc_frame_LIBS := $(SHIM_LIB) $(PROTO_LIB)
#   FUZZ_ttrpc_frame_LIBSRCS := $(SHIM_SRCS) $(PROTO_SRCS) $(PROTO_GEN_C)
#   FUZZ_ttrpc_frame_EXT_LIBS := $(SHIM_EXT_LIBS)
# (Debian's protobuf-c and libevent are not instrumented; our code around them is.)

FUZZ_TARGET_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_NAMES := $(patsubst tests/fuzz/fuzz_%.c,%,$(FUZZ_TARGET_SRCS))
FUZZ_REPLAYS := $(FUZZ_NAMES:%=$(BUILD)/tests/fuzz/replay_%)
FUZZ_BINS := $(FUZZ_NAMES:%=$(BUILD)/fuzz/fuzz_%)
FUZZ_RUN ?= $(FUZZ_NAMES)

FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_FLAGS ?=
FUZZ_OBJ := $(BUILD)/fuzz/obj
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS := -std=gnu17 -g -O1 -fno-omit-frame-pointer -MMD -MP \
	$(filter-out -Wjump-misses-init -Werror,$(WARN)) -fsanitize=fuzzer-no-link $(FUZZ_SAN)
FUZZ_LDFLAGS := -fsanitize=fuzzer $(FUZZ_SAN)

# The libraries every target gets, recompiled by clang.
FUZZ_CORE_SRCS ?= $(RUNTIME_SRCS) $(CGROUPS_SRCS) $(BASE_SRCS)
FUZZ_CORE_LIB := $(BUILD)/fuzz/libfuzzcore.a
FUZZ_CORE_EXT_LIBS = $(RUNTIME_EXT_LIBS)

include $(wildcard tests/fuzz/fuzz_*.mk)

# Targets may include generated protobuf headers.
$(FUZZ_NAMES:%=$(BUILD)/tests/fuzz/fuzz_%.o): | $(PROTO_GEN_H)

# The replayer's default corpus is found from anywhere.
$(BUILD)/tests/fuzz/replay_main.o: CPPFLAGS += -DFUZZ_TOPDIR='"$(CURDIR)"'

# clang objects; generated protobuf headers first, when the proto folder is there.
$(FUZZ_OBJ)/%.o: %.c | $(PROTO_GEN_H)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) -c $< -o $@

$(FUZZ_CORE_LIB): $(FUZZ_CORE_SRCS:%.c=$(FUZZ_OBJ)/%.o)
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $^

# fuzz_target_rules NAME: the replay and libFuzzer builds of tests/fuzz/fuzz_NAME.c.
define fuzz_target_rules
$(BUILD)/tests/fuzz/replay_$(1): $(BUILD)/tests/fuzz/fuzz_$(1).o $(BUILD)/tests/fuzz/replay_main.o \
		$(FUZZ_$(1)_SRCS:%.c=$(BUILD)/%.o) $(FUZZ_$(1)_LIBS) $$(TEST_LIBS_ALL)
	$$(CC) $$(LDFLAGS) -o $$@ $$(filter %.o,$$^) $(FUZZ_$(1)_LIBS) $$(TEST_LIBS_ALL) \
		$(FUZZ_$(1)_EXT_LIBS) $$(FUZZ_CORE_EXT_LIBS)

ifneq ($(strip $(FUZZ_$(1)_LIBSRCS)),)
$(BUILD)/fuzz/libfuzz_$(1).a: $(FUZZ_$(1)_LIBSRCS:%.c=$(FUZZ_OBJ)/%.o)
	@mkdir -p $$(dir $$@)
	rm -f $$@
	$$(AR) rcs $$@ $$^
FUZZ_$(1)_FUZZLIB := $(BUILD)/fuzz/libfuzz_$(1).a
endif

$(BUILD)/fuzz/fuzz_$(1): $(FUZZ_OBJ)/tests/fuzz/fuzz_$(1).o $(FUZZ_$(1)_SRCS:%.c=$(FUZZ_OBJ)/%.o) \
		$$(FUZZ_$(1)_FUZZLIB) $(FUZZ_CORE_LIB)
	$$(FUZZ_CC) $$(FUZZ_LDFLAGS) -o $$@ $$(filter %.o,$$^) $$(FUZZ_$(1)_FUZZLIB) \
		$(FUZZ_CORE_LIB) $(FUZZ_$(1)_EXT_LIBS) $$(FUZZ_CORE_EXT_LIBS)
endef

$(foreach n,$(FUZZ_NAMES),$(eval $(call fuzz_target_rules,$(n))))

test-programs: $(FUZZ_REPLAYS)

.PHONY: fuzz fuzz-run
fuzz: $(FUZZ_BINS)

fuzz-run: $(FUZZ_RUN:%=$(BUILD)/fuzz/fuzz_%)
	@set -e; for n in $(FUZZ_RUN); do \
		work=$(BUILD)/fuzz/work/$$n; \
		mkdir -p $$work $(BUILD)/fuzz/crashes; \
		for f in tests/fuzz/corpus/$$n/*; do \
			[ -e "$$work/$${f##*/}" ] || cp "$$f" "$$work/"; \
		done; \
		dict=; if [ -f tests/fuzz/$$n.dict ]; then dict=-dict=tests/fuzz/$$n.dict; fi; \
		echo "fuzz-run: $$n for $(FUZZ_SECONDS)s on $$work"; \
		$(BUILD)/fuzz/fuzz_$$n -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			-artifact_prefix=$(BUILD)/fuzz/crashes/$$n- $$dict $(FUZZ_FLAGS) $$work; \
	done
