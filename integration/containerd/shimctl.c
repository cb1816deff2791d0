/* shimctl: a small ttrpc client for tests: talks to a running containerd-shim-husk-v2 the way
 * containerd does, and can also misbehave on purpose.
 *   shimctl SOCKET NS state ID [EXEC] | connect ID | pids ID | stats ID | checkpoint ID
 *          | closeio ID [EXEC]         (stdin, as a client whose input ended)
 *          | update ID RESOURCES_JSON | wait-while-state ID   (Wait and State on one conn)
 *          | garbage                   (a frame of unknown type: that connection only ends)
 *          | oversize                  (a 5 MiB frame: ResourceExhausted, connection goes on)
 *          | create ID BUNDLE [-o STDOUT] [-e STDERR] [-m TYPE SOURCE OPTS]...
 *                                      (Create; each -m one rootfs mount, OPTS comma-separated
 *                                       fstab words or "" for none; prints "OK create pid=N")
 *          | start ID [EXEC] | kill ID SIGNAL | wait ID [EXEC] | delete ID [EXEC] | shutdown
 *          | exec-bench ID N PROCESS_JSON (N timed Exec/Wait+Start/Delete on one connection)
 * Prints one line per answer: "OK ..." or "ERR <code> <message>". Exit 0 unless the socket fails.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "proto/cgroups/v1/metrics.pb-c.h"
#include "proto/cgroups/v2/metrics.pb-c.h"
#include "proto/google/protobuf/empty.pb-c.h"
#include "proto/pb.h"
#include "proto/task/v2/shim.pb-c.h"
#include "proto/types/mount.pb-c.h"
#include "proto/ttrpc/request.pb-c.h"
#include "shim/ttrpc_client.h"
#include "shim/ttrpc_conn.h"
#include "shim/ttrpc_frame.h"

#define TASK "containerd.task.v2.Task"

struct answer {
	int done;
	enum ttrpc_code code;
	char msg[600];
	uint8_t *payload;
	size_t len;
};

static void
on_answer(void *arg, enum ttrpc_code code, const char *msg, const uint8_t *payload, size_t len)
{
	struct answer *a = arg;

	a->done = 1;
	a->code = code;
	snprintf(a->msg, sizeof(a->msg), "%s", msg ? msg : "");
	if (len) {
		a->payload = malloc(len);
		memcpy(a->payload, payload, len);
	}
	a->len = len;
}

static int
dial(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror(path);
		exit(2);
	}
	return fd;
}

/* Writes pending output, then reads until every answer in as[] is done (or EOF / 10 s).
 * Returns 0, or -1 on EOF. */
static int
pump(int fd, struct ttrpc_conn *c, struct answer **as, size_t n)
{
	const uint8_t *p;
	size_t len;
	uint8_t buf[65536];
	struct err err = {0};

	while ((len = ttrpc_conn_output(c, &p)) > 0) {
		ssize_t w = write(fd, p, len);
		if (w <= 0)
			return -1;
		ttrpc_conn_consume(c, (size_t)w);
	}
	for (;;) {
		size_t done = 0;
		for (size_t i = 0; i < n; i++)
			done += as[i]->done ? 1 : 0;
		if (done == n)
			return 0;
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		if (poll(&pfd, 1, 10000) <= 0)
			return -1;
		ssize_t r = read(fd, buf, sizeof(buf));
		if (r <= 0 || ttrpc_conn_feed(c, buf, (size_t)r, &err) < 0)
			return -1;
	}
}

static void
print(const char *what, const struct answer *a)
{
	if (a->code == TTRPC_OK)
		printf("OK %s\n", what);
	else
		printf("ERR %d %s\n", a->code, a->msg);
}

