/* hooks.h: running the OCI hooks (config.json "hooks") with the state JSON on their stdin. */
#ifndef OCIRUN_HOOKS_H
#define OCIRUN_HOOKS_H

#include <stdbool.h>
#include "ocirun/core/error.h"
#include "ocirun/security/seccomp.h"
#include "ocirun/spec/spec.h"
#include "ocirun/state/state.h"

enum oci_hook_kind {
    OCI_HOOK_PRESTART,          /* runtime namespace, before pivot_root (deprecated) */
    OCI_HOOK_CREATE_RUNTIME,    /* runtime namespace, before pivot_root */
    OCI_HOOK_CREATE_CONTAINER,  /* the init, container namespaces, before pivot_root */
    OCI_HOOK_START_CONTAINER,   /* the init, after start, before exec of the user process */
    OCI_HOOK_POSTSTART,         /* runtime, after the user process started; failures warn */
    OCI_HOOK_POSTSTOP,          /* runtime, after the container was deleted; failures warn */
    OCI_HOOK_KINDS
};

/* The config.json key: "prestart", "createRuntime", ... */
const char *oci_hook_kind_name(enum oci_hook_kind kind);
/* The status the state JSON on a hook's stdin carries at that point of the lifecycle. */
enum oci_status oci_hook_status(enum oci_hook_kind kind);
const struct oci_hooks_list *oci_hooks_of(const struct oci_hooks *hooks, enum oci_hook_kind kind);
bool oci_hooks_has(const struct oci_hooks *hooks, enum oci_hook_kind kind);

/* argv of a hook: its args (args[0] is argv[0]), or {path} without args. NULL-terminated; the
 * strings belong to the hook, free only the array. */
char **oci_hook_argv(const struct oci_hook *hook);
/* Its environment: exactly env when the hook has one (even empty), else INHERITED (NULL: none).
 * Same ownership as oci_hook_argv. */
char **oci_hook_envp(const struct oci_hook *hook, char *const *inherited);

/* Where the hooks of one point of the lifecycle run, as runc runs them. */
struct oci_hook_exec {
    const char *cwd;                           /* working directory; NULL: the caller's */
    char *const *env;                          /* the environment of a hook without "env"; NULL: empty */
    const struct oci_seccomp_filter *seccomp;  /* loaded by the hook's own process just before execve */
};
/* prestart, createRuntime, poststart, poststop: in BUNDLE, with our environment. */
struct oci_hook_exec oci_hook_exec_runtime(const char *bundle);

/* Run one hook: STDIN_DATA (the state JSON) on its stdin, stdout and stderr captured (they are
 * part of the error when it fails, as runc does), killed with SIGKILL after its timeout; X (may
 * be NULL) says where. The error says what went wrong without naming the hook: "exited with
 * status 3, stderr: ...". */
int oci_hook_run(const struct oci_hook *hook, const char *stdin_data, const struct oci_hook_exec *x, oci_err_t *err);

/* Run the hooks of KIND in order with the state ST (status set from KIND); the first failure
 * stops: `hooks.createRuntime[1] "/path": timed out after 5 s`. */
int oci_hooks_run(const struct oci_hooks *hooks, enum oci_hook_kind kind, const struct oci_state *st,
                  const struct oci_hook_exec *x, oci_err_t *err);
/* The same for poststart and poststop: every hook runs, failures are logged warnings. */
void oci_hooks_run_warn(const struct oci_hooks *hooks, enum oci_hook_kind kind, const struct oci_state *st,
                        const struct oci_hook_exec *x);
/* How long the hooks of KIND may run in all, in ms (the sum of their timeouts): a wait for a
 * process that runs them adds this to its own bound. -1 when one has no timeout: it may run
 * as long as it likes (runtime-spec), and so may the wait. 0 without hooks. */
int64_t oci_hooks_timeout_ms(const struct oci_hooks *hooks, enum oci_hook_kind kind);

/* --- the init's hook handshake and the exec fifo ------------------------------------------ */

/* Whether the init must stop for the runtime's hooks and learn its pid: any of prestart,
 * createRuntime, createContainer, startContainer. Without them there is no extra round trip. */
bool oci_hooks_need_sync(const struct oci_hooks *hooks);

/* The exec fifo, read by `start`: the init writes "0" when it goes on to exec, or
 * OCI_FIFO_FAILED and the error text when a startContainer hook failed. Returns 1 started, 0
 * nothing (yet, or EOF), -1 with *err set to the init's error. */
#define OCI_FIFO_STARTED '0'
#define OCI_FIFO_FAILED 'E'
int oci_exec_fifo_read(int fifo, oci_err_t *err);


#endif
