/* trim: hands memory back to the kernel after a burst of work. A shim lives as long as its
 * containers and idles nearly all that time; what a Create or an Exec allocated and freed (heap
 * chunks, stack pages) would otherwise stay resident in every shim. trim_soon() arms a one-shot
 * timer: when it fires, malloc_trim() returns the free heap pages and the stack pages below the
 * running frame are dropped. */
#ifndef SHIM_TRIM_H
#define SHIM_TRIM_H

struct event_base;
struct trim;

/* After the last request of a burst (requests meanwhile do not push it back). */
#define TRIM_DELAY_MS 200

struct trim *trim_new(struct event_base *base);
void trim_free(struct trim *t);
/* Trims in TRIM_DELAY_MS unless a trim is already due. */
void trim_soon(struct trim *t);
/* Trims now. */
void trim_now(void);

#endif
