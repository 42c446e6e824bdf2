/* checkpoint.h: `checkpoint` and `restore`, the container lifecycle through CRIU. */
#ifndef OCIRUN_CHECKPOINT_H
#define OCIRUN_CHECKPOINT_H

#include <stdbool.h>
#include "ocirun/container/container.h"
#include "ocirun/core/error.h"
#include "ocirun/criu/criu.h"

/* Dump a running (or paused) container into o->image_path. Without --leave-running or
 * --pre-dump the container is gone afterwards (as runc: deleted, poststop hooks run). A failed
 * dump leaves it as it was; errors name the step and CRIU's log file. */
int oci_container_checkpoint(const char *root, const char *id, const struct oci_criu_opts *o, oci_err_t *err);

struct oci_restore_opts {
    struct oci_create_opts create;  /* id, bundle, --pid-file, --console-socket, --no-pivot, ... */
    struct oci_criu_opts criu;
    bool detach;                    /* -d: return once restored */
    bool no_subreaper;              /* --no-subreaper */
};

/* Restore container o->create.id from an image: a container as `create` + `start` make one
 * (state.json, the saved config.json, cgroups with linux.resources), running the processes of
 * the image. Without detach, waits for its init (signals relayed, a terminal copied), sets
 * *exit_status and deletes the container, as `run` does. A failure leaves nothing behind. */
int oci_container_restore(const struct oci_restore_opts *o, int *exit_status, oci_err_t *err);

#endif
