/* seccomp.c: linux.seccomp translated with libseccomp to BPF, the ENOSYS stub, and loading it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include "ocirun/core/log.h"
#include "ocirun/core/utils.h"
#include "ocirun/security/seccomp.h"

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif
#ifndef SECCOMP_FILTER_FLAG_TSYNC_ESRCH
#define SECCOMP_FILTER_FLAG_TSYNC_ESRCH (1UL << 4)
#endif

static const struct { const char *name; unsigned int value; } filter_flags[] = {
    { "SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC },
    { "SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG },
    { "SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW },
    { "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV },
};

unsigned int oci_seccomp_flag_value(const char *flag)
{
    for (size_t i = 0; i < ARRAY_SIZE(filter_flags); i++)
        if (strcmp(flag, filter_flags[i].name) == 0)
            return filter_flags[i].value;
    return 0;
}

bool oci_seccomp_notifies(const struct oci_seccomp *s, const char *name)
{
    for (size_t i = 0; s && i < s->n_syscalls; i++) {
        if (strcmp(s->syscalls[i].action, "SCMP_ACT_NOTIFY") != 0)
            continue;
        for (size_t j = 0; j < s->syscalls[i].names.len; j++)
            if (strcmp(s->syscalls[i].names.v[j], name) == 0)
                return true;
    }
    return false;
}

void oci_seccomp_filter_free(struct oci_seccomp_filter *f)
{
    free(f->insns);
    memset(f, 0, sizeof(*f));
}

int oci_seccomp_load(const struct oci_seccomp_filter *f, int *listener_fd, oci_err_t *err)
{
    struct sock_fprog prog = { .len = (unsigned short) f->len, .filter = f->insns };
    unsigned int flags = f->flags;
    long ret;

    *listener_fd = -1;
    if (f->insns == NULL)
        return 0;
    if (f->notify)
        flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
    /* TSYNC and NEW_LISTENER together need TSYNC_ESRCH; we are single-threaded anyway. */
    if ((flags & SECCOMP_FILTER_FLAG_TSYNC) && (flags & SECCOMP_FILTER_FLAG_NEW_LISTENER))
        flags |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
    ret = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
    if (ret < 0) {
        if (errno == EACCES)
            return oci_error_sys(err, "linux.seccomp: seccomp(SECCOMP_SET_MODE_FILTER) needs "
                                 "process.noNewPrivileges or CAP_SYS_ADMIN");
        return oci_error_sys(err, "linux.seccomp: seccomp(SECCOMP_SET_MODE_FILTER, flags 0x%x)", flags);
    }
    if (f->notify)
        *listener_fd = (int) ret;
    return 0;
}

int oci_seccomp_check(const struct oci_seccomp *s, struct oci_report *r)
{
    struct oci_seccomp_filter f;
    oci_err_t e = NULL;

    /* (a profile refused in part by a collecting parse is not compiled: it would fail on that) */
    if (s == NULL || s->partial)
        return 0;
    if (oci_seccomp_compile(s, &f, &e) < 0)
        return oci_report_err(r, &e);
    oci_seccomp_filter_free(&f);
    return 0;
}

#ifdef OCIRUN_NO_SECCOMP

char *oci_seccomp_syscall_name(long nr)
{
    (void) nr;
    return NULL;
}

long long oci_seccomp_action_value(const char *action, unsigned int errno_ret)
{
    (void) action;
    (void) errno_ret;
    return -1;
}

int oci_seccomp_compile(const struct oci_seccomp *s, struct oci_seccomp_filter *out, oci_err_t *err)
{
    memset(out, 0, sizeof(*out));
    if (s == NULL)
        return 0;
    return oci_error_set(err, ENOTSUP, "linux.seccomp: this ocirun was built without seccomp support "
                         "(WITH_SECCOMP=no)");
}

#else

#include <seccomp.h>
#include "security/libseccomp.h"

/* Set by the entry points below (oci_libseccomp) before any helper calls through it. */
static const struct oci_libseccomp *sc;

/* A filter context released on scope exit. */
static void release_ctx(scmp_filter_ctx *ctx)
{
    if (*ctx)
        sc->release(*ctx);
}
#define cleanup_scmp __attribute__((cleanup(release_ctx)))

