/* create: the runtime side of container creation (create.c) and the container init's side
 * (create_child.c). Internal to runtime/. */
#ifndef RUNTIME_CREATE_H
#define RUNTIME_CREATE_H

#include <stdbool.h>
#include <sys/types.h>

#include "cgroups/cgroups.h"
#include "rt_internal.h"
#include "seccomp.h"

struct cg;
struct cg_root;

/* Everything one create needs, prepared by the parent before fork; the child reads it. */
struct create_job {
	const struct rt_ctx *ctx;
	const struct rt_create_opts *o;
	const struct rt_spec *spec;
	struct rt_spec *spec_owned; /* owned, when we loaded it */
	char *bundle;		    /* owned, absolute */
	char *config_path;	    /* owned */
	const char *config_text;    /* the bytes spec was parsed from, NULL if unknown */
	size_t config_len;
	char *config_owned;	    /* owned: config_text when create read the file */
	char *rootfs;		    /* owned, absolute, resolved */
	char *state_dir;	    /* owned */
	bool state_dir_made;
	int state_dirfd;	    /* O_PATH of state_dir */
	struct cg_root *cgroot;	    /* owned */
	struct cg *cg;		    /* owned */
	bool cg_made;
	struct cg_join cgj; /* the child moves itself in (cg_join_self) */
	bool cg_born;	    /* the child was born in the cgroup2 directory */
	struct seccomp_prog seccomp;
	bool has_seccomp;
	int ns_fds[RT_NS_NKINDS];
	int *idmap_fds; /* owned, NULL if none: per spec mount, its idmapped tree or -1 */
	int sock[2];	/* [0] parent, [1] child */
	pid_t parent; /* the runtime's pid, for the child's death-signal check */
	pid_t c1;     /* first child; == pid when no second fork was needed */
	pid_t pid;    /* the container init */
	int last_cap;
	bool setgroups_allowed;
	bool fast;	 /* one clone(2) with the namespace flags: nothing to join, no offsets */
	bool hooks_sync; /* some hook runs during create or start: child and runtime meet */
	char *hook_state; /* owned: state JSON for the creating-phase hooks */
};

/* The container init's side: never returns. */
void __attribute__((noreturn)) create_child_main(struct create_job *j);

#endif
