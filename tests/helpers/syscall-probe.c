/* syscall-probe.c: make one raw syscall and print its result, for seccomp tests inside containers.
 * Usage: syscall-probe NR [ARG...]   prints "ok N" or "errno N" (built static: no libc in the rootfs needed). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/syscall.h>

int main(int argc, char **argv)
{
    long args[6] = { 0 };
    long ret;

    if (argc < 2 || argc > 8) {
        fprintf(stderr, "usage: %s NR [ARG...]\n", argv[0]);
        return 2;
    }
    for (int i = 2; i < argc; i++)
        args[i - 2] = strtol(argv[i], NULL, 0);
    ret = syscall(strtol(argv[1], NULL, 0), args[0], args[1], args[2], args[3], args[4], args[5]);
    if (ret < 0) {
        printf("errno %d\n", errno);
        return 1;
    }
    printf("ok %ld\n", ret);
    return 0;
}
