/* xalloc: allocation that aborts on out-of-memory (it is not an error path). */
#ifndef BASE_XALLOC_H
#define BASE_XALLOC_H

#include <stddef.h>

#include "err.h"

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
void *xreallocarray(void *p, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) PRINTF(1, 2);
/* Frees a NULL-terminated array of strings and the array itself. */
void strv_free(char **v);
size_t strv_len(char *const *v);
char **strv_dup(char *const *v);

#endif
