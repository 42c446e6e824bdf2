/* resolve.c: container paths opened under the rootfs fd (openat2 RESOLVE_IN_ROOT), created on the way when asked. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/openat2.h>
#include "ocirun/core/utils.h"
#include "rootfs/resolve.h"

/* ---- paths ---- */

char *oci_path_clean(const char *path)
{
    size_t len = strlen(path);
    char *out = xmalloc(len + 2);
    size_t o = 0;
    const char *p = path;

    if (*p == '/')
        out[o++] = '/';
    while (*p) {
        const char *start;
        size_t n;

        while (*p == '/')
            p++;
        start = p;
        while (*p && *p != '/')
            p++;
        n = (size_t) (p - start);
        if (n == 0 || (n == 1 && start[0] == '.'))
            continue;
        if (o > 0 && out[o - 1] != '/')
            out[o++] = '/';
        memcpy(out + o, start, n);
        o += n;
    }
    if (o == 0)
        out[o++] = '.';
    out[o] = '\0';
    return out;
}

/* ---- resolution inside the rootfs ---- */

int oci_root_open(int rootfd, const char *path, int flags)
{
    struct open_how how = {
        .flags = (uint64_t) (flags | O_CLOEXEC),
        .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
    };
    long fd;

    do
        fd = syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
    while (fd < 0 && (errno == EINTR || errno == EAGAIN));
    return fd < 0 ? -errno : (int) fd;
}

/* Create NAME in DIRFD as a directory or an empty file; an existing entry is fine. */
static int create_component(int dirfd, const char *name, bool as_file)
{
    int fd;

    if (!as_file)
        return (mkdirat(dirfd, name, 0755) < 0 && errno != EEXIST) ? -errno : 0;
    fd = openat(dirfd, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0)
        return errno == EEXIST ? 0 : -errno;
    close(fd);
    return 0;
}

/* Walk PATH one component at a time from the root, creating what is missing. Each prefix is
 * re-resolved from the root so a symlink in the image is followed the way the kernel would,
 * but never outside the rootfs; creation happens only through the parent's fd. */
static int ensure_walk(int rootfd, const char *path, bool as_file, oci_err_t *err)
{
    cleanup_free char *clean = oci_path_clean(path);
    cleanup_free char *prefix = xzalloc(strlen(clean) + 2);
    cleanup_close int parent = fcntl(rootfd, F_DUPFD_CLOEXEC, 3);
    char *save = NULL, *comp;

    if (parent < 0)
        return oci_error_sys(err, "dup rootfs fd");
    for (comp = strtok_r(clean, "/", &save); comp; comp = strtok_r(NULL, "/", &save)) {
        bool last = (save == NULL || *save == '\0');
        int fd, r;

        strcat(prefix, "/");
        strcat(prefix, comp);
        fd = oci_root_open(rootfd, prefix, O_PATH);
        if (fd == -ENOENT) {
            r = create_component(parent, comp, last && as_file);
            if (r < 0)
                return oci_error_set(err, -r, "%s %s", last && as_file ? "create" : "mkdir", prefix);
            fd = oci_root_open(rootfd, prefix, O_PATH);
            if (fd == -ENOENT)
                return oci_error_set(err, ENOENT, "%s: dangling symlink in the rootfs", prefix);
        }
        if (fd < 0)
            return oci_error_set(err, -fd, "open %s in the rootfs", prefix);
        close(parent);
        parent = fd;
    }
    return steal_fd(&parent);
}

int oci_root_ensure(int rootfd, const char *path, bool as_file, oci_err_t *err)
{
    int fd = oci_root_open(rootfd, path, O_PATH);

    if (fd >= 0)
        return fd;
    if (fd != -ENOENT)
        return oci_error_set(err, -fd, "open %s in the rootfs", path);
    return ensure_walk(rootfd, path, as_file, err);
}

int oci_root_open_parent(int rootfd, const char *path, char **name, oci_err_t *err)
{
    cleanup_free char *clean = oci_path_clean(path);
    char *slash = strrchr(clean, '/');
    const char *base = slash ? slash + 1 : clean;
    int fd;

    if (*base == '\0' || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
        return oci_error_set(err, 0, "%s: not a file path", path);
    *name = xstrdup(base);
    if (slash)
        slash[slash == clean ? 1 : 0] = '\0';
    fd = oci_root_ensure(rootfd, slash ? clean : ".", false, err);
    if (fd < 0) {
        free(*name);
        *name = NULL;
    }
    return fd;
}
