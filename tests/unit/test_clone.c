/* test_clone.c: oci_clone_run children: their function, exit status, shared memory and vfork wait. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include <cmocka.h>
#include "ocirun/process/clone.h"

struct probe {
    int ret;
    volatile int written;
    int exec_status;
};

static int child_returns(void *arg)
{
    struct probe *p = arg;
    struct timespec ts = { 0, 50 * 1000 * 1000 };

    /* The parent must still be asleep when this lands (CLONE_VFORK). */
    nanosleep(&ts, NULL);
    p->written = 1;
    return p->ret;
}

static int child_execs(void *arg)
{
    struct probe *p = arg;
    char status[16];

    snprintf(status, sizeof(status), "exit %d", p->exec_status);
    execl("/bin/sh", "sh", "-c", status, (char *) NULL);
    return 127;
}

static int wait_status(pid_t pid)
{
    int status;

    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

static void run_returns(bool share)
{
    struct oci_clone_stack stack = { 0 };
    struct clone_args args = { .exit_signal = SIGCHLD };
    struct probe p = { .ret = 42 };
    pid_t pid = oci_clone_run(&args, share, &stack, child_returns, &p);

    assert_true(pid > 0);
    /* Shared memory: the child's write is ours, and we only ran again after it exited. */
    if (share && oci_clone_shares_memory())
        assert_int_equal(p.written, 1);
    else
        assert_int_equal(p.written, 0);
    assert_int_equal(wait_status(pid), 42);
    oci_clone_stack_release(&stack);
    assert_null(stack.base);
}

static void test_shared_child_returns(void **state)
{
    (void) state;
    run_returns(true);
}

static void test_copied_child_returns(void **state)
{
    (void) state;
    run_returns(false);
}

static void test_shared_child_execs_and_stack_is_reused(void **state)
{
    struct oci_clone_stack stack = { 0 };
    struct clone_args args = { .exit_signal = SIGCHLD };
    void *first;

    (void) state;
    for (int i = 0; i < 3; i++) {
        struct probe p = { .exec_status = 3 + i };
        pid_t pid = oci_clone_run(&args, true, &stack, child_execs, &p);

        assert_true(pid > 0);
        assert_int_equal(wait_status(pid), 3 + i);
        if (i == 0)
            first = stack.base;
        else if (oci_clone_shares_memory())
            assert_ptr_equal(stack.base, first);
    }
    oci_clone_stack_release(&stack);
}

static void test_clone_error(void **state)
{
    struct oci_clone_stack stack = { 0 };
    /* CLONE_NEWPID|CLONE_THREAD together are invalid for everyone. */
    struct clone_args args = { .flags = CLONE_NEWPID | CLONE_THREAD | CLONE_SIGHAND, .exit_signal = SIGCHLD };
    struct probe p = { .ret = 0 };

    (void) state;
    assert_int_equal(oci_clone_run(&args, true, &stack, child_returns, &p), -1);
    assert_int_equal(errno, EINVAL);
    oci_clone_stack_release(&stack);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shared_child_returns),
        cmocka_unit_test(test_copied_child_returns),
        cmocka_unit_test(test_shared_child_execs_and_stack_is_reused),
        cmocka_unit_test(test_clone_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
