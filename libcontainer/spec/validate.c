/* validate.c: config.json rules across fields (required sections, unsupported fields, namespaces vs the fields that need them). */
#include <stdio.h>
#include <string.h>
#include "ocirun/spec/validate.h"

/* What create cannot do without; the messages name config.json as the parse's do. */
static int check_required(const struct oci_spec *spec, struct oci_report *r)
{
    if (spec->process == NULL && oci_report_add(r, 0, "config.json: process: missing required field") < 0)
        return -1;
    /* A root object without a usable path was refused by the parse already. */
    if (spec->root == NULL && oci_report_add(r, 0, "config.json: root.path: missing required field") < 0)
        return -1;
    return 0;
}

/* Without a mount namespace of its own the container shares the runtime's (the spec allows it,
 * runc runs it): masking paths would have to change the caller's mounts (runc refuses them too:
 * "unable to restrict sys entries without a private MNT namespace"). */
static int check_no_mount_ns(const struct oci_spec *spec, struct oci_report *r)
{
    const struct oci_linux *lx = spec->linux_;

    if (lx == NULL || oci_spec_namespace(spec, OCI_NS_MOUNT) != NULL)
        return 0;
    if (lx->masked_paths.len &&
        oci_report_add(r, 0, "config.json: linux.maskedPaths: cannot be applied without a private mount "
                       "namespace (linux.namespaces has no \"mount\")") < 0)
        return -1;
    if (lx->readonly_paths.len &&
        oci_report_add(r, 0, "config.json: linux.readonlyPaths: cannot be applied without a private mount "
                       "namespace (linux.namespaces has no \"mount\")") < 0)
        return -1;
    return 0;
}

/* Accepted by the parse (they are in the spec) but never applied: refused, not ignored. */
static int check_unsupported(const struct oci_spec *spec, struct oci_report *r)
{
    const struct oci_linux *lx = spec->linux_;

    if (lx == NULL)
        return 0;
    if (lx->n_net_devices &&
        oci_report_add(r, 0, "config.json: linux.netDevices: not supported by this version of ocirun") < 0)
        return -1;
    if (lx->memory_policy &&
        oci_report_add(r, 0, "config.json: linux.memoryPolicy: not supported by this version of ocirun") < 0)
        return -1;
    if (lx->intel_rdt &&
        oci_report_add(r, 0, "config.json: linux.intelRdt: not supported by this version of ocirun") < 0)
        return -1;
    return 0;
}

/* Fields for a namespace the container does not create would be ignored: refused (runc 1.1
 * drops such id maps unseen; the time offsets as runc 1.2, which has time namespaces, refuses
 * them). */
static int check_namespace_fields(const struct oci_spec *spec, struct oci_report *r)
{
    const struct oci_linux *lx = spec->linux_;
    const struct oci_namespace *time_ns = oci_spec_namespace(spec, OCI_NS_TIME);

    if (lx == NULL)
        return 0;
    if ((lx->uid_mappings.len || lx->gid_mappings.len) && oci_spec_namespace(spec, OCI_NS_USER) == NULL &&
        oci_report_add(r, 0, "config.json: linux.%s: id mappings are set, but linux.namespaces has no user "
                       "namespace", lx->uid_mappings.len ? "uidMappings" : "gidMappings") < 0)
        return -1;
    if (lx->n_time_offsets && time_ns == NULL &&
        oci_report_add(r, 0, "config.json: linux.timeOffsets: time offsets are set, but linux.namespaces has "
                       "no time namespace") < 0)
        return -1;
    if (lx->n_time_offsets && time_ns && time_ns->path &&
        oci_report_add(r, 0, "config.json: linux.timeOffsets: the time namespace is joined (path \"%s\"): its "
                       "offsets are set already, only a new one takes them", time_ns->path) < 0)
        return -1;
    return 0;
}

