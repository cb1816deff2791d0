# husk: one non-recursive Makefile; every folder adds its part through module.mk.
# Targets: all test check install lint format fuzz demo bench deps clean; SAN=1 for ASan+UBSan.

BUILD ?= build
PREFIX ?= /usr/local
DESTDIR ?=
CC ?= gcc
PKG_CONFIG ?= pkg-config

WARN := -Wall -Wextra -Wshadow -Wformat=2 -Wstrict-prototypes -Wmissing-prototypes -Wvla \
	-Wnull-dereference -Wno-format-nonliteral
ifeq ($(findstring clang,$(shell $(CC) --version 2>/dev/null)),)
WARN += -Wjump-misses-init
endif
OPT ?= -O2 -g
ifeq ($(SAN),1)
OPT := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
LDSAN := -fsanitize=address,undefined
endif
ifeq ($(WERROR),1)
WARN += -Werror
endif

# -iquote: runtime/seccomp.h must not shadow libseccomp's <seccomp.h>
CPPFLAGS += -D_GNU_SOURCE -Ulinux -iquote . -iquote runtime -I$(BUILD)
CFLAGS += -std=gnu17 $(OPT) $(WARN) -MMD -MP
LDFLAGS += $(LDSAN)

.PHONY: all test check install lint format fuzz demo demo-cli bench deps clean check-size check-headers
all:

include runtime/base/module.mk
include cgroups/module.mk
include runtime/module.mk
-include proto/module.mk
-include shim/module.mk
include tests/module.mk
-include integration/module.mk
-include integration/bench/*.mk

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

# Installs the Debian packages the build and the tests need (no-op when they are present).
deps:
	@tests/install-deps.sh

# Every test: unit (cmocka), fuzz corpus replay, integration (root, containerd, qemu guest).
# Ends with one line `tests: N passed, N failed, N skipped`; non-zero exit on any failure.
test: deps
	@$(MAKE) --no-print-directory all test-programs
	@tests/run-all.sh $(BUILD)

# Unit tests only: no root needed.
check: all test-programs
	@tests/run-all.sh --unit-only $(BUILD)

install: all
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(INSTALL_BINS) $(DESTDIR)$(PREFIX)/bin/

lint:
	cppcheck --quiet --enable=warning,performance,portability --error-exitcode=1 --inline-suppr \
		-D_GNU_SOURCE -I. -Iruntime -I$(BUILD) --suppress=missingIncludeSystem \
		-DPROTOBUF_C_VERSION_NUMBER=1004001 -DPROTOBUF_C_MIN_COMPILER_VERSION=1000000 \
		runtime cgroups shim
	@$(MAKE) --no-print-directory check-size

check-size:
	@big=$$(git ls-files '*.c' '*.h' | grep -v '\.pb-c\.' | xargs wc -l | \
		awk '$$2 != "total" && $$1 > 800 {print $$2 " (" $$1 " lines)"}'); \
	if [ -n "$$big" ]; then echo "files over 800 lines:"; echo "$$big"; exit 1; fi

format:
	git ls-files '*.c' '*.h' | xargs clang-format -i

# A private containerd with the husk runtime runs a busybox container through ctr.
demo: deps
	@$(MAKE) --no-print-directory all test-programs
	@integration/containerd/demo.sh $(BUILD)

# The same busybox container through the husk CLI alone.
demo-cli: all
	@integration/demo.sh $(BUILD)

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
