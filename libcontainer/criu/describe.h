/* describe.h: a container described to CRIU (mounts, namespaces, cgroups, config file), for dump and restore. */
#ifndef OCIRUN_CRIU_DESCRIBE_H
#define OCIRUN_CRIU_DESCRIBE_H

#include <sys/types.h>
#include "ocirun/cgroups/cgroup.h"
#include "ocirun/core/error.h"
#include "ocirun/spec/spec.h"
#include "criu/rpc.h"

/* The annotation naming a container's own CRIU configuration file (runc's): empty means none;
 * without it CRIU reads CRIU_DEFAULT_CONFIG (when it exists). */
#define CRIU_CONFIG_ANNOTATION "org.criu.config"
#define CRIU_DEFAULT_CONFIG "/etc/criu/ocirun.conf"

struct criu_container {
    const struct oci_spec *spec;   /* the configuration create saved (restore: the bundle's) */
    const char *rootfs;            /* absolute */
    const char *bundle;            /* absolute: relative bind sources */
    const struct oci_cgroup *cg;   /* the container's cgroups (may be empty) */
    pid_t pid;                     /* dump: the init */
};

/* DEST's mount point in the container: symlinks of the image resolved under ROOTFS (ROOTFD). */
char *criu_mount_point(int rootfd, const char *rootfs, const char *dest);

/* External mounts: binds of mounts[] (by their resolved mount point; restore: onto their
 * source), a v1 cgroup mount's per-hierarchy binds, devices, masked files ("/dev/null"). */
int criu_describe_mounts(struct criu_req *r, const struct criu_container *c, oci_err_t *err);
/* Refuse what CRIU cannot restore (no mount namespace; mount, cgroup or time namespaces
 * joined by path), naming the field. */
int criu_check_restorable(const struct oci_spec *spec, oci_err_t *err);
/* Namespaces joined by path: net and pid external (restore: inherited fds), ipc/uts/user joined. */
int criu_describe_namespaces(struct criu_req *r, const struct oci_spec *spec, oci_err_t *err);
void criu_describe_freezer(struct criu_req *r, const struct oci_cgroup *cg);
void criu_describe_cg_roots(struct criu_req *r, const struct oci_cgroup *cg);
/* The org.criu.config annotation's file, CRIU_DEFAULT_CONFIG without it, NULL when empty. */
char *criu_config_file(const struct oci_spec *spec);

#endif
