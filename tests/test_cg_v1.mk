# The v1 backend tests record and fail cgroup writes and rmdir through wraps.
$(BUILD)/tests/test_cg_v1: TEST_LDFLAGS += -Wl,--wrap=cg__write -Wl,--wrap=rmdir -Wl,--wrap=access
