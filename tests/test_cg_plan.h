/* Rendering a cgroups write plan as text for exact comparisons in the plan tests. */
#ifndef TESTS_TEST_CG_PLAN_H
#define TESTS_TEST_CG_PLAN_H

#include "cgroups/cg_internal.h"
#include "test_cg_util.h"

/* One line per write: "<controller> <file>=<value>[ flags]", flags O D V B. */
static inline char *
tcg_plan_str(const struct cg_plan *p)
{
	size_t cap = 64, n = 0;
	char *s = xcalloc(1, cap);

	for (size_t i = 0; i < p->n; i++) {
		const struct cg_write *w = &p->w[i];
		char flags[8] = "";
		size_t f = 0;
		char *line;

		if (w->flags & CG_W_OPTIONAL)
			flags[f++] = 'O';
		if (w->flags & CG_W_DEFER_EINVAL)
			flags[f++] = 'D';
		if (w->flags & CG_W_VERIFY)
			flags[f++] = 'V';
		if (w->flags & CG_W_BEST_EFFORT)
			flags[f++] = 'B';
		line = xasprintf("%s %s=%s%s%s\n", cg_controller_name(w->ctrl), w->file, w->value,
				 f ? " " : "", flags);
		while (n + strlen(line) + 1 > cap)
			cap *= 2;
		s = xrealloc(s, cap);
		memcpy(s + n, line, strlen(line) + 1);
		n += strlen(line);
		free(line);
	}
	return s;
}

#define assert_plan(p, want)                                                                       \
	do {                                                                                       \
		char *got_ = tcg_plan_str(p);                                                      \
		if (strcmp(got_, (want)) != 0)                                                     \
			fail_msg("plan:\n%s--- want:\n%s", got_, (want));                          \
		free(got_);                                                                        \
	} while (0)

#endif
