/* device_filter.c: the device rules as a cgroup v2 eBPF program (BPF_PROG_TYPE_CGROUP_DEVICE). */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/bpf.h>
#include "ocirun/cgroups/device_filter.h"
#include "ocirun/core/utils.h"

/* eBPF instructions, as the kernel's filter.h spells them (not part of the uapi). */
#define INSN(c, d, s, o, i) ((struct bpf_insn) { .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })
#define LDX_W(dst, src, off) INSN(BPF_LDX | BPF_MEM | BPF_W, dst, src, off, 0)
#define MOV_REG(dst, src) INSN(BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0)
#define MOV_IMM(dst, imm) INSN(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm)
#define ALU_IMM(op, dst, imm) INSN(BPF_ALU64 | (op) | BPF_K, dst, 0, 0, imm)
#define JNE_IMM(dst, imm, off) INSN(BPF_JMP | BPF_JNE | BPF_K, dst, 0, off, imm)
#define JEQ_IMM(dst, imm, off) INSN(BPF_JMP | BPF_JEQ | BPF_K, dst, 0, off, imm)
#define EXIT() INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

/* Registers: r2 device type, r3 requested access, r4 major, r5 minor, r6 scratch. */
enum { R0, R1, R2_TYPE, R3_ACCESS, R4_MAJOR, R5_MINOR, R6_TMP };

static int access_mask(const char *access)
{
    int m = 0;

    for (const char *p = access; *p; p++)
        m |= *p == 'm' ? BPF_DEVCG_ACC_MKNOD : *p == 'r' ? BPF_DEVCG_ACC_READ : *p == 'w' ? BPF_DEVCG_ACC_WRITE : 0;
    return m;
}

/* The checks of one rule; each failed check jumps past the rule. *unconditional: the rule
 * matches everything (nothing after it is reachable, and the verifier refuses dead code). */
static size_t emit_rule(const struct oci_cg_device_rule *r, struct bpf_insn *out, bool *unconditional)
{
    int mask = access_mask(r->access);
    const int all = BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE;
    size_t n = 0;

    if (r->type == 'c' || r->type == 'b')
        out[n++] = JNE_IMM(R2_TYPE, r->type == 'c' ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK, 0);
    if (mask != all) {
        out[n++] = MOV_REG(R6_TMP, R3_ACCESS);
        if (r->allow) {
            /* an allow rule covers the request only if it grants every access asked */
            out[n++] = ALU_IMM(BPF_AND, R6_TMP, ~mask & all);
            out[n++] = JNE_IMM(R6_TMP, 0, 0);
        } else {
            /* a deny rule applies as soon as it denies any access asked */
            out[n++] = ALU_IMM(BPF_AND, R6_TMP, mask);
            out[n++] = JEQ_IMM(R6_TMP, 0, 0);
        }
    }
    if (r->major >= 0)
        out[n++] = JNE_IMM(R4_MAJOR, (int32_t) r->major, 0);
    if (r->minor >= 0)
        out[n++] = JNE_IMM(R5_MINOR, (int32_t) r->minor, 0);
    *unconditional = n == 0;
    /* patch: every jump above skips to the end of the rule */
    for (size_t i = 0; i < n; i++)
        if (BPF_CLASS(out[i].code) == BPF_JMP)
            out[i].off = (int16_t) (n - i - 1 + 2);
    out[n++] = MOV_IMM(R0, r->allow ? 1 : 0);
    out[n++] = EXIT();
    return n;
}

/* The last matching rule decides (rules are checked from the end), as v1 applies them in order;
 * nothing matching means deny. */
int oci_cg_devices_program(const struct oci_cg_device_rule *rules, size_t n_rules, struct bpf_insn **out,
                           size_t *len)
{
    struct bpf_insn *p = xmalloc((6 + 10 * n_rules + 2) * sizeof(*p));
    size_t n = 0;

    p[n++] = LDX_W(R2_TYPE, R1, offsetof(struct bpf_cgroup_dev_ctx, access_type));
    p[n++] = MOV_REG(R3_ACCESS, R2_TYPE);
    p[n++] = ALU_IMM(BPF_AND, R2_TYPE, 0xffff);
    p[n++] = ALU_IMM(BPF_RSH, R3_ACCESS, 16);
    p[n++] = LDX_W(R4_MAJOR, R1, offsetof(struct bpf_cgroup_dev_ctx, major));
    p[n++] = LDX_W(R5_MINOR, R1, offsetof(struct bpf_cgroup_dev_ctx, minor));
    for (size_t i = n_rules; i-- > 0;) {
        bool unconditional;
        n += emit_rule(&rules[i], p + n, &unconditional);
        if (unconditional) {
            *out = p;
            *len = n;
            return 0;
        }
    }
    p[n++] = MOV_IMM(R0, 0);
    p[n++] = EXIT();
    *out = p;
    *len = n;
    return 0;
}

