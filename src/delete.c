/* delete.c: `ocirun delete`: remove a stopped container (or, with --force, any). */
#include <getopt.h>
#include <stdio.h>
#include "ocirun/container/container.h"
#include "cli.h"

static const char delete_help[] =
    "Usage: ocirun delete [OPTIONS] ID\n\n"
    "Delete a stopped container: its cgroup and its state.\n\n"
    "Options:\n"
    "  -f, --force  kill the container first if it is created or running\n"
    "  -h, --help   print this help\n";

int cmd_delete(struct cli_globals *g, int argc, char **argv)
{
    static const struct option opts[] = {
        { "force", no_argument, NULL, 'f' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    oci_err_t err = NULL;
    bool force = false;
    const char *id;
    int c;

    while ((c = getopt_long(argc, argv, "fh", opts, NULL)) != -1) {
        switch (c) {
        case 'f': force = true; break;
        case 'h': fputs(delete_help, stdout); return 0;
        default: return cli_usage_error("delete", "unknown option \"%s\"", argv[optind - 1]);
        }
    }
    if (cli_take_id("delete", argc, argv, optind, &id))
        return 1;
    if (oci_container_delete(g->root, id, force, &err) < 0)
        return cli_fail(&err);
    return 0;
}
