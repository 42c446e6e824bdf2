/* spec.h: the OCI runtime-spec 1.3 config.json as typed structs, filled by one yajl pass. */
#ifndef OCIRUN_SPEC_H
#define OCIRUN_SPEC_H

#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "ocirun/core/error.h"
#include "ocirun/core/report.h"

/* The runtime-spec version ocirun implements: --version's "spec:" line, the ociVersion of the
 * state (state, hooks, seccomp agents) and of `ocirun spec`'s config.json, features'
 * ociVersionMax. */
#define OCI_SPEC_VERSION "1.3.0"

/* Optional scalars: `set` tells whether the key was present. */
struct oci_opt_i64 { bool set; int64_t value; };
struct oci_opt_u64 { bool set; uint64_t value; };
struct oci_opt_u32 { bool set; uint32_t value; };
struct oci_opt_bool { bool set; bool value; };

/* string -> string map (annotations, sysctl, unified), in document order */
struct oci_kv { char *key; char *value; };
struct oci_map { struct oci_kv *items; size_t len; };

/* NULL-terminated vector plus its length */
struct oci_strv { char **v; size_t len; };

struct oci_idmap { uint32_t container_id; uint32_t host_id; uint32_t size; };
struct oci_idmaps { struct oci_idmap *items; size_t len; };

struct oci_root {
    char *path;           /* as written; relative to the bundle or absolute */
    bool readonly;
};

struct oci_mount {
    char *destination;    /* required */
    char *source;         /* may be NULL */
    char *type;           /* may be NULL */
    struct oci_strv options;
    struct oci_idmaps uid_mappings;
    struct oci_idmaps gid_mappings;
};

struct oci_rlimit {
    char *type;           /* "RLIMIT_NOFILE" */
    int resource;         /* RLIMIT_NOFILE, resolved by the parser (-1: refused, see oci_spec_parse_report) */
    uint64_t hard;
    uint64_t soft;
};

struct oci_capabilities {
    struct oci_strv bounding, effective, inheritable, permitted, ambient;
};

struct oci_user {
    uint32_t uid;
    uint32_t gid;
    struct oci_opt_u32 umask;
    uint32_t *additional_gids;
    size_t n_additional_gids;
    char *username;       /* windows only; kept for completeness */
};

struct oci_io_priority {
    char *class_;         /* IOPRIO_CLASS_RT ... */
    int class_value;      /* IOPRIO_CLASS_RT (1), _BE (2), _IDLE (3) */
    int priority;         /* 0..7 */
};

struct oci_scheduler {
    char *policy;         /* SCHED_OTHER ... */
    int policy_value;     /* the kernel's number: SCHED_OTHER 0 ... SCHED_DEADLINE 6 */
    int32_t nice;
    int32_t priority;
    struct oci_strv flags;
    uint64_t flag_bits;   /* SCHED_FLAG_* of flags */
    uint64_t runtime, deadline, period;
};

/* "0-3,7" lists, as given and as CPU sets; an empty list counts as none. */
struct oci_cpu_affinity {
    char *initial;
    char *final_;
    bool has_initial, has_final;
    cpu_set_t initial_set, final_set;
};

struct oci_console_size { uint32_t height; uint32_t width; };

struct oci_process {
    bool terminal;
    bool has_console_size;
    struct oci_console_size console_size;
    struct oci_user user;
    struct oci_strv args;
    char *command_line;   /* windows only */
    struct oci_strv env;
    char *cwd;            /* required, absolute */
    struct oci_capabilities *capabilities;   /* NULL when absent */
    struct oci_rlimit *rlimits;
    size_t n_rlimits;
    bool no_new_privileges;
    char *apparmor_profile;
    struct oci_opt_i64 oom_score_adj;
    struct oci_scheduler *scheduler;
    char *selinux_label;
    struct oci_io_priority *io_priority;
    struct oci_cpu_affinity *exec_cpu_affinity;
};

struct oci_hook {
    char *path;           /* required, absolute */
    struct oci_strv args;
    struct oci_strv env;
    struct oci_opt_i64 timeout;  /* seconds, > 0 */
};
struct oci_hooks_list { struct oci_hook *items; size_t len; };
struct oci_hooks {
    struct oci_hooks_list prestart, create_runtime, create_container,
                          start_container, poststart, poststop;
};

enum oci_ns_type {
    OCI_NS_PID, OCI_NS_NETWORK, OCI_NS_MOUNT, OCI_NS_IPC,
    OCI_NS_UTS, OCI_NS_USER, OCI_NS_CGROUP, OCI_NS_TIME,
    OCI_NS_COUNT
};
/* type is OCI_NS_COUNT only after a collecting parse refused it (oci_spec_parse_report). */
struct oci_namespace { enum oci_ns_type type; char *path; /* NULL: create a new one */ };

