# The loop: signals, reaper, subreaper (in a forked child).
$(BUILD)/tests/test_shim_loop.o: | $(PROTO_GEN_H)
$(BUILD)/tests/test_shim_loop: $(SHIM_LIB) $(PROTO_LIB)
$(BUILD)/tests/test_shim_loop: TEST_LDFLAGS += $(SHIM_LINK_LIBS) $(SHIM_EXT_LIBS)
