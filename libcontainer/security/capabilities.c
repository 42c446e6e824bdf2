/* capabilities.c: resolve process.capabilities and apply the five sets across the user switch. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include "ocirun/core/log.h"
#include "ocirun/core/utils.h"
#include "ocirun/security/capabilities.h"

/* The names, as the spec spells them, of every capability these headers number. */
#define NAME(cap) [CAP_##cap] = "CAP_" #cap
static const char *const cap_names[] = {
    NAME(CHOWN), NAME(DAC_OVERRIDE), NAME(DAC_READ_SEARCH), NAME(FOWNER), NAME(FSETID), NAME(KILL),
    NAME(SETGID), NAME(SETUID), NAME(SETPCAP), NAME(LINUX_IMMUTABLE), NAME(NET_BIND_SERVICE),
    NAME(NET_BROADCAST), NAME(NET_ADMIN), NAME(NET_RAW), NAME(IPC_LOCK), NAME(IPC_OWNER), NAME(SYS_MODULE),
    NAME(SYS_RAWIO), NAME(SYS_CHROOT), NAME(SYS_PTRACE), NAME(SYS_PACCT), NAME(SYS_ADMIN), NAME(SYS_BOOT),
    NAME(SYS_NICE), NAME(SYS_RESOURCE), NAME(SYS_TIME), NAME(SYS_TTY_CONFIG), NAME(MKNOD), NAME(LEASE),
    NAME(AUDIT_WRITE), NAME(AUDIT_CONTROL), NAME(SETFCAP), NAME(MAC_OVERRIDE), NAME(MAC_ADMIN), NAME(SYSLOG),
    NAME(WAKE_ALARM), NAME(BLOCK_SUSPEND), NAME(AUDIT_READ), NAME(PERFMON), NAME(BPF), NAME(CHECKPOINT_RESTORE),
};
#undef NAME
_Static_assert(sizeof(cap_names) / sizeof(cap_names[0]) == CAP_LAST_CAP + 1, "a capability without a name");

int oci_cap_from_name(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(cap_names); i++)
        if (strcasecmp(name, cap_names[i]) == 0)
            return (int) i;
    return -1;
}

const char *oci_cap_name(int cap)
{
    return cap >= 0 && (size_t) cap < ARRAY_SIZE(cap_names) ? cap_names[cap] : NULL;
}

/* The highest capability this kernel knows (/proc/sys/kernel/cap_last_cap). */
static int last_cap(void)
{
    static int cached = -1;
    char buf[16] = { 0 };
    cleanup_close int fd = -1;

    if (cached >= 0)
        return cached;
    fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
    if (fd >= 0 && read(fd, buf, sizeof(buf) - 1) > 0)
        cached = atoi(buf);
    else
        cached = CAP_LAST_CAP;
    return cached;
}

static int resolve_set(const struct oci_strv *names, const char *set, uint64_t *mask, struct oci_report *r)
{
    *mask = 0;
    for (size_t i = 0; i < names->len; i++) {
        int v = oci_cap_from_name(names->v[i]);
        int ret = 0;

        if (v < 0)
            ret = oci_report_add(r, 0, "process.capabilities.%s[%zu]: unknown capability \"%s\"",
                                 set, i, names->v[i]);
        else if (v > last_cap())
            ret = oci_report_add(r, 0, "process.capabilities.%s[%zu]: capability \"%s\" is not known to "
                                 "this kernel (last is %d)", set, i, names->v[i], last_cap());
        else
            *mask |= 1ULL << v;
        if (ret < 0)
            return -1;
    }
    return 0;
}

static int resolve_sets(const struct oci_capabilities *c, struct oci_caps *out, struct oci_report *r)
{
    if (resolve_set(&c->bounding, "bounding", &out->bounding, r) < 0 ||
        resolve_set(&c->effective, "effective", &out->effective, r) < 0 ||
        resolve_set(&c->inheritable, "inheritable", &out->inheritable, r) < 0 ||
        resolve_set(&c->permitted, "permitted", &out->permitted, r) < 0 ||
        resolve_set(&c->ambient, "ambient", &out->ambient, r) < 0)
        return -1;
    return 0;
}

