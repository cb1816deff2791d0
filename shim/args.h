/* args: the shim's command line, as containerd builds it (flags before the action word; -f v,
 * -f=v and --f v all accepted). Pure, tested. */
#ifndef SHIM_ARGS_H
#define SHIM_ARGS_H

#include <stdbool.h>

#include "base/err.h"

struct shim_args {
	const char *ns;          /* -namespace */
	const char *address;     /* -address: containerd's gRPC socket */
	const char *publish_bin; /* -publish-binary (unused: events go through ttrpc) */
	const char *id;          /* -id */
	const char *bundle;      /* -bundle (delete) */
	const char *socket;      /* -socket: the listening socket's path (serve) */
	bool debug;              /* -debug */
	bool version;            /* -v / -version */
	bool info;               /* -info */
	const char *action;      /* "start", "serve", "delete" or NULL */
};

/* argv is borrowed (strings point into it). EINVAL names the bad flag. */
int args_parse(int argc, char **argv, struct shim_args *a, struct err *err);

#endif
