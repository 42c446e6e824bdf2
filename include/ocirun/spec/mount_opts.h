/* mount_opts.h: turn a config.json mount's "options" list into mount(2) / mount_setattr(2) parameters. */
#ifndef OCIRUN_MOUNT_OPTS_H
#define OCIRUN_MOUNT_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "ocirun/core/error.h"

#define OCI_MOUNT_MAX_PROPAGATION 8

struct oci_mount_opts {
    unsigned long flags;         /* MS_* to set (ro, nosuid, bind, remount, ...) */
    unsigned long clear;         /* MS_* explicitly cleared (rw, suid, dev, ...) */
    /* MS_SHARED/MS_SLAVE/MS_PRIVATE/MS_UNBINDABLE [|MS_REC], applied in this order */
    unsigned long propagation[OCI_MOUNT_MAX_PROPAGATION];
    size_t n_propagation;
    uint64_t rec_attr_set;       /* MOUNT_ATTR_* applied with AT_RECURSIVE (rro, rnosuid, ...) */
    uint64_t rec_attr_clr;
    char *data;                  /* options the runtime does not know, comma-joined; NULL if none */
    bool bind;                   /* bind or rbind */
    bool rbind;
    bool tmpcopyup;
    bool idmap;                  /* idmap or ridmap */
    bool ridmap;
};

/* Parse OPTIONS (N entries; a later option overrides an earlier opposite one, as mount(8)).
 * Fails only on limits (too many propagation options). Free with oci_mount_opts_free. */
int oci_mount_opts_parse(char *const *options, size_t n, struct oci_mount_opts *out, oci_err_t *err);
void oci_mount_opts_free(struct oci_mount_opts *o);

/* The MOUNT_ATTR_* equivalent of the per-mount MS_* flags in FLAGS (ro, nosuid, nodev, noexec,
 * atime family, nodiratime, nosymfollow); superblock-only flags have no equivalent. */
uint64_t oci_mount_flags_to_attr(unsigned long flags);

/* Per-mount flags that CLEAR (from the "clear" set) turns off, as MOUNT_ATTR_* for attr_clr
 * (atime changes always clear the whole MOUNT_ATTR__ATIME field as the kernel requires). */
uint64_t oci_mount_clear_to_attr(unsigned long set_flags, unsigned long clear);

/* The I-th recognised option name (for `features`), NULL past the last. */
const char *oci_mount_opt_name(size_t i);

/* Propagation name ("rprivate", "shared", ...) to MS_* flags; -1 if unknown. */
long oci_mount_propagation_from_name(const char *name);

#endif
