/* container.h: the container lifecycle (create, start, run, state, kill, delete, list) used by the CLI. */
#ifndef OCIRUN_CONTAINER_H
#define OCIRUN_CONTAINER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include "ocirun/core/error.h"
#include "ocirun/spec/spec.h"

struct oci_state;

struct oci_create_opts {
    const char *root;            /* --root */
    const char *id;
    const char *bundle;          /* NULL: the current directory */
    const char *pid_file;        /* relative to the caller's cwd */
    const char *console_socket;
    bool no_pivot;
    bool no_new_keyring;
    int preserve_fds;
    bool systemd_cgroup;
    bool rootless;               /* --rootless: cgroups this user cannot write are skipped */
    const char *notify_socket;   /* the caller's NOTIFY_SOCKET (environment), NULL when unset */
};

/* create: returns once the container's init waits for `start`. */
int oci_container_create(const struct oci_create_opts *o, oci_err_t *err);

/* run: create + start; with detach returns once the process runs (with o->notify_socket: once
 * it sent READY, or exited), else waits for it, sets *exit_status (128+N for signal N) and
 * deletes the container unless keep. */
int oci_container_run(const struct oci_create_opts *o, bool detach, bool keep, int *exit_status, oci_err_t *err);

/* start; with NOTIFY_SOCKET (the caller's, may be NULL) it returns once the process sent READY
 * (relayed) or exited. */
int oci_container_start(const char *root, const char *id, const char *notify_socket, oci_err_t *err);
/* The runtime-spec state JSON (indented) of one container. */
int oci_container_state_json(const char *root, const char *id, char **json, oci_err_t *err);
int oci_container_kill(const char *root, const char *id, int sig, bool all, oci_err_t *err);
int oci_container_delete(const char *root, const char *id, bool force, oci_err_t *err);
/* Write new limits (a linux.resources object; devices are not changed) into a live container. */
int oci_container_update(const char *root, const char *id, const struct oci_resources *r, oci_err_t *err);
/* The pids of every process of the container (none once it stopped). */
int oci_container_pids(const char *root, const char *id, pid_t **pids, size_t *n, oci_err_t *err);
struct oci_cgroup;
/* A live container's cgroups and a pidfd of its init (for events); stopped is an error. */
int oci_container_open_cgroup(const char *root, const char *id, struct oci_cgroup *cg, int *pidfd, oci_err_t *err);
/* Print runc-style events as JSON lines: stats once, or stats every interval_ms plus "oom"
 * events as they happen, until the container's init exits. */
int oci_container_events(const char *root, const char *id, bool stats_once, uint64_t interval_ms, FILE *out,
                         oci_err_t *err);
/* exec: the state of a container that can be entered (created, running; paused only with
 * ignore_paused), the configuration create saved in its state directory (the bundle is not read:
 * it may have changed or gone since; only a container of an older ocirun, which saved none, falls
 * back to the bundle's config.json, with a debug line) and a pidfd of its init, checked against
 * the state (runc's error texts). */
int oci_container_open_live(const char *root, const char *id, bool ignore_paused, struct oci_state **st,
                            struct oci_spec **spec, int *pidfd, oci_err_t *err);
/* pause (freeze = true) a running container, or resume a paused one. */
int oci_container_freeze(const char *root, const char *id, bool freeze, oci_err_t *err);

struct oci_container_info {
    struct oci_state *state;
    int status;                  /* enum oci_status */
};
/* Every container under root, sorted by id; containers whose state cannot be read are skipped. */
int oci_container_list(const char *root, struct oci_container_info **out, size_t *n, oci_err_t *err);
void oci_container_list_free(struct oci_container_info *list, size_t n);

#endif
