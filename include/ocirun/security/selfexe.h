/* selfexe.h: protection of the ocirun binary while it runs inside a container's namespaces (CVE-2019-5736). */
#ifndef OCIRUN_SELFEXE_H
#define OCIRUN_SELFEXE_H

#include "ocirun/core/error.h"

/*
 * A process in the container may open /proc/PID/exe of a runtime process that joined its
 * namespaces (with CAP_SYS_PTRACE, or once it is dumpable) and, after the runtime exits, write
 * through that file to replace the host's runtime binary. Unless /proc/self/exe is already a
 * sealed memfd or sits on a read-only mount, copy it into a memfd sealed against any write or
 * resize and execveat() it with the same ARGV and ENVP: the /proc/PID/exe the container can
 * reach is then that copy. Returns 0 when nothing needs doing; does not return after a
 * successful re-exec; -1 with *err otherwise.
 */
int oci_selfexe_ensure_sealed(char **argv, char **envp, oci_err_t *err);

#endif
