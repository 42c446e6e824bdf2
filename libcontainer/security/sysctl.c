/* sysctl.c: linux.sysctl: the keys (only those of a namespace the container has) checked, then written. */
#include <errno.h>
#include <string.h>
#include "ocirun/core/procfs.h"
#include "ocirun/core/rootless.h"
#include "ocirun/core/utils.h"
#include "ocirun/security/sysctl.h"

/* The namespace a sysctl key belongs to, or -1 when it is system-wide. */
static int sysctl_namespace(const char *key)
{
    static const char *const ipc_keys[] = {
        "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem", "kernel.shmall",
        "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced",
    };

    for (size_t i = 0; i < ARRAY_SIZE(ipc_keys); i++)
        if (strcmp(key, ipc_keys[i]) == 0)
            return OCI_NS_IPC;
    if (strncmp(key, "fs.mqueue.", 10) == 0)
        return OCI_NS_IPC;
    if (strncmp(key, "net.", 4) == 0)
        return OCI_NS_NETWORK;
    if (strcmp(key, "kernel.hostname") == 0 || strcmp(key, "kernel.domainname") == 0)
        return OCI_NS_UTS;
    return -1;
}

/* The container's /proc, refused unless it is a real procfs: an image cannot fake it. */
static int open_procfs(oci_err_t *err)
{
    int fd = oci_procfs_open_root("/proc", err);

    if (fd < 0)
        return oci_error_wrap(err, "linux.sysctl (mount a procfs at /proc in mounts[])");
    return fd;
}

static int write_sysctl(int procfd, const struct oci_kv *kv, oci_err_t *err)
{
    cleanup_free char *path = xasprintf("sys/%s", kv->key);

    for (char *p = path + 4; *p; p++)
        if (*p == '.')
            *p = '/';
    if (oci_procfs_write_at(procfd, path, kv->value, strlen(kv->value), err) < 0) {
        int e = oci_error_errno(err);
        /* The kernel gives a user namespace's root the files of its network namespace (and,
         * on newer kernels, of its ipc one); the uts keys stay the host root's. */
        if ((e == EACCES || e == EPERM) && oci_in_user_namespace())
            oci_error_wrap(err, "linux.sysctl \"%s\" = \"%s\": not writable from the container's user "
                           "namespace (the %s namespace's keys belong to the host's root)", kv->key, kv->value,
                           oci_ns_type_name((enum oci_ns_type) sysctl_namespace(kv->key)));
        else
            oci_error_wrap(err, "linux.sysctl \"%s\" = \"%s\"", kv->key, kv->value);
        return -1;
    }
    return 0;
}

int oci_sysctl_check(const struct oci_spec *spec, struct oci_report *r)
{
    const struct oci_map *map = spec->linux_ ? &spec->linux_->sysctl : NULL;

    for (size_t i = 0; map && i < map->len; i++) {
        const char *key = map->items[i].key;
        int ns = sysctl_namespace(key);
        int ret = 0;

        if (strchr(key, '/') || strstr(key, "..") || key[0] == '.' || key[0] == '\0')
            ret = oci_report_add(r, 0, "linux.sysctl \"%s\": invalid key", key);
        else if (ns < 0)
            ret = oci_report_add(r, 0, "linux.sysctl \"%s\": not namespaced: it would change the host", key);
        else if (oci_spec_namespace(spec, (enum oci_ns_type) ns) == NULL)
            ret = oci_report_add(r, 0, "linux.sysctl \"%s\": needs a %s namespace (linux.namespaces)",
                                 key, oci_ns_type_name((enum oci_ns_type) ns));
        if (ret < 0)
            return -1;
    }
    return 0;
}

int oci_sysctl_apply(const struct oci_spec *spec, oci_err_t *err)
{
    const struct oci_map *map = spec->linux_ ? &spec->linux_->sysctl : NULL;
    cleanup_close int procfd = -1;

    if (map == NULL || map->len == 0)
        return 0;
    procfd = open_procfs(err);
    if (procfd < 0)
        return -1;
    for (size_t i = 0; i < map->len; i++)
        if (write_sysctl(procfd, &map->items[i], err) < 0)
            return -1;
    return 0;
}
