# fuzz_ttrpc_frame: links the shim and proto libraries (see fuzz.mk for the variables).
FUZZ_ttrpc_frame_LIBS := $(SHIM_LIB) $(PROTO_LIB)
FUZZ_ttrpc_frame_LIBSRCS := $(SHIM_SRCS) $(PROTO_SRCS) $(PROTO_GEN_C)
FUZZ_ttrpc_frame_EXT_LIBS := $(SHIM_EXT_LIBS)
