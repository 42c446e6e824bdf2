/* test_log.c: the --log line formats: logrus' text lines and Go's JSON escaping, as runc writes them. */
#include <fcntl.h>
#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "ocirun/core/log.h"
#include "ocirun/core/utils.h"

#define TIME_RE "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z"

/* Log MSG at LEVEL in FORMAT to a fresh file and return the line written (without its time). */
static char *logged(enum oci_log_format format, bool debug, enum oci_log_level level, const char *msg)
{
    char path[] = "/tmp/ocirun-test-log.XXXXXX";
    int fd = mkstemp(path);
    char *text = NULL;
    size_t len = 0;
    regex_t re;
    regmatch_t m;

    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(oci_log_init(path, format, debug), 0);
    oci_log(level, "%s", msg);
    oci_log_init(NULL, OCI_LOG_TEXT, false);   /* closes the file */
    assert_int_equal(read_file_at(AT_FDCWD, path, &text, &len, NULL), 0);
    unlink(path);
    if (len == 0)
        return text;
    /* the time is checked once, then blanked so the rest compares exactly */
    assert_int_equal(regcomp(&re, TIME_RE, REG_EXTENDED), 0);
    assert_int_equal(regexec(&re, text, 1, &m, 0), 0);
    regfree(&re);
    memmove(text + m.rm_so + 1, text + m.rm_eo, strlen(text + m.rm_eo) + 1);
    text[m.rm_so] = 'T';
    return text;
}

static void expect(enum oci_log_format format, enum oci_log_level level, const char *msg, const char *want)
{
    char *got = logged(format, true, level, msg);
    assert_string_equal(got, want);
    free(got);
}

static void test_text(void **state)
{
    (void) state;
    expect(OCI_LOG_TEXT, OCI_LOG_ERROR, "container does not exist",
           "time=\"T\" level=error msg=\"container does not exist\"\n");
    expect(OCI_LOG_TEXT, OCI_LOG_DEBUG, "plain-word_1.2/x@y^z+w", "time=\"T\" level=debug msg=plain-word_1.2/x@y^z+w\n");
    expect(OCI_LOG_TEXT, OCI_LOG_WARN, "", "time=\"T\" level=warning msg=\n");
    expect(OCI_LOG_TEXT, OCI_LOG_INFO, "a \"q\" \\ \n\t\x01\x7f é \xff",
           "time=\"T\" level=info msg=\"a \\\"q\\\" \\\\ \\n\\t\\x01\\x7f é \\xff\"\n");
}

static void test_json(void **state)
{
    (void) state;
    expect(OCI_LOG_JSON, OCI_LOG_ERROR, "container does not exist",
           "{\"level\":\"error\",\"msg\":\"container does not exist\",\"time\":\"T\"}\n");
    expect(OCI_LOG_JSON, OCI_LOG_WARN, "<a & b> \"q\" \\ \n\r\t\x01 é \xe2\x80\xa8 \xff \xc0\xaf",
           "{\"level\":\"warning\",\"msg\":\"\\u003ca \\u0026 b\\u003e \\\"q\\\" \\\\ \\n\\r\\t\\u0001 é \\u2028 "
           "\\ufffd \\ufffd\\ufffd\",\"time\":\"T\"}\n");
}

static void test_debug_off(void **state)
{
    char *got;

    (void) state;
    got = logged(OCI_LOG_TEXT, false, OCI_LOG_DEBUG, "hidden");
    assert_string_equal(got, "");
    free(got);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text),
        cmocka_unit_test(test_json),
        cmocka_unit_test(test_debug_off),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
