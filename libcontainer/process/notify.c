/* notify.c: NOTIFY_SOCKET (sd_notify): the container's socket in its state directory, its READY relayed to the caller. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include "ocirun/core/log.h"
#include "ocirun/core/utils.h"
#include "process/notify.h"

int oci_notify_bind(struct oci_notify *n, int state_dir, const char *host, oci_err_t *err)
{
    cleanup_close int dir = openat(state_dir, OCI_NOTIFY_DIR, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    cleanup_close int fd = -1;

    if (dir < 0 && errno == ENOENT)
        return oci_error_set(err, ENOENT, "NOTIFY_SOCKET is set, but the container was created without it "
                             "(it has no %s socket directory)", OCI_NOTIFY_DIR);
    if (dir < 0)
        return oci_error_sys(err, "NOTIFY_SOCKET: open the state's %s directory", OCI_NOTIFY_DIR);
    /* Through the directory's fd: ROOT/ID/notify may be longer than sun_path allows. */
    snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/%s", dir, OCI_NOTIFY_SOCK);
    fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return oci_error_sys(err, "NOTIFY_SOCKET: socket");
    /* Left by a start that failed after binding it: the container is still created. */
    unlinkat(dir, OCI_NOTIFY_SOCK, 0);
    if (bind(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0)
        return oci_error_sys(err, "NOTIFY_SOCKET: bind %s/%s", OCI_NOTIFY_DIR, OCI_NOTIFY_SOCK);
    /* Any user of the container may notify (the directory is bound read-only, nosuid...). */
    if (fchmodat(dir, OCI_NOTIFY_SOCK, 0777, 0) < 0)
        return oci_error_sys(err, "NOTIFY_SOCKET: chmod %s/%s", OCI_NOTIFY_DIR, OCI_NOTIFY_SOCK);
    n->fd = steal_fd(&fd);
    n->host = host;
    return 0;
}

/* "@name": the abstract namespace, as sd_notify reads NOTIFY_SOCKET. */
static int host_addr(const char *host, struct sockaddr_un *sa, socklen_t *len)
{
    size_t n = strlen(host);

    memset(sa, 0, sizeof(*sa));
    sa->sun_family = AF_UNIX;
    if (n == 0 || n >= sizeof(sa->sun_path) || (host[0] != '/' && host[0] != '@')) {
        errno = EINVAL;
        return -1;
    }
    memcpy(sa->sun_path, host, n);
    if (host[0] == '@')
        sa->sun_path[0] = '\0';
    *len = (socklen_t) (offsetof(struct sockaddr_un, sun_path) + n + (host[0] == '@' ? 0 : 1));
    return 0;
}

/* runc's two datagrams: the READY line, then MAINPID (systemd then watches that process). */
static void relay_ready(const struct oci_notify *n, const char *line, size_t len)
{
    cleanup_close int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un sa;
    socklen_t sa_len;
    char msg[4200];
    int m;

    if (fd < 0 || host_addr(n->host, &sa, &sa_len) < 0 || connect(fd, (struct sockaddr *) &sa, sa_len) < 0)
        goto fail;
    m = snprintf(msg, sizeof(msg), "%.*s\n", (int) len, line);
    if (send(fd, msg, (size_t) m, MSG_NOSIGNAL) < 0)
        goto fail;
    m = snprintf(msg, sizeof(msg), "MAINPID=%d\n", (int) n->mainpid);
    if (send(fd, msg, (size_t) m, MSG_NOSIGNAL) < 0)
        goto fail;
    return;
fail:
    oci_warn("NOTIFY_SOCKET \"%s\": relaying the container's READY: %s", n->host, strerror(errno));
}

/* The line of TEXT that starts with READY= (runc looks at the datagram's start only). */
static const char *ready_line(const char *text, size_t *len)
{
    for (const char *p = text; *p; p += *len + (p[*len] == '\n')) {
        *len = strcspn(p, "\n");
        if (strncmp(p, "READY=", 6) == 0)
            return p;
    }
    return NULL;
}

void oci_notify_handle(struct oci_notify *n)
{
    char buf[4096 + 1];
    const char *line;
    ssize_t got;
    size_t len;

    if (n->fd < 0)
        return;
    got = recv(n->fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
    if (got < 0)
        return;
    buf[got] = '\0';
    if ((line = ready_line(buf, &len)) == NULL)
        return;
    relay_ready(n, line, len);
    oci_notify_close(n);
}

void oci_notify_wait(struct oci_notify *n, int pidfd)
{
    while (n->fd >= 0) {
        struct pollfd p[2] = { { .fd = n->fd, .events = POLLIN }, { .fd = pidfd, .events = POLLIN } };

        if (poll(p, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        /* What the process sent before it exited still counts. */
        if (p[0].revents & POLLIN)
            oci_notify_handle(n);
        else if (p[0].revents || p[1].revents)
            break;
    }
    oci_notify_close(n);
}

void oci_notify_close(struct oci_notify *n)
{
    close_fd(&n->fd);
}