/* One call on a fresh connection; the answer is returned (payload owned by the caller). */
static struct answer
call(const char *sock, const char *ns, const char *method, const ProtobufCMessage *req)
{
	struct ttrpc_conn *c = ttrpc_conn_new(NULL);
	struct answer a = {0}, *ap = &a;
	struct err err = {0};
	int fd = dial(sock);

	ttrpc_conn_call(c, TASK, method, req, ns, on_answer, &a, &err);
	if (pump(fd, c, &ap, 1) < 0 && !a.done) {
		a.code = TTRPC_UNAVAILABLE;
		snprintf(a.msg, sizeof(a.msg), "connection closed");
	}
	ttrpc_conn_free(c);
	close(fd);
	return a;
}

static int
cmd_stats(const char *sock, const char *ns, const char *id)
{
	Containerd__Task__V2__StatsRequest r = CONTAINERD__TASK__V2__STATS_REQUEST__INIT;
	Containerd__Task__V2__StatsResponse *resp;
	struct answer a;

	r.id = (char *)id;
	a = call(sock, ns, "Stats", &r.base);
	if (a.code != TTRPC_OK) {
		print("", &a);
		return 0;
	}
	resp = containerd__task__v2__stats_response__unpack(NULL, a.len, a.payload);
	if (!resp || !resp->stats) {
		printf("ERR bad StatsResponse\n");
		return 0;
	}
	if (pb_any_is(resp->stats, "io.containerd.cgroups.v1.Metrics")) {
		Io__Containerd__Cgroups__V1__Metrics *m =
		    io__containerd__cgroups__v1__metrics__unpack(NULL, resp->stats->value.len,
		                                                 resp->stats->value.data);
		printf("OK %s memory.usage=%llu pids.current=%llu cpu.total=%llu\n",
		       resp->stats->type_url,
		       m && m->memory && m->memory->usage
		           ? (unsigned long long)m->memory->usage->usage
		           : 0,
		       m && m->pids ? (unsigned long long)m->pids->current : 0,
		       m && m->cpu && m->cpu->usage ? (unsigned long long)m->cpu->usage->total : 0);
		if (m)
			io__containerd__cgroups__v1__metrics__free_unpacked(m, NULL);
	} else {
		Io__Containerd__Cgroups__V2__Metrics *m =
		    io__containerd__cgroups__v2__metrics__unpack(NULL, resp->stats->value.len,
		                                                 resp->stats->value.data);
		printf("OK %s memory.usage=%llu pids.current=%llu\n", resp->stats->type_url,
		       m && m->memory ? (unsigned long long)m->memory->usage : 0,
		       m && m->pids ? (unsigned long long)m->pids->current : 0);
		if (m)
			io__containerd__cgroups__v2__metrics__free_unpacked(m, NULL);
	}
	containerd__task__v2__stats_response__free_unpacked(resp, NULL);
	free(a.payload);
	return 0;
}

static int
cmd_state(const char *sock, const char *ns, const char *id, const char *exec)
{
	Containerd__Task__V2__StateRequest r = CONTAINERD__TASK__V2__STATE_REQUEST__INIT;
	Containerd__Task__V2__StateResponse *s;
	struct answer a;

	r.id = (char *)id;
	r.exec_id = (char *)(exec ? exec : "");
	a = call(sock, ns, "State", &r.base);
	if (a.code != TTRPC_OK) {
		print("", &a);
		return 0;
	}
	s = containerd__task__v2__state_response__unpack(NULL, a.len, a.payload);
	printf("OK id=%s pid=%u status=%d exit=%u exited_at=%lld\n", s->id, s->pid, s->status,
	       s->exit_status, s->exited_at ? (long long)s->exited_at->seconds : 0);
	containerd__task__v2__state_response__free_unpacked(s, NULL);
	free(a.payload);
	return 0;
}

/* Wait (blocks until the exit) and then State on the same connection: State must come back
 * first, while Wait is still pending. */
