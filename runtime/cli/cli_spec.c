#include "cli_spec.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/fdutil.h"
#include "base/xalloc.h"
#include "cli_flags.h"

int
cli_spec(struct cli_ctx *ctx, int argc, char **argv, struct err *err)
{
	const char *bundle = NULL;
	bool rootless = false;
	struct cli_flag flags[] = {
	    CLI_FLAG("bundle, b", CLI_STRING, &bundle, "path to the root of the bundle directory"),
	    CLI_FLAG("rootless", CLI_BOOL, &rootless,
	             "generate a configuration for a rootless container"),
	};
	cleanup_free char *path = NULL, *json = NULL;
	cleanup_close int fd = -1;
	struct cli_args pos;
	int r;

	r = cli_cmd_parse(ctx, flags, ARRAY_SIZE(flags), argc, argv, CLI_ARGS_ANYWHERE, 0, 0, &pos,
	                  err);
	if (r != 0)
		return r < 0 ? -1 : 0;
	cli_args_fini(&pos);
	path = bundle && *bundle ? xasprintf("%s/config.json", bundle) : xstrdup("config.json");
	json = rt_spec_default_json(rootless, geteuid(), getegid());
	if (json == NULL)
		return err_set(err, EIO, "spec: no default configuration");
	/* O_EXCL: an existing config.json (or a symlink there) is never overwritten. */
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd < 0 && errno == EEXIST)
		return err_set(err, EEXIST, "File %s exists. Remove it first", path);
	if (fd < 0)
		return err_sys(err, "create %s", path);
	if (write_all(fd, json, strlen(json), err) < 0) {
		(void)unlink(path);
		return err_wrap(err, "write %s", path);
	}
	return 0;
}
