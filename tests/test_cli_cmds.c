/* test_cli_cmds: the husk commands' logic that needs no container: update's resources from
 * flags and runc's zero rule, list's table, ps's filter, events' JSON (v1 and v2), exec's
 * process overrides and create's preparation (config.json, terminal checks, LISTEN_FDS). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/xalloc.h"
#include "cgroups/cgroups.h"
#include "cli/cli_create.h"
#include "cli/cli_events.h"
#include "cli/cli_exec.h"
#include "cli/cli_query.h"
#include "cli/cli_update.h"
#include "names.h"
#include "rt.h"

static void
update_flags_to_resources(void **state)
{
	struct cli_update_flags uf = {
	    .memory = "512m",
	    .memory_swap = "-1",
	    .memory_reservation = "0",
	    .cpu_quota = "-1",
	    .cpu_period = "100000",
	    .cpu_share = "0",
	    .cpuset_cpus = "0-1",
	    .blkio_weight = 0,
	    .pids_limit = 0,
	};
	struct cg_resources r;
	struct err err = {0};

	(void)state;
	assert_int_equal(cli_update_from_flags(&uf, &r, &err), 0);
	assert_true(r.has_memory);
	assert_true(r.memory.has_limit);
	assert_true(r.memory.limit == 512LL << 20);
	assert_true(r.memory.has_swap);
	assert_true(r.memory.swap == -1);
	assert_false(r.memory.has_reservation); /* 0: unchanged, as runc */
	assert_true(r.has_cpu);
	assert_true(r.cpu.has_quota);
	assert_true(r.cpu.quota == -1);
	assert_true(r.cpu.has_period);
	assert_true(r.cpu.period == 100000);
	assert_false(r.cpu.has_shares);
	assert_string_equal(r.cpu.cpus, "0-1");
	assert_null(r.cpu.mems);
	assert_false(r.blkio.has_weight);
	assert_false(r.has_blkio);
	assert_false(r.pids.has_limit);
	assert_false(r.has_pids);
	cg_resources_fini(&r);

	uf =
	    (struct cli_update_flags){.pids_limit = -1, .blkio_weight = 500, .kernel_memory = "1g"};
	assert_int_equal(cli_update_from_flags(&uf, &r, &err), 0);
	assert_true(r.has_pids && r.pids.has_limit && r.pids.limit == -1);
	assert_true(r.has_blkio && r.blkio.has_weight && r.blkio.weight == 500);
	assert_false(r.memory.has_kernel); /* ignored, as runc */
	assert_false(r.has_memory);
	assert_false(r.has_cpu);
	cg_resources_fini(&r);
}

static void
update_flags_errors(void **state)
{
	static const struct {
		struct cli_update_flags uf;
		const char *msg;
	} bad[] = {
	    {{.cpu_share = "x"}, "invalid value for cpu-share: \"x\" is not an unsigned number"},
	    {{.cpu_quota = "1.5"}, "invalid value for cpu-quota: \"1.5\" is not a number"},
	    {{.cpu_period = "-5"},
	     "invalid value for cpu-period: \"-5\" is not an unsigned number"},
	    {{.memory = "1x"}, "invalid value for memory: invalid suffix: 'x'"},
	    {{.memory_swap = "-2"}, "invalid value for memory-swap: invalid size: '-2'"},
	    {{.blkio_weight = 70000}, "invalid value for blkio-weight: 70000"},
	    {{.l3_cache_schema = "L3:0=f"}, "--l3-cache-schema: Intel RDT is not supported"},
	    {{.mem_bw_schema = "MB:0=50"}, "--mem-bw-schema: Intel RDT is not supported"},
	};
	struct cg_resources r;
	struct err err = {0};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(cli_update_from_flags(&bad[i].uf, &r, &err), -1);
		assert_string_equal(err.msg, bad[i].msg);
	}
}

