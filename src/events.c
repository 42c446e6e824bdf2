/* events.c: `ocirun events`: container stats and OOM events as JSON lines. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ocirun/container/container.h"
#include "cli.h"

static const char events_help[] =
    "Usage: ocirun events [OPTIONS] ID\n\n"
    "Print the container's resource usage as JSON, every interval, with an \"oom\" event each\n"
    "time the kernel OOM-kills one of its processes, until the container exits.\n\n"
    "  --stats                print the stats once and exit\n"
    "  --interval DURATION    time between stats (default 5s; 500ms, 1m30s, ...)\n"
    "  -h, --help             print this help\n";

/* Go's duration syntax, which runc's --interval takes: "1h2m3.5s", "250ms", "10us". */
static int parse_duration_ms(const char *s, uint64_t *out)
{
    static const struct { const char *unit; double ms; } units[] = {
        { "ns", 1e-6 }, { "us", 1e-3 }, { "µs", 1e-3 }, { "ms", 1 }, { "s", 1e3 }, { "m", 60e3 }, { "h", 3600e3 },
    };
    double total = 0;

    if (*s == '\0')
        return -1;
    while (*s) {
        char *end;
        double v = strtod(s, &end);
        size_t best = 0, best_len = 0;

        if (end == s || v < 0)
            return -1;
        for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
            size_t n = strlen(units[i].unit);
            if (strncmp(end, units[i].unit, n) == 0 && n > best_len) {
                best = i;
                best_len = n;
            }
        }
        if (best_len == 0)
            return -1;
        total += v * units[best].ms;
        s = end + best_len;
    }
    if (total < 1)
        return -1;
    *out = (uint64_t) total;
    return 0;
}

int cmd_events(struct cli_globals *g, int argc, char **argv)
{
    static const struct option opts[] = {
        { "stats", no_argument, NULL, 's' },
        { "interval", required_argument, NULL, 'i' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    uint64_t interval_ms = 5000;
    bool once = false;
    oci_err_t err = NULL;
    const char *id;
    int c;

    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 's': once = true; break;
        case 'i':
            if (parse_duration_ms(optarg, &interval_ms) < 0)
                return cli_usage_error("events", "--interval: invalid duration \"%s\" (e.g. 5s, 500ms)", optarg);
            break;
        case 'h': fputs(events_help, stdout); return 0;
        default: return cli_usage_error("events", "unknown option \"%s\"", argv[optind - 1]);
        }
    }
    if (cli_take_id("events", argc, argv, optind, &id))
        return 1;
    if (oci_container_events(g->root, id, once, interval_ms, stdout, &err) < 0)
        return cli_fail(&err);
    return 0;
}
