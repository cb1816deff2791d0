/* ttrpc_dispatch: service table lookups (the frame handling itself is ttrpc_conn_feed). */
#ifndef SHIM_TTRPC_DISPATCH_H
#define SHIM_TTRPC_DISPATCH_H

#include <stdbool.h>

#include "ttrpc_conn.h"

/* The method, or NULL with *code = TTRPC_UNIMPLEMENTED. */
const struct ttrpc_method *ttrpc_registry_find(const struct ttrpc_registry *reg,
                                               const char *service, const char *method,
                                               enum ttrpc_code *code);
bool ttrpc_registry_has_service(const struct ttrpc_registry *reg, const char *service);

#endif
