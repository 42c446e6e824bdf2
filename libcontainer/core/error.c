/* error.c: the error object: creation with errno text, context wrapping, release. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ocirun/core/alloc.h"
#include "ocirun/core/error.h"

static int error_return_value(int errnum)
{
    return errnum > 0 ? -errnum : -1;
}

int oci_error_setv(oci_err_t *err, int errnum, const char *fmt, va_list ap)
{
    char *text = NULL;

    if (vasprintf(&text, fmt, ap) < 0)
        abort();
    if (err == NULL) {
        free(text);
        return error_return_value(errnum);
    }
    oci_error_free(err);
    *err = xzalloc(sizeof(**err));
    (*err)->errnum = errnum;
    if (errnum > 0) {
        (*err)->msg = xasprintf("%s: %s", text, strerror(errnum));
        free(text);
    } else {
        (*err)->msg = text;
    }
    return error_return_value(errnum);
}

int oci_error_set(oci_err_t *err, int errnum, const char *fmt, ...)
{
    va_list ap;
    int ret;

    va_start(ap, fmt);
    ret = oci_error_setv(err, errnum, fmt, ap);
    va_end(ap);
    return ret;
}

int oci_error_set_code(oci_err_t *err, int errnum, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    oci_error_setv(err, 0, fmt, ap);
    va_end(ap);
    if (err && *err)
        (*err)->errnum = errnum;
    return error_return_value(errnum);
}

int oci_error_wrap(oci_err_t *err, const char *fmt, ...)
{
    cleanup_free char *prefix = NULL;
    va_list ap;
    char *msg;

    if (err == NULL || *err == NULL)
        return -1;
    va_start(ap, fmt);
    if (vasprintf(&prefix, fmt, ap) < 0)
        abort();
    va_end(ap);
    msg = xasprintf("%s: %s", prefix, (*err)->msg);
    free((*err)->msg);
    (*err)->msg = msg;
    return error_return_value((*err)->errnum);
}

int oci_error_errno(const oci_err_t *err)
{
    return (err && *err) ? (*err)->errnum : 0;
}

void oci_error_free(oci_err_t *err)
{
    if (err == NULL || *err == NULL)
        return;
    free((*err)->msg);
    free(*err);
    *err = NULL;
}
