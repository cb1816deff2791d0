#include "caps.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <linux/capability.h>

#include "base/cleanup.h"
#include "base/fdutil.h"
#include "base/sys.h"
#include "names.h"

/* Bits 0..63 can be expressed in struct rt_caps; a kernel may know fewer. */
#define CAPS_MAX 63

/* "CAP_SYS_ADMIN (21)" for error messages; buf holds at least 48 bytes. */
static const char *
caps_describe(char *buf, size_t cap_len, int cap)
{
	const char *name = rt_cap_name(cap);

	snprintf(buf, cap_len, "%s (%d)", name != NULL ? name : "capability", cap);
	return buf;
}

static uint64_t
caps_mask(int last_cap)
{
	if (last_cap >= CAPS_MAX)
		return ~(uint64_t)0;
	if (last_cap < 0)
		return 0;
	return ((uint64_t)1 << (last_cap + 1)) - 1;
}

/* Highest cap for which PR_CAPBSET_READ does not fail with EINVAL. */
static int
caps_probe_last(void)
{
	int cap;

	for (cap = CAPS_MAX; cap > 0; cap--)
		if (prctl(PR_CAPBSET_READ, (unsigned long)cap, 0, 0, 0) >= 0)
			break;
	return cap;
}

int
caps_last_cap(int *last_cap, struct err *err)
{
	cleanup_free char *buf = NULL;
	struct err ignored = {0};
	char *end = NULL;
	long v;

	if (read_file_at(AT_FDCWD, "/proc/sys/kernel/cap_last_cap", &buf, NULL, &ignored) < 0) {
		/* no /proc (or not mounted yet): ask the kernel directly */
		*last_cap = caps_probe_last();
		return 0;
	}
	errno = 0;
	v = strtol(buf, &end, 10);
	if (errno != 0 || end == buf || (*end != '\n' && *end != '\0') || v < 0 || v > 1000)
		return err_set(err, EINVAL,
		               "/proc/sys/kernel/cap_last_cap: unexpected content %.32s", buf);
	*last_cap = (int)v;
	return 0;
}

int
caps_before_setuid(const struct rt_caps *c, int last_cap, struct err *err)
{
	if (prctl(PR_SET_KEEPCAPS, 1UL, 0UL, 0UL, 0UL) < 0)
		return err_sys(err, "prctl(PR_SET_KEEPCAPS)");
	for (int cap = 0; cap <= last_cap && cap <= CAPS_MAX; cap++) {
		int r;

		if (c->bounding & ((uint64_t)1 << cap))
			continue;
		r = prctl(PR_CAPBSET_READ, (unsigned long)cap, 0UL, 0UL, 0UL);
		if (r == 0 || (r < 0 && errno == EINVAL))
			continue; /* already dropped, or unknown to this kernel */
		if (r < 0)
			return err_sys(err, "prctl(PR_CAPBSET_READ, %d)", cap);
		if (prctl(PR_CAPBSET_DROP, (unsigned long)cap, 0UL, 0UL, 0UL) < 0) {
			char what[64];

			if (errno == EINVAL)
				continue;
			return err_sys(err, "drop %s from the bounding set",
			               caps_describe(what, sizeof(what), cap));
		}
	}
	return 0;
}

/* Ambient capabilities need the cap in both permitted and inheritable (else EPERM) and a
 * kernel >= 4.3 (else EINVAL). Like runc (a warning) and crun, such a cap is skipped rather than
 * failing the container: the result is never more privilege than asked for. */
static int
caps_set_ambient(uint64_t ambient, int last_cap, struct err *err)
{
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0UL, 0UL, 0UL) < 0) {
		if (errno == EINVAL && ambient == 0)
			return 0;
		return err_sys(err, "prctl(PR_CAP_AMBIENT_CLEAR_ALL)");
	}
	for (int cap = 0; cap <= last_cap && cap <= CAPS_MAX; cap++) {
		if (!(ambient & ((uint64_t)1 << cap)))
			continue;
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, (unsigned long)cap, 0UL, 0UL) < 0 &&
		    errno != EPERM && errno != EINVAL) {
			char what[64];

			return err_sys(err, "raise ambient %s",
			               caps_describe(what, sizeof(what), cap));
		}
	}
	return 0;
}

int
caps_after_setuid(const struct rt_caps *c, int last_cap, struct err *err)
{
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
	struct __user_cap_data_struct data[2];
	uint64_t mask = caps_mask(last_cap);
	uint64_t eff = c->effective & mask, perm = c->permitted & mask;
	uint64_t inh = c->inheritable & mask;

	if (prctl(PR_SET_KEEPCAPS, 0UL, 0UL, 0UL, 0UL) < 0)
		return err_sys(err, "prctl(PR_SET_KEEPCAPS, 0)");
	memset(data, 0, sizeof(data));
	data[0].effective = (uint32_t)eff;
	data[1].effective = (uint32_t)(eff >> 32);
	data[0].permitted = (uint32_t)perm;
	data[1].permitted = (uint32_t)(perm >> 32);
	data[0].inheritable = (uint32_t)inh;
	data[1].inheritable = (uint32_t)(inh >> 32);
	if (sys_capset(&hdr, data) < 0)
		return err_sys(err, "capset (effective %#llx, permitted %#llx, inheritable %#llx)",
		               (unsigned long long)eff, (unsigned long long)perm,
		               (unsigned long long)inh);
	return caps_set_ambient(c->ambient & mask, last_cap, err);
}
