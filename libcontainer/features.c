/* features.c: the runtime-spec features document: what this build recognises (features.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include "ocirun/features.h"
#include "ocirun/mount_opts.h"
#include "ocirun/spec.h"
#include "ocirun/state.h"
#include "ocirun/json_gen.h"
#include "ocirun/utils.h"
#ifndef OCIRUN_NO_SECCOMP
#include <seccomp.h>
#endif

static void key_bool(yajl_gen g, const char *k, bool v)
{
    oci_json_gen_str(g, k);
    yajl_gen_bool(g, v);
}

static void str_array(yajl_gen g, const char *k, const char *const *v, size_t n)
{
    oci_json_gen_str(g, k);
    yajl_gen_array_open(g);
    for (size_t i = 0; i < n; i++)
        oci_json_gen_str(g, v[i]);
    yajl_gen_array_close(g);
}

static void enabled(yajl_gen g, const char *k, bool v)
{
    oci_json_gen_str(g, k);
    yajl_gen_map_open(g);
    key_bool(g, "enabled", v);
    yajl_gen_map_close(g);
}

/* Every capability this libcap names ("CAP_CHOWN"...), up to the newest it knows. */
static void capabilities(yajl_gen g)
{
    oci_json_gen_str(g, "capabilities");
    yajl_gen_array_open(g);
    for (int c = 0; c <= 63; c++) {
        char *name = cap_to_name((cap_value_t) c);
        if (name == NULL || (name[0] >= '0' && name[0] <= '9')) {   /* numeric: unknown */
            cap_free(name);
            break;
        }
        for (char *p = name; *p; p++)
            *p = (char) (*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
        oci_json_gen_str(g, name);
        cap_free(name);
    }
    yajl_gen_array_close(g);
}

static void seccomp(yajl_gen g)
{
    static const char *const actions[] = { "SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL",
        "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY", "SCMP_ACT_TRACE",
        "SCMP_ACT_TRAP" };
    static const char *const ops[] = { "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_LE", "SCMP_CMP_LT",
        "SCMP_CMP_MASKED_EQ", "SCMP_CMP_NE" };
    static const char *const flags[] = { "SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
        "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV" };

    oci_json_gen_str(g, "seccomp");
    yajl_gen_map_open(g);
#ifdef OCIRUN_NO_SECCOMP
    key_bool(g, "enabled", false);
#else
    static const char *const archs[] = { "aarch64", "arm", "loongarch64", "m68k", "mips", "mips64", "mips64n32",
        "mipsel", "mipsel64", "mipsel64n32", "parisc", "parisc64", "ppc", "ppc64", "ppc64le", "riscv64", "s390",
        "s390x", "sh", "sheb", "x32", "x86", "x86_64" };
    key_bool(g, "enabled", true);
    str_array(g, "actions", actions, ARRAY_SIZE(actions));
    str_array(g, "operators", ops, ARRAY_SIZE(ops));
    oci_json_gen_str(g, "archs");
    yajl_gen_array_open(g);
    for (size_t i = 0; i < ARRAY_SIZE(archs); i++) {
        if (seccomp_arch_resolve_name(archs[i]) == 0)
            continue;   /* not known to this libseccomp */
        cleanup_free char *name = xasprintf("SCMP_ARCH_%s", archs[i]);
        for (char *p = name; *p; p++)
            *p = (char) (*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
        oci_json_gen_str(g, name);
    }
    yajl_gen_array_close(g);
    str_array(g, "knownFlags", flags, ARRAY_SIZE(flags));
    str_array(g, "supportedFlags", flags, ARRAY_SIZE(flags));
#endif
    yajl_gen_map_close(g);
}

static void linux_features(yajl_gen g)
{
    static const char *const ns[] = { "cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts" };

    oci_json_gen_str(g, "linux");
    yajl_gen_map_open(g);
    str_array(g, "namespaces", ns, ARRAY_SIZE(ns));
    capabilities(g);
    oci_json_gen_str(g, "cgroup");
    yajl_gen_map_open(g);
    key_bool(g, "v1", true);
    key_bool(g, "v2", true);
    key_bool(g, "systemd", false);
    key_bool(g, "systemdUser", false);
    key_bool(g, "rdma", true);
    yajl_gen_map_close(g);
    seccomp(g);
    enabled(g, "apparmor", true);
#ifdef HAVE_SELINUX
    enabled(g, "selinux", true);
#else
    enabled(g, "selinux", false);
#endif
    enabled(g, "intelRdt", false);
    oci_json_gen_str(g, "mountExtensions");
    yajl_gen_map_open(g);
    enabled(g, "idmap", true);
    yajl_gen_map_close(g);
    enabled(g, "netDevices", false);
    yajl_gen_map_close(g);
}

static void annotations(yajl_gen g)
{
    oci_json_gen_str(g, "annotations");
    yajl_gen_map_open(g);
#ifndef OCIRUN_NO_SECCOMP
    {
        const struct scmp_version *v = seccomp_version();
        char buf[48];
        snprintf(buf, sizeof(buf), "%u.%u.%u", v->major, v->minor, v->micro);
        oci_json_gen_str(g, "io.github.seccomp.libseccomp.version");
        oci_json_gen_str(g, buf);
    }
#endif
    oci_json_gen_str(g, "io.github.ocirun.version");
    oci_json_gen_str(g, OCIRUN_VERSION);
    if (OCIRUN_COMMIT[0]) {
        oci_json_gen_str(g, "io.github.ocirun.commit");
        oci_json_gen_str(g, OCIRUN_COMMIT);
    }
    yajl_gen_map_close(g);
}

char *oci_features_json(void)
{
    yajl_gen g = oci_json_gen_new("    ");

    yajl_gen_map_open(g);
    oci_json_gen_str(g, "ociVersionMin");
    oci_json_gen_str(g, "1.0.0");
    oci_json_gen_str(g, "ociVersionMax");
    oci_json_gen_str(g, OCI_SPEC_VERSION);
    /* hooks are not run by this version: none is claimed */
    oci_json_gen_str(g, "hooks");
    yajl_gen_array_open(g);
    yajl_gen_array_close(g);
    oci_json_gen_str(g, "mountOptions");
    yajl_gen_array_open(g);
    for (size_t i = 0; oci_mount_opt_name(i); i++)
        oci_json_gen_str(g, oci_mount_opt_name(i));
    yajl_gen_array_close(g);
    linux_features(g);
    annotations(g);
    oci_json_gen_str(g, "potentiallyUnsafeConfigAnnotations");
    yajl_gen_array_open(g);
    yajl_gen_array_close(g);
    yajl_gen_map_close(g);
    return oci_json_gen_finish(g, NULL);
}
