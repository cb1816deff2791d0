# mount(2) and friends are wrapped: the tests check call sequences without mounting anything.
$(BUILD)/tests/test_mount_apply: TEST_LDFLAGS += -Wl,--wrap=mount -Wl,--wrap=mknodat \
	-Wl,--wrap=fchownat -Wl,--wrap=statvfs -Wl,--wrap=statfs -Wl,--wrap=sys_mount_setattr
