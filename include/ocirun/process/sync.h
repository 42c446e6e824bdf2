/* sync.h: the messages the runtime and the container's setup process exchange over a socketpair. */
#ifndef OCIRUN_SYNC_H
#define OCIRUN_SYNC_H

#include <stdint.h>
#include <sys/types.h>
#include "ocirun/core/error.h"

enum oci_sync_type {
    OCI_SYNC_GO = 1,      /* runtime -> init: id maps written / state saved, carry on */
    OCI_SYNC_PID,         /* init -> runtime: pid of the real init after an extra fork */
    OCI_SYNC_READY,       /* init -> runtime: set-up done, about to wait for start */
    OCI_SYNC_ERROR,       /* init -> runtime: set-up failed; value = errno, text = message */
    OCI_SYNC_SECCOMP_FD,  /* init -> runtime: the seccomp notify fd rides along (SCM_RIGHTS) */
    OCI_SYNC_CONSOLE_FD,  /* init -> runtime: the pty master of process.terminal (SCM_RIGHTS) */
    OCI_SYNC_HOOKS,       /* init -> runtime: mounts done, run prestart/createRuntime now; the
                             runtime answers GO with value = the init's pid as it sees it */
    OCI_SYNC_MOUNT_FD,    /* runtime -> init, before GO (new user namespace): value = index in
                             mounts[], its bind source opened by the runtime rides along */
};

struct oci_sync_msg {
    uint32_t type;
    int32_t value;
    char text[4096];
};

/* Create a SOCK_SEQPACKET pair (both ends close-on-exec). */
int oci_sync_pair(int fds[2], oci_err_t *err);
int oci_sync_send(int fd, enum oci_sync_type type, int32_t value, const char *text);
/* A message carrying one fd (and VALUE). */
int oci_sync_send_fd(int fd, enum oci_sync_type type, int passed_fd);
int oci_sync_send_fd_value(int fd, enum oci_sync_type type, int32_t value, int passed_fd);
/* Receive one message; EOF means the other side died: reported as an error. */
int oci_sync_recv(int fd, struct oci_sync_msg *msg, oci_err_t *err);
/* The same, also taking an fd passed along (*passed_fd = -1 when none; close-on-exec). */
int oci_sync_recv_fd(int fd, struct oci_sync_msg *msg, int *passed_fd, oci_err_t *err);
/* Receive and require a given type; an OCI_SYNC_ERROR becomes *err with the sender's text. */
/* Require a type of a received message; an OCI_SYNC_ERROR becomes *err with the sender's text. */
int oci_sync_check(const struct oci_sync_msg *msg, enum oci_sync_type type, oci_err_t *err);
int oci_sync_expect(int fd, enum oci_sync_type type, struct oci_sync_msg *msg, oci_err_t *err);

/* After a pid-namespace fork: the pid the middle process reports (OCI_SYNC_PID), which is then
 * reaped (MIDDLE, our child), whether the report came or not. */
int oci_sync_expect_pid(int fd, pid_t middle, pid_t *pid, oci_err_t *err);

#endif
