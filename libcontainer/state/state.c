/* state.c: container state directories (ROOT/ID), state.json I/O, id rules, liveness and status. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>
#include "ocirun/core/utils.h"
#include "ocirun/state/state.h"
#include "core/json_gen.h"

/* Bump when state.json changes incompatibly; readers refuse newer formats. Optional keys added
 * since (absent = empty) need no bump: poststartHooks, poststopHooks, startHooksTimeoutMs. */
#define STATE_FORMAT 2   /* 2: cgroupPaths (one per hierarchy) replaced cgroupPath */

/* rm -r of a state dir never needs to go deeper than this. */
#define REMOVE_MAX_DEPTH 8

static const char *const status_names[] = {
    [OCI_STATUS_CREATING] = "creating",
    [OCI_STATUS_CREATED] = "created",
    [OCI_STATUS_RUNNING] = "running",
    [OCI_STATUS_PAUSED] = "paused",
    [OCI_STATUS_STOPPED] = "stopped",
};

const char *oci_status_name(enum oci_status s)
{
    if ((unsigned) s >= ARRAY_SIZE(status_names))
        return "unknown";
    return status_names[s];
}

void oci_state_free(struct oci_state *st)
{
    if (st == NULL)
        return;
    free(st->id);
    free(st->bundle);
    free(st->rootfs);
    free(st->created);
    free(st->owner);
    oci_map_free(&st->annotations);
    oci_map_free(&st->cgroup_paths);
    strv_free(st->cgroup_preexisting.v);
    oci_hooks_list_free(&st->poststart);
    oci_hooks_list_free(&st->poststop);
    free(st);
}

/* --- ids ---------------------------------------------------------------------------------- */

static bool id_char_ok(unsigned char c)
{
    return isascii(c) && (isalnum(c) || c == '_' || c == '+' || c == '.' || c == '-');
}

/* The id as shown in messages: non-printable bytes escaped, very long ids cut. */
static char *id_for_message(const char *id)
{
    size_t len = strlen(id), shown = len > 64 ? 64 : len;
    char *out = xmalloc(shown * 4 + 4), *p = out;

    for (size_t i = 0; i < shown; i++) {
        unsigned char c = id[i];
        if (isascii(c) && isprint(c) && c != '"' && c != '\\')
            *p++ = c;
        else
            p += sprintf(p, "\\x%02x", c);
    }
    if (shown < len)
        p = stpcpy(p, "...");
    *p = '\0';
    return out;
}

int oci_id_validate(const char *id, oci_err_t *err)
{
    cleanup_free char *shown = NULL;
    size_t len;

    if (id == NULL || *id == '\0')
        return oci_error_set(err, 0, "invalid container id \"\": must not be empty");
    len = strlen(id);
    shown = id_for_message(id);
    if (len > OCI_ID_MAX)
        return oci_error_set(err, 0, "invalid container id \"%s\": longer than %d characters (%zu)",
                             shown, OCI_ID_MAX, len);
    if (strcmp(id, ".") == 0 || strcmp(id, "..") == 0)
        return oci_error_set(err, 0, "invalid container id \"%s\": \".\" and \"..\" are not allowed", shown);
    if (id[0] == '-')
        return oci_error_set(err, 0, "invalid container id \"%s\": must not start with '-' "
                             "(it would read as an option)", shown);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = id[i];
        if (id_char_ok(c))
            continue;
        if (isascii(c) && isprint(c))
            return oci_error_set(err, 0,
                                 "invalid container id \"%s\": character '%c' is not allowed "
                                 "(use letters, digits, '_', '+', '.', '-')", shown, c);
        return oci_error_set(err, 0,
                             "invalid container id \"%s\": byte 0x%02x is not allowed "
                             "(use letters, digits, '_', '+', '.', '-')", shown, c);
    }
    return 0;
}

/* --- state directories --------------------------------------------------------------------- */

