/* error.h: the error object every fallible libcontainer call fills, carrying a message chain and errno. */
#ifndef OCIRUN_ERROR_H
#define OCIRUN_ERROR_H

#include <stdarg.h>

/*
 * Convention: a fallible function returns int, 0 on success and a negative
 * value on failure, and on failure fills *err (which must be NULL on entry).
 * Callers add context with oci_error_wrap(), which prefixes the message:
 *   mounts[3] "/data": mount tmpfs: No such device
 */
struct oci_error {
    int errnum;  /* errno of the innermost failure, 0 if none */
    char *msg;   /* full message, innermost text last */
};
typedef struct oci_error *oci_err_t;

/* Set *err to a new error; when errnum != 0 ": strerror(errnum)" is appended.
 * Returns -1 (or -errnum when errnum > 0) so callers can `return oci_error_set(...)`. */
int oci_error_set(oci_err_t *err, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int oci_error_setv(oci_err_t *err, int errnum, const char *fmt, va_list ap);

/* The same with errnum recorded for callers (oci_error_errno) but not appended: for messages
 * that say it better themselves, e.g. a timeout that names what it waited for. */
int oci_error_set_code(oci_err_t *err, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prefix the existing error with "context: ". Returns the same value as oci_error_set. */
int oci_error_wrap(oci_err_t *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* errno of the error (0 if none / NULL). */
int oci_error_errno(const oci_err_t *err);

void oci_error_free(oci_err_t *err);

/* Convenience: `return oci_error_sys(err, "open %s", path);` records errno. */
#define oci_error_sys(err, ...) oci_error_set((err), errno, __VA_ARGS__)

#endif