struct oci_time_offset { char *clock; /* "monotonic" | "boottime" */ int64_t secs; uint32_t nanosecs; };

struct oci_device {
    char *path;
    char *type;           /* "c" "b" "u" "p" */
    int64_t major, minor;
    struct oci_opt_u32 file_mode;
    struct oci_opt_u32 uid, gid;
};

struct oci_device_cgroup {
    bool allow;
    char *type;           /* "a" "c" "b"; NULL = all */
    struct oci_opt_i64 major, minor;  /* unset = wildcard */
    char *access;         /* "rwm" subset; NULL = all */
};

struct oci_memory {
    struct oci_opt_i64 limit, reservation, swap, kernel, kernel_tcp;
    struct oci_opt_u64 swappiness;
    struct oci_opt_bool disable_oom_killer, use_hierarchy, check_before_update;
};

struct oci_cpu {
    struct oci_opt_u64 shares;
    struct oci_opt_i64 quota;
    struct oci_opt_u64 burst;
    struct oci_opt_u64 period;
    struct oci_opt_i64 realtime_runtime;
    struct oci_opt_u64 realtime_period;
    char *cpus, *mems;
    struct oci_opt_i64 idle;
};

struct oci_weight_device { int64_t major, minor; struct oci_opt_u32 weight, leaf_weight; };
struct oci_throttle_device { int64_t major, minor; uint64_t rate; };
struct oci_throttle_list { struct oci_throttle_device *items; size_t len; };

struct oci_block_io {
    struct oci_opt_u32 weight, leaf_weight;
    struct oci_weight_device *weight_device;
    size_t n_weight_device;
    struct oci_throttle_list throttle_read_bps, throttle_write_bps,
                             throttle_read_iops, throttle_write_iops;
};

struct oci_hugepage_limit { char *page_size; uint64_t limit; };
struct oci_net_priority { char *name; uint32_t priority; };
struct oci_network_res {
    struct oci_opt_u32 class_id;
    struct oci_net_priority *priorities;
    size_t n_priorities;
};
struct oci_rdma { char *device; struct oci_opt_u32 hca_handles, hca_objects; };

struct oci_resources {
    struct oci_device_cgroup *devices;
    size_t n_devices;
    struct oci_memory *memory;
    struct oci_cpu *cpu;
    struct oci_opt_i64 pids_limit;     /* linux.resources.pids.limit */
    struct oci_block_io *block_io;
    struct oci_hugepage_limit *hugepage_limits;
    size_t n_hugepage_limits;
    struct oci_network_res *network;
    struct oci_rdma *rdma;
    size_t n_rdma;
    struct oci_map unified;
    bool partial;         /* a collecting parse (check) refused a part of it */
};

enum oci_seccomp_op { OCI_OP_NE, OCI_OP_LT, OCI_OP_LE, OCI_OP_EQ, OCI_OP_GE, OCI_OP_GT, OCI_OP_MASKED_EQ };
struct oci_seccomp_arg { uint32_t index; uint64_t value; uint64_t value_two; enum oci_seccomp_op op; };
struct oci_syscall_rule {
    struct oci_strv names;
    char *action;         /* "SCMP_ACT_ERRNO" ... */
    struct oci_opt_u32 errno_ret;
    struct oci_seccomp_arg *args;
    size_t n_args;
};
struct oci_seccomp {
    char *default_action;
    struct oci_opt_u32 default_errno_ret;
    struct oci_strv architectures;
    struct oci_strv flags;
    char *listener_path;
    char *listener_metadata;
    struct oci_syscall_rule *syscalls;
    size_t n_syscalls;
    bool partial;         /* a collecting parse (check) refused a part of it: not compiled */
};

struct oci_intel_rdt {
    char *clos_id, *l3_cache_schema, *mem_bw_schema;
    struct oci_strv schemata;
    bool enable_monitoring;
    bool enable_cmt, enable_mbm;   /* runtime-spec 1.1/1.2 names, superseded by enableMonitoring */
};

struct oci_personality { char *domain; struct oci_strv flags; };
struct oci_net_device { char *host_name; char *name; /* NULL: keep host_name */ };
struct oci_memory_policy { char *mode; char *nodes; struct oci_strv flags; };

