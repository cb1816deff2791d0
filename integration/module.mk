# integration/: end-to-end tests. The CLI tests (t_cli_*.sh) run the container's process from
# a static helper, $(BUILD)/integration/init, copied into each generated rootfs as /init.

INTEG_INIT := $(BUILD)/integration/init

$(INTEG_INIT): integration/init.c integration/init_probe.c integration/init.h integration/init_probe.h
	@mkdir -p $(dir $@)
	$(CC) -static -std=gnu17 -O2 -g -D_GNU_SOURCE $(WARN) -o $@ integration/init.c integration/init_probe.c

.PHONY: test-programs
test-programs: $(INTEG_INIT)
