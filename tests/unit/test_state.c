/* test_state.c: state dirs, state.json round trip, id rules, /proc/PID/stat parsing, status, state JSON. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <cmocka.h>
#include <yajl/yajl_tree.h>
#include "ocirun/core/utils.h"
#include "ocirun/state/state.h"

/* --- fixtures ---------------------------------------------------------------------------- */

struct fixture {
    char tmp[64];
    char *root;   /* tmp/root: not created, create_dir makes it */
};

static int setup(void **state)
{
    struct fixture *f = xzalloc(sizeof(*f));

    strcpy(f->tmp, "/tmp/ocirun-test-state-XXXXXX");
    if (mkdtemp(f->tmp) == NULL)
        return -1;
    f->root = xasprintf("%s/root", f->tmp);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    char *cmd = xasprintf("rm -rf '%s'", f->tmp);
    int ret = system(cmd);

    free(cmd);
    free(f->root);
    free(f);
    return ret == 0 ? 0 : -1;
}

static void annotations_set(struct oci_map *m, const char *const *kv, size_t n)
{
    m->items = xzalloc(n * sizeof(*m->items));
    m->len = n;
    for (size_t i = 0; i < n; i++) {
        m->items[i].key = xstrdup(kv[2 * i]);
        m->items[i].value = xstrdup(kv[2 * i + 1]);
    }
}

static struct oci_state *sample_state(const char *id)
{
    static const char *const kv[] = {
        "org.example/quote", "say \"hi\"",
        "back\\slash", "c:\\dir\\",
        "multi", "line1\nline2\ttab",
        "unicode", "h\xc3\xa9llo \xe2\x98\x83",
        "empty", "",
    };
    struct oci_state *st = xzalloc(sizeof(*st));

    st->id = xstrdup(id);
    st->pid = 4242;
    st->pid_start_time = 18446744073709ull;
    st->bundle = xstrdup("/var/lib/bundles/b 1");
    st->rootfs = xstrdup("/var/lib/bundles/b 1/rootfs");
    st->created = xstrdup("2026-11-22T23:10:48.123456789Z");
    st->owner = xstrdup("");
    annotations_set(&st->annotations, kv, ARRAY_SIZE(kv) / 2);
    {
        static const char *const cg[] = {
            "unified", "/sys/fs/cgroup/unified/ocirun-test/c1",
            "cpu,cpuacct", "/sys/fs/cgroup/cpu,cpuacct/ocirun-test/c1",
        };
        annotations_set(&st->cgroup_paths, cg, ARRAY_SIZE(cg) / 2);
    }
    st->cgroup_created = true;
    st->systemd_cgroup = false;
    return st;
}

static void expect_error(int ret, oci_err_t *err, const char *msg)
{
    assert_true(ret < 0);
    assert_non_null(*err);
    assert_string_equal((*err)->msg, msg);
    oci_error_free(err);
}

/* Number of entries in dir besides "." and "..", all of which must be state.json. */
static int only_entry(int dir)
{
    DIR *d = fdopendir(fcntl(dir, F_DUPFD_CLOEXEC, 0));
    struct dirent *de;
    int n = 0;

    assert_non_null(d);
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        assert_string_equal(de->d_name, "state.json");
        n++;
    }
    closedir(d);
    return n;
}

#define HINT " is not allowed (use letters, digits, '_', '+', '.', '-')"

/* --- ids ------------------------------------------------------------------------------- */

static void test_id_valid(void **state)
{
    (void) state;
    static const char *const good[] = { "a", "c1", "A.b_c+d-e", "0", "x..y", "...", "._", "abc-" };
    char *longest = xmalloc(OCI_ID_MAX + 1);

    for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
        oci_err_t err = NULL;
        assert_int_equal(oci_id_validate(good[i], &err), 0);
        assert_null(err);
    }
    memset(longest, 'a', OCI_ID_MAX);
    longest[OCI_ID_MAX] = '\0';
    assert_int_equal(oci_id_validate(longest, NULL), 0);
    free(longest);
}

