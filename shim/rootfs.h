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

/* fstab words -> mount(2) flags and data (pure). containerd's flag words and the propagation
 * types (runtime/mount_plan.h, MOUNT_FLAG_COMMON and MOUNT_FLAG_PROPAGATION) set or clear
 * flags; everything else, mount(8)-only flag words included, is joined with commas into *data
 * (owned), as containerd does. "loop" sets *loop. */
int rootfs_parse_options(char *const *opts, size_t n, unsigned long *flags, char **data, bool *loop,
                         struct err *err);

/* Shortens an overlay "lowerdir=" that would exceed a page: relative to the longest common
 * parent directory, returned in *chdir_to (owned, NULL if unchanged). data is rewritten in
 * place (pure). */
void rootfs_compact_lowerdir(char *data, char **chdir_to);

/* Attaches file to a free loop device (LOOP_CTL_GET_FREE; retried when another attacher takes
 * it first), read-only if ro, with autoclear, as containerd's setupLoop does. *out: the open
 * device, dev (dev_len bytes): its path. Closing *out after mounting the device leaves the
 * mount as its only user: unmounting detaches it. Errors name the file and the device. */
int rootfs_loop_attach(const char *file, bool ro, int *out, char *dev, size_t dev_len,
                       struct err *err);

/* Creates target (0711) and mounts each entry there, in order. An entry with option "loop"
 * mounts a loop device attached to its source (read-only with "ro"), detached again if its
 * mount fails. On failure what was mounted is unmounted again, which releases loop devices. */
int rootfs_mount_all(const char *target, const struct rootfs_mount *m, size_t n, struct err *err);
/* Unmounts everything mounted on target (stacked mounts included); absent is fine. */
int rootfs_unmount_all(const char *target, struct err *err);

#endif
