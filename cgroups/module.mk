CGROUPS_SRCS := $(wildcard cgroups/*.c)
CGROUPS_OBJS := $(CGROUPS_SRCS:%.c=$(BUILD)/%.o)
CGROUPS_LIB := $(BUILD)/libcgroups.a

$(CGROUPS_LIB): $(CGROUPS_OBJS)
	@mkdir -p $(dir $@)
	$(AR) rcs $@ $^

all: $(CGROUPS_LIB)
