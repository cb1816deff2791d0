/* Unit tests for caps.c: the order and arguments of prctl/capset calls (with --wrap), and the
 * real thing in forked children that change uid. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/capability.h>

#include <cmocka.h>

#include "base/cleanup.h"
#include "base/fdutil.h"
#include "runtime/caps.h"

#define BIT(c) ((uint64_t)1 << (c))

/* --- wraps: record every call; passthrough for the forked real tests --- */

struct call {
	int option;
	unsigned long a2, a3;
};

static struct call calls[256];
static size_t n_calls;
static bool passthrough;
static uint64_t already_dropped; /* PR_CAPBSET_READ returns 0 for these */
static int fail_option = -1;     /* this prctl option (with a2 == fail_arg) fails ... */
static unsigned long fail_arg;
static int fail_errno; /* ... with this errno */
static int capset_errno;
static struct __user_cap_header_struct capset_hdr;
static struct __user_cap_data_struct capset_data[2];
static size_t capset_at; /* index in calls[] when capset ran */

int __real_prctl(int option, ...);
int __wrap_prctl(int option, ...);
int __real_sys_capset(void *hdr, void *data);
int __wrap_sys_capset(void *hdr, void *data);

int
__wrap_prctl(int option, ...)
{
	unsigned long a[4];
	va_list ap;

	va_start(ap, option);
	for (int i = 0; i < 4; i++)
		a[i] = va_arg(ap, unsigned long);
	va_end(ap);
	if (passthrough)
		return __real_prctl(option, a[0], a[1], a[2], a[3]);
	assert_true(n_calls < ARRAY_SIZE(calls));
	calls[n_calls++] = (struct call){option, a[0], a[1]};
	if (option == fail_option && a[0] == fail_arg) {
		errno = fail_errno;
		return -1;
	}
	if (option == PR_CAPBSET_READ)
		return a[0] < 64 && (already_dropped & BIT(a[0])) ? 0 : 1;
	return 0;
}

int
__wrap_sys_capset(void *hdr, void *data)
{
	if (passthrough)
		return __real_sys_capset(hdr, data);
	memcpy(&capset_hdr, hdr, sizeof(capset_hdr));
	memcpy(capset_data, data, sizeof(capset_data));
	capset_at = n_calls;
	if (capset_errno) {
		errno = capset_errno;
		return -1;
	}
	return 0;
}

static int
reset(void **state)
{
	(void)state;
	n_calls = 0;
	passthrough = false;
	already_dropped = 0;
	fail_option = -1;
	fail_arg = 0;
	fail_errno = 0;
	capset_errno = 0;
	capset_at = (size_t)-1;
	memset(&capset_hdr, 0, sizeof(capset_hdr));
	memset(capset_data, 0, sizeof(capset_data));
	return 0;
}

static void
assert_call(size_t i, int option, unsigned long a2, unsigned long a3)
{
	assert_true(i < n_calls);
	if (calls[i].option != option || calls[i].a2 != a2 || calls[i].a3 != a3)
		fail_msg("call %zu: prctl(%d, %lu, %lu), want prctl(%d, %lu, %lu)", i,
		         calls[i].option, calls[i].a2, calls[i].a3, option, a2, a3);
}

/* --- before setuid --- */

static void
before_setuid_keeps_caps_then_drops_the_rest(void **state)
{
	struct rt_caps c = {.bounding = BIT(CAP_CHOWN) | BIT(CAP_KILL) | BIT(50)};
	struct err err = {0};
	size_t i = 0;

	(void)state;
	assert_int_equal(caps_before_setuid(&c, 40, &err), 0);
	assert_call(i++, PR_SET_KEEPCAPS, 1, 0);
	for (unsigned long cap = 0; cap <= 40; cap++) {
		if (cap == CAP_CHOWN || cap == CAP_KILL)
			continue;
		assert_call(i++, PR_CAPBSET_READ, cap, 0);
		assert_call(i++, PR_CAPBSET_DROP, cap, 0);
	}
	assert_int_equal(n_calls, i); /* nothing above the kernel's last cap */
}

static void
before_setuid_skips_caps_already_dropped(void **state)
{
	struct rt_caps c = {.bounding = ~(BIT(3) | BIT(7))};
	struct err err = {0};

	(void)state;
	already_dropped = BIT(7);
	assert_int_equal(caps_before_setuid(&c, 40, &err), 0);
	assert_int_equal(n_calls, 4);
	assert_call(0, PR_SET_KEEPCAPS, 1, 0);
	assert_call(1, PR_CAPBSET_READ, 3, 0);
	assert_call(2, PR_CAPBSET_DROP, 3, 0);
	assert_call(3, PR_CAPBSET_READ, 7, 0);
}

