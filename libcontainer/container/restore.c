/* restore.c: `restore`: a container made from a CRIU image, with the state directory and cgroups a created one has. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include "ocirun/cgroups/cgroup.h"
#include "ocirun/container/checkpoint.h"
#include "ocirun/core/log.h"
#include "ocirun/core/utils.h"
#include "ocirun/process/hooks.h"
#include "ocirun/process/signals.h"
#include "ocirun/security/lsm.h"
#include "ocirun/security/sysctl.h"
#include "ocirun/spec/validate.h"
#include "ocirun/state/state.h"
#include "criu/describe.h"
#include "criu/images.h"
#include "criu/restore_root.h"
#include "criu/rpc.h"
#include "process/relay.h"
#include "process/terminal.h"
#include "rootfs/rootfs.h"

struct restore {
    const struct oci_restore_opts *o;
    const char *id;
    struct oci_spec *spec;
    char *config_text;          /* config.json's bytes, saved for exec */
    size_t config_len;
    char *bundle;
    char *rootfs;
    int state_dir;
    bool state_dir_made;
    struct oci_cgroup cg;
    struct criu_req req;
    char *log_dir;
    pid_t init;                 /* the restored init (our child: CRIU's rst_sibling) */
    uint64_t start_time;
    int tty_master;             /* the terminal CRIU made, held for a foreground restore */
    bool foreground;
};

static void restore_state(const struct restore *r, struct oci_state *st, char *created)
{
    *st = (struct oci_state) {
        .id = (char *) r->id,
        .pid = r->init,
        .pid_start_time = r->start_time,
        .bundle = r->bundle,
        .rootfs = r->rootfs,
        .owner = "",
        .created = created,
        .annotations = r->spec->annotations,
        .cgroup_created = r->cg.created,
        .systemd_cgroup = r->o->create.systemd_cgroup,
        .poststart = r->spec->hooks.poststart,
        .poststop = r->spec->hooks.poststop,
        .start_hooks_ms = oci_hooks_timeout_ms(&r->spec->hooks, OCI_HOOK_START_CONTAINER),
    };
    now_rfc3339(created, 64);
}

/* state.json as create writes it: first `creating` with the planned cgroups (so that delete
 * of a restore killed half way finds and removes what it made), then the restored init. */
static int write_state(struct restore *r, bool creating, oci_err_t *err)
{
    struct oci_state st;
    char created[64];
    int ret;

    restore_state(r, &st, created);
    st.creating = creating;
    oci_cgroup_to_map(&r->cg, &st.cgroup_paths);
    oci_cgroup_preexisting(&r->cg, &st.cgroup_preexisting);
    if (st.cgroup_preexisting.len == 0) {
        free(st.cgroup_preexisting.v);
        st.cgroup_preexisting.v = NULL;
    }
    ret = oci_state_write(r->state_dir, &st, err);
    free(st.cgroup_paths.items);
    free(st.cgroup_preexisting.v);
    return ret;
}

/* The bundle as create reads it: config.json parsed and held to create's rules. */
static int load_bundle(struct restore *r, oci_err_t *err)
{
    const char *bundle = r->o->create.bundle ? r->o->create.bundle : ".";
    cleanup_free char *config = NULL;
    struct oci_report rep = OCI_REPORT_FIRST(err);

    r->bundle = realpath(bundle, NULL);
    if (r->bundle == NULL)
        return oci_error_sys(err, "bundle \"%s\": cannot open %s/config.json", bundle, bundle);
    config = xasprintf("%s/config.json", r->bundle);
    if (oci_spec_load_at(AT_FDCWD, config, &r->spec, &r->config_text, &r->config_len, err) < 0)
        return -1;
    if (oci_spec_validate(r->spec, &rep) < 0 || oci_sysctl_check(r->spec, &rep) < 0 ||
        oci_lsm_check_report(r->spec, &rep) < 0)
        return -1;
    if (oci_rootfs_resolve(r->bundle, r->spec->root, &r->rootfs, err) < 0)
        return -1;
    return criu_check_restorable(r->spec, err);
}

/* A terminal needs someone to hold its master: the console socket's owner, or us in the
 * foreground (create's rule). */
static int check_console(const struct restore *r, oci_err_t *err)
{
    bool terminal = r->spec->process && r->spec->process->terminal;
    const char *sock = r->o->create.console_socket;

    if (terminal && sock == NULL && !r->foreground)
        return oci_error_set(err, 0, "config.json: process.terminal is true: --console-socket is required "
                             "with restore --detach (nobody would hold the terminal once ocirun returns)");
    if (!terminal && sock)
        return oci_error_set(err, 0, "--console-socket \"%s\": process.terminal is false, there is no "
                             "terminal to send", sock);
    return 0;
}