/* The pid /proc/locks names for the flock held on FD's inode (0 when not found). */
static pid_t lock_holder(int fd)
{
    cleanup_fclose FILE *f = NULL;
    struct stat st;
    char line[256];

    if (fstat(fd, &st) < 0 || (f = fopen("/proc/locks", "re")) == NULL)
        return 0;
    while (fgets(line, sizeof(line), f)) {
        unsigned int maj, min;
        unsigned long long ino;
        int pid;

        /* "1: FLOCK  ADVISORY  WRITE 1234 00:1a:5678 0 EOF"; waiters read "1: -> FLOCK ..." */
        if (sscanf(line, "%*d: FLOCK %*s %*s %d %x:%x:%llu", &pid, &maj, &min, &ino) == 4 &&
            ino == st.st_ino && makedev(maj, min) == st.st_dev)
            return pid;
    }
    return 0;
}

/* " (pid N: its command line)" of the lock's holder, for the message; "" when unknown. */
static char *holder_text(int fd)
{
    pid_t pid = lock_holder(fd);
    char path[64], cmd[160];
    ssize_t n = 0;
    int cfd;

    if (pid <= 0)
        return xstrdup("");
    snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
    cfd = open(path, O_RDONLY | O_CLOEXEC);
    if (cfd >= 0) {
        n = read(cfd, cmd, sizeof(cmd) - 1);
        close(cfd);
    }
    if (n <= 0)
        return xasprintf(", held by pid %d", pid);
    for (ssize_t i = 0; i < n; i++)
        if (cmd[i] == '\0')
            cmd[i] = ' ';
    while (n > 0 && cmd[n - 1] == ' ')
        n--;
    cmd[n] = '\0';
    return xasprintf(", held by pid %d (%s%s)", pid, cmd, n == (ssize_t) sizeof(cmd) - 1 ? "..." : "");
}

/* Another ocirun holds the lock while it creates, starts, deletes or pauses the container:
 * each of those is bounded itself, so a lock held for longer than OCI_STATE_LOCK_WAIT_MS is
 * stuck, and waiting on would stall our caller with it. */
static int lock_dir(int fd, bool exclusive, const char *root, const char *id, oci_err_t *err)
{
    struct timespec pause = { 0, 1000000 };
    uint64_t deadline = deadline_after_ms(OCI_STATE_LOCK_WAIT_MS);

    while (flock(fd, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) < 0) {
        if (errno == EINTR)
            continue;
        if (errno != EWOULDBLOCK)
            return oci_error_sys(err, "container \"%s\": lock state directory", id);
        if (deadline_ms_left(deadline) == 0) {
            cleanup_free char *holder = holder_text(fd);
            return oci_error_set_code(err, ETIMEDOUT, "container \"%s\": another ocirun still holds the lock on "
                                      "%s/%s after %d s%s", id, root, id, OCI_STATE_LOCK_WAIT_MS / 1000, holder);
        }
        nanosleep(&pause, NULL);
        if (pause.tv_nsec < 16000000)
            pause.tv_nsec *= 2;
    }
    return 0;
}

static const char *const already_exists = "container \"%s\" already exists";

int oci_state_check_id(const char *root, const char *id, struct oci_report *r)
{
    oci_err_t e = NULL;
    cleanup_free char *dir = NULL;

    if (oci_id_validate(id, &e) < 0)
        return oci_report_err(r, &e);
    dir = xasprintf("%s/%s", root, id);
    if (access(dir, F_OK) == 0)
        return oci_report_add(r, 0, already_exists, id);
    return 0;
}

int oci_state_create_dir(const char *root, const char *id, int *dirfd, oci_err_t *err)
{
    cleanup_close int rootfd = -1;
    cleanup_close int fd = -1;

    if (oci_id_validate(id, err) < 0)
        return -1;
    if (root == NULL || *root == '\0')
        return oci_error_set(err, 0, "state root must not be empty");
    if (mkdir_p(root, 0700, err) < 0)
        return oci_error_wrap(err, "state root");
    rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0)
        return oci_error_sys(err, "open state root %s", root);
    if (mkdirat(rootfd, id, 0700) < 0) {
        if (errno == EEXIST)
            return oci_error_set(err, 0, already_exists, id);
        return oci_error_sys(err, "mkdir %s/%s", root, id);
    }
    fd = openat(rootfd, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return oci_error_sys(err, "open %s/%s", root, id);
    if (lock_dir(fd, true, root, id, err) < 0)
        return -1;
    *dirfd = steal_fd(&fd);
    return 0;
}

