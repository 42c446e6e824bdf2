/* libseccomp.c: libseccomp loaded with dlopen when a profile must be compiled, so that a config without seccomp, a cached profile and every other command never load it. */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "security/libseccomp.h"

#ifndef OCIRUN_NO_SECCOMP

/* The file the build linked against (Makefile: LIBSECCOMP_PATH), then the soname, as ld.so finds it. */
#ifndef LIBSECCOMP_PATH
#define LIBSECCOMP_PATH ""
#endif
#define LIBSECCOMP_SONAME "libseccomp.so.2"

static struct oci_libseccomp lib;
static bool loaded;

static void *open_library(char *why, size_t size)
{
    void *h = NULL;

    if (LIBSECCOMP_PATH[0])
        h = dlopen(LIBSECCOMP_PATH, RTLD_NOW | RTLD_LOCAL);
    if (h == NULL)
        h = dlopen(LIBSECCOMP_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (h == NULL)
        snprintf(why, size, "%s", dlerror());
    return h;
}

#define BIND(field, symbol)                                                 \
    do {                                                                    \
        *(void **) &lib.field = dlsym(h, symbol);                           \
        if (lib.field == NULL) {                                            \
            missing = symbol;                                               \
            goto fail;                                                      \
        }                                                                   \
    } while (0)

const struct oci_libseccomp *oci_libseccomp(oci_err_t *err)
{
    const char *missing = NULL;
    char why[512];
    void *h;

    if (loaded)
        return &lib;
    h = open_library(why, sizeof(why));
    if (h == NULL) {
        oci_error_set(err, ENOENT, "linux.seccomp: cannot load libseccomp (%s): %s (install libseccomp2)",
                      LIBSECCOMP_SONAME, why);
        return NULL;
    }
    BIND(init, "seccomp_init");
    BIND(release, "seccomp_release");
    BIND(attr_set, "seccomp_attr_set");
    BIND(arch_add, "seccomp_arch_add");
    BIND(arch_native, "seccomp_arch_native");
    BIND(arch_resolve_name, "seccomp_arch_resolve_name");
    BIND(syscall_resolve_name, "seccomp_syscall_resolve_name");
    BIND(syscall_resolve_name_arch, "seccomp_syscall_resolve_name_arch");
    BIND(syscall_resolve_num_arch, "seccomp_syscall_resolve_num_arch");
    BIND(rule_add_array, "seccomp_rule_add_array");
    BIND(export_bpf, "seccomp_export_bpf");
    BIND(version, "seccomp_version");
    BIND(api_get, "seccomp_api_get");
    loaded = true;
    return &lib;

fail:
    dlclose(h);
    memset(&lib, 0, sizeof(lib));
    oci_error_set(err, ENOSYS, "linux.seccomp: the libseccomp found has no %s (libseccomp >= 2.5 needed)", missing);
    return NULL;
}

bool oci_libseccomp_file_id(char *buf, size_t size)
{
    struct stat st;

    if (LIBSECCOMP_PATH[0] == '\0' || stat(LIBSECCOMP_PATH, &st) < 0)
        return false;
    snprintf(buf, size, "%s %llu:%llu %lld %lld.%09ld", LIBSECCOMP_PATH, (unsigned long long) st.st_dev,
             (unsigned long long) st.st_ino, (long long) st.st_size, (long long) st.st_mtim.tv_sec,
             st.st_mtim.tv_nsec);
    return true;
}

#endif