int oci_caps_resolve(const struct oci_capabilities *c, struct oci_caps *out, oci_err_t *err)
{
    struct oci_report r = OCI_REPORT_FIRST(err);

    return resolve_sets(c, out, &r);
}

/* One problem per capability of WANTED missing from HAVE, lowest first. */
static int report_bounding(uint64_t wanted, uint64_t have, struct oci_report *r)
{
    uint64_t missing = wanted & ~have;

    while (missing) {
        int cap = __builtin_ctzll(missing);
        const char *name = oci_cap_name(cap);
        int ret = oci_report_add(r, 0, "process.capabilities.bounding: %s is not in the runtime's own "
                                 "bounding set, so the container cannot have it", name ? name : "?");

        if (ret < 0)
            return ret;
        missing &= missing - 1;
    }
    return 0;
}

int oci_caps_check_bounding(uint64_t wanted, uint64_t have, oci_err_t *err)
{
    struct oci_report r = OCI_REPORT_FIRST(err);

    return report_bounding(wanted, have, &r);
}

/* The runtime's own bounding set (PR_CAPBSET_READ) as a mask. */
static uint64_t own_bounding(void)
{
    uint64_t mask = 0;

    for (int cap = 0; cap <= last_cap(); cap++)
        if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 1)
            mask |= 1ULL << cap;
    return mask;
}

int oci_caps_check(const struct oci_capabilities *c, struct oci_report *r)
{
    struct oci_caps caps = { 0 };

    if (resolve_sets(c, &caps, r) < 0)
        return -1;
    /* (collecting) names refused above are not in the masks: the rest is still checked */
    return report_bounding(caps.bounding, own_bounding(), r);
}

int oci_caps_prepare(const struct oci_caps *caps, oci_err_t *err)
{
    uint64_t have = own_bounding();

    if (oci_caps_check_bounding(caps->bounding, have, err) < 0)
        return -1;
    for (int cap = 0; cap <= last_cap(); cap++) {
        bool drop = (have & ~caps->bounding) & (1ULL << cap);

        if (drop && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
            return oci_error_sys(err, "process.capabilities.bounding: drop capability %d", cap);
    }
    if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
        return oci_error_sys(err, "prctl(PR_SET_KEEPCAPS)");
    return 0;
}

int oci_caps_clear_inheritable(oci_err_t *err)
{
    struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
    struct __user_cap_data_struct data[2];

    if (syscall(SYS_capget, &hdr, data) < 0)
        return oci_error_sys(err, "capget");
    data[0].inheritable = data[1].inheritable = 0;
    if (syscall(SYS_capset, &hdr, data) < 0)
        return oci_error_sys(err, "capset: clear the inheritable set");
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
        return oci_error_sys(err, "clear the ambient set");
    return 0;
}

int oci_caps_apply(const struct oci_caps *caps, oci_err_t *err)
{
    struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
    struct __user_cap_data_struct data[2];

    for (int i = 0; i < 2; i++) {
        data[i].effective = (uint32_t) (caps->effective >> (32 * i));
        data[i].permitted = (uint32_t) (caps->permitted >> (32 * i));
        data[i].inheritable = (uint32_t) (caps->inheritable >> (32 * i));
    }
    if (syscall(SYS_capset, &hdr, data) < 0)
        return oci_error_sys(err, "process.capabilities: capset (effective, permitted, inheritable)");
    if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
        return oci_error_sys(err, "prctl(PR_SET_KEEPCAPS)");
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
        return oci_error_sys(err, "process.capabilities.ambient: clear");
    for (int cap = 0; cap <= last_cap(); cap++) {
        if (!(caps->ambient & (1ULL << cap)))
            continue;
        /* As runc: an ambient capability that is not also inheritable and permitted (the
         * spec's own default lists ambient caps with an empty inheritable set) is a warning. */
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0) {
            const char *name = oci_cap_name(cap);
            oci_debug("process.capabilities.ambient: cannot raise %s (not both permitted and inheritable)",
                     name ? name : "?");
        }
    }
    return 0;
}
