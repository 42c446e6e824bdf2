/* terminal.c: process.terminal: a pty from the container's devpts, /dev/console, the console socket. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <linux/openat2.h>
#include <linux/magic.h>
#include "ocirun/core/procfs.h"
#include "ocirun/core/utils.h"
#include "core/fdpass.h"
#include "process/terminal.h"
#include "rootfs/mount_api.h"
#include "rootfs/resolve.h"

_Static_assert(sizeof(struct termios) <= sizeof(((struct oci_tty_saved *) 0)->termios), "termios too large");

#define PTMX_MAJOR 5
#define PTMX_MINOR 2

/* The devpts ptmx itself, not whatever an image put at that name. */
static int check_ptmx(int fd, oci_err_t *err)
{
    struct statfs sfs;
    struct stat st;

    if (fstatfs(fd, &sfs) < 0 || fstat(fd, &st) < 0)
        return oci_error_sys(err, "process.terminal: stat /dev/pts/ptmx");
    if (sfs.f_type != DEVPTS_SUPER_MAGIC || !S_ISCHR(st.st_mode) ||
        major(st.st_rdev) != PTMX_MAJOR || minor(st.st_rdev) != PTMX_MINOR)
        return oci_error_set(err, 0, "process.terminal: /dev/pts/ptmx is not a devpts ptmx "
                             "(mount a devpts at /dev/pts in mounts[])");
    return 0;
}