static void test_id_invalid(void **state)
{
    (void) state;
    static const char *const cases[][2] = {
        { "", "invalid container id \"\": must not be empty" },
        { "a/b", "invalid container id \"a/b\": character '/'" HINT },
        { "a b", "invalid container id \"a b\": character ' '" HINT },
        { ".", "invalid container id \".\": \".\" and \"..\" are not allowed" },
        { "..", "invalid container id \"..\": \".\" and \"..\" are not allowed" },
        { "-rf", "invalid container id \"-rf\": must not start with '-' (it would read as an option)" },
        { "a\nb", "invalid container id \"a\\x0ab\": byte 0x0a" HINT },
        { "q\"", "invalid container id \"q\\x22\": character '\"'" HINT },
        { "caf\xc3\xa9", "invalid container id \"caf\\xc3\\xa9\": byte 0xc3" HINT },
    };
    char *too_long = xmalloc(OCI_ID_MAX + 2);

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        oci_err_t err = NULL;
        expect_error(oci_id_validate(cases[i][0], &err), &err, cases[i][1]);
    }
    assert_true(oci_id_validate(NULL, NULL) < 0);
    memset(too_long, 'a', OCI_ID_MAX + 1);
    too_long[OCI_ID_MAX + 1] = '\0';
    oci_err_t err = NULL;
    assert_true(oci_id_validate(too_long, &err) < 0);
    assert_non_null(strstr(err->msg, "invalid container id \"aaaa"));
    assert_non_null(strstr(err->msg, "...\": longer than 255 characters (256)"));
    oci_error_free(&err);
    free(too_long);
}

/* --- directories and state.json ---------------------------------------------------------- */

