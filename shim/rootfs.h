/* rootfs: the mounts of CreateTaskRequest.rootfs (overlay, bind, ...) at <bundle>/rootfs, done
 * by the shim as containerd's mount package does, and their removal. */
#ifndef SHIM_ROOTFS_H
#define SHIM_ROOTFS_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"

struct rootfs_mount {
	const char *type;
	const char *source;
	char *const *options; /* n_options fstab words */
	size_t n_options;
};

/* fstab words -> mount(2) flags and data (pure). Flags words set or clear flags; everything
 * else is joined with commas into *data (owned). "loop" sets *loop. */
int rootfs_parse_options(char *const *opts, size_t n, unsigned long *flags, char **data, bool *loop,
                         struct err *err);

/* Shortens an overlay "lowerdir=" that would exceed a page: relative to the longest common
 * parent directory, returned in *chdir_to (owned, NULL if unchanged). data is rewritten in
 * place (pure). */
void rootfs_compact_lowerdir(char *data, char **chdir_to);

/* Creates target (0711) and mounts each entry there, in order. On failure what was mounted
 * is unmounted again. */
int rootfs_mount_all(const char *target, const struct rootfs_mount *m, size_t n, struct err *err);
/* Unmounts everything mounted on target (stacked mounts included); absent is fine. */
int rootfs_unmount_all(const char *target, struct err *err);

#endif
