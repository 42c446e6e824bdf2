/* notify.h: NOTIFY_SOCKET (sd_notify): the container's socket in its state directory, its READY relayed to the caller. */
#ifndef OCIRUN_NOTIFY_H
#define OCIRUN_NOTIFY_H

#include <sys/types.h>
#include "ocirun/core/error.h"

/* runc's names: ROOT/ID/notify/notify.sock, bound read-only at /run/notify in the container,
 * whose process gets NOTIFY_SOCKET=/run/notify/notify.sock. */
#define OCI_NOTIFY_DIR "notify"
#define OCI_NOTIFY_SOCK "notify.sock"
#define OCI_NOTIFY_MOUNT "/run/notify"
#define OCI_NOTIFY_ENV "NOTIFY_SOCKET=/run/notify/notify.sock"

struct oci_notify {
    int fd;             /* our datagram socket in the state directory; -1: none, or READY relayed */
    const char *host;   /* the caller's NOTIFY_SOCKET: a path, or "@name" (abstract) */
    pid_t mainpid;      /* MAINPID= after READY: the init (detached), or us (foreground run) */
};

#define OCI_NOTIFY_INIT { .fd = -1 }

/* Bind STATE_DIR/notify/notify.sock (mode 0777: any user of the container may notify); the
 * directory must exist (made at create when NOTIFY_SOCKET was set then: runc's error else). */
int oci_notify_bind(struct oci_notify *n, int state_dir, const char *host, oci_err_t *err);

/* One datagram of the container: the first with a READY= line is relayed to the caller (that
 * line, then MAINPID=), after which the socket is closed, as runc does (later messages are not
 * relayed). A failed relay is a warning. */
void oci_notify_handle(struct oci_notify *n);

/* Relay READY once it comes, or return when the process of PIDFD exits first (run --detach,
 * start). */
void oci_notify_wait(struct oci_notify *n, int pidfd);

void oci_notify_close(struct oci_notify *n);

#endif