static void test_roundtrip(void **state)
{
    struct fixture *f = *state;
    struct oci_state *st = sample_state("c1"), *back = NULL;
    oci_err_t err = NULL;
    struct stat sb;
    int dir = -1;

    assert_int_equal(oci_state_create_dir(f->root, "c1", &dir, &err), 0);
    assert_null(err);
    assert_int_equal(stat(f->root, &sb), 0);
    assert_int_equal(sb.st_mode & 07777, 0700);
    assert_int_equal(oci_state_write(dir, st, &err), 0);
    assert_int_equal(fstatat(dir, "state.json", &sb, 0), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    assert_int_equal(oci_state_read(dir, "c1", &back, &err), 0);
    assert_null(err);

    assert_string_equal(back->id, "c1");
    assert_int_equal(back->pid, 4242);
    assert_true(back->pid_start_time == 18446744073709ull);
    assert_string_equal(back->bundle, st->bundle);
    assert_string_equal(back->rootfs, st->rootfs);
    assert_string_equal(back->created, st->created);
    assert_string_equal(back->owner, "");
    assert_int_equal(back->annotations.len, st->annotations.len);
    for (size_t i = 0; i < st->annotations.len; i++) {
        assert_string_equal(back->annotations.items[i].key, st->annotations.items[i].key);
        assert_string_equal(back->annotations.items[i].value, st->annotations.items[i].value);
    }
    assert_int_equal(back->cgroup_paths.len, 2);
    for (size_t i = 0; i < 2; i++) {
        assert_string_equal(back->cgroup_paths.items[i].key, st->cgroup_paths.items[i].key);
        assert_string_equal(back->cgroup_paths.items[i].value, st->cgroup_paths.items[i].value);
    }
    assert_true(back->cgroup_created);
    assert_false(back->systemd_cgroup);
    assert_int_equal(back->start_hooks_ms, 0);   /* absent: no startContainer hooks */
    oci_state_free(back);

    /* start's budget for the startContainer hooks: their timeouts, or -1 for none */
    for (int i = 0; i < 2; i++) {
        st->start_hooks_ms = i ? -1 : 15000;
        assert_int_equal(oci_state_write(dir, st, &err), 0);
        assert_int_equal(oci_state_read(dir, "c1", &back, &err), 0);
        assert_int_equal(back->start_hooks_ms, st->start_hooks_ms);
        oci_state_free(back);
    }
    st->start_hooks_ms = 0;

    /* no cgroup, no annotations, systemd flag */
    for (size_t i = 0; i < st->cgroup_paths.len; i++) {
        free(st->cgroup_paths.items[i].key);
        free(st->cgroup_paths.items[i].value);
    }
    free(st->cgroup_paths.items);
    st->cgroup_paths = (struct oci_map) { 0 };
    st->cgroup_created = false;
    st->systemd_cgroup = true;
    for (size_t i = 0; i < st->annotations.len; i++) {
        free(st->annotations.items[i].key);
        free(st->annotations.items[i].value);
    }
    free(st->annotations.items);
    st->annotations.items = NULL;
    st->annotations.len = 0;
    assert_int_equal(oci_state_write(dir, st, &err), 0);
    assert_int_equal(oci_state_read(dir, "c1", &back, &err), 0);
    assert_int_equal(back->cgroup_paths.len, 0);
    assert_false(back->cgroup_created);
    assert_true(back->systemd_cgroup);
    assert_int_equal(back->annotations.len, 0);
    oci_state_free(back);

    /* no temp file left behind */
    assert_int_equal(only_entry(dir), 1);
    oci_state_free(st);
    close(dir);
}

static void test_read_errors(void **state)
{
    struct fixture *f = *state;
    struct oci_state *st = sample_state("c2"), *back = NULL;
    oci_err_t err = NULL;
    int dir = -1;

    assert_int_equal(oci_state_create_dir(f->root, "c2", &dir, &err), 0);
    /* created but state not written yet (create in progress or died) */
    assert_true(oci_state_read(dir, "c2", &back, &err) < 0);
    assert_int_equal(oci_error_errno(&err), ENOENT);
    expect_error(-1, &err,
                 "container \"c2\" does not exist: open state.json: No such file or directory");

    assert_int_equal(write_file_at(dir, "state.json", "{\"format\":1,", 12, 0600, &err), 0);
    assert_true(oci_state_read(dir, "c2", &back, &err) < 0);
    assert_non_null(strstr(err->msg, "container \"c2\": state.json: parse error: "));
    oci_error_free(&err);

    assert_int_equal(write_file_at(dir, "state.json", "{\"format\":1,\"id\":3}", 19, 0600, &err), 0);
    expect_error(oci_state_read(dir, "c2", &back, &err), &err,
                 "container \"c2\": state.json: id: expected a string");

    assert_int_equal(write_file_at(dir, "state.json", "{\"format\":9}", 12, 0600, &err), 0);
    expect_error(oci_state_read(dir, "c2", &back, &err), &err,
                 "container \"c2\": state.json: format 9 is newer than this ocirun understands (2)");

    /* a state.json copied from another container */
    assert_int_equal(oci_state_write(dir, st, &err), 0);
    assert_int_equal(oci_state_read(dir, "c2", &back, &err), 0);
    oci_state_free(back);
    expect_error(oci_state_read(dir, "other", &back, &err), &err,
                 "container \"other\": state.json: id: \"c2\" does not match the directory");
    oci_state_free(st);
    close(dir);
}

static void test_duplicate_create(void **state)
{
    struct fixture *f = *state;
    oci_err_t err = NULL;
    int dir = -1, dir2 = -1;

    assert_int_equal(oci_state_create_dir(f->root, "dup", &dir, &err), 0);
    expect_error(oci_state_create_dir(f->root, "dup", &dir2, &err), &err, "container \"dup\" already exists");
    assert_int_equal(dir2, -1);
    expect_error(oci_state_create_dir(f->root, "../x", &dir2, &err), &err,
                 "invalid container id \"../x\": character '/'" HINT);
    close(dir);
}

static void test_open_missing(void **state)
{
    struct fixture *f = *state;
    oci_err_t err = NULL;
    char *path;
    int dir = -1;

    /* root itself missing */
    expect_error(oci_state_open_dir(f->root, "nope", false, &dir, &err), &err,
                 "container \"nope\" does not exist");
    assert_int_equal(oci_state_create_dir(f->root, "exists", &dir, &err), 0);
    close(dir);
    dir = -1;
    expect_error(oci_state_open_dir(f->root, "nope", true, &dir, &err), &err,
                 "container \"nope\" does not exist");
    /* a stray file with the id's name is not a container */
    path = xasprintf("%s/file", f->root);
    assert_int_equal(write_file_at(AT_FDCWD, path, "x", 1, 0600, &err), 0);
    free(path);
    expect_error(oci_state_open_dir(f->root, "file", false, &dir, &err), &err,
                 "container \"file\" does not exist");
    assert_int_equal(dir, -1);
}

static void test_locking(void **state)
{
    struct fixture *f = *state;
    oci_err_t err = NULL;
    int dir = -1, other, shared = -1;
    char *path = xasprintf("%s/lk", f->root);

    assert_int_equal(oci_state_create_dir(f->root, "lk", &dir, &err), 0);
    other = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    assert_true(other >= 0);
    assert_int_equal(flock(other, LOCK_SH | LOCK_NB), -1);
    assert_int_equal(errno, EWOULDBLOCK);
    close(dir);
    /* shared opens coexist, and keep exclusive out */
    assert_int_equal(oci_state_open_dir(f->root, "lk", false, &shared, &err), 0);
    assert_int_equal(flock(other, LOCK_SH | LOCK_NB), 0);
    flock(other, LOCK_UN);
    assert_int_equal(flock(other, LOCK_EX | LOCK_NB), -1);
    close(shared);
    assert_int_equal(flock(other, LOCK_EX | LOCK_NB), 0);
    close(other);
    free(path);
}

static void test_remove(void **state)
{
    struct fixture *f = *state;
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    char *path = xasprintf("%s/rm", f->root);
    char *sock_path = xasprintf("%s/rm/console.sock", f->root);
    oci_err_t err = NULL;
    struct stat sb;
    int dir = -1, sock;

    assert_int_equal(oci_state_create_dir(f->root, "rm", &dir, &err), 0);
    assert_int_equal(write_file_at(dir, "state.json", "{}", 2, 0600, &err), 0);
    assert_int_equal(mkfifoat(dir, OCI_EXEC_FIFO, 0600), 0);
    assert_true(strlen(sock_path) < sizeof(sa.sun_path));
    strcpy(sa.sun_path, sock_path);
    sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_int_equal(bind(sock, (struct sockaddr *) &sa, sizeof(sa)), 0);
    close(sock);
    assert_int_equal(symlinkat("/etc", dir, "link"), 0);
    assert_int_equal(mkdirat(dir, "sub", 0700), 0);
    assert_int_equal(mkdirat(dir, "sub/deeper", 0700), 0);
    assert_int_equal(write_file_at(dir, "sub/deeper/f", "x", 1, 0600, &err), 0);

    /* removal while we still hold the lock, as delete does */
    assert_int_equal(oci_state_remove_dir(f->root, "rm", &err), 0);
    assert_null(err);
    assert_int_equal(stat(path, &sb), -1);
    assert_int_equal(errno, ENOENT);
    assert_int_equal(stat("/etc/passwd", &sb), 0);   /* the symlink was not followed */
    close(dir);
    /* already gone: fine */
    assert_int_equal(oci_state_remove_dir(f->root, "rm", &err), 0);
    assert_int_equal(oci_state_remove_dir("/nonexistent-ocirun-root", "rm", &err), 0);
    free(path);
    free(sock_path);
}

/* exec's config.json: the bytes given, 0600, parsed back; missing is ENOENT (the older-ocirun
 * fallback keys on it), a broken one is a parse error naming the file. */
static void test_saved_config(void **state)
{
    static const char text[] = "{\"ociVersion\": \"1.2.0\", \"process\": {\"args\": [\"sh\"], \"cwd\": \"/\", "
                               "\"env\": [\"A=1\"]}, \"root\": {\"path\": \"rootfs\"}}";
    struct fixture *f = *state;
    struct oci_spec *spec = NULL;
    oci_err_t err = NULL;
    char *back = NULL;
    size_t len = 0;
    struct stat sb;
    int dir = -1;

    assert_int_equal(oci_state_create_dir(f->root, "cfg", &dir, &err), 0);
    assert_true(oci_state_load_config(dir, &spec, &err) < 0);
    assert_int_equal(oci_error_errno(&err), ENOENT);
    assert_null(spec);
    oci_error_free(&err);

    assert_int_equal(oci_state_save_config(dir, text, strlen(text), &err), 0);
    assert_int_equal(fstatat(dir, OCI_CONFIG_FILE, &sb, 0), 0);
    assert_int_equal(sb.st_mode & 07777, 0600);
    assert_int_equal(read_file_at(dir, OCI_CONFIG_FILE, &back, &len, &err), 0);
    assert_int_equal(len, strlen(text));
    assert_memory_equal(back, text, len);
    assert_int_equal(oci_state_load_config(dir, &spec, &err), 0);
    assert_string_equal(spec->process->env.v[0], "A=1");
    oci_spec_free(spec);

    assert_int_equal(write_file_at(dir, OCI_CONFIG_FILE, "{", 1, 0600, &err), 0);
    assert_true(oci_state_load_config(dir, &spec, &err) < 0);
    assert_non_null(strstr(err->msg, "config.json: parse error"));
    assert_int_not_equal(oci_error_errno(&err), ENOENT);
    oci_error_free(&err);
    free(back);
    close(dir);
}

static void test_list(void **state)
{
    struct fixture *f = *state;
    static const char *const names[] = { "zeta", "alpha", "Beta", "m1", "m10", "m2" };
    static const char *const sorted[] = { "Beta", "alpha", "m1", "m10", "m2", "zeta" };
    oci_err_t err = NULL;
    char **ids = NULL;
    char *path;
    size_t n = 99;

    assert_int_equal(oci_state_list_ids(f->root, &ids, &n, &err), 0);
    assert_int_equal(n, 0);
    assert_non_null(ids);
    assert_null(ids[0]);
    strv_free(ids);

    for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
        int dir;
        assert_int_equal(oci_state_create_dir(f->root, names[i], &dir, &err), 0);
        close(dir);
    }
    /* not containers: a file, a hidden dir, a symlink to a dir */
    path = xasprintf("%s/stray-file", f->root);
    assert_int_equal(write_file_at(AT_FDCWD, path, "", 0, 0600, &err), 0);
    free(path);
    path = xasprintf("%s/.hidden", f->root);
    assert_int_equal(mkdir(path, 0700), 0);
    free(path);
    path = xasprintf("%s/link", f->root);
    assert_int_equal(symlink("/tmp", path), 0);
    free(path);

    assert_int_equal(oci_state_list_ids(f->root, &ids, &n, &err), 0);
    assert_int_equal(n, ARRAY_SIZE(sorted));
    for (size_t i = 0; i < n; i++)
        assert_string_equal(ids[i], sorted[i]);
    assert_null(ids[n]);
    strv_free(ids);

    path = xasprintf("%s/stray-file", f->root);
    char *msg = xasprintf("open state root %s: Not a directory", path);
    expect_error(oci_state_list_ids(path, &ids, &n, &err), &err, msg);
    free(msg);
    free(path);
}

