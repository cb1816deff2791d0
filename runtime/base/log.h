/* log: one line per message on stderr or a log file, logfmt (text) or JSON lines as runc writes. */
#ifndef BASE_LOG_H
#define BASE_LOG_H

#include <stdbool.h>

#include "err.h"

enum log_level { LOG_ERROR = 0, LOG_WARN, LOG_INFO, LOG_DEBUG };
enum log_format { LOG_TEXT = 0, LOG_JSON };

/* fd is borrowed; -1 means stderr. */
void log_init(int fd, enum log_format fmt, enum log_level max);
/* Opens path for appending and uses it; returns -1 with err on failure. */
int log_open(const char *path, enum log_format fmt, enum log_level max, struct err *err);
bool log_enabled(enum log_level l);
int log_fd(void);
void log_msg(enum log_level l, const char *fmt, ...) PRINTF(2, 3);

#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

/* Writes s as a JSON string body (without quotes) into buf; returns bytes written. */
size_t log_json_escape(char *buf, size_t cap, const char *s);

#endif
