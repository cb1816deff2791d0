# libhusk (runtime core) and the husk CLI.
RUNTIME_SRCS := $(wildcard runtime/*.c)
RUNTIME_OBJS := $(RUNTIME_SRCS:%.c=$(BUILD)/%.o)
RUNTIME_LIB := $(BUILD)/libhusk.a
RUNTIME_EXT_LIBS := -lyajl -lseccomp
# The binaries link yajl and libseccomp statically when Debian's archives are there: husk runs
# once per container operation, and every shared library costs start-up time.
ifneq ($(wildcard /usr/lib/x86_64-linux-gnu/libyajl_s.a /usr/lib/x86_64-linux-gnu/libseccomp.a),)
RUNTIME_BIN_LIBS := -l:libyajl_s.a -l:libseccomp.a
else
RUNTIME_BIN_LIBS := $(RUNTIME_EXT_LIBS)
endif

CLI_SRCS := $(wildcard runtime/cli/*.c)
CLI_OBJS := $(CLI_SRCS:%.c=$(BUILD)/%.o)
HUSK_BIN := $(BUILD)/husk

$(RUNTIME_LIB): $(RUNTIME_OBJS)
	@mkdir -p $(dir $@)
	$(AR) rcs $@ $^

$(HUSK_BIN): $(CLI_OBJS) $(RUNTIME_LIB) $(CGROUPS_LIB) $(BASE_LIB)
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJS) $(RUNTIME_LIB) $(CGROUPS_LIB) $(BASE_LIB) $(RUNTIME_BIN_LIBS)

all: $(RUNTIME_LIB)
ifneq ($(CLI_SRCS),)
all: $(HUSK_BIN)
INSTALL_BINS += $(HUSK_BIN)
endif