/* --- /proc/PID/stat ---------------------------------------------------------------------- */

static void test_proc_stat_self(void **state)
{
    (void) state;
    uint64_t t1 = 0, t2 = 0;
    char s = 0;

    assert_int_equal(oci_proc_stat(getpid(), &t1, &s), 0);
    assert_true(t1 > 0);
    assert_int_equal(s, 'R');
    assert_int_equal(oci_proc_stat(getpid(), &t2, NULL), 0);
    assert_true(t1 == t2);
    assert_int_equal(oci_proc_stat(0, &t1, &s), -ESRCH);
    assert_int_equal(oci_proc_stat(-5, &t1, &s), -ESRCH);
}

static pid_t fork_exit_child(void)
{
    pid_t pid = fork();

    if (pid == 0)
        _exit(0);
    assert_true(pid > 0);
    return pid;
}

static void test_proc_stat_dead(void **state)
{
    (void) state;
    pid_t pid = fork_exit_child();
    uint64_t t;
    char s;

    assert_int_equal(waitpid(pid, NULL, 0), pid);
    assert_int_equal(oci_proc_stat(pid, &t, &s), -ESRCH);
}

/* comm with spaces and ')' must not shift the fields */
static void test_proc_stat_tricky_comm(void **state)
{
    (void) state;
    int go[2];
    uint64_t t = 0;
    char s = 0, c = 0;
    pid_t pid;

    assert_int_equal(pipe2(go, O_CLOEXEC), 0);
    pid = fork();
    if (pid == 0) {
        prctl(PR_SET_NAME, "a) b ) (c");
        if (write(go[1], "r", 1) != 1)
            _exit(1);
        pause();
        _exit(0);
    }
    assert_int_equal(read(go[0], &c, 1), 1);
    assert_int_equal(oci_proc_stat(pid, &t, &s), 0);
    assert_true(t > 0);
    assert_true(s == 'S' || s == 'R');

    /* the same start time the parent's own record gives for a sibling started later is >= */
    uint64_t self_t;
    assert_int_equal(oci_proc_stat(getpid(), &self_t, NULL), 0);
    assert_true(t >= self_t);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    close(go[0]);
    close(go[1]);
}

