/* Helpers shared by the cgroups unit tests: a temporary directory of fake cgroup files. Static
 * functions only (each test binary includes it once). */
#ifndef TESTS_TEST_CG_UTIL_H
#define TESTS_TEST_CG_UTIL_H

#include <errno.h>
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

#include "base/cleanup.h"
#include "base/fdutil.h"
#include "base/xalloc.h"

/* A fresh temp dir; the path is owned by the caller. */
static inline char *
tcg_tmpdir(void)
{
	char *d = xstrdup("/tmp/husk-cgtest-XXXXXX");

	assert_non_null(mkdtemp(d));
	return d;
}

static inline void
tcg_rm(const char *dir)
{
	struct err e = {0};

	if (dir)
		rm_rf(dir, &e);
}

/* rm -rf base/rel */
static inline void
tcg_rm_rel(const char *base, const char *rel)
{
	cleanup_free char *p = xasprintf("%s/%s", base, rel);

	tcg_rm(p);
}

/* mkdir -p base/rel */
static inline void
tcg_mkdir(const char *base, const char *rel)
{
	cleanup_free char *p = xasprintf("%s/%s", base, rel);
	struct err e = {0};

	if (mkdir_p(p, 0755, &e) < 0)
		fail_msg("mkdir %s: %s", p, e.msg);
}

/* Writes base/rel (creating parents) with printf-style content. */
static inline void PRINTF(3, 4)
tcg_file(const char *base, const char *rel, const char *fmt, ...)
{
	cleanup_free char *p = xasprintf("%s/%s", base, rel), *text = NULL;
	cleanup_free char *dir = xstrdup(p);
	struct err e = {0};
	va_list ap;
	FILE *f;

	*strrchr(dir, '/') = '\0';
	if (mkdir_p(dir, 0755, &e) < 0)
		fail_msg("mkdir %s: %s", dir, e.msg);
	va_start(ap, fmt);
	assert_true(vasprintf(&text, fmt, ap) >= 0);
	va_end(ap);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* Empty files base/dir/<name> for each name. */
static inline void
tcg_files(const char *base, const char *dir, const char *const *names)
{
	for (; *names; names++) {
		cleanup_free char *rel = xasprintf("%s/%s", dir, *names);
		tcg_file(base, rel, "%s", "");
	}
}

/* Contents of base/rel, owned; fails the test when absent. */
static inline char *
tcg_read(const char *base, const char *rel)
{
	cleanup_free char *p = xasprintf("%s/%s", base, rel);
	struct err e = {0};
	char *text = NULL;

	if (read_file_at(-1, p, &text, NULL, &e) < 0)
		fail_msg("%s", e.msg);
	return text;
}

#define assert_cg_file(base, rel, want)                                                            \
	do {                                                                                       \
		char *got_ = tcg_read((base), (rel));                                              \
		if (strcmp(got_, (want)) != 0)                                                     \
			fail_msg("%s: got \"%s\", want \"%s\"", (rel), got_, (want));              \
		free(got_);                                                                        \
	} while (0)

static inline bool
tcg_exists(const char *base, const char *rel)
{
	cleanup_free char *p = xasprintf("%s/%s", base, rel);

	return access(p, F_OK) == 0;
}

#endif
