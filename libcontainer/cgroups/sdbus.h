/* sdbus.h: the systemd manager over D-Bus (sd-bus, loaded at run time): transient scopes. */
#ifndef OCIRUN_CGROUPS_SDBUS_H
#define OCIRUN_CGROUPS_SDBUS_H

#include <stdbool.h>
#include <sys/types.h>
#include "ocirun/cgroups/systemd.h"
#include "ocirun/core/error.h"

/* Built with sd-bus's header (libsystemd-dev)? */
bool sdbus_available(void);
/* StartTransientUnit UNIT (a scope) in SLICE with PID in it, Delegate=yes and PROPS, then wait
 * for its job (JobRemoved) at most OCI_SYSTEMD_WAIT_MS; a job that ends other than "done"
 * is an error, and the unit is stopped again. */
int sdbus_start_scope(const char *unit, const char *slice, pid_t pid, const struct oci_sd_props *props,
                      oci_err_t *err);
/* SetUnitProperties (runtime) of UNIT. */
int sdbus_set_properties(const char *unit, const struct oci_sd_props *props, oci_err_t *err);
/* StopUnit UNIT and wait for the job; a unit that is gone already is no error. Then
 * ResetFailedUnit, so that nothing of it is left in systemd. */
int sdbus_stop_unit(const char *unit, oci_err_t *err);

#endif