static int
cmd_wait_while_state(const char *sock, const char *ns, const char *id)
{
	Containerd__Task__V2__WaitRequest w = CONTAINERD__TASK__V2__WAIT_REQUEST__INIT;
	Containerd__Task__V2__StateRequest s = CONTAINERD__TASK__V2__STATE_REQUEST__INIT;
	struct ttrpc_conn *c = ttrpc_conn_new(NULL);
	struct answer aw = {0}, as = {0}, *ap = &as;
	struct err err = {0};
	int fd = dial(sock);

	w.id = s.id = (char *)id;
	ttrpc_conn_call(c, TASK, "Wait", &w.base, ns, on_answer, &aw, &err);
	ttrpc_conn_call(c, TASK, "State", &s.base, ns, on_answer, &as, &err);
	pump(fd, c, &ap, 1);
	printf("%s state answered while wait %s\n", as.done && as.code == TTRPC_OK ? "OK" : "ERR",
	       aw.done ? "was already answered" : "is pending");
	ttrpc_conn_free(c);
	close(fd);
	free(as.payload);
	free(aw.payload);
	return 0;
}

/* Sends a frame of unknown type: that connection is closed; a new one still works. */
static int
cmd_garbage(const char *sock, const char *ns)
{
	Containerd__Task__V2__ConnectRequest r = CONTAINERD__TASK__V2__CONNECT_REQUEST__INIT;
	struct ttrpc_header h = {.length = 3, .stream_id = 1, .type = 9};
	uint8_t frame[TTRPC_HEADER_LEN + 3] = {0};
	int fd = dial(sock);
	char b;
	struct answer a;

	ttrpc_header_encode(&h, frame);
	if (write(fd, frame, sizeof(frame)) != (ssize_t)sizeof(frame))
		return 2;
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	poll(&pfd, 1, 5000);
	printf("%s garbage connection closed\n", read(fd, &b, 1) == 0 ? "OK" : "ERR");
	close(fd);
	r.id = (char *)"";
	a = call(sock, ns, "Connect", &r.base);
	print("a new connection still works", &a);
	free(a.payload);
	return 0;
}

/* A Request frame over 4 MiB: ResourceExhausted on that stream, the connection goes on. */
static int
cmd_oversize(const char *sock, const char *ns)
{
	Containerd__Task__V2__ConnectRequest r = CONTAINERD__TASK__V2__CONNECT_REQUEST__INIT;
	struct ttrpc_header h = {.length = 5u << 20, .stream_id = 1, .type = TTRPC_REQUEST};
	struct ttrpc_conn *c = ttrpc_conn_new(NULL);
	uint8_t hdr[TTRPC_HEADER_LEN], *junk = calloc(1, h.length), buf[4096];
	struct answer a = {0}, *ap = &a;
	struct ttrpc_reader rd;
	struct ttrpc_frame f = {0};
	enum ttrpc_read res = TTRPC_READ_MORE;
	struct err err = {0};
	int fd = dial(sock);

	ttrpc_header_encode(&h, hdr);
	if (!junk || write(fd, hdr, sizeof(hdr)) < 0) {
		perror("oversize");
		exit(2);
	}
	for (size_t off = 0; off < h.length;) {
		ssize_t w = write(fd, junk + off, h.length - off);
		if (w <= 0) {
			perror("oversize");
			exit(2);
		}
		off += (size_t)w;
	}
	ttrpc_reader_init(&rd);
	while (res != TTRPC_READ_FRAME) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n <= 0)
			break;
		ttrpc_reader_feed(&rd, buf, (size_t)n, &f, &res);
	}
	if (res == TTRPC_READ_FRAME) {
		Ttrpc__Response *resp = ttrpc__response__unpack(NULL, f.hdr.length, f.data);
		printf("%s oversize answered with code %d\n",
		       resp && resp->status && resp->status->code == TTRPC_RESOURCE_EXHAUSTED
		           ? "OK"
		           : "ERR",
		       resp && resp->status ? resp->status->code : 0);
		if (resp)
			ttrpc__response__free_unpacked(resp, NULL);
		ttrpc_frame_fini(&f);
	} else {
		printf("ERR oversize not answered\n");
	}
	ttrpc_reader_fini(&rd);
	/* stream ids must increase: the client's next id is 1, use 3 by burning one */
	r.id = (char *)"";
	ttrpc_conn_call(c, TASK, "Connect", &r.base, ns, on_answer, &(struct answer){0}, &err);
	ttrpc_conn_consume(c, ttrpc_conn_output(c, &(const uint8_t *){NULL}));
	ttrpc_conn_call_cancel(c, 1);
	ttrpc_conn_call(c, TASK, "Connect", &r.base, ns, on_answer, &a, &err);
	pump(fd, c, &ap, 1);
	print("same connection still works", &a);
	ttrpc_conn_free(c);
	free(junk);
	free(a.payload);
	close(fd);
	return 0;
}

