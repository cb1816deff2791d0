$(BUILD)/tests/test_mount_resolve: TEST_LDFLAGS += -Wl,--wrap=sys_openat2
