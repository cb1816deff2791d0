/* init.h: shared by the init helper's source files (integration/init.c, init_probe.c). */
#ifndef INTEGRATION_INIT_H
#define INTEGRATION_INIT_H

/* One subcommand: `init NAME ARGS...`; fn gets the arguments after NAME. */
struct init_cmd {
	const char *name;
	int min_args;
	int (*fn)(char **argv, int argc);
	const char *usage;
};

/* Prints `ERR <ERRNO-NAME> what` (errno) on stdout; returns 1. */
int init_fail(const char *what);

/* Copies the file at path to stdout; returns 0, or init_fail()'s 1. */
int init_cat_path(const char *path);

#endif
