/* Unit tests for what `start` reads besides its flags (shim/bootstrap.c: the options Any of
 * containerd 1.6-2.2, BootstrapParams of 2.3, SCHED_CORE) and for the socket-dir helpers of
 * shim/address.c that containerd 2.3's socket_dir needs. */
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
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/xalloc.h"
#include "proto/bootstrap/v1/bootstrap.pb-c.h"
#include "proto/pb.h"
#include "proto/runc/options.pb-c.h"
#include "shim/address.h"
#include "shim/bootstrap.h"

#define ID "c1"
#define NS "k8s.io"

/* An encoded runc Options Any with shim_cgroup cg (owned buffer, *len set). */
static uint8_t *
runc_any(const char *cg, Google__Protobuf__Any *any, uint8_t **inner)
{
	Containerd__Runc__V1__Options o = CONTAINERD__RUNC__V1__OPTIONS__INIT;

	o.shim_cgroup = (char *)cg;
	pb_any_pack(any, "containerd.runc.v1.Options", &o.base, inner);
	return *inner;
}

/* BootstrapParams as containerd 2.3 writes it: an unrelated extension first, then the runc
 * options; socket_dir only if dir is not NULL. Owned buffer. */
static uint8_t *
params(const char *id, const char *ns, const char *dir, const char *cg, size_t *len)
{
	Containerd__Runtime__Bootstrap__V1__BootstrapParams p =
	    CONTAINERD__RUNTIME__BOOTSTRAP__V1__BOOTSTRAP_PARAMS__INIT;
	Containerd__Runtime__Bootstrap__V1__Extension e1 =
	    CONTAINERD__RUNTIME__BOOTSTRAP__V1__EXTENSION__INIT;
	Containerd__Runtime__Bootstrap__V1__Extension e2 =
	    CONTAINERD__RUNTIME__BOOTSTRAP__V1__EXTENSION__INIT;
	Containerd__Runtime__Bootstrap__V1__Extension *exts[] = {&e1, &e2};
	Google__Protobuf__Any other = GOOGLE__PROTOBUF__ANY__INIT,
	                      opts = GOOGLE__PROTOBUF__ANY__INIT;
	uint8_t flag = 0x08, *inner = NULL, *out;

	other.type_url = (char *)"containerd.io/sandbox.v1.SandboxConfig";
	other.value.data = &flag;
	other.value.len = 1;
	runc_any(cg, &opts, &inner);
	e1.value = &other;
	e2.value = &opts;
	p.instance_id = (char *)id;
	p.namespace_ = (char *)ns;
	p.log_level = CONTAINERD__RUNTIME__BOOTSTRAP__V1__LOG_LEVEL__LOG_LEVEL_DEBUG; /* negative */
	p.containerd_version = (char *)"2.3.4";
	p.containerd_ttrpc_address = (char *)"/run/containerd/containerd.sock.ttrpc";
	p.containerd_grpc_address = (char *)"/run/containerd/containerd.sock";
	p.containerd_binary = (char *)"/usr/bin/containerd";
	p.n_extensions = 2;
	p.extensions = exts;
	if (dir)
		p.socket_dir = (char *)dir;
	out = pb_pack(&p.base, len);
	free(inner);
	return out;
}

static void
stdin_empty_and_any(void **state)
{
	Google__Protobuf__Any any = GOOGLE__PROTOBUF__ANY__INIT;
	uint8_t *inner = NULL, *buf;
	struct bootstrap b;
	size_t len;

	(void)state;
	bootstrap_parse(NULL, 0, ID, NS, &b);
	assert_int_equal(b.kind, BOOTSTRAP_EMPTY);
	assert_null(b.shim_cgroup);
	bootstrap_fini(&b);

	runc_any("/podruntime/shim", &any, &inner);
	buf = pb_pack(&any.base, &len);
	bootstrap_parse(buf, len, ID, NS, &b);
	assert_int_equal(b.kind, BOOTSTRAP_ANY);
	assert_string_equal(b.shim_cgroup, "/podruntime/shim");
	assert_null(b.socket_dir);
	assert_null(b.grpc_address);
	bootstrap_fini(&b);
	free(buf);
	free(inner);

	/* CRI's options for a non-runc runtime: an Any we do not use */
	any.type_url = (char *)"runtimeoptions.v1.Options";
	any.value.data = (uint8_t *)"\x0a\x01x";
	any.value.len = 3;
	buf = pb_pack(&any.base, &len);
	bootstrap_parse(buf, len, ID, NS, &b);
	assert_int_equal(b.kind, BOOTSTRAP_ANY);
	assert_null(b.shim_cgroup);
	bootstrap_fini(&b);
	free(buf);
}