static void
before_setuid_names_the_cap_it_cannot_drop(void **state)
{
	struct rt_caps c = {0};
	struct err err = {0};

	(void)state;
	fail_option = PR_CAPBSET_DROP;
	fail_arg = CAP_SYS_ADMIN;
	fail_errno = EPERM;
	assert_int_equal(caps_before_setuid(&c, 40, &err), -1);
	assert_int_equal(err.code, EPERM);
	assert_non_null(strstr(err.msg, "drop CAP_SYS_ADMIN (21) from the bounding set"));
	/* EINVAL (a cap this kernel does not have) is skipped */
	reset(NULL);
	fail_option = PR_CAPBSET_DROP;
	fail_arg = 40;
	fail_errno = EINVAL;
	assert_int_equal(caps_before_setuid(&c, 40, &err), 0);
}

static void
before_setuid_keepcaps_failure(void **state)
{
	struct rt_caps c = {0};
	struct err err = {0};

	(void)state;
	fail_option = PR_SET_KEEPCAPS;
	fail_arg = 1;
	fail_errno = EPERM;
	assert_int_equal(caps_before_setuid(&c, 40, &err), -1);
	assert_non_null(strstr(err.msg, "PR_SET_KEEPCAPS"));
	assert_int_equal(n_calls, 1);
}

/* --- after setuid --- */

static void
after_setuid_sets_all_sets_masked_to_last_cap(void **state)
{
	struct rt_caps c = {.effective = BIT(CAP_NET_BIND_SERVICE) | BIT(33) | BIT(45),
	                    .permitted = BIT(CAP_NET_BIND_SERVICE) | BIT(33) | BIT(CAP_CHOWN),
	                    .inheritable = BIT(CAP_NET_RAW),
	                    .ambient = BIT(CAP_NET_BIND_SERVICE) | BIT(CAP_CHOWN) | BIT(41)};
	struct err err = {0};

	(void)state;
	assert_int_equal(caps_after_setuid(&c, 40, &err), 0);
	assert_call(0, PR_SET_KEEPCAPS, 0, 0);
	assert_int_equal(capset_at, 1); /* after clearing KEEPCAPS, before ambient */
	assert_int_equal(capset_hdr.version, _LINUX_CAPABILITY_VERSION_3);
	assert_int_equal(capset_hdr.pid, 0);
	assert_int_equal(capset_data[0].effective, BIT(CAP_NET_BIND_SERVICE));
	assert_int_equal(capset_data[1].effective, BIT(33 - 32)); /* bit 45 > last cap: gone */
	assert_int_equal(capset_data[0].permitted, BIT(CAP_NET_BIND_SERVICE) | BIT(CAP_CHOWN));
	assert_int_equal(capset_data[1].permitted, BIT(1));
	assert_int_equal(capset_data[0].inheritable, BIT(CAP_NET_RAW));
	assert_int_equal(capset_data[1].inheritable, 0);
	assert_call(1, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0);
	assert_call(2, PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_CHOWN);
	assert_call(3, PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_BIND_SERVICE);
	assert_int_equal(n_calls, 4); /* cap 41 > last cap: skipped */
}

static void
after_setuid_empty_sets_clear_everything(void **state)
{
	struct rt_caps c = {0};
	struct err err = {0};

	(void)state;
	assert_int_equal(caps_after_setuid(&c, 40, &err), 0);
	assert_int_equal(capset_at, 1);
	assert_int_equal(capset_data[0].effective | capset_data[1].effective |
	                     capset_data[0].permitted | capset_data[1].permitted |
	                     capset_data[0].inheritable | capset_data[1].inheritable,
	                 0);
	assert_call(1, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0);
	assert_int_equal(n_calls, 2);
}

static void
after_setuid_capset_failure(void **state)
{
	struct rt_caps c = {.effective = BIT(CAP_SYS_ADMIN)};
	struct err err = {0};

	(void)state;
	capset_errno = EPERM;
	assert_int_equal(caps_after_setuid(&c, 40, &err), -1);
	assert_int_equal(err.code, EPERM);
	assert_non_null(strstr(err.msg, "capset (effective 0x200000"));
	assert_int_equal(n_calls, 1); /* no ambient after a failed capset */
}

static void
after_setuid_ambient_errors(void **state)
{
	struct rt_caps c = {.ambient = BIT(CAP_CHOWN) | BIT(CAP_KILL)};
	struct err err = {0};

	(void)state;
	/* EPERM (not in permitted and inheritable) is skipped, like runc and crun */
	fail_option = PR_CAP_AMBIENT;
	fail_arg = PR_CAP_AMBIENT_RAISE;
	fail_errno = EPERM;
	assert_int_equal(caps_after_setuid(&c, 40, &err), 0);
	assert_int_equal(n_calls, 4);
	/* anything else is an error naming the cap */
	reset(NULL);
	fail_option = PR_CAP_AMBIENT;
	fail_arg = PR_CAP_AMBIENT_RAISE;
	fail_errno = EIO;
	assert_int_equal(caps_after_setuid(&c, 40, &err), -1);
	assert_int_equal(err.code, EIO);
	assert_non_null(strstr(err.msg, "raise ambient CAP_CHOWN (0)"));
	/* a kernel without ambient caps: fine when none are asked for */
	reset(NULL);
	fail_option = PR_CAP_AMBIENT;
	fail_arg = PR_CAP_AMBIENT_CLEAR_ALL;
	fail_errno = EINVAL;
	c.ambient = 0;
	assert_int_equal(caps_after_setuid(&c, 40, &err), 0);
	c.ambient = BIT(CAP_KILL);
	assert_int_equal(caps_after_setuid(&c, 40, &err), -1);
	assert_non_null(strstr(err.msg, "PR_CAP_AMBIENT_CLEAR_ALL"));
}

