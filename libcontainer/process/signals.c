/* signals.c: signal names <-> numbers (names, aliases, SIGRTMIN+n / SIGRTMAX-n), kill and reap with a bound. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "ocirun/core/utils.h"
#include "ocirun/process/signals.h"

struct sig_name {
    const char *name;
    int sig;
};

/* Canonical name first for each number; later entries are aliases accepted on input. */
static const struct sig_name sig_names[] = {
    { "SIGHUP", SIGHUP },   { "SIGINT", SIGINT },       { "SIGQUIT", SIGQUIT },     { "SIGILL", SIGILL },
    { "SIGTRAP", SIGTRAP }, { "SIGABRT", SIGABRT },     { "SIGBUS", SIGBUS },       { "SIGFPE", SIGFPE },
    { "SIGKILL", SIGKILL }, { "SIGUSR1", SIGUSR1 },     { "SIGSEGV", SIGSEGV },     { "SIGUSR2", SIGUSR2 },
    { "SIGPIPE", SIGPIPE }, { "SIGALRM", SIGALRM },     { "SIGTERM", SIGTERM },
#ifdef SIGSTKFLT
    { "SIGSTKFLT", SIGSTKFLT },
#endif
    { "SIGCHLD", SIGCHLD }, { "SIGCONT", SIGCONT },     { "SIGSTOP", SIGSTOP },     { "SIGTSTP", SIGTSTP },
    { "SIGTTIN", SIGTTIN }, { "SIGTTOU", SIGTTOU },     { "SIGURG", SIGURG },       { "SIGXCPU", SIGXCPU },
    { "SIGXFSZ", SIGXFSZ }, { "SIGVTALRM", SIGVTALRM }, { "SIGPROF", SIGPROF },     { "SIGWINCH", SIGWINCH },
    { "SIGIO", SIGIO },
#ifdef SIGPWR
    { "SIGPWR", SIGPWR },
#endif
    { "SIGSYS", SIGSYS },
    /* aliases */
    { "SIGIOT", SIGABRT },  { "SIGCLD", SIGCHLD },      { "SIGPOLL", SIGIO },
};

/* Names of SIGRTMIN+0..15 and SIGRTMAX-0..14 (kill -l numbering). */
static const char *const rtmin_names[] = {
    "SIGRTMIN", "SIGRTMIN+1", "SIGRTMIN+2", "SIGRTMIN+3", "SIGRTMIN+4", "SIGRTMIN+5",
    "SIGRTMIN+6", "SIGRTMIN+7", "SIGRTMIN+8", "SIGRTMIN+9", "SIGRTMIN+10", "SIGRTMIN+11",
    "SIGRTMIN+12", "SIGRTMIN+13", "SIGRTMIN+14", "SIGRTMIN+15",
};
static const char *const rtmax_names[] = {
    "SIGRTMAX", "SIGRTMAX-1", "SIGRTMAX-2", "SIGRTMAX-3", "SIGRTMAX-4", "SIGRTMAX-5",
    "SIGRTMAX-6", "SIGRTMAX-7", "SIGRTMAX-8", "SIGRTMAX-9", "SIGRTMAX-10", "SIGRTMAX-11",
    "SIGRTMAX-12", "SIGRTMAX-13", "SIGRTMAX-14",
};
#define SIG_NAME_MAX 32

const char *oci_signal_name(int sig)
{
    for (size_t i = 0; i < ARRAY_SIZE(sig_names); i++)
        if (sig_names[i].sig == sig)
            return sig_names[i].name;
    if (sig < SIGRTMIN || sig > SIGRTMAX)
        return NULL;
    if ((size_t) (sig - SIGRTMIN) < ARRAY_SIZE(rtmin_names))
        return rtmin_names[sig - SIGRTMIN];
    if ((size_t) (SIGRTMAX - sig) < ARRAY_SIZE(rtmax_names))
        return rtmax_names[SIGRTMAX - sig];
    return NULL;
}

/* "" -> 0 (with sign), "+N"/"-N" -> +-N; anything else fails. */
static int parse_rt_offset(const char *s, int sign_allowed, int *off)
{
    char *end;
    long v;

    if (*s == '\0') {
        *off = 0;
        return 0;
    }
    if (*s != sign_allowed || s[1] < '0' || s[1] > '9')
        return -EINVAL;
    errno = 0;
    v = strtol(s + 1, &end, 10);
    if (errno || *end != '\0' || v > SIGRTMAX)
        return -EINVAL;
    *off = (int) v;
    return 0;
}

static int parse_name(const char *name, int *sig)
{
    int off;

    if (strncasecmp(name, "SIG", 3) == 0)
        name += 3;
    for (size_t i = 0; i < ARRAY_SIZE(sig_names); i++)
        if (strcasecmp(name, sig_names[i].name + 3) == 0) {
            *sig = sig_names[i].sig;
            return 0;
        }
    if (strncasecmp(name, "RTMIN", 5) == 0 && parse_rt_offset(name + 5, '+', &off) == 0 &&
        off <= SIGRTMAX - SIGRTMIN) {
        *sig = SIGRTMIN + off;
        return 0;
    }
    if (strncasecmp(name, "RTMAX", 5) == 0 && parse_rt_offset(name + 5, '-', &off) == 0 &&
        off <= SIGRTMAX - SIGRTMIN) {
        *sig = SIGRTMAX - off;
        return 0;
    }
    return -EINVAL;
}

/* As runc (Go's strconv.Atoi): decimal, an optional "+", leading zeros; 0 is kill(2)'s
 * "no signal", a check that the process exists. */
static int parse_number(const char *s, int *sig)
{
    char *end;
    long v;

    if (*s == '+')
        s++;
    if (*s < '0' || *s > '9')
        return -EINVAL;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || *end != '\0' || v < 0 || v > SIGRTMAX)
        return -EINVAL;
    *sig = (int) v;
    return 0;
}

int oci_signal_parse(const char *s, int *sig, oci_err_t *err)
{
    int ret;

    if (s == NULL || *s == '\0')
        return oci_error_set(err, 0, "invalid signal \"\"");
    if ((s[0] >= '0' && s[0] <= '9') || s[0] == '+')
        ret = parse_number(s, sig);
    else
        ret = strlen(s) <= SIG_NAME_MAX ? parse_name(s, sig) : -EINVAL;
    if (ret < 0)
        return oci_error_set(err, 0, "invalid signal \"%s\"", s);
    return 0;
}

bool oci_kill_reap(pid_t pid, int flags)
{
    struct timespec tick = { 0, 1000000 };
    cleanup_close int pidfd = -1;
    uint64_t deadline;

    if (pid <= 0)
        return true;
    pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
    kill(pid, SIGKILL);
    deadline = deadline_after_ms(OCI_KILL_WAIT_MS);
    while (waitpid(pid, NULL, flags | WNOHANG) == 0) {
        struct pollfd p = { .fd = pidfd, .events = POLLIN };
        int left = deadline_ms_left(deadline);

        if (left == 0)
            return false;
        if (pidfd < 0 || poll(&p, 1, left) < 0)
            nanosleep(&tick, NULL);
    }
    return true;
}
