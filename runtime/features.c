/* features: what `husk features` prints, in the shape of the runtime-spec features document
 * (runc features). */
#include "rt.h"

#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>

#include "base/xalloc.h"
#include "mount_plan.h"

static void
str(yajl_gen g, const char *s)
{
	yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

static void
str_array(yajl_gen g, const char *key, const char *const *v, size_t n)
{
	str(g, key);
	yajl_gen_array_open(g);
	for (size_t i = 0; i < n; i++)
		str(g, v[i]);
	yajl_gen_array_close(g);
}

static void
enabled(yajl_gen g, const char *key, bool on)
{
	str(g, key);
	yajl_gen_map_open(g);
	str(g, "enabled");
	yajl_gen_bool(g, on);
	yajl_gen_map_close(g);
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const char *const hooks[] = {"prestart",	       "createRuntime", "createContainer",
				    "startContainer", "poststart",     "poststop"};
static const char *const namespaces[] = {"cgroup", "ipc",  "mount", "network",
					 "pid",	   "user", "uts",   "time"};
static const char *const actions[] = {"SCMP_ACT_ALLOW",	      "SCMP_ACT_ERRNO",
				      "SCMP_ACT_KILL",	      "SCMP_ACT_KILL_PROCESS",
				      "SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG",
				      "SCMP_ACT_NOTIFY",      "SCMP_ACT_TRACE",
				      "SCMP_ACT_TRAP"};
static const char *const operators[] = {"SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT",
					"SCMP_CMP_LE", "SCMP_CMP_LT", "SCMP_CMP_MASKED_EQ",
					"SCMP_CMP_NE"};
static const char *const archs[] = {
	"SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM",	  "SCMP_ARCH_MIPS",	 "SCMP_ARCH_MIPS64",
	"SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32",
	"SCMP_ARCH_PPC",     "SCMP_ARCH_PPC64",	  "SCMP_ARCH_PPC64LE",	 "SCMP_ARCH_RISCV64",
	"SCMP_ARCH_S390",    "SCMP_ARCH_S390X",	  "SCMP_ARCH_X32",	 "SCMP_ARCH_X86",
	"SCMP_ARCH_X86_64"};
static const char *const seccomp_flags[] = {"SECCOMP_FILTER_FLAG_TSYNC",
					    "SECCOMP_FILTER_FLAG_LOG",
					    "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
					    "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"};

static void
features_linux(yajl_gen g)
{
	str(g, "linux");
	yajl_gen_map_open(g);
	str_array(g, "namespaces", namespaces, N(namespaces));
	str(g, "capabilities");
	yajl_gen_array_open(g);
	for (int c = 0; rt_cap_name(c); c++)
		str(g, rt_cap_name(c));
	yajl_gen_array_close(g);
	str(g, "cgroup");
	yajl_gen_map_open(g);
	str(g, "v1");
	yajl_gen_bool(g, 1);
	str(g, "v2");
	yajl_gen_bool(g, 1);
	str(g, "systemd");
	yajl_gen_bool(g, 0);
	str(g, "systemdUser");
	yajl_gen_bool(g, 0);
	str(g, "rdma");
	yajl_gen_bool(g, 1);
	yajl_gen_map_close(g);
	str(g, "seccomp");
	yajl_gen_map_open(g);
	str(g, "enabled");
	yajl_gen_bool(g, 1);
	str_array(g, "actions", actions, N(actions));
	str_array(g, "operators", operators, N(operators));
	str_array(g, "archs", archs, N(archs));
	str_array(g, "knownFlags", seccomp_flags, N(seccomp_flags));
	str_array(g, "supportedFlags", seccomp_flags, N(seccomp_flags));
	yajl_gen_map_close(g);
	enabled(g, "apparmor", false);
	enabled(g, "selinux", false);
	enabled(g, "intelRdt", false);
	str(g, "mountExtensions");
	yajl_gen_map_open(g);
	enabled(g, "idmap", true);
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);
}

char *
rt_features_json(void)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	const struct scmp_version *v = seccomp_version();
	const char *mount_opts[96];
	const unsigned char *buf;
	size_t len, n_mount_opts;
	char ver[64];
	char *out;

	if (g == NULL)
		abort();
	yajl_gen_config(g, yajl_gen_beautify, 1);
	yajl_gen_config(g, yajl_gen_indent_string, "    ");
	yajl_gen_map_open(g);
	str(g, "ociVersionMin");
	str(g, "1.0.0");
	str(g, "ociVersionMax");
	str(g, RT_OCI_VERSION);
	str_array(g, "hooks", hooks, N(hooks));
	n_mount_opts = mount_option_names(mount_opts, N(mount_opts));
	if (n_mount_opts > N(mount_opts))
		abort(); /* the table outgrew the array above */
	str_array(g, "mountOptions", mount_opts, n_mount_opts);
	features_linux(g);
	str(g, "annotations");
	yajl_gen_map_open(g);
	snprintf(ver, sizeof(ver), "%u.%u.%u", v ? v->major : 0, v ? v->minor : 0,
		 v ? v->micro : 0);
	str(g, "io.github.seccomp.libseccomp.version");
	str(g, ver);
	str(g, "org.opencontainers.runc.checkpoint.enabled");
	str(g, "false");
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);
	yajl_gen_get_buf(g, &buf, &len);
	out = xstrndup((const char *)buf, len);
	yajl_gen_free(g);
	return out;
}