static void
stdin_bootstrap_params(void **state)
{
	struct bootstrap b;
	size_t len;
	uint8_t *buf = params(ID, NS, "/run/c/s2", "/shim.slice", &len);

	(void)state;
	bootstrap_parse(buf, len, ID, NS, &b);
	assert_int_equal(b.kind, BOOTSTRAP_PARAMS);
	assert_null(b.ignored);
	assert_string_equal(b.socket_dir, "/run/c/s2");
	assert_string_equal(b.shim_cgroup, "/shim.slice");
	assert_string_equal(b.grpc_address, "/run/containerd/containerd.sock");
	assert_string_equal(b.ttrpc_address, "/run/containerd/containerd.sock.ttrpc");
	bootstrap_fini(&b);
	assert_null(b.socket_dir);
	free(buf);

	/* no socket_dir, no shim_cgroup: the defaults */
	buf = params(ID, NS, NULL, "", &len);
	bootstrap_parse(buf, len, ID, NS, &b);
	assert_int_equal(b.kind, BOOTSTRAP_PARAMS);
	assert_null(b.socket_dir);
	assert_null(b.shim_cgroup);
	bootstrap_fini(&b);
	free(buf);
}

static void
stdin_params_of_another_task(void **state)
{
	struct bootstrap b;
	size_t len;
	uint8_t *buf = params("c2", NS, "/run/c/s2", "/x", &len);

	(void)state;
	bootstrap_parse(buf, len, ID, NS, &b);
	assert_int_equal(b.kind, BOOTSTRAP_IGNORED);
	assert_non_null(strstr(b.ignored, "instance_id"));
	assert_null(b.socket_dir);
	assert_null(b.shim_cgroup);
	bootstrap_fini(&b);
	free(buf);
	buf = params(ID, "default", "/run/c/s2", "/x", &len);
	bootstrap_parse(buf, len, ID, NS, &b);
	assert_int_equal(b.kind, BOOTSTRAP_IGNORED);
	assert_null(b.socket_dir);
	bootstrap_fini(&b);
	free(buf);
}

static void
stdin_garbage(void **state)
{
	static const struct {
		const char *bytes;
		size_t len;
	} bad[] = {
	    {"\xff\xff\xff\xff", 4},                    /* varint never ends */
	    {"hello, world", 12},                       /* 'h' = field 13, wire type 0, ... */
	    {"\x00\x01", 2},                            /* field 0 */
	    {"\x0b\x0c", 2},                            /* a group */
	    {"\x0f", 1},                                /* wire type 7 */
	    {"\x0a\x05\x61\x62", 4},                    /* length past the end */
	    {"\x49\x01\x02\x03", 4},                    /* fixed64 field 9 cut short */
	    {"\x0a\x02\x63\x31\x12\x06k8s.io\x1a", 13}, /* BootstrapParams cut in a field */
	};
	struct bootstrap b;
	size_t len;
	uint8_t *buf;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		bootstrap_parse((const uint8_t *)bad[i].bytes, bad[i].len, ID, NS, &b);
		assert_int_equal(b.kind, BOOTSTRAP_IGNORED);
		assert_non_null(b.ignored);
		assert_null(b.shim_cgroup);
		assert_null(b.socket_dir);
		bootstrap_fini(&b);
	}
	/* well-formed on the wire, wrong types for BootstrapParams: socket_dir as a varint */
	bootstrap_parse((const uint8_t *)"\x0a\x02\x63\x31\x12\x06k8s.io\x48\x01", 14, ID, NS, &b);
	assert_int_equal(b.kind, BOOTSTRAP_IGNORED);
	bootstrap_fini(&b);
	/* a whole valid message minus its last byte */
	buf = params(ID, NS, "/run/c/s2", "/x", &len);
	bootstrap_parse(buf, len - 1, ID, NS, &b);
	assert_int_equal(b.kind, BOOTSTRAP_IGNORED);
	assert_null(b.socket_dir);
	bootstrap_fini(&b);
	free(buf);
}