char *oci_seccomp_syscall_name(long nr)
{
    oci_err_t err = NULL;

    if (nr < 0 || nr > INT32_MAX)
        return NULL;
    sc = oci_libseccomp(&err);
    if (sc == NULL) {
        oci_error_free(&err);
        return NULL;
    }
    return sc->syscall_resolve_num_arch(SCMP_ARCH_NATIVE, (int) nr);
}

long long oci_seccomp_action_value(const char *action, unsigned int errno_ret)
{
    static const struct { const char *name; uint32_t value; } fixed[] = {
        { "SCMP_ACT_KILL", SCMP_ACT_KILL },
        { "SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS },
        { "SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD },
        { "SCMP_ACT_TRAP", SCMP_ACT_TRAP },
        { "SCMP_ACT_ALLOW", SCMP_ACT_ALLOW },
        { "SCMP_ACT_LOG", SCMP_ACT_LOG },
        { "SCMP_ACT_NOTIFY", SCMP_ACT_NOTIFY },
    };

    if (strcmp(action, "SCMP_ACT_ERRNO") == 0)
        return SCMP_ACT_ERRNO(errno_ret);
    if (strcmp(action, "SCMP_ACT_TRACE") == 0)
        return SCMP_ACT_TRACE(errno_ret);
    for (size_t i = 0; i < ARRAY_SIZE(fixed); i++)
        if (strcmp(action, fixed[i].name) == 0)
            return fixed[i].value;
    return -1;
}

static uint32_t action_of(const char *action, struct oci_opt_u32 errno_ret)
{
    return (uint32_t) oci_seccomp_action_value(action, errno_ret.set ? errno_ret.value : EPERM);
}

/* "SCMP_ARCH_X86_64" -> libseccomp's token; 0 when unknown to this libseccomp. */
static uint32_t arch_token(const char *name)
{
    cleanup_free char *lower = NULL;

    if (strncmp(name, "SCMP_ARCH_", 10) != 0)
        return 0;
    lower = xstrdup(name + 10);
    for (char *p = lower; *p; p++)
        *p = (char) (*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
    return sc->arch_resolve_name(lower);
}

static int add_architectures(scmp_filter_ctx ctx, const struct oci_strv *archs, oci_err_t *err)
{
    for (size_t i = 0; i < archs->len; i++) {
        uint32_t token = arch_token(archs->v[i]);
        int r;

        if (token == 0)
            return oci_error_set(err, 0, "linux.seccomp.architectures[%zu]: unknown architecture \"%s\"",
                                 i, archs->v[i]);
        r = sc->arch_add(ctx, token);
        if (r < 0 && r != -EEXIST)
            return oci_error_set(err, -r, "linux.seccomp.architectures[%zu] \"%s\": seccomp_arch_add: %s",
                                 i, archs->v[i], strerror(-r));
    }
    return 0;
}

static enum scmp_compare compare_op(enum oci_seccomp_op op)
{
    static const enum scmp_compare ops[] = {
        [OCI_OP_NE] = SCMP_CMP_NE, [OCI_OP_LT] = SCMP_CMP_LT, [OCI_OP_LE] = SCMP_CMP_LE,
        [OCI_OP_EQ] = SCMP_CMP_EQ, [OCI_OP_GE] = SCMP_CMP_GE, [OCI_OP_GT] = SCMP_CMP_GT,
        [OCI_OP_MASKED_EQ] = SCMP_CMP_MASKED_EQ,
    };
    return ops[op];
}

/* libseccomp ANDs the conditions of one rule and refuses two on the same argument; the
 * runtime-spec gives no way to say OR, so (as runc) several conditions on one argument mean
 * one rule per condition. */
static bool args_repeat_an_index(const struct oci_syscall_rule *r)
{
    for (size_t i = 0; i < r->n_args; i++)
        for (size_t j = i + 1; j < r->n_args; j++)
            if (r->args[i].index == r->args[j].index)
                return true;
    return false;
}

static struct scmp_arg_cmp arg_cmp(const struct oci_seccomp_arg *a)
{
    return (struct scmp_arg_cmp) {
        .arg = a->index, .op = compare_op(a->op), .datum_a = a->value, .datum_b = a->value_two,
    };
}

static int add_rule(scmp_filter_ctx ctx, uint32_t action, int nr, const struct oci_syscall_rule *r)
{
    struct scmp_arg_cmp cmps[6];
    int ret = 0;

    if (r->n_args == 0)
        return sc->rule_add_array(ctx, action, nr, 0, NULL);
    if (args_repeat_an_index(r)) {
        for (size_t i = 0; i < r->n_args && ret == 0; i++) {
            cmps[0] = arg_cmp(&r->args[i]);
            ret = sc->rule_add_array(ctx, action, nr, 1, cmps);
        }
        return ret;
    }
    if (r->n_args > ARRAY_SIZE(cmps))
        return -E2BIG;
    for (size_t i = 0; i < r->n_args; i++)
        cmps[i] = arg_cmp(&r->args[i]);
    return sc->rule_add_array(ctx, action, nr, (unsigned int) r->n_args, cmps);
}

static int add_rules(scmp_filter_ctx ctx, const struct oci_seccomp *s, uint32_t default_action, oci_err_t *err)
{
    for (size_t i = 0; i < s->n_syscalls; i++) {
        const struct oci_syscall_rule *r = &s->syscalls[i];
        uint32_t action = action_of(r->action, r->errno_ret);

        /* libseccomp refuses a rule that repeats the default; it would change nothing. */
        if (action == default_action)
            continue;
        for (size_t j = 0; j < r->names.len; j++) {
            int nr = sc->syscall_resolve_name(r->names.v[j]);
            int ret;

            if (nr == __NR_SCMP_ERROR) {
                /* Profiles name syscalls newer than this libseccomp (runc skips them too). */
                oci_debug("seccomp: syscall \"%s\" unknown to libseccomp, skipped", r->names.v[j]);
                continue;
            }
            ret = add_rule(ctx, action, nr, r);
            if (ret < 0)
                return oci_error_set(err, -ret, "linux.seccomp.syscalls[%zu] \"%s\": seccomp_rule_add: %s",
                                     i, r->names.v[j], strerror(-ret));
        }
    }
    return 0;
}

/* seccomp_export_bpf writes to an fd; a memfd keeps it off the filesystem. */
static int export_bpf(scmp_filter_ctx ctx, struct sock_filter **insns, size_t *len, oci_err_t *err)
{
    cleanup_close int fd = memfd_create("ocirun-seccomp", MFD_CLOEXEC);
    cleanup_free char *buf = NULL;
    size_t size = 0;
    int ret;

    if (fd < 0)
        return oci_error_sys(err, "linux.seccomp: memfd_create");
    ret = sc->export_bpf(ctx, fd);
    if (ret < 0)
        return oci_error_set(err, -ret, "linux.seccomp: seccomp_export_bpf: %s", strerror(-ret));
    if (lseek(fd, 0, SEEK_SET) < 0)
        return oci_error_sys(err, "linux.seccomp: lseek exported filter");
    if (read_fd_all(fd, &buf, &size, err) < 0)
        return oci_error_wrap(err, "linux.seccomp: read exported filter");
    if (size == 0 || size % sizeof(struct sock_filter) != 0)
        return oci_error_set(err, EINVAL, "linux.seccomp: exported filter has %zu bytes", size);
    *insns = (struct sock_filter *) buf;
    buf = NULL;
    *len = size / sizeof(struct sock_filter);
    return 0;
}

/* ---- the ENOSYS stub --------------------------------------------------------------------- */

#define X32_SYSCALL_BIT 0x40000000U
#define STUB_MAX_ARCHES 24

/* The largest syscall number the profile names on one audit arch (x86_64 split by ABI). */
struct arch_max {
    uint32_t audit;
    int native_max;      /* -1: no syscall of this ABI in the profile */
    int x32_max;
};

static int profile_max_nr(const struct oci_seccomp *s, uint32_t token)
{
    int max = -1;

    for (size_t i = 0; i < s->n_syscalls; i++)
        for (size_t j = 0; j < s->syscalls[i].names.len; j++) {
            int nr = sc->syscall_resolve_name_arch(token, s->syscalls[i].names.v[j]);
            if (nr > max)
                max = nr;
        }
    return max;
}

static void note_arch(struct arch_max *am, size_t *n, uint32_t token, const struct oci_seccomp *s)
{
    uint32_t audit = token == SCMP_ARCH_X32 ? AUDIT_ARCH_X86_64 : token;
    size_t i;

    for (i = 0; i < *n && am[i].audit != audit; i++)
        ;
    if (i == *n) {
        if (*n == STUB_MAX_ARCHES)
            return;
        am[(*n)++] = (struct arch_max) { .audit = audit, .native_max = -1, .x32_max = -1 };
    }
    if (token == SCMP_ARCH_X32)
        am[i].x32_max = profile_max_nr(s, token);
    else
        am[i].native_max = profile_max_nr(s, token);
}

/* Allow-like defaults already let unknown syscalls through (TRACE too: a tracer handles
 * ENOSYS itself); a default of ENOSYS needs no stub either. */
static bool stub_wanted(const struct oci_seccomp *s)
{
    const char *d = s->default_action;

    if (strcmp(d, "SCMP_ACT_ALLOW") == 0 || strcmp(d, "SCMP_ACT_LOG") == 0 || strcmp(d, "SCMP_ACT_TRACE") == 0)
        return false;
    return !(strcmp(d, "SCMP_ACT_ERRNO") == 0 && s->default_errno_ret.set && s->default_errno_ret.value == ENOSYS);
}

struct stub {
    struct sock_filter insns[8 * STUB_MAX_ARCHES + 4];
    size_t len;
    /* Jumps to patch once the stub's length is known: index and which target. */
    struct { size_t at; bool jt; bool to_enosys; } fix[4 * STUB_MAX_ARCHES];
    size_t n_fix;
};

static void emit(struct stub *st, uint16_t code, uint32_t k)
{
    st->insns[st->len++] = (struct sock_filter) BPF_STMT(code, k);
}

/* A conditional jump whose true/false edges go to ENOSYS, the real filter, or the next insn. */
enum edge { NEXT, SKIP1, ENOSYS_RET, FILTER };

static void emit_jump(struct stub *st, uint16_t code, uint32_t k, enum edge jt, enum edge jf)
{
    struct sock_filter insn = BPF_JUMP(BPF_JMP | code | BPF_K, k, jt == SKIP1, jf == SKIP1);
    size_t at = st->len;

    st->insns[st->len++] = insn;
    if (jt == ENOSYS_RET || jt == FILTER)
        st->fix[st->n_fix++] = (typeof(st->fix[0])) { .at = at, .jt = true, .to_enosys = jt == ENOSYS_RET };
    if (jf == ENOSYS_RET || jf == FILTER)
        st->fix[st->n_fix++] = (typeof(st->fix[0])) { .at = at, .jt = false, .to_enosys = jf == ENOSYS_RET };
}

/* Compare the syscall number with one ABI's maximum: above it, ENOSYS. */
static void emit_max_check(struct stub *st, int max)
{
    if (max < 0)
        emit_jump(st, BPF_JGE, 0, FILTER, FILTER);   /* always true: no rule of this ABI */
    else
        emit_jump(st, BPF_JGT, (uint32_t) max, ENOSYS_RET, FILTER);
}

static void emit_arch_section(struct stub *st, const struct arch_max *am)
{
    size_t jeq = st->len;

    /* jeq arch: fall into the section; else skip it (patched below). */
    emit_jump(st, BPF_JEQ, am->audit, NEXT, NEXT);
    emit(st, BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
    if (am->audit == AUDIT_ARCH_X86_64) {
        emit_jump(st, BPF_JSET, X32_SYSCALL_BIT, SKIP1, NEXT);
        emit_max_check(st, am->native_max);
        emit_max_check(st, am->x32_max);
    } else {
        emit_max_check(st, am->native_max);
    }
    st->insns[jeq].jf = (uint8_t) (st->len - jeq - 1);
}

/* Layout: ld arch; one section per arch; ja filter; ret ENOSYS; <libseccomp's filter>. */
static int build_stub(const struct arch_max *am, size_t n, struct stub *st)
{
    size_t enosys_at, filter_at;

    st->len = st->n_fix = 0;
    emit(st, BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
    for (size_t i = 0; i < n; i++)
        if (am[i].native_max >= 0 || am[i].x32_max >= 0)
            emit_arch_section(st, &am[i]);
    emit(st, BPF_JMP | BPF_JA, 1);
    enosys_at = st->len;
    emit(st, BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS);
    filter_at = st->len;
    for (size_t i = 0; i < st->n_fix; i++) {
        size_t target = st->fix[i].to_enosys ? enosys_at : filter_at;
        size_t off = target - st->fix[i].at - 1;

        if (off > 255)
            return -1;
        if (st->fix[i].jt)
            st->insns[st->fix[i].at].jt = (uint8_t) off;
        else
            st->insns[st->fix[i].at].jf = (uint8_t) off;
    }
    return 0;
}

static int prepend_enosys_stub(const struct oci_seccomp *s, struct oci_seccomp_filter *f, oci_err_t *err)
{
    struct arch_max am[STUB_MAX_ARCHES];
    struct stub st;
    struct sock_filter *all;
    size_t n = 0;

    if (!stub_wanted(s))
        return 0;
    note_arch(am, &n, sc->arch_native(), s);
    for (size_t i = 0; i < s->architectures.len; i++)
        note_arch(am, &n, arch_token(s->architectures.v[i]), s);
    if (build_stub(am, n, &st) < 0)
        return oci_error_set(err, E2BIG, "linux.seccomp: too many architectures for the ENOSYS stub");
    if (f->len + st.len > BPF_MAXINSNS)
        return oci_error_set(err, E2BIG, "linux.seccomp: filter has %zu instructions (the kernel takes %d)",
                             f->len + st.len, BPF_MAXINSNS);
    all = xmalloc((f->len + st.len) * sizeof(*all));
    memcpy(all, st.insns, st.len * sizeof(*all));
    memcpy(all + st.len, f->insns, f->len * sizeof(*all));
    free(f->insns);
    f->insns = all;
    f->len += st.len;
    return 0;
}

/* ---- compile ------------------------------------------------------------------------------ */

static bool uses_notify(const struct oci_seccomp *s)
{
    for (size_t i = 0; i < s->n_syscalls; i++)
        if (strcmp(s->syscalls[i].action, "SCMP_ACT_NOTIFY") == 0)
            return true;
    return false;
}

static int filter_flags_of(const struct oci_seccomp *s, struct oci_seccomp_filter *f, oci_err_t *err)
{
    for (size_t i = 0; i < s->flags.len; i++)
        f->flags |= oci_seccomp_flag_value(s->flags.v[i]);
    f->notify = uses_notify(s);
    if ((f->flags & SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV) && !f->notify)
        return oci_error_set(err, 0, "linux.seccomp.flags: SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV "
                             "applies only to SCMP_ACT_NOTIFY rules, and there are none");
    return 0;
}

int oci_seccomp_compile(const struct oci_seccomp *s, struct oci_seccomp_filter *out, oci_err_t *err)
{
    cleanup_scmp scmp_filter_ctx ctx = NULL;
    uint32_t default_action;
    int ret;

    memset(out, 0, sizeof(*out));
    if (s == NULL)
        return 0;
    sc = oci_libseccomp(err);
    if (sc == NULL)
        return -1;
    default_action = action_of(s->default_action, s->default_errno_ret);
    ctx = sc->init(default_action);
    if (ctx == NULL)
        return oci_error_set(err, EINVAL, "linux.seccomp.defaultAction \"%s\": seccomp_init failed "
                             "(not supported by this kernel or libseccomp?)", s->default_action);
    /* We load the program ourselves; no_new_privs is process.noNewPrivileges's business. */
    ret = sc->attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
    if (ret < 0)
        return oci_error_set(err, -ret, "linux.seccomp: seccomp_attr_set: %s", strerror(-ret));
    if (add_architectures(ctx, &s->architectures, err) < 0 ||
        add_rules(ctx, s, default_action, err) < 0 ||
        filter_flags_of(s, out, err) < 0 ||
        export_bpf(ctx, &out->insns, &out->len, err) < 0 ||
        prepend_enosys_stub(s, out, err) < 0) {
        oci_seccomp_filter_free(out);
        return -1;
    }
    return 0;
}

#endif
