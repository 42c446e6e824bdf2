/* start.c: `ocirun start`: run the user process of a created container. */
#include <getopt.h>
#include <stdio.h>
#include "ocirun/container/container.h"
#include "cli.h"

static const char start_help[] =
    "Usage: ocirun start ID\n\n"
    "Start the process of a created container.\n\n"
    "Options:\n"
    "  -h, --help   print this help\n";

int cmd_start(struct cli_globals *g, int argc, char **argv)
{
    static const struct option opts[] = { { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
    oci_err_t err = NULL;
    const char *id;
    int c;

    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'h') {
            fputs(start_help, stdout);
            return 0;
        }
        return cli_usage_error("start", "unknown option \"%s\"", argv[optind - 1]);
    }
    if (cli_take_id("start", argc, argv, optind, &id))
        return 1;
    if (oci_container_start(g->root, id, cli_notify_socket(), &err) < 0)
        return cli_fail(&err);
    return 0;
}
