/* cgroupsPath resolution: absolute, relative (v1 and v2 own-cgroup rules), the default, and the
 * systemd "slice:prefix:name" form mapped to a cgroupfs path; path cleaning and slice expansion. */
#include "cgroups/cg_internal.h"
#include "test_cg_util.h"

struct fx {
	char *dir;
	struct cg_root *v1, *v2;
};

static int
setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof(*f));
	struct cg_root_opts o = {0};
	struct err err = {0};
	cleanup_free char *self = NULL, *mi = NULL, *root1 = NULL, *root2 = NULL;

	f->dir = tcg_tmpdir();
	tcg_file(f->dir, "self-v1", "9:name=systemd:/user.slice/session-1.scope\n"
				    "4:memory:/process_api/x\n0::/user.slice/session-1.scope\n");
	tcg_file(f->dir, "self-v2", "0::/user.slice/user-0.slice/session-3.scope\n");
	tcg_file(f->dir, "v1/memory/cgroup.procs", "%s", "");
	tcg_file(f->dir, "v2/cgroup.controllers", "cpu memory\n");
	tcg_file(f->dir, "mountinfo", "%s", "");
	root1 = xasprintf("%s/v1", f->dir);
	root2 = xasprintf("%s/v2", f->dir);
	self = xasprintf("%s/self-v1", f->dir);
	mi = xasprintf("%s/mountinfo", f->dir);
	o.root = root1, o.mode = CG_MODE_V1, o.self_cgroup = self, o.mountinfo = mi;
	if (cg_root_open(&o, &f->v1, &err) < 0)
		fail_msg("%s", err.msg);
	free(self);
	self = xasprintf("%s/self-v2", f->dir);
	o.root = root2, o.mode = CG_MODE_V2, o.self_cgroup = self;
	if (cg_root_open(&o, &f->v2, &err) < 0)
		fail_msg("%s", err.msg);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	cg_root_free(f->v1);
	cg_root_free(f->v2);
	tcg_rm(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

static void
assert_resolves(struct cg_root *root, const char *in, const char *id, bool systemd,
		const char *want)
{
	struct err err = {0};
	char *out = NULL;

	if (cg_path_resolve(root, in, id, systemd, &out, &err) < 0)
		fail_msg("resolve \"%s\": %s", in ? in : "(null)", err.msg);
	if (strcmp(out, want) != 0)
		fail_msg("resolve \"%s\": got %s, want %s", in ? in : "(null)", out, want);
	free(out);
}

static void
assert_refused(struct cg_root *root, const char *in, const char *id, bool systemd,
	       const char *msg_part)
{
	struct err err = {0};
	char *out = NULL;

	if (cg_path_resolve(root, in, id, systemd, &out, &err) == 0)
		fail_msg("resolve \"%s\" gave %s, want an error", in ? in : "(null)", out);
	assert_null(out);
	assert_int_equal(err.code, EINVAL);
	if (strstr(err.msg, msg_part) == NULL)
		fail_msg("error \"%s\" lacks \"%s\"", err.msg, msg_part);
}

static void
clean_paths(void **state)
{
	static const char *const t[][2] = {
		{"/a//b/./c/", "/a/b/c"}, {"a/../../b", "/b"}, {"/..", "/"},
		{"", "/"},		  {"/a/b/..", "/a"},   {"../../etc", "/etc"},
		{"/a/.../b", "/a/.../b"}, {"/a/..b", "/a/..b"},
	};
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		char *got = cg__clean_path(t[i][0]);
		if (strcmp(got, t[i][1]) != 0)
			fail_msg("clean \"%s\": got %s, want %s", t[i][0], got, t[i][1]);
		free(got);
	}
}

static void
expand_slices(void **state)
{
	static const char *const good[][2] = {
		{"system.slice", "/system.slice"},
		{"a-b-c.slice", "/a.slice/a-b.slice/a-b-c.slice"},
		{"-.slice", "/"},
		{"kubepods-burstable-pod1.slice",
		 "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1.slice"},
	};
	static const char *const bad[] = {"a--b.slice", "-a.slice",  "a-.slice", ".slice",
					  "a.scope",	"a/b.slice", "slice",	 ""};
	struct err err = {0};
	char *out = NULL;
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		if (cg__expand_slice(good[i][0], &out, &err) < 0)
			fail_msg("%s: %s", good[i][0], err.msg);
		assert_string_equal(out, good[i][1]);
		free(out);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		if (cg__expand_slice(bad[i], &out, &err) == 0)
			fail_msg("slice \"%s\" accepted as %s", bad[i], out);
		assert_int_equal(err.code, EINVAL);
		assert_non_null(strstr(err.msg, "invalid systemd slice name"));
	}
}

static void
own_cgroup_lines(void **state)
{
	char *s;
	(void)state;

	s = cg__own_cgroup("4:memory:/m\n9:name=systemd:/sd\n0::/u\n", false);
	assert_string_equal(s, "/sd");
	free(s);
	s = cg__own_cgroup("4:memory:/m\n3:cpu,cpuacct:/c\n0::/u\n", false);
	assert_string_equal(s, "/m");
	free(s);
	s = cg__own_cgroup("4:memory:/m\n0::/u/v\n", true);
	assert_string_equal(s, "/u/v");
	free(s);
	assert_null(cg__own_cgroup("4:memory:/m\n", true));
	assert_null(cg__own_cgroup("", false));
	assert_null(cg__own_cgroup("garbage\n", false));
}

