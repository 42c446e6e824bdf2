/* selfexe.c: run from a sealed in-memory copy of our binary before entering a container (CVE-2019-5736). */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include "ocirun/core/log.h"
#include "ocirun/core/utils.h"
#include "ocirun/security/selfexe.h"

#define SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

/* Already safe: a sealed memfd (we were re-executed), or a binary on a read-only mount. */
static bool exe_is_safe(int fd)
{
    struct statvfs sv;
    int seals = fcntl(fd, F_GET_SEALS);

    if (seals >= 0 && (seals & SEALS) == SEALS)
        return true;
    return fstatvfs(fd, &sv) == 0 && (sv.f_flag & ST_RDONLY);
}

static int copy_all(int in, int out, off_t size, oci_err_t *err)
{
    off_t done = 0;

    while (done < size) {
        ssize_t n = copy_file_range(in, NULL, out, NULL, (size_t) (size - done), 0);

        /* Across filesystems (ext4 -> tmpfs) older kernels say EXDEV: sendfile copies anyway. */
        if (n < 0 && (errno == EXDEV || errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP))
            n = sendfile(out, in, NULL, (size_t) (size - done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return oci_error_sys(err, "copy /proc/self/exe into a memfd");
        if (n == 0)
            return oci_error_set(err, EIO, "copy /proc/self/exe into a memfd: short copy");
        done += n;
    }
    return 0;
}

static int sealed_copy(int exe, oci_err_t *err)
{
    cleanup_close int mfd = -1;
    struct stat st;

    if (fstat(exe, &st) < 0)
        return oci_error_sys(err, "fstat /proc/self/exe");
    mfd = memfd_create("ocirun", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (mfd < 0)
        return oci_error_sys(err, "memfd_create");
    if (copy_all(exe, mfd, st.st_size, err) < 0)
        return -1;
    if (fchmod(mfd, 0555) < 0 || fcntl(mfd, F_ADD_SEALS, SEALS) < 0)
        return oci_error_sys(err, "seal the memfd copy of /proc/self/exe");
    return steal_fd(&mfd);
}

int oci_selfexe_ensure_sealed(char **argv, char **envp, oci_err_t *err)
{
    cleanup_close int exe = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    cleanup_close int mfd = -1;
    uint64_t t0 = now_ns();

    if (exe < 0)
        return oci_error_sys(err, "open /proc/self/exe");
    if (exe_is_safe(exe))
        return 0;
    mfd = sealed_copy(exe, err);
    if (mfd < 0)
        return -1;
    oci_debug("sealed copy of /proc/self/exe: %llu us; re-executing through it",
              (unsigned long long) (now_ns() - t0) / 1000);
    /* The memfd is close-on-exec: fine for an ELF binary, the kernel keeps it as our exe. */
    syscall(SYS_execveat, mfd, "", argv, envp, AT_EMPTY_PATH);
    return oci_error_sys(err, "execveat of the sealed copy of /proc/self/exe");
}