/* Prints "OK <what> name=value ..." with the uint32 fields of the answer's message (desc),
 * or "ERR <code> <message>". */
static void
print_u32_fields(const char *what, const struct answer *a, const ProtobufCMessageDescriptor *desc,
                 const char *const *names)
{
	ProtobufCMessage *m;

	if (a->code != TTRPC_OK) {
		print(what, a);
		return;
	}
	m = protobuf_c_message_unpack(desc, NULL, a->len, a->payload);
	if (!m) {
		printf("ERR bad %s reply\n", what);
		return;
	}
	printf("OK %s", what);
	for (const char *const *n = names; *n; n++) {
		const ProtobufCFieldDescriptor *f =
		    protobuf_c_message_descriptor_get_field_by_name(desc, *n);
		if (f && f->type == PROTOBUF_C_TYPE_UINT32)
			printf(" %s=%u", *n, *(const uint32_t *)((const char *)m + f->offset));
	}
	printf("\n");
	protobuf_c_message_free_unpacked(m, NULL);
}

/* start ID [EXEC] | kill ID SIGNAL | wait ID | delete ID | shutdown: prints "OK <cmd> ..."
 * with the answer's pid / exit status. Returns -1 if cmd is none of these. */
static int
cmd_lifecycle(const char *sock, const char *ns, const char *cmd, int argc, char **argv)
{
	static const char *const pid[] = {"pid", NULL};
	static const char *const exit_status[] = {"exit_status", NULL};
	static const char *const both[] = {"pid", "exit_status", NULL};
	static const char *const none[] = {NULL};
	const ProtobufCMessageDescriptor *desc = &google__protobuf__empty__descriptor;
	const char *const *fields = none;
	const char *id = argc > 0 ? argv[0] : "";
	char *exec_id = argc > 1 ? argv[1] : (char *)"";
	struct answer a;

	if (strcmp(cmd, "start") == 0) {
		Containerd__Task__V2__StartRequest r = CONTAINERD__TASK__V2__START_REQUEST__INIT;
		r.id = (char *)id, r.exec_id = exec_id;
		a = call(sock, ns, "Start", &r.base);
		desc = &containerd__task__v2__start_response__descriptor, fields = pid;
	} else if (strcmp(cmd, "kill") == 0 && argc > 1) {
		Containerd__Task__V2__KillRequest r = CONTAINERD__TASK__V2__KILL_REQUEST__INIT;
		r.id = (char *)id, r.exec_id = (char *)"", r.signal = (uint32_t)atoi(argv[1]);
		a = call(sock, ns, "Kill", &r.base);
	} else if (strcmp(cmd, "wait") == 0) {
		Containerd__Task__V2__WaitRequest r = CONTAINERD__TASK__V2__WAIT_REQUEST__INIT;
		r.id = (char *)id, r.exec_id = exec_id;
		a = call(sock, ns, "Wait", &r.base);
		desc = &containerd__task__v2__wait_response__descriptor, fields = exit_status;
	} else if (strcmp(cmd, "delete") == 0) {
		Containerd__Task__V2__DeleteRequest r = CONTAINERD__TASK__V2__DELETE_REQUEST__INIT;
		r.id = (char *)id, r.exec_id = exec_id;
		a = call(sock, ns, "Delete", &r.base);
		desc = &containerd__task__v2__delete_response__descriptor, fields = both;
	} else if (strcmp(cmd, "shutdown") == 0) {
		Containerd__Task__V2__ShutdownRequest r =
		    CONTAINERD__TASK__V2__SHUTDOWN_REQUEST__INIT;
		r.id = (char *)id;
		a = call(sock, ns, "Shutdown", &r.base);
	} else {
		return -1;
	}
	print_u32_fields(cmd, &a, desc, fields);
	free(a.payload);
	return 0;
}

