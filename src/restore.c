/* restore.c: `ocirun restore`: a container made again from a CRIU image (runc's flags). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include "ocirun/container/checkpoint.h"
#include "cli.h"

static const char restore_help[] =
    "Usage: ocirun restore [OPTIONS] ID\n\n"
    "Restore container ID from a CRIU image made by 'ocirun checkpoint' (or runc's), with the\n"
    "bundle's config.json; without --detach wait for its process and delete it, as 'run' does.\n\n"
    "Options:\n"
    "  -b, --bundle DIR         bundle directory holding config.json (default: current directory)\n"
    "  -d, --detach             return once the container is restored\n"
    "      --pid-file FILE      write the restored init's pid to FILE\n"
    "      --console-socket S   unix socket that receives the terminal master (process.terminal)\n"
    "      --no-subreaper       do not become the subreaper of the restored processes\n"
    "      --no-pivot           accepted for runc's command line: CRIU sets up the root itself\n"
    "      --image-path DIR     the CRIU image to restore (default: ./checkpoint)\n"
    "      --work-path DIR      where CRIU's work files and log (restore.log) go (default: the image path)\n"
    "      --tcp-established    restore open TCP connections\n"
    "      --ext-unix-sk        allow unix sockets connected outside the container\n"
    "      --shell-job          allow a process that was a shell job\n"
    "      --file-locks         restore file locks\n"
    "      --manage-cgroups-mode M  cgroups mode of CRIU: soft (default), full, strict or ignore\n"
    "      --empty-ns NS        create the namespace NS without its contents (only \"network\", always so)\n"
    "      --auto-dedup         deduplicate memory images\n"
    "      --lazy-pages         fetch the memory pages lazily from CRIU's lazy-pages daemon\n"
    "      --lsm-profile T:NAME  the LSM profile of the restored processes (apparmor:NAME, selinux:LABEL)\n"
    "      --lsm-mount-context C  the SELinux mount context for the restored mounts\n"
    "  -h, --help               print this help\n";

/* checkpoint.c */
extern const struct option cli_criu_options[];
extern const size_t cli_criu_n_shared;
int cli_criu_option(const char *cmd, int c, const char *arg, struct oci_criu_opts *o);
void cli_criu_defaults(struct oci_criu_opts *o, char **image_default);

static const struct option restore_options[] = {
    { "bundle", required_argument, NULL, 'b' },
    { "detach", no_argument, NULL, 'd' },
    { "pid-file", required_argument, NULL, 'p' },
    { "console-socket", required_argument, NULL, 'c' },
    { "no-subreaper", no_argument, NULL, 'S' },
    { "no-pivot", no_argument, NULL, 'P' },
    { "lsm-profile", required_argument, NULL, 'L' },
    { "lsm-mount-context", required_argument, NULL, 'M' },
    { "help", no_argument, NULL, 'h' },
};

static int parse(int argc, char **argv, struct cli_globals *g, struct oci_restore_opts *o, bool *help)
{
    struct option opts[32];
    size_t n = 0;
    int c;

    for (size_t i = 0; i < cli_criu_n_shared; i++)
        opts[n++] = cli_criu_options[i];
    for (size_t i = 0; i < sizeof(restore_options) / sizeof(restore_options[0]); i++)
        opts[n++] = restore_options[i];
    opts[n] = (struct option) { NULL, 0, NULL, 0 };
    o->create.root = g->root;
    o->create.systemd_cgroup = g->systemd_cgroup;
    o->criu.status_fd = -1;
    while ((c = getopt_long(argc, argv, "b:dh", opts, NULL)) != -1) {
        switch (c) {
        case 'b': o->create.bundle = optarg; break;
        case 'd': o->detach = true; break;
        case 'p': o->create.pid_file = optarg; break;
        case 'c': o->create.console_socket = optarg; break;
        case 'S': o->no_subreaper = true; break;
        case 'P': o->create.no_pivot = true; break;
        case 'L': o->criu.lsm_profile = optarg; break;
        case 'M': o->criu.lsm_mount_context = optarg; break;
        case 'h': *help = true; return 0;
        default: {
            int r = cli_criu_option("restore", c, optarg, &o->criu);
            if (r > 0)
                return 1;
            if (r < 0)
                return cli_usage_error("restore", "unknown option \"%s\"", argv[optind - 1]);
        }
        }
    }
    return cli_take_id("restore", argc, argv, optind, &o->create.id);
}

int cmd_restore(struct cli_globals *g, int argc, char **argv)
{
    struct oci_restore_opts o = { 0 };
    char *image_default = NULL;
    oci_err_t err = NULL;
    bool help = false;
    int status = 1;

    if (parse(argc, argv, g, &o, &help))
        return 1;
    if (help) {
        fputs(restore_help, stdout);
        return 0;
    }
    cli_criu_defaults(&o.criu, &image_default);
    if (oci_container_restore(&o, &status, &err) < 0) {
        free(image_default);
        return cli_fail(&err);
    }
    free(image_default);
    return status;
}