int oci_state_open_dir_unlocked(const char *root, const char *id, int *dirfd, oci_err_t *err)
{
    cleanup_free char *path = NULL;
    int fd;

    if (oci_id_validate(id, err) < 0)
        return -1;
    path = xasprintf("%s/%s", root, id);
    fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        /* ENOENT kept for callers (list: a container deleted meanwhile is no warning) */
        if (errno == ENOENT || errno == ENOTDIR)
            return oci_error_set_code(err, ENOENT, "container \"%s\" does not exist", id);
        return oci_error_sys(err, "open %s", path);
    }
    /* A user other than root touches only its own containers (root may touch any, as runc):
     * a --root shared by several users does not hand one user's containers to another. */
    if (geteuid() != 0) {
        struct stat st;
        if (fstat(fd, &st) < 0) {
            oci_error_sys(err, "stat %s", path);
            close(fd);
            return -1;
        }
        if (st.st_uid != geteuid()) {
            close(fd);
            return oci_error_set(err, EPERM, "container \"%s\" belongs to uid %u, not to uid %u", id,
                                 (unsigned) st.st_uid, (unsigned) geteuid());
        }
    }
    *dirfd = fd;
    return 0;
}

int oci_state_open_dir(const char *root, const char *id, bool exclusive, int *dirfd, oci_err_t *err)
{
    cleanup_close int fd = -1;

    if (oci_state_open_dir_unlocked(root, id, &fd, err) < 0)
        return -1;
    if (lock_dir(fd, exclusive, root, id, err) < 0)
        return -1;
    *dirfd = steal_fd(&fd);
    return 0;
}

/* Empty the directory fd (recursively) without following symlinks. */
static int remove_contents(int dirfd, const char *path, int depth, oci_err_t *err)
{
    cleanup_dir DIR *d = NULL;
    struct dirent *de;
    int dup_fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 0);

    if (dup_fd < 0)
        return oci_error_sys(err, "dup");
    d = fdopendir(dup_fd);
    if (d == NULL) {
        close(dup_fd);
        return oci_error_sys(err, "opendir %s", path);
    }
    while ((errno = 0, de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if (unlinkat(dirfd, de->d_name, 0) == 0 || errno == ENOENT)
            continue;
        if (errno != EISDIR && errno != EPERM)
            return oci_error_sys(err, "unlink %s/%s", path, de->d_name);
        /* a subdirectory: nothing we create, but clear it rather than leave the id stuck */
        cleanup_free char *sub = xasprintf("%s/%s", path, de->d_name);
        cleanup_close int subfd = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (subfd < 0)
            return oci_error_sys(err, "open %s", sub);
        if (depth >= REMOVE_MAX_DEPTH)
            return oci_error_set(err, ELOOP, "remove %s", sub);
        if (remove_contents(subfd, sub, depth + 1, err) < 0)
            return -1;
        if (unlinkat(dirfd, de->d_name, AT_REMOVEDIR) < 0 && errno != ENOENT)
            return oci_error_sys(err, "rmdir %s", sub);
    }
    if (errno)
        return oci_error_sys(err, "readdir %s", path);
    return 0;
}

int oci_state_remove_dir(const char *root, const char *id, oci_err_t *err)
{
    cleanup_free char *path = NULL;
    cleanup_close int fd = -1;

    if (oci_id_validate(id, err) < 0)
        return -1;
    path = xasprintf("%s/%s", root, id);
    fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return 0;
        return oci_error_sys(err, "open %s", path);
    }
    if (remove_contents(fd, path, 0, err) < 0)
        return oci_error_wrap(err, "remove container \"%s\"", id);
    if (rmdir(path) < 0 && errno != ENOENT)
        return oci_error_sys(err, "remove container \"%s\": rmdir %s", id, path);
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *) a, *(char *const *) b);
}

