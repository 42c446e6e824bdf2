/* fdpass.c: one sendmsg carrying a file descriptor (SCM_RIGHTS): the sync socket, the console and seccomp sockets. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include "core/fdpass.h"

ssize_t oci_send_with_fd(int sock, const void *data, size_t len, int passed_fd)
{
    struct iovec iov = { .iov_base = (void *) data, .iov_len = len };
    union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } u;
    struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
    struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
    ssize_t n;

    memset(&u, 0, sizeof(u));
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &passed_fd, sizeof(int));
    do
        n = sendmsg(sock, &mh, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    return n;
}
