/* test_spec_names: the name tables of names.c (capabilities, rlimits, signals, namespaces). */
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>

#include <cmocka.h>

#include "names.h"

static void
caps_round_trip(void **state)
{
	(void)state;
	for (int c = 0; c <= RT_CAP_LAST; c++) {
		const char *n = rt_cap_name(c);
		assert_non_null(n);
		assert_int_equal(strncmp(n, "CAP_", 4), 0);
		assert_int_equal(rt_cap_from_name(n), c);
	}
	assert_null(rt_cap_name(-1));
	assert_null(rt_cap_name(RT_CAP_LAST + 1));
}

static void
caps_known_numbers(void **state)
{
	(void)state;
	assert_int_equal(rt_cap_from_name("CAP_CHOWN"), 0);
	assert_int_equal(rt_cap_from_name("CAP_KILL"), 5);
	assert_int_equal(rt_cap_from_name("CAP_NET_BIND_SERVICE"), 10);
	assert_int_equal(rt_cap_from_name("CAP_SYS_ADMIN"), 21);
	assert_int_equal(rt_cap_from_name("CAP_AUDIT_WRITE"), 29);
	assert_int_equal(rt_cap_from_name("CAP_MAC_ADMIN"), 33);
	assert_int_equal(rt_cap_from_name("CAP_AUDIT_READ"), 37);
	assert_int_equal(rt_cap_from_name("CAP_PERFMON"), 38);
	assert_int_equal(rt_cap_from_name("CAP_BPF"), 39);
	assert_int_equal(rt_cap_from_name("CAP_CHECKPOINT_RESTORE"), 40);
	assert_int_equal(rt_cap_from_name("cap_sys_admin"), 21);
	assert_string_equal(rt_cap_name(21), "CAP_SYS_ADMIN");
}

static void
caps_unknown(void **state)
{
	(void)state;
	assert_int_equal(rt_cap_from_name("SYS_ADMIN"), -1);
	assert_int_equal(rt_cap_from_name("CAP_"), -1);
	assert_int_equal(rt_cap_from_name("CAP_SYS_ADMINX"), -1);
	assert_int_equal(rt_cap_from_name("CAP_FOO"), -1);
	assert_int_equal(rt_cap_from_name(""), -1);
	assert_int_equal(rt_cap_from_name(NULL), -1);
}

static void
rlimits(void **state)
{
	static const struct {
		const char *name;
		int num;
	} t[] = {
	    {"RLIMIT_CPU", RLIMIT_CPU},           {"RLIMIT_FSIZE", RLIMIT_FSIZE},
	    {"RLIMIT_DATA", RLIMIT_DATA},         {"RLIMIT_STACK", RLIMIT_STACK},
	    {"RLIMIT_CORE", RLIMIT_CORE},         {"RLIMIT_RSS", RLIMIT_RSS},
	    {"RLIMIT_NPROC", RLIMIT_NPROC},       {"RLIMIT_NOFILE", RLIMIT_NOFILE},
	    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},   {"RLIMIT_AS", RLIMIT_AS},
	    {"RLIMIT_LOCKS", RLIMIT_LOCKS},       {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
	    {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE}, {"RLIMIT_NICE", RLIMIT_NICE},
	    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},     {"RLIMIT_RTTIME", RLIMIT_RTTIME},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		assert_int_equal(rt_rlimit_from_name(t[i].name), t[i].num);
		assert_string_equal(rt_rlimit_name(t[i].num), t[i].name);
	}
	assert_int_equal(RLIMIT_NOFILE, 7);
	assert_int_equal(rt_rlimit_from_name("RLIMIT_FOO"), -1);
	assert_int_equal(rt_rlimit_from_name("NOFILE"), -1);
	assert_int_equal(rt_rlimit_from_name("rlimit_nofile"), -1);
	assert_int_equal(rt_rlimit_from_name(NULL), -1);
	assert_null(rt_rlimit_name(99));
}

static void
signals_by_name(void **state)
{
	(void)state;
	assert_int_equal(rt_signal_from_name("KILL"), SIGKILL);
	assert_int_equal(rt_signal_from_name("SIGKILL"), SIGKILL);
	assert_int_equal(rt_signal_from_name("sigkill"), SIGKILL);
	assert_int_equal(rt_signal_from_name("kill"), SIGKILL);
	assert_int_equal(rt_signal_from_name("TERM"), SIGTERM);
	assert_int_equal(rt_signal_from_name("SIGHUP"), SIGHUP);
	assert_int_equal(rt_signal_from_name("USR1"), SIGUSR1);
	assert_int_equal(rt_signal_from_name("SIGCHLD"), SIGCHLD);
	assert_int_equal(rt_signal_from_name("CLD"), SIGCHLD);
	assert_int_equal(rt_signal_from_name("WINCH"), SIGWINCH);
	assert_int_equal(rt_signal_from_name("SIGPWR"), SIGPWR);
	assert_int_equal(rt_signal_from_name("SYS"), SIGSYS);
	assert_int_equal(rt_signal_from_name("STOP"), SIGSTOP);
	assert_int_equal(rt_signal_from_name("CONT"), SIGCONT);
}

