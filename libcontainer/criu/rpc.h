/* rpc.h: one request to CRIU over its RPC (`criu swrk` on a socketpair), described in plain C. */
#ifndef OCIRUN_CRIU_RPC_H
#define OCIRUN_CRIU_RPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "ocirun/core/error.h"
#include "ocirun/criu/criu.h"

enum criu_req_kind { CRIU_KIND_DUMP, CRIU_KIND_PRE_DUMP, CRIU_KIND_RESTORE };

/* Names of the log file CRIU writes into the work (or image) directory. */
#define CRIU_DUMP_LOG "dump.log"
#define CRIU_RESTORE_LOG "restore.log"

struct criu_pair { char *key, *val; };
struct criu_inherit { char *key; int fd; };     /* fd: ours; criu gets it as 4, 5, ... */
struct criu_cg_root { char *ctrl; char *path; }; /* ctrl NULL: every hierarchy not named */

/* Everything the request says beyond the command line's options (criu_opts of rpc.proto). */
struct criu_req {
    enum criu_req_kind kind;
    const struct oci_criu_opts *o;
    int images_fd;              /* ours (descriptors.json); criu's own copy is opened by path */
    int work_fd;                /* ours, -1 without --work-path */
    pid_t pid;                  /* dump: the container's init */
    char *root;                 /* the container's root (restore: a mount point) */
    char *config_file;          /* the org.criu.config annotation's file, NULL: none */
    char *freeze_cgroup;        /* dump: the cgroup CRIU freezes the tasks with */
    bool track_mem;             /* pre-dump, or a dump with a parent */
    struct criu_pair *ext_mnt;  /* external mounts: dump mountpoint -> name, restore name -> host path */
    size_t n_ext_mnt;
    char **external;            /* "net[INODE]:extRootNetNS" ... */
    size_t n_external;
    struct criu_pair *join_ns;  /* restore: namespace name -> the path to join */
    size_t n_join_ns;
    struct criu_inherit *inherit;
    size_t n_inherit;
    struct criu_cg_root *cg_root;
    size_t n_cg_root;
};

void criu_req_free(struct criu_req *r);
void criu_req_add_ext_mnt(struct criu_req *r, const char *key, const char *val);
void criu_req_add_external(struct criu_req *r, char *text);   /* takes TEXT */
void criu_req_add_join_ns(struct criu_req *r, const char *ns, const char *path);
void criu_req_add_inherit(struct criu_req *r, const char *key, int fd);
void criu_req_add_cg_root(struct criu_req *r, const char *ctrl, const char *path);

/* What happens around the request: the criu process's placement and set-up, and the
 * notifications it sends on the way. */
struct criu_run {
    int cgroup_fd;              /* >= 0: criu is cloned into this (unified) cgroup */
    bool new_mount_ns;          /* criu runs in a private mount namespace of its own */
    /* In the criu child before exec (its own mount namespace when new_mount_ns): an error
     * text goes back to the caller. */
    int (*prepare)(void *arg, oci_err_t *err);
    void *prepare_arg;
    /* Called once criu runs (its pid), before the request is sent (v1 cgroups). */
    int (*started)(void *arg, pid_t criu_pid, oci_err_t *err);
    /* A notification ("setup-namespaces", "post-restore", "orphan-pts-master" with its fd,
     * "status-ready", ...): PID is CRIU's (the restored init's for the first two), FD is -1
     * or ours to close. An error makes CRIU abort. */
    int (*notify)(void *arg, const char *script, pid_t pid, int fd, oci_err_t *err);
    void *arg;
    const char *log_dir;        /* for the messages: where CRIU's log is */
    const char *log_file;
};

/* Spawn `criu swrk`, send REQ, serve its notifications, wait for the answer and for criu to
 * exit. *RESTORED_PID: the restore answer's pid (restore only; may be NULL). Errors name the
 * request, CRIU's message and its log file with the first error line in it. */
int criu_run(const struct criu_req *req, const struct criu_run *run, pid_t *restored_pid, oci_err_t *err);

/* How long we wait for each message of CRIU (a dump of a large container takes its time; a
 * hung criu must not keep us for ever) and for criu to exit after its answer. */
#define CRIU_MSG_WAIT_MS (10 * 60 * 1000)
#define CRIU_EXIT_WAIT_MS 10000

#endif
