/* sync.c: runtime <-> container-init messages over a SOCK_SEQPACKET socketpair. */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include "ocirun/core/utils.h"
#include "ocirun/process/sync.h"
#include "core/fdpass.h"

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

int oci_sync_send_fd_value(int fd, enum oci_sync_type type, int32_t value, int passed_fd)
{
    struct oci_sync_msg msg = { .type = type, .value = value };

    return oci_send_with_fd(fd, &msg, offsetof(struct oci_sync_msg, text), passed_fd) < 0 ? -errno : 0;
}

int oci_sync_send_fd(int fd, enum oci_sync_type type, int passed_fd)
{
    return oci_sync_send_fd_value(fd, type, 0, passed_fd);
}

static int take_passed_fd(struct msghdr *mh)
{
    for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
        int fd;
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS || c->cmsg_len < CMSG_LEN(sizeof(int)))
            continue;
        memcpy(&fd, CMSG_DATA(c), sizeof(int));
        return fd;
    }
    return -1;
}

int oci_sync_recv_fd(int fd, struct oci_sync_msg *msg, int *passed_fd, oci_err_t *err)
{
    struct iovec iov = { .iov_base = msg, .iov_len = sizeof(*msg) - 1 };
    union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } u;
    struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
    ssize_t r;

    memset(msg, 0, sizeof(*msg));
    *passed_fd = -1;
    do
        r = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
    while (r < 0 && errno == EINTR);
    if (r < 0)
        return oci_error_sys(err, "read from container setup process");
    if (r == 0)
        return oci_error_set(err, 0, "container setup process exited unexpectedly");
    if ((size_t) r < offsetof(struct oci_sync_msg, text)) {
        close(take_passed_fd(&mh));
        return oci_error_set(err, 0, "short message from container setup process");
    }
    *passed_fd = take_passed_fd(&mh);
    return 0;
}

int oci_sync_recv(int fd, struct oci_sync_msg *msg, oci_err_t *err)
{
    int passed_fd;
    int ret = oci_sync_recv_fd(fd, msg, &passed_fd, err);

    /* Nobody asked for an fd here: do not keep one that came along. */
    if (passed_fd >= 0)
        close(passed_fd);
    return ret;
}

int oci_sync_check(const struct oci_sync_msg *msg, enum oci_sync_type type, oci_err_t *err)
{
    if (msg->type == OCI_SYNC_ERROR) {
        int ret = oci_error_set(err, 0, "%s", msg->text);
        (*err)->errnum = msg->value;
        return ret;
    }
    if (msg->type != type)
        return oci_error_set(err, 0, "unexpected message %u from container setup process (wanted %u)",
                             msg->type, type);
    return 0;
}

int oci_sync_expect(int fd, enum oci_sync_type type, struct oci_sync_msg *msg, oci_err_t *err)
{
    if (oci_sync_recv(fd, msg, err) < 0)
        return -1;
    return oci_sync_check(msg, type, err);
}

int oci_sync_expect_pid(int fd, pid_t middle, pid_t *pid, oci_err_t *err)
{
    struct oci_sync_msg msg;
    int ret = oci_sync_expect(fd, OCI_SYNC_PID, &msg, err);

    waitpid(middle, NULL, 0);
    if (ret == 0)
        *pid = msg.value;
    return ret;
}