static bool entry_is_dir(DIR *d, const struct dirent *de)
{
    struct stat sb;

    if (de->d_type == DT_DIR)
        return true;
    if (de->d_type != DT_UNKNOWN)
        return false;
    return fstatat(dirfd(d), de->d_name, &sb, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(sb.st_mode);
}

int oci_state_list_ids(const char *root, char ***ids, size_t *n, oci_err_t *err)
{
    cleanup_dir DIR *d = opendir(root);
    cleanup_strv char **v = NULL;
    size_t len = 0, cap = 16;
    struct dirent *de;

    if (d == NULL && errno != ENOENT)
        return oci_error_sys(err, "open state root %s", root);
    v = xzalloc(cap * sizeof(*v));
    while (d && (errno = 0, de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.' || !entry_is_dir(d, de) || oci_id_validate(de->d_name, NULL) < 0)
            continue;
        if (len + 1 >= cap) {
            cap *= 2;
            v = xrealloc(v, cap * sizeof(*v));
        }
        v[len++] = xstrdup(de->d_name);
        v[len] = NULL;
    }
    if (d && errno)
        return oci_error_sys(err, "readdir %s", root);
    qsort(v, len, sizeof(*v), cmp_str);
    *ids = steal_pointer(&v);
    *n = len;
    return 0;
}

/* --- state.json ---------------------------------------------------------------------------- */

static void gen_key_str(yajl_gen g, const char *key, const char *value)
{
    oci_json_gen_str(g, key);
    if (value)
        oci_json_gen_str(g, value);
    else
        yajl_gen_null(g);
}

static void gen_key_int(yajl_gen g, const char *key, long long value)
{
    oci_json_gen_str(g, key);
    yajl_gen_integer(g, value);
}

static void gen_key_bool(yajl_gen g, const char *key, bool value)
{
    oci_json_gen_str(g, key);
    yajl_gen_bool(g, value);
}

static void gen_map(yajl_gen g, const char *key, const struct oci_map *m)
{
    oci_json_gen_str(g, key);
    yajl_gen_map_open(g);
    for (size_t i = 0; i < m->len; i++)
        gen_key_str(g, m->items[i].key, m->items[i].value ? m->items[i].value : "");
    yajl_gen_map_close(g);
}

static void gen_strv(yajl_gen g, const char *key, const struct oci_strv *v)
{
    if (v->v == NULL)
        return;
    oci_json_gen_str(g, key);
    yajl_gen_array_open(g);
    for (size_t i = 0; i < v->len; i++)
        oci_json_gen_str(g, v->v[i]);
    yajl_gen_array_close(g);
}

/* The config.json shape: {"path", "args", "env", "timeout"}. */
static void gen_hooks(yajl_gen g, const char *key, const struct oci_hooks_list *l)
{
    if (l->len == 0)
        return;
    oci_json_gen_str(g, key);
    yajl_gen_array_open(g);
    for (size_t i = 0; i < l->len; i++) {
        const struct oci_hook *h = &l->items[i];
        yajl_gen_map_open(g);
        gen_key_str(g, "path", h->path);
        gen_strv(g, "args", &h->args);
        gen_strv(g, "env", &h->env);
        if (h->timeout.set)
            gen_key_int(g, "timeout", h->timeout.value);
        yajl_gen_map_close(g);
    }
    yajl_gen_array_close(g);
}

int oci_state_write(int dirfd, const struct oci_state *st, oci_err_t *err)
{
    yajl_gen g = oci_json_gen_new(NULL);
    cleanup_free char *text = NULL;
    size_t len;

    yajl_gen_map_open(g);
    gen_key_int(g, "format", STATE_FORMAT);
    gen_key_str(g, "ociVersion", OCI_SPEC_VERSION);
    gen_key_str(g, "id", st->id);
    gen_key_int(g, "pid", st->pid);
    gen_key_int(g, "pidStartTime", (long long) st->pid_start_time);
    gen_key_str(g, "bundle", st->bundle);
    gen_key_str(g, "rootfs", st->rootfs);
    gen_key_str(g, "created", st->created);
    gen_key_str(g, "owner", st->owner ? st->owner : "");
    gen_map(g, "annotations", &st->annotations);
    gen_map(g, "cgroupPaths", &st->cgroup_paths);
    gen_key_bool(g, "cgroupCreated", st->cgroup_created);
    gen_strv(g, "cgroupPreexisting", &st->cgroup_preexisting);
    gen_key_bool(g, "systemdCgroup", st->systemd_cgroup);
    gen_hooks(g, "poststartHooks", &st->poststart);
    gen_hooks(g, "poststopHooks", &st->poststop);
    if (st->creating)
        gen_key_bool(g, "creating", true);
    if (st->start_hooks_ms)
        gen_key_int(g, "startHooksTimeoutMs", st->start_hooks_ms);
    if (st->host_rootfs_mount)
        gen_key_int(g, "hostRootfsMount", (long long) st->host_rootfs_mount);
    if (st->no_new_keyring)
        gen_key_bool(g, "noNewKeyring", true);
    yajl_gen_map_close(g);
    text = oci_json_gen_finish(g, &len);
    if (write_file_atomic_at(dirfd, OCI_STATE_FILE, text, len, 0600, err) < 0)
        return oci_error_wrap(err, "container \"%s\": write state", st->id);
    return 0;
}

static yajl_val field(yajl_val root, const char *key)
{
    const char *path[] = { key, NULL };
    return yajl_tree_get(root, path, yajl_t_any);
}

/* Required string, or NULL allowed when nullable. */
static int read_str(yajl_val root, const char *key, bool nullable, char **out, oci_err_t *err)
{
    yajl_val v = field(root, key);

    if (v && YAJL_IS_STRING(v)) {
        *out = xstrdup(YAJL_GET_STRING(v));
        return 0;
    }
    if (nullable && (v == NULL || YAJL_IS_NULL(v))) {
        *out = NULL;
        return 0;
    }
    return oci_error_set(err, 0, "%s: expected a string", key);
}

static int read_int(yajl_val root, const char *key, long long min, long long *out, oci_err_t *err)
{
    yajl_val v = field(root, key);

    if (v == NULL || !YAJL_IS_INTEGER(v) || YAJL_GET_INTEGER(v) < min)
        return oci_error_set(err, 0, "%s: expected an integer >= %lld", key, min);
    *out = YAJL_GET_INTEGER(v);
    return 0;
}

static int read_bool(yajl_val root, const char *key, bool *out, oci_err_t *err)
{
    yajl_val v = field(root, key);

    if (v == NULL || !(YAJL_IS_TRUE(v) || YAJL_IS_FALSE(v)))
        return oci_error_set(err, 0, "%s: expected a boolean", key);
    *out = YAJL_IS_TRUE(v);
    return 0;
}

static int read_map(yajl_val root, const char *key, struct oci_map *m, oci_err_t *err)
{
    yajl_val v = field(root, key);
    size_t n;

    if (v == NULL || YAJL_IS_NULL(v))
        return 0;
    if (!YAJL_IS_OBJECT(v))
        return oci_error_set(err, 0, "%s: expected an object", key);
    n = YAJL_GET_OBJECT(v)->len;
    m->items = xzalloc((n ? n : 1) * sizeof(*m->items));
    for (size_t i = 0; i < n; i++) {
        yajl_val value = YAJL_GET_OBJECT(v)->values[i];
        if (!YAJL_IS_STRING(value))
            return oci_error_set(err, 0, "%s[\"%s\"]: expected a string", key,
                                 YAJL_GET_OBJECT(v)->keys[i]);
        m->items[i].key = xstrdup(YAJL_GET_OBJECT(v)->keys[i]);
        m->items[i].value = xstrdup(YAJL_GET_STRING(value));
        m->len = i + 1;
    }
    return 0;
}

static int read_strv(yajl_val obj, const char *key, struct oci_strv *out, oci_err_t *err)
{
    yajl_val v = field(obj, key);

    if (v == NULL)
        return 0;
    if (!YAJL_IS_ARRAY(v))
        return oci_error_set(err, 0, "%s: expected an array", key);
    out->len = v->u.array.len;
    out->v = xzalloc((out->len + 1) * sizeof(*out->v));
    for (size_t i = 0; i < out->len; i++) {
        if (!YAJL_IS_STRING(v->u.array.values[i]))
            return oci_error_set(err, 0, "%s[%zu]: expected a string", key, i);
        out->v[i] = xstrdup(YAJL_GET_STRING(v->u.array.values[i]));
    }
    return 0;
}

/* Optional: state.json written before hooks ran has none. */
static int read_hooks(yajl_val root, const char *key, struct oci_hooks_list *l, oci_err_t *err)
{
    yajl_val v = field(root, key);
    size_t n;

    if (v == NULL)
        return 0;
    if (!YAJL_IS_ARRAY(v))
        return oci_error_set(err, 0, "%s: expected an array", key);
    n = v->u.array.len;
    l->items = xzalloc((n ? n : 1) * sizeof(*l->items));
    for (size_t i = 0; i < n; i++) {
        yajl_val h = v->u.array.values[i];
        struct oci_hook *hook = &l->items[i];
        long long timeout;

        l->len = i + 1;
        if (!YAJL_IS_OBJECT(h))
            return oci_error_set(err, 0, "%s[%zu]: expected an object", key, i);
        if (read_str(h, "path", false, &hook->path, err) < 0 || read_strv(h, "args", &hook->args, err) < 0 ||
            read_strv(h, "env", &hook->env, err) < 0)
            return oci_error_wrap(err, "%s[%zu]", key, i);
        if (field(h, "timeout")) {
            if (read_int(h, "timeout", 1, &timeout, err) < 0)
                return oci_error_wrap(err, "%s[%zu]", key, i);
            hook->timeout.set = true;
            hook->timeout.value = timeout;
        }
    }
    return 0;
}

static int state_from_tree(yajl_val root, struct oci_state *st, oci_err_t *err)
{
    long long format, pid, start, hooks_ms = 0;

    if (!YAJL_IS_OBJECT(root))
        return oci_error_set(err, 0, "expected an object");
    if (read_int(root, "format", 1, &format, err) < 0)
        return -1;
    if (format > STATE_FORMAT)
        return oci_error_set(err, 0, "format %lld is newer than this ocirun understands (%d)",
                             format, STATE_FORMAT);
    if (read_str(root, "id", false, &st->id, err) < 0 ||
        read_int(root, "pid", 0, &pid, err) < 0 ||
        read_int(root, "pidStartTime", 0, &start, err) < 0 ||
        read_str(root, "bundle", false, &st->bundle, err) < 0 ||
        read_str(root, "rootfs", false, &st->rootfs, err) < 0 ||
        read_str(root, "created", false, &st->created, err) < 0 ||
        read_str(root, "owner", false, &st->owner, err) < 0 ||
        read_map(root, "annotations", &st->annotations, err) < 0 ||
        read_map(root, "cgroupPaths", &st->cgroup_paths, err) < 0 ||
        read_bool(root, "cgroupCreated", &st->cgroup_created, err) < 0 ||
        read_strv(root, "cgroupPreexisting", &st->cgroup_preexisting, err) < 0 ||
        read_bool(root, "systemdCgroup", &st->systemd_cgroup, err) < 0 ||
        read_hooks(root, "poststartHooks", &st->poststart, err) < 0 ||
        read_hooks(root, "poststopHooks", &st->poststop, err) < 0 ||
        (field(root, "startHooksTimeoutMs") && read_int(root, "startHooksTimeoutMs", -1, &hooks_ms, err) < 0))
        return -1;
    /* Optional: only a state written half way through create has it. */
    if (field(root, "creating") && read_bool(root, "creating", &st->creating, err) < 0)
        return -1;
    if (field(root, "hostRootfsMount")) {
        long long mnt;

        if (read_int(root, "hostRootfsMount", 1, &mnt, err) < 0)
            return -1;
        st->host_rootfs_mount = (uint64_t) mnt;
    }
    if (field(root, "noNewKeyring") && read_bool(root, "noNewKeyring", &st->no_new_keyring, err) < 0)
        return -1;
    if (pid > INT32_MAX)
        return oci_error_set(err, 0, "pid: %lld out of range", pid);
    st->pid = (pid_t) pid;
    st->pid_start_time = (uint64_t) start;
    st->start_hooks_ms = hooks_ms;
    return 0;
}

int oci_state_save_config(int dirfd, const char *text, size_t len, oci_err_t *err)
{
    if (write_file_at(dirfd, OCI_CONFIG_FILE, text, len, 0600, err) < 0)
        return oci_error_wrap(err, "save the container's configuration");
    return 0;
}

int oci_state_load_config(int dirfd, struct oci_spec **spec, oci_err_t *err)
{
    return oci_spec_load_at(dirfd, OCI_CONFIG_FILE, spec, NULL, NULL, err);
}

int oci_state_parse(const char *text, const char *id, struct oci_state **out, oci_err_t *err)
{
    struct oci_state *st;
    char errbuf[256] = "";
    yajl_val root;
    int ret;

    root = yajl_tree_parse(text, errbuf, sizeof(errbuf));
    if (root == NULL) {
        const char *msg = errbuf;

        if (strncmp(msg, "parse error: ", 13) == 0)
            msg += 13;
        errbuf[strcspn(errbuf, "\n")] = '\0';
        return oci_error_set(err, 0, "container \"%s\": %s: parse error: %s", id, OCI_STATE_FILE,
                             msg[0] ? msg : "invalid JSON");
    }
    st = xzalloc(sizeof(*st));
    ret = state_from_tree(root, st, err);
    yajl_tree_free(root);
    if (ret == 0 && strcmp(st->id, id) != 0)
        ret = oci_error_set(err, 0, "id: \"%s\" does not match the directory", st->id);
    if (ret < 0) {
        oci_state_free(st);
        return oci_error_wrap(err, "container \"%s\": %s", id, OCI_STATE_FILE);
    }
    *out = st;
    return 0;
}

int oci_state_read(int dirfd, const char *id, struct oci_state **out, oci_err_t *err)
{
    cleanup_free char *text = NULL;

    if (read_file_at(dirfd, OCI_STATE_FILE, &text, NULL, err) < 0) {
        if (oci_error_errno(err) == ENOENT)
            return oci_error_wrap(err, "container \"%s\" does not exist", id);
        return oci_error_wrap(err, "container \"%s\"", id);
    }
    return oci_state_parse(text, id, out, err);
}

/* --- liveness and status ------------------------------------------------------------------- */

/* After the comm field's closing ')', state is field 3 and starttime field 22. */
#define STAT_FIELD_STATE 3
#define STAT_FIELD_STARTTIME 22

int oci_pid_file_write(const char *path, pid_t pid, oci_err_t *err)
{
    char buf[32];
    int n = snprintf(buf, sizeof(buf), "%d", (int) pid);

    if (write_file_atomic_at(AT_FDCWD, path, buf, (size_t) n, 0644, err) < 0)
        return oci_error_wrap(err, "--pid-file");
    return 0;
}

int oci_proc_stat(pid_t pid, uint64_t *start_time, char *state)
{
    char path[64];

    if (pid <= 0)
        return -ESRCH;
    snprintf(path, sizeof(path), "/proc/%d/stat", (int) pid);
    return oci_proc_stat_path(path, start_time, state);
}

int oci_proc_wait_info(pid_t pid, char *wchan, size_t len, long *syscall_nr)
{
    char path[64], buf[256];
    cleanup_close int fd = -1;
    ssize_t n;

    wchan[0] = '\0';
    *syscall_nr = -1;
    snprintf(path, sizeof(path), "/proc/%d/wchan", (int) pid);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    n = read_all(fd, buf, sizeof(buf) - 1);
    if (n > 0 && !(n == 1 && buf[0] == '0')) {
        buf[n] = '\0';
        snprintf(wchan, len, "%s", buf);
    }
    close_fd(&fd);
    /* "NR ARGS... SP PC" while blocked in a syscall; "running" or "-1 ..." otherwise. */
    snprintf(path, sizeof(path), "/proc/%d/syscall", (int) pid);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0 && (n = read_all(fd, buf, sizeof(buf) - 1)) > 0) {
        buf[n] = '\0';
        if (buf[0] >= '0' && buf[0] <= '9')
            *syscall_nr = strtol(buf, NULL, 10);
    }
    return 0;
}

int oci_proc_stat_path(const char *path, uint64_t *start_time, char *state)
{
    char buf[4096];
    cleanup_close int fd = -1;
    char *p, *end;
    ssize_t n;

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? -ESRCH : -errno;
    n = read_all(fd, buf, sizeof(buf) - 1);
    if (n < 0)
        return errno == ESRCH ? -ESRCH : -errno;
    buf[n] = '\0';
    /* comm may hold spaces and ')', but nothing after it can: the last ')' ends it. */
    p = strrchr(buf, ')');
    if (p == NULL || p[1] != ' ' || p[2] == '\0')
        return -EINVAL;
    p += 2;
    if (state)
        *state = *p;
    for (int field = STAT_FIELD_STATE; field < STAT_FIELD_STARTTIME; field++) {
        p = strchr(p, ' ');
        if (p == NULL)
            return -EINVAL;
        p++;
    }
    errno = 0;
    unsigned long long v = strtoull(p, &end, 10);
    if (errno || end == p || (*end != ' ' && *end != '\n' && *end != '\0'))
        return -EINVAL;
    if (start_time)
        *start_time = v;
    return 0;
}

bool oci_state_pid_alive(const struct oci_state *st)
{
    uint64_t start;
    char state;

    if (st == NULL || st->pid <= 0)
        return false;
    if (oci_proc_stat(st->pid, &start, &state) < 0)
        return false;
    return start == st->pid_start_time && state != 'Z' && state != 'X';
}

bool oci_state_dir_locked(int dirfd)
{
    /* A lock of our own on a new open file description: flock conflicts with the holder's. */
    cleanup_close int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    if (fd < 0)
        return false;
    if (flock(fd, LOCK_SH | LOCK_NB) == 0)
        return false;
    return errno == EWOULDBLOCK;
}

/* The init has not exec'd yet: its comm is still ours (an unreadable one counts as ours). */
static bool init_not_execd(pid_t pid)
{
    char path[64], comm[32];
    cleanup_close int fd = -1;
    ssize_t n;

    snprintf(path, sizeof(path), "/proc/%d/comm", (int) pid);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || (n = read(fd, comm, sizeof(comm) - 1)) <= 0)
        return true;
    comm[n] = '\0';
    comm[strcspn(comm, "\n")] = '\0';
    return strcmp(comm, OCI_INIT_COMM) == 0;
}

