/* cgroup.h: the container's cgroups on v2, hybrid and v1 hosts: layout, creation, limits, placement, kill, removal. */
#ifndef OCIRUN_CGROUP_H
#define OCIRUN_CGROUP_H

#include <stdbool.h>
#include <sys/types.h>
#include "ocirun/core/error.h"
#include "ocirun/core/report.h"
#include "ocirun/spec/spec.h"

enum oci_cgroup_layout { OCI_CGROUP_NONE, OCI_CGROUP_V1, OCI_CGROUP_HYBRID, OCI_CGROUP_V2 };

/* Where the cgroup2 hierarchy is mounted on this host (/sys/fs/cgroup or
 * /sys/fs/cgroup/unified), NULL when there is none. */
enum oci_cgroup_layout oci_cgroup_detect(const char **v2_mount);

#define OCI_CGROUP_UNIFIED "unified"

/* The caller's own path in hierarchy KEY ("unified" or a v1 controller list such as "memory")
 * as /proc/self/cgroup gives it. */
int oci_cgroup_own_path(const char *key, char **out, oci_err_t *err);

/* One hierarchy's directory for the container. key: "unified" for cgroup2, else the v1
 * mount's controllers as /proc/self/cgroup lists them ("cpu,cpuacct", "memory", "name=systemd"). */
struct oci_cgroup_dir {
    char *key;
    char *path;            /* absolute filesystem path */
    bool created;          /* the container made the leaf (not there before its create) */
    char *created_top;     /* the highest parent this create made, NULL if none */
    size_t mount_len;      /* length of the hierarchy's mount point at the start of path */
};

struct oci_cgroup {
    struct oci_cgroup_dir *dirs;   /* the unified one (if any) first */
    size_t n_dirs;
    int fd;                        /* unified dir, O_DIRECTORY, for CLONE_INTO_CGROUP; -1 when none */
    bool created;                  /* we made a leaf (delete removes those it made) */
    /* The systemd driver (--systemd-cgroup): the container's transient scope and its slice
     * (NULL with the cgroupfs driver), and while create runs, the process that holds the
     * scope until the init is in it (0: none). */
    char *unit, *slice;
    pid_t holder;
};

/* The systemd form of linux.cgroupsPath: "slice:prefix:name" (empty: system.slice:ocirun:ID) is
 * unit prefix-name.scope in the slice, at path /a.slice/a-b.slice/prefix-name.scope. */
struct oci_systemd_path { char *slice, *unit, *path; };
int oci_cgroup_parse_systemd_path(const char *path, const char *id, struct oci_systemd_path *out, oci_err_t *err);
void oci_systemd_path_free(struct oci_systemd_path *p);

/* Two drivers, as runc's: cgroupfs (the directories made by us) and systemd (SYSTEMD: the
 * cgroup is a transient scope, linux.cgroupsPath "slice:prefix:name", started over D-Bus with
 * Delegate=yes; the resources systemd owns are also unit properties).
 * Resolve linux.cgroupsPath (NULL: "/ID"; relative: below the caller's own cgroup in each
 * hierarchy, as runc), create it in every hierarchy and write linux.resources (and the device
 * rules) there. No cgroups on the host: no dirs, no error. A failure removes what it made.
 * A frozen cgroup is refused; one that existed before gets runc's warning when it holds
 * processes, and is refused when it kills what is cloned into it (killed before). */
int oci_cgroup_create(const struct oci_spec *spec, const char *id, bool systemd, struct oci_cgroup *cg,
                      oci_err_t *err);
/* oci_cgroup_create in three steps, so that the paths can be saved before anything exists:
 * plan resolves them (no directory made; each `created` says whether the leaf is missing, so
 * that making it will be this create's), make creates them (the systemd driver: starts the
 * scope with the unit properties of linux.resources and the org.systemd.property annotations),
 * apply writes linux.resources and the device rules into the files. A make that fails removes
 * what it made and releases CG; after an apply that fails the caller destroys it. */