static void
absolute_paths(void **state)
{
	struct fx *f = *state;

	assert_resolves(f->v1, "/kubepods/pod1/c1", "c1", false, "/kubepods/pod1/c1");
	assert_resolves(f->v2, "/a/../b//c/", "c1", false, "/b/c");
	assert_resolves(f->v2, "/../../escape", "c1", false, "/escape");
	/* absolute with the systemd driver: used as a cgroupfs path */
	assert_resolves(f->v2, "/x/y", "c1", true, "/x/y");
	assert_refused(f->v2, "/", "c1", false, "is the cgroup root");
	assert_refused(f->v2, "//..", "c1", false, "is the cgroup root");
}

static void
relative_paths(void **state)
{
	struct fx *f = *state;

	/* v1: under the own cgroup (name=systemd line) */
	assert_resolves(f->v1, "foo/bar", "c1", false, "/user.slice/session-1.scope/foo/bar");
	/* v2: under the parent of the own cgroup (the own one holds processes) */
	assert_resolves(f->v2, "c1", "c1", false, "/user.slice/user-0.slice/c1");
	assert_resolves(f->v2, "../x", "c1", false, "/user.slice/x");
	/* default: the id, relative (runc's cgroupfs default) */
	assert_resolves(f->v1, NULL, "c1", false, "/user.slice/session-1.scope/c1");
	assert_resolves(f->v2, "", "c2", false, "/user.slice/user-0.slice/c2");
	assert_refused(f->v2, "../../..", "c1", false, "resolves to the cgroup root");
}

static void
relative_needs_self_cgroup(void **state)
{
	struct fx *f = *state;
	struct err err = {0};
	char *out = NULL;

	free(f->v2->self_cgroup);
	f->v2->self_cgroup = xasprintf("%s/missing", f->dir);
	assert_int_equal(cg_path_resolve(f->v2, "c1", "c1", false, &out, &err), -1);
	assert_int_equal(err.code, ENOENT);
	assert_non_null(strstr(err.msg, "/missing"));
	free(f->v2->self_cgroup);
	f->v2->self_cgroup = xasprintf("%s/self-v1", f->dir);
	tcg_file(f->dir, "self-v1", "4:memory:/m\n"); /* no 0:: line for v2 */
	assert_int_equal(cg_path_resolve(f->v2, "c1", "c1", false, &out, &err), -1);
	assert_int_equal(err.code, EINVAL);
	assert_non_null(strstr(err.msg, "no \"0::\" line"));
}

static void
systemd_paths(void **state)
{
	struct fx *f = *state;

	assert_resolves(f->v2, "system.slice:docker:abc", "abc", false,
			"/system.slice/docker-abc.scope");
	assert_resolves(f->v1, "kubepods-burstable-pod12.slice:cri-containerd:abc", "abc", true,
			"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod12.slice/"
			"cri-containerd-abc.scope");
	assert_resolves(f->v2, ":pfx:abc", "abc", true, "/system.slice/pfx-abc.scope");
	assert_resolves(f->v2, "user.slice::abc", "abc", true, "/user.slice/abc.scope");
	assert_resolves(f->v2, "system.slice:x:sub.slice", "abc", true, "/system.slice/sub.slice");
	assert_resolves(f->v2, "-.slice:p:n", "abc", true, "/p-n.scope");
	assert_resolves(f->v2, NULL, "c9", true, "/system.slice/husk-c9.scope");
	assert_refused(f->v2, "a:b", "c1", true, "expected \"slice:prefix:name\"");
	assert_refused(f->v2, "a:b:c:d", "c1", true, "expected \"slice:prefix:name\"");
	assert_refused(f->v2, "foo:p:n", "c1", false, "invalid systemd slice name \"foo\"");
	assert_refused(f->v2, "system.slice:p:", "c1", true, "bad unit name");
	assert_refused(f->v2, "system.slice:p:a/b", "c1", true, "bad unit name");
	assert_refused(f->v2, "system.slice:p/q:n", "c1", true, "bad unit name");
}

static void
bad_ids(void **state)
{
	struct fx *f = *state;

	assert_refused(f->v2, NULL, "a/b", false, "cannot name a cgroup");
	assert_refused(f->v2, NULL, "", false, "cannot name a cgroup");
	assert_refused(f->v2, NULL, "..", false, "cannot name a cgroup");
	assert_refused(f->v2, NULL, NULL, false, "cannot name a cgroup");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(clean_paths),
		cmocka_unit_test(expand_slices),
		cmocka_unit_test(own_cgroup_lines),
		cmocka_unit_test_setup_teardown(absolute_paths, setup, teardown),
		cmocka_unit_test_setup_teardown(relative_paths, setup, teardown),
		cmocka_unit_test_setup_teardown(relative_needs_self_cgroup, setup, teardown),
		cmocka_unit_test_setup_teardown(systemd_paths, setup, teardown),
		cmocka_unit_test_setup_teardown(bad_ids, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
