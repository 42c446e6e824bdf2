/* exec.c: `ocirun exec`: options -> struct oci_exec_opts; runs a new process in a live container. */
#include <ctype.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "ocirun/container/exec.h"
#include "ocirun/core/utils.h"
#include "ocirun/security/selfexe.h"
#include "cli.h"

extern char **environ;

/* runc's status for an exec that failed before the process ran (the process's own status otherwise). */
#define EXEC_FAILED 255

static const char exec_help[] =
    "Usage: ocirun exec [OPTIONS] ID COMMAND [ARGS...]\n"
    "       ocirun exec [OPTIONS] --process FILE ID\n\n"
    "Run a new process in a created, running (or, with --ignore-paused, paused) container: its\n"
    "namespaces, cgroups, seccomp filter and, unless overridden, config.json's process settings.\n"
    "Exits with the process's status (128+N when killed by signal N); 255 when it could not run.\n\n"
    "Options:\n"
    "  -p, --process FILE         the process as a runtime-spec process object (JSON); the\n"
    "                             options below that describe the process are then ignored\n"
    "  -d, --detach               return once the process runs; do not wait for it\n"
    "      --pid-file FILE        write the process's pid to FILE\n"
    "      --cwd DIR              working directory in the container\n"
    "  -e, --env K=V              set an environment variable (repeatable)\n"
    "  -u, --user UID[:GID]       user (and group) ids\n"
    "  -g, --additional-gids GID  add a supplementary group (repeatable)\n"
    "  -c, --cap CAP              add a capability to the bounding, effective, permitted and\n"
    "                             ambient sets (repeatable)\n"
    "      --no-new-privs         set no_new_privs\n"
    "      --apparmor PROFILE     AppArmor profile\n"
    "      --process-label LABEL  SELinux label\n"
    "      --preserve-fds N       pass N more file descriptors (from 3) to the process\n"
    "      --cgroup [CTRL[,CTRL]:]PATH  run in this sub-cgroup of the container's cgroup\n"
    "                             (a bare PATH: every hierarchy; repeatable per controller)\n"
    "      --ignore-paused        allow exec in a paused container (the process starts frozen)\n"
    "  -t, --tty                  allocate a pseudo-terminal (foreground: relayed)\n"
    "      --console-socket S     unix socket that receives the terminal master\n"
    "  -h, --help                 print this help\n";

enum { OPT_PID_FILE = 256, OPT_CWD, OPT_NNP, OPT_APPARMOR, OPT_LABEL, OPT_PRESERVE, OPT_CGROUP, OPT_IGNORE_PAUSED,
       OPT_CONSOLE };

static void push(struct oci_strv *v, const char *s)
{
    v->v = xrealloc(v->v, (v->len + 2) * sizeof(char *));
    v->v[v->len++] = xstrdup(s);
    v->v[v->len] = NULL;
}

/* -g GID, repeatable: a decimal integer (runc's flag type; its range is checked with the rest of
 * the process). */
static int push_gid(struct oci_strv *v, const char *s)
{
    int64_t gid;

    if (!isdigit((unsigned char) s[s[0] == '-']) || parse_int64(s, &gid) < 0)
        return cli_usage_error("exec", "--additional-gids: invalid value \"%s\" (want a numeric gid)", s);
    push(v, s);
    return 0;
}

static int parse_opts(int argc, char **argv, struct cli_globals *g, struct oci_exec_opts *o, bool *help)
{
    static const struct option opts[] = {
        { "process", required_argument, NULL, 'p' },
        { "detach", no_argument, NULL, 'd' },
        { "pid-file", required_argument, NULL, OPT_PID_FILE },
        { "cwd", required_argument, NULL, OPT_CWD },
        { "env", required_argument, NULL, 'e' },
        { "user", required_argument, NULL, 'u' },
        { "additional-gids", required_argument, NULL, 'g' },
        { "cap", required_argument, NULL, 'c' },
        { "no-new-privs", no_argument, NULL, OPT_NNP },
        { "apparmor", required_argument, NULL, OPT_APPARMOR },
        { "process-label", required_argument, NULL, OPT_LABEL },
        { "preserve-fds", required_argument, NULL, OPT_PRESERVE },
        { "cgroup", required_argument, NULL, OPT_CGROUP },
        { "ignore-paused", no_argument, NULL, OPT_IGNORE_PAUSED },
        { "tty", no_argument, NULL, 't' },
        { "console-socket", required_argument, NULL, OPT_CONSOLE },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int c;

    o->root = g->root;
    /* "+": options end at the id; what follows is the command and its own options. */
    while ((c = getopt_long(argc, argv, "+p:de:u:g:c:th", opts, NULL)) != -1) {
        switch (c) {
        case 'p': o->process_file = optarg; break;
        case 'd': o->detach = true; break;
        case OPT_PID_FILE: o->pid_file = optarg; break;
        case OPT_CWD: o->cwd = optarg; break;
        case 'e': push(&o->env, optarg); break;
        case 'u': o->user = optarg; break;
        case 'g':
            if (push_gid(&o->additional_gids, optarg))
                return 1;
            break;
        case 'c': push(&o->caps, optarg); break;
        case OPT_NNP: o->no_new_privs = true; break;
        case OPT_APPARMOR: o->apparmor = optarg; break;
        case OPT_LABEL: o->process_label = optarg; break;
        case OPT_PRESERVE:
            if (cli_parse_int("exec", "--preserve-fds", optarg, &o->preserve_fds))
                return 1;
            break;
        case OPT_CGROUP: push(&o->cgroups, optarg); break;
        case OPT_IGNORE_PAUSED: o->ignore_paused = true; break;
        case 't': o->tty = true; break;
        case OPT_CONSOLE: o->console_socket = optarg; break;
        case 'h': *help = true; return 0;
        default: return cli_usage_error("exec", "unknown option \"%s\"", argv[optind - 1]);
        }
    }
    if (optind >= argc)
        return cli_usage_error("exec", "a container ID is required");
    o->id = argv[optind];
    o->args = argv + optind + 1;
    /* runc finds this after the options, as an exec failure (255) rather than a usage error (1). */
    if (o->process_file == NULL && o->args[0] == NULL) {
        cli_usage_error("exec", "a command is required (or --process FILE)");
        return EXEC_FAILED;
    }
    return 0;
}

static void free_opts(struct oci_exec_opts *o)
{
    strv_free(o->env.v);
    strv_free(o->additional_gids.v);
    strv_free(o->caps.v);
    strv_free(o->cgroups.v);
}

int cmd_exec(struct cli_globals *g, int argc, char **argv)
{
    struct oci_exec_opts o = { 0 };
    oci_err_t err = NULL;
    bool help = false;
    int status = parse_opts(argc, argv, g, &o, &help);

    /* As runc: 1 for a bad option or value, 255 once the exec itself failed. */
    if (status != 0) {
        free_opts(&o);
        return status;
    }
    if (help) {
        fputs(exec_help, stdout);
        free_opts(&o);
        return 0;
    }
    /* Before anything of the container is touched: from here on, our /proc/PID/exe may become
     * reachable from inside it (CVE-2019-5736). */
    if (oci_selfexe_ensure_sealed(g->argv, environ, &err) < 0 || oci_exec(&o, &status, &err) < 0) {
        oci_error_wrap(&err, "exec failed");
        cli_fail(&err);
        status = EXEC_FAILED;
    }
    free_opts(&o);
    return status;
}
