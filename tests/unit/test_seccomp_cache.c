/* test_seccomp_cache.c: SHA-256 vectors, and the compiled-program cache: hits, misses, damaged files, trimming (no root). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>
#include "ocirun/core/sha256.h"
#include "ocirun/core/utils.h"
#include "ocirun/security/seccomp.h"
#include "ocirun/spec/spec.h"

static void hex(const uint8_t d[OCI_SHA256_LEN], char out[2 * OCI_SHA256_LEN + 1])
{
    for (int i = 0; i < OCI_SHA256_LEN; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static void test_sha256_vectors(void **state)
{
    uint8_t d[OCI_SHA256_LEN];
    char h[2 * OCI_SHA256_LEN + 1];
    struct oci_sha256 c;
    cleanup_free char *million = xmalloc(1000000);

    (void) state;
    oci_sha256("", 0, d);
    hex(d, h);
    assert_string_equal(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    oci_sha256("abc", 3, d);
    hex(d, h);
    assert_string_equal(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    oci_sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, d);
    hex(d, h);
    assert_string_equal(h, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    /* one million 'a', fed in odd pieces */
    memset(million, 'a', 1000000);
    oci_sha256_init(&c);
    for (size_t off = 0, n = 1; off < 1000000; off += n, n = n % 97 + 1)
        oci_sha256_update(&c, million + off, off + n > 1000000 ? 1000000 - off : n);
    oci_sha256_final(&c, d);
    hex(d, h);
    assert_string_equal(h, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

/* Both compressions (the CPU's SHA extensions where the host has them, and the portable one)
 * agree with sha256sum(1) on random data of every length up to a few blocks, and on a large one. */
static void test_sha256_against_sha256sum(void **state)
{
    static const size_t sizes[] = { 0, 1, 55, 56, 63, 64, 65, 119, 120, 127, 128, 129, 1000, 4096, 100003 };
    cleanup_free uint8_t *data = xmalloc(100003);

    (void) state;
    srand(42);
    for (size_t i = 0; i < 100003; i++)
        data[i] = (uint8_t) rand();
    for (int portable = 0; portable < 2; portable++) {
        oci_sha256_force_portable(portable);
        for (size_t s = 0; s < ARRAY_SIZE(sizes); s++) {
            uint8_t d[OCI_SHA256_LEN];
            char mine[2 * OCI_SHA256_LEN + 1], theirs[2 * OCI_SHA256_LEN + 1] = "";
            char path[] = "/tmp/test-sha256-XXXXXX";
            cleanup_free char *cmd = NULL;
            int fd = mkstemp(path);
            FILE *p;

            assert_true(fd >= 0);
            assert_int_equal(write(fd, data, sizes[s]), (ssize_t) sizes[s]);
            close(fd);
            cmd = xasprintf("sha256sum %s", path);
            p = popen(cmd, "r");
            assert_non_null(p);
            assert_int_equal(fscanf(p, "%64s", theirs), 1);
            pclose(p);
            unlink(path);
            oci_sha256(data, sizes[s], d);
            hex(d, mine);
            assert_string_equal(mine, theirs);
        }
    }
    oci_sha256_force_portable(false);
}

struct fixture {
    char root[64];
};

static int setup(void **state)
{
    struct fixture *f = xzalloc(sizeof(*f));

    strcpy(f->root, "/tmp/test-seccomp-cache-XXXXXX");
    if (mkdtemp(f->root) == NULL)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    cleanup_free char *cmd = xasprintf("rm -rf '%s'", f->root);

    if (system(cmd) != 0)
        return -1;
    free(f);
    return 0;
}

static struct oci_spec *profile(const char *errno_name)
{
    cleanup_free char *json = xasprintf(
        "{\"ociVersion\": \"1.2.0\", \"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\","
        " \"syscalls\": [{\"names\": [\"mkdirat\", \"%s\"], \"action\": \"SCMP_ACT_ERRNO\"}]}}}", errno_name);
    struct oci_spec *spec = NULL;
    oci_err_t err = NULL;

    assert_int_equal(oci_spec_parse(json, strlen(json), &spec, &err), 0);
    return spec;
}

static size_t count_files(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    size_t n = 0;

    assert_non_null(d);
    while ((e = readdir(d)) != NULL)
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

/* The only file of the cache directory, by path. */
static char *only_file(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char *path = NULL;

    assert_non_null(d);
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.')
            path = xasprintf("%s/%s", dir, e->d_name);
    closedir(d);
    assert_non_null(path);
    return path;
}

static void compile_expect(const char *root, struct oci_spec *spec, bool want_hit, struct oci_seccomp_filter *out)
{
    oci_err_t err = NULL;
    bool hit = !want_hit;

    assert_int_equal(oci_seccomp_compile_cached(root, spec->linux_->seccomp, out, &hit, &err), 0);
    assert_true(hit == want_hit);
    assert_non_null(out->insns);
}

static void test_cache_hit_and_damage(void **state)
{
    struct fixture *f = *state;
    struct oci_spec *spec = profile("mkdir");
    struct oci_seccomp_filter a, b, c;
    cleanup_free char *dir = xasprintf("%s/seccomp@cache", f->root);
    cleanup_free char *file = NULL;
    struct stat st;
    int fd;

    compile_expect(f->root, spec, false, &a);
    assert_int_equal(stat(dir, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0700);
    file = only_file(dir);
    assert_int_equal(stat(file, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);
    /* the same profile again: the same program, from the file */
    compile_expect(f->root, spec, true, &b);
    assert_int_equal(a.len, b.len);
    assert_int_equal(a.flags, b.flags);
    assert_memory_equal(a.insns, b.insns, a.len * sizeof(*a.insns));
    oci_seccomp_filter_free(&b);
    /* one byte changed: not trusted, compiled (and written) again */
    fd = open(file, O_RDWR);
    assert_true(fd >= 0);
    assert_int_equal(pwrite(fd, "\x55", 1, 40), 1);
    close(fd);
    compile_expect(f->root, spec, false, &c);
    assert_memory_equal(a.insns, c.insns, a.len * sizeof(*a.insns));
    oci_seccomp_filter_free(&c);
    compile_expect(f->root, spec, true, &c);
    oci_seccomp_filter_free(&c);
    /* cut short: not trusted either */
    assert_int_equal(truncate(file, (off_t) st.st_size - 1), 0);
    compile_expect(f->root, spec, false, &c);
    oci_seccomp_filter_free(&c);
    oci_seccomp_filter_free(&a);
    oci_spec_free(spec);
}

static void test_cache_key_and_trim(void **state)
{
    struct fixture *f = *state;
    cleanup_free char *dir = xasprintf("%s/seccomp@cache", f->root);
    static const char *const names[] = { "mkdir", "rmdir", "unlink", "chmod", "chown", "link", "rename",
                                         "symlink", "mknod", "mount", "umount2", "pivot_root", "chroot",
                                         "sethostname", "setdomainname", "swapon", "swapoff", "reboot",
                                         "acct", "settimeofday", "syslog", "ptrace", "kexec_load",
                                         "init_module", "delete_module", "quotactl", "nfsservctl",
                                         "ioperm", "iopl", "vhangup", "personality", "setns", "unshare",
                                         "bpf", "perf_event_open", "userfaultfd", "keyctl", "add_key" };
    struct oci_seccomp_filter out;

    for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
        struct oci_spec *spec = profile(names[i]);
        compile_expect(f->root, spec, false, &out);
        oci_seccomp_filter_free(&out);
        oci_spec_free(spec);
    }
    /* a file per profile, at most 32 kept */
    assert_int_equal(count_files(dir), 32);
    /* without a root: a plain compile, nothing written */
    {
        struct oci_spec *spec = profile("mkdir");
        oci_err_t err = NULL;
        bool hit = true;
        assert_int_equal(oci_seccomp_compile_cached(NULL, spec->linux_->seccomp, &out, &hit, &err), 0);
        assert_false(hit);
        oci_seccomp_filter_free(&out);
        oci_spec_free(spec);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sha256_vectors),
        cmocka_unit_test(test_sha256_against_sha256sum),
        cmocka_unit_test_setup_teardown(test_cache_hit_and_damage, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cache_key_and_trim, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
