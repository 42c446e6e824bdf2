/* recvtty.c: the receiving end of --console-socket for tests: take one terminal master, copy it. */
/*
 * Usage: recvtty SOCKET [INPUT]
 * Listens on the unix socket SOCKET, accepts one connection, receives the pty master sent with
 * SCM_RIGHTS, writes INPUT (if given) to it, then copies everything the container writes to
 * stdout until the terminal's other side is gone. Exits 0 after a clean copy, 1 on errors.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

static int fail(const char *what)
{
    fprintf(stderr, "recvtty: %s: %s\n", what, strerror(errno));
    return 1;
}

static int receive_fd(int conn)
{
    char data[256];
    char control[CMSG_SPACE(sizeof(int))];
    struct iovec iov = { .iov_base = data, .iov_len = sizeof(data) };
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
                          .msg_controllen = sizeof(control) };
    struct cmsghdr *c;
    int fd;

    if (recvmsg(conn, &msg, MSG_CMSG_CLOEXEC) <= 0)
        return -1;
    c = CMSG_FIRSTHDR(&msg);
    if (c == NULL || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) {
        errno = EPROTO;
        return -1;
    }
    memcpy(&fd, CMSG_DATA(c), sizeof(fd));
    return fd;
}

int main(int argc, char **argv)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    char buf[4096];
    int sock, conn, master;
    ssize_t n;

    if (argc < 2 || strlen(argv[1]) >= sizeof(addr.sun_path)) {
        fprintf(stderr, "usage: recvtty SOCKET [INPUT]\n");
        return 2;
    }
    strcpy(addr.sun_path, argv[1]);
    sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (sock < 0 || bind(sock, (struct sockaddr *) &addr, sizeof(addr)) < 0 || listen(sock, 1) < 0)
        return fail("listen");
    conn = accept4(sock, NULL, NULL, SOCK_CLOEXEC);
    if (conn < 0)
        return fail("accept");
    master = receive_fd(conn);
    if (master < 0)
        return fail("receive the terminal");
    if (!isatty(master)) {
        fprintf(stderr, "recvtty: the fd received is not a terminal\n");
        return 1;
    }
    if (argc > 2 && write(master, argv[2], strlen(argv[2])) < 0)
        return fail("write input");
    while ((n = read(master, buf, sizeof(buf))) > 0)
        if (write(STDOUT_FILENO, buf, (size_t) n) != n)
            return fail("write stdout");
    /* EIO: every holder of the other side closed it, the normal end. */
    return n < 0 && errno != EIO ? fail("read") : 0;
}