/* CRIU's notifications: the namespaces are there (prestart and createRuntime hooks, as runc
 * runs them), the terminal it made for the image's orphaned pty. */
static int restore_notify(void *arg, const char *script, pid_t pid, int fd, oci_err_t *err)
{
    struct restore *r = arg;

    if (strcmp(script, "orphan-pts-master") == 0) {
        if (fd < 0)
            return oci_error_set_code(err, EPROTO, "criu sent the terminal without its fd");
        return oci_terminal_hand_over(r->o->create.console_socket, fd, &r->tty_master, err);
    }
    if (fd >= 0)
        close(fd);
    if (strcmp(script, "setup-namespaces") == 0 &&
        (oci_hooks_has(&r->spec->hooks, OCI_HOOK_PRESTART) ||
         oci_hooks_has(&r->spec->hooks, OCI_HOOK_CREATE_RUNTIME))) {
        struct oci_hook_exec x = oci_hook_exec_runtime(r->bundle);
        struct oci_state st;
        char created[64];

        restore_state(r, &st, created);
        st.pid = pid;
        if (oci_hooks_run(&r->spec->hooks, OCI_HOOK_PRESTART, &st, &x, err) < 0 ||
            oci_hooks_run(&r->spec->hooks, OCI_HOOK_CREATE_RUNTIME, &st, &x, err) < 0)
            return -1;
    }
    if (strcmp(script, "post-restore") == 0 && pid > 0)
        r->init = pid;
    return 0;
}

static int prepare_root(void *arg, oci_err_t *err)
{
    const struct restore *r = arg;
    struct criu_container c = { .spec = r->spec, .rootfs = r->rootfs, .bundle = r->bundle, .cg = &r->cg };

    return criu_prepare_restore_root(&c, err);
}

/* v1 hierarchies cannot be entered at clone time: criu (and what it forks) joins them now. */
static int criu_started(void *arg, pid_t criu_pid, oci_err_t *err)
{
    struct restore *r = arg;

    if (oci_cgroup_has_v1(&r->cg))
        return oci_cgroup_enter_v1(&r->cg, criu_pid, err);
    return 0;
}

static int describe(struct restore *r, oci_err_t *err)
{
    struct criu_container c = { .spec = r->spec, .rootfs = r->rootfs, .bundle = r->bundle, .cg = &r->cg };
    struct criu_req *q = &r->req;

    q->kind = CRIU_KIND_RESTORE;
    q->o = &r->o->criu;
    q->root = xstrdup(r->rootfs);
    q->config_file = criu_config_file(r->spec);
    criu_describe_cg_roots(q, &r->cg);
    if (criu_describe_mounts(q, &c, err) < 0 || criu_describe_namespaces(q, r->spec, err) < 0)
        return -1;
    return 0;
}

/* CRIU in a mount namespace of its own (the rootfs bound there, never in the caller's), cloned
 * into the container's cgroups: the tasks it restores start there. */
static int run_criu(struct restore *r, oci_err_t *err)
{
    struct criu_run run = {
        .cgroup_fd = r->cg.fd,
        .new_mount_ns = true,
        .prepare = prepare_root,
        .prepare_arg = r,
        .started = criu_started,
        .notify = restore_notify,
        .arg = r,
        .log_dir = r->log_dir,
        .log_file = CRIU_RESTORE_LOG,
    };
    pid_t pid = 0;
    char state;

    if (criu_run(&r->req, &run, &pid, err) < 0)
        return -1;
    if (pid > 0)
        r->init = pid;
    if (r->init <= 0)
        return oci_error_set_code(err, EPROTO, "criu restore answered without the restored init's pid");
    if (oci_proc_stat(r->init, &r->start_time, &state) < 0)
        return oci_error_set_code(err, ESRCH, "the restored init %d exited at once", r->init);
    return 0;
}

