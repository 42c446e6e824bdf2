/* test_procfs.c: the procfs handle: only a real procfs is accepted, and no link is followed under it. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "ocirun/core/procfs.h"
#include "ocirun/core/utils.h"

static void test_root_accepts_proc(void **state)
{
    (void) state;
    oci_err_t err = NULL;
    int fd = oci_procfs_open_root("/proc", &err);

    assert_true(fd >= 0);
    assert_null(err);
    assert_int_equal(oci_procfs_check(fd, "/proc", &err), 0);
    close(fd);
}

static void test_root_refuses_tmp(void **state)
{
    (void) state;
    oci_err_t err = NULL;

    assert_true(oci_procfs_open_root("/tmp", &err) < 0);
    assert_string_equal(err->msg, "/tmp is not on a procfs");
    oci_error_free(&err);
}

static void test_check_refuses_a_non_procfs_fd(void **state)
{
    (void) state;
    oci_err_t err = NULL;
    int fd = open("/tmp", O_PATH | O_DIRECTORY | O_CLOEXEC);

    assert_true(fd >= 0);
    assert_true(oci_procfs_check(fd, "/tmp", &err) < 0);
    assert_non_null(strstr(err->msg, "not on a procfs"));
    oci_error_free(&err);
    close(fd);
}

/* A symlink to /proc is not /proc: the root itself is not followed. */
static void test_root_refuses_a_symlink_to_proc(void **state)
{
    (void) state;
    char dir[] = "/tmp/ocirun-test-procfs-XXXXXX";
    char link[64];
    oci_err_t err = NULL;

    assert_non_null(mkdtemp(dir));
    snprintf(link, sizeof(link), "%s/proc", dir);
    assert_int_equal(symlink("/proc", link), 0);
    assert_true(oci_procfs_open_root(link, &err) < 0);
    assert_non_null(err);
    oci_error_free(&err);
    unlink(link);
    rmdir(dir);
}

static void test_self_then_file(void **state)
{
    (void) state;
    oci_err_t err = NULL;
    int procfd = oci_procfs_open_root("/proc", &err);
    int selffd = oci_procfs_open_self(procfd, &err);
    int fd = oci_procfs_open_at(selffd, "oom_score_adj", O_RDONLY, &err);
    char buf[16] = { 0 };

    assert_true(fd >= 0);
    assert_null(err);
    assert_true(read(fd, buf, sizeof(buf) - 1) > 0);
    close(fd);
    close(selffd);
    close(procfd);
}

/* Under the handle no symlink is followed: "self" must be opened with oci_procfs_open_self. */
static void test_open_at_follows_no_symlink(void **state)
{
    (void) state;
    oci_err_t err = NULL;
    int procfd = oci_procfs_open_root("/proc", &err);

    assert_true(oci_procfs_open_at(procfd, "self/oom_score_adj", O_RDONLY, &err) < 0);
    assert_int_equal(oci_error_errno(&err), ELOOP);
    oci_error_free(&err);
    /* nor leave the procfs */
    assert_true(oci_procfs_open_at(procfd, "../etc/passwd", O_RDONLY, &err) < 0);
    assert_int_equal(oci_error_errno(&err), EXDEV);
    oci_error_free(&err);
    close(procfd);
}

/* A non-procfs directory passed as the handle is refused at the file too. */
static void test_open_at_checks_the_file(void **state)
{
    (void) state;
    oci_err_t err = NULL;
    int tmpfd = open("/etc", O_PATH | O_DIRECTORY | O_CLOEXEC);

    assert_true(oci_procfs_open_at(tmpfd, "passwd", O_RDONLY, &err) < 0);
    assert_non_null(strstr(err->msg, "passwd is not on a procfs"));
    oci_error_free(&err);
    close(tmpfd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_root_accepts_proc),
        cmocka_unit_test(test_root_refuses_tmp),
        cmocka_unit_test(test_check_refuses_a_non_procfs_fd),
        cmocka_unit_test(test_root_refuses_a_symlink_to_proc),
        cmocka_unit_test(test_self_then_file),
        cmocka_unit_test(test_open_at_follows_no_symlink),
        cmocka_unit_test(test_open_at_checks_the_file),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
