/* signals.h: signal names <-> numbers for `kill` (names as runc accepts them). */
#ifndef OCIRUN_SIGNALS_H
#define OCIRUN_SIGNALS_H

#include "ocirun/core/error.h"

/* "9", "+9", "009", "KILL", "SIGKILL", "kill", "sigkill", "SIGRTMIN+3", "RTMAX-1"; numbers
 * 0..SIGRTMAX (0: no signal, kill(2)'s existence check). Unknown -> `invalid signal "FOO"`. */
int oci_signal_parse(const char *s, int *sig, oci_err_t *err);

/* "SIGKILL", "SIGRTMIN+3", "SIGRTMAX-1"; NULL when unknown. */
const char *oci_signal_name(int sig);

#endif