/* sethostname/setdomainname in the host's uts namespace would rename the host. */
static int check_names(const struct oci_spec *spec, struct oci_report *r)
{
    if (oci_spec_namespace(spec, OCI_NS_UTS) != NULL)
        return 0;
    if (spec->hostname && oci_report_add(r, 0, "hostname: cannot be set without a uts namespace "
                                         "(linux.namespaces)") < 0)
        return -1;
    if (spec->domainname && oci_report_add(r, 0, "domainname: cannot be set without a uts namespace "
                                           "(linux.namespaces)") < 0)
        return -1;
    return 0;
}

static bool id_mapped(const struct oci_idmaps *maps, uint32_t id)
{
    for (size_t i = 0; i < maps->len; i++)
        if (id >= maps->items[i].container_id && id - maps->items[i].container_id < maps->items[i].size)
            return true;
    return false;
}

/* An id the new user namespace does not map cannot be taken (setres[ug]id: EINVAL). */
static int check_mapped(struct oci_report *r, const struct oci_idmaps *maps, const char *field,
                        const char *maps_field, uint32_t id)
{
    if (id_mapped(maps, id))
        return 0;
    return oci_report_add(r, 0, "%s %u: not mapped by linux.%s of the new user namespace", field, id, maps_field);
}

static int check_process_ids(const struct oci_spec *spec, struct oci_report *r)
{
    const struct oci_linux *lx = spec->linux_;
    const struct oci_user *u;

    if (spec->process == NULL)
        return 0;
    u = &spec->process->user;
    if (check_mapped(r, &lx->uid_mappings, "process.user.uid", "uidMappings", u->uid) < 0 ||
        check_mapped(r, &lx->gid_mappings, "process.user.gid", "gidMappings", u->gid) < 0)
        return -1;
    for (size_t i = 0; i < u->n_additional_gids; i++) {
        char field[64];

        snprintf(field, sizeof(field), "process.user.additionalGids[%zu]", i);
        if (check_mapped(r, &lx->gid_mappings, field, "gidMappings", u->additional_gids[i]) < 0)
            return -1;
    }
    return 0;
}

/* A new user namespace: the runtime writes its id maps, the setup process becomes its root
 * (uid and gid 0), and the process then switches to its own ids. */
static int check_user_namespace(const struct oci_spec *spec, struct oci_report *r)
{
    const struct oci_namespace *ns = oci_spec_namespace(spec, OCI_NS_USER);
    const struct oci_linux *lx = spec->linux_;

    if (ns == NULL || ns->path)
        return 0;
    if (lx->uid_mappings.len == 0 || lx->gid_mappings.len == 0)
        return oci_report_add(r, 0, "linux.uidMappings and linux.gidMappings are required with a new user namespace");
    if (!id_mapped(&lx->uid_mappings, 0) &&
        oci_report_add(r, 0, "linux.uidMappings: container uid 0 must be mapped (the container's setup runs "
                       "as root in the new user namespace)") < 0)
        return -1;
    if (!id_mapped(&lx->gid_mappings, 0) &&
        oci_report_add(r, 0, "linux.gidMappings: container gid 0 must be mapped (the container's setup runs "
                       "as root in the new user namespace)") < 0)
        return -1;
    return check_process_ids(spec, r);
}

int oci_spec_check_personality(const struct oci_spec *spec, struct oci_report *r)
{
    const struct oci_personality *p = spec->linux_ ? spec->linux_->personality : NULL;

    if (p == NULL || p->flags.len == 0)
        return 0;
    return oci_report_add(r, 0, "linux.personality.flags: \"%s\" is not supported", p->flags.v[0]);
}

int oci_spec_validate(const struct oci_spec *spec, struct oci_report *r)
{
    if (check_required(spec, r) < 0 || check_no_mount_ns(spec, r) < 0 || check_unsupported(spec, r) < 0 ||
        check_names(spec, r) < 0 || check_namespace_fields(spec, r) < 0 ||
        check_user_namespace(spec, r) < 0 || oci_spec_check_personality(spec, r) < 0)
        return -1;
    return 0;
}