enum oci_status oci_state_status(int dirfd, const struct oci_state *st)
{
    if (st->creating)
        return oci_state_dir_locked(dirfd) ? OCI_STATUS_CREATING : OCI_STATUS_STOPPED;
    if (!oci_state_pid_alive(st))
        return OCI_STATUS_STOPPED;
    if (faccessat(dirfd, OCI_EXEC_FIFO, F_OK, AT_SYMLINK_NOFOLLOW) == 0 && init_not_execd(st->pid))
        return OCI_STATUS_CREATED;
    return OCI_STATUS_RUNNING;
}

/* --- runtime-spec state JSON --------------------------------------------------------------- */

/* yajl's beautify mode prints an empty map as "{\n\n  }"; runc-like output wants "{}".
 * annotations is the last key, so only the tail of the text needs fixing. */
static void compact_empty_map_tail(char *text)
{
    static const char ugly[] = "{\n\n  }\n}";
    size_t len = strlen(text), n = strlen(ugly);

    if (len >= n && strcmp(text + len - n, ugly) == 0)
        strcpy(text + len - n, "{}\n}");
}

void oci_state_gen(yajl_gen g, const struct oci_state *st, enum oci_status status)
{
    yajl_gen_map_open(g);
    gen_key_str(g, "ociVersion", OCI_SPEC_VERSION);
    gen_key_str(g, "id", st->id);
    gen_key_int(g, "pid", status == OCI_STATUS_STOPPED ? 0 : st->pid);
    gen_key_str(g, "status", oci_status_name(status));
    gen_key_str(g, "bundle", st->bundle ? st->bundle : "");
    gen_key_str(g, "rootfs", st->rootfs ? st->rootfs : "");
    gen_key_str(g, "created", st->created ? st->created : "");
    gen_key_str(g, "owner", st->owner ? st->owner : "");
    gen_map(g, "annotations", &st->annotations);
    yajl_gen_map_close(g);
}

char *oci_state_to_json(const struct oci_state *st, enum oci_status status, bool pretty)
{
    yajl_gen g = oci_json_gen_new(pretty ? "  " : NULL);
    char *out;

    oci_state_gen(g, st, status);
    out = oci_json_gen_finish(g, NULL);
    if (pretty && st->annotations.len == 0)
        compact_empty_map_tail(out);
    return out;
}

int oci_state_open_pidfd(const struct oci_state *st, int *pidfd)
{
    int fd = syscall(SYS_pidfd_open, st->pid, 0);

    if (fd < 0)
        return -errno;
    /* The pid is pinned by the pidfd now; make sure it is still our init. */
    if (!oci_state_pid_alive(st)) {
        close(fd);
        return -ESRCH;
    }
    *pidfd = fd;
    return 0;
}
