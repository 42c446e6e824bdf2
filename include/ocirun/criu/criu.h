/* criu.h: the options of checkpoint and restore (runc's flags) passed on to CRIU, and whether this build has CRIU. */
#ifndef OCIRUN_CRIU_H
#define OCIRUN_CRIU_H

#include <stdbool.h>
#include <stdint.h>
#include "ocirun/core/error.h"

/* --manage-cgroups-mode: what CRIU does with the cgroups (runc's words; DEFAULT is CRIU's soft). */
enum oci_criu_cg_mode {
    OCI_CRIU_CG_DEFAULT,
    OCI_CRIU_CG_SOFT,
    OCI_CRIU_CG_FULL,
    OCI_CRIU_CG_STRICT,
    OCI_CRIU_CG_IGNORE,
};

struct oci_criu_opts {
    const char *image_path;      /* --image-path (the CLI's default: ./checkpoint), made 0700 at checkpoint */
    const char *work_path;       /* --work-path (logs, work files), NULL: the image directory */
    const char *parent_path;     /* --parent-path: a previous (pre-)dump, relative to image_path */
    const char *page_server;     /* --page-server ADDRESS:PORT, NULL: none */
    int status_fd;               /* --status-fd: gets a \0 once the lazy pages are served (-1: none) */
    bool leave_running;          /* --leave-running */
    bool pre_dump;               /* --pre-dump: memory only (tracked), the container runs on */
    bool tcp_established;        /* --tcp-established */
    bool ext_unix_sk;            /* --ext-unix-sk */
    bool shell_job;              /* --shell-job */
    bool file_locks;             /* --file-locks */
    bool lazy_pages;             /* --lazy-pages */
    bool auto_dedup;             /* --auto-dedup */
    enum oci_criu_cg_mode cg_mode; /* --manage-cgroups-mode */
    uint32_t empty_ns;           /* --empty-ns: CLONE_NEW* flags (the network one is always set, as runc) */
    const char *lsm_profile;     /* restore --lsm-profile TYPE:NAME */
    const char *lsm_mount_context; /* restore --lsm-mount-context */
};

#define OCI_CRIU_NOT_BUILT "this ocirun was built without CRIU support (WITH_CRIU=no): checkpoint and restore " \
                           "are not available"

/* Whether this build talks to CRIU (WITH_CRIU=yes); without, checkpoint and restore fail with
 * a message that says so. */
bool oci_criu_built_in(void);

/* "soft" "full" "strict" "ignore" -> the mode; errors name --manage-cgroups-mode. */
int oci_criu_parse_cg_mode(const char *s, enum oci_criu_cg_mode *out, oci_err_t *err);
/* --empty-ns NAME (repeatable): runc accepts only "network". */
int oci_criu_parse_empty_ns(const char *s, uint32_t *mask, oci_err_t *err);

/* When CRIU's ANSWER says only that a program it ran failed ("Error (...): exited, status=N"),
 * the error line its log TEXT holds before that one (the program's own, e.g. an execvp that
 * found no iptables-save), in a new string; NULL otherwise. */
char *oci_criu_log_cause(const char *text, const char *answer);

#endif
