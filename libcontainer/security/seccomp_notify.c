/* seccomp_notify.c: hand a SCMP_ACT_NOTIFY listener fd to the agent at linux.seccomp.listenerPath. */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
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

static int connect_listener(const char *path, oci_err_t *err)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd;

    if (strlen(path) >= sizeof(addr.sun_path))
        return oci_error_set(err, ENAMETOOLONG, "linux.seccomp.listenerPath \"%s\": longer than %zu bytes",
                             path, sizeof(addr.sun_path) - 1);
    strcpy(addr.sun_path, path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return oci_error_sys(err, "linux.seccomp.listenerPath: socket");
    if (connect(fd, (struct sockaddr *) &addr, sizeof(addr)) < 0) {
        int e = errno;
        close(fd);
        errno = e;
        return oci_error_sys(err, "linux.seccomp.listenerPath \"%s\": connect", path);
    }
    return fd;
}

/* The fd goes with the first bytes (the spec allows several sendmsg calls, fds in the first). */
static int send_with_fd(int sock, const char *data, size_t len, int fd)
{
    ssize_t n = oci_send_with_fd(sock, data, len, fd);

    if (n < 0)
        return -1;
    return write_all(sock, data + n, len - (size_t) n) < 0 ? -1 : 0;
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
    if (send_with_fd(sock, json, len, listener_fd) < 0)
        return oci_error_sys(err, "linux.seccomp.listenerPath \"%s\": send the notify fd", s->listener_path);
    return 0;
}
