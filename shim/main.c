/* containerd-shim-husk-v2: the containerd shim v2 for the husk runtime. The action word picks
 * what this process does: `start` (spawn the server), `serve` (the server, as `start` runs it),
 * `delete` (cleanup after a dead shim); -info and -v answer and exit. */
#include <stdio.h>
#include <string.h>

#include "base/log.h"
#include "shim/args.h"
#include "shim/manager.h"

int
main(int argc, char **argv)
{
	struct shim_args a;
	struct err err = {0};

	if (args_parse(argc, argv, &a, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return 2;
	}
	/* -info first and fast: containerd 2.2 may call it on every create */
	if (a.info)
		return manager_info();
	if (a.version)
		return manager_version();
	log_init(2, LOG_TEXT, a.debug ? LOG_DEBUG : LOG_WARN);
	if (a.action && strcmp(a.action, "start") == 0)
		return manager_start(&a);
	if (a.action && strcmp(a.action, "serve") == 0)
		return manager_serve(&a);
	if (a.action && strcmp(a.action, "delete") == 0)
		return manager_delete(&a);
	fprintf(stderr, "usage: %s [flags] start|delete (run by containerd)\n", argv[0]);
	return 2;
}
