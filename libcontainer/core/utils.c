/* utils.c: cleanup helpers, string vectors, whole-file I/O, number parsing and clocks shared by libcontainer. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include "ocirun/core/utils.h"

void cleanup_closep(int *fd)
{
    if (*fd >= 0) {
        int saved = errno;
        close(*fd);
        errno = saved;
    }
}

void close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

void cleanup_fclosep(FILE **f)
{
    if (*f)
        fclose(*f);
}

void cleanup_closedirp(DIR **d)
{
    if (*d)
        closedir(*d);
}

void cleanup_errorp(oci_err_t *e)
{
    oci_error_free(e);
}

void cleanup_strvp(char ***v)
{
    strv_free(*v);
}

size_t strv_len(char *const *v)
{
    size_t n = 0;

    while (v && v[n])
        n++;
    return n;
}

void strv_free(char **v)
{
    for (size_t i = 0; v && v[i]; i++)
        free(v[i]);
    free(v);
}

ssize_t write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    size_t done = 0;

    while (done < len) {
        ssize_t n = write(fd, p + done, len - done);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        done += n;
    }
    return done;
}

ssize_t read_all(int fd, void *buf, size_t len)
{
    char *p = buf;
    size_t done = 0;

    while (done < len) {
        ssize_t n = read(fd, p + done, len - done);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (n == 0)
            break;
        done += n;
    }
    return done;
}

int read_fd_all(int fd, char **out, size_t *len, oci_err_t *err)
{
    size_t cap = 4096, used = 0;
    cleanup_free char *buf = xmalloc(cap);

    for (;;) {
        ssize_t n;

        if (used + 1 >= cap) {
            cap *= 2;
            buf = xrealloc(buf, cap);
        }
        n = read(fd, buf + used, cap - used - 1);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return oci_error_sys(err, "read");
        }
        if (n == 0)
            break;
        used += n;
    }
    buf[used] = '\0';
    if (len)
        *len = used;
    *out = steal_pointer(&buf);
    return 0;
}

int read_file_at(int dirfd, const char *path, char **out, size_t *len, oci_err_t *err)
{
    cleanup_close int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);

    if (fd < 0)
        return oci_error_sys(err, "open %s", path);
    if (read_fd_all(fd, out, len, err) < 0)
        return oci_error_wrap(err, "%s", path);
    return 0;
}

int write_file_at(int dirfd, const char *path, const void *data, size_t len, mode_t mode, oci_err_t *err)
{
    cleanup_close int fd = openat(dirfd, path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

    if (fd < 0)
        return oci_error_sys(err, "open %s", path);
    if (write_all(fd, data, len) < 0)
        return oci_error_sys(err, "write %s", path);
    return 0;
}

int write_file_atomic_at(int dirfd, const char *path, const void *data, size_t len, mode_t mode, oci_err_t *err)
{
    cleanup_free char *tmp = xasprintf("%s.tmp.%d", path, (int) getpid());
    int ret;

    ret = write_file_at(dirfd, tmp, data, len, mode, err);
    if (ret < 0) {
        unlinkat(dirfd, tmp, 0);
        return ret;
    }
    if (renameat(dirfd, tmp, dirfd, path) < 0) {
        ret = oci_error_sys(err, "rename %s to %s", tmp, path);
        unlinkat(dirfd, tmp, 0);
        return ret;
    }
    return 0;
}

int mkdir_p(const char *path, mode_t mode, oci_err_t *err)
{
    cleanup_free char *buf = xstrdup(path);

    for (char *p = buf + 1; ; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char saved = *p;
        *p = '\0';
        if (mkdir(buf, mode) < 0 && errno != EEXIST)
            return oci_error_sys(err, "mkdir %s", buf);
        *p = saved;
        if (saved == '\0')
            break;
    }
    return 0;
}

int parse_int64(const char *s, int64_t *out)
{
    char *end;
    long long v;

    if (s == NULL || *s == '\0')
        return -EINVAL;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno)
        return -errno;
    if (*end != '\0')
        return -EINVAL;
    *out = v;
    return 0;
}

int parse_uint64(const char *s, uint64_t *out)
{
    char *end;
    unsigned long long v;

    if (s == NULL || *s == '\0' || *s == '-')
        return -EINVAL;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno)
        return -errno;
    if (*end != '\0')
        return -EINVAL;
    *out = v;
    return 0;
}

void now_rfc3339(char *buf, size_t len)
{
    struct timespec ts;
    struct tm tm;
    size_t n;

    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, len - n, ".%09ldZ", ts.tv_nsec);
}

uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t) ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

uint64_t deadline_after_ms(int64_t ms)
{
    return ms < 0 ? 0 : now_ns() + (uint64_t) ms * 1000000;
}

int deadline_ms_left(uint64_t deadline)
{
    uint64_t now, left;

    if (deadline == 0)
        return -1;
    now = now_ns();
    if (now >= deadline)
        return 0;
    left = (deadline - now + 999999) / 1000000;
    return left > INT_MAX ? INT_MAX : (int) left;
}
