/* relay.h: a foreground runtime (run, exec) relaying signals to its process and taking its exit status. */
#ifndef OCIRUN_RELAY_H
#define OCIRUN_RELAY_H

#include <signal.h>
#include <sys/types.h>
#include "ocirun/error.h"

/* The wait status as a shell reports it: the exit code, 128+N for signal N. */
int oci_exit_code(int status);

/* Block the signals we relay (all but SIGCHLD, the unblockable and the synchronous ones), so
 * that they queue for a signalfd instead of acting on us. OLD gets the previous mask. */
int oci_block_relayed_signals(sigset_t *set, sigset_t *old);

/* Relay the signals of SET to PID (our child) until it exits; *status gets its wait status. */
int oci_relay_until_exit(pid_t pid, const sigset_t *set, int *status, oci_err_t *err);

#endif