static long bpf(int cmd, union bpf_attr *attr)
{
    return syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

static int load_program(const struct bpf_insn *insns, size_t len, char *log, size_t log_size)
{
    union bpf_attr attr;

    memset(&attr, 0, sizeof(attr));
    attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
    attr.insns = (uintptr_t) insns;
    attr.insn_cnt = (uint32_t) len;
    attr.license = (uintptr_t) "GPL";
    /* The kernel takes a log buffer only with a log level. */
    if (log) {
        attr.log_buf = (uintptr_t) log;
        attr.log_size = (uint32_t) log_size;
        attr.log_level = 1;
    }
    return (int) bpf(BPF_PROG_LOAD, &attr);
}

int oci_cg_devices_attach(int cgroup_fd, const struct oci_cg_device_rule *rules, size_t n_rules, oci_err_t *err)
{
    cleanup_free struct bpf_insn *insns = NULL;
    cleanup_close int prog = -1;
    union bpf_attr attr;
    size_t len;

    oci_cg_devices_program(rules, n_rules, &insns, &len);
    prog = load_program(insns, len, NULL, 0);
    if (prog < 0) {
        /* Once more with the verifier's log, to say why. */
        int e = errno;
        char log[512] = "";
        int again = load_program(insns, len, log, sizeof(log));
        if (again >= 0)
            close(again);
        errno = e;
        for (char *nl = log; (nl = strchr(nl, '\n')) != NULL;)
            *nl = ' ';
        return oci_error_sys(err, "linux.resources.devices: load the device filter (bpf BPF_PROG_LOAD)%s%s",
                             log[0] ? ", verifier: " : "", log);
    }
    memset(&attr, 0, sizeof(attr));
    attr.target_fd = (uint32_t) cgroup_fd;
    attr.attach_bpf_fd = (uint32_t) prog;
    attr.attach_type = BPF_CGROUP_DEVICE;
    attr.attach_flags = BPF_F_ALLOW_MULTI;
    if (bpf(BPF_PROG_ATTACH, &attr) < 0)
        return oci_error_sys(err, "linux.resources.devices: attach the device filter (bpf BPF_PROG_ATTACH)");
    return 0;
}

/* The ids of the device programs attached to the cgroup itself (not inherited ones), opened. */
static int attached_programs(int cgroup_fd, int *fds, uint32_t max, uint32_t *n, oci_err_t *err)
{
    uint32_t ids[64];
    union bpf_attr attr;

    if (max > ARRAY_SIZE(ids))
        max = ARRAY_SIZE(ids);
    memset(&attr, 0, sizeof(attr));
    attr.query.target_fd = (uint32_t) cgroup_fd;
    attr.query.attach_type = BPF_CGROUP_DEVICE;
    attr.query.prog_ids = (uintptr_t) ids;
    attr.query.prog_cnt = max;
    if (bpf(BPF_PROG_QUERY, &attr) < 0)
        return oci_error_sys(err, "linux.resources.devices: list the device filters (bpf BPF_PROG_QUERY)");
    *n = 0;
    for (uint32_t i = 0; i < attr.query.prog_cnt && i < max; i++) {
        union bpf_attr get;

        memset(&get, 0, sizeof(get));
        get.prog_id = ids[i];
        /* (gone meanwhile: nothing to detach) */
        if ((fds[*n] = (int) bpf(BPF_PROG_GET_FD_BY_ID, &get)) >= 0)
            (*n)++;
    }
    return 0;
}

int oci_cg_devices_replace(int cgroup_fd, const struct oci_cg_device_rule *rules, size_t n_rules, oci_err_t *err)
{
    int old[64];
    uint32_t n_old = 0;
    int ret;

    if (attached_programs(cgroup_fd, old, ARRAY_SIZE(old), &n_old, err) < 0)
        return -1;
    ret = oci_cg_devices_attach(cgroup_fd, rules, n_rules, err);
    for (uint32_t i = 0; i < n_old; i++) {
        union bpf_attr attr;

        memset(&attr, 0, sizeof(attr));
        attr.target_fd = (uint32_t) cgroup_fd;
        attr.attach_bpf_fd = (uint32_t) old[i];
        attr.attach_type = BPF_CGROUP_DEVICE;
        if (ret == 0 && bpf(BPF_PROG_DETACH, &attr) < 0 && errno != ENOENT)
            ret = oci_error_sys(err, "linux.resources.devices: detach the old device filter (bpf BPF_PROG_DETACH)");
        close(old[i]);
    }
    return ret;
}
