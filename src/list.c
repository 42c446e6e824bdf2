/* list.c: `ocirun list`: the containers under --root, as a table, ids or JSON. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ocirun/container/container.h"
#include "ocirun/state/state.h"
#include "cli.h"

static const char list_help[] =
    "Usage: ocirun list [OPTIONS]\n\n"
    "List the containers under --root.\n\n"
    "Options:\n"
    "  -f, --format FORMAT   table (default) or json\n"
    "  -q, --quiet           print the IDs only\n"
    "  -h, --help            print this help\n";

static void print_table(const struct oci_container_info *list, size_t n)
{
    printf("%-12s %-10s %-10s %-40s %-30s %s\n", "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER");
    for (size_t i = 0; i < n; i++) {
        const struct oci_state *st = list[i].state;
        bool stopped = list[i].status == OCI_STATUS_STOPPED;
        printf("%-12s %-10d %-10s %-40s %-30s %s\n", st->id, stopped ? 0 : (int) st->pid,
               oci_status_name(list[i].status), st->bundle, st->created,
               st->owner && *st->owner ? st->owner : "root");
    }
}

static void print_json(const struct oci_container_info *list, size_t n)
{
    fputc('[', stdout);
    for (size_t i = 0; i < n; i++) {
        char *json = oci_state_to_json(list[i].state, list[i].status, false);
        if (i)
            fputc(',', stdout);
        fputs(json, stdout);
        free(json);
    }
    fputs("]\n", stdout);
}

int cmd_list(struct cli_globals *g, int argc, char **argv)
{
    static const struct option opts[] = {
        { "format", required_argument, NULL, 'f' },
        { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct oci_container_info *list = NULL;
    const char *format = "table";
    oci_err_t err = NULL;
    bool quiet = false;
    size_t n = 0;
    int c;

    while ((c = getopt_long(argc, argv, "f:qh", opts, NULL)) != -1) {
        switch (c) {
        case 'f': format = optarg; break;
        case 'q': quiet = true; break;
        case 'h': fputs(list_help, stdout); return 0;
        default: return cli_usage_error("list", "unknown option \"%s\"", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return cli_usage_error("list", "unexpected argument \"%s\"", argv[optind]);
    if (strcmp(format, "table") != 0 && strcmp(format, "json") != 0)
        return cli_usage_error("list", "--format: unknown format \"%s\" (table or json)", format);
    if (oci_container_list(g->root, &list, &n, &err) < 0)
        return cli_fail(&err);
    if (quiet)
        for (size_t i = 0; i < n; i++)
            puts(list[i].state->id);
    else if (strcmp(format, "json") == 0)
        print_json(list, n);
    else
        print_table(list, n);
    oci_container_list_free(list, n);
    return 0;
}
