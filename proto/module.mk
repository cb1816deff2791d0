# proto: our .proto files; protoc-c generates C into $(BUILD)/proto at build time. Generated
# headers are included as "proto/<path>.pb-c.h" (found through -I$(BUILD)).
PROTO_FILES := $(shell find proto -name '*.proto' | sort)
PROTO_GEN_C := $(PROTO_FILES:%.proto=$(BUILD)/%.pb-c.c)
PROTO_GEN_H := $(PROTO_FILES:%.proto=$(BUILD)/%.pb-c.h)
PROTO_SRCS := $(wildcard proto/*.c)
PROTO_OBJS := $(PROTO_GEN_C:%.c=%.o) $(PROTO_SRCS:%.c=$(BUILD)/%.o)
PROTO_LIB := $(BUILD)/libproto.a
PROTO_EXT_LIBS := -lprotobuf-c

# One protoc-c run per file; the header is produced with the source.
$(BUILD)/proto/%.pb-c.c $(BUILD)/proto/%.pb-c.h: proto/%.proto
	@mkdir -p $(BUILD)
	protoc-c --proto_path=. --c_out=$(BUILD) $<

# Generated code: compiled with our flags (it is warning-free with them).
$(BUILD)/proto/%.pb-c.o: $(BUILD)/proto/%.pb-c.c | $(PROTO_GEN_H)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(PROTO_SRCS:%.c=$(BUILD)/%.o): | $(PROTO_GEN_H)

$(PROTO_LIB): $(PROTO_OBJS)
	@mkdir -p $(dir $@)
	$(AR) rcs $@ $^

# Keep the generated sources (make would delete them as intermediates).
.SECONDARY: $(PROTO_GEN_C) $(PROTO_GEN_H)

.PHONY: proto-gen
proto-gen: $(PROTO_GEN_H)

all: $(PROTO_LIB)
