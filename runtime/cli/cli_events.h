/* cli_events: `husk events [--stats] [--interval D] ID`: runc's event JSON lines
 * ({"type":"stats","id":...,"data":{...}} and {"type":"oom","id":...}) from the container's
 * cgroup statistics and OOM watch. */
#ifndef CLI_CLI_EVENTS_H
#define CLI_CLI_EVENTS_H

#include "cli.h"

struct cg_stats;

/* runc's types.Event with types.Stats data, from cgroup v1 or v2 statistics (v2 converted as
 * runc's fs2 does). Sorts s's raw and hugetlb arrays. Owned, no newline. */
char *cli_events_stats_json(const char *id, struct cg_stats *s);
char *cli_events_oom_json(const char *id);

int cli_events(struct cli_ctx *ctx, int argc, char **argv, struct err *err);

#endif
