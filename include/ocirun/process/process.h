/* process.h: the attributes of the container's process applied just before exec, and the exec itself. */
#ifndef OCIRUN_PROCESS_H
#define OCIRUN_PROCESS_H

#include "ocirun/core/error.h"
#include "ocirun/core/report.h"
#include "ocirun/spec/spec.h"

/* The container's own session keyring, as runc gives it unless --no-new-keyring: kernel
 * keyrings are not namespaced, so the caller's (the host's) session keys would otherwise be
 * the container's too. KEYCTL_JOIN_SESSION_KEYRING with the name "_ses.ID" joins the keyring
 * of that name the caller may search, else creates it: the init creates it and makes it
 * searchable (OWNER_SEARCH, or OTHER_SEARCH in a user namespace, runc's bits), an exec joins
 * it (JOIN). A kernel without keyrings (ENOSYS) is not an error. */
enum oci_keyring_perm { OCI_KEYRING_JOIN, OCI_KEYRING_OWNER_SEARCH, OCI_KEYRING_OTHER_SEARCH };
#define OCI_KEYRING_NAME_MAX 272   /* "_ses." + an id (OCI_ID_MAX) + NUL */
int oci_process_join_keyring(const char *id, enum oci_keyring_perm perm, oci_err_t *err);

/* process.scheduler (sched_setattr) and process.ioPriority (ioprio_set of this process), for
 * the init and exec alike, before the user switch (a real-time policy or class needs
 * CAP_SYS_NICE / CAP_SYS_ADMIN). */
int oci_process_apply_scheduler(const struct oci_process *p, oci_err_t *err);
int oci_process_apply_io_priority(const struct oci_process *p, oci_err_t *err);

/* process.execCPUAffinity of an exec'd process (the runtime-spec: not the init's): INITIAL in
 * the runtime before the process enters the container's cgroup (it inherits it), FINAL in the
 * process once it is there. With only initial, FINAL gives back every CPU the container's
 * cpuset allows (moving into a cgroup does not always reset the affinity). Nothing without
 * the field. */
enum oci_affinity_step { OCI_AFFINITY_INITIAL, OCI_AFFINITY_FINAL };
int oci_process_apply_cpu_affinity(const struct oci_process *p, enum oci_affinity_step step, oci_err_t *err);

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
