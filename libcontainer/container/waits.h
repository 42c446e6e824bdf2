/* waits.h: the lifecycle's bounded waits for the setup process, and why a process is stuck. */
#ifndef OCIRUN_CONTAINER_WAITS_H
#define OCIRUN_CONTAINER_WAITS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "ocirun/core/error.h"
#include "ocirun/process/signals.h"

/* How long create, run and exec wait for the next message of the setup process (its
 * namespaces, mounts, process attributes, a seccomp agent's answers), on top of the timeouts
 * of the hooks it runs meanwhile. A healthy setup takes milliseconds. */
#define OCI_SETUP_WAIT_MS 60000
/* How long `start` waits for the init to confirm it goes on to exec once the exec fifo is
 * open, on top of the startContainer hooks' timeouts. */
#define OCI_START_WAIT_MS 10000

/* "; it is in execve, waiting for ...": where PID sleeps, for a timeout's message; "" when
 * unknown. Caller frees. */
char *oci_wait_stuck_text(pid_t pid);

/* Wait until FD is readable, for at most BOUND_MS (no bound when < 0). On timeout, an
 * ETIMEDOUT error "WHAT: PROCESS (pid PID) did not GOAL within N s; it is in ...". */
int oci_wait_readable(int fd, int64_t bound_ms, const char *what, const char *process, const char *goal, pid_t pid,
                      oci_err_t *err);

/* The bound of a wait for a process that runs hooks meanwhile: BASE_MS plus HOOKS_MS (from
 * oci_hooks_timeout_ms), none (-1) when a hook has no timeout. */
int64_t oci_wait_bound(int64_t base_ms, int64_t hooks_ms);

#endif
