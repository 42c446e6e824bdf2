/* report.c: problems of a validation, kept in order (check) or turned into the first error (create). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ocirun/core/alloc.h"
#include "ocirun/core/report.h"

int oci_report_addv(struct oci_report *r, int errnum, const char *fmt, va_list ap)
{
    oci_err_t e = NULL;
    int ret = oci_error_setv(&e, errnum, fmt, ap);

    if (r->err) {
        oci_error_free(r->err);
        *r->err = e;
        return ret;
    }
    r->lines = xrealloc(r->lines, (r->len + 1) * sizeof(*r->lines));
    r->lines[r->len++] = steal_pointer(&e->msg);
    oci_error_free(&e);
    return 0;
}

int oci_report_add(struct oci_report *r, int errnum, const char *fmt, ...)
{
    va_list ap;
    int ret;

    va_start(ap, fmt);
    ret = oci_report_addv(r, errnum, fmt, ap);
    va_end(ap);
    return ret;
}

int oci_report_err(struct oci_report *r, oci_err_t *e)
{
    int errnum = oci_error_errno(e);
    int ret;

    if (e == NULL || *e == NULL)
        return oci_report_add(r, 0, "unknown error");
    if (r->err) {
        oci_error_free(r->err);
        *r->err = steal_pointer(e);
        return errnum > 0 ? -errnum : -1;
    }
    /* The errno text is already in the message. */
    ret = oci_report_add(r, 0, "%s", (*e)->msg);
    oci_error_free(e);
    return ret;
}

size_t oci_report_count(const struct oci_report *r)
{
    if (r->err)
        return *r->err != NULL;
    return r->len;
}

void oci_report_free(struct oci_report *r)
{
    for (size_t i = 0; i < r->len; i++)
        free(r->lines[i]);
    free(r->lines);
    r->lines = NULL;
    r->len = 0;
}
