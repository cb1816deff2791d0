# The `start` action's inputs besides its flags (stdin Any / BootstrapParams, SCHED_CORE) and the
# socket-dir helpers of shim/address.c.
$(BUILD)/tests/test_shim_bootstrap.o: | $(PROTO_GEN_H)
$(BUILD)/tests/test_shim_bootstrap: $(SHIM_LIB) $(PROTO_LIB)
$(BUILD)/tests/test_shim_bootstrap: TEST_LDFLAGS += $(SHIM_LINK_LIBS) $(SHIM_EXT_LIBS)
