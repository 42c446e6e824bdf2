/* sync.h: the messages the runtime and the container's setup process exchange over a socketpair. */
#ifndef OCIRUN_SYNC_H
#define OCIRUN_SYNC_H

#include <stdint.h>
#include <sys/types.h>
#include "ocirun/error.h"

enum oci_sync_type {
    OCI_SYNC_GO = 1,      /* runtime -> init: id maps written / state saved, carry on */
    OCI_SYNC_PID,         /* init -> runtime: pid of the real init after an extra fork */
    OCI_SYNC_READY,       /* init -> runtime: set-up done, about to wait for start */
    OCI_SYNC_ERROR,       /* init -> runtime: set-up failed; value = errno, text = message */
};

struct oci_sync_msg {
    uint32_t type;
    int32_t value;
    char text[4096];
};

/* Create a SOCK_SEQPACKET pair (both ends close-on-exec). */
int oci_sync_pair(int fds[2], oci_err_t *err);
int oci_sync_send(int fd, enum oci_sync_type type, int32_t value, const char *text);
/* Receive one message; EOF means the other side died: reported as an error. */
int oci_sync_recv(int fd, struct oci_sync_msg *msg, oci_err_t *err);
/* Receive and require a given type; an OCI_SYNC_ERROR becomes *err with the sender's text. */
int oci_sync_expect(int fd, enum oci_sync_type type, struct oci_sync_msg *msg, oci_err_t *err);

#endif