/* --resources JSON: zeros mean "unchanged" too. */
static void
update_json_zeros_dropped(void **state)
{
	static const char json[] = "{\"memory\":{\"limit\":0,\"swap\":104857600},"
	                           "\"cpu\":{\"shares\":0,\"cpus\":\"\",\"mems\":\"0\"},"
	                           "\"pids\":{\"limit\":0},\"blockIO\":{\"weight\":0}}";
	struct cg_resources r = {0};
	struct err err = {0};

	(void)state;
	assert_int_equal(rt_resources_parse(json, strlen(json), &r, &err), 0);
	cli_update_drop_zeros(&r);
	assert_true(r.has_memory);
	assert_false(r.memory.has_limit);
	assert_true(r.memory.has_swap && r.memory.swap == 104857600);
	assert_false(r.cpu.has_shares);
	assert_null(r.cpu.cpus);
	assert_string_equal(r.cpu.mems, "0");
	assert_true(r.has_cpu);
	assert_false(r.has_pids);
	assert_false(r.blkio.has_weight);
	cg_resources_fini(&r);
}

static struct rt_state *
state_new(const char *id, pid_t pid, enum rt_status status, const char *bundle, const char *created)
{
	struct rt_state *s = xcalloc(1, sizeof(*s));

	s->id = xstrdup(id);
	s->pid = pid;
	s->status = status;
	s->bundle = xstrdup(bundle);
	s->created = xstrdup(created);
	s->owner = xstrdup("");
	return s;
}

static char *
capture(void (*fn)(FILE *out, void *arg), void *arg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	fn(f, arg);
	fclose(f);
	return buf;
}

struct list_arg {
	struct rt_state **st;
	size_t n;
};

static void
list_cb(FILE *out, void *arg)
{
	struct list_arg *a = arg;

	cli_list_table(out, a->st, a->n);
}

static void
list_table_layout(void **state)
{
	struct rt_state *st[2] = {
	    state_new("c1", 4242, RT_RUNNING, "/tmp/b", "2026-11-23T09:19:19.879250000Z"),
	    state_new("a-much-longer-id", 0, RT_STOPPED, "/very/long/bundle/path/x",
	              "2026-11-23T09:19:20.000000000Z"),
	};
	struct list_arg a = {st, 2};
	char *out = capture(list_cb, &a);

	(void)state;
	/* Go tabwriter(minwidth 12, padding 3): columns as wide as the widest cell + 3. */
	assert_string_equal(out,
	                    "ID                 PID         STATUS      BUNDLE                     "
	                    "CREATED                      OWNER\n"
	                    "c1                 4242        running     /tmp/b                     "
	                    "2026-11-23T09:19:19.87925Z   \n"
	                    "a-much-longer-id   0           stopped     /very/long/bundle/path/x   "
	                    "2026-11-23T09:19:20Z         \n");
	free(out);
	a.n = 0;
	out = capture(list_cb, &a);
	assert_string_equal(out,
	                    "ID          PID         STATUS      BUNDLE      CREATED     OWNER\n");
	free(out);
	rt_state_free(st[0]);
	rt_state_free(st[1]);
}

