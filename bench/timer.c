/* timer.c: run commands one after another and append their wall time, CPU time and peak RSS to a file. */
/*
 * Usage: bench-timer OUTFILE LABEL CMD [ARGS...] [';' CMD [ARGS...]]...
 * Appends one line to OUTFILE:  LABEL WALL_US USER_US SYS_US MAXRSS_KB STATUS
 * The rusage comes from wait4(), so it covers each command and every descendant it waited for
 * (a runtime's container init included). STATUS is the first non-zero exit status (128+N for
 * signal N), and the remaining commands are then skipped. The timer itself is not measured
 * beyond one fork() per command, the same for every runtime.
 */
#include <errno.h>
#include <fcntl.h>
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

/* Runs argv to completion and adds its usage to t; returns its exit status or -1. */
static int run_one(char **argv, struct totals *t)
{
    struct rusage ru;
    int wstatus;
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
    while (wait4(pid, &wstatus, 0, &ru) < 0) {
        if (errno != EINTR) {
            perror("bench-timer: wait4");
            return -1;
        }
    }
    t->user_us += tv_us(&ru.ru_utime);
    t->sys_us += tv_us(&ru.ru_stime);
    if (ru.ru_maxrss > t->maxrss_kb)
        t->maxrss_kb = ru.ru_maxrss;
    if (WIFSIGNALED(wstatus))
        return 128 + WTERMSIG(wstatus);
    return WEXITSTATUS(wstatus);
}

int main(int argc, char **argv)
{
    struct totals t = { 0 };
    long long start, wall;
    FILE *out;
    int i;

    if (argc < 4) {
        fprintf(stderr, "usage: bench-timer OUTFILE LABEL CMD [ARGS...] [';' CMD [ARGS...]]...\n");
        return 2;
    }
    /* Opened before timing so the file's creation is not measured. */
    out = fopen(argv[1], "ae");
    if (out == NULL) {
        fprintf(stderr, "bench-timer: open %s: %s\n", argv[1], strerror(errno));
        return 2;
    }

    start = now_us();
    for (i = 3; i < argc && t.status == 0;) {
        int end = i;

        while (end < argc && strcmp(argv[end], ";") != 0)
            end++;
        argv[end < argc ? end : argc] = NULL;
        if (end > i) {
            int st = run_one(&argv[i], &t);
            t.status = st < 0 ? 255 : st;
        }
        i = end + 1;
    }
    wall = now_us() - start;

    fprintf(out, "%s %lld %lld %lld %ld %d\n", argv[2], wall, t.user_us, t.sys_us, t.maxrss_kb, t.status);
    if (fclose(out) != 0) {
        perror("bench-timer: write");
        return 2;
    }
    return t.status;
}
