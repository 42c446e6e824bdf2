/* floor.c: only the kernel work of running bench's bare bundle (no JSON, no state, no checks): the floor a runtime's `run` is compared with. */
/*
 * Usage: bench-floor ROOTFS CGROUP_PATH [ARG...]   (default ARG: /bin/true)
 * Does what the bare bundle asks, in the order a runtime does it, with nothing else:
 *   the cgroup CGROUP_PATH in every mounted hierarchy (v1 controllers, with cpuset's cpus and
 *   mems, and cgroup2), one clone with new pid/net/ipc/uts/mount namespaces, the child put in
 *   the cgroups before it goes on, then its cgroup namespace, hostname, / made private, the rootfs bind-mounted, runc's default mounts (proc,
 *   /dev tmpfs, devpts, /dev/shm, mqueue, sysfs read-only), the default devices bind-mounted
 *   from the host and /dev's symlinks, pivot_root, the root remounted read-only, every
 *   capability dropped (the bundle lists none), exec; the parent waits and removes the cgroups.
 * Exit status: the process's (128+N for signal N); 125 when a step fails (the step on stderr).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_HIERARCHIES 16

static char cgroup_dirs[MAX_HIERARCHIES][4096];
static int n_cgroups;

static int fail(const char *step)
{
    fprintf(stderr, "bench-floor: %s: %s\n", step, strerror(errno));
    return -1;
}

/* v1 cpuset: a new cgroup DIR starts with no cpus and mems, and nothing can join it until they
 * are set: copied from its parent. */
