/* cg_join: a process moves itself into its cgroup (see cg_join_prepare in cgroups.h for why). */
#include "cg_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/xalloc.h"

static int
join_open_v1(const struct cg *cg, struct cg_join *j, struct err *err)
{
	const char *h[CG_CTRL_COUNT];
	size_t n = cg__v1_mounts(cg->root, h, ARRAY_SIZE(h));

	for (size_t i = 0; i < n; i++) {
		cleanup_free char *dir = cg__join(h[i], cg->path);
		char *path;
		int fd;

		if (cg->is_opened && !cg__is_dir(dir))
			continue; /* a hierarchy mounted after the container was created */
		path = cg__join(dir, "tasks");
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0) {
			err_sys(err, "open %s", path);
			free(path);
			return -1;
		}
		j->tasks[j->n_tasks] = fd;
		j->tasks_path[j->n_tasks++] = path;
	}
	return 0;
}

static int
join_open_v2(const struct cg *cg, struct cg_join *j, struct err *err)
{
	cleanup_free char *dir = cg__join(cg->root->unified, cg->path);

	if (cg->root->mode == CG_MODE_HYBRID && cg->is_opened && !cg__is_dir(dir))
		return 0;
	j->dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (j->dirfd < 0)
		return err_sys(err, "open %s", dir);
	j->procs_path = cg__join(dir, "cgroup.procs");
	j->procs = open(j->procs_path, O_WRONLY | O_CLOEXEC);
	if (j->procs < 0)
		return err_sys(err, "open %s", j->procs_path);
	return 0;
}

int
cg_join_prepare(const struct cg *cg, struct cg_join *j, struct err *err)
{
	memset(j, 0, sizeof(*j));
	j->dirfd = j->procs = -1;
	if (cg->root->mode != CG_MODE_V2 && join_open_v1(cg, j, err) < 0)
		goto fail;
	if (cg->root->mode != CG_MODE_V1 && cg->root->unified && join_open_v2(cg, j, err) < 0)
		goto fail;
	return 0;
fail:
	cg_join_close(j);
	return err_wrap(err, "join cgroup %s", cg->path);
}

static int
write_zero(int fd, const char *path, struct err *err)
{
	ssize_t n;

	do
		n = write(fd, "0", 1);
	while (n < 0 && errno == EINTR);
	if (n != 1)
		return err_sys(err, "join cgroup: write to %s", path);
	return 0;
}

int
cg_join_self(const struct cg_join *j, bool born_in_v2, struct err *err)
{
	for (size_t i = 0; i < j->n_tasks; i++)
		if (write_zero(j->tasks[i], j->tasks_path[i], err) < 0)
			return -1;
	if (!born_in_v2 && j->procs >= 0 && write_zero(j->procs, j->procs_path, err) < 0)
		return -1;
	return 0;
}

void
cg_join_close(struct cg_join *j)
{
	for (size_t i = 0; i < j->n_tasks; i++) {
		close(j->tasks[i]);
		free(j->tasks_path[i]);
	}
	j->n_tasks = 0;
	if (j->dirfd >= 0)
		close(j->dirfd);
	if (j->procs >= 0)
		close(j->procs);
	free(j->procs_path);
	j->procs_path = NULL;
	j->dirfd = j->procs = -1;
}
