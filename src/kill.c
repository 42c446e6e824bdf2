/* kill.c: `ocirun kill`: send a signal to a container's init (or all its processes). */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include "ocirun/container/container.h"
#include "ocirun/process/signals.h"
#include "cli.h"

static const char kill_help[] =
    "Usage: ocirun kill [OPTIONS] ID [SIGNAL]\n\n"
    "Send SIGNAL (a name such as TERM, SIGKILL or a number; default SIGTERM) to the\n"
    "container's init process. SIGNAL 0 sends nothing: it checks that the init is alive.\n\n"
    "Options:\n"
    "  -a, --all    send the signal to every process in the container's cgroup\n"
    "  -h, --help   print this help\n";

int cmd_kill(struct cli_globals *g, int argc, char **argv)
{
    static const struct option opts[] = {
        { "all", no_argument, NULL, 'a' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    oci_err_t err = NULL;
    bool all = false;
    int sig = SIGTERM;
    const char *id;
    int c;

    while ((c = getopt_long(argc, argv, "ah", opts, NULL)) != -1) {
        switch (c) {
        case 'a': all = true; break;
        case 'h': fputs(kill_help, stdout); return 0;
        default: return cli_usage_error("kill", "unknown option \"%s\"", argv[optind - 1]);
        }
    }
    if (optind >= argc)
        return cli_usage_error("kill", "a container ID is required");
    if (argc - optind > 2)
        return cli_usage_error("kill", "unexpected argument \"%s\"", argv[optind + 2]);
    id = argv[optind];
    /* an empty SIGNAL is the default, as runc's */
    if (argc - optind == 2 && argv[optind + 1][0] && oci_signal_parse(argv[optind + 1], &sig, &err) < 0)
        return cli_fail(&err);
    if (oci_container_kill(g->root, id, sig, all, &err) < 0)
        return cli_fail(&err);
    return 0;
}
