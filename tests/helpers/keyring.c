/* keyring.c: look at and use the session keyring, for the keyring tests inside containers (busybox has no keyctl).
 * Usage: keyring show             prints "session SERIAL TYPE;UID;GID;PERM;DESCRIPTION"
 *        keyring add NAME DATA    adds a "user" key to the session keyring, prints "added SERIAL"
 *        keyring find NAME        searches the session keyring for it, prints "found SERIAL" or "errno N"
 * Raw keyctl(2)/add_key(2) syscalls, built static: no libkeyutils, no libc in the rootfs needed. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/keyctl.h>

static int fail(void)
{
    printf("errno %d\n", errno);
    return 1;
}

static int show(void)
{
    char desc[512];
    long serial = syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0);
    long n;

    if (serial < 0)
        return fail();
    n = syscall(SYS_keyctl, KEYCTL_DESCRIBE, serial, desc, sizeof(desc));
    if (n < 0)
        return fail();
    desc[sizeof(desc) - 1] = '\0';
    printf("session %ld %s\n", serial, desc);
    return 0;
}

int main(int argc, char **argv)
{
    long serial;

    if (argc == 2 && strcmp(argv[1], "show") == 0)
        return show();
    if (argc == 4 && strcmp(argv[1], "add") == 0) {
        serial = syscall(SYS_add_key, "user", argv[2], argv[3], strlen(argv[3]), KEY_SPEC_SESSION_KEYRING);
        if (serial < 0)
            return fail();
        printf("added %ld\n", serial);
        return 0;
    }
    if (argc == 3 && strcmp(argv[1], "find") == 0) {
        serial = syscall(SYS_keyctl, KEYCTL_SEARCH, KEY_SPEC_SESSION_KEYRING, "user", argv[2], 0);
        if (serial < 0)
            return fail();
        printf("found %ld\n", serial);
        return 0;
    }
    fprintf(stderr, "usage: %s show | add NAME DATA | find NAME\n", argv[0]);
    return 2;
}
