/* procfs.h: writes to /proc through a handle checked to be a real procfs, without following links. */
#ifndef OCIRUN_PROCFS_H
#define OCIRUN_PROCFS_H

#include <stddef.h>
#include "ocirun/core/error.h"

/*
 * A writable /proc file reached by path can be redirected: an image or a config can mount a
 * tmpfs or a bind over /proc (or a file in it), or plant symlinks (CVE-2019-16884,
 * CVE-2019-19921, CVE-2023-27561, CVE-2025-52881). Every write goes through a /proc root
 * fd checked with fstatfs, then a lookup beneath it that follows no symlink, no magic link
 * and crosses no mount, and the opened file is checked again.
 */

/* 0 when FD is on a procfs; otherwise an error naming WHAT. */
int oci_procfs_check(int fd, const char *what, oci_err_t *err);
/* PATH (usually "/proc") as an O_PATH directory fd, refused unless it is a procfs. */
int oci_procfs_open_root(const char *path, oci_err_t *err);
/* PROCFD's "self" (a plain symlink to our pid in that procfs's pid namespace) as a directory fd. */
int oci_procfs_open_self(int procfd, oci_err_t *err);
/* Open PATH relative to the procfs directory DIRFD with FLAGS; no link followed, no mount crossed. */
int oci_procfs_open_at(int dirfd, const char *path, int flags, oci_err_t *err);
/* Open PATH under DIRFD for writing and write DATA (one write: proc files want it whole). */
int oci_procfs_write_at(int dirfd, const char *path, const char *data, size_t len, oci_err_t *err);

/* "/proc/self/fd/N": how mount(2) reaches a target opened by fd. */
#define OCI_PROC_FD_PATH_MAX 32
void oci_proc_fd_path(char buf[OCI_PROC_FD_PATH_MAX], int fd);

#endif