struct oci_linux {
    struct oci_namespace *namespaces;
    size_t n_namespaces;
    struct oci_idmaps uid_mappings, gid_mappings;
    struct oci_time_offset *time_offsets;
    size_t n_time_offsets;
    struct oci_device *devices;
    size_t n_devices;
    char *cgroups_path;
    struct oci_resources *resources;
    char *rootfs_propagation;  /* "private" "shared" "slave" "unbindable" (+ r-forms) */
    struct oci_seccomp *seccomp;
    struct oci_map sysctl;
    struct oci_strv masked_paths, readonly_paths;
    char *mount_label;
    struct oci_intel_rdt *intel_rdt;
    struct oci_personality *personality;
    struct oci_net_device *net_devices;
    size_t n_net_devices;
    struct oci_memory_policy *memory_policy;
};

struct oci_spec {
    char *oci_version;
    struct oci_root *root;           /* NULL when absent */
    struct oci_mount *mounts;
    size_t n_mounts;
    struct oci_process *process;     /* NULL when absent (create requires it) */
    char *hostname, *domainname;
    struct oci_hooks hooks;
    struct oci_map annotations;
    struct oci_linux *linux_;        /* NULL when absent */
};

/* Parse config.json text. Errors name the JSON path and the value:
 *   linux.namespaces[2].type: unknown namespace type "pdi"
 * (the caller prefixes "config.json: "). */
int oci_spec_parse(const char *json, size_t len, struct oci_spec **out, oci_err_t *err);

/* The same parse for `check`, into a report: with a collecting one (OCI_REPORT_FIRST not used)
 * every problem of the document is recorded, each with its JSON path, and *out is the spec as
 * far as it could be read whenever the text is JSON (free it in any case): a refused field is
 * left NULL / unset / empty, a namespace whose type was refused has type OCI_NS_COUNT, an
 * rlimit whose type or values were refused has resource -1, and a seccomp profile or a
 * resources object with a refused part has `partial` set. Returns 0 when nothing was wrong. */
int oci_spec_parse_report(const char *json, size_t len, struct oci_spec **out, struct oci_report *r);

/* Read and parse BUNDLE/config.json (or any path). Parse errors are prefixed with the
 * file's basename ("config.json: process.cwd: missing required field"); a file that
 * cannot be read gives "open <path>: No such file or directory" with errno kept. */
int oci_spec_load(const char *path, struct oci_spec **out, oci_err_t *err);
/* The same for PATH under DIRFD; with TEXT non-NULL, the file's bytes as read (NUL-terminated,
 * *LEN without the NUL; the caller frees) are kept too: create saves them for exec. */
int oci_spec_load_at(int dirfd, const char *path, struct oci_spec **out, char **text, size_t *len, oci_err_t *err);

/* Parse a standalone process object (exec --process FILE); error paths are relative
 * to it ("cwd: must be an absolute path, got \"tmp\""), the caller adds the file name. */
int oci_process_parse(const char *json, size_t len, struct oci_process **out, oci_err_t *err);

/* Parse a linux.resources object on its own (update --resources FILE); paths in errors are
 * relative to it ("memory.limit: ..."). */
int oci_resources_parse(const char *json, size_t len, struct oci_resources **out, oci_err_t *err);
void oci_resources_free(struct oci_resources *r);

void oci_spec_free(struct oci_spec *spec);
/* Free the hooks of one list (also those state.json keeps: poststart and poststop for start
 * and delete); the list is left empty. */
void oci_hooks_list_free(struct oci_hooks_list *l);
/* Free the keys and values of a map (annotations, sysctl, ...); the map is left empty. */
void oci_map_free(struct oci_map *m);

/* The config.json of `ocirun spec` (runc's defaults; rootless: a user namespace mapping root to
 * UID/GID, no network namespace, the host's /sys bound). */
char *oci_spec_default_json(bool rootless, uid_t uid, gid_t gid);
/* Write it to BUNDLE/config.json; an existing file is an error, never overwritten. */
int oci_spec_write_default(const char *bundle, bool rootless, oci_err_t *err);
void oci_process_free(struct oci_process *p);

/* Namespace type <-> spec name ("pid", "network", "mount", "ipc", "uts", "user", "cgroup", "time"). */
const char *oci_ns_type_name(enum oci_ns_type t);
int oci_ns_type_from_name(const char *name, enum oci_ns_type *out);
/* CLONE_NEW* flag for a type. */
int oci_ns_clone_flag(enum oci_ns_type t);

/* The namespace entry of this type, or NULL. */
const struct oci_namespace *oci_spec_namespace(const struct oci_spec *spec, enum oci_ns_type t);

#endif
