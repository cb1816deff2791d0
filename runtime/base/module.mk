BASE_SRCS := $(wildcard runtime/base/*.c)
BASE_OBJS := $(BASE_SRCS:%.c=$(BUILD)/%.o)
BASE_LIB := $(BUILD)/libbase.a

$(BASE_LIB): $(BASE_OBJS)
	@mkdir -p $(dir $@)
	$(AR) rcs $@ $^

all: $(BASE_LIB)
