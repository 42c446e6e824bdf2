/* process.h: the attributes of the container's process applied just before exec, and the exec itself. */
#ifndef OCIRUN_PROCESS_H
#define OCIRUN_PROCESS_H

#include "ocirun/core/error.h"
#include "ocirun/core/report.h"
#include "ocirun/spec/spec.h"

/* process.rlimits (before the user switch: raising a hard limit needs privilege). */
int oci_process_apply_rlimits(const struct oci_process *p, oci_err_t *err);
/* check: the rlimits whose hard limit the init could not raise (above this runtime's own, which
 * it inherits, without CAP_SYS_RESOURCE), with the error create would give. */
int oci_process_check_rlimits(const struct oci_process *p, struct oci_report *r);
/* process.oomScoreAdj, written through procfs. */
int oci_process_apply_oom_score_adj(const struct oci_process *p, oci_err_t *err);
/* process.cwd, entered after the root switch (init.c creates it before root.readonly applies). */
int oci_process_enter_cwd(const struct oci_process *p, oci_err_t *err);
/* Stdio that is an anonymous pipe or socket (what engines and shells hand us) is given to
 * process.user.uid, as runc does, so that the process can reopen it (/dev/stdout,
 * /proc/self/fd/N) after the user switch. Regular files, ttys, devices (the caller's /dev/null)
 * and named FIFOs are the host's: never chowned. Before the user switch and seccomp. */
int oci_process_own_stdio(const struct oci_process *p, oci_err_t *err);
/* process.user: supplementary groups, gid, uid, umask. */
int oci_process_switch_user(const struct oci_process *p, oci_err_t *err);
/* process.noNewPrivileges. */
int oci_process_apply_no_new_privs(const struct oci_process *p, oci_err_t *err);

/* Resolve args[0] in the container's PATH (from process.env). Errors use runc's wording,
 * which engines map to exit codes: `exec: "x": executable file not found in $PATH`. */
int oci_process_find_executable(const struct oci_process *p, char **path, oci_err_t *err);

/* Build the final environment: process.env, plus HOME from the container's /etc/passwd when unset. */
char **oci_process_build_env(const struct oci_process *p);

/* execve; returns only on failure. */
int oci_process_exec(const struct oci_process *p, const char *path, char **envp, oci_err_t *err);

/* systemd socket activation: N when LISTEN_FDS=N and LISTEN_PID is our pid (fds 3..3+N-1 are
 * passed on to the container's process, as runc does), else 0. */
int oci_process_listen_fds(void);

/* linux.personality (LINUX / LINUX32: what uname reports as the machine). */
int oci_process_apply_personality(const struct oci_spec *spec, oci_err_t *err);

#endif
