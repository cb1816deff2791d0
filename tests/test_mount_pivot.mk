$(BUILD)/tests/test_mount_pivot: TEST_LDFLAGS += -Wl,--wrap=mount -Wl,--wrap=umount2 \
	-Wl,--wrap=chroot -Wl,--wrap=sys_pivot_root -Wl,--wrap=statvfs
