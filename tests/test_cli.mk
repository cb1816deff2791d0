# test_cli*: the husk CLI's objects (all but main.o, which holds main()) linked with the
# libraries, so the commands' pure parts can be called directly.
CLI_TEST_OBJS := $(filter-out $(BUILD)/runtime/cli/main.o,$(CLI_OBJS))

$(BUILD)/tests/test_cli $(BUILD)/tests/test_cli_cmds: $(BUILD)/tests/%: $(BUILD)/tests/%.o \
		$(CLI_TEST_OBJS) $(TEST_LIBS_ALL)
	$(CC) $(LDFLAGS) -o $@ $< $(CLI_TEST_OBJS) $(TEST_LIBS_ALL) $(TEST_EXT_LIBS) $(TEST_LDFLAGS)
