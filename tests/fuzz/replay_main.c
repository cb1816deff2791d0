/* replay_main: runs a fuzz target over its corpus without libFuzzer, printing TAP so
 * tests/run-all.sh counts one test per input. A crash (or sanitizer report, with SAN=1) ends the
 * run early and the unreported inputs count as failed.
 *
 *	replay_<name> [FILE|DIR]...
 *
 * Without arguments it reads FUZZ_TOPDIR/tests/fuzz/corpus/<name>/, <name> coming from the
 * program name (replay_spec -> spec). Files starting with '.' are skipped; the order is sorted. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"

#ifndef FUZZ_TOPDIR
#define FUZZ_TOPDIR "."
#endif

__attribute__((weak)) int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	return 0;
}

struct inputs {
	char **paths;
	size_t n, cap;
};

static void
inputs_add(struct inputs *in, char *path)
{
	if (in->n == in->cap) {
		in->cap = in->cap ? 2 * in->cap : 64;
		in->paths = realloc(in->paths, in->cap * sizeof(char *));
		if (in->paths == NULL)
			abort();
	}
	in->paths[in->n++] = path;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Adds every regular file of dir (not recursive); -1 if dir cannot be read. */
static int
inputs_add_dir(struct inputs *in, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t first = in->n;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL) {
		char *p;
		struct stat st;
		if (e->d_name[0] == '.')
			continue;
		if (asprintf(&p, "%s/%s", dir, e->d_name) < 0)
			abort();
		if (stat(p, &st) == 0 && S_ISREG(st.st_mode))
			inputs_add(in, p);
		else
			free(p);
	}
	closedir(d);
	qsort(in->paths + first, in->n - first, sizeof(char *), cmp_str);
	return 0;
}

static unsigned char *
read_input(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	size_t cap = 0, n = 0;

	if (f == NULL)
		return NULL;
	for (;;) {
		size_t r;
		if (cap - n < 4096) {
			cap = cap ? 2 * cap : 8192;
			buf = realloc(buf, cap);
			if (buf == NULL)
				abort();
		}
		r = fread(buf + n, 1, cap - n, f);
		n += r;
		if (r == 0)
			break;
	}
	fclose(f);
	/* Hand the target a buffer of exactly the input's size, as libFuzzer does, so the
	 * sanitizers catch reads past the end. */
	{
		unsigned char *exact = malloc(n ? n : 1);
		if (exact == NULL)
			abort();
		memcpy(exact, buf, n);
		free(buf);
		buf = exact;
	}
	*len = n;
	return buf;
}

/* The path as printed: relative to the source tree when inside it. */
static const char *
shown(const char *path)
{
	size_t n = strlen(FUZZ_TOPDIR);

	if (strncmp(path, FUZZ_TOPDIR "/", n + 1) == 0)
		return path + n + 1;
	return path;
}

static const char *
target_name(const char *argv0)
{
	const char *base = strrchr(argv0, '/');

	base = base ? base + 1 : argv0;
	if (strncmp(base, "replay_", 7) == 0)
		base += 7;
	return base;
}

int
main(int argc, char **argv)
{
	struct inputs in = {0};
	char *dflt = NULL;
	int failed = 0;

	if (argc < 2) {
		if (asprintf(&dflt, "%s/tests/fuzz/corpus/%s", FUZZ_TOPDIR, target_name(argv[0])) <
		    0)
			abort();
		if (inputs_add_dir(&in, dflt) < 0 || in.n == 0) {
			printf("1..1\nnot ok 1 - no corpus in %s\n", dflt);
			return 1;
		}
	}
	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			if (inputs_add_dir(&in, argv[i]) < 0)
				failed = 1;
		} else {
			inputs_add(&in, strdup(argv[i]));
		}
	}
	LLVMFuzzerInitialize(&argc, &argv);
	printf("1..%zu\n", in.n);
	fflush(stdout);
	for (size_t i = 0; i < in.n; i++) {
		size_t len = 0;
		unsigned char *data = read_input(in.paths[i], &len);
		if (data == NULL) {
			printf("not ok %zu - %s: %s\n", i + 1, shown(in.paths[i]), strerror(errno));
			failed = 1;
		} else {
			LLVMFuzzerTestOneInput(data, len);
			printf("ok %zu - %s\n", i + 1, shown(in.paths[i]));
			free(data);
		}
		fflush(stdout);
		free(in.paths[i]);
	}
	free(in.paths);
	free(dflt);
	return failed;
}
