/* seccomp_notify.c: hand a SCMP_ACT_NOTIFY listener fd to the agent at linux.seccomp.listenerPath. */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include "ocirun/core/utils.h"
#include "ocirun/security/seccomp.h"
#include "core/fdpass.h"
#include "core/json_gen.h"

/* config-linux.md "The Container Process State" (status: creating for the init, running for exec). */
static char *process_state_json(const struct oci_seccomp *s, const struct oci_state *st, int status, size_t *len)
{
    yajl_gen g = oci_json_gen_new(NULL);

    yajl_gen_map_open(g);
    oci_json_gen_str(g, "ociVersion");
    oci_json_gen_str(g, OCI_SPEC_VERSION);
    oci_json_gen_str(g, "fds");
    yajl_gen_array_open(g);
    oci_json_gen_str(g, "seccompFd");
    yajl_gen_array_close(g);
    oci_json_gen_str(g, "pid");
    yajl_gen_integer(g, st->pid);
    if (s->listener_metadata) {
        oci_json_gen_str(g, "metadata");
        oci_json_gen_str(g, s->listener_metadata);
    }
    oci_json_gen_str(g, "state");
    oci_state_gen(g, st, (enum oci_status) status);
    yajl_gen_map_close(g);
    return oci_json_gen_finish(g, len);
}

/* An agent that is alive but does not accept (a full backlog) or does not read (a full
 * socket buffer) would block connect or send for good: SO_SNDTIMEO bounds both. */
static int connect_listener(const char *path, oci_err_t *err)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    struct timeval tv = { .tv_sec = OCI_SECCOMP_AGENT_WAIT_MS / 1000 };
    int fd;

    if (strlen(path) >= sizeof(addr.sun_path))
        return oci_error_set(err, ENAMETOOLONG, "linux.seccomp.listenerPath \"%s\": longer than %zu bytes",
                             path, sizeof(addr.sun_path) - 1);
    strcpy(addr.sun_path, path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return oci_error_sys(err, "linux.seccomp.listenerPath: socket");
    if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0 ||
        connect(fd, (struct sockaddr *) &addr, sizeof(addr)) < 0) {
        int e = errno;
        close(fd);
        if (e == EAGAIN || e == EINPROGRESS)
            return oci_error_set_code(err, ETIMEDOUT, "linux.seccomp.listenerPath \"%s\": connect: the agent did "
                                      "not accept the connection within %d s", path,
                                      OCI_SECCOMP_AGENT_WAIT_MS / 1000);
        errno = e;
        return oci_error_sys(err, "linux.seccomp.listenerPath \"%s\": connect", path);
    }
    return fd;
}

/* The fd goes with the first bytes (the spec allows several sendmsg calls, fds in the first);
 * MSG_NOSIGNAL: an agent that went away gives EPIPE, not our death by SIGPIPE. */
static int send_with_fd(int sock, const char *data, size_t len, int fd)
{
    ssize_t n = oci_send_with_fd(sock, data, len, fd);

    while (n >= 0 && (size_t) n < len) {
        ssize_t m = send(sock, data + n, len - (size_t) n, MSG_NOSIGNAL);
        if (m < 0 && errno == EINTR)
            continue;
        n = m < 0 ? -1 : n + m;
    }
    return n < 0 ? -1 : 0;
}

int oci_seccomp_send_listener(const struct oci_seccomp *s, int listener_fd, const struct oci_state *st,
                              int status, oci_err_t *err)
{
    cleanup_close int sock = -1;
    cleanup_free char *json = NULL;
    size_t len;

    if (s == NULL || s->listener_path == NULL)
        return oci_error_set(err, EINVAL, "linux.seccomp.listenerPath: required with SCMP_ACT_NOTIFY");
    sock = connect_listener(s->listener_path, err);
    if (sock < 0)
        return -1;
    json = process_state_json(s, st, status, &len);
    if (send_with_fd(sock, json, len, listener_fd) == 0)
        return 0;
    if (errno == EAGAIN)
        return oci_error_set_code(err, ETIMEDOUT, "linux.seccomp.listenerPath \"%s\": send the notify fd: the "
                                  "agent did not read the container process state within %d s", s->listener_path,
                                  OCI_SECCOMP_AGENT_WAIT_MS / 1000);
    if (errno == EPIPE || errno == ECONNRESET)
        return oci_error_sys(err, "linux.seccomp.listenerPath \"%s\": send the notify fd: the agent closed the "
                             "connection", s->listener_path);
    return oci_error_sys(err, "linux.seccomp.listenerPath \"%s\": send the notify fd", s->listener_path);
}