/* --- liveness and status ---------------------------------------------------------------- */

static void test_pid_alive(void **state)
{
    (void) state;
    struct oci_state st = { .pid = getpid() };
    pid_t zombie;
    char s = 0;

    assert_int_equal(oci_proc_stat(st.pid, &st.pid_start_time, NULL), 0);
    assert_true(oci_state_pid_alive(&st));
    st.pid_start_time++;            /* pid reused by another process */
    assert_false(oci_state_pid_alive(&st));
    st.pid = 0;
    assert_false(oci_state_pid_alive(&st));
    assert_false(oci_state_pid_alive(NULL));

    zombie = fork_exit_child();
    st.pid = zombie;
    assert_int_equal(oci_proc_stat(zombie, &st.pid_start_time, NULL), 0);
    for (int i = 0; i < 1000 && s != 'Z'; i++) {
        assert_int_equal(oci_proc_stat(zombie, NULL, &s), 0);
        if (s != 'Z')
            usleep(1000);
    }
    assert_int_equal(s, 'Z');
    assert_false(oci_state_pid_alive(&st));
    waitpid(zombie, NULL, 0);
    assert_false(oci_state_pid_alive(&st));
}

static void test_status(void **state)
{
    struct fixture *f = *state;
    struct oci_state st = { .id = "s1", .pid = getpid() };
    char comm[17] = "";
    oci_err_t err = NULL;
    pid_t dead;
    int dir;

    assert_int_equal(oci_state_create_dir(f->root, "s1", &dir, &err), 0);
    assert_int_equal(oci_proc_stat(st.pid, &st.pid_start_time, NULL), 0);
    assert_int_equal(oci_state_status(dir, &st), OCI_STATUS_RUNNING);
    assert_int_equal(mkfifoat(dir, OCI_EXEC_FIFO, 0600), 0);
    /* the fifo alone: an init that has exec'd (a start killed after releasing it) runs */
    assert_int_equal(oci_state_status(dir, &st), OCI_STATUS_RUNNING);
    assert_int_equal(prctl(PR_GET_NAME, comm), 0);
    assert_int_equal(prctl(PR_SET_NAME, OCI_INIT_COMM), 0);
    assert_int_equal(oci_state_status(dir, &st), OCI_STATUS_CREATED);
    st.pid_start_time--;
    assert_int_equal(oci_state_status(dir, &st), OCI_STATUS_STOPPED);
    st.pid_start_time++;
    assert_int_equal(prctl(PR_SET_NAME, comm), 0);
    assert_int_equal(oci_state_status(dir, &st), OCI_STATUS_RUNNING);
    st.pid_start_time--;

    dead = fork_exit_child();
    waitpid(dead, NULL, 0);
    st.pid = dead;
    assert_int_equal(oci_state_status(dir, &st), OCI_STATUS_STOPPED);
    unlinkat(dir, OCI_EXEC_FIFO, 0);
    assert_int_equal(oci_state_status(dir, &st), OCI_STATUS_STOPPED);
    close(dir);
}

