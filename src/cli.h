/* cli.h: what the subcommand files share: global options, the command table, error reporting. */
#ifndef OCIRUN_CLI_H
#define OCIRUN_CLI_H

#include <stdbool.h>
#include "ocirun/core/error.h"

struct cli_globals {
    const char *root;
    const char *log;
    const char *log_format;
    bool debug;
    bool systemd_cgroup;
    bool rootless;        /* --rootless, auto resolved (cgroups this user cannot write are skipped) */
    char **argv;          /* main's argv, unshifted (exec re-executes itself with it) */
};

struct cli_command {
    const char *name;
    const char *summary;
    int (*run)(struct cli_globals *g, int argc, char **argv);
};

/* Report a failed command (stderr, and the --log file as its last line); returns exit status 1. */
int cli_fail(oci_err_t *err);
/* A usage error for a command: message plus a hint to --help; returns 1. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Exactly one positional ID after options, else a usage error. */
int cli_take_id(const char *cmd, int argc, char **argv, int optind_, const char **id);
int cli_parse_int(const char *cmd, const char *opt, const char *value, int *out);
/* The caller's NOTIFY_SOCKET (create, run, start), NULL when unset or empty. */
const char *cli_notify_socket(void);

int cmd_create(struct cli_globals *g, int argc, char **argv);
int cmd_start(struct cli_globals *g, int argc, char **argv);
int cmd_state(struct cli_globals *g, int argc, char **argv);
int cmd_kill(struct cli_globals *g, int argc, char **argv);
int cmd_delete(struct cli_globals *g, int argc, char **argv);
int cmd_run(struct cli_globals *g, int argc, char **argv);
int cmd_exec(struct cli_globals *g, int argc, char **argv);
int cmd_list(struct cli_globals *g, int argc, char **argv);
int cmd_pause(struct cli_globals *g, int argc, char **argv);
int cmd_resume(struct cli_globals *g, int argc, char **argv);
int cmd_update(struct cli_globals *g, int argc, char **argv);
int cmd_ps(struct cli_globals *g, int argc, char **argv);
int cmd_events(struct cli_globals *g, int argc, char **argv);
int cmd_spec(struct cli_globals *g, int argc, char **argv);
int cmd_check(struct cli_globals *g, int argc, char **argv);
int cmd_features(struct cli_globals *g, int argc, char **argv);
int cmd_checkpoint(struct cli_globals *g, int argc, char **argv);
int cmd_restore(struct cli_globals *g, int argc, char **argv);

#endif