/* Everything up to a restored container with its state saved. */
static int build(struct restore *r, oci_err_t *err)
{
    const struct oci_restore_opts *o = r->o;

    if (oci_id_validate(r->id, err) < 0 || load_bundle(r, err) < 0 || check_console(r, err) < 0)
        return -1;
    /* The image is checked before anything is made. */
    if (criu_open_dirs(&o->criu, false, &r->req.images_fd, &r->req.work_fd, &r->log_dir, err) < 0 ||
        criu_inherit_stdio(&r->req, r->req.images_fd, o->criu.image_path, err) < 0)
        return -1;
    if (o->create.no_pivot)
        oci_debug("restore --no-pivot: CRIU sets up the container's root itself (as with runc, no effect)");
    if (oci_state_create_dir(o->create.root, r->id, &r->state_dir, err) < 0)
        return -1;
    r->state_dir_made = true;
    if (oci_cgroup_plan(r->spec, r->id, o->create.systemd_cgroup, &r->cg, err) < 0 || write_state(r, true, err) < 0 ||
        oci_cgroup_make(r->spec, &r->cg, err) < 0 || oci_cgroup_apply(r->spec, &r->cg, err) < 0)
        return -1;
    if (describe(r, err) < 0)
        return -1;
    if (r->foreground && !o->no_subreaper && prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
        return oci_error_sys(err, "prctl(PR_SET_CHILD_SUBREAPER)");
    if (run_criu(r, err) < 0)
        return -1;
    oci_cgroup_placed(&r->cg);
    /* exec's configuration, then the state that lets exec in */
    if (oci_state_save_config(r->state_dir, r->config_text, r->config_len, err) < 0 || write_state(r, false, err) < 0)
        return -1;
    if (o->create.pid_file && oci_pid_file_write(o->create.pid_file, r->init, err) < 0)
        return -1;
    return 0;
}

static void finish(struct restore *r, bool destroy)
{
    if (destroy) {
        if (r->init > 0 && !oci_kill_reap(r->init, 0))
            oci_warn("restored init %d did not die within %d s of SIGKILL", r->init, OCI_KILL_WAIT_MS / 1000);
        oci_cgroup_destroy_created(&r->cg);
        if (r->state_dir_made)
            oci_state_remove_dir(r->o->create.root, r->id, NULL);
    }
    criu_req_free(&r->req);
    oci_cgroup_release(&r->cg);
    close_fd(&r->state_dir);
    close_fd(&r->tty_master);
    oci_spec_free(r->spec);
    free(r->config_text);
    free(r->bundle);
    free(r->rootfs);
    free(r->log_dir);
}

/* Without --detach: as `run`, wait for the init (signals forwarded, the terminal copied), then
 * delete the container. */
static int wait_and_delete(struct restore *r, const sigset_t *set, int *exit_status, oci_err_t *err)
{
    struct oci_tty_saved saved = { .fd = -1 };
    int status = 0;
    int ret;

    close_fd(&r->state_dir);   /* state, exec, kill work meanwhile */
    if (r->tty_master >= 0)
        oci_terminal_raw(&saved);
    ret = oci_relay_until_exit(r->init, set, r->tty_master, NULL, &status, err);
    oci_terminal_restore(&saved);
    *exit_status = ret < 0 ? 1 : oci_exit_code(status);
    r->init = 0;
    {
        oci_err_t derr = NULL;
        if (oci_container_delete(r->o->create.root, r->id, true, &derr) < 0) {
            oci_warn("%s", derr->msg);
            oci_error_free(&derr);
        }
    }
    return ret;
}

int oci_container_restore(const struct oci_restore_opts *o, int *exit_status, oci_err_t *err)
{
    struct restore r = {
        .o = o, .id = o->create.id, .state_dir = -1, .cg = { .fd = -1 }, .tty_master = -1,
        .req = { .images_fd = -1, .work_fd = -1 }, .foreground = !o->detach,
    };
    sigset_t set, old;
    bool failed;
    int ret;

    *exit_status = 1;
    if (!oci_criu_built_in())
        return oci_error_set_code(err, ENOTSUP, "cannot restore container \"%s\": %s", o->create.id,
                                  OCI_CRIU_NOT_BUILT);
    /* Signals for the restored process queue from the start, none is lost. */
    if (r.foreground && oci_relay_block_signals(&set, &old) < 0)
        return oci_error_sys(err, "sigprocmask");
    ret = build(&r, err);
    failed = ret < 0;
    if (failed)
        oci_error_wrap(err, "cannot restore container \"%s\"", r.id);
    else if (r.foreground)
        ret = wait_and_delete(&r, &set, exit_status, err);
    else
        *exit_status = 0;
    finish(&r, failed);
    if (r.foreground)
        sigprocmask(SIG_SETMASK, &old, NULL);
    return ret;
}