/* --- real --- */

static void
last_cap_matches_proc(void **state)
{
	cleanup_free char *buf = NULL;
	struct err err = {0};
	int last = -1;

	(void)state;
	passthrough = true;
	assert_int_equal(caps_last_cap(&last, &err), 0);
	assert_int_equal(read_file_at(AT_FDCWD, "/proc/sys/kernel/cap_last_cap", &buf, NULL, &err),
	                 0);
	assert_int_equal(last, atoi(buf));
	assert_true(last >= 36);
}

/* "CapEff:\t0000000000000400" from /proc/self/status (before any pivot_root). */
static uint64_t
status_caps(const char *key)
{
	cleanup_free char *buf = NULL;
	struct err err = {0};
	const char *p;

	if (read_file_at(AT_FDCWD, "/proc/self/status", &buf, NULL, &err) < 0)
		return ~(uint64_t)0;
	p = strstr(buf, key);
	if (p == NULL)
		return ~(uint64_t)0;
	return strtoull(p + strlen(key) + 2, NULL, 16);
}

static int
child_become_user(const struct rt_caps *c, uid_t uid)
{
	struct err err = {0};
	int last = 0;

	if (caps_last_cap(&last, &err) < 0 || caps_before_setuid(c, last, &err) < 0)
		return 10;
	if (setresgid(uid, uid, uid) < 0 || setresuid(uid, uid, uid) < 0)
		return 11;
	if (caps_after_setuid(c, last, &err) < 0)
		return 12;
	if (status_caps("CapBnd") != c->bounding || status_caps("CapEff") != c->effective ||
	    status_caps("CapPrm") != c->permitted || status_caps("CapInh") != c->inheritable ||
	    status_caps("CapAmb") != c->ambient)
		return 13;
	if (prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0) != 0)
		return 14;
	return 0;
}

static int
run_become_user(const struct rt_caps *c, uid_t uid)
{
	int st = 0;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0)
		_exit(child_become_user(c, uid));
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	return WEXITSTATUS(st);
}

static void
real_non_root_user_keeps_exactly_its_caps(void **state)
{
	uint64_t some = BIT(CAP_CHOWN) | BIT(CAP_NET_BIND_SERVICE);
	struct rt_caps c = {.bounding = some | BIT(CAP_KILL),
	                    .effective = some,
	                    .permitted = some,
	                    .inheritable = some,
	                    .ambient = some};

	(void)state;
	if (getuid() != 0 || status_caps("CapEff") != status_caps("CapBnd"))
		skip();
	passthrough = true;
	assert_int_equal(run_become_user(&c, 1000), 0);
}

static void
real_absent_sets_are_empty(void **state)
{
	struct rt_caps none = {0};
	struct rt_caps root = {
	    .bounding = BIT(CAP_CHOWN), .effective = BIT(CAP_CHOWN), .permitted = BIT(CAP_CHOWN)};

	(void)state;
	if (getuid() != 0 || status_caps("CapEff") != status_caps("CapBnd"))
		skip();
	passthrough = true;
	assert_int_equal(run_become_user(&none, 1000), 0);
	assert_int_equal(run_become_user(&none, 0), 0); /* root too: nothing implicit */
	assert_int_equal(run_become_user(&root, 0), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(before_setuid_keeps_caps_then_drops_the_rest, reset),
	    cmocka_unit_test_setup(before_setuid_skips_caps_already_dropped, reset),
	    cmocka_unit_test_setup(before_setuid_names_the_cap_it_cannot_drop, reset),
	    cmocka_unit_test_setup(before_setuid_keepcaps_failure, reset),
	    cmocka_unit_test_setup(after_setuid_sets_all_sets_masked_to_last_cap, reset),
	    cmocka_unit_test_setup(after_setuid_empty_sets_clear_everything, reset),
	    cmocka_unit_test_setup(after_setuid_capset_failure, reset),
	    cmocka_unit_test_setup(after_setuid_ambient_errors, reset),
	    cmocka_unit_test_setup(last_cap_matches_proc, reset),
	    cmocka_unit_test_setup(real_non_root_user_keeps_exactly_its_caps, reset),
	    cmocka_unit_test_setup(real_absent_sets_are_empty, reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
