/* report.h: the problems a validation finds: the first one ends it (create), or every one is kept (check). */
#ifndef OCIRUN_REPORT_H
#define OCIRUN_REPORT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include "ocirun/core/error.h"

/*
 * One set of rules serves two callers. `create` wants the first problem as its error and stops
 * there (a report with err set); `check` wants every problem (a report without err: the
 * messages are kept in order). A rule records a problem with oci_report_add and returns what
 * it returns: non-zero means "stop now" (first-problem mode), 0 means "go on with the next
 * rule" (collecting mode). So a rule reads
 *     if (bad && oci_report_add(r, 0, "process.cwd: ...") < 0)
 *         return -1;
 * and costs nothing more than before when nothing is wrong.
 */
struct oci_report {
    oci_err_t *err;      /* first-problem mode: the problem is set here */
    char **lines;        /* collecting mode: every problem, in the order found */
    size_t len;
};

/* A report that stops at the first problem, which goes to *err (never NULL). */
#define OCI_REPORT_FIRST(errp) ((struct oci_report) { .err = (errp) })

/* Record a problem (": strerror(errnum)" appended when errnum > 0). First-problem mode: sets
 * *err and returns what oci_error_set returns (negative). Collecting: keeps it, returns 0. */
int oci_report_add(struct oci_report *r, int errnum, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int oci_report_addv(struct oci_report *r, int errnum, const char *fmt, va_list ap);

/* Record the error in *e (set by a call that reports through oci_err_t) the same way; *e is
 * moved (first-problem mode) or freed (collecting). */
int oci_report_err(struct oci_report *r, oci_err_t *e);

/* Whether every problem is kept (check) rather than the first returned (create). */
static inline bool oci_report_collecting(const struct oci_report *r)
{
    return r->err == NULL;
}

/* Problems recorded so far (collecting mode; first-problem mode: 1 once one is set). */
size_t oci_report_count(const struct oci_report *r);

void oci_report_free(struct oci_report *r);

#endif