/* A state written half way through create: creating while its create holds the lock, stopped
 * once that create is gone; the field survives a round trip and is absent otherwise (so is
 * noNewKeyring). */
static void test_status_creating(void **state)
{
    struct fixture *f = *state;
    struct oci_state *st = sample_state("c2"), *back = NULL;
    oci_err_t err = NULL;
    int dir = -1, reader = -1;
    char *text = NULL;

    st->creating = true;
    st->pid = 0;
    st->pid_start_time = 0;
    assert_int_equal(oci_state_create_dir(f->root, "c2", &dir, &err), 0);
    assert_int_equal(oci_state_write(dir, st, &err), 0);
    assert_int_equal(oci_state_open_dir_unlocked(f->root, "c2", &reader, &err), 0);
    assert_int_equal(oci_state_read(reader, "c2", &back, &err), 0);
    assert_true(back->creating);
    assert_true(oci_state_dir_locked(reader));
    assert_int_equal(oci_state_status(reader, back), OCI_STATUS_CREATING);
    close(dir);   /* the create dies: its lock goes with it */
    assert_false(oci_state_dir_locked(reader));
    assert_int_equal(oci_state_status(reader, back), OCI_STATUS_STOPPED);
    oci_state_free(back);
    back = NULL;

    st->creating = false;
    assert_int_equal(oci_state_open_dir(f->root, "c2", true, &dir, &err), 0);
    assert_int_equal(oci_state_write(dir, st, &err), 0);
    assert_int_equal(read_file_at(dir, "state.json", &text, NULL, &err), 0);
    assert_null(strstr(text, "creating"));
    assert_null(strstr(text, "noNewKeyring"));
    assert_int_equal(oci_state_read(dir, "c2", &back, &err), 0);
    assert_false(back->creating);
    assert_false(back->no_new_keyring);
    free(text);
    oci_state_free(back);

    /* create --no-new-keyring: kept for exec */
    st->no_new_keyring = true;
    assert_int_equal(oci_state_write(dir, st, &err), 0);
    assert_int_equal(oci_state_read(dir, "c2", &back, &err), 0);
    assert_true(back->no_new_keyring);
    oci_state_free(back);
    oci_state_free(st);
    close(dir);
    close(reader);
}

