/* procfs.h: handles on a real procfs, so that a fake /proc in the image cannot swallow our writes. */
#ifndef OCIRUN_PROCFS_H
#define OCIRUN_PROCFS_H

#include "ocirun/error.h"

/*
 * Writes through /proc (sysctl, LSM labels) must reach the kernel, not a directory or a
 * tmpfs the image put there (CVE-2019-16884, CVE-2023-28642). Every such fd is checked with
 * fstatfs; paths below it are walked without crossing mounts or following magic links.
 */

/* 0 when FD is on a procfs, else an error "WHAT is not a procfs". */
int oci_procfs_check(int fd, const char *what, oci_err_t *err);
/* The /proc of the current root (O_PATH), checked. */
int oci_procfs_open(oci_err_t *err);
/* PATH below PROCFD (e.g. "thread-self/attr/exec"): no mount crossed, no magic link followed
 * (plain symlinks such as thread-self stay beneath PROCFD), result checked again. Errors read
 * "open /proc/PATH: ...". */
int oci_procfs_openat(int procfd, const char *path, int flags, oci_err_t *err);

#endif
