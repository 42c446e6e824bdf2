/* ps.c: `ocirun ps`: the processes of a container, as ps(1) lines or a JSON array of pids. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include "ocirun/container/container.h"
#include "ocirun/core/utils.h"
#include "cli.h"

extern char **environ;

static const char ps_help[] =
    "Usage: ocirun ps [OPTIONS] ID [--] [PS_ARGS...]\n\n"
    "List the processes of a container: ps(1)'s header line and its lines for them.\n"
    "Options go before ID; what follows ID is for ps(1) (default -ef; its output needs a\n"
    "PID column), an optional \"--\" first.\n\n"
    "Options:\n"
    "  -f, --format table|json   ps(1) lines (default), or a JSON array of the pids (PS_ARGS ignored)\n"
    "  -h, --help                print this help\n";

static void print_json(const pid_t *pids, size_t n)
{
    putchar('[');
    for (size_t i = 0; i < n; i++)
        printf("%s%d", i ? "," : "", pids[i]);
    puts("]");
}

/* ps(1)'s standard error, kept apart from the lines we parse: passed on when ps succeeds
 * (a warning), part of the error when it fails. */
static void take_stderr(int fd, char **text)
{
    size_t len = 0;

    *text = NULL;
    if (lseek(fd, 0, SEEK_SET) < 0 || read_fd_all(fd, text, &len, NULL) < 0)
        return;
    while (len > 0 && ((*text)[len - 1] == '\n' || (*text)[len - 1] == ' '))
        (*text)[--len] = '\0';
}

/* Run ps(1) with ARGS and return its whole output. */
static int run_ps(char **args, char **out, oci_err_t *err)
{
    cleanup_close int errfd = memfd_create("ps-stderr", MFD_CLOEXEC);
    cleanup_free char *errtext = NULL;
    int pipefd[2], status;
    posix_spawn_file_actions_t fa;
    pid_t pid;
    size_t len;
    int rc;

    if (errfd < 0)
        return oci_error_sys(err, "memfd_create");
    if (pipe2(pipefd, O_CLOEXEC) < 0)
        return oci_error_sys(err, "pipe");
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
    posix_spawn_file_actions_adddup2(&fa, errfd, 2);
    rc = posix_spawnp(&pid, "ps", &fa, NULL, args, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(pipefd[1]);
    if (rc != 0) {
        close(pipefd[0]);
        errno = rc;
        return oci_error_sys(err, "run ps");
    }
    rc = read_fd_all(pipefd[0], out, &len, err);
    close(pipefd[0]);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    take_stderr(errfd, &errtext);
    if (rc < 0)
        return -1;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return oci_error_set(err, 0, "ps failed (exit status %d)%s%s", WIFEXITED(status) ? WEXITSTATUS(status) : -1,
                             errtext && *errtext ? ": " : "", errtext ? errtext : "");
    if (errtext && *errtext)
        fprintf(stderr, "%s\n", errtext);
    return 0;
}

/* Which whitespace-separated column of the header is "PID". */
static int pid_column(const char *header)
{
    int col = 0;

    for (const char *p = header; *p; ) {
        while (*p == ' ')
            p++;
        if (strncmp(p, "PID", 3) == 0 && (p[3] == ' ' || p[3] == '\0' || p[3] == '\n'))
            return col;
        while (*p && *p != ' ')
            p++;
        col++;
    }
    return -1;
}

static long column_value(const char *line, int col)
{
    const char *p = line;

    for (int i = 0; i <= col; i++) {
        while (*p == ' ')
            p++;
        if (i == col)
            return strtol(p, NULL, 10);
        while (*p && *p != ' ')
            p++;
    }
    return -1;
}

static bool listed(const pid_t *pids, size_t n, long pid)
{
    for (size_t i = 0; i < n; i++)
        if (pids[i] == pid)
            return true;
    return false;
}

static int print_table(char **ps_args, const pid_t *pids, size_t n, oci_err_t *err)
{
    cleanup_free char *out = NULL;
    char *save = NULL, *line;
    int col;

    if (run_ps(ps_args, &out, err) < 0)
        return -1;
    line = strtok_r(out, "\n", &save);
    if (line == NULL || (col = pid_column(line)) < 0) {
        cleanup_free char *joined = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&joined, &len);
        for (size_t i = 0; f && ps_args[i]; i++)
            fprintf(f, "%s%s", i ? " " : "", ps_args[i]);
        if (f)
            fclose(f);
        return oci_error_set(err, 0, "ps output has no PID column (%s)", joined ? joined : "ps");
    }
    puts(line);
    while ((line = strtok_r(NULL, "\n", &save)) != NULL)
        if (listed(pids, n, column_value(line, col)))
            puts(line);
    return 0;
}

int cmd_ps(struct cli_globals *g, int argc, char **argv)
{
    static const struct option opts[] = {
        { "format", required_argument, NULL, 'f' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    static char *default_args[] = { "ps", "-ef", NULL };
    cleanup_free pid_t *pids = NULL;
    cleanup_free char **ps_args = NULL;
    const char *format = "table";
    oci_err_t err = NULL;
    size_t n;
    int c, first;

    /* "+": options end at the ID, as runc's; what follows it is ps(1)'s. */
    while ((c = getopt_long(argc, argv, "+f:h", opts, NULL)) != -1) {
        switch (c) {
        case 'f': format = optarg; break;
        case 'h': fputs(ps_help, stdout); return 0;
        default: return cli_usage_error("ps", "unknown option \"%s\"", argv[optind - 1]);
        }
    }
    if (strcmp(format, "table") != 0 && strcmp(format, "json") != 0)
        return cli_usage_error("ps", "--format: \"%s\" is not table or json", format);
    if (optind >= argc)
        return cli_usage_error("ps", "a container ID is required");
    if (oci_container_pids(g->root, argv[optind], &pids, &n, &err) < 0)
        return cli_fail(&err);
    if (strcmp(format, "json") == 0) {
        print_json(pids, n);
        return 0;
    }
    /* runc 1.1 hands a "--" after the ID to ps(1), which refuses it: we drop it. */
    first = optind + 1 < argc && strcmp(argv[optind + 1], "--") == 0 ? optind + 2 : optind + 1;
    if (first < argc) {
        int extra = argc - first;
        ps_args = xzalloc((size_t) (extra + 2) * sizeof(*ps_args));
        ps_args[0] = "ps";
        memcpy(ps_args + 1, argv + first, (size_t) extra * sizeof(*ps_args));
    }
    if (print_table(ps_args ? ps_args : default_args, pids, n, &err) < 0)
        return cli_fail(&err);
    return 0;
}
