/* log.c: log lines to stderr or the --log file, in runc's (logrus') text or JSON line formats. */
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

/* logrus' level names: engines match them in the JSON lines. */
static const char *const level_names[] = { "debug", "info", "warning", "error" };

int oci_log_init(const char *path, enum oci_log_format format, bool debug)
{
    log_format = format;
    log_debug = debug;
    if (log_fd >= 0)
        close(log_fd);
    log_fd = -1;
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

/* Length of the valid UTF-8 sequence at s (1-4), or 0 when s[0] does not start one. */
static int utf8_len(const unsigned char *s)
{
    int n;
    unsigned int cp;

    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xc2 && s[0] <= 0xdf)
        n = 2, cp = s[0] & 0x1f;
    else if (s[0] >= 0xe0 && s[0] <= 0xef)
        n = 3, cp = s[0] & 0x0f;
    else if (s[0] >= 0xf0 && s[0] <= 0xf4)
        n = 4, cp = s[0] & 0x07;
    else
        return 0;
    for (int i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3f);
    }
    /* overlong forms, UTF-16 surrogates and code points past U+10FFFF are not UTF-8 */
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return n;
}

/* A JSON string as Go's encoding/json writes it (logrus' JSON formatter uses it): <, > and &
 * as \u003c.., U+2028/U+2029 escaped, bytes that are not UTF-8 as U+FFFD. */
static void put_json_string(FILE *f, const char *str)
{
    const unsigned char *s = (const unsigned char *) str;

    fputc('"', f);
    while (*s) {
        int n = utf8_len(s);
        if (n == 0) {
            fputs("\\ufffd", f);
            s++;
        } else if (n > 1) {
            if (n == 3 && s[0] == 0xe2 && s[1] == 0x80 && (s[2] == 0xa8 || s[2] == 0xa9))
                fprintf(f, "\\u202%c", s[2] == 0xa8 ? '8' : '9');
            else
                fwrite(s, 1, (size_t) n, f);
            s += n;
        } else {
            unsigned char c = *s++;
            if (c == '"' || c == '\\')
                fprintf(f, "\\%c", c);
            else if (c == '\n')
                fputs("\\n", f);
            else if (c == '\r')
                fputs("\\r", f);
            else if (c == '\t')
                fputs("\\t", f);
            else if (c < 0x20 || c == '<' || c == '>' || c == '&')
                fprintf(f, "\\u%04x", c);
            else
                fputc(c, f);
        }
    }
    fputc('"', f);
}

/* logrus' text formatter quotes a value unless it is only letters, digits and -._/@^+ */
static bool text_needs_quotes(const char *s)
{
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              strchr("-._/@^+", *s)))
            return true;
    return false;
}

/* A value quoted as Go's %q (strconv.Quote) does: C escapes, \xNN for other control bytes and
 * bytes that are not UTF-8; valid UTF-8 is kept (Go also escapes the few non-printable runes
 * above U+007F: not worth a Unicode table here). */
static void put_text_value(FILE *f, const char *str)
{
    static const char esc_from[] = "\a\b\f\n\r\t\v";
    static const char esc_to[] = "abfnrtv";
    const unsigned char *s = (const unsigned char *) str;

    if (!text_needs_quotes(str)) {
        fputs(str, f);
        return;
    }
    fputc('"', f);
    while (*s) {
        int n = utf8_len(s);
        const char *e = *s ? strchr(esc_from, *s) : NULL;
        if (n > 1) {
            fwrite(s, 1, (size_t) n, f);
            s += n;
            continue;
        }
        if (*s == '"' || *s == '\\')
            fprintf(f, "\\%c", *s);
        else if (e != NULL)
            fprintf(f, "\\%c", esc_to[e - esc_from]);
        else if (n == 0 || *s < 0x20 || *s == 0x7f)
            fprintf(f, "\\x%02x", *s);
        else
            fputc(*s, f);
        s++;
    }
    fputc('"', f);
}

/* Go's time.RFC3339 (logrus' default): seconds, here always UTC ("Z"). */
static void log_time(char *buf, size_t len)
{
    struct timespec ts;
    struct tm tm;

    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Format one line: runc's shapes, but an error on stderr in text form is "ocirun: MESSAGE"
 * (as ocirun always printed its errors: users and scripts read that line). */
static void format_line(FILE *f, enum oci_log_level level, const char *msg)
{
    char ts[32];

    if (log_format == OCI_LOG_TEXT && log_fd < 0 && level == OCI_LOG_ERROR) {
        fprintf(f, "ocirun: %s\n", msg);
        return;
    }
    log_time(ts, sizeof(ts));
    if (log_format == OCI_LOG_JSON) {
        fprintf(f, "{\"level\":\"%s\",\"msg\":", level_names[level]);
        put_json_string(f, msg);
        fprintf(f, ",\"time\":\"%s\"}\n", ts);
    } else {
        fprintf(f, "time=\"%s\" level=%s msg=", ts, level_names[level]);
        put_text_value(f, msg);
        fputc('\n', f);
    }
}

void oci_log(enum oci_log_level level, const char *fmt, ...)
{
    cleanup_free char *msg = NULL;
    char *line = NULL;
    size_t line_len = 0;
    va_list ap;
    FILE *f;
    int saved = errno;

    if (level == OCI_LOG_DEBUG && !log_debug)
        return;
    va_start(ap, fmt);
    if (vasprintf(&msg, fmt, ap) < 0)
        abort();
    va_end(ap);

    f = open_memstream(&line, &line_len);
    if (f == NULL)
        abort();
    format_line(f, level, msg);
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
