/* test_signals.c: signal name/number parsing for `kill` and the reverse lookup. */
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>
#include "ocirun/core/utils.h"
#include "ocirun/process/signals.h"

static void test_parse_good(void **state)
{
    (void) state;
    const struct { const char *in; int sig; } cases[] = {
        { "9", SIGKILL },        { "KILL", SIGKILL },     { "SIGKILL", SIGKILL },
        { "kill", SIGKILL },     { "sigkill", SIGKILL },  { "SigKill", SIGKILL },
        { "15", SIGTERM },       { "TERM", SIGTERM },     { "1", SIGHUP },
        { "HUP", SIGHUP },       { "USR1", SIGUSR1 },     { "SIGUSR2", SIGUSR2 },
        { "WINCH", SIGWINCH },   { "CHLD", SIGCHLD },     { "CLD", SIGCHLD },
        { "IOT", SIGABRT },      { "POLL", SIGIO },       { "SIGSTOP", SIGSTOP },
        { "CONT", SIGCONT },     { "PWR", SIGPWR },       { "SYS", SIGSYS },
        { "STKFLT", SIGSTKFLT }, { "VTALRM", SIGVTALRM },
        { "RTMIN", SIGRTMIN },   { "SIGRTMIN", SIGRTMIN },
        { "SIGRTMIN+3", SIGRTMIN + 3 }, { "rtmin+15", SIGRTMIN + 15 },
        { "RTMAX", SIGRTMAX },   { "RTMAX-1", SIGRTMAX - 1 }, { "sigrtmax-14", SIGRTMAX - 14 },
        { "RTMIN+30", SIGRTMAX }, { "64", 64 },
        /* numbers as runc's strconv.Atoi reads them; 0 is the liveness check */
        { "0", 0 },              { "+0", 0 },             { "00", 0 },
        { "+9", SIGKILL },       { "009", SIGKILL },
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        oci_err_t err = NULL;
        int sig = -1;
        if (oci_signal_parse(cases[i].in, &sig, &err) < 0)
            fail_msg("%s: %s", cases[i].in, err->msg);
        if (sig != cases[i].sig)
            fail_msg("%s: got %d, want %d", cases[i].in, sig, cases[i].sig);
        assert_null(err);
    }
}

static void test_parse_bad(void **state)
{
    (void) state;
    static const char *const bad[] = {
        "FOO", "", "-9", "-0", "65", "+", "++9", "+-9", "+ 9", "999999999999999999999", "9x", " 9", "SIG", "SIGSIGKILL",
        "KILL ", "RTMIN+", "RTMIN-1", "RTMAX+1", "RTMIN+31", "RTMAX-31", "RTMIN+-1", "RTMIN+ 1",
        "RTMINX", "sig kill", "SIG0", "0x9",
    };

    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        oci_err_t err = NULL;
        int sig = 12345;
        char *want = xasprintf("invalid signal \"%s\"", bad[i]);
        if (oci_signal_parse(bad[i], &sig, &err) == 0)
            fail_msg("\"%s\" accepted as %d", bad[i], sig);
        assert_string_equal(err->msg, want);
        assert_int_equal(sig, 12345);
        oci_error_free(&err);
        free(want);
    }
    assert_true(oci_signal_parse(NULL, &(int){ 0 }, NULL) < 0);
}

static void test_name(void **state)
{
    (void) state;
    assert_string_equal(oci_signal_name(SIGKILL), "SIGKILL");
    assert_string_equal(oci_signal_name(SIGTERM), "SIGTERM");
    assert_string_equal(oci_signal_name(SIGABRT), "SIGABRT");   /* canonical, not SIGIOT */
    assert_string_equal(oci_signal_name(SIGCHLD), "SIGCHLD");
    assert_string_equal(oci_signal_name(SIGIO), "SIGIO");
    assert_string_equal(oci_signal_name(SIGRTMIN), "SIGRTMIN");
    assert_string_equal(oci_signal_name(SIGRTMIN + 3), "SIGRTMIN+3");
    assert_string_equal(oci_signal_name(SIGRTMAX), "SIGRTMAX");
    assert_string_equal(oci_signal_name(SIGRTMAX - 1), "SIGRTMAX-1");
    assert_null(oci_signal_name(0));
    assert_null(oci_signal_name(-1));
    assert_null(oci_signal_name(SIGRTMAX + 1));
    assert_null(oci_signal_name(32));   /* reserved by glibc */
}

/* every named number parses back from its name, with or without SIG */
static void test_roundtrip(void **state)
{
    (void) state;
    for (int sig = 1; sig <= SIGRTMAX; sig++) {
        const char *name = oci_signal_name(sig);
        int back = 0;
        if (name == NULL)
            continue;
        assert_int_equal(oci_signal_parse(name, &back, NULL), 0);
        assert_int_equal(back, sig);
        assert_int_equal(oci_signal_parse(name + 3, &back, NULL), 0);
        assert_int_equal(back, sig);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_good),
        cmocka_unit_test(test_parse_bad),
        cmocka_unit_test(test_name),
        cmocka_unit_test(test_roundtrip),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
