/* check.c: `check`: the rules create runs and the host checks it would meet, every problem reported, nothing created. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include "ocirun/cgroups/cgroup.h"
#include "ocirun/container/check.h"
#include "ocirun/core/utils.h"
#include "ocirun/process/process.h"
#include "ocirun/security/capabilities.h"
#include "ocirun/security/lsm.h"
#include "ocirun/security/seccomp.h"
#include "ocirun/security/sysctl.h"
#include "ocirun/spec/spec.h"
#include "ocirun/spec/validate.h"
#include "ocirun/state/state.h"
#include "process/namespaces.h"
#include "rootfs/devices.h"
#include "rootfs/mounts.h"
#include "rootfs/rootfs.h"

/* Without an ID, the cgroup's default leaf ("/ID") is planned with this one. */
#define CHECK_ID "ocirun-check"
#define CONFIG_PREFIX "config.json: "

/* The problems of the config, each named after the file as create's parse errors are. */
static void take_config_lines(struct oci_report *to, struct oci_report *from)
{
    for (size_t i = 0; i < from->len; i++) {
        const char *line = from->lines[i];

        if (strncmp(line, CONFIG_PREFIX, strlen(CONFIG_PREFIX)) == 0)
            oci_report_add(to, 0, "%s", line);
        else
            oci_report_add(to, 0, CONFIG_PREFIX "%s", line);
    }
    oci_report_free(from);
}

/* The process's own rules: capabilities, rlimits. */
static void check_process(const struct oci_spec *spec, struct oci_report *r)
{
    const struct oci_process *p = spec->process;

    if (p == NULL)
        return;
    if (p->capabilities)
        oci_caps_check(p->capabilities, r);
    oci_process_check_rlimits(p, r);
}

/* root.path, then what lives in the rootfs; BUNDLE resolved. */
static void check_rootfs(const struct oci_spec *spec, const char *bundle, struct oci_report *r)
{
    cleanup_free char *rootfs = NULL;
    oci_err_t e = NULL;

    oci_devices_check(spec, r);
    oci_rootfs_check_mounts(spec, bundle, r);
    if (spec->root == NULL || spec->root->path == NULL)
        return;   /* reported by the parse or oci_spec_validate */
    if (oci_rootfs_resolve(bundle, spec->root, &rootfs, &e) < 0) {
        oci_report_err(r, &e);
        return;
    }
    oci_rootfs_check_cwd(rootfs, spec, r);
}

/* --rootless: limits that create would refuse, as the cgroups to write them are not this
 * user's (nothing is made: the plan only resolves the paths). */
static void check_rootless_cgroups(const struct oci_check_opts *o, const struct oci_spec *spec, struct oci_report *r)
{
    struct oci_cgroup cg;
    oci_err_t e = NULL;

    if (oci_cgroup_plan(spec, o->id ? o->id : CHECK_ID, o->systemd_cgroup, &cg, &e) < 0) {
        oci_error_free(&e);   /* reported by oci_cgroup_check */
        return;
    }
    if (oci_cgroup_rootless_filter(spec, &cg, &e) < 0)
        oci_report_err(r, &e);
    oci_cgroup_release(&cg);
}

/* Every rule on a spec as far as it could be read (the parse's refusals are reported once,
 * and the rules skip what was refused). */
static void check_spec(const struct oci_check_opts *o, const struct oci_spec *spec, const char *bundle,
                       struct oci_report *r)
{
    oci_spec_validate(spec, r);
    oci_sysctl_check(spec, r);
    oci_lsm_check_report(spec, r);
    check_process(spec, r);
    if (spec->linux_)
        oci_seccomp_check(spec->linux_->seccomp, r);
    oci_ns_check(spec, r);
    oci_cgroup_check(spec, o->id ? o->id : CHECK_ID, o->systemd_cgroup, r);
    if (o->rootless)
        check_rootless_cgroups(o, spec, r);
    check_rootfs(spec, bundle, r);
}

static void check_config(const struct oci_check_opts *o, const char *bundle, struct oci_report *r)
{
    cleanup_free char *path = xasprintf("%s/config.json", bundle);
    cleanup_free char *text = NULL;
    struct oci_report found = { 0 };
    struct oci_spec *spec = NULL;
    oci_err_t e = NULL;
    size_t len;

    if (read_file_at(AT_FDCWD, path, &text, &len, &e) < 0) {
        oci_error_wrap(&e, "config.json");
        oci_report_err(r, &e);
        return;
    }
    oci_spec_parse_report(text, len, &spec, &found);
    if (spec)
        check_spec(o, spec, bundle, &found);
    oci_spec_free(spec);
    take_config_lines(r, &found);
}

int oci_container_check(const struct oci_check_opts *o, struct oci_report *r)
{
    const char *bundle_arg = o->bundle ? o->bundle : ".";
    cleanup_free char *bundle = realpath(bundle_arg, NULL);
    size_t before = oci_report_count(r);

    if (bundle == NULL) {
        oci_report_add(r, errno, "bundle \"%s\": cannot open %s/config.json", bundle_arg, bundle_arg);
        return -1;
    }
    if (o->id)
        oci_state_check_id(o->root, o->id, r);
    check_config(o, bundle, r);
    return oci_report_count(r) > before ? -1 : 0;
}
