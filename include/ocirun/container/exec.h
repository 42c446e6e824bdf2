/* exec.h: `ocirun exec`: run a new process in a live container (its namespaces, cgroups, LSM and seccomp). */
#ifndef OCIRUN_EXEC_H
#define OCIRUN_EXEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "ocirun/cgroups/cgroup.h"
#include "ocirun/core/error.h"
#include "ocirun/spec/spec.h"

struct oci_exec_opts {
    const char *root;
    const char *id;
    const char *process_file;     /* --process: a runtime-spec process object; flags then ignored */
    char **args;                  /* the command (without --process), NULL-terminated */
    const char *cwd;
    struct oci_strv env;          /* --env K=V, in order */
    const char *user;             /* --user UID[:GID] */
    struct oci_strv additional_gids;
    struct oci_strv caps;         /* --cap */
    bool no_new_privs;
    const char *apparmor;
    const char *process_label;
    bool tty;
    const char *console_socket;
    bool detach;
    const char *pid_file;         /* relative to the caller's cwd */
    int preserve_fds;
    struct oci_strv cgroups;      /* --cgroup [CONTROLLER[,CONTROLLER]:]PATH */
    bool ignore_paused;
};

/* Run the process. Foreground: relay signals until it exits, *exit_status its status (128+N for
 * signal N). --detach: return once it has exec'd. */
int oci_exec(const struct oci_exec_opts *o, int *exit_status, oci_err_t *err);

/* ---- pure helpers, exposed for the unit tests ---- */

/* "UID" or "UID:GID", decimal. */
int oci_exec_parse_user(const char *s, uint32_t *uid, uint32_t *gid, bool *has_gid, oci_err_t *err);

/* --cgroup values (runc's rules): one bare PATH for every hierarchy, or CONTROLLER[,...]:PATH per
 * controller; the sub-cgroup replaces each matching directory of CG (which must exist). PATH is
 * below the container's cgroup ("..": error). A controller matches a v1 hierarchy listing it, or
 * "unified" the cgroup2 one. */
int oci_exec_sub_cgroups(struct oci_cgroup *cg, const struct oci_strv *args, oci_err_t *err);

/* Set K=V in ENV: replaces an entry with the same key, else appends. */
void oci_env_set(struct oci_strv *env, const char *kv);

/* --cap NAME: added to the bounding, effective, permitted and ambient sets (never inheritable:
 * CVE-2022-29162). An unknown name is an error. */
int oci_exec_add_cap(struct oci_capabilities *c, const char *name, oci_err_t *err);

/* The process to run: BASE (config.json's process, or the --process file) with the command line
 * options applied (without --process). */
int oci_exec_apply_opts(const struct oci_exec_opts *o, struct oci_process *p, oci_err_t *err);

#endif
