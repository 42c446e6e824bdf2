/* check.c: `ocirun check`: print every problem of a bundle (config.json, rootfs, this host) without creating anything. */
#include <getopt.h>
#include <stdio.h>
#include "ocirun/container/check.h"
#include "cli.h"

static const char check_help[] =
    "Usage: ocirun check [OPTIONS] [ID]\n\n"
    "Check a bundle against the OCI runtime spec and this host, as create would, without creating\n"
    "anything. Every problem is printed on stdout as one line, PATH: MESSAGE\n"
    "(config.json: process.cwd: must be an absolute path, got \"tmp\"); the exit status is 1 when\n"
    "there is any, 0 when there is none. With ID, the id is checked too (valid, not taken under\n"
    "--root) and names the container's default cgroup.\n\n"
    "Options:\n"
    "  -b, --bundle DIR   bundle directory holding config.json (default: current directory)\n"
    "  -q, --quiet        print nothing: only the exit status tells\n"
    "  -h, --help         print this help\n";

int cmd_check(struct cli_globals *g, int argc, char **argv)
{
    static const struct option opts[] = {
        { "bundle", required_argument, NULL, 'b' },
        { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct oci_check_opts o = { .root = g->root, .systemd_cgroup = g->systemd_cgroup, .rootless = g->rootless };
    struct oci_report r = { 0 };
    bool quiet = false;
    int c;

    while ((c = getopt_long(argc, argv, "b:qh", opts, NULL)) != -1) {
        switch (c) {
        case 'b': o.bundle = optarg; break;
        case 'q': quiet = true; break;
        case 'h': fputs(check_help, stdout); return 0;
        default: return cli_usage_error("check", "unknown option \"%s\"", argv[optind - 1]);
        }
    }
    if (argc - optind > 1)
        return cli_usage_error("check", "unexpected argument \"%s\"", argv[optind + 1]);
    if (optind < argc)
        o.id = argv[optind];
    oci_container_check(&o, &r);
    for (size_t i = 0; i < r.len && !quiet; i++)
        printf("%s\n", r.lines[i]);
    c = r.len ? 1 : 0;
    oci_report_free(&r);
    return c;
}
