/* check.h: `ocirun check`: a bundle validated against the runtime-spec and this host, nothing created. */
#ifndef OCIRUN_CONTAINER_CHECK_H
#define OCIRUN_CONTAINER_CHECK_H

#include <stdbool.h>
#include "ocirun/core/report.h"

struct oci_check_opts {
    const char *root;            /* --root: an ID given must not be taken there */
    const char *bundle;          /* NULL: the current directory */
    const char *id;              /* optional: checked as create checks it, and names the default cgroup */
    bool systemd_cgroup;
    bool rootless;               /* --rootless: limits in cgroups this user cannot write are reported */
};

/*
 * Run the rules create runs, and predict the failures create would meet on this host, without
 * creating anything (no state directory, cgroup, mount, namespace or process): the parse (every
 * problem, with its JSON path), the spec's cross-field rules, sysctl keys, LSM labels,
 * capabilities, rlimits, the seccomp profile, namespaces (kernel support, paths), the cgroup
 * (path, driver, controllers and limits for this layout), linux.devices, mounts[] (bind sources,
 * types, idmaps), root.path (exists, a directory) and process.cwd in it. Every problem goes to
 * R (a collecting report), as `config.json: PATH: MESSAGE` (problems of the bundle or of the ID
 * are named so instead). Returns 0 when nothing is wrong.
 */
int oci_container_check(const struct oci_check_opts *o, struct oci_report *r);

#endif
