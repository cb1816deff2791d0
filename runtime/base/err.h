/* err: fixed-size error values passed by pointer, last argument of fallible functions. */
#ifndef BASE_ERR_H
#define BASE_ERR_H

#include <stddef.h>

#define PRINTF(a, b) __attribute__((format(printf, a, b)))

struct err {
	int code;      /* errno value, 0 if none */
	char msg[512]; /* human readable, most specific context first-wrapped */
};

/* All return -1 so callers can write `return err_set(...)`. */
int err_set(struct err *e, int code, const char *fmt, ...) PRINTF(3, 4);
int err_sys(struct err *e, const char *fmt, ...) PRINTF(2, 3); /* code = errno, appends strerror */
int err_wrap(struct err *e, const char *fmt, ...) PRINTF(2, 3); /* prefixes "context: " */
void err_clear(struct err *e);

#endif