static void
time_trim(void **state)
{
	static const char *const cases[][2] = {
	    {"2026-11-23T09:19:19.879250000Z", "2026-11-23T09:19:19.87925Z"},
	    {"2026-11-23T09:19:19.000000000Z", "2026-11-23T09:19:19Z"},
	    {"2026-11-23T09:19:19.123456789Z", "2026-11-23T09:19:19.123456789Z"},
	    {"2026-11-23T09:19:19Z", "2026-11-23T09:19:19Z"},
	    {"2026-11-23T09:19:19.10+02:00", "2026-11-23T09:19:19.1+02:00"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *s = xstrdup(cases[i][0]);
		cli_time_trim(s);
		assert_string_equal(s, cases[i][1]);
		free(s);
	}
}

struct ps_arg {
	const char *text;
	const pid_t *pids;
	size_t n;
	int r;
	struct err err;
};

static void
ps_cb(FILE *out, void *arg)
{
	struct ps_arg *a = arg;

	a->r = cli_ps_filter(out, a->text, a->pids, a->n, &a->err);
}

static void
ps_filter_rows(void **state)
{
	static const pid_t pids[] = {42, 7};
	struct ps_arg a = {.text =
	                       "UID          PID    PPID  C STIME TTY          TIME CMD\n"
	                       "root           1       0  0 09:00 ?        00:00:01 /sbin/init\n"
	                       "root          42       1  0 09:01 ?        00:00:00 /init pause\n"
	                       "root         420      42  0 09:01 ?        00:00:00 sleep 42\n"
	                       "root           7      42  0 09:01 ?        00:00:00 x\n",
	                   .pids = pids,
	                   .n = 2};
	char *out = capture(ps_cb, &a);

	(void)state;
	assert_int_equal(a.r, 0);
	assert_string_equal(out, "UID          PID    PPID  C STIME TTY          TIME CMD\n"
	                         "root          42       1  0 09:01 ?        00:00:00 /init pause\n"
	                         "root           7      42  0 09:01 ?        00:00:00 x\n");
	free(out);
	a.text = "USER COMMAND\nroot x\n";
	out = capture(ps_cb, &a);
	assert_int_equal(a.r, -1);
	assert_string_equal(a.err.msg, "couldn't find PID field in ps output");
	free(out);
}

static const char cpuset_zeros[] =
    "\"cpuset\":{\"cpu_exclusive\":0,\"mem_hardwall\":0,\"mem_exclusive\":0,"
    "\"memory_migrate\":0,\"memory_spread_page\":0,\"memory_spread_slab\":0,"
    "\"memory_pressure\":0,\"sched_load_balance\":0,\"sched_relax_domain_level\":0}";

static void
events_stats_v1(void **state)
{
	uint64_t percpu[] = {60, 40};
	struct cg_kv_u64 raw[] = {{(char *)"rss", 3}, {(char *)"cache", 5}};
	struct cg_v1_blkio_entry io[] = {{.op = "Read", .major = 8, .minor = 0, .value = 4096}};
	struct cg_hugetlb_stat huge[] = {
	    {.pagesize = "2MB"},
	    {.pagesize = "1GB", .usage = 1, .max = 2, .failcnt = 3},
	};
	struct cg_stats s;
	char want[4096], *json;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.v1.cpu.total = 100;
	s.v1.cpu.per_cpu = percpu;
	s.v1.cpu.n_per_cpu = 2;
	s.v1.cpu.kernel = 10;
	s.v1.cpu.user = 20;
	s.v1.cpu.throttled_periods = 4;
	s.v1.memory.cache = 5;
	s.v1.memory.usage = (struct cg_v1_mem_entry){.limit = 1000, .usage = 500, .max = 600};
	s.v1.memory.raw = raw;
	s.v1.memory.n_raw = 2;
	s.v1.pids.current = 2;
	s.v1.blkio.io_service_bytes_recursive = (struct cg_v1_blkio_list){io, 1};
	s.v1.hugetlb = huge;
	s.v1.n_hugetlb = 2;
	snprintf(
	    want, sizeof(want),
	    "{\"type\":\"stats\",\"id\":\"c1\",\"data\":{\"cpu\":{\"usage\":{\"total\":100,"
	    "\"percpu\":[60,40],\"kernel\":10,\"user\":20},\"throttling\":{"
	    "\"throttledPeriods\":4}},%s,\"memory\":{\"cache\":5,\"usage\":{\"limit\":1000,"
	    "\"usage\":500,\"max\":600,\"failcnt\":0},\"swap\":{\"limit\":0,\"failcnt\":0},"
	    "\"kernel\":{\"limit\":0,\"failcnt\":0},\"kernelTCP\":{\"limit\":0,\"failcnt\":0},"
	    "\"raw\":{\"cache\":5,\"rss\":3}},\"pids\":{\"current\":2},\"blkio\":{"
	    "\"ioServiceBytesRecursive\":[{\"major\":8,\"op\":\"Read\",\"value\":4096}]},"
	    "\"hugetlb\":{\"1GB\":{\"usage\":1,\"max\":2,\"failcnt\":3},\"2MB\":{\"failcnt\":0}},"
	    "\"intel_rdt\":{},\"network_interfaces\":null}}",
	    cpuset_zeros);
	json = cli_events_stats_json("c1", &s);
	assert_string_equal(json, want);
	free(json);
	json = cli_events_oom_json("c1");
	assert_string_equal(json, "{\"type\":\"oom\",\"id\":\"c1\"}");
	free(json);
}

static void
events_stats_v2(void **state)
{
	struct cg_v2_io_entry io[] = {
	    {.major = 8, .minor = 16, .rbytes = 1, .wbytes = 2, .rios = 3, .wios = 4},
	};
	struct cg_stats s;
	char want[4096], *json;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.is_v2 = true;
	s.v2.cpu.usage_usec = 3;
	s.v2.cpu.user_usec = 2;
	s.v2.cpu.system_usec = 1;
	s.v2.cpu.nr_periods = 5;
	s.v2.memory.usage = 100;
	s.v2.memory.swap_usage = 10;
	s.v2.memory.file = 7;
	s.v2.io.usage = io;
	s.v2.io.n_usage = 1;
	s.v2.pids.current = 1;
	s.v2.pids.limit = 10;
	snprintf(
	    want, sizeof(want),
	    "{\"type\":\"stats\",\"id\":\"c2\",\"data\":{\"cpu\":{\"usage\":{\"total\":3000,"
	    "\"kernel\":1000,\"user\":2000},\"throttling\":{\"periods\":5}},%s,\"memory\":{"
	    "\"cache\":7,\"usage\":{\"limit\":18446744073709551615,\"usage\":100,\"failcnt\":0},"
	    "\"swap\":{\"limit\":18446744073709551615,\"usage\":110,\"failcnt\":0},"
	    "\"kernel\":{\"limit\":0,\"failcnt\":0},\"kernelTCP\":{\"limit\":0,\"failcnt\":0}},"
	    "\"pids\":{\"current\":1,\"limit\":10},\"blkio\":{\"ioServiceBytesRecursive\":["
	    "{\"major\":8,\"minor\":16,\"op\":\"Read\",\"value\":1},{\"major\":8,\"minor\":16,"
	    "\"op\":\"Write\",\"value\":2}],\"ioServicedRecursive\":[{\"major\":8,\"minor\":16,"
	    "\"op\":\"Read\",\"value\":3},{\"major\":8,\"minor\":16,\"op\":\"Write\",\"value\":4}"
	    "]},\"hugetlb\":{},\"intel_rdt\":{},\"network_interfaces\":null}}",
	    cpuset_zeros);
	json = cli_events_stats_json("c2", &s);
	assert_string_equal(json, want);
	free(json);
	/* v2 limits: swap reported with memory added, as runc's fs2 */
	s.v2.memory.usage_limit = 1000;
	s.v2.memory.swap_limit = 500;
	json = cli_events_stats_json("c2", &s);
	assert_non_null(strstr(json, "\"usage\":{\"limit\":1000,\"usage\":100,"));
	assert_non_null(strstr(json, "\"swap\":{\"limit\":1500,\"usage\":110,"));
	free(json);
}

static const char base_process[] =
    "{\"terminal\":true,\"args\":[\"sh\"],\"cwd\":\"/\",\"env\":[\"PATH=/bin\"],"
    "\"user\":{\"uid\":0,\"gid\":0,\"additionalGids\":[5]},\"capabilities\":{"
    "\"bounding\":[\"CAP_KILL\"],\"effective\":[\"CAP_KILL\"],\"permitted\":[\"CAP_KILL\"],"
    "\"inheritable\":[\"CAP_KILL\"]},\"noNewPrivileges\":true}";

static struct rt_process *
process_new(const char *json)
{
	struct rt_process *p = NULL;
	struct err err = {0};

	assert_int_equal(rt_process_parse(json, strlen(json), &p, &err), 0);
	return p;
}

static void
exec_overrides(void **state)
{
	const char *env[] = {"A=1"}, *caps[] = {"CAP_SYS_ADMIN", "net_admin"},
	           *gids[] = {"1001", "0x3ea"};
	struct cli_exec_flags xf = {
	    .cwd = "/tmp",
	    .user = "1000:1000",
	    .apparmor = "prof",
	    .env = {env, 1},
	    .caps = {caps, 2},
	    .gids = {gids, 2},
	    .has_no_new_privs = true,
	    .no_new_privs = false,
	};
	char *args[] = {"ls", "-l", NULL};
	struct rt_process *p = process_new(base_process);
	uint64_t kill = 1ULL << 5, added = (1ULL << 21) | (1ULL << 12);
	struct err err = {0};

	(void)state;
	assert_int_equal(cli_exec_apply_flags(&xf, 1, args, p, &err), 0);
	assert_string_equal(p->args[0], "ls");
	assert_string_equal(p->args[1], "-l");
	assert_null(p->args[2]);
	assert_string_equal(p->cwd, "/tmp");
	assert_string_equal(p->apparmor_profile, "prof");
	assert_string_equal(p->env[0], "PATH=/bin");
	assert_string_equal(p->env[1], "A=1");
	assert_null(p->env[2]);
	assert_false(p->terminal); /* only -t makes a terminal, whatever the config says */
	assert_false(p->no_new_privileges);
	assert_int_equal(p->user.uid, 1000);
	assert_int_equal(p->user.gid, 1000);
	assert_int_equal(p->user.n_additional_gids, 3);
	assert_int_equal(p->user.additional_gids[0], 5);
	assert_int_equal(p->user.additional_gids[1], 1001);
	assert_int_equal(p->user.additional_gids[2], 1002);
	assert_true(p->caps.bounding == (kill | added));
	assert_true(p->caps.effective == (kill | added));
	assert_true(p->caps.permitted == (kill | added));
	assert_true(p->caps.inheritable == kill);
	assert_true(p->caps.ambient == added); /* inheritable was set: ambient too (runc) */
	rt_process_free(p);
}

static void
exec_overrides_minimal(void **state)
{
	struct cli_exec_flags xf = {.tty = true};
	char *args[] = {"true", NULL};
	struct rt_process *p = process_new(base_process);
	struct err err = {0};

	(void)state;
	assert_int_equal(cli_exec_apply_flags(&xf, 1, args, p, &err), 0);
	assert_true(p->terminal);
	assert_true(p->no_new_privileges); /* kept from the config */
	assert_string_equal(p->cwd, "/");
	assert_int_equal(p->user.uid, 0);
	assert_true(p->caps.ambient == 0);
	rt_process_free(p);
}

static void
exec_override_errors(void **state)
{
	const char *bad_cap[] = {"CAP_NOPE"}, *neg_gid[] = {"-1"}, *nan_gid[] = {"x"};
	char *args[] = {"ls", NULL}, *no_args[] = {NULL};
	struct cli_exec_flags xf = {.caps = {bad_cap, 1}};
	struct rt_process *p = process_new(base_process);
	struct err err = {0};

	(void)state;
	assert_int_equal(cli_exec_apply_flags(&xf, 1, args, p, &err), -1);
	assert_string_equal(err.msg, "unknown capability \"CAP_NOPE\"");
	xf = (struct cli_exec_flags){.gids = {neg_gid, 1}};
	assert_int_equal(cli_exec_apply_flags(&xf, 1, args, p, &err), -1);
	assert_string_equal(err.msg, "additional-gids must be a positive number -1");
	xf = (struct cli_exec_flags){.gids = {nan_gid, 1}};
	assert_int_equal(cli_exec_apply_flags(&xf, 1, args, p, &err), -1);
	xf = (struct cli_exec_flags){.cwd = "tmp"};
	assert_int_equal(cli_exec_apply_flags(&xf, 1, args, p, &err), -1);
	assert_string_equal(err.msg, "Cwd must be an absolute path");
	rt_process_free(p);
	p = process_new(base_process);
	xf = (struct cli_exec_flags){0};
	assert_int_equal(cli_exec_apply_flags(&xf, 1, no_args, p, &err), -1);
	assert_string_equal(err.msg, "args must not be empty");
	xf = (struct cli_exec_flags){.user = "nobody2"};
	assert_int_equal(cli_exec_apply_flags(&xf, 0x7ffffff0, args, p, &err), -1);
	assert_non_null(strstr(err.msg, "exec: "));
	rt_process_free(p);
}

static void
terminal_checks(void **state)
{
	struct err err = {0};

	(void)state;
	assert_int_equal(cli_check_terminal(false, true, NULL, &err), 0);
	assert_int_equal(cli_check_terminal(true, true, "/s", &err), 0);
	assert_int_equal(cli_check_terminal(true, false, NULL, &err), 0);
	assert_int_equal(cli_check_terminal(false, false, "", &err), 0);
	assert_int_equal(cli_check_terminal(true, true, NULL, &err), -1);
	assert_string_equal(
	    err.msg, "cannot allocate tty if husk will detach without setting console socket");
	assert_int_equal(cli_check_terminal(false, true, "/s", &err), -1);
	assert_string_equal(err.msg,
	                    "cannot use console socket if husk will not detach or allocate tty");
	assert_int_equal(cli_check_terminal(true, false, "/s", &err), -1);
}

/* A bundle dir with runc's default config.json (terminal: true). */
static void
bundle_make(char *dir)
{
	char path[PATH_MAX];
	char *json = rt_spec_default_json(false, 0, 0);
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/config.json", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(json, f);
	fclose(f);
	free(json);
}

static void
bundle_remove(const char *dir)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/config.json", dir);
	unlink(path);
	rmdir(dir);
}

