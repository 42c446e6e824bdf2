/* lsm.h: Linux security module labels: process.apparmorProfile, process.selinuxLabel, linux.mountLabel. */
#ifndef OCIRUN_LSM_H
#define OCIRUN_LSM_H

#include <stdbool.h>
#include "ocirun/core/error.h"
#include "ocirun/core/report.h"
#include "ocirun/spec/mount_opts.h"
#include "ocirun/spec/spec.h"

/* Whether the host enforces AppArmor / SELinux (SELinux: never without HAVE_SELINUX). */
bool oci_lsm_apparmor_enabled(void);
bool oci_lsm_selinux_enabled(void);

/* In the runtime, before anything is created: refuse a profile or label the host cannot apply
 * (module disabled, invalid SELinux context). Empty fields are ignored. */
int oci_lsm_check(const struct oci_spec *spec, oci_err_t *err);
/* The same rules into a report (check: every problem). */
int oci_lsm_check_report(const struct oci_spec *spec, struct oci_report *r);

/* In the init, last thing before exec: the AppArmor profile and SELinux label of the exec,
 * written to /proc/thread-self/attr/... through a checked procfs. */
int oci_lsm_apply_exec(const struct oci_process *p, oci_err_t *err);

/* process.selinuxLabel as the label of the keys the process creates next (attr/keycreate): the
 * container's session keyring gets it, as in runc; RESET clears it again afterwards. Nothing
 * without a label (the label itself was checked against the host by oci_lsm_check). */
int oci_lsm_set_keycreate(const struct oci_process *p, bool reset, oci_err_t *err);

/* Whether a new filesystem of TYPE gets linux.mountLabel as a context= option (tmpfs, devpts,
 * ...; not proc, sysfs, cgroup, nor mqueue, which is labelled after the mount). */
bool oci_lsm_mount_takes_label(const char *type);
/* linux.mountLabel for mounts[] entry M (with SELinux enabled): appended to OPTS->data for a new
 * filesystem that takes it. */
void oci_lsm_label_mount_opts(const struct oci_spec *spec, const struct oci_mount *m, struct oci_mount_opts *opts);
/* linux.mountLabel set on the root of a new mqueue mount MFD (with SELinux enabled). */
int oci_lsm_label_mount_root(const struct oci_spec *spec, const struct oci_mount *m,
                             const struct oci_mount_opts *opts, int mfd, oci_err_t *err);

/* The value to give fsconfig(2) for mount option KEY=VALUE: SELinux context options lose the
 * double quotes that mount(2) data needs around their commas (VALUE is edited in place). */
char *oci_lsm_fsconfig_value(const char *key, char *value);

/* Pure helpers, exposed for the unit tests. */
/* "exec PROFILE": what AppArmor's attr/exec expects. */
char *oci_lsm_apparmor_exec_value(const char *profile);
/* DATA with `context="LABEL"` appended (comma-separated); DATA may be NULL or empty. */
char *oci_lsm_mount_data(const char *data, const char *label);

#endif
