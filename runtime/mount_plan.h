/* mount_plan: the one table of mount(8) option words -> MS_* flags, shared by the runtime's spec
 * mounts (mount_plan.c) and the shim's rootfs mounts (shim/rootfs.c). Each caller picks the
 * kinds it honours and treats the other words as it always has (filesystem data, or its own
 * tables). Pure. */
#ifndef RUNTIME_MOUNT_PLAN_H
#define RUNTIME_MOUNT_PLAN_H

#include <stdbool.h>
#include <stddef.h>

enum mount_flag_kind {
	MOUNT_FLAG_NONE = 0,    /* not in the table */
	MOUNT_FLAG_COMMON,      /* a flag word containerd's mount package knows too: ro, rw,
	                         * bind, rbind, nosuid, noatime, remount, defaults (flag 0), ... */
	MOUNT_FLAG_EXTRA,       /* a flag word only mount(8), runc and crun know: lazytime,
	                         * iversion, silent/loud, nosymfollow and their negations */
	MOUNT_FLAG_PROPAGATION, /* private, rprivate, shared, rshared, slave, rslave, unbindable,
	                         * runbindable: MS_* propagation type (| MS_REC for the r- forms) */
};

/* Looks an option word up. For a word in the table sets *flag (the MS_* bits; 0 for
 * "defaults") and *clear (true: the word clears *flag, as "rw" clears MS_RDONLY) and returns
 * its kind; for any other word returns MOUNT_FLAG_NONE and leaves *flag and *clear alone. */
enum mount_flag_kind mount_flag_lookup(const char *name, unsigned long *flag, bool *clear);

/* Every option word a spec mount may carry (the flags above, the recursive "r" attributes,
 * idmap and ridmap), for `husk features`. Fills out[0..cap) and returns the total count. */
size_t mount_option_names(const char **out, size_t cap);

#endif