static int
cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

/* exec-bench ID N PROCESS_JSON: N times, on one connection, what containerd sends for
 * `ctr task exec` (Exec with no stdio, Wait and Start together, Delete), timed from the Exec
 * request to the Delete answer. Measures the shim and its runtime without ctr or containerd.
 * Prints "OK exec-bench n=N median_us=M mean_us=A min_us=L" or the first error. */
static int
cmd_exec_bench(const char *sock, const char *ns, int argc, char **argv)
{
	Google__Protobuf__Any any = GOOGLE__PROTOBUF__ANY__INIT;
	struct ttrpc_conn *c = ttrpc_conn_new(NULL);
	long long *us, sum = 0;
	int fd, n, rc = 0;
	char json[65536];
	size_t jlen;
	FILE *f;

	if (argc < 3 || (n = atoi(argv[1])) <= 0) {
		fprintf(stderr, "shimctl: exec-bench ID N PROCESS_JSON\n");
		return 2;
	}
	f = fopen(argv[2], "re");
	if (!f || (jlen = fread(json, 1, sizeof(json), f)) == 0) {
		perror(argv[2]);
		return 2;
	}
	fclose(f);
	any.type_url = (char *)PB_OCI_TYPE_PREFIX "Process";
	any.value.data = (uint8_t *)json;
	any.value.len = jlen;
	us = calloc((size_t)n, sizeof(*us));
	fd = dial(sock);
	for (int i = 0; i < n && rc == 0; i++) {
		Containerd__Task__V2__ExecProcessRequest ex =
		    CONTAINERD__TASK__V2__EXEC_PROCESS_REQUEST__INIT;
		Containerd__Task__V2__WaitRequest wr = CONTAINERD__TASK__V2__WAIT_REQUEST__INIT;
		Containerd__Task__V2__StartRequest sr = CONTAINERD__TASK__V2__START_REQUEST__INIT;
		Containerd__Task__V2__DeleteRequest dr = CONTAINERD__TASK__V2__DELETE_REQUEST__INIT;
		struct answer a[4] = {{0}}, *ap[4] = {&a[0], &a[1], &a[2], &a[3]};
		struct timespec t0, t1;
		struct err err = {0};
		char eid[64];

		snprintf(eid, sizeof(eid), "bench-%d-%d", (int)getpid(), i);
		ex.id = wr.id = sr.id = dr.id = argv[0];
		ex.exec_id = wr.exec_id = sr.exec_id = dr.exec_id = eid;
		ex.spec = &any;
		ex.stdin = ex.stdout = ex.stderr = (char *)"";
		clock_gettime(CLOCK_MONOTONIC, &t0);
		ttrpc_conn_call(c, TASK, "Exec", &ex.base, ns, on_answer, &a[0], &err);
		if (pump(fd, c, ap, 1) < 0 || a[0].code != TTRPC_OK)
			goto fail;
		ttrpc_conn_call(c, TASK, "Wait", &wr.base, ns, on_answer, &a[1], &err);
		ttrpc_conn_call(c, TASK, "Start", &sr.base, ns, on_answer, &a[2], &err);
		if (pump(fd, c, ap + 1, 2) < 0 || a[1].code != TTRPC_OK || a[2].code != TTRPC_OK)
			goto fail;
		ttrpc_conn_call(c, TASK, "Delete", &dr.base, ns, on_answer, &a[3], &err);
		if (pump(fd, c, ap + 3, 1) < 0 || a[3].code != TTRPC_OK)
			goto fail;
		clock_gettime(CLOCK_MONOTONIC, &t1);
		us[i] = (t1.tv_sec - t0.tv_sec) * 1000000LL + (t1.tv_nsec - t0.tv_nsec) / 1000;
		sum += us[i];
		goto next;
	fail:
		for (int k = 0; k < 4; k++)
			if (a[k].done && a[k].code != TTRPC_OK) {
				print("exec-bench", &a[k]);
				break;
			}
		if (!a[0].done || (a[0].code == TTRPC_OK && !a[3].done && a[1].code == TTRPC_OK &&
		                   a[2].code == TTRPC_OK))
			printf("ERR %d connection closed or timed out\n", TTRPC_UNAVAILABLE);
		rc = 1;
	next:
		for (int k = 0; k < 4; k++)
			free(a[k].payload);
	}
	if (rc == 0) {
		qsort(us, (size_t)n, sizeof(*us), cmp_ll);
		printf("OK exec-bench n=%d median_us=%lld mean_us=%lld min_us=%lld\n", n,
		       n % 2 ? us[n / 2] : (us[n / 2 - 1] + us[n / 2]) / 2, sum / n, us[0]);
	}
	free(us);
	ttrpc_conn_free(c);
	close(fd);
	return rc;
}

