/* state.c: `ocirun state`: print a container's runtime-spec state JSON. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include "ocirun/container/container.h"
#include "cli.h"

static const char state_help[] =
    "Usage: ocirun state ID\n\n"
    "Print the state of a container as runtime-spec JSON\n"
    "(ociVersion, id, status, pid, bundle, rootfs, created, owner, annotations).\n\n"
    "Options:\n"
    "  -h, --help   print this help\n";

int cmd_state(struct cli_globals *g, int argc, char **argv)
{
    static const struct option opts[] = { { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
    oci_err_t err = NULL;
    const char *id;
    char *json;
    int c;

    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'h') {
            fputs(state_help, stdout);
            return 0;
        }
        return cli_usage_error("state", "unknown option \"%s\"", argv[optind - 1]);
    }
    if (cli_take_id("state", argc, argv, optind, &id))
        return 1;
    if (oci_container_state_json(g->root, id, &json, &err) < 0)
        return cli_fail(&err);
    puts(json);
    free(json);
    return 0;
}
