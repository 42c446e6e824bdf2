/* state.h: a container's persisted state (ROOT/ID/state.json), id rules, liveness and status. */
#ifndef OCIRUN_STATE_H
#define OCIRUN_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yajl/yajl_gen.h>
#include <sys/types.h>
#include "ocirun/core/error.h"
#include "ocirun/core/report.h"
#include "ocirun/spec/spec.h"

/* The name (comm) the container's init carries until it execs the container's program: while
 * the exec fifo exists, it tells an init that waits for start from one that has gone on. */
#define OCI_INIT_COMM "ocirun:[INIT]"

/* Files inside ROOT/ID. */
#define OCI_STATE_FILE "state.json"
#define OCI_EXEC_FIFO "exec.fifo"
/* The bundle's config.json as create read it (the bytes, not re-generated): exec's process
 * defaults, seccomp profile, capabilities, rlimits and labels come from here, never from the
 * bundle again (it may have been edited or removed since). */
#define OCI_CONFIG_FILE "config.json"

/* Longest accepted container id. */
#define OCI_ID_MAX 255   /* a directory name under --root */

enum oci_status {
    OCI_STATUS_CREATING,
    OCI_STATUS_CREATED,
    OCI_STATUS_RUNNING,
    OCI_STATUS_PAUSED,
    OCI_STATUS_STOPPED,
};

/* "creating" "created" "running" "paused" "stopped" ("unknown" out of range). */
const char *oci_status_name(enum oci_status s);

struct oci_state {
    char *id;
    pid_t pid;                  /* init pid in the runtime's pid namespace */
    uint64_t pid_start_time;    /* field 22 of /proc/PID/stat, guards against pid reuse */
    char *bundle;               /* absolute */
    char *rootfs;               /* absolute */
    char *created;              /* RFC3339Nano UTC, e.g. 2026-11-22T23:10:48.123456789Z */
    char *owner;                /* "" as runc */
    struct oci_map annotations; /* copied from the spec */
    struct oci_map cgroup_paths; /* hierarchy ("unified", "memory", "cpu,cpuacct"...) -> cgroup dir */
    bool cgroup_created;        /* we made it (so delete removes it) */
    /* Written while create (or run) is still building the container, so that whatever it made
     * can be found and removed if it dies half way: the cgroup paths first (cgroup_created then
     * says whether the leaves did not exist yet, i.e. are this create's), then the init's pid
     * and start time. The create that is still at work holds the directory's lock. */
    bool creating;
    /* hierarchies whose leaf existed before create: not the container's alone (delete keeps
     * them, no cgroup.kill there) */
    struct oci_strv cgroup_preexisting;
    bool systemd_cgroup;
    bool no_new_keyring;        /* create --no-new-keyring: exec joins no "_ses.ID" keyring either */
    /* hooks.poststart and hooks.poststop, for start and delete: config.json is read once, at
     * create (changes to it after create must not affect the container; the bundle may be gone) */
    struct oci_hooks_list poststart, poststop;
    /* How long the startContainer hooks may take (the sum of their timeouts, ms; -1: one has
     * none), which `start` waits for on top of its own bound. */
    int64_t start_hooks_ms;
    /* No mount namespace of its own: the id of the rootfs bind create made in the caller's
     * namespace, which delete detaches again (0: none). */
    uint64_t host_rootfs_mount;
};

/* Frees a state returned by oci_state_read (every string and the annotations). NULL is fine. */
void oci_state_free(struct oci_state *st);

/* Ids: 1..OCI_ID_MAX of [A-Za-z0-9_+.-], not "." or "..", not starting with '-'.
 * Error: `invalid container id "a/b": character '/' is not allowed (...)`. err may be NULL. */
int oci_id_validate(const char *id, oci_err_t *err);

/* check: ID is a valid id not taken under ROOT (create's errors); nothing is made. */
int oci_state_check_id(const char *root, const char *id, struct oci_report *r);

/* Root dir: created 0700 when missing (mkdir -p). ROOT/ID created with mkdir (EEXIST ->
 * `container "ID" already exists`); returns an O_DIRECTORY|O_CLOEXEC fd to ROOT/ID, locked
 * (flock LOCK_EX on it). */
int oci_state_create_dir(const char *root, const char *id, int *dirfd, oci_err_t *err);

/* How long a command waits for the lock another ocirun holds on ROOT/ID (create, start,
 * delete, pause, resume take it exclusively, kill shared) before it fails with ETIMEDOUT. */
#define OCI_STATE_LOCK_WAIT_MS 30000

