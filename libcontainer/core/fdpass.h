/* fdpass.h: sending a file descriptor along with data over a unix socket. */
#ifndef OCIRUN_FDPASS_H
#define OCIRUN_FDPASS_H

#include <stddef.h>
#include <sys/types.h>

/* One sendmsg of DATA with PASSED_FD attached (SCM_RIGHTS), retried on EINTR, never SIGPIPE;
 * bytes sent or -1 with errno. */
ssize_t oci_send_with_fd(int sock, const void *data, size_t len, int passed_fd);

#endif