/* Splits "a,b,c" into a NULL-terminated vector ("" -> none); n_out: the count. */
static char **
split_opts(const char *s, size_t *n_out)
{
	char **v = calloc(strlen(s) / 2 + 2, sizeof(*v)), *dup = strdup(s), *save = NULL;
	size_t n = 0;

	for (char *t = strtok_r(dup, ",", &save); t; t = strtok_r(NULL, ",", &save))
		v[n++] = strdup(t);
	free(dup);
	*n_out = n;
	return v;
}

/* create ID BUNDLE [-o STDOUT] [-e STDERR] [-m TYPE SOURCE OPTS]... */
static int
cmd_create(const char *sock, const char *ns, int argc, char **argv)
{
	Containerd__Task__V2__CreateTaskRequest r = CONTAINERD__TASK__V2__CREATE_TASK_REQUEST__INIT;
	Containerd__Types__Mount *mounts, **mp;
	struct answer a;

	if (argc < 2) {
		fprintf(stderr,
		        "shimctl: create ID BUNDLE [-o STDOUT] [-e STDERR] [-m T S O]...\n");
		return 2;
	}
	mounts = calloc((size_t)argc, sizeof(*mounts));
	mp = calloc((size_t)argc, sizeof(*mp));
	r.id = argv[0];
	r.bundle = argv[1];
	r.rootfs = mp;
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) {
			r.stdout = argv[++i];
		} else if (strcmp(argv[i], "-e") == 0 && i + 1 < argc) {
			r.stderr = argv[++i];
		} else if (strcmp(argv[i], "-m") == 0 && i + 3 < argc) {
			Containerd__Types__Mount *m = &mounts[r.n_rootfs];
			containerd__types__mount__init(m);
			m->type = argv[i + 1];
			m->source = argv[i + 2];
			m->options = split_opts(argv[i + 3], &m->n_options);
			mp[r.n_rootfs++] = m;
			i += 3;
		} else {
			fprintf(stderr, "shimctl: create: bad argument %s\n", argv[i]);
			exit(2);
		}
	}
	a = call(sock, ns, "Create", &r.base);
	print_u32_fields("create", &a, &containerd__task__v2__create_task_response__descriptor,
	                 (const char *const[]){"pid", NULL});
	for (size_t i = 0; i < r.n_rootfs; i++) {
		for (size_t k = 0; k < mounts[i].n_options; k++)
			free(mounts[i].options[k]);
		free(mounts[i].options);
	}
	free(mounts);
	free(mp);
	free(a.payload);
	return 0;
}

