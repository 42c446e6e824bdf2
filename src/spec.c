/* spec.c: `ocirun spec`: write a default config.json to start a bundle from. */
#include <getopt.h>
#include <stdio.h>
#include "ocirun/spec/spec.h"
#include "cli.h"

static const char spec_help[] =
    "Usage: ocirun spec [OPTIONS]\n\n"
    "Write a default config.json into the bundle directory (never over an existing one).\n\n"
    "  -b, --bundle DIR   the bundle directory (default: the current directory)\n"
    "      --rootless     a config for an unprivileged user: a user namespace mapping root to you\n"
    "  -h, --help         print this help\n";

int cmd_spec(struct cli_globals *g, int argc, char **argv)
{
    static const struct option opts[] = {
        { "bundle", required_argument, NULL, 'b' },
        { "rootless", no_argument, NULL, 'r' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *bundle = NULL;
    bool rootless = false;
    oci_err_t err = NULL;
    int c;

    (void) g;
    while ((c = getopt_long(argc, argv, "b:h", opts, NULL)) != -1) {
        switch (c) {
        case 'b': bundle = optarg; break;
        case 'r': rootless = true; break;
        case 'h': fputs(spec_help, stdout); return 0;
        default: return cli_usage_error("spec", "unknown option \"%s\"", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return cli_usage_error("spec", "unexpected argument \"%s\"", argv[optind]);
    if (oci_spec_write_default(bundle, rootless, &err) < 0)
        return cli_fail(&err);
    return 0;
}
