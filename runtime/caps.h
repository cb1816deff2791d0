/* caps: Linux capabilities of the container process (bounding, effective, permitted,
 * inheritable, ambient), applied in the container child.
 *
 * Order in the child (a process that changes uid):
 *   caps_last_cap()           in the parent, or in the child before pivot_root (reads /proc)
 *   caps_before_setuid()      PR_SET_KEEPCAPS + drop the bounding set (needs CAP_SETPCAP)
 *   procattr_user_apply()     setgroups / setresgid / setresuid
 *   caps_after_setuid()       clear KEEPCAPS, capset(eff, perm, inh), ambient clear + raise
 * Sets absent from the spec are empty: nothing is inherited implicitly. Capabilities above the
 * kernel's last cap are skipped silently (as runc). */
#ifndef RUNTIME_CAPS_H
#define RUNTIME_CAPS_H

#include "base/err.h"
#include "spec.h"

/* The kernel's highest capability number, from /proc/sys/kernel/cap_last_cap (falls back to
 * probing PR_CAPBSET_READ when /proc is not there). Call before pivot_root. */
int caps_last_cap(int *last_cap, struct err *err);

/* Sets PR_SET_KEEPCAPS and drops every capability 0..last_cap not in c->bounding. */
int caps_before_setuid(const struct rt_caps *c, int last_cap, struct err *err);

/* Clears PR_SET_KEEPCAPS, sets effective/permitted/inheritable with capset(2) (version 3), then
 * clears the ambient set and raises each capability of c->ambient. */
int caps_after_setuid(const struct rt_caps *c, int last_cap, struct err *err);

#endif
