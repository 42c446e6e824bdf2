/* sdnotify.c: both ends of the sd_notify protocol, for the NOTIFY_SOCKET tests (busybox has no systemd-notify).
 * Usage: sdnotify send MESSAGE          one datagram to $NOTIFY_SOCKET (a path, or "@name": abstract)
 *        sdnotify listen SOCKET [COUNT] bind a datagram socket at SOCKET and print every datagram
 *                                       received as one line (its trailing newline dropped; a
 *                                       datagram carrying fds gets " +fds N", and they are closed,
 *                                       which is what a BARRIER=1 waits for), until COUNT datagrams
 *                                       (default: until killed); gives up after 60 s.
 * Built static: it runs in busybox rootfses too. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

static int fail(const char *what)
{
    fprintf(stderr, "sdnotify: %s: %s\n", what, strerror(errno));
    return 1;
}

static socklen_t make_addr(const char *path, struct sockaddr_un *sa)
{
    size_t n = strlen(path);

    memset(sa, 0, sizeof(*sa));
    sa->sun_family = AF_UNIX;
    if (n >= sizeof(sa->sun_path))
        return 0;
    memcpy(sa->sun_path, path, n);
    if (path[0] == '@')
        sa->sun_path[0] = '\0';
    return (socklen_t) (offsetof(struct sockaddr_un, sun_path) + n + (path[0] == '@' ? 0 : 1));
}

static int send_msg(const char *msg)
{
    const char *path = getenv("NOTIFY_SOCKET");
    struct sockaddr_un sa;
    socklen_t len;
    int fd;

    if (path == NULL || (len = make_addr(path, &sa)) == 0) {
        fprintf(stderr, "sdnotify: NOTIFY_SOCKET unset or too long\n");
        return 1;
    }
    fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return fail("socket");
    if (sendto(fd, msg, strlen(msg), 0, (struct sockaddr *) &sa, len) < 0)
        return fail(path);
    return 0;
}

/* One datagram printed as a line; fds it carried are counted and closed. */
static int print_one(int fd)
{
    char buf[4096 + 1];
    char control[CMSG_SPACE(8 * sizeof(int))];
    struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) - 1 };
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
                          .msg_controllen = sizeof(control) };
    int nfds = 0;
    ssize_t n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);

    if (n < 0)
        return -1;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
            continue;
        for (size_t i = 0; i < (c->cmsg_len - CMSG_LEN(0)) / sizeof(int); i++) {
            int got;
            memcpy(&got, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
            close(got);
            nfds++;
        }
    }
    if (n > 0 && buf[n - 1] == '\n')
        n--;
    buf[n] = '\0';
    if (nfds)
        printf("%s +fds %d\n", buf, nfds);
    else
        printf("%s\n", buf);
    fflush(stdout);
    return 0;
}

static int listen_on(const char *path, long count)
{
    struct sockaddr_un sa;
    socklen_t len = make_addr(path, &sa);
    int fd;

    if (len == 0) {
        fprintf(stderr, "sdnotify: %s: path too long\n", path);
        return 1;
    }
    fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return fail("socket");
    if (path[0] != '@')
        unlink(path);
    if (bind(fd, (struct sockaddr *) &sa, len) < 0)
        return fail(path);
    alarm(60);
    for (long i = 0; count <= 0 || i < count; i++)
        if (print_one(fd) < 0)
            return fail("recvmsg");
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "send") == 0)
        return send_msg(argv[2]);
    if ((argc == 3 || argc == 4) && strcmp(argv[1], "listen") == 0)
        return listen_on(argv[2], argc == 4 ? strtol(argv[3], NULL, 10) : 0);
    fprintf(stderr, "usage: %s send MESSAGE | listen SOCKET [COUNT]\n", argv[0]);
    return 2;
}
