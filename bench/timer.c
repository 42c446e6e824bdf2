/* timer.c: run commands (once, or in loops) and append their wall time, CPU time and peak RSS to a file. */
/*
 * Usage: bench-timer [-n COUNT] [-j JOBS] OUTFILE LABEL CMD [ARGS...] [';' CMD [ARGS...]]...
 * Appends one line to OUTFILE:  LABEL WALL_US USER_US SYS_US MAXRSS_KB STATUS RUNS
 * The rusage comes from wait4(), so it covers each command and every descendant it waited for
 * (a runtime's container init included). STATUS is the first non-zero exit status (128+N for
 * signal N), and the remaining commands are then skipped. The timer itself is not measured
 * beyond one fork() per command, the same for every runtime.
 *
 * Throughput: with -n and/or -j, JOBS workers (default 1) run concurrently, each running the
 * command list COUNT times (default 1) back to back; "%j" in an argument becomes the worker's
 * number (1..JOBS), so concurrent workers can use different container IDs. WALL_US is then the
 * time until the last worker is done and RUNS is JOBS * COUNT (1 without -n/-j).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct totals {
    long long user_us;
    long long sys_us;
    long maxrss_kb;
    int status;
};

static long long now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

static long long tv_us(const struct timeval *tv)
{
    return tv->tv_sec * 1000000LL + tv->tv_usec;
}

static void add_usage(struct totals *t, const struct rusage *ru)
{
    t->user_us += tv_us(&ru->ru_utime);
    t->sys_us += tv_us(&ru->ru_stime);
    if (ru->ru_maxrss > t->maxrss_kb)
        t->maxrss_kb = ru->ru_maxrss;
}

/* Waits for pid and adds its usage to t; returns its exit status (128+N for signal N) or -1. */
static int reap(pid_t pid, struct totals *t)
{
    struct rusage ru;
    int wstatus;

    while (wait4(pid, &wstatus, 0, &ru) < 0) {
        if (errno != EINTR) {
            perror("bench-timer: wait4");
            return -1;
        }
    }
    add_usage(t, &ru);
    if (WIFSIGNALED(wstatus))
        return 128 + WTERMSIG(wstatus);
    return WEXITSTATUS(wstatus);
}

/* Runs argv to completion and adds its usage to t; returns its exit status or -1. */
static int run_one(char **argv, struct totals *t)
{
    pid_t pid = fork();

    if (pid < 0) {
        perror("bench-timer: fork");
        return -1;
    }
    if (pid == 0) {
        execvp(argv[0], argv);
        fprintf(stderr, "bench-timer: exec %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    return reap(pid, t);
}

/* Runs the ';'-separated commands of cmd[0..n) in order; returns the first non-zero status. */
static int run_list(char **cmd, int n, struct totals *t)
{
    char *argv[n + 1];
    int i = 0;

    while (i < n) {
        int argc = 0;

        while (i < n && strcmp(cmd[i], ";") != 0)
            argv[argc++] = cmd[i++];
        i++;    /* the ';' */
        argv[argc] = NULL;
        if (argc > 0) {
            int st = run_one(argv, t);
            if (st != 0)
                return st < 0 ? 255 : st;
        }
    }
    return 0;
}

/* A copy of s with every "%j" replaced by job (an out-of-memory exits the worker). */
static char *subst_job(const char *s, int job)
{
    char num[16];
    size_t cap = strlen(s) * 8 + 1, len = 0;
    char *out = malloc(cap);

    if (out == NULL)
        _exit(255);
    snprintf(num, sizeof(num), "%d", job);
    while (*s) {
        if (s[0] == '%' && s[1] == 'j') {
            len += (size_t) snprintf(out + len, cap - len, "%s", num);
            s += 2;
        } else {
            out[len++] = *s++;
        }
    }
    out[len] = '\0';
    return out;
}

/* A worker process: runs the command list count times with its job number; exits with the status. */
static pid_t start_worker(char **cmd, int n, int job, long count)
{
    pid_t pid = fork();
    char *argv[n];
    struct totals t = { 0 };

    if (pid != 0) {
        if (pid < 0)
            perror("bench-timer: fork");
        return pid;
    }
    for (int i = 0; i < n; i++)
        argv[i] = subst_job(cmd[i], job);
    for (long k = 0; k < count; k++) {
        int st = run_list(argv, n, &t);
        if (st != 0)
            _exit(st);
    }
    _exit(0);
}

/* Runs jobs workers concurrently and adds their usage (their commands' included) to t. */
static int run_workers(char **cmd, int n, int jobs, long count, struct totals *t)
{
    pid_t pids[jobs];
    int status = 0;

    for (int j = 0; j < jobs; j++) {
        pids[j] = start_worker(cmd, n, j + 1, count);
        if (pids[j] < 0) {
            jobs = j;
            status = 255;
        }
    }
    for (int j = 0; j < jobs; j++) {
        int st = reap(pids[j], t);
        if (status == 0 && st != 0)
            status = st < 0 ? 255 : st;
    }
    return status;
}

static long positive(const char *s, const char *what, long max)
{
    char *end;
    long v = strtol(s, &end, 10);

    if (*s == '\0' || *end != '\0' || v < 1 || v > max) {
        fprintf(stderr, "bench-timer: %s must be a number from 1 to %ld: %s\n", what, max, s);
        exit(2);
    }
    return v;
}

int main(int argc, char **argv)
{
    struct totals t = { 0 };
    long long start, wall;
    long count = 1, jobs = 1;
    bool loop = false;
    FILE *out;
    int opt;

    while ((opt = getopt(argc, argv, "+n:j:")) != -1) {
        switch (opt) {
        case 'n': count = positive(optarg, "-n", 1000000); loop = true; break;
        case 'j': jobs = positive(optarg, "-j", 256); loop = true; break;
        default: argc = 0; break;
        }
    }
    if (argc - optind < 3) {
        fprintf(stderr, "usage: bench-timer [-n COUNT] [-j JOBS] OUTFILE LABEL CMD [ARGS...] [';' CMD [ARGS...]]...\n");
        return 2;
    }
    /* Opened before timing so the file's creation is not measured. */
    out = fopen(argv[optind], "ae");
    if (out == NULL) {
        fprintf(stderr, "bench-timer: open %s: %s\n", argv[optind], strerror(errno));
        return 2;
    }

    start = now_us();
    if (loop)
        t.status = run_workers(&argv[optind + 2], argc - optind - 2, (int) jobs, count, &t);
    else
        t.status = run_list(&argv[optind + 2], argc - optind - 2, &t);
    wall = now_us() - start;

    fprintf(out, "%s %lld %lld %lld %ld %d %ld\n", argv[optind + 1], wall, t.user_us, t.sys_us,
            t.maxrss_kb, t.status, count * jobs);
    if (fclose(out) != 0) {
        perror("bench-timer: write");
        return 2;
    }
    return t.status;
}
