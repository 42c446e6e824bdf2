/* log.c: log lines to stderr or the --log file, as text or runc's JSON ({"level","msg","time"}). */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "ocirun/core/log.h"
#include "ocirun/core/utils.h"

static int log_fd = -1;
static enum oci_log_format log_format = OCI_LOG_TEXT;
static bool log_debug;

static const char *const level_names[] = { "debug", "info", "warning", "error" };

int oci_log_init(const char *path, enum oci_log_format format, bool debug)
{
    log_format = format;
    log_debug = debug;
    if (path == NULL || *path == '\0')
        return 0;
    log_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    return log_fd < 0 ? -1 : 0;
}

bool oci_log_debug_enabled(void)
{
    return log_debug;
}

int oci_log_fd(void)
{
    return log_fd;
}

/* JSON string escaping for the msg field: engines parse these lines. */
static void append_json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = *s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c == '\n')
            fputs("\\n", f);
        else if (c == '\t')
            fputs("\\t", f);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

void oci_log(enum oci_log_level level, const char *fmt, ...)
{
    cleanup_free char *msg = NULL;
    char *line = NULL;
    size_t line_len = 0;
    char ts[64];
    va_list ap;
    FILE *f;
    int saved = errno;

    if (level == OCI_LOG_DEBUG && !log_debug)
        return;
    va_start(ap, fmt);
    if (vasprintf(&msg, fmt, ap) < 0)
        abort();
    va_end(ap);

    now_rfc3339(ts, sizeof(ts));
    f = open_memstream(&line, &line_len);
    if (f == NULL)
        abort();
    if (log_format == OCI_LOG_JSON) {
        fprintf(f, "{\"level\":\"%s\",\"msg\":", level_names[level]);
        append_json_string(f, msg);
        fprintf(f, ",\"time\":\"%s\"}\n", ts);
    } else if (log_fd >= 0) {
        fprintf(f, "%s %s: %s\n", ts, level_names[level], msg);
    } else {
        fprintf(f, "ocirun: %s%s%s\n", level == OCI_LOG_ERROR ? "" : level_names[level],
                level == OCI_LOG_ERROR ? "" : ": ", msg);
    }
    fclose(f);
    /* One write per line so concurrent writers (engine + runtime) don't interleave. */
    if (write_all(log_fd >= 0 ? log_fd : STDERR_FILENO, line, line_len) < 0) {
        /* nowhere left to report */
    }
    free(line);
    errno = saved;
}

void oci_phases_start(struct oci_phases *ph)
{
    ph->len = 0;
    ph->text[0] = '\0';
    ph->last_ns = log_debug ? now_ns() : 0;
}

void oci_phase(struct oci_phases *ph, const char *name)
{
    unsigned long long now;
    int n;

    if (!log_debug || ph->len >= sizeof(ph->text))
        return;
    now = now_ns();
    n = snprintf(ph->text + ph->len, sizeof(ph->text) - ph->len, "%s%s %llu us", ph->len ? ", " : "", name,
                 (now - ph->last_ns) / 1000);
    ph->len = n < 0 ? sizeof(ph->text) : ph->len + (size_t) n;
    ph->last_ns = now;
}

void oci_phases_log(const struct oci_phases *ph, const char *what)
{
    if (log_debug && ph->len)
        oci_log(OCI_LOG_DEBUG, "%s: %s", what, ph->text);
}
