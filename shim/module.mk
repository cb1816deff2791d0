# shim: containerd-shim-husk-v2. Everything but main.c goes into libshim.a so unit tests and
# fuzz targets link the same code.
SHIM_SRCS := $(filter-out shim/main.c,$(wildcard shim/*.c))
SHIM_OBJS := $(SHIM_SRCS:%.c=$(BUILD)/%.o)
SHIM_LIB := $(BUILD)/libshim.a
SHIM_BIN := $(BUILD)/containerd-shim-husk-v2
SHIM_EXT_LIBS := -levent_core $(PROTO_EXT_LIBS) $(RUNTIME_EXT_LIBS)
# Link order for anything using the shim library.
SHIM_LINK_LIBS = $(SHIM_LIB) $(PROTO_LIB) $(RUNTIME_LIB) $(CGROUPS_LIB) $(BASE_LIB)

# Shim sources include generated protobuf headers.
$(SHIM_OBJS) $(BUILD)/shim/main.o: | $(PROTO_GEN_H)

$(SHIM_LIB): $(SHIM_OBJS)
	@mkdir -p $(dir $@)
	$(AR) rcs $@ $^

$(SHIM_BIN): $(BUILD)/shim/main.o $(SHIM_LINK_LIBS)
	$(CC) $(LDFLAGS) -o $@ $(BUILD)/shim/main.o $(SHIM_LINK_LIBS) $(SHIM_EXT_LIBS)

all: $(SHIM_LIB)
ifneq ($(wildcard shim/main.c),)
ifneq ($(SHIM_BIN_DISABLED),1)
all: $(SHIM_BIN)
INSTALL_BINS += $(SHIM_BIN)
endif
endif

# shimctl: the ttrpc client the containerd integration tests drive the shim with.
SHIMCTL := $(BUILD)/integration/shimctl
$(BUILD)/integration/containerd/shimctl.o: | $(PROTO_GEN_H)
$(SHIMCTL): $(BUILD)/integration/containerd/shimctl.o $(SHIM_LINK_LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(SHIM_LINK_LIBS) $(SHIM_EXT_LIBS)
test-programs: $(SHIMCTL)
