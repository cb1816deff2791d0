# Events publisher and ttrpc server over a unix socket, on one loop.
$(BUILD)/tests/test_shim_events.o: | $(PROTO_GEN_H)
$(BUILD)/tests/test_shim_events: $(SHIM_LIB) $(PROTO_LIB)
$(BUILD)/tests/test_shim_events: TEST_LDFLAGS += $(SHIM_LINK_LIBS) $(SHIM_EXT_LIBS)
