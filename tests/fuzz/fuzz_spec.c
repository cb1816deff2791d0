/* fuzz_spec: config.json text into rt_spec_parse, and the same bytes into rt_process_parse and
 * rt_resources_parse. Besides the sanitizers' checks, the parsers' contract is checked: success
 * gives a complete struct, failure gives EINVAL with the document's name first and no output. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "spec.h"

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond))                                                                       \
			abort();                                                                   \
	} while (0)

static void
check_failure(const struct err *err, const char *prefix)
{
	CHECK(err->code == EINVAL);
	CHECK(strncmp(err->msg, prefix, strlen(prefix)) == 0);
	CHECK(memchr(err->msg, '\0', sizeof(err->msg)) != NULL);
}

static void
check_process(const struct rt_process *p)
{
	CHECK(p->args != NULL && p->args[0] != NULL);
	CHECK(p->env != NULL);
	CHECK(p->cwd != NULL && p->cwd[0] == '/');
	CHECK(p->oom_score_adj >= -1000 && p->oom_score_adj <= 1000);
	for (size_t i = 0; i < p->n_rlimits; i++)
		CHECK(rt_rlimit_name(p->rlimits[i].type) != NULL);
}

static void
check_spec(const struct rt_spec *s)
{
	CHECK(s->oci_version != NULL && s->oci_version[0] != '\0');
	if (s->process != NULL)
		check_process(s->process);
	for (size_t i = 0; i < s->n_mounts; i++)
		CHECK(s->mounts[i].destination != NULL && s->mounts[i].options != NULL);
	for (int k = 0; k < RT_HOOK_NKINDS; k++)
		for (size_t i = 0; i < s->hooks.n_hooks[k]; i++)
			CHECK(!s->hooks.hooks[k][i].has_timeout ||
			      s->hooks.hooks[k][i].timeout > 0);
	CHECK(s->linux.masked_paths != NULL && s->linux.readonly_paths != NULL);
	for (size_t i = 0; i < s->linux.n_devices; i++)
		CHECK(strchr("cbup", s->linux.devices[i].type) != NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *json = (const char *)data;
	struct rt_spec *s = NULL;
	struct rt_process *p = NULL;
	struct cg_resources r;
	struct err err = {0};

	if (rt_spec_parse(json, size, &s, &err) == 0) {
		CHECK(s != NULL);
		check_spec(s);
		rt_spec_free(s);
	} else {
		CHECK(s == NULL);
		check_failure(&err, "config.json: ");
	}
	err_clear(&err);
	if (rt_process_parse(json, size, &p, &err) == 0) {
		CHECK(p != NULL);
		check_process(p);
		rt_process_free(p);
	} else {
		CHECK(p == NULL);
		check_failure(&err, "process: ");
	}
	err_clear(&err);
	memset(&r, 0, sizeof(r));
	if (rt_resources_parse(json, size, &r, &err) == 0)
		cg_resources_fini(&r);
	else
		check_failure(&err, "resources: ");
	return 0;
}