static void
create_prepare_bundle(void **state)
{
	char dir[] = "/tmp/test_cli_bundle.XXXXXX", pid[32];
	struct cli_create_flags cf = {.pid_file = "rel.pid", .no_pivot = true};
	struct cli_create_job job;
	struct err err = {0};
	char cwd[PATH_MAX], want[PATH_MAX + 16];
	size_t n;

	(void)state;
	bundle_make(dir);
	cf.bundle = dir;
	/* detached with a terminal and no console socket: runc's error */
	assert_int_equal(cli_create_prepare(&cf, "c1", true, &job, &err), -1);
	assert_non_null(strstr(err.msg, "cannot allocate tty"));
	cli_create_job_fini(&job);
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	setenv("LISTEN_PID", pid, 1);
	setenv("LISTEN_FDS", "1", 1);
	assert_int_equal(cli_create_prepare(&cf, "c1", false, &job, &err), 0);
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	assert_string_equal(job.opts.bundle, dir);
	assert_ptr_equal(job.opts.spec, job.spec);
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	snprintf(want, sizeof(want), "%s/rel.pid", strcmp(cwd, "/") ? cwd : "");
	assert_string_equal(job.opts.pid_file, want);
	assert_true(job.opts.no_pivot);
	assert_int_equal(job.opts.preserve_fds, 1); /* the LISTEN_FDS fd */
	assert_int_equal(job.opts.stdio[0], -1);
	n = strv_len(job.spec->process->env);
	assert_true(n >= 2);
	assert_string_equal(job.spec->process->env[n - 2], "LISTEN_FDS=1");
	assert_string_equal(job.spec->process->env[n - 1], "LISTEN_PID=1");
	cli_create_job_fini(&job);
	bundle_remove(dir);
}

