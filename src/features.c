/* features.c: `ocirun features`: print what this build of ocirun recognises (runtime-spec features.md). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include "ocirun/container/features.h"
#include "cli.h"

static const char features_help[] =
    "Usage: ocirun features\n\n"
    "Print the runtime-spec features document of this build (JSON).\n\n"
    "Options:\n"
    "  -h, --help   print this help\n";

int cmd_features(struct cli_globals *g, int argc, char **argv)
{
    static const struct option opts[] = { { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
    char *json;
    int c;

    (void) g;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'h') {
            fputs(features_help, stdout);
            return 0;
        }
        return cli_usage_error("features", "unknown option \"%s\"", argv[optind - 1]);
    }
    if (optind < argc)
        return cli_usage_error("features", "unexpected argument \"%s\"", argv[optind]);
    json = oci_features_json();
    puts(json);
    free(json);
    return 0;
}
