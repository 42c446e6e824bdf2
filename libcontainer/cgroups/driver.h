/* driver.h: the cgroup drivers (cgroupfs, systemd): what each does around the directories. */
#ifndef OCIRUN_CGROUPS_DRIVER_H
#define OCIRUN_CGROUPS_DRIVER_H

#include "ocirun/cgroups/cgroup.h"
#include "ocirun/core/error.h"
#include "ocirun/spec/spec.h"

/* The lifecycle's calls (manage.c, apply.c) go through the container's driver. */
struct cgroup_driver {
    const char *name;
    /* the planned directories come into being (cgroupfs: nothing yet, manage.c makes them) */
    int (*start)(struct oci_cgroup *cg, const struct oci_spec *spec, oci_err_t *err);
    /* the init is in the cgroup */
    void (*placed)(struct oci_cgroup *cg);
    /* update: the driver's own view of the new resources, before the files are written */
    int (*update)(const struct oci_cgroup *cg, const struct oci_resources *r, oci_err_t *err);
    /* the processes are dead: the driver lets go of the cgroup (before the rmdirs) */
    int (*stop)(const struct oci_cgroup *cg, oci_err_t *err);
};

const struct cgroup_driver *cgroup_driver_of(const struct oci_cgroup *cg);

#endif
