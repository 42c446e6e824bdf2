/* exec_opts.c: exec's command line applied to the process to run: user, env, caps, sub-cgroups (pure, unit-tested). */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "ocirun/container/exec.h"
#include "ocirun/core/utils.h"
#include "ocirun/security/capabilities.h"

/* runc's range for the ids of its command line (libcontainer/user): 0 to 2^31-1. */
#define EXEC_ID_MAX INT32_MAX

/* 0 ok, -1 not a number, -2 out of EXEC_ID_MAX's range. */
static int parse_id(const char *s, uint32_t *out)
{
    int64_t v;

    /* strtoll would also take leading blanks and '+'. */
    if (!isdigit((unsigned char) s[s[0] == '-']) || parse_int64(s, &v) < 0)
        return -1;
    if (v < 0 || v > EXEC_ID_MAX)
        return -2;
    *out = (uint32_t) v;
    return 0;
}

static int bad_user_id(const char *arg, const char *what, const char *val, int ret, oci_err_t *err)
{
    if (ret == -2)
        return oci_error_set(err, 0, "--user \"%s\": %s %s out of range (uids and gids must be in range 0-%d)", arg,
                             what, val, EXEC_ID_MAX);
    return oci_error_set(err, 0, "--user \"%s\": invalid %s \"%s\" (want UID[:GID], numeric)", arg, what, val);
}

int oci_exec_parse_user(const char *s, uint32_t *uid, uint32_t *gid, bool *has_gid, oci_err_t *err)
{
    cleanup_free char *copy = xstrdup(s);
    char *colon = strchr(copy, ':');
    int ret;

    *has_gid = colon != NULL;
    if (colon)
        *colon = '\0';
    if ((ret = parse_id(copy, uid)) < 0)
        return bad_user_id(s, "uid", copy, ret, err);
    if (colon && (ret = parse_id(colon + 1, gid)) < 0)
        return bad_user_id(s, "gid", colon + 1, ret, err);
    return 0;
}

static void strv_push(struct oci_strv *v, char *s)
{
    v->v = xrealloc(v->v, (v->len + 2) * sizeof(char *));
    v->v[v->len++] = s;
    v->v[v->len] = NULL;
}

void oci_env_set(struct oci_strv *env, const char *kv)
{
    const char *eq = strchr(kv, '=');
    size_t klen = eq ? (size_t) (eq - kv) : strlen(kv);

    for (size_t i = 0; i < env->len; i++) {
        if (strncmp(env->v[i], kv, klen) == 0 && (env->v[i][klen] == '=' || env->v[i][klen] == '\0')) {
            free(env->v[i]);
            env->v[i] = xstrdup(kv);
            return;
        }
    }
    strv_push(env, xstrdup(kv));
}

static bool strv_has(const struct oci_strv *v, const char *s)
{
    for (size_t i = 0; i < v->len; i++)
        if (strcmp(v->v[i], s) == 0)
            return true;
    return false;
}

static void add_once(struct oci_strv *v, const char *s)
{
    if (!strv_has(v, s))
        strv_push(v, xstrdup(s));
}

int oci_exec_add_cap(struct oci_capabilities *c, const char *name, oci_err_t *err)
{
    int v = oci_cap_from_name(name);
    const char *canon;

    if (v < 0)
        return oci_error_set(err, 0, "--cap \"%s\": unknown capability", name);
    /* The spec's spelling (CAP_SYS_ADMIN), whatever case was given. */
    canon = oci_cap_name(v);
    add_once(&c->bounding, canon);
    add_once(&c->effective, canon);
    add_once(&c->permitted, canon);
    add_once(&c->ambient, canon);
    return 0;
}

/* ---- sub-cgroups ---- */

static bool key_has_controller(const char *key, const char *ctrl)
{
    size_t n = strlen(ctrl);

    for (const char *p = key; p && *p; ) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t) (comma - p) : strlen(p);
        if (len == n && strncmp(p, ctrl, n) == 0)
            return true;
        p = comma ? comma + 1 : NULL;
    }
    return false;
}

/* PATH cleaned lexically, as runc joins it to the container's path: "." and empty components
 * dropped, ".." takes one back but may not leave the container's cgroup. "" is that cgroup. */
static int clean_sub_path(const char *arg, const char *path, char **out, oci_err_t *err)
{
    cleanup_free char *copy = xstrdup(path);
    cleanup_free char *clean = xzalloc(strlen(path) + 1);
    size_t len = 0;
    char *save = NULL;

    for (char *t = strtok_r(copy, "/", &save); t; t = strtok_r(NULL, "/", &save)) {
        if (strcmp(t, ".") == 0)
            continue;
        if (strcmp(t, "..") == 0) {
            if (len == 0)
                return oci_error_set(err, 0, "--cgroup \"%s\": %s is not a sub-cgroup of the container's", arg, path);
            while (len > 0 && clean[len - 1] != '/')
                len--;
            len -= len > 0;
            clean[len] = '\0';
            continue;
        }
        len += (size_t) sprintf(clean + len, "%s%s", len ? "/" : "", t);
    }
    *out = steal_pointer(&clean);
    return 0;
}

static void set_sub(struct oci_cgroup_dir *d, const char *clean)
{
    char *joined;

    if (*clean == '\0')
        return;
    joined = xasprintf("%s/%s", d->path, clean);
    free(d->path);
    d->path = joined;
}

