# Pure shim helpers: args, sha256 and socket addresses, stdio URIs, rootfs options, state machine.
$(BUILD)/tests/test_shim_util.o: | $(PROTO_GEN_H)
$(BUILD)/tests/test_shim_util: $(SHIM_LIB) $(PROTO_LIB)
$(BUILD)/tests/test_shim_util: TEST_LDFLAGS += $(SHIM_LINK_LIBS) $(SHIM_EXT_LIBS)