int
main(int argc, char **argv)
{
	const char *sock, *ns, *cmd, *id;
	struct answer a = {0};

	if (argc < 4) {
		fprintf(stderr, "usage: shimctl SOCKET NS COMMAND [ARGS]\n");
		return 2;
	}
	sock = argv[1], ns = argv[2], cmd = argv[3], id = argc > 4 ? argv[4] : "";
	if (strcmp(cmd, "create") == 0)
		return cmd_create(sock, ns, argc - 4, argv + 4);
	if (strcmp(cmd, "exec-bench") == 0)
		return cmd_exec_bench(sock, ns, argc - 4, argv + 4);
	if (cmd_lifecycle(sock, ns, cmd, argc - 4, argv + 4) == 0)
		return 0;
	if (strcmp(cmd, "garbage") == 0)
		return cmd_garbage(sock, ns);
	if (strcmp(cmd, "oversize") == 0)
		return cmd_oversize(sock, ns);
	if (strcmp(cmd, "stats") == 0)
		return cmd_stats(sock, ns, id);
	if (strcmp(cmd, "state") == 0)
		return cmd_state(sock, ns, id, argc > 5 ? argv[5] : NULL);
	if (strcmp(cmd, "wait-while-state") == 0)
		return cmd_wait_while_state(sock, ns, id);
	if (strcmp(cmd, "checkpoint") == 0) {
		Containerd__Task__V2__CheckpointTaskRequest r =
		    CONTAINERD__TASK__V2__CHECKPOINT_TASK_REQUEST__INIT;
		r.id = (char *)id;
		a = call(sock, ns, "Checkpoint", &r.base);
	} else if (strcmp(cmd, "update") == 0 && argc > 5) {
		Containerd__Task__V2__UpdateTaskRequest r =
		    CONTAINERD__TASK__V2__UPDATE_TASK_REQUEST__INIT;
		Google__Protobuf__Any any = GOOGLE__PROTOBUF__ANY__INIT;
		any.type_url = (char *)PB_OCI_TYPE_PREFIX "LinuxResources";
		any.value.data = (uint8_t *)argv[5];
		any.value.len = strlen(argv[5]);
		r.id = (char *)id;
		r.resources = &any;
		a = call(sock, ns, "Update", &r.base);
	} else if (strcmp(cmd, "closeio") == 0) {
		Containerd__Task__V2__CloseIORequest r = CONTAINERD__TASK__V2__CLOSE_IOREQUEST__INIT;
		r.id = (char *)id;
		r.exec_id = argc > 5 ? argv[5] : (char *)"";
		r.stdin = 1;
		a = call(sock, ns, "CloseIO", &r.base);
	} else if (strcmp(cmd, "connect") == 0) {
		Containerd__Task__V2__ConnectRequest r =
		    CONTAINERD__TASK__V2__CONNECT_REQUEST__INIT;
		r.id = (char *)id;
		a = call(sock, ns, "Connect", &r.base);
		if (a.code == TTRPC_OK) {
			Containerd__Task__V2__ConnectResponse *cr =
			    containerd__task__v2__connect_response__unpack(NULL, a.len, a.payload);
			printf("OK shim_pid=%u task_pid=%u\n", cr->shim_pid, cr->task_pid);
			containerd__task__v2__connect_response__free_unpacked(cr, NULL);
			free(a.payload);
			return 0;
		}
	} else {
		fprintf(stderr, "shimctl: unknown command %s\n", cmd);
		return 2;
	}
	print(cmd, &a);
	free(a.payload);
	return 0;
}