/* CONTROLLERS ("cpu,memory") -> PATH in the matching directories; DONE marks what was set. */
static int apply_per_controller(struct oci_cgroup *cg, const char *arg, char *ctrls, const char *path, bool *done,
                                oci_err_t *err)
{
    char *save = NULL;

    if (*ctrls == '\0')
        return oci_error_set(err, 0, "--cgroup \"%s\": empty controller", arg);
    for (char *c = strtok_r(ctrls, ",", &save); c; c = strtok_r(NULL, ",", &save)) {
        size_t i;

        for (i = 0; i < cg->n_dirs; i++)
            if (key_has_controller(cg->dirs[i].key, c))
                break;
        if (i == cg->n_dirs)
            return oci_error_set(err, 0, "--cgroup \"%s\": the container has no \"%s\" cgroup", arg, c);
        if (done[i])
            return oci_error_set(err, 0, "--cgroup \"%s\": controller %s given more than once", arg, c);
        done[i] = true;
        set_sub(&cg->dirs[i], path);
    }
    return 0;
}

int oci_exec_sub_cgroups(struct oci_cgroup *cg, const struct oci_strv *args, oci_err_t *err)
{
    cleanup_free bool *done = xzalloc((cg->n_dirs + 1) * sizeof(bool));

    for (size_t a = 0; a < args->len; a++) {
        const char *arg = args->v[a];
        cleanup_free char *copy = xstrdup(arg);
        cleanup_free char *path = NULL;
        char *colon = strchr(copy, ':');

        if (colon && strchr(colon + 1, ':'))
            return oci_error_set(err, 0, "--cgroup \"%s\": more than one ':' (want [CONTROLLER[,CONTROLLER]:]PATH)",
                                 arg);
        if (colon)
            *colon = '\0';
        if (clean_sub_path(arg, colon ? colon + 1 : copy, &path, err) < 0)
            return -1;
        if (colon) {
            if (apply_per_controller(cg, arg, copy, path, done, err) < 0)
                return -1;
            continue;
        }
        if (args->len != 1)
            return oci_error_set(err, 0, "--cgroup \"%s\": a path for every controller cannot be combined with "
                                 "other --cgroup options (use CONTROLLER:PATH)", arg);
        if (cg->n_dirs == 0)
            return oci_error_set(err, 0, "--cgroup \"%s\": the container has no cgroup", arg);
        for (size_t i = 0; i < cg->n_dirs; i++)
            set_sub(&cg->dirs[i], path);
    }
    return 0;
}

/* ---- the process ---- */

/* -g GID: added once (runc keeps a set: a gid the config or an earlier -g has is not repeated). */
static int add_gid(struct oci_user *u, const char *arg, oci_err_t *err)
{
    uint32_t g;
    int ret = parse_id(arg, &g);

    if (ret == -2 && arg[0] == '-')
        return oci_error_set(err, 0, "--additional-gids \"%s\": must be a positive number", arg);
    if (ret == -2)
        return oci_error_set(err, 0, "--additional-gids \"%s\": out of range (uids and gids must be in range 0-%d)",
                             arg, EXEC_ID_MAX);
    if (ret < 0)
        return oci_error_set(err, 0, "--additional-gids \"%s\": invalid gid", arg);
    for (size_t i = 0; i < u->n_additional_gids; i++)
        if (u->additional_gids[i] == g)
            return 0;
    u->additional_gids = xrealloc(u->additional_gids, (u->n_additional_gids + 1) * sizeof(uint32_t));
    u->additional_gids[u->n_additional_gids++] = g;
    return 0;
}

static int apply_user(const struct oci_exec_opts *o, struct oci_user *u, oci_err_t *err)
{
    bool has_gid;
    uint32_t uid, gid = u->gid;

    if (o->user) {
        if (oci_exec_parse_user(o->user, &uid, &gid, &has_gid, err) < 0)
            return -1;
        u->uid = uid;
        u->gid = gid;
    }
    for (size_t i = 0; i < o->additional_gids.len; i++)
        if (add_gid(u, o->additional_gids.v[i], err) < 0)
            return -1;
    return 0;
}

static void replace_str(char **field, const char *value)
{
    if (value == NULL)
        return;
    free(*field);
    *field = xstrdup(value);
}

int oci_exec_apply_opts(const struct oci_exec_opts *o, struct oci_process *p, oci_err_t *err)
{
    if (o->args && o->args[0]) {
        strv_free(p->args.v);
        p->args.v = NULL;
        p->args.len = 0;
        for (char **a = o->args; *a; a++)
            strv_push(&p->args, xstrdup(*a));
    }
    if (o->cwd && o->cwd[0] != '/')
        return oci_error_set(err, 0, "--cwd \"%s\": must be an absolute path", o->cwd);
    replace_str(&p->cwd, o->cwd);
    for (size_t i = 0; i < o->env.len; i++)
        oci_env_set(&p->env, o->env.v[i]);
    if (apply_user(o, &p->user, err) < 0)
        return -1;
    for (size_t i = 0; i < o->caps.len; i++) {
        /* Without process.capabilities the process has none: --cap adds to empty sets. */
        if (p->capabilities == NULL)
            p->capabilities = xzalloc(sizeof(*p->capabilities));
        if (oci_exec_add_cap(p->capabilities, o->caps.v[i], err) < 0)
            return -1;
    }
    if (o->no_new_privs)
        p->no_new_privileges = true;
    /* As runc: config.json's process.terminal is the init's; exec has a terminal only with -t
     * (or terminal in a --process file, which does not come here). */
    p->terminal = o->tty;
    replace_str(&p->apparmor_profile, o->apparmor);
    replace_str(&p->selinux_label, o->process_label);
    return 0;
}