static int open_ptmx(int rootfd, oci_err_t *err)
{
    struct open_how how = {
        .flags = O_RDWR | O_NOCTTY | O_CLOEXEC,
        .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS,
    };
    int fd;

    do
        fd = (int) syscall(SYS_openat2, rootfd, "dev/pts/ptmx", &how, sizeof(how));
    while (fd < 0 && (errno == EINTR || errno == EAGAIN));
    if (fd < 0)
        return oci_error_sys(err, "process.terminal: open /dev/pts/ptmx (mount a devpts at /dev/pts in mounts[])");
    if (check_ptmx(fd, err) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

int oci_terminal_open(int rootfd, const struct oci_process *p, bool size_from_stdin, int *master, int *slave,
                      oci_err_t *err)
{
    cleanup_close int m = open_ptmx(rootfd, err);
    int unlock = 0;
    int s;

    if (m < 0)
        return -1;
    if (ioctl(m, TIOCSPTLCK, &unlock) < 0)
        return oci_error_sys(err, "process.terminal: unlock pty");
    s = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (s < 0)
        return oci_error_sys(err, "process.terminal: open pty peer (TIOCGPTPEER)");
    if (p->has_console_size) {
        struct winsize ws = {
            .ws_row = (unsigned short) p->console_size.height,
            .ws_col = (unsigned short) p->console_size.width,
        };
        if (ioctl(m, TIOCSWINSZ, &ws) < 0) {
            close(s);
            return oci_error_sys(err, "process.consoleSize: TIOCSWINSZ");
        }
    } else if (size_from_stdin) {
        oci_terminal_copy_winsize(m);
    }
    /* The process's user owns its terminal, as on a login (the group stays devpts's tty). */
    if (p->user.uid != 0 && fchown(s, p->user.uid, (gid_t) -1) < 0) {
        close(s);
        return oci_error_sys(err, "process.terminal: chown pty to uid %u", p->user.uid);
    }
    *master = m;
    m = -1;
    *slave = s;
    return 0;
}

/* dev/console as an empty regular file or a device node, never through a symlink. */
static int console_target(int rootfd, oci_err_t *err)
{
    cleanup_close int devfd = oci_root_ensure(rootfd, "/dev", false, err);
    struct stat st;
    int fd;

    if (devfd < 0)
        return oci_error_wrap(err, "process.terminal: /dev");
    if (fstatat(devfd, "console", &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode) &&
        unlinkat(devfd, "console", S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0) < 0)
        return oci_error_sys(err, "process.terminal: remove /dev/console of the image");
    fd = openat(devfd, "console", O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0 && errno != EEXIST)
        return oci_error_sys(err, "process.terminal: create /dev/console");
    if (fd >= 0)
        close(fd);
    fd = openat(devfd, "console", O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return oci_error_sys(err, "process.terminal: open /dev/console");
    if (fstat(fd, &st) < 0 || !(S_ISREG(st.st_mode) || S_ISCHR(st.st_mode))) {
        close(fd);
        return oci_error_set(err, 0, "process.terminal: /dev/console is not a file or device");
    }
    return fd;
}

int oci_terminal_mount_console(int rootfd, int slave, oci_err_t *err)
{
    cleanup_close int target = console_target(rootfd, err);
    char source[OCI_PROC_FD_PATH_MAX];

    if (target < 0)
        return -1;
    oci_proc_fd_path(source, slave);
    if (oci_rootfs_bind_fd(source, target, false, false, err) < 0)
        return oci_error_wrap(err, "process.terminal: bind the pty onto /dev/console");
    return 0;
}

int oci_terminal_attach(int slave, oci_err_t *err)
{
    int ret = 0;

    if (setsid() < 0)
        ret = oci_error_sys(err, "process.terminal: setsid");
    else if (ioctl(slave, TIOCSCTTY, 0) < 0)
        ret = oci_error_sys(err, "process.terminal: make the pty the controlling terminal");
    else
        for (int i = 0; i < 3 && ret == 0; i++)
            if (dup2(slave, i) < 0)
                ret = oci_error_sys(err, "process.terminal: dup2 the pty to fd %d", i);
    if (slave > 2)
        close(slave);
    return ret;
}

int oci_terminal_send(const char *path, int master, oci_err_t *err)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    struct timeval tv = { .tv_sec = OCI_CONSOLE_SOCKET_WAIT_MS / 1000 };
    cleanup_close int sock = -1;
    static const char name[] = "/dev/ptmx";

    if (strlen(path) >= sizeof(addr.sun_path))
        return oci_error_set(err, ENAMETOOLONG, "--console-socket \"%s\": path too long for a unix socket", path);
    strcpy(addr.sun_path, path);
    sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (sock < 0)
        return oci_error_sys(err, "--console-socket: socket");
    /* A receiver that does not accept (full backlog) or read would block us for good. */
    if (setsockopt(sock, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0)
        return oci_error_sys(err, "--console-socket: SO_SNDTIMEO");
    if (connect(sock, (struct sockaddr *) &addr, sizeof(addr)) < 0) {
        if (errno == EAGAIN)
            return oci_error_set_code(err, ETIMEDOUT, "--console-socket \"%s\": connect: nobody accepted the "
                                      "connection within %d s", path, OCI_CONSOLE_SOCKET_WAIT_MS / 1000);
        return oci_error_sys(err, "--console-socket \"%s\": connect", path);
    }
    if (oci_send_with_fd(sock, name, sizeof(name) - 1, master) < 0) {
        if (errno == EAGAIN)
            return oci_error_set_code(err, ETIMEDOUT, "--console-socket \"%s\": send the terminal: not read "
                                      "within %d s", path, OCI_CONSOLE_SOCKET_WAIT_MS / 1000);
        return oci_error_sys(err, "--console-socket \"%s\": send the terminal", path);
    }
    return 0;
}

int oci_terminal_hand_over(const char *console_socket, int master, int *kept, oci_err_t *err)
{
    int ret;

    if (master < 0)
        return oci_error_set(err, 0, "the setup process sent no terminal");
    if (console_socket == NULL) {
        if (*kept >= 0)
            close(*kept);
        *kept = master;
        return 0;
    }
    ret = oci_terminal_send(console_socket, master, err);
    close(master);
    return ret;
}

void oci_terminal_raw(struct oci_tty_saved *saved)
{
    struct termios t, *old = (struct termios *) saved->termios;

    saved->fd = -1;
    if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, old) < 0)
        return;
    t = *old;
    cfmakeraw(&t);
    /* Keep output post-processing: our own messages still end lines properly. */
    t.c_oflag = old->c_oflag;
    if (tcsetattr(STDIN_FILENO, TCSANOW, &t) == 0)
        saved->fd = STDIN_FILENO;
}

void oci_terminal_restore(struct oci_tty_saved *saved)
{
    if (saved->fd >= 0)
        tcsetattr(saved->fd, TCSANOW, (struct termios *) saved->termios);
    saved->fd = -1;
}

void oci_terminal_copy_winsize(int master)
{
    struct winsize ws;

    if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col)
        ioctl(master, TIOCSWINSZ, &ws);
}
