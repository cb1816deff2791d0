/* pump: copies one non-blocking fd to another on the event loop, until EOF on the source.
 * splice(2) when the kernel allows it for the pair (pipes, FIFOs, files), else a bounded
 * buffer. Backpressure: while the sink cannot take more, the source is not read. */
#ifndef SHIM_PUMP_H
#define SHIM_PUMP_H

#include <stdbool.h>
#include <stddef.h>

#define PUMP_BUF 65536

struct event_base;
struct pump;

/* Runs once, when the source hit EOF (or an error) and everything read was written (or the
 * sink failed). The pump is idle afterwards; free it when convenient. */
typedef void (*pump_done_cb)(struct pump *p, void *arg);

#define PUMP_OWN_SRC 0x1 /* close src on free */
#define PUMP_OWN_DST 0x2 /* close dst when done or on free */
/* Neither fd may be a terminal's only handle if the caller still needs it: see flags. */
struct pump *pump_new(struct event_base *base, int src, int dst, unsigned flags, pump_done_cb cb,
                      void *arg);
void pump_free(struct pump *p);
bool pump_is_done(const struct pump *p);
/* Moves what is available right now without waiting (before an exit is reported). */
void pump_flush(struct pump *p);
/* Bytes copied so far. */
unsigned long long pump_bytes(const struct pump *p);
/* True once the source read EOF (not when the sink failed). */
bool pump_src_eof(const struct pump *p);
/* Stops reading the source and finishes (used when the sink's reader is gone for good). */
void pump_stop(struct pump *p);

#endif
