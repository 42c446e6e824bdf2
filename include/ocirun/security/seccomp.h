/* seccomp.h: linux.seccomp compiled to a BPF program in the runtime, loaded by the container's init. */
#ifndef OCIRUN_SECCOMP_H
#define OCIRUN_SECCOMP_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/filter.h>
#include "ocirun/core/error.h"
#include "ocirun/core/report.h"
#include "ocirun/spec/spec.h"
#include "ocirun/state/state.h"

struct oci_seccomp_filter {
    struct sock_filter *insns;   /* NULL: no filter */
    size_t len;
    unsigned int flags;          /* SECCOMP_FILTER_FLAG_* for seccomp(2) */
    bool notify;                 /* a SCMP_ACT_NOTIFY rule: loading returns a listener fd */
};

/* Translate the profile with libseccomp and prepend the ENOSYS stub (syscalls newer than any
 * the profile names return ENOSYS, not the default action, so programs can probe for them).
 * Runs in the runtime before clone: a bad profile fails before anything is built. */
int oci_seccomp_compile(const struct oci_seccomp *s, struct oci_seccomp_filter *out, oci_err_t *err);
void oci_seccomp_filter_free(struct oci_seccomp_filter *f);
/* check: the profile compiles (oci_seccomp_compile's error otherwise); nothing is loaded. */
int oci_seccomp_check(const struct oci_seccomp *s, struct oci_report *r);

/* oci_seccomp_compile through the cache of compiled programs in the state ROOT
 * (ROOT/seccomp@cache/SHA256-of-the-profile, checked before use; see seccomp_cache.c): *HIT
 * says whether libseccomp was spared. Without ROOT, a plain compile. */
int oci_seccomp_compile_cached(const char *root, const struct oci_seccomp *s, struct oci_seccomp_filter *out,
                               bool *hit, oci_err_t *err);

/* Load the program into the calling thread. *listener_fd gets the notify fd (or -1). */
int oci_seccomp_load(const struct oci_seccomp_filter *f, int *listener_fd, oci_err_t *err);

/* How long the runtime waits for the agent at listenerPath to take the connection and the
 * state (a full backlog or socket buffer blocks otherwise) before it fails. */
#define OCI_SECCOMP_AGENT_WAIT_MS 10000

/* Hand the notify fd to the agent at listenerPath with the container process state
 * (config-linux.md "The Container Process State", STATUS an enum oci_status); one connection,
 * closed after sending, bounded by OCI_SECCOMP_AGENT_WAIT_MS. */
int oci_seccomp_send_listener(const struct oci_seccomp *s, int listener_fd, const struct oci_state *st,
                              int status, oci_err_t *err);

/* Whether profile S puts syscall NAME under SCMP_ACT_NOTIFY (by name, whatever its args). */
bool oci_seccomp_notifies(const struct oci_seccomp *s, const char *name);

/* The native name of syscall NR ("execve"), for messages; NULL when unknown. Caller frees. */
char *oci_seccomp_syscall_name(long nr);

/* Name -> value tables, for parsing and for `features`. Unknown names give -1 / 0. */
long long oci_seccomp_action_value(const char *action, unsigned int errno_ret);
unsigned int oci_seccomp_flag_value(const char *flag);

#endif