static void test_status_names(void **state)
{
    (void) state;
    assert_string_equal(oci_status_name(OCI_STATUS_CREATING), "creating");
    assert_string_equal(oci_status_name(OCI_STATUS_CREATED), "created");
    assert_string_equal(oci_status_name(OCI_STATUS_RUNNING), "running");
    assert_string_equal(oci_status_name(OCI_STATUS_PAUSED), "paused");
    assert_string_equal(oci_status_name(OCI_STATUS_STOPPED), "stopped");
    assert_string_equal(oci_status_name((enum oci_status) 42), "unknown");
}

/* --- state JSON -------------------------------------------------------------------------- */

static const char *json_str(yajl_val root, const char *key)
{
    const char *path[] = { key, NULL };
    yajl_val v = yajl_tree_get(root, path, yajl_t_string);

    assert_non_null(v);
    return YAJL_GET_STRING(v);
}

static long long json_int(yajl_val root, const char *key)
{
    const char *path[] = { key, NULL };
    yajl_val v = yajl_tree_get(root, path, yajl_t_number);

    assert_non_null(v);
    assert_true(YAJL_IS_INTEGER(v));
    return YAJL_GET_INTEGER(v);
}

static void check_state_json(const char *json, const struct oci_state *st, const char *status, long long pid)
{
    char errbuf[128];
    yajl_val root = yajl_tree_parse(json, errbuf, sizeof(errbuf));
    const char *ann_path[] = { "annotations", NULL };
    yajl_val ann;

    assert_non_null(root);
    assert_string_equal(json_str(root, "ociVersion"), OCI_SPEC_VERSION);
    assert_string_equal(json_str(root, "id"), st->id);
    assert_string_equal(json_str(root, "status"), status);
    assert_int_equal(json_int(root, "pid"), pid);
    assert_string_equal(json_str(root, "bundle"), st->bundle);
    assert_string_equal(json_str(root, "rootfs"), st->rootfs);
    assert_string_equal(json_str(root, "created"), st->created);
    assert_string_equal(json_str(root, "owner"), "");
    ann = yajl_tree_get(root, ann_path, yajl_t_object);
    assert_non_null(ann);
    assert_int_equal(YAJL_GET_OBJECT(ann)->len, st->annotations.len);
    for (size_t i = 0; i < st->annotations.len; i++) {
        assert_string_equal(YAJL_GET_OBJECT(ann)->keys[i], st->annotations.items[i].key);
        assert_string_equal(YAJL_GET_STRING(YAJL_GET_OBJECT(ann)->values[i]), st->annotations.items[i].value);
    }
    /* internal fields stay internal */
    assert_null(strstr(json, "cgroup"));
    assert_null(strstr(json, "StartTime"));
    yajl_tree_free(root);
}

