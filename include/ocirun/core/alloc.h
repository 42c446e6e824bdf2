/* alloc.h: allocation that aborts on OOM and the cleanup attribute for malloc'd pointers. */
#ifndef OCIRUN_ALLOC_H
#define OCIRUN_ALLOC_H

#include <stddef.h>

void cleanup_freep(void *p);
#define cleanup_free __attribute__((cleanup(cleanup_freep)))

/* Hand ownership out of a cleanup variable. */
#define steal_pointer(pp) ({ __typeof__(*(pp)) _p = *(pp); *(pp) = NULL; _p; })

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Allocation that aborts on OOM: a runtime cannot do anything useful without memory. */
void *xmalloc(size_t n);
void *xzalloc(size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);      /* NULL in, NULL out */
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