int oci_cgroup_plan(const struct oci_spec *spec, const char *id, bool systemd, struct oci_cgroup *cg, oci_err_t *err);
int oci_cgroup_make(const struct oci_spec *spec, struct oci_cgroup *cg, oci_err_t *err);
int oci_cgroup_apply(const struct oci_spec *spec, struct oci_cgroup *cg, oci_err_t *err);
/* The init is in the cgroup (cloned into it): the systemd driver's holder process goes. */
void oci_cgroup_placed(struct oci_cgroup *cg);
/* A container's cgroup read back from state.json (oci_cgroup_from_map) is the systemd
 * driver's: its unit is the leaf's name. */
void oci_cgroup_set_systemd(struct oci_cgroup *cg);
/* Was this ocirun built with the systemd driver (sd-bus)? */
bool oci_cgroup_systemd_available(void);
/* --rootless, between plan and make: the hierarchies where this user may not make (or enter)
 * the container's directory are dropped from CG with a debug line. A container that asks for
 * limits (linux.resources other than device rules) gets an error instead: it cannot have them. */
int oci_cgroup_rootless_filter(const struct oci_spec *spec, struct oci_cgroup *cg, oci_err_t *err);
/* check: what oci_cgroup_create would refuse (the systemd driver, linux.cgroupsPath, a frozen
 * cgroup, a controller the hierarchy that takes a limit lacks, a limit this layout cannot
 * express), found the same way with nothing created or written. */
int oci_cgroup_check(const struct oci_spec *spec, const char *id, bool systemd, struct oci_report *r);
/* v1 hierarchies cannot be entered at clone time: move pid into each (cgroup.procs). */
int oci_cgroup_enter_v1(const struct oci_cgroup *cg, pid_t pid, oci_err_t *err);
/* Any v1 hierarchy to enter after clone? */
bool oci_cgroup_has_v1(const struct oci_cgroup *cg);

/* The paths as kept in state.json (key -> path) and back; the strings stay CG's (free only the
 * arrays). PREEXISTING: the keys whose leaf this create did not make (NULL-terminated), and
 * back: with CREATED, every other leaf was made by the container. */
void oci_cgroup_to_map(const struct oci_cgroup *cg, struct oci_map *out);
void oci_cgroup_preexisting(const struct oci_cgroup *cg, struct oci_strv *out);
void oci_cgroup_from_map(const struct oci_map *paths, bool created, const struct oci_strv *preexisting,
                         struct oci_cgroup *cg);

void oci_cgroup_release(struct oci_cgroup *cg);
/* Undo a create that failed: kill, remove the leaves and the parents this create made. */
void oci_cgroup_destroy_created(struct oci_cgroup *cg);

/* update: write the given resources into the live cgroups (systemd driver: the unit's
 * properties first, as runc); a non-empty devices list replaces
 * the device rules without a moment of more access than the old or the new ones. */
int oci_cgroup_update(const struct oci_cgroup *cg, const struct oci_resources *r, oci_err_t *err);

/* Freeze (pause) or thaw (resume) every process: the v1 freezer where mounted, else
 * cgroup.freeze; waits until the kernel reports it done, at most a few seconds. */
int oci_cgroup_freeze(const struct oci_cgroup *cg, bool freeze, oci_err_t *err);
/* Frozen or freezing (paused)? */
bool oci_cgroup_frozen(const struct oci_cgroup *cg);

/* Signal every process in the container's cgroups (cgroup.kill for SIGKILL, where there is one,
 * into a cgroup the container made). */
int oci_cgroup_signal_all(const struct oci_cgroup *cg, int sig, oci_err_t *err);
/* Every process in the container's cgroup and the cgroups below it (malloc'd array). */
int oci_cgroup_pids(const struct oci_cgroup *cg, pid_t **pids, size_t *n, oci_err_t *err);
/* Does the container's cgroup hold any process? */
bool oci_cgroup_populated(const struct oci_cgroup *cg);
/* Remove the leaves the container made (and the cgroups below them), with bounded retries
 * while the kernel tears processes down (EBUSY); the systemd driver stops the scope first. */
int oci_cgroup_remove(const struct oci_cgroup *cg, oci_err_t *err);

#endif