static void
signals_by_number_and_rt(void **state)
{
	(void)state;
	assert_int_equal(rt_signal_from_name("9"), 9);
	assert_int_equal(rt_signal_from_name("15"), 15);
	assert_int_equal(rt_signal_from_name("1"), 1);
	assert_int_equal(rt_signal_from_name("64"), 64);
	assert_int_equal(rt_signal_from_name("SIGRTMIN"), SIGRTMIN);
	assert_int_equal(rt_signal_from_name("SIGRTMIN+3"), SIGRTMIN + 3);
	assert_int_equal(rt_signal_from_name("RTMIN+1"), SIGRTMIN + 1);
	assert_int_equal(rt_signal_from_name("SIGRTMAX"), SIGRTMAX);
	assert_int_equal(rt_signal_from_name("SIGRTMAX-2"), SIGRTMAX - 2);
	assert_int_equal(rt_signal_from_name("rtmin+0"), SIGRTMIN);
}

static void
signals_unknown(void **state)
{
	(void)state;
	assert_int_equal(rt_signal_from_name("0"), -1);
	assert_int_equal(rt_signal_from_name("65"), -1);
	assert_int_equal(rt_signal_from_name("-9"), -1);
	assert_int_equal(rt_signal_from_name("9x"), -1);
	assert_int_equal(rt_signal_from_name(" 9"), -1);
	assert_int_equal(rt_signal_from_name("99999999999999999999"), -1);
	assert_int_equal(rt_signal_from_name("SIGFOO"), -1);
	assert_int_equal(rt_signal_from_name("SIG"), -1);
	assert_int_equal(rt_signal_from_name(""), -1);
	assert_int_equal(rt_signal_from_name(NULL), -1);
	assert_int_equal(rt_signal_from_name("SIGRTMIN-1"), -1);
	assert_int_equal(rt_signal_from_name("SIGRTMAX+1"), -1);
	assert_int_equal(rt_signal_from_name("SIGRTMIN+99"), -1);
	assert_int_equal(rt_signal_from_name("SIGRTMIN+"), -1);
	assert_int_equal(rt_signal_from_name("SIGRTMINX"), -1);
}

static void
namespaces(void **state)
{
	static const struct {
		enum rt_ns_kind k;
		const char *spec, *proc;
		int flag;
	} t[] = {
	    {RT_NS_PID, "pid", "pid", CLONE_NEWPID},
	    {RT_NS_NET, "network", "net", CLONE_NEWNET},
	    {RT_NS_MOUNT, "mount", "mnt", CLONE_NEWNS},
	    {RT_NS_IPC, "ipc", "ipc", CLONE_NEWIPC},
	    {RT_NS_UTS, "uts", "uts", CLONE_NEWUTS},
	    {RT_NS_USER, "user", "user", CLONE_NEWUSER},
	    {RT_NS_CGROUP, "cgroup", "cgroup", CLONE_NEWCGROUP},
	    {RT_NS_TIME, "time", "time", 0x80},
	};

	(void)state;
	assert_int_equal(sizeof(t) / sizeof(t[0]), RT_NS_NKINDS);
	for (size_t i = 0; i < RT_NS_NKINDS; i++) {
		assert_string_equal(rt_ns_name(t[i].k), t[i].spec);
		assert_string_equal(rt_ns_proc_name(t[i].k), t[i].proc);
		assert_int_equal(rt_ns_clone_flag(t[i].k), t[i].flag);
		assert_int_equal(rt_ns_from_name(t[i].spec), (int)t[i].k);
	}
	assert_null(rt_ns_name(RT_NS_NKINDS));
	assert_null(rt_ns_proc_name((enum rt_ns_kind) - 1));
	assert_int_equal(rt_ns_clone_flag(RT_NS_NKINDS), 0);
	assert_int_equal(rt_ns_from_name("net"), -1);
	assert_int_equal(rt_ns_from_name("mnt"), -1);
	assert_int_equal(rt_ns_from_name("PID"), -1);
	assert_int_equal(rt_ns_from_name(NULL), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(caps_round_trip), cmocka_unit_test(caps_known_numbers),
	    cmocka_unit_test(caps_unknown),    cmocka_unit_test(rlimits),
	    cmocka_unit_test(signals_by_name), cmocka_unit_test(signals_by_number_and_rt),
	    cmocka_unit_test(signals_unknown), cmocka_unit_test(namespaces),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
