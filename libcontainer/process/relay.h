/* relay.h: a foreground command waits for its process: signals forwarded, terminal relayed. */
#ifndef OCIRUN_RELAY_H
#define OCIRUN_RELAY_H

#include <signal.h>
#include <sys/types.h>
#include "ocirun/core/error.h"

/* Block the signals we forward, so that they queue on a signalfd instead of acting on us;
 * *old gets the previous mask. Done before the process is created, so none is lost. */
int oci_relay_block_signals(sigset_t *set, sigset_t *old);

struct oci_notify;

/* Until PID exits: forward the signals of SET to it and, with TTY_MASTER >= 0, copy our stdin
 * to the terminal and its output to our stdout (SIGWINCH resizes the terminal instead of being
 * forwarded); with NOTIFY (may be NULL), relay the container's READY to the caller's
 * NOTIFY_SOCKET. Output still buffered in the terminal when PID exits is drained. *status is
 * PID's wait status (PID is reaped). */
int oci_relay_until_exit(pid_t pid, const sigset_t *set, int tty_master, struct oci_notify *notify, int *status,
                         oci_err_t *err);

/* The shell's convention for a wait status: the exit code, or 128+N for signal N. */
int oci_exit_code(int status);

#endif
