/* init.h: the container's setup process, from clone to exec of the user's program. */
#ifndef OCIRUN_INIT_H
#define OCIRUN_INIT_H

#include <stdbool.h>
#include "ocirun/log.h"
#include "ocirun/namespaces.h"
#include "ocirun/seccomp.h"
#include "ocirun/spec.h"

struct oci_init_ctx {
    const struct oci_spec *spec;
    struct oci_ns_plan *plan;
    const char *rootfs;          /* absolute */
    const char *bundle;          /* absolute */
    int sync_fd;                 /* our end of the socketpair */
    int fifo_fd;                 /* O_PATH fd of exec.fifo (create), -1 for run */
    bool no_pivot;
    int preserve_fds;
    const struct oci_seccomp_filter *seccomp;   /* compiled by the runtime before clone */
    bool wait_for_go;            /* the runtime writes id maps / v1 cgroups first */
    struct oci_phases phases;    /* --debug: set-up step timings, reported with READY */
    const char *id;              /* the container's, for the hooks' state */
    bool hooks_sync;             /* prestart..startContainer hooks exist: OCI_SYNC_HOOKS handshake */
    pid_t host_pid;              /* our pid in the runtime's pid namespace (from that handshake) */
};

/* Runs in the cloned child; never returns. Failures are sent to the runtime as OCI_SYNC_ERROR. */
__attribute__((noreturn)) void oci_init_main(struct oci_init_ctx *ctx);

#endif
