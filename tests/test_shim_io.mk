# Pumps and stdio on a libevent loop (pipes, FIFOs, files).
$(BUILD)/tests/test_shim_io.o: | $(PROTO_GEN_H)
$(BUILD)/tests/test_shim_io: $(SHIM_LIB) $(PROTO_LIB)
$(BUILD)/tests/test_shim_io: TEST_LDFLAGS += $(SHIM_LINK_LIBS) $(SHIM_EXT_LIBS)