static void inherit_cpuset(const char *dir)
{
    static const char *const files[] = { "cpuset.cpus", "cpuset.mems" };
    const char *slash = strrchr(dir, '/');
    char from[4200], to[4200], buf[4096];
    ssize_t n;
    int fd;

    for (size_t i = 0; slash && i < 2; i++) {
        snprintf(from, sizeof(from), "%.*s/%s", (int) (slash - dir), dir, files[i]);
        snprintf(to, sizeof(to), "%s/%s", dir, files[i]);
        fd = open(from, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            return;    /* not a v1 cpuset hierarchy */
        n = read(fd, buf, sizeof(buf));
        close(fd);
        fd = open(to, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
            return;
        if (n > 0 && write(fd, buf, n) != n)
            fail(to);
        close(fd);
    }
}

/* mkdir -p below the hierarchy's mount point (the first ROOT_LEN bytes of DIR). */
static int mkdir_cgroup(char *dir, size_t root_len)
{
    for (char *p = dir + root_len + 1;; p++) {
        char c = *p;

        if (c != '/' && c != '\0')
            continue;
        *p = '\0';
        if (mkdir(dir, 0755) == 0)
            inherit_cpuset(dir);
        else if (errno != EEXIST) {
            *p = c;
            return -1;
        }
        *p = c;
        if (c == '\0')
            return 0;
    }
}

/* Every cgroup mount of this host (hybrid: one per v1 controller set, and cgroup2). */
static int make_cgroups(const char *path)
{
    char line[4096], dir[2048], type[64];
    FILE *f = fopen("/proc/self/mounts", "re");

    if (f == NULL)
        return fail("open /proc/self/mounts");
    while (fgets(line, sizeof(line), f) != NULL && n_cgroups < MAX_HIERARCHIES) {
        if (sscanf(line, "%*s %2047s %63s", dir, type) != 2)
            continue;
        if (strcmp(type, "cgroup") != 0 && strcmp(type, "cgroup2") != 0)
            continue;
        snprintf(cgroup_dirs[n_cgroups], sizeof(cgroup_dirs[0]), "%s%s", dir, path);
        if (mkdir_cgroup(cgroup_dirs[n_cgroups], strlen(dir)) < 0) {
            fclose(f);
            return fail(cgroup_dirs[n_cgroups]);
        }
        n_cgroups++;
    }
    fclose(f);
    return 0;
}

static int join_cgroups(pid_t pid)
{
    char file[4200], buf[32];
    int i, fd, len = snprintf(buf, sizeof(buf), "%d", pid);

    for (i = 0; i < n_cgroups; i++) {
        snprintf(file, sizeof(file), "%s/cgroup.procs", cgroup_dirs[i]);
        fd = open(file, O_WRONLY | O_CLOEXEC);
        if (fd < 0 || write(fd, buf, len) != len) {
            if (fd >= 0)
                close(fd);
            return fail(file);
        }
        close(fd);
    }
    return 0;
}

static void remove_cgroups(void)
{
    int i;

    for (i = n_cgroups - 1; i >= 0; i--)
        rmdir(cgroup_dirs[i]);
}

struct mnt {
    const char *src, *dst, *type;
    unsigned long flags;
    const char *data;
};

static const struct mnt default_mounts[] = {
    { "proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL },
    { "tmpfs", "dev", "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k" },
    { "devpts", "dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620,gid=5" },
    { "shm", "dev/shm", "tmpfs", MS_NOSUID | MS_NOEXEC | MS_NODEV, "mode=1777,size=65536k" },
    { "mqueue", "dev/mqueue", "mqueue", MS_NOSUID | MS_NOEXEC | MS_NODEV, NULL },
    { "sysfs", "sys", "sysfs", MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY, NULL },
};

static const char *const devices[] = { "null", "zero", "full", "random", "urandom", "tty" };

static const char *const dev_links[][2] = {
    { "/proc/self/fd", "dev/fd" },     { "/proc/self/fd/0", "dev/stdin" },
    { "/proc/self/fd/1", "dev/stdout" }, { "/proc/self/fd/2", "dev/stderr" },
    { "pts/ptmx", "dev/ptmx" },         { "/proc/kcore", "dev/core" },
};

static int mount_rootfs(const char *rootfs)
{
    char host[64];
    size_t i;
    int fd;

    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
        return fail("make / private");
    if (mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
        return fail("bind the rootfs");
    if (chdir(rootfs) < 0)
        return fail("chdir rootfs");
    for (i = 0; i < sizeof(default_mounts) / sizeof(default_mounts[0]); i++) {
        const struct mnt *m = &default_mounts[i];

        mkdir(m->dst, 0755);
        if (mount(m->src, m->dst, m->type, m->flags, m->data) < 0)
            return fail(m->dst);
    }
    for (i = 0; i < sizeof(devices) / sizeof(devices[0]); i++) {
        char dst[64];

        snprintf(host, sizeof(host), "/dev/%s", devices[i]);
        snprintf(dst, sizeof(dst), "dev/%s", devices[i]);
        fd = open(dst, O_CREAT | O_WRONLY | O_CLOEXEC, 0666);
        if (fd >= 0)
            close(fd);
        if (mount(host, dst, NULL, MS_BIND, NULL) < 0)
            return fail(dst);
    }
    for (i = 0; i < sizeof(dev_links) / sizeof(dev_links[0]); i++)
        if (symlink(dev_links[i][0], dev_links[i][1]) < 0 && errno != EEXIST)
            return fail(dev_links[i][1]);
    return 0;
}

static int pivot(void)
{
    if (syscall(SYS_pivot_root, ".", ".") < 0)
        return fail("pivot_root");
    if (umount2(".", MNT_DETACH) < 0)
        return fail("unmount the old root");
    if (chdir("/") < 0)
        return fail("chdir /");
    if (mount(NULL, "/", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) < 0)
        return fail("remount / read-only");
    return 0;
}

static int drop_capabilities(void)
{
    struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct data[2] = { { 0, 0, 0 }, { 0, 0, 0 } };
    int cap;

    for (cap = 0; prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; cap++)
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
            return fail("drop a bounding capability");
    if (syscall(SYS_capset, &hdr, data) < 0)
        return fail("capset");
    return 0;
}

struct child_args {
    const char *rootfs;
    char **argv;
    int ready_fd;
};

static char child_stack[256 * 1024] __attribute__((aligned(16)));

static int child(void *opaque)
{
    struct child_args *a = opaque;
    char c;

    /* The parent has put us in the cgroups when this read returns. */
    if (read(a->ready_fd, &c, 1) != 1)
        _exit(125);
    close(a->ready_fd);
    /* As a runtime does: the cgroup namespace is made once the process is in its cgroups. */
    if (unshare(CLONE_NEWCGROUP) < 0) {
        fail("unshare the cgroup namespace");
        _exit(125);
    }
    if (sethostname("bench", 5) < 0 || mount_rootfs(a->rootfs) < 0 || pivot() < 0 || drop_capabilities() < 0)
        _exit(125);
    execv(a->argv[0], a->argv);
    fail(a->argv[0]);
    _exit(127);
}

int main(int argc, char **argv)
{
    static char *default_args[] = { "/bin/true", NULL };
    struct child_args a;
    int pipefd[2], status;
    pid_t pid;

    if (argc < 3) {
        fprintf(stderr, "usage: bench-floor ROOTFS CGROUP_PATH [ARG...]\n");
        return 2;
    }
    a.rootfs = argv[1];
    a.argv = argc > 3 ? argv + 3 : default_args;
    if (make_cgroups(argv[2]) < 0 || pipe2(pipefd, O_CLOEXEC) < 0) {
        remove_cgroups();
        return 125;
    }
    a.ready_fd = pipefd[0];
    pid = clone(child, child_stack + sizeof(child_stack),
                CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNS | SIGCHLD, &a);
    if (pid < 0) {
        fail("clone");
        remove_cgroups();
        return 125;
    }
    close(pipefd[0]);
    if (join_cgroups(pid) < 0) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        remove_cgroups();
        return 125;
    }
    if (write(pipefd[1], "", 1) != 1)
        fail("wake the child");
    close(pipefd[1]);
    if (waitpid(pid, &status, 0) < 0) {
        fail("waitpid");
        status = 125 << 8;
    }
    remove_cgroups();
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return WEXITSTATUS(status);
}
