/* driver.c: the cgroupfs and systemd cgroup drivers. The systemd one starts a transient scope
 * with Delegate=yes: systemd moves a holder process into it (a scope cannot start empty), the
 * init is cloned straight into the scope's cgroup (CLONE_INTO_CGROUP) and the holder exits. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "ocirun/cgroups/systemd.h"
#include "ocirun/core/log.h"
#include "ocirun/core/utils.h"
#include "cgroups/driver.h"
#include "cgroups/sdbus.h"

static int fs_start(struct oci_cgroup *cg, const struct oci_spec *spec, oci_err_t *err)
{
    (void) cg, (void) spec, (void) err;
    return 0;
}

static void fs_placed(struct oci_cgroup *cg)
{
    (void) cg;
}

static int fs_update(const struct oci_cgroup *cg, const struct oci_resources *r, oci_err_t *err)
{
    (void) cg, (void) r, (void) err;
    return 0;
}

static int fs_stop(const struct oci_cgroup *cg, oci_err_t *err)
{
    (void) cg, (void) err;
    return 0;
}

static const struct cgroup_driver cgroupfs_driver = {
    .name = "cgroupfs", .start = fs_start, .placed = fs_placed, .update = fs_update, .stop = fs_stop,
};

/* ---- systemd ----------------------------------------------------------------------------- */

/* A child that waits to be killed, dying with us (it holds no lock: flocks belong to the open
 * file, and it closes every fd). */
static pid_t spawn_holder(oci_err_t *err)
{
    pid_t parent = getpid();
    pid_t pid = fork();

    if (pid < 0)
        return oci_error_sys(err, "fork (systemd scope holder)");
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(0);
        syscall(SYS_close_range, 0, ~0U, 0);
        for (;;)
            pause();
    }
    return pid;
}

static void sd_placed(struct oci_cgroup *cg)
{
    if (cg->holder <= 0)
        return;
    kill(cg->holder, SIGKILL);
    while (waitpid(cg->holder, NULL, 0) < 0 && errno == EINTR)
        ;
    cg->holder = 0;
}

/* /proc/devices' text, for the device names of DeviceAllow ("" when unreadable). */
static char *proc_devices(void)
{
    char *text = NULL;
    oci_err_t err = NULL;

    if (read_file_at(AT_FDCWD, "/proc/devices", &text, NULL, &err) < 0) {
        oci_error_free(&err);
        return xstrdup("");
    }
    return text;
}

static void device_props(const struct oci_resources *r, struct oci_sd_props *props)
{
    cleanup_free char *text = proc_devices();

    oci_systemd_device_props(r, text, props);
}

static int sd_start(struct oci_cgroup *cg, const struct oci_spec *spec, oci_err_t *err)
{
    struct oci_sd_props props = { 0 };
    const struct oci_resources *r = spec->linux_ ? spec->linux_->resources : NULL;
    int ret;

    device_props(r, &props);
    if (oci_systemd_resource_props(r, &props, err) < 0 ||
        oci_systemd_annotation_props(&spec->annotations, &props, err) < 0) {
        oci_sd_props_free(&props);
        return oci_error_wrap(err, "systemd unit %s", cg->unit);
    }
    if (oci_log_debug_enabled()) {
        cleanup_free char *text = oci_sd_props_render(&props);
        oci_debug("systemd unit %s in %s: %s", cg->unit, cg->slice, text);
    }
    cg->holder = spawn_holder(err);
    if (cg->holder < 0) {
        cg->holder = 0;
        oci_sd_props_free(&props);
        return -1;
    }
    ret = sdbus_start_scope(cg->unit, cg->slice, cg->holder, &props, err);
    oci_sd_props_free(&props);
    if (ret < 0)
        sd_placed(cg);
    return ret;
}

static int sd_update(const struct oci_cgroup *cg, const struct oci_resources *r, oci_err_t *err)
{
    struct oci_sd_props props = { 0 };
    int ret = oci_systemd_resource_props(r, &props, err);

    /* a devices list replaces the rules (as the files' update) */
    if (ret == 0 && r->n_devices)
        device_props(r, &props);
    if (ret == 0)
        ret = sdbus_set_properties(cg->unit, &props, err);
    oci_sd_props_free(&props);
    return ret;
}

static int sd_stop(const struct oci_cgroup *cg, oci_err_t *err)
{
    return sdbus_stop_unit(cg->unit, err);
}

static const struct cgroup_driver systemd_driver = {
    .name = "systemd", .start = sd_start, .placed = sd_placed, .update = sd_update, .stop = sd_stop,
};

const struct cgroup_driver *cgroup_driver_of(const struct oci_cgroup *cg)
{
    return cg->unit ? &systemd_driver : &cgroupfs_driver;
}

bool oci_cgroup_systemd_available(void)
{
    return sdbus_available();
}