#define COMPACT_HEAD "{\"ociVersion\":\"1.3.0\",\"id\":\"j1\",\"pid\":4242,\"status\":\"running\","
#define PRETTY_HEAD \
    "{\n  \"ociVersion\": \"1.3.0\",\n  \"id\": \"j1\",\n  \"pid\": 4242,\n  \"status\": \"created\",\n"

static void test_state_json(void **state)
{
    (void) state;
    struct oci_state *st = sample_state("j1");
    char *json;

    json = oci_state_to_json(st, OCI_STATUS_RUNNING, false);
    check_state_json(json, st, "running", 4242);
    assert_null(strchr(json, '\n'));
    assert_true(strncmp(json, COMPACT_HEAD, strlen(COMPACT_HEAD)) == 0);
    free(json);

    json = oci_state_to_json(st, OCI_STATUS_CREATED, true);
    check_state_json(json, st, "created", 4242);
    assert_true(strncmp(json, PRETTY_HEAD, strlen(PRETTY_HEAD)) == 0);
    assert_non_null(strstr(json, "\n  \"annotations\": {\n    \"org.example/quote\": \"say \\\"hi\\\"\","));
    assert_int_equal(json[strlen(json) - 1], '}');
    free(json);

    json = oci_state_to_json(st, OCI_STATUS_STOPPED, true);
    check_state_json(json, st, "stopped", 0);
    free(json);
    oci_state_free(st);

    /* no annotations: an empty map, compact even when indented */
    struct oci_state bare = { .id = "j2", .pid = 7, .bundle = "/b", .rootfs = "/b/rootfs",
                              .created = "2026-01-01T00:00:00.000000001Z", .owner = "" };
    json = oci_state_to_json(&bare, OCI_STATUS_RUNNING, true);
    check_state_json(json, &bare, "running", 7);
    assert_string_equal(json, "{\n"
                        "  \"ociVersion\": \"1.3.0\",\n"
                        "  \"id\": \"j2\",\n"
                        "  \"pid\": 7,\n"
                        "  \"status\": \"running\",\n"
                        "  \"bundle\": \"/b\",\n"
                        "  \"rootfs\": \"/b/rootfs\",\n"
                        "  \"created\": \"2026-01-01T00:00:00.000000001Z\",\n"
                        "  \"owner\": \"\",\n"
                        "  \"annotations\": {}\n"
                        "}");
    free(json);
    json = oci_state_to_json(&bare, OCI_STATUS_STOPPED, false);
    assert_non_null(strstr(json, "\"pid\":0,\"status\":\"stopped\""));
    assert_non_null(strstr(json, "\"annotations\":{}}"));
    free(json);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_id_valid),
        cmocka_unit_test(test_id_invalid),
        cmocka_unit_test_setup_teardown(test_roundtrip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_duplicate_create, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_missing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_locking, setup, teardown),
        cmocka_unit_test_setup_teardown(test_remove, setup, teardown),
        cmocka_unit_test_setup_teardown(test_saved_config, setup, teardown),
        cmocka_unit_test_setup_teardown(test_list, setup, teardown),
        cmocka_unit_test(test_proc_stat_self),
        cmocka_unit_test(test_proc_stat_dead),
        cmocka_unit_test(test_proc_stat_tricky_comm),
        cmocka_unit_test(test_pid_alive),
        cmocka_unit_test_setup_teardown(test_status, setup, teardown),
        cmocka_unit_test_setup_teardown(test_status_creating, setup, teardown),
        cmocka_unit_test(test_status_names),
        cmocka_unit_test(test_state_json),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
