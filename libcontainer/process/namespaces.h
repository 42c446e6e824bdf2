/* namespaces.h: which namespaces a container creates or joins, and the user-namespace id maps. */
#ifndef OCIRUN_NAMESPACES_H
#define OCIRUN_NAMESPACES_H

#include <stdbool.h>
#include <sys/types.h>
#include "ocirun/core/error.h"
#include "ocirun/core/report.h"
#include "ocirun/spec/spec.h"

struct oci_ns_plan {
    int clone_flags;               /* CLONE_NEW* of the namespaces to create at clone time */
    int unshare_flags;             /* created by the init itself (cgroup, time; all when joining a user ns) */
    int join_fd[OCI_NS_COUNT];     /* namespaces joined by path, -1 otherwise */
    bool has[OCI_NS_COUNT];        /* namespace listed in the config (new or joined) */
    bool new_user;                 /* a new user namespace: the runtime writes its id maps */
    bool need_fork;                /* pid ns joined, or created after joining a user ns: init forks once more */
};

/* check: every namespace type is one this kernel has, every `path` opens as a namespace of its
 * type (the same open and test as oci_ns_plan_build, whose errors these are). */
int oci_ns_check(const struct oci_spec *spec, struct oci_report *r);

/* Decide how each namespace is made; open (and check the type of) every `path`. */
int oci_ns_plan_build(const struct oci_spec *spec, struct oci_ns_plan *plan, oci_err_t *err);
void oci_ns_plan_close(struct oci_ns_plan *plan);

/* In the init: setns() every joined namespace (user first, mount last), then unshare the rest
 * and write the new time namespace's offsets. */
int oci_ns_join_and_unshare(struct oci_ns_plan *plan, const struct oci_spec *spec, oci_err_t *err);

/* In the runtime: write uid_map/gid_map of the init `pid`. */
int oci_ns_write_id_maps(pid_t pid, const struct oci_spec *spec, oci_err_t *err);

/* In the init, before anything enters it: linux.timeOffsets of the new time namespace. */
int oci_ns_write_time_offsets(const struct oci_spec *spec, oci_err_t *err);

/* In the runtime: run FN(ARG) inside the mount namespace of PID, then come back to ours with
 * our root and working directory as they were (setns resets both). */
int oci_ns_in_mount_ns_of(pid_t pid, int (*fn)(void *arg, oci_err_t *err), void *arg, oci_err_t *err);

/* The processes of INIT's pid namespace (a /proc scan, for `ps` of a container without a
 * cgroup); just INIT when it shares ours. Malloc'd array. */
int oci_ns_pid_members(pid_t init, pid_t **pids, size_t *n, oci_err_t *err);

#endif
