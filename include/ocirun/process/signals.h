/* signals.h: signal names <-> numbers for `kill` (names as runc accepts them), kill and reap with a bound. */
#ifndef OCIRUN_SIGNALS_H
#define OCIRUN_SIGNALS_H

#include <stdbool.h>
#include <sys/types.h>
#include "ocirun/core/error.h"

/* "9", "+9", "009", "KILL", "SIGKILL", "kill", "sigkill", "SIGRTMIN+3", "RTMAX-1"; numbers
 * 0..SIGRTMAX (0: no signal, kill(2)'s existence check). Unknown -> `invalid signal "FOO"`. */
int oci_signal_parse(const char *s, int *sig, oci_err_t *err);

/* "SIGKILL", "SIGRTMIN+3", "SIGRTMAX-1"; NULL when unknown. */
const char *oci_signal_name(int sig);

/* How long a killed process may take to die (delete --force, a failed create or exec, a hook
 * past its timeout). */
#define OCI_KILL_WAIT_MS 10000

/* SIGKILL PID (our child) and reap it (waitpid FLAGS, e.g. __WALL), waiting at most
 * OCI_KILL_WAIT_MS for it to die: false when it did not (an uninterruptible sleep). */
bool oci_kill_reap(pid_t pid, int flags);

#endif