static void
create_prepare_errors(void **state)
{
	char dir[] = "/tmp/test_cli_bundle.XXXXXX";
	struct cli_create_flags cf = {0};
	struct cli_create_job job;
	struct err err = {0};

	(void)state;
	bundle_make(dir);
	cf.bundle = dir;
	assert_int_equal(cli_create_prepare(&cf, "", false, &job, &err), -1);
	assert_string_equal(err.msg, "container id cannot be empty");
	cli_create_job_fini(&job);
	cf.preserve_fds = -1;
	assert_int_equal(cli_create_prepare(&cf, "c1", false, &job, &err), -1);
	assert_string_equal(err.msg, "--preserve-fds: -1 is negative");
	cli_create_job_fini(&job);
	cf.preserve_fds = 1000; /* fds 3..1002 are not all open */
	assert_int_equal(cli_create_prepare(&cf, "c1", false, &job, &err), -1);
	assert_non_null(strstr(err.msg, "unable to stat preserved-fd"));
	cli_create_job_fini(&job);
	bundle_remove(dir);
	cf = (struct cli_create_flags){.bundle = dir}; /* removed: no config.json */
	assert_int_equal(cli_create_prepare(&cf, "c1", false, &job, &err), -1);
	assert_non_null(strstr(err.msg, "config.json"));
	cli_create_job_fini(&job);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(update_flags_to_resources),
	    cmocka_unit_test(update_flags_errors),
	    cmocka_unit_test(update_json_zeros_dropped),
	    cmocka_unit_test(list_table_layout),
	    cmocka_unit_test(time_trim),
	    cmocka_unit_test(ps_filter_rows),
	    cmocka_unit_test(events_stats_v1),
	    cmocka_unit_test(events_stats_v2),
	    cmocka_unit_test(exec_overrides),
	    cmocka_unit_test(exec_overrides_minimal),
	    cmocka_unit_test(exec_override_errors),
	    cmocka_unit_test(terminal_checks),
	    cmocka_unit_test(create_prepare_bundle),
	    cmocka_unit_test(create_prepare_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
