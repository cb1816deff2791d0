$(BUILD)/tests/test_terminal: TEST_LDFLAGS += -Wl,--wrap=ioctl
