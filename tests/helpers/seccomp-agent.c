/* seccomp-agent.c: a minimal seccomp notify agent for the bats suite.
 * Usage: seccomp-agent SOCKET OUTDIR ANSWER
 * Accepts one connection on SOCKET, saves the container process state JSON to OUTDIR/state.json,
 * then answers every notified syscall and logs "nr=N pid=P" lines to OUTDIR/notified, until no
 * process uses the filter any more. Writes OUTDIR/ready once listening. ANSWER is
 *   N         fail every notified syscall with -N
 *   continue  let every notified syscall run (SECCOMP_USER_NOTIF_FLAG_CONTINUE)
 *   slow      the same, after holding each one for 2 s (the caller sits in the container)
 *   exit      exit right after accepting, once the state and fd have arrived, reading nothing
 *             (an agent that goes away: the runtime's send succeeded, the fd is dropped)
 *   stuck     take the fd, then never answer (an agent that hangs)
 *   deaf      never accept, with a full backlog: connect(2) to SOCKET blocks */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <linux/seccomp.h>

static void die(const char *what)
{
    perror(what);
    exit(1);
}

static int listen_on(const char *path, int backlog)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    if (fd < 0)
        die("socket");
    snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
    unlink(path);
    if (bind(fd, (struct sockaddr *) &addr, sizeof(addr)) < 0 || listen(fd, backlog) < 0)
        die("bind/listen");
    return fd;
}

/* With a backlog of 0, one connection nobody accepts fills it: the next connect blocks. */
static void fill_backlog(const char *path)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
    if (fd < 0 || connect(fd, (struct sockaddr *) &addr, sizeof(addr)) < 0)
        die("connect to ourselves");
}

/* Read the whole state (until EOF) and the fd that came with it. */
static int receive(int conn, const char *outdir)
{
    char buf[65536], path[4096];
    union { char b[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } u;
    struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
    struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.b, .msg_controllen = sizeof(u.b) };
    size_t total;
    ssize_t n;
    int fd = -1;
    FILE *f;

    n = recvmsg(conn, &mh, MSG_CMSG_CLOEXEC);
    if (n < 0)
        die("recvmsg");
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
            memcpy(&fd, CMSG_DATA(c), sizeof(int));
    total = (size_t) n;
    /* The rest of the state, until EOF (runtime-spec: one state per connection, then closed);
     * a runtime that keeps the connection open gets a second to send it. */
    for (;;) {
        struct pollfd p = { .fd = conn, .events = POLLIN };
        if (total == sizeof(buf) || poll(&p, 1, 1000) <= 0 || (n = read(conn, buf + total, sizeof(buf) - total)) <= 0)
            break;
        total += (size_t) n;
    }
    snprintf(path, sizeof(path), "%s/state.json", outdir);
    f = fopen(path, "w");
    if (f == NULL)
        die(path);
    fwrite(buf, 1, total, f);
    fclose(f);
    if (fd < 0) {
        fprintf(stderr, "seccomp-agent: no fd received\n");
        exit(1);
    }
    return fd;
}

static void serve(int notify_fd, const char *outdir, const char *answer)
{
    char path[4096];
    FILE *log;

    snprintf(path, sizeof(path), "%s/notified", outdir);
    log = fopen(path, "a");
    if (log == NULL)
        die(path);
    setvbuf(log, NULL, _IOLBF, 0);
    for (;;) {
        struct pollfd p = { .fd = notify_fd, .events = POLLIN };
        struct seccomp_notif req;
        struct seccomp_notif_resp resp;

        if (poll(&p, 1, -1) < 0) {
            if (errno == EINTR)
                continue;
            die("poll");
        }
        if (p.revents & (POLLHUP | POLLERR))
            return;
        memset(&req, 0, sizeof(req));
        if (ioctl(notify_fd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0) {
            if (errno == EINTR || errno == ENOENT)
                continue;
            die("SECCOMP_IOCTL_NOTIF_RECV");
        }
        fprintf(log, "nr=%d pid=%u\n", req.data.nr, req.pid);
        resp = (struct seccomp_notif_resp) { .id = req.id, .error = -atoi(answer) };
        if (strcmp(answer, "slow") == 0)
            sleep(2);
        if (strcmp(answer, "continue") == 0 || strcmp(answer, "slow") == 0)
            resp = (struct seccomp_notif_resp) { .id = req.id, .flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE };
        if (ioctl(notify_fd, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0 && errno != ENOENT)
            die("SECCOMP_IOCTL_NOTIF_SEND");
    }
}

int main(int argc, char **argv)
{
    char path[4096];
    int lfd, conn, notify_fd;
    bool deaf;

    if (argc != 4) {
        fprintf(stderr, "usage: %s SOCKET OUTDIR ERRNO|continue|slow|exit|stuck|deaf\n", argv[0]);
        return 2;
    }
    deaf = strcmp(argv[3], "deaf") == 0;
    lfd = listen_on(argv[1], deaf ? 0 : 1);
    if (deaf)
        fill_backlog(argv[1]);
    snprintf(path, sizeof(path), "%s/ready", argv[2]);
    close(open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
    while (deaf)
        pause();
    conn = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
    if (conn < 0)
        die("accept");
    if (strcmp(argv[3], "exit") == 0) {
        struct pollfd p = { .fd = conn, .events = POLLIN };
        poll(&p, 1, 2000);
        return 0;
    }
    notify_fd = receive(conn, argv[2]);
    close(conn);
    close(lfd);
    if (strcmp(argv[3], "stuck") == 0)
        for (;;)
            pause();
    serve(notify_fd, argv[2], argv[3]);
    return 0;
}
