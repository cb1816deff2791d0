# The v2 tests record cgroup writes (and play the kernel's cgroup.events) through a wrap, and
# stand in for the BPF loader, which needs a real cgroup2 directory.
$(BUILD)/tests/test_cg_v2: TEST_LDFLAGS += -Wl,--wrap=cg__write -Wl,--wrap=cg__dev_prog_apply
