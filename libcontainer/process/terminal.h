/* terminal.h: process.terminal: a pty from the container's devpts, /dev/console, the console socket. */
#ifndef OCIRUN_TERMINAL_H
#define OCIRUN_TERMINAL_H

#include <stdbool.h>
#include "ocirun/core/error.h"
#include "ocirun/spec/spec.h"

/* Open a new pty from ROOTFD's dev/pts/ptmx (the container's root: the rootfs directory before
 * the root switch, "/" after it or after joining the container's mount namespace). The ptmx
 * must be a real devpts ptmx (5:2 on a devpts filesystem) reached without symlinks, so that an
 * image cannot hand us a host file. The peer (slave) is opened from the master (TIOCGPTPEER),
 * never by path. process.consoleSize is applied, else with SIZE_FROM_STDIN the size of our
 * stdin's terminal (a foreground run/exec: set before the process can ask for it). Both fds
 * are close-on-exec. */
int oci_terminal_open(int rootfd, const struct oci_process *p, bool size_from_stdin, int *master, int *slave,
                      oci_err_t *err);

/* Bind the pty SLAVE onto ROOTFD's dev/console, which is created as an empty file when missing;
 * a symlink or other entry of the image there is replaced, never followed. */
int oci_terminal_mount_console(int rootfd, int slave, oci_err_t *err);

/* Make SLAVE the calling process's controlling terminal (new session) and its stdio; closes it. */
int oci_terminal_attach(int slave, oci_err_t *err);

/* How long the runtime waits for the --console-socket receiver to accept and take the pty. */
#define OCI_CONSOLE_SOCKET_WAIT_MS 10000

/* Send MASTER over the unix socket at PATH (SCM_RIGHTS), as runc does for --console-socket;
 * connect and send are bounded by OCI_CONSOLE_SOCKET_WAIT_MS. */
int oci_terminal_send(const char *path, int master, oci_err_t *err);

/* The pty MASTER received from a setup process: sent to CONSOLE_SOCKET (and closed), or, without
 * one, kept in *KEPT for the foreground relay (a previous one there is closed). */
int oci_terminal_hand_over(const char *console_socket, int master, int *kept, oci_err_t *err);

/* Foreground relay: put our stdin in raw mode when it is a terminal (restored by
 * oci_terminal_restore) and give MASTER our window size. */
struct oci_tty_saved {
    int fd;                  /* -1: nothing to restore */
    char termios[64];        /* struct termios, opaque here */
};
void oci_terminal_raw(struct oci_tty_saved *saved);
void oci_terminal_restore(struct oci_tty_saved *saved);
/* Copy our stdin's window size to MASTER (no-op when stdin is not a terminal). */
void oci_terminal_copy_winsize(int master);

#endif
