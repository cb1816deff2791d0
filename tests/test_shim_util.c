/* Unit tests for the shim's pure helpers. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "shim/address.h"
#include "shim/args.h"
#include "shim/process.h"
#include "shim/rootfs.h"
#include "shim/sha256.h"
#include "shim/stdio_uri.h"

static void
args_containerd_forms(void **state)
{
	char *argv[] = {"shim",
	                "-namespace",
	                "k8s.io",
	                "--address=/run/c.sock",
	                "-publish-binary",
	                "/usr/bin/containerd",
	                "-id",
	                "c1",
	                "-debug",
	                "start",
	                NULL};
	struct shim_args a;
	struct err err = {0};

	(void)state;
	assert_int_equal(args_parse(10, argv, &a, &err), 0);
	assert_string_equal(a.ns, "k8s.io");
	assert_string_equal(a.address, "/run/c.sock");
	assert_string_equal(a.publish_bin, "/usr/bin/containerd");
	assert_string_equal(a.id, "c1");
	assert_true(a.debug);
	assert_string_equal(a.action, "start");
}

static void
args_delete_and_bools(void **state)
{
	char *argv[] = {"shim", "-id", "c1", "-bundle", "/b", "-debug=false", "delete", NULL};
	char *info[] = {"shim", "-info", NULL};
	char *v[] = {"shim", "--v", NULL};
	struct shim_args a;
	struct err err = {0};

	(void)state;
	assert_int_equal(args_parse(7, argv, &a, &err), 0);
	assert_string_equal(a.bundle, "/b");
	assert_false(a.debug);
	assert_string_equal(a.action, "delete");
	assert_string_equal(a.ns, "default");
	assert_int_equal(args_parse(2, info, &a, &err), 0);
	assert_true(a.info);
	assert_null(a.action);
	assert_int_equal(args_parse(2, v, &a, &err), 0);
	assert_true(a.version);
}

static void
args_errors(void **state)
{
	char *unknown[] = {"shim", "-bogus", "start", NULL};
	char *missing[] = {"shim", "-id", NULL};
	char *badbool[] = {"shim", "-debug=maybe", NULL};
	struct shim_args a;
	struct err err = {0};

	(void)state;
	assert_int_equal(args_parse(3, unknown, &a, &err), -1);
	assert_non_null(strstr(err.msg, "-bogus"));
	assert_int_equal(args_parse(2, missing, &a, &err), -1);
	assert_non_null(strstr(err.msg, "-id"));
	assert_int_equal(args_parse(2, badbool, &a, &err), -1);
	assert_int_equal(err.code, EINVAL);
}

static void
sha256_vectors(void **state)
{
	char hex[2 * SHA256_LEN + 1];
	char *million = malloc(1000000);

	(void)state;
	sha256_hex("", 0, hex);
	assert_string_equal(hex,
	                    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	sha256_hex("abc", 3, hex);
	assert_string_equal(hex,
	                    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, hex);
	assert_string_equal(hex,
	                    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	memset(million, 'a', 1000000);
	sha256_hex(million, 1000000, hex);
	assert_string_equal(hex,
	                    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(million);
}

static void
address_scheme(void **state)
{
	char *a = address_for(NULL, "/run/containerd/containerd.sock", "default", "c1");
	char *same = address_for(NULL, "/run/containerd/containerd.sock", "default", "c1");
	char *other_ns = address_for(NULL, "/run/containerd/containerd.sock", "k8s.io", "c1");
	char *other_grp = address_for(NULL, "/run/containerd/containerd.sock", "default", "c2");
	char runc_hex[2 * SHA256_LEN + 1];
	const char *in = "/run/containerd/containerd.sock/default/c1";

	(void)state;
	assert_int_equal(strlen(a), strlen("unix:///run/containerd/s/") + 64);
	assert_memory_equal(a, "unix:///run/containerd/s/", 25);
	assert_string_equal(a, same);
	assert_string_not_equal(a, other_ns);
	assert_string_not_equal(a, other_grp);
	/* never the runc shim's sha256(join(address, ns, id)) */
	sha256_hex(in, strlen(in), runc_hex);
	assert_null(strstr(a, runc_hex));
	assert_string_equal(address_path(a), a + 7);
	assert_null(address_path("/no/scheme"));
	free(a), free(same), free(other_ns), free(other_grp);
}

