/* alloc.c: allocation that aborts on OOM, and the cleanup of malloc'd pointers: the bottom of libcontainer. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ocirun/core/alloc.h"

void cleanup_freep(void *p)
{
    free(*(void **) p);
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (p == NULL)
        abort();
    return p;
}

void *xzalloc(size_t n)
{
    void *p = calloc(1, n ? n : 1);
    if (p == NULL)
        abort();
    return p;
}

void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (p == NULL)
        abort();
    return p;
}

char *xstrdup(const char *s)
{
    char *r;

    if (s == NULL)
        return NULL;
    r = strdup(s);
    if (r == NULL)
        abort();
    return r;
}

char *xstrndup(const char *s, size_t n)
{
    char *r = strndup(s, n);
    if (r == NULL)
        abort();
    return r;
}

char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    char *r;
    int n;

    va_start(ap, fmt);
    n = vasprintf(&r, fmt, ap);
    va_end(ap);
    if (n < 0)
        abort();
    return r;
}
