# test_spec*: the tests read fixtures shared with the fuzz corpus (tests/fuzz/corpus/spec/), by
# absolute path so the binaries run from any directory.
$(BUILD)/tests/test_spec%.o: CPPFLAGS += -DHUSK_SRCDIR='"$(CURDIR)"'
$(BUILD)/tests/test_spec.o: CPPFLAGS += -DHUSK_SRCDIR='"$(CURDIR)"'
