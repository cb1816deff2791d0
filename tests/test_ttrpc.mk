# ttrpc framing, dispatch and client tests: link the shim and proto libraries.
$(BUILD)/tests/test_ttrpc.o: | $(PROTO_GEN_H)
$(BUILD)/tests/test_ttrpc: $(SHIM_LIB) $(PROTO_LIB)
$(BUILD)/tests/test_ttrpc: TEST_LDFLAGS += $(SHIM_LINK_LIBS) $(SHIM_EXT_LIBS)
