# shim: containerd-shim-husk-v2. Everything but main.c goes into libshim.a so unit tests and
# fuzz targets link the same code.
SHIM_SRCS := $(filter-out shim/main.c shim/noresolv.c,$(wildcard shim/*.c))
SHIM_OBJS := $(SHIM_SRCS:%.c=$(BUILD)/%.o)
SHIM_LIB := $(BUILD)/libshim.a
SHIM_BIN := $(BUILD)/containerd-shim-husk-v2
SHIM_EXT_LIBS := -levent_core $(PROTO_EXT_LIBS) $(RUNTIME_EXT_LIBS)
# Link order for anything using the shim library.
SHIM_LINK_LIBS = $(SHIM_LIB) $(PROTO_LIB) $(RUNTIME_LIB) $(CGROUPS_LIB) $(BASE_LIB)

# The shim binary is linked statically and without PIE: one shim runs per container for its whole
# life, and every shared library costs each of them private dirty pages (GOT, relro, data, bss,
# ld.so's own), as relocating a PIE dirties its pointer-holding read-only data (issue 4: shim
# memory). Each library whose Debian archive is there comes from it, the others stay shared; with
# all of them and glibc's libc.a the binary is fully static. Sanitizer builds link as the rest
# (ASan cannot be static); SHIM_STATIC=0 forces the shared libraries.
SHIM_ARCHIVE_DIR ?= /usr/lib/$(shell $(CC) -print-multiarch 2>/dev/null)
SHIM_STATIC ?= $(if $(filter 1,$(SAN)),0,1)
shim_archive = $(if $(and $(filter 1,$(SHIM_STATIC)),$(wildcard $(SHIM_ARCHIVE_DIR)/$(1).a)),-l:$(1).a,$(2))
SHIM_BIN_LIBS := $(call shim_archive,libevent_core,-levent_core) \
	$(call shim_archive,libprotobuf-c,-lprotobuf-c) $(call shim_archive,libyajl_s,-lyajl) \
	$(call shim_archive,libseccomp,-lseccomp)
ifeq ($(filter-out -l:%,$(SHIM_BIN_LIBS))$(SHIM_STATIC)$(if $(wildcard $(SHIM_ARCHIVE_DIR)/libc.a),y),1y)
# glibc's resolver cannot work in a static binary (it loads NSS modules); libevent only refers
# to it, the shim never calls it: noresolv.o keeps it out (see there).
SHIM_BIN_LDFLAGS := -static
SHIM_BIN_OBJS := $(BUILD)/shim/noresolv.o
else
SHIM_BIN_LDFLAGS := -no-pie
SHIM_BIN_OBJS :=
endif

# Shim sources include generated protobuf headers.
$(SHIM_OBJS) $(BUILD)/shim/main.o: | $(PROTO_GEN_H)

$(SHIM_LIB): $(SHIM_OBJS)
	@mkdir -p $(dir $@)
	$(AR) rcs $@ $^

$(SHIM_BIN): $(BUILD)/shim/main.o $(SHIM_BIN_OBJS) $(SHIM_LINK_LIBS)
	$(CC) $(LDFLAGS) $(SHIM_BIN_LDFLAGS) -o $@ $(BUILD)/shim/main.o $(SHIM_BIN_OBJS) \
		$(SHIM_LINK_LIBS) $(SHIM_BIN_LIBS)

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