static void
stdin_read_fd(void **state)
{
	char path[] = "/tmp/husk-boot-XXXXXX";
	struct bootstrap b;
	size_t len;
	uint8_t *buf = params(ID, NS, "/run/c/s2", NULL, &len), *big;
	int fd, p[2];

	(void)state;
	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(p[1], buf, len), (ssize_t)len);
	close(p[1]);
	bootstrap_read(p[0], ID, NS, &b);
	close(p[0]);
	assert_int_equal(b.kind, BOOTSTRAP_PARAMS);
	assert_string_equal(b.socket_dir, "/run/c/s2");
	bootstrap_fini(&b);
	free(buf);

	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	bootstrap_read(fd, ID, NS, &b);
	close(fd);
	assert_int_equal(b.kind, BOOTSTRAP_EMPTY);
	bootstrap_fini(&b);

	fd = mkstemp(path);
	assert_true(fd >= 0);
	unlink(path);
	big = xmalloc(BOOTSTRAP_MAX_INPUT + 1);
	memset(big, 0, BOOTSTRAP_MAX_INPUT + 1);
	assert_int_equal(write(fd, big, BOOTSTRAP_MAX_INPUT + 1), BOOTSTRAP_MAX_INPUT + 1);
	free(big);
	lseek(fd, 0, SEEK_SET);
	bootstrap_read(fd, ID, NS, &b);
	close(fd);
	assert_int_equal(b.kind, BOOTSTRAP_IGNORED);
	assert_non_null(strstr(b.ignored, "10 MiB"));
	bootstrap_fini(&b);
}

/* SCHED_CORE=1: a cookie of our own where the kernel has core scheduling, else the error the
 * runc shim also fails with. Which one is decided by asking the kernel first. */
static void
sched_core_env(void **state)
{
	unsigned long long cookie = 0;
	struct err err = {0};
	int probe, e;

	(void)state;
	unsetenv("SCHED_CORE");
	assert_int_equal(bootstrap_sched_core(&err), 0);
	setenv("SCHED_CORE", "", 1);
	assert_int_equal(bootstrap_sched_core(&err), 0);
	setenv("SCHED_CORE", "1", 1);
	probe = prctl(62 /* PR_SCHED_CORE */, 0 /* GET */, getpid(), 1 /* TGID */, &cookie);
	e = errno;
	if (probe < 0 && (e == EINVAL || e == ENODEV)) {
		assert_int_equal(bootstrap_sched_core(&err), -1);
		assert_int_equal(err.code, e);
		assert_non_null(strstr(err.msg, "SCHED_CORE"));
		assert_non_null(strstr(err.msg, e == EINVAL ? "CONFIG_SCHED_CORE" : "no SMT"));
		print_message("# kernel has no core scheduling (%s): the error path was tested\n",
		              strerror(e));
	} else {
		assert_int_equal(bootstrap_sched_core(&err), 0);
		assert_int_equal(prctl(62, 0, getpid(), 1, &cookie), 0);
		assert_true(cookie != 0);
	}
	unsetenv("SCHED_CORE");
}

static void
socket_dir_clean(void **state)
{
	static const char *const bad[] = {"",      "run/s",   ".",    "/a//b", "/a/./b",
	                                  "/a/..", "/a/../b", "/./a", "//a",   "/a/b/."};
	struct err err = {0};
	char *d;

	(void)state;
	d = address_clean_dir("/run/c/s2/", &err);
	assert_string_equal(d, "/run/c/s2");
	free(d);
	d = address_clean_dir("/", &err);
	assert_string_equal(d, "/");
	free(d);
	d = address_clean_dir("/a/.b/..c/...", &err);
	assert_string_equal(d, "/a/.b/..c/...");
	free(d);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err_clear(&err);
		assert_null(address_clean_dir(bad[i], &err));
		assert_int_equal(err.code, EINVAL);
		assert_non_null(strstr(err.msg, bad[i]));
	}
	assert_null(address_clean_dir(NULL, &err));
}

