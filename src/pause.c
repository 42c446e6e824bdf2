/* pause.c: `ocirun pause` and `ocirun resume`: freeze and thaw every process of a container. */
#include <getopt.h>
#include <stdio.h>
#include "ocirun/container/container.h"
#include "cli.h"

static const char pause_help[] =
    "Usage: ocirun pause ID\n\n"
    "Suspend every process of a running container (cgroup freezer).\n\n"
    "Options:\n"
    "  -h, --help   print this help\n";

static const char resume_help[] =
    "Usage: ocirun resume ID\n\n"
    "Resume every process of a paused container.\n\n"
    "Options:\n"
    "  -h, --help   print this help\n";

static int freeze_command(struct cli_globals *g, int argc, char **argv, bool freeze)
{
    static const struct option opts[] = { { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
    const char *name = freeze ? "pause" : "resume";
    oci_err_t err = NULL;
    const char *id;
    int c;

    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'h') {
            fputs(freeze ? pause_help : resume_help, stdout);
            return 0;
        }
        return cli_usage_error(name, "unknown option \"%s\"", argv[optind - 1]);
    }
    if (cli_take_id(name, argc, argv, optind, &id))
        return 1;
    if (oci_container_freeze(g->root, id, freeze, &err) < 0)
        return cli_fail(&err);
    return 0;
}

int cmd_pause(struct cli_globals *g, int argc, char **argv)
{
    return freeze_command(g, argc, argv, true);
}

int cmd_resume(struct cli_globals *g, int argc, char **argv)
{
    return freeze_command(g, argc, argv, false);
}
