/* init.h: the container's setup process, from clone to exec of the user's program. */
#ifndef OCIRUN_INIT_H
#define OCIRUN_INIT_H

#include <stdbool.h>
#include "ocirun/cgroups/cgroup.h"
#include "ocirun/security/capabilities.h"
#include "ocirun/core/log.h"
#include "ocirun/process/process.h"
#include "ocirun/security/seccomp.h"
#include "ocirun/spec/spec.h"
#include "process/namespaces.h"

struct oci_init_ctx {
    const struct oci_spec *spec;
    struct oci_ns_plan *plan;
    const char *rootfs;          /* absolute */
    const char *bundle;          /* absolute */
    int sync_fd;                 /* our end of the socketpair */
    int fifo_fd;                 /* O_PATH fd of exec.fifo (create), -1 for run */
    bool no_pivot;
    int preserve_fds;
    int listen_fds;              /* LISTEN_FDS passed on (fds 3.., before the preserved ones) */
    const struct oci_seccomp_filter *seccomp;   /* compiled by the runtime before clone */
    bool wait_for_go;            /* a new user ns: the runtime writes id maps (and v1 cgroups) first */
    bool dumpable_for_maps;      /* an unprivileged runtime writes them: it must open our /proc files */
    const struct oci_cgroup *v1_cgroups;   /* otherwise we enter these v1 hierarchies ourselves */
    uint64_t *shared_start_time; /* we share the runtime's memory (run): our start time goes
                                  * there, and we exec right after READY */
    bool tty_size_from_stdin;    /* foreground run: the terminal gets our stdin's size */
    struct oci_phases phases;    /* --debug: set-up step timings, reported with READY */
    const char *id;              /* the container's, for the hooks' state */
    bool hooks_sync;             /* prestart..startContainer hooks exist: OCI_SYNC_HOOKS handshake */
    bool no_new_keyring;         /* --no-new-keyring: keep the caller's session keyring */
    pid_t host_pid;              /* our pid in the runtime's pid namespace (from that handshake) */
    int *bind_sources;           /* per mounts[] entry: its bind source as the runtime opened it
                                  * (OCI_SYNC_MOUNT_FD before GO), or -1; NULL without any */
};

/* The last steps before exec, shared by the container's init and `exec`: rlimits, cwd,
 * environment, capabilities, user, no_new_privs, personality, LSM labels, seccomp. */
struct oci_launch {
    const struct oci_spec *spec;                /* linux.personality */
    const struct oci_process *process;
    const struct oci_seccomp_filter *seccomp;   /* compiled by the runtime, may be NULL */
    int sync_fd;                                /* a notify fd and errors go there */
    int keep_fds;                               /* fds from 3 passed on (listen + preserved) */
    int listen_fds;                             /* > 0: LISTEN_FDS/LISTEN_PID added to the env */
    bool defer_seccomp;                         /* startContainer hooks come first: a late filter waits */
    bool seccomp_pending;                       /* out: that filter is still to load (load_seccomp) */
    bool caps_pending;                          /* out: CAP_SYS_ADMIN held for that load, then caps */
    struct oci_caps caps;                       /* out: the process's final capabilities */
    char *exe;                                  /* out: the resolved args[0] */
    char **envp;                                /* out: the final environment */
};

/* In the container's namespaces, as root: join the container's session keyring "_ses.ID" (the
 * init with PERM making it searchable, exec with OCI_KEYRING_JOIN), labelled with P's SELinux
 * label. */
int oci_init_join_keyring(const struct oci_process *p, const char *id, enum oci_keyring_perm perm, oci_err_t *err);
/* In the container's namespaces and root, as root: apply L->process (fills exe and envp). */
int oci_init_apply_process(struct oci_launch *l, oci_err_t *err);
/* Reset signal dispositions and mask, execve; a failure goes to L->sync_fd, then _exit(1). */
__attribute__((noreturn)) void oci_init_exec(struct oci_launch *l);
/* A joined pid namespace (or one created after joining a user namespace) takes only children:
 * fork once more; the middle process reports the new one's pid (OCI_SYNC_PID) over SYNC_FD and
 * exits, the new one returns once that report is sent, so that the runtime learns the pid before
 * anything the new process sends itself. */
int oci_init_fork_into_pid_ns(int sync_fd, oci_err_t *err);
/* Send ERR to the runtime over SYNC_FD and _exit(1). */
__attribute__((noreturn)) void oci_init_fail(int sync_fd, oci_err_t *err);

/* init_hooks.c */
/* Between the mounts and pivot_root: when ctx->hooks_sync, ask the runtime to run prestart and
 * createRuntime (OCI_SYNC_HOOKS; its GO carries our pid in its namespace), then run the
 * createContainer hooks here, in the container's namespaces but still under the host's root. */
int oci_hooks_init_create(struct oci_init_ctx *ctx, oci_err_t *err);
/* After start released us, before exec: the startContainer hooks, inside the container's root
 * and process.cwd; ENVP for a hook without "env" (runc gives them the process's). SECCOMP, when
 * not NULL, is the container's filter we have not loaded yet: each hook's process loads it
 * before its execve, so that the hook runs under it but our running of it does not. */
int oci_hooks_init_start(struct oci_init_ctx *ctx, char *const *envp, const struct oci_seccomp_filter *seccomp,
                         oci_err_t *err);

/* Runs in the cloned child; never returns. Failures are sent to the runtime as OCI_SYNC_ERROR. */
__attribute__((noreturn)) void oci_init_main(struct oci_init_ctx *ctx);

#endif
