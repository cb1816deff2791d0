# caps.c calls prctl and sys_capset through wraps so the tests can record the order.
$(BUILD)/tests/test_caps: TEST_LDFLAGS += -Wl,--wrap=prctl -Wl,--wrap=sys_capset