static void
socket_dir_address(void **state)
{
	char *def = address_for(NULL, "/run/containerd/containerd.sock", NS, "pod");
	char *dir = address_for("/run/c/s2", "/run/containerd/containerd.sock", NS, "pod");
	char *slash = address_for("/run/c/s2/", "/run/containerd/containerd.sock", NS, "pod");
	char *root = address_for("/", "/run/containerd/containerd.sock", NS, "pod");
	char *bad;

	(void)state;
	/* the same hash as file name, in another directory */
	assert_string_equal(strrchr(def, '/'), strrchr(dir, '/'));
	assert_memory_equal(dir, "unix:///run/c/s2/", 17);
	assert_string_equal(dir, slash);
	assert_memory_equal(root, "unix:///", 8);
	assert_int_equal(strlen(root), 8 + 64);
	assert_true(address_is_ours(def, "/run/containerd/containerd.sock", NS, "pod"));
	assert_true(address_is_ours(dir, "/run/containerd/containerd.sock", NS, "pod"));
	assert_true(address_is_ours(root, "/run/containerd/containerd.sock", NS, "pod"));
	assert_false(address_is_ours(dir, "/run/containerd/containerd.sock", NS, "other"));
	assert_false(address_is_ours(dir, "/run/containerd/containerd.sock", "default", "pod"));
	assert_false(address_is_ours(dir, "/other.sock", NS, "pod"));
	assert_false(address_is_ours(dir, NULL, NS, "pod"));
	assert_false(
	    address_is_ours("unix:///etc/passwd", "/run/containerd/containerd.sock", NS, "pod"));
	assert_false(address_is_ours(dir + 7, "/run/containerd/containerd.sock", NS, "pod"));
	bad = xasprintf("unix:///run/c/x/../s2%s", strrchr(dir, '/'));
	assert_false(address_is_ours(bad, "/run/containerd/containerd.sock", NS, "pod"));
	free(bad);
	bad = xasprintf("unix://run/c/s2%s", strrchr(dir, '/'));
	assert_false(address_is_ours(bad, "/run/containerd/containerd.sock", NS, "pod"));
	free(bad);
	bad = xasprintf("%s\n", dir);
	assert_false(address_is_ours(bad, "/run/containerd/containerd.sock", NS, "pod"));
	free(bad);
	free(def), free(dir), free(slash), free(root);
}

static int
bind_at(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fd, 1), 0);
	return fd;
}

static void
socket_remove_stale(void **state)
{
	char dir[] = "/tmp/husk-rm-XXXXXX";
	char *sock, *file, *link;
	struct err err = {0};
	struct stat st;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	sock = xasprintf("%s/sock", dir);
	file = xasprintf("%s/file", dir);
	link = xasprintf("%s/link", dir);
	fd = bind_at(sock);
	assert_int_equal(address_remove_stale(sock, &err), 0); /* alive: kept */
	assert_int_equal(lstat(sock, &st), 0);
	assert_int_equal(symlink(sock, link), 0);
	close(fd);
	assert_int_equal(address_remove_stale(link, &err), -1); /* a symlink is not a socket */
	assert_int_equal(lstat(sock, &st), 0);
	assert_int_equal(lstat(link, &st), 0);
	assert_int_equal(address_remove_stale(sock, &err), 1); /* stale: removed */
	assert_int_equal(lstat(sock, &st), -1);
	assert_int_equal(address_remove_stale(sock, &err), 0); /* absent */
	fd = open(file, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	close(fd);
	err_clear(&err);
	assert_int_equal(address_remove_stale(file, &err), -1);
	assert_int_equal(err.code, EINVAL);
	assert_non_null(strstr(err.msg, "not a socket"));
	assert_int_equal(lstat(file, &st), 0);
	unlink(file), unlink(link), rmdir(dir);
	free(sock), free(file), free(link);
}

/* 107 bytes is the longest path (containerd 2.3's 42-byte socket_dir + "/" + 64); one more is
 * refused with the path in the message. */
static void
socket_path_limit(void **state)
{
	char base[] = "/tmp/husk-lim-XXXXXX", path[256], dir[128];
	struct err err = {0};
	bool in_use;
	size_t n;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(base));
	n = 42 - strlen(base) - 1;
	snprintf(dir, sizeof(dir), "%s/%0*d", base, (int)n, 0);
	assert_int_equal(strlen(dir), 42);
	snprintf(path, sizeof(path), "%s/%064d", dir, 0);
	assert_int_equal(strlen(path), SHIM_SOCKET_LIMIT);
	fd = address_listen(path, &in_use, &err);
	assert_true(fd >= 0);
	assert_true(address_alive(path));
	close(fd);
	assert_int_equal(address_remove_stale(path, &err), 1);
	snprintf(path, sizeof(path), "%s/%065d", dir, 0);
	assert_int_equal(address_listen(path, &in_use, &err), -1);
	assert_int_equal(err.code, ENAMETOOLONG);
	assert_non_null(strstr(err.msg, path));
	assert_non_null(strstr(err.msg, "socket_dir"));
	rmdir(dir);
	rmdir(base);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(stdin_empty_and_any),
	    cmocka_unit_test(stdin_bootstrap_params),
	    cmocka_unit_test(stdin_params_of_another_task),
	    cmocka_unit_test(stdin_garbage),
	    cmocka_unit_test(stdin_read_fd),
	    cmocka_unit_test(sched_core_env),
	    cmocka_unit_test(socket_dir_clean),
	    cmocka_unit_test(socket_dir_address),
	    cmocka_unit_test(socket_remove_stale),
	    cmocka_unit_test(socket_path_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
