/* cleanup: scope-exit helpers (gcc/clang cleanup attribute). Declare at the top, initialised. */
#ifndef BASE_CLEANUP_H
#define BASE_CLEANUP_H

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline void
cleanup_free_fn(void *p)
{
	free(*(void **)p);
}

static inline void
cleanup_close_fn(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}

static inline void
cleanup_fclose_fn(FILE **f)
{
	if (*f)
		fclose(*f);
}

static inline void
cleanup_dir_fn(DIR **d)
{
	if (*d)
		closedir(*d);
}

#define cleanup_free __attribute__((cleanup(cleanup_free_fn)))
#define cleanup_close __attribute__((cleanup(cleanup_close_fn)))
#define cleanup_fclose __attribute__((cleanup(cleanup_fclose_fn)))
#define cleanup_dir __attribute__((cleanup(cleanup_dir_fn)))

/* Hand an owned fd out of a cleanup_close variable. */
static inline int
take_fd(int *fd)
{
	int r = *fd;
	*fd = -1;
	return r;
}

/* Hand an owned pointer out of a cleanup_free variable. */
#define take_ptr(p)                                                                                \
	({                                                                                         \
		__typeof__(p) take_ptr_tmp_ = (p);                                                 \
		(p) = NULL;                                                                        \
		take_ptr_tmp_;                                                                     \
	})

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
