/* utils.h: small helpers shared by libcontainer: cleanup attributes, string vectors, file I/O, parsing. */
#ifndef OCIRUN_UTILS_H
#define OCIRUN_UTILS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <dirent.h>
#include <sys/types.h>
#include "ocirun/core/alloc.h"
#include "ocirun/core/error.h"

void cleanup_closep(int *fd);
/* Close *FD if open and mark it closed (-1): for fds kept in structs. */
void close_fd(int *fd);
void cleanup_fclosep(FILE **f);
void cleanup_closedirp(DIR **d);
void cleanup_errorp(oci_err_t *e);
void cleanup_strvp(char ***v);

#define cleanup_close __attribute__((cleanup(cleanup_closep)))
#define cleanup_fclose __attribute__((cleanup(cleanup_fclosep)))
#define cleanup_dir __attribute__((cleanup(cleanup_closedirp)))
#define cleanup_error __attribute__((cleanup(cleanup_errorp)))
#define cleanup_strv __attribute__((cleanup(cleanup_strvp)))

/* Hand an fd out of a cleanup variable. */
#define steal_fd(fdp) ({ int _fd = *(fdp); *(fdp) = -1; _fd; })

/* NULL-terminated string vectors. */
size_t strv_len(char *const *v);
void strv_free(char **v);

/* Loop over EINTR and short transfers. Return bytes done or -1 with errno. */
ssize_t write_all(int fd, const void *buf, size_t len);
ssize_t read_all(int fd, void *buf, size_t len);

/* Read a whole file (NUL-terminated; *len excludes the NUL). dirfd may be AT_FDCWD. */
int read_file_at(int dirfd, const char *path, char **out, size_t *len, oci_err_t *err);
int read_fd_all(int fd, char **out, size_t *len, oci_err_t *err);

/* Write (truncate) a file. */
int write_file_at(int dirfd, const char *path, const void *data, size_t len, mode_t mode, oci_err_t *err);

/* Write a file atomically: temp file in the same directory, then rename. No fsync (see DEVELOPERS.md). */
int write_file_atomic_at(int dirfd, const char *path, const void *data, size_t len, mode_t mode, oci_err_t *err);

/* mkdir -p; existing directories are fine. */
int mkdir_p(const char *path, mode_t mode, oci_err_t *err);

/* Parse a decimal integer with full validation (no trailing garbage, range checked). */
int parse_int64(const char *s, int64_t *out);
int parse_uint64(const char *s, uint64_t *out);

/* The current UTC time as RFC 3339 with nanoseconds (2026-11-22T23:10:48.123456789Z). */
void now_rfc3339(char *buf, size_t len);

/* Monotonic clock in nanoseconds (phase timings, deadlines). */
uint64_t now_ns(void);
/* A deadline MS milliseconds from now (ns on now_ns's clock); MS < 0 gives 0, no deadline. */
uint64_t deadline_after_ms(int64_t ms);
/* Milliseconds left until DEADLINE for poll(2): -1 without a deadline (0), 0 once past. */
int deadline_ms_left(uint64_t deadline);

#endif
