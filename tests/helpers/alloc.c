/* alloc.c: allocate and touch memory, for cgroup memory limit tests inside containers.
 * Usage: alloc MB   touches MB megabytes, then prints "survived MB MB" (built static: runs in a
 * busybox rootfs). A memory.max below MB gets it OOM-killed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    long mb = argc > 1 ? atol(argv[1]) : 100;

    for (long i = 0; i < mb; i++) {
        char *p = malloc(1 << 20);

        if (p == NULL) {
            perror("malloc");
            return 1;
        }
        memset(p, 1, 1 << 20);
    }
    printf("survived %ld MB\n", mb);
    return 0;
}
