/* main.c: global options, logging set-up and dispatch to the subcommands. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "ocirun/log.h"
#include "ocirun/state.h"

#ifndef OCIRUN_VERSION
#define OCIRUN_VERSION "0.0.0"
#endif
#ifndef OCIRUN_COMMIT
#define OCIRUN_COMMIT ""
#endif

static const struct cli_command commands[] = {
    { "create", "create a container", cmd_create },
    { "start", "start a created container", cmd_start },
    { "state", "print the state of a container", cmd_state },
    { "kill", "send a signal to a container's init process", cmd_kill },
    { "delete", "delete a container and what it holds", cmd_delete },
    { "run", "create, start and wait for a container", cmd_run },
    { "exec", "run a new process in a container", cmd_exec },
    { "list", "list containers", cmd_list },
    { "pause", "suspend every process of a container", cmd_pause },
    { "resume", "resume a paused container", cmd_resume },
    { "update", "change the resource limits of a container", cmd_update },
    { "ps", "list the processes of a container", cmd_ps },
    { "events", "print a container's stats and OOM events", cmd_events },
    { "spec", "write a default config.json", cmd_spec },
    { "features", "print what this build supports (JSON)", cmd_features },
};

static void print_usage(FILE *out)
{
    fprintf(out,
            "Usage: ocirun [GLOBAL OPTIONS] COMMAND [OPTIONS] [ARGS]\n\n"
            "An OCI container runtime.\n\nCommands:\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out,
            "\nGlobal options:\n"
            "  --root DIR            state directory (default /run/ocirun)\n"
            "  --log FILE            write log lines to FILE instead of stderr\n"
            "  --log-format FORMAT   text (default) or json\n"
            "  --debug               log set-up steps with timings\n"
            "  --systemd-cgroup      use the systemd cgroup driver (not available yet)\n"
            "  -v, --version         print the version\n"
            "  -h, --help            print this help\n\n"
            "Run 'ocirun COMMAND --help' for a command's options.\n");
}

static void print_version(void)
{
    printf("ocirun version %s\n", OCIRUN_VERSION);
    printf("spec: %s\n", OCI_SPEC_VERSION);
    if (OCIRUN_COMMIT[0])
        printf("commit: %s\n", OCIRUN_COMMIT);
}

int cli_fail(oci_err_t *err)
{
    const char *msg = (err && *err) ? (*err)->msg : "unknown error";

    oci_log_error("%s", msg);
    if (oci_log_fd() >= 0)
        fprintf(stderr, "ocirun: %s\n", msg);
    oci_error_free(err);
    return 1;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    char *msg = NULL;
    va_list ap;

    va_start(ap, fmt);
    if (vasprintf(&msg, fmt, ap) < 0)
        msg = NULL;
    va_end(ap);
    oci_log_error("%s: %s (see 'ocirun %s --help')", cmd, msg ? msg : "usage error", cmd);
    if (oci_log_fd() >= 0)
        fprintf(stderr, "ocirun: %s: %s (see 'ocirun %s --help')\n", cmd, msg ? msg : "usage error", cmd);
    free(msg);
    return 1;
}

int cli_take_id(const char *cmd, int argc, char **argv, int optind_, const char **id)
{
    if (optind_ >= argc)
        return cli_usage_error(cmd, "a container ID is required");
    if (argc - optind_ > 1)
        return cli_usage_error(cmd, "unexpected argument \"%s\"", argv[optind_ + 1]);
    *id = argv[optind_];
    return 0;
}

int cli_parse_int(const char *cmd, const char *opt, const char *value, int *out)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(value, &end, 10);
    if (errno || *end || end == value || v < 0 || v > 1 << 20)
        return cli_usage_error(cmd, "%s: invalid number \"%s\"", opt, value);
    *out = (int) v;
    return 0;
}

static const struct cli_command *find_command(const char *name)
{
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "root", required_argument, NULL, 'r' },
        { "log", required_argument, NULL, 'l' },
        { "log-format", required_argument, NULL, 'f' },
        { "debug", no_argument, NULL, 'd' },
        { "systemd-cgroup", no_argument, NULL, 's' },
        { "version", no_argument, NULL, 'v' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct cli_globals g = { .root = "/run/ocirun", .log_format = "text", .argv = argv };
    enum oci_log_format fmt;
    const struct cli_command *cmd;
    int c;

    opterr = 0;
    while ((c = getopt_long(argc, argv, "+vh", opts, NULL)) != -1) {
        switch (c) {
        case 'r': g.root = optarg; break;
        case 'l': g.log = optarg; break;
        case 'f': g.log_format = optarg; break;
        case 'd': g.debug = true; break;
        case 's': g.systemd_cgroup = true; break;
        case 'v': print_version(); return 0;
        case 'h': print_usage(stdout); return 0;
        default:
            fprintf(stderr, "ocirun: unknown global option \"%s\"\n", argv[optind - 1]);
            print_usage(stderr);
            return 1;
        }
    }
    if (strcmp(g.log_format, "json") == 0) {
        fmt = OCI_LOG_JSON;
    } else if (strcmp(g.log_format, "text") == 0) {
        fmt = OCI_LOG_TEXT;
    } else {
        fprintf(stderr, "ocirun: --log-format: unknown format \"%s\" (text or json)\n", g.log_format);
        return 1;
    }
    if (oci_log_init(g.log, fmt, g.debug) < 0) {
        fprintf(stderr, "ocirun: --log \"%s\": %s\n", g.log, strerror(errno));
        return 1;
    }
    if (optind >= argc) {
        print_usage(stderr);
        return 1;
    }
    cmd = find_command(argv[optind]);
    if (cmd == NULL) {
        oci_log_error("unknown command \"%s\" (see 'ocirun --help')", argv[optind]);
        return 1;
    }
    argc -= optind;
    argv += optind;
    optind = 0;   /* reset getopt for the subcommand (0 also re-initialises GNU getopt) */
    opterr = 0;
    return cmd->run(&g, argc, argv);
}
