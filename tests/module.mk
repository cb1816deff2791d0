# Unit tests: tests/test_<name>.c -> $(BUILD)/tests/test_<name>, linked against the libraries.
# A folder adds its tests with `UNIT_TESTS += $(BUILD)/tests/test_x` and, if it needs wrapped
# syscalls, `$(BUILD)/tests/test_x: TEST_LDFLAGS += -Wl,--wrap=mount`.

UNIT_SRCS := $(wildcard tests/test_*.c)
UNIT_TESTS := $(UNIT_SRCS:tests/%.c=$(BUILD)/tests/%)
TEST_LIBS_ALL = $(RUNTIME_LIB) $(CGROUPS_LIB) $(BASE_LIB)
TEST_EXT_LIBS = $(RUNTIME_EXT_LIBS) -lcmocka

$(BUILD)/tests/test_%: $(BUILD)/tests/test_%.o $(TEST_LIBS_ALL)
	$(CC) $(LDFLAGS) -o $@ $< $(TEST_LIBS_ALL) $(TEST_EXT_LIBS) $(TEST_LDFLAGS)

include $(wildcard tests/test_*.mk)

.PHONY: test-programs
test-programs: $(UNIT_TESTS)
include tests/fuzz/fuzz.mk
