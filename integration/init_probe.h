/* init_probe.h: the init helper's attribute-reporting subcommands (init_probe.c). */
#ifndef INTEGRATION_INIT_PROBE_H
#define INTEGRATION_INIT_PROBE_H

#include "init.h"

/* The subcommands, ended by an entry whose name is NULL. */
extern const struct init_cmd init_probe_cmds[];

#endif
