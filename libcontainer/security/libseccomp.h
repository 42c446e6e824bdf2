/* libseccomp.h: libseccomp's functions, loaded with dlopen on first use (security/libseccomp.c). */
#ifndef OCIRUN_SECURITY_LIBSECCOMP_H
#define OCIRUN_SECURITY_LIBSECCOMP_H

#ifndef OCIRUN_NO_SECCOMP
#include <seccomp.h>
#include <stdbool.h>
#include <stddef.h>
#include "ocirun/core/error.h"

/* The typeof of each declaration in <seccomp.h>: a signature change there fails the build. */
struct oci_libseccomp {
    __typeof__(seccomp_init) *init;
    __typeof__(seccomp_release) *release;
    __typeof__(seccomp_attr_set) *attr_set;
    __typeof__(seccomp_arch_add) *arch_add;
    __typeof__(seccomp_arch_native) *arch_native;
    __typeof__(seccomp_arch_resolve_name) *arch_resolve_name;
    __typeof__(seccomp_syscall_resolve_name) *syscall_resolve_name;
    __typeof__(seccomp_syscall_resolve_name_arch) *syscall_resolve_name_arch;
    __typeof__(seccomp_syscall_resolve_num_arch) *syscall_resolve_num_arch;
    __typeof__(seccomp_rule_add_array) *rule_add_array;
    __typeof__(seccomp_export_bpf) *export_bpf;
    __typeof__(seccomp_version) *version;
    __typeof__(seccomp_api_get) *api_get;
};

/* The library, loaded once per process; NULL with ERR set when it cannot be. Never call it in a
 * child that shares our memory (dlopen takes locks and allocates). */
const struct oci_libseccomp *oci_libseccomp(oci_err_t *err);

/* What identifies the library that oci_libseccomp() would load, without loading it: its path
 * (LIBSECCOMP_PATH, set at build time) and that file's device, inode, size and mtime. False when
 * that file is not there (dlopen then searches by soname: only the loaded library can tell). */
bool oci_libseccomp_file_id(char *buf, size_t size);
#endif

#endif
