/* log.h: runtime logging to stderr or the --log file, in text or runc-compatible JSON lines. */
#ifndef OCIRUN_LOG_H
#define OCIRUN_LOG_H

#include <stdbool.h>
#include <stddef.h>

enum oci_log_level { OCI_LOG_DEBUG, OCI_LOG_INFO, OCI_LOG_WARN, OCI_LOG_ERROR };
enum oci_log_format { OCI_LOG_TEXT, OCI_LOG_JSON };

/* path NULL: log to stderr. Returns 0 or -1 with errno (the file could not be opened). */
int oci_log_init(const char *path, enum oci_log_format format, bool debug);
bool oci_log_debug_enabled(void);
void oci_log(enum oci_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define oci_debug(...) do { if (oci_log_debug_enabled()) oci_log(OCI_LOG_DEBUG, __VA_ARGS__); } while (0)
#define oci_warn(...) oci_log(OCI_LOG_WARN, __VA_ARGS__)
#define oci_log_error(...) oci_log(OCI_LOG_ERROR, __VA_ARGS__)

/* --debug phase timings. A timer collects "name N us" entries into one line; every call is a
 * no-op (no clock read) without --debug, so the hot path pays nothing. */
struct oci_phases {
    unsigned long long last_ns;
    size_t len;
    char text[512];
};
void oci_phases_start(struct oci_phases *ph);
/* Close the phase that ran since the previous mark (or start) under NAME. */
void oci_phase(struct oci_phases *ph, const char *name);
/* Log the collected phases as one debug line "WHAT: a N us, b N us, ..." */
void oci_phases_log(const struct oci_phases *ph, const char *what);

/* The fd of the log file (-1 when logging to stderr): the container's setup process keeps it. */
int oci_log_fd(void);

#endif
