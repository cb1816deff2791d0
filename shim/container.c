#include "container.h"

#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "base/xalloc.h"
#include "cgroups/cgroups.h"
#include "process.h"

struct container *
container_new(struct svc *s, const char *id, const char *bundle)
{
	struct container *c = xcalloc(1, sizeof(*c));

	c->svc = s;
	c->id = xstrdup(id);
	c->bundle = xstrdup(bundle);
	c->init = proc_new(c, id, true);
	return c;
}

void
container_free(struct container *c)
{
	if (!c)
		return;
	while (c->execs) {
		struct proc *p = c->execs;
		c->execs = p->next;
		proc_free(p);
	}
	proc_free(c->init);
	if (c->oom_ev)
		event_free(c->oom_ev);
	cg_oom_close(c->oom);
	cg_free(c->cg);
	free(c->id);
	free(c->bundle);
	free(c->rootfs);
	free(c);
}

struct proc *
container_proc(const struct container *c, const char *exec_id)
{
	if (!exec_id || !*exec_id)
		return c->init;
	for (struct proc *p = c->execs; p; p = p->next)
		if (strcmp(p->id, exec_id) == 0)
			return p;
	return NULL;
}

struct proc *
container_proc_by_pid(const struct container *c, pid_t pid)
{
	if (pid <= 0)
		return NULL;
	if (c->init->pid == pid)
		return c->init;
	for (struct proc *p = c->execs; p; p = p->next)
		if (p->pid == pid)
			return p;
	return NULL;
}

void
container_drop_exec(struct container *c, struct proc *p)
{
	struct proc **pp = &c->execs;

	while (*pp && *pp != p)
		pp = &(*pp)->next;
	if (*pp)
		*pp = p->next;
	proc_free(p);
}

bool
container_has_live_execs(const struct container *c)
{
	for (const struct proc *p = c->execs; p; p = p->next)
		if (proc_is_live(p))
			return true;
	return false;
}
