# fuzz_ttrpc_request: links the shim and proto libraries (see fuzz.mk for the variables).
FUZZ_ttrpc_request_LIBS := $(SHIM_LIB) $(PROTO_LIB)
FUZZ_ttrpc_request_LIBSRCS := $(SHIM_SRCS) $(PROTO_SRCS) $(PROTO_GEN_C)
FUZZ_ttrpc_request_EXT_LIBS := $(SHIM_EXT_LIBS)
