/* sync.c: runtime <-> container-init messages over a SOCK_SEQPACKET socketpair. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include "ocirun/sync.h"
#include "ocirun/utils.h"

int oci_sync_pair(int fds[2], oci_err_t *err)
{
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) < 0)
        return oci_error_sys(err, "socketpair");
    return 0;
}

int oci_sync_send(int fd, enum oci_sync_type type, int32_t value, const char *text)
{
    struct oci_sync_msg msg = { .type = type, .value = value };
    size_t len = offsetof(struct oci_sync_msg, text);

    if (text) {
        size_t n = strnlen(text, sizeof(msg.text) - 1);
        memcpy(msg.text, text, n);
        msg.text[n] = '\0';
        len += n + 1;
    }
    for (;;) {
        ssize_t r = send(fd, &msg, len, MSG_NOSIGNAL);
        if (r >= 0)
            return 0;
        if (errno != EINTR)
            return -errno;
    }
}

int oci_sync_recv(int fd, struct oci_sync_msg *msg, oci_err_t *err)
{
    ssize_t r;

    memset(msg, 0, sizeof(*msg));
    do
        r = recv(fd, msg, sizeof(*msg) - 1, 0);
    while (r < 0 && errno == EINTR);
    if (r < 0)
        return oci_error_sys(err, "read from container setup process");
    if (r == 0)
        return oci_error_set(err, 0, "container setup process exited unexpectedly");
    if ((size_t) r < offsetof(struct oci_sync_msg, text))
        return oci_error_set(err, 0, "short message from container setup process");
    return 0;
}

int oci_sync_expect(int fd, enum oci_sync_type type, struct oci_sync_msg *msg, oci_err_t *err)
{
    int ret = oci_sync_recv(fd, msg, err);

    if (ret < 0)
        return ret;
    if (msg->type == OCI_SYNC_ERROR) {
        int ret2 = oci_error_set(err, 0, "%s", msg->text);
        (*err)->errnum = msg->value;
        return ret2;
    }
    if (msg->type != type)
        return oci_error_set(err, 0, "unexpected message %u from container setup process (wanted %u)",
                             msg->type, type);
    return 0;
}
