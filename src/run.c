/* run.c: `ocirun run`: create, start and (unless detached) wait for a container. */
#include <stdio.h>
#include "ocirun/container/container.h"
#include "cli.h"

int cli_parse_create_opts(const char *cmd, int argc, char **argv, struct cli_globals *g,
                          struct oci_create_opts *o, bool *detach, bool *keep, bool *help);

static const char run_help[] =
    "Usage: ocirun run [OPTIONS] ID\n\n"
    "Create and start a container, wait for its process and delete it; exits with the\n"
    "process's exit status (128+N when killed by signal N).\n\n"
    "Options:\n"
    "  -b, --bundle DIR         bundle directory holding config.json (default: current directory)\n"
    "  -d, --detach             return once the process runs; do not wait or delete\n"
    "      --keep               keep the stopped container (delete it with 'ocirun delete')\n"
    "      --pid-file FILE      write the container's init pid to FILE\n"
    "      --console-socket S   unix socket that receives the terminal master (process.terminal)\n"
    "      --no-pivot           do not use pivot_root (for rootfs on a ramdisk)\n"
    "      --no-new-keyring     do not create a new session keyring\n"
    "      --preserve-fds N     pass N more file descriptors (from 3) to the container\n"
    "  -h, --help               print this help\n";

int cmd_run(struct cli_globals *g, int argc, char **argv)
{
    struct oci_create_opts o = { 0 };
    bool detach = false, keep = false, help = false;
    oci_err_t err = NULL;
    int status = 0;

    if (cli_parse_create_opts("run", argc, argv, g, &o, &detach, &keep, &help))
        return 1;
    if (help) {
        fputs(run_help, stdout);
        return 0;
    }
    if (oci_container_run(&o, detach, keep, &status, &err) < 0)
        return cli_fail(&err);
    return status;
}