/* Open ROOT/ID (ENOENT/ENOTDIR -> `container "ID" does not exist`), flock it (exclusive or
 * shared; waits up to OCI_STATE_LOCK_WAIT_MS while another ocirun holds it, then fails with
 * `... still holds the lock on ROOT/ID after 30 s, held by pid N (its command line)`). */
int oci_state_open_dir(const char *root, const char *id, bool exclusive, int *dirfd, oci_err_t *err);
/* The same without a lock: readers (state, list) need none, state.json is replaced atomically,
 * and they must not wait for a create or start that holds the lock. */
int oci_state_open_dir_unlocked(const char *root, const char *id, int *dirfd, oci_err_t *err);

/* state.json, atomic temp+rename, no fsync. */
int oci_state_write(int dirfd, const struct oci_state *st, oci_err_t *err);

/* ROOT/ID/config.json (0600): a new file in the directory create just made, written before the
 * state.json that makes the container enterable (whose rename publishes it: no reader looks
 * for it before), so no temp+rename of its own. */
int oci_state_save_config(int dirfd, const char *text, size_t len, oci_err_t *err);

/* Parse ROOT/ID/config.json. A missing file (a container created by an ocirun older than the
 * file) gives errno ENOENT: `open config.json: No such file or directory`. */
int oci_state_load_config(int dirfd, struct oci_spec **spec, oci_err_t *err);

/* Read state.json. A missing file (create still running or failed half way) gives
 * `container "ID" does not exist: open state.json: No such file or directory` with errno ENOENT;
 * an id different from the directory's is an error. */
int oci_state_read(int dirfd, const char *id, struct oci_state **out, oci_err_t *err);
/* The parse of oci_state_read: TEXT (NUL-terminated) is the state.json of container ID. */
int oci_state_parse(const char *text, const char *id, struct oci_state **out, oci_err_t *err);

/* rm -r ROOT/ID (files, fifo, sockets); a missing directory is not an error. */
int oci_state_remove_dir(const char *root, const char *id, oci_err_t *err);

/* Names of the container directories under root, sorted (strcmp); NULL-terminated vector
 * (free with strv_free). Missing root -> 0 ids. Entries that are not directories or not valid
 * ids are skipped. */
int oci_state_list_ids(const char *root, char ***ids, size_t *n, oci_err_t *err);

/* Process identity (/proc/PID/stat parsed robustly: comm may contain spaces and ')'). Returns 0
 * and fills start time + state char (either may be NULL), -ESRCH when gone, another negative
 * errno if /proc cannot be read or parsed. */
int oci_proc_stat(pid_t pid, uint64_t *start_time, char *state);
/* --pid-file of create, run and exec: PID in decimal, written atomically (PATH relative to
 * the caller's cwd); errors say "--pid-file". */
int oci_pid_file_write(const char *path, pid_t pid, oci_err_t *err);

/* Where PID sleeps, for the message of a wait that timed out: the kernel function
 * (/proc/PID/wchan, "" when unknown) and the syscall it is in (/proc/PID/syscall, -1 when
 * none or unreadable). */
int oci_proc_wait_info(pid_t pid, char *wchan, size_t len, long *syscall_nr);

/* The same as oci_proc_stat for a stat file by path ("/proc/self/stat"). */
int oci_proc_stat_path(const char *path, uint64_t *start_time, char *state);

/* alive = pid exists, start time matches, not a zombie ('Z') nor dead ('X'). */
bool oci_state_pid_alive(const struct oci_state *st);

/* A pidfd of the container's init (pidfd_open, close-on-exec), checked to be the process of
 * state.json (start time) after it was opened: -ESRCH when the init is gone or the pid reused. */
int oci_state_open_pidfd(const struct oci_state *st, int *pidfd);

/* A state being written by a create: creating while that create runs (it holds the lock of
 * DIRFD), stopped once it died half way. Otherwise created if alive, ROOT/ID/exec.fifo exists
 * and the init still carries OCI_INIT_COMM (a start killed after releasing it leaves the
 * fifo), running if alive, else stopped. */
enum oci_status oci_state_status(int dirfd, const struct oci_state *st);

/* Whether a command holds the lock of the state directory DIRFD (asked without waiting). */
bool oci_state_dir_locked(int dirfd);

/* The runtime-spec state JSON, keys in this order:
 * {"ociVersion","id","pid","status","bundle","rootfs","created","owner","annotations"}
 * pid is 0 when stopped; pretty = indented by two spaces like runc's `state`. No trailing
 * newline. Caller frees. */
char *oci_state_to_json(const struct oci_state *st, enum oci_status status, bool pretty);
/* The same object, written into a generator (for documents that embed the state). */
void oci_state_gen(yajl_gen g, const struct oci_state *st, enum oci_status status);

#endif
