/* checkpoint.c: `checkpoint`: a running container dumped by CRIU into an image directory (runc's behaviour). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "ocirun/cgroups/cgroup.h"
#include "ocirun/container/checkpoint.h"
#include "ocirun/core/log.h"
#include "ocirun/core/utils.h"
#include "ocirun/state/state.h"
#include "criu/describe.h"
#include "criu/rpc.h"
#include "criu/images.h"

/* --parent-path: relative to the image directory (CRIU's rule), an existing directory. */
static int check_parent(const struct oci_criu_opts *o, int images_fd, oci_err_t *err)
{
    struct stat st;

    if (o->parent_path == NULL)
        return 0;
    if (o->parent_path[0] == '/')
        return oci_error_set_code(err, EINVAL, "--parent-path \"%s\": must be relative to --image-path",
                                  o->parent_path);
    if (fstatat(images_fd, o->parent_path, &st, 0) < 0)
        return oci_error_sys(err, "--parent-path \"%s\" (in \"%s\")", o->parent_path, o->image_path);
    if (!S_ISDIR(st.st_mode))
        return oci_error_set(err, ENOTDIR, "--parent-path \"%s\" (in \"%s\")", o->parent_path, o->image_path);
    return 0;
}

/* --status-fd (with --lazy-pages): one of ours, open for writing. */
static int check_status_fd(const struct oci_criu_opts *o, oci_err_t *err)
{
    int fl;

    if (!o->lazy_pages || o->status_fd < 0)
        return 0;
    fl = fcntl(o->status_fd, F_GETFL);
    if (fl < 0)
        return oci_error_sys(err, "--status-fd %d", o->status_fd);
    if ((fl & O_ACCMODE) == O_RDONLY)
        return oci_error_set_code(err, EBADF, "--status-fd %d: not open for writing", o->status_fd);
    return 0;
}

/* CRIU says when its page server is ready for the lazy restore: a \0 on --status-fd. */
static int dump_notify(void *arg, const char *script, pid_t pid, int fd, oci_err_t *err)
{
    const struct oci_criu_opts *o = arg;

    (void) pid;
    (void) err;
    if (fd >= 0)
        close(fd);
    if (strcmp(script, "status-ready") == 0 && o->status_fd >= 0) {
        if (write_all(o->status_fd, "", 1) < 0)
            oci_warn("--status-fd %d: %s", o->status_fd, strerror(errno));
    }
    return 0;
}

/* The configuration create saved (an older ocirun's container: the bundle's). */
static int load_config(int dir, const struct oci_state *st, struct oci_spec **spec, oci_err_t *err)
{
    cleanup_free char *path = NULL;

    if (oci_state_load_config(dir, spec, err) == 0)
        return 0;
    if (oci_error_errno(err) != ENOENT)
        return -1;
    oci_error_free(err);
    path = xasprintf("%s/config.json", st->bundle);
    return oci_spec_load(path, spec, err);
}

struct dump {
    const struct oci_criu_opts *o;
    struct oci_state *st;
    struct oci_spec *spec;
    struct oci_cgroup cg;
    struct criu_req req;
    char *log_dir;
};

static int describe(struct dump *d, oci_err_t *err)
{
    struct criu_container c = { .spec = d->spec, .rootfs = d->st->rootfs, .bundle = d->st->bundle, .cg = &d->cg,
                                .pid = d->st->pid };
    struct criu_req *r = &d->req;

    r->kind = d->o->pre_dump ? CRIU_KIND_PRE_DUMP : CRIU_KIND_DUMP;
    r->o = d->o;
    r->pid = d->st->pid;
    r->root = xstrdup(d->st->rootfs);
    r->config_file = criu_config_file(d->spec);
    r->track_mem = d->o->pre_dump || d->o->parent_path;
    criu_describe_freezer(r, &d->cg);
    if (criu_check_restorable(d->spec, err) < 0)
        return -1;
    /* A pre-dump saves memory only; the final dump describes everything. */
    if (d->o->pre_dump)
        return 0;
    if (criu_describe_mounts(r, &c, err) < 0 || criu_describe_namespaces(r, d->spec, err) < 0)
        return -1;
    return criu_save_descriptors(r->images_fd, d->st->pid, err);
}

static int dump(struct dump *d, int dir, oci_err_t *err)
{
    struct criu_run run = { .cgroup_fd = -1, .notify = dump_notify, .arg = (void *) d->o,
                            .log_file = CRIU_DUMP_LOG };

    if (load_config(dir, d->st, &d->spec, err) < 0)
        return oci_error_wrap(err, "its configuration");
    oci_cgroup_from_map(&d->st->cgroup_paths, d->st->cgroup_created, &d->st->cgroup_preexisting, &d->cg);
    if (criu_open_dirs(d->o, true, &d->req.images_fd, &d->req.work_fd, &d->log_dir, err) < 0 ||
        check_parent(d->o, d->req.images_fd, err) < 0 || check_status_fd(d->o, err) < 0)
        return -1;
    if (describe(d, err) < 0)
        return -1;
    run.log_dir = d->log_dir;
    return criu_run(&d->req, &run, NULL, err);
}

int oci_container_checkpoint(const char *root, const char *id, const struct oci_criu_opts *o, oci_err_t *err)
{
    struct dump d = { .o = o, .req = { .images_fd = -1, .work_fd = -1 }, .cg = { .fd = -1 } };
    cleanup_close int dir = -1;
    enum oci_status status;
    int ret;

    if (!oci_criu_built_in())
        return oci_error_set_code(err, ENOTSUP, "cannot checkpoint container \"%s\": %s", id, OCI_CRIU_NOT_BUILT);
    if (oci_state_open_dir(root, id, true, &dir, err) < 0 || oci_state_read(dir, id, &d.st, err) < 0)
        return -1;
    status = oci_state_status(dir, d.st);
    if (status == OCI_STATUS_RUNNING && d.st->cgroup_paths.len) {
        struct oci_cgroup cg;
        oci_cgroup_from_map(&d.st->cgroup_paths, d.st->cgroup_created, &d.st->cgroup_preexisting, &cg);
        if (oci_cgroup_frozen(&cg))
            status = OCI_STATUS_PAUSED;
        oci_cgroup_release(&cg);
    }
    if (status != OCI_STATUS_RUNNING && status != OCI_STATUS_PAUSED) {
        ret = oci_error_set(err, 0, "cannot checkpoint container \"%s\": container is %s (not running)", id,
                            oci_status_name(status));
        goto out;
    }
    ret = dump(&d, dir, err);
    if (ret < 0)
        oci_error_wrap(err, "cannot checkpoint container \"%s\"", id);
out:
    criu_req_free(&d.req);
    oci_cgroup_release(&d.cg);
    oci_spec_free(d.spec);
    oci_state_free(d.st);
    free(d.log_dir);
    close_fd(&dir);
    /* CRIU ended the processes: the container goes, as runc's checkpoint destroys it. */
    if (ret == 0 && !o->leave_running && !o->pre_dump && oci_container_delete(root, id, true, err) < 0)
        return oci_error_wrap(err, "checkpoint of container \"%s\" done, but its removal failed", id);
    return ret;
}
