/* cgroup.h: the container's cgroup: host layout detection, creation, placement, kill and removal. */
#ifndef OCIRUN_CGROUP_H
#define OCIRUN_CGROUP_H

#include <stdbool.h>
#include <sys/types.h>
#include "ocirun/error.h"

enum oci_cgroup_layout { OCI_CGROUP_NONE, OCI_CGROUP_V1, OCI_CGROUP_HYBRID, OCI_CGROUP_V2 };

/* Where the cgroup2 hierarchy is mounted on this host (/sys/fs/cgroup or
 * /sys/fs/cgroup/unified), NULL when there is none. */
enum oci_cgroup_layout oci_cgroup_detect(const char **v2_mount);

struct oci_cgroup {
    char *path;      /* absolute filesystem path of the container's cgroup2 directory */
    int fd;          /* O_DIRECTORY fd for CLONE_INTO_CGROUP, -1 when none */
    bool created;    /* we made the leaf (delete removes it) */
    char *created_top; /* the highest directory of the path that this create made, NULL if only the leaf */
};

/* Resolve linux.cgroupsPath (NULL: "/ID"; relative: below the caller's own cgroup, as runc)
 * and create it in the cgroup2 hierarchy. No cgroup2 on the host: cg->fd = -1, no error. */
int oci_cgroup_create(const char *cgroups_path, const char *id, bool systemd, struct oci_cgroup *cg, oci_err_t *err);
void oci_cgroup_release(struct oci_cgroup *cg);
/* Undo a create that failed: remove the leaf and the parents this create made. */
void oci_cgroup_destroy_created(struct oci_cgroup *cg);

/* Signal every process in the cgroup (cgroup.kill for SIGKILL when the kernel has it). */
int oci_cgroup_signal_all(const char *path, int sig, oci_err_t *err);
/* Does the cgroup hold any process? */
bool oci_cgroup_populated(const char *path);
/* rmdir with bounded retries while the kernel still tears processes down (EBUSY). */
int oci_cgroup_remove(const char *path, oci_err_t *err);

#endif
