# The v1 operation tests record, fail and clamp cgroup writes through a wrap.
$(BUILD)/tests/test_cg_v1_ops: TEST_LDFLAGS += -Wl,--wrap=cg__write -Wl,--wrap=rmdir -Wl,--wrap=access