static void
address_listen_reuse_and_stale(void **state)
{
	char dir[] = "/tmp/husk-addr-XXXXXX", path[128];
	struct err err = {0};
	bool in_use = false;
	int fd, fd2;
	struct stat st;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/s/sock", dir);
	fd = address_listen(path, &in_use, &err);
	assert_true(fd >= 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	snprintf(path, sizeof(path), "%s/s", dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	snprintf(path, sizeof(path), "%s/s/sock", dir);
	assert_true(address_alive(path));
	assert_int_equal(address_listen(path, &in_use, &err), -1);
	assert_true(in_use);
	close(fd); /* the file stays: a stale socket */
	assert_false(address_alive(path));
	fd2 = address_listen(path, &in_use, &err);
	assert_true(fd2 >= 0);
	assert_false(in_use);
	close(fd2);
	unlink(path);
	snprintf(path, sizeof(path), "%s/s", dir);
	rmdir(path);
	rmdir(dir);
	memset(path, 'x', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	assert_int_equal(address_listen(path, &in_use, &err), -1);
	assert_int_equal(err.code, ENAMETOOLONG);
}

static void
uri_kinds(void **state)
{
	struct stdio_uri u;
	struct err err = {0};

	(void)state;
	assert_int_equal(stdio_uri_parse("", &u, &err), 0);
	assert_int_equal(u.kind, STDIO_NONE);
	stdio_uri_fini(&u);
	assert_int_equal(stdio_uri_parse("/run/containerd/fifo/1/c-stdout", &u, &err), 0);
	assert_int_equal(u.kind, STDIO_PATH);
	assert_string_equal(u.path, "/run/containerd/fifo/1/c-stdout");
	stdio_uri_fini(&u);
	assert_int_equal(stdio_uri_parse("file:///var/log/a%20b.log", &u, &err), 0);
	assert_int_equal(u.kind, STDIO_FILE);
	assert_string_equal(u.path, "/var/log/a b.log");
	stdio_uri_fini(&u);
	assert_int_equal(stdio_uri_parse("binary:///usr/bin/logger?id=x&tag=a+b&flag", &u, &err),
	                 0);
	assert_int_equal(u.kind, STDIO_BINARY);
	assert_string_equal(u.path, "/usr/bin/logger");
	assert_string_equal(u.args[0], "id");
	assert_string_equal(u.args[1], "x");
	assert_string_equal(u.args[2], "tag");
	assert_string_equal(u.args[3], "a b");
	assert_string_equal(u.args[4], "flag");
	assert_string_equal(u.args[5], "");
	assert_null(u.args[6]);
	stdio_uri_fini(&u);
	assert_int_equal(stdio_uri_parse("binary-v2:///usr/bin/logger", &u, &err), 0);
	assert_int_equal(u.kind, STDIO_BINARY);
	assert_true(u.ready_byte);
	stdio_uri_fini(&u);
}

static void
uri_errors(void **state)
{
	struct stdio_uri u;
	struct err err = {0};

	(void)state;
	assert_int_equal(stdio_uri_parse("fifo:///x", &u, &err), -1);
	assert_non_null(strstr(err.msg, "unknown STDIO scheme fifo"));
	assert_int_equal(stdio_uri_parse("file://host/x", &u, &err), -1);
	assert_int_equal(stdio_uri_parse("file:///x%zz", &u, &err), -1);
	assert_int_equal(stdio_uri_parse("binary:///x?a=%4", &u, &err), -1);
	assert_int_equal(err.code, EINVAL);
}

static void
rootfs_options(void **state)
{
	char *o1[] = {"ro", "rbind", "nosuid", "rw", "ro", "mode=0755", "size=1m"};
	char *o2[] = {"index=off", "workdir=/w", "upperdir=/u", "lowerdir=/a:/b", "defaults"};
	char *o3[] = {"bind", "loop"};
	char *bad[] = {"a,b"};
	unsigned long fl;
	char *data = NULL;
	bool loop;
	struct err err = {0};

	(void)state;
	assert_int_equal(rootfs_parse_options(o1, 7, &fl, &data, &loop, &err), 0);
	assert_int_equal(fl, MS_RDONLY | MS_BIND | MS_REC | MS_NOSUID);
	assert_string_equal(data, "mode=0755,size=1m");
	assert_false(loop);
	free(data);
	assert_int_equal(rootfs_parse_options(o2, 5, &fl, &data, &loop, &err), 0);
	assert_int_equal(fl, 0);
	assert_string_equal(data, "index=off,workdir=/w,upperdir=/u,lowerdir=/a:/b");
	free(data);
	assert_int_equal(rootfs_parse_options(o3, 2, &fl, &data, &loop, &err), 0);
	assert_true(loop);
	free(data);
	assert_int_equal(rootfs_parse_options(bad, 1, &fl, &data, &loop, &err), -1);
	assert_int_equal(err.code, EINVAL);
}

static void
rootfs_long_lowerdir(void **state)
{
	char *data = malloc(8192), *dir = NULL;
	size_t n;

	(void)state;
	n = (size_t)sprintf(data, "workdir=/w,lowerdir=");
	for (int i = 0; i < 120; i++)
		n += (size_t)sprintf(data + n, "%s/var/lib/containerd/snapshots/%d/fs",
		                     i ? ":" : "", i);
	strcat(data, ",upperdir=/u");
	rootfs_compact_lowerdir(data, &dir);
	assert_non_null(dir);
	assert_string_equal(dir, "/var/lib/containerd/snapshots/");
	assert_non_null(strstr(data, "workdir=/w,lowerdir=0/fs:1/fs:2/fs:"));
	assert_non_null(strstr(data, ":119/fs,upperdir=/u"));
	free(dir);
	strcpy(data, "lowerdir=/a:/b");
	rootfs_compact_lowerdir(data, &dir); /* short: untouched */
	assert_null(dir);
	assert_string_equal(data, "lowerdir=/a:/b");
	free(data);
}

static void
proc_state_machine(void **state)
{
	struct proc *p = proc_new(NULL, "c1", true);
	struct err err = {0};

	(void)state;
	assert_int_equal(p->state, PROC_CREATED);
	assert_false(proc_is_live(p));
	assert_int_equal(proc_transition(p, PROC_PAUSED, &err), -1);
	assert_int_equal(err.code, EBUSY);
	assert_non_null(strstr(err.msg, "created to paused"));
	assert_int_equal(proc_transition(p, PROC_RUNNING, &err), 0);
	assert_true(proc_is_live(p));
	assert_int_equal(proc_transition(p, PROC_PAUSED, &err), 0);
	assert_true(proc_is_live(p));
	assert_int_equal(proc_transition(p, PROC_DELETED, &err), -1);
	assert_int_equal(proc_transition(p, PROC_RUNNING, &err), 0);
	assert_int_equal(proc_transition(p, PROC_STOPPED, &err), 0);
	assert_int_equal(proc_transition(p, PROC_RUNNING, &err), -1);
	assert_int_equal(proc_transition(p, PROC_DELETED, &err), 0);
	assert_int_equal(proc_transition(p, PROC_CREATED, &err), -1);
	proc_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(args_containerd_forms),
	    cmocka_unit_test(args_delete_and_bools),
	    cmocka_unit_test(args_errors),
	    cmocka_unit_test(sha256_vectors),
	    cmocka_unit_test(address_scheme),
	    cmocka_unit_test(address_listen_reuse_and_stale),
	    cmocka_unit_test(uri_kinds),
	    cmocka_unit_test(uri_errors),
	    cmocka_unit_test(rootfs_options),
	    cmocka_unit_test(rootfs_long_lowerdir),
	    cmocka_unit_test(proc_state_machine),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
