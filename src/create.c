/* create.c: `ocirun create`: build a container whose process waits for `start`. */
#include <getopt.h>
#include <stdio.h>
#include "ocirun/container/container.h"
#include "cli.h"

/* Shared with run.c: the options both commands take. */
int cli_parse_create_opts(const char *cmd, int argc, char **argv, struct cli_globals *g,
                          struct oci_create_opts *o, bool *detach, bool *keep, bool *help);

static const char create_help[] =
    "Usage: ocirun create [OPTIONS] ID\n\n"
    "Create a container from an OCI bundle; its process waits for 'ocirun start ID'.\n\n"
    "Options:\n"
    "  -b, --bundle DIR         bundle directory holding config.json (default: current directory)\n"
    "      --pid-file FILE      write the container's init pid to FILE\n"
    "      --console-socket S   unix socket that receives the terminal master (process.terminal)\n"
    "      --no-pivot           do not use pivot_root (for rootfs on a ramdisk)\n"
    "      --no-new-keyring     do not create a new session keyring\n"
    "      --preserve-fds N     pass N more file descriptors (from 3) to the container\n"
    "  -h, --help               print this help\n";

int cli_parse_create_opts(const char *cmd, int argc, char **argv, struct cli_globals *g,
                          struct oci_create_opts *o, bool *detach, bool *keep, bool *help)
{
    static const struct option opts[] = {
        { "bundle", required_argument, NULL, 'b' },
        { "pid-file", required_argument, NULL, 'p' },
        { "console-socket", required_argument, NULL, 'c' },
        { "no-pivot", no_argument, NULL, 'P' },
        { "no-new-keyring", no_argument, NULL, 'K' },
        { "preserve-fds", required_argument, NULL, 'F' },
        { "detach", no_argument, NULL, 'd' },
        { "keep", no_argument, NULL, 'k' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    bool is_run = detach != NULL;
    int c;

    o->root = g->root;
    o->systemd_cgroup = g->systemd_cgroup;
    o->rootless = g->rootless;
    o->notify_socket = cli_notify_socket();
    while ((c = getopt_long(argc, argv, is_run ? "b:dh" : "b:h", opts, NULL)) != -1) {
        switch (c) {
        case 'b': o->bundle = optarg; break;
        case 'p': o->pid_file = optarg; break;
        case 'c': o->console_socket = optarg; break;
        case 'P': o->no_pivot = true; break;
        case 'K': o->no_new_keyring = true; break;
        case 'F':
            if (cli_parse_int(cmd, "--preserve-fds", optarg, &o->preserve_fds))
                return 1;
            break;
        case 'd':
        case 'k':
            if (!is_run)
                return cli_usage_error(cmd, "unknown option \"%s\"", argv[optind - 1]);
            if (c == 'd')
                *detach = true;
            else
                *keep = true;
            break;
        case 'h': *help = true; return 0;
        default: return cli_usage_error(cmd, "unknown option \"%s\"", argv[optind - 1]);
        }
    }
    return cli_take_id(cmd, argc, argv, optind, &o->id);
}

int cmd_create(struct cli_globals *g, int argc, char **argv)
{
    struct oci_create_opts o = { 0 };
    oci_err_t err = NULL;
    bool help = false;

    if (cli_parse_create_opts("create", argc, argv, g, &o, NULL, NULL, &help))
        return 1;
    if (help) {
        fputs(create_help, stdout);
        return 0;
    }
    if (oci_container_create(&o, &err) < 0)
        return cli_fail(&err);
    return 0;
}
