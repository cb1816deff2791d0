# shim/rootfs.c: loop mounts for real (root), with ioctl wrapped to count the loop calls and to
# fake kernels without LOOP_CONFIGURE and lost EBUSY races.
$(BUILD)/tests/test_shim_rootfs.o: | $(PROTO_GEN_H)
$(BUILD)/tests/test_shim_rootfs: $(SHIM_LIB) $(PROTO_LIB)
$(BUILD)/tests/test_shim_rootfs: TEST_LDFLAGS += $(SHIM_LINK_LIBS) $(SHIM_EXT_LIBS) -Wl,--wrap=ioctl
