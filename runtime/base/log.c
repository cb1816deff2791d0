#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int log_out = -1;
static enum log_format log_form = LOG_TEXT;
static enum log_level log_max = LOG_WARN;

static const char *const log_names[] = {"error", "warning", "info", "debug"};

void
log_init(int fd, enum log_format fmt, enum log_level max)
{
	log_out = fd;
	log_form = fmt;
	log_max = max;
}

int
log_open(const char *path, enum log_format fmt, enum log_level max, struct err *err)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);

	if (fd < 0)
		return err_sys(err, "open log %s", path);
	log_init(fd, fmt, max);
	return 0;
}

bool
log_enabled(enum log_level l)
{
	return l <= log_max;
}

int
log_fd(void)
{
	return log_out >= 0 ? log_out : 2;
}

size_t
log_json_escape(char *buf, size_t cap, const char *s)
{
	size_t n = 0;

	for (; *s && n + 7 < cap; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			buf[n++] = '\\';
			buf[n++] = (char)c;
		} else if (c == '\n') {
			buf[n++] = '\\';
			buf[n++] = 'n';
		} else if (c == '\t') {
			buf[n++] = '\\';
			buf[n++] = 't';
		} else if (c < 0x20) {
			n += (size_t)snprintf(buf + n, cap - n, "\\u%04x", c);
		} else {
			buf[n++] = (char)c;
		}
	}
	buf[n] = '\0';
	return n;
}

void
log_msg(enum log_level l, const char *fmt, ...)
{
	char msg[1024], esc[2100], line[2300], ts[64];
	struct timespec now;
	struct tm tm;
	int saved = errno;
	va_list ap;
	int n;

	if (!log_enabled(l))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	n = (int)strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(ts + n, sizeof(ts) - (size_t)n, ".%09ldZ", now.tv_nsec);
	log_json_escape(esc, sizeof(esc), msg);
	if (log_form == LOG_JSON)
		n = snprintf(line, sizeof(line), "{\"level\":\"%s\",\"msg\":\"%s\",\"time\":\"%s\"}\n",
			     log_names[l], esc, ts);
	else
		n = snprintf(line, sizeof(line), "time=\"%s\" level=%s msg=\"%s\"\n", ts, log_names[l],
			     esc);
	if (n > (int)sizeof(line) - 1)
		n = (int)sizeof(line) - 1;
	if (write(log_fd(), line, (size_t)n) < 0) {
		/* nowhere left to report it */
	}
	errno = saved;
}
