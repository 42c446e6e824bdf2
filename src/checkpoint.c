/* checkpoint.c: `ocirun checkpoint`: save a running container with CRIU (runc's flags), the flags restore shares. */
#include <getopt.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>
#include "ocirun/container/checkpoint.h"
#include "cli.h"

static const char checkpoint_help[] =
    "Usage: ocirun checkpoint [OPTIONS] ID\n\n"
    "Save the state of a running container with CRIU (criu swrk); without --leave-running or\n"
    "--pre-dump the container is ended and deleted once it is saved.\n\n"
    "Options:\n"
    "      --image-path DIR     where the CRIU image goes (default: ./checkpoint; made 0700)\n"
    "      --work-path DIR      where CRIU's work files and log (dump.log) go (default: the image path)\n"
    "      --parent-path DIR    a previous pre-dump, relative to the image path (memory changes only)\n"
    "      --leave-running      leave the container running after the checkpoint\n"
    "      --tcp-established    allow open TCP connections\n"
    "      --ext-unix-sk        allow unix sockets connected outside the container\n"
    "      --shell-job          allow a process that is a shell job (its terminal outside)\n"
    "      --lazy-pages         serve the memory pages lazily (userfaultfd) to the restore\n"
    "      --status-fd FD       with --lazy-pages: write \\0 to FD once the pages can be fetched\n"
    "      --page-server A:P    send the memory pages to the CRIU page server at ADDRESS:PORT\n"
    "      --file-locks         checkpoint file locks\n"
    "      --pre-dump           save the memory only and leave the container running (for --parent-path)\n"
    "      --manage-cgroups-mode M  cgroups mode of CRIU: soft (default), full, strict or ignore\n"
    "      --empty-ns NS        create the namespace NS at restore without its contents (only \"network\",\n"
    "                           which is always so: the network belongs to whoever set it up)\n"
    "      --auto-dedup         deduplicate memory images against the parent's\n"
    "  -h, --help               print this help\n";

enum {
    OPT_IMAGE = 256, OPT_WORK, OPT_PARENT, OPT_LEAVE, OPT_TCP, OPT_EXTUNIX, OPT_SHELL, OPT_LAZY, OPT_STATUS,
    OPT_PAGESRV, OPT_LOCKS, OPT_PREDUMP, OPT_CGMODE, OPT_EMPTYNS, OPT_DEDUP, OPT_LSM, OPT_LSMMNT,
};

/* The long options both commands take (restore adds its own around them). */
const struct option cli_criu_options[] = {
    { "image-path", required_argument, NULL, OPT_IMAGE },
    { "work-path", required_argument, NULL, OPT_WORK },
    { "tcp-established", no_argument, NULL, OPT_TCP },
    { "ext-unix-sk", no_argument, NULL, OPT_EXTUNIX },
    { "shell-job", no_argument, NULL, OPT_SHELL },
    { "lazy-pages", no_argument, NULL, OPT_LAZY },
    { "file-locks", no_argument, NULL, OPT_LOCKS },
    { "manage-cgroups-mode", required_argument, NULL, OPT_CGMODE },
    { "empty-ns", required_argument, NULL, OPT_EMPTYNS },
    { "auto-dedup", no_argument, NULL, OPT_DEDUP },
    { "parent-path", required_argument, NULL, OPT_PARENT },
    { "leave-running", no_argument, NULL, OPT_LEAVE },
    { "status-fd", required_argument, NULL, OPT_STATUS },
    { "page-server", required_argument, NULL, OPT_PAGESRV },
    { "pre-dump", no_argument, NULL, OPT_PREDUMP },
    { "lsm-profile", required_argument, NULL, OPT_LSM },
    { "lsm-mount-context", required_argument, NULL, OPT_LSMMNT },
};
const size_t cli_criu_n_shared = 10;   /* the first ones: restore's too */
const size_t cli_criu_n_options = sizeof(cli_criu_options) / sizeof(cli_criu_options[0]);

/* One criu option C (its OPTARG): 0 done, 1 a usage error (reported), -1 not a criu option. */
int cli_criu_option(const char *cmd, int c, const char *arg, struct oci_criu_opts *o)
{
    oci_err_t err = NULL;

    switch (c) {
    case OPT_IMAGE: o->image_path = arg; return 0;
    case OPT_WORK: o->work_path = arg; return 0;
    case OPT_PARENT: o->parent_path = arg; return 0;
    case OPT_LEAVE: o->leave_running = true; return 0;
    case OPT_TCP: o->tcp_established = true; return 0;
    case OPT_EXTUNIX: o->ext_unix_sk = true; return 0;
    case OPT_SHELL: o->shell_job = true; return 0;
    case OPT_LAZY: o->lazy_pages = true; return 0;
    case OPT_STATUS: return cli_parse_int(cmd, "--status-fd", arg, &o->status_fd);
    case OPT_PAGESRV: o->page_server = arg; return 0;
    case OPT_LOCKS: o->file_locks = true; return 0;
    case OPT_PREDUMP: o->pre_dump = true; return 0;
    case OPT_DEDUP: o->auto_dedup = true; return 0;
    case OPT_LSM: o->lsm_profile = arg; return 0;
    case OPT_LSMMNT: o->lsm_mount_context = arg; return 0;
    case OPT_CGMODE:
        if (oci_criu_parse_cg_mode(arg, &o->cg_mode, &err) == 0)
            return 0;
        break;
    case OPT_EMPTYNS:
        if (oci_criu_parse_empty_ns(arg, &o->empty_ns, &err) == 0)
            return 0;
        break;
    default: return -1;
    }
    cli_usage_error(cmd, "%s", err->msg);
    oci_error_free(&err);
    return 1;
}

/* runc's defaults: ./checkpoint, and the network namespace always empty (the network is
 * whoever set it up's business: an engine's netns joined by path is external). */
void cli_criu_defaults(struct oci_criu_opts *o, char **image_default)
{
    o->empty_ns |= CLONE_NEWNET;
    *image_default = NULL;
    if (o->image_path == NULL) {
        char *cwd = getcwd(NULL, 0);
        if (cwd && asprintf(image_default, "%s/checkpoint", cwd) < 0)
            *image_default = NULL;
        free(cwd);
        o->image_path = *image_default ? *image_default : "checkpoint";
    }
}

int cmd_checkpoint(struct cli_globals *g, int argc, char **argv)
{
    struct option opts[32];
    struct oci_criu_opts o = { .status_fd = -1 };
    char *image_default = NULL;
    oci_err_t err = NULL;
    const char *id;
    size_t n = 0;
    int c, ret;

    for (size_t i = 0; i < cli_criu_n_options; i++)
        if (cli_criu_options[i].val != OPT_LSM && cli_criu_options[i].val != OPT_LSMMNT)
            opts[n++] = cli_criu_options[i];
    opts[n++] = (struct option) { "help", no_argument, NULL, 'h' };
    opts[n] = (struct option) { NULL, 0, NULL, 0 };
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'h') {
            fputs(checkpoint_help, stdout);
            return 0;
        }
        ret = cli_criu_option("checkpoint", c, optarg, &o);
        if (ret > 0)
            return 1;
        if (ret < 0)
            return cli_usage_error("checkpoint", "unknown option \"%s\"", argv[optind - 1]);
    }
    if (cli_take_id("checkpoint", argc, argv, optind, &id))
        return 1;
    cli_criu_defaults(&o, &image_default);
    ret = oci_container_checkpoint(g->root, id, &o, &err);
    free(image_default);
    return ret < 0 ? cli_fail(&err) : 0;
}
