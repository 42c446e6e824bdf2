/* test_cgroup_devices.c: the v2 device eBPF program, run by a small interpreter of the instructions it uses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "ocirun/cgroups/device_filter.h"
#include "ocirun/core/utils.h"

/* Executes the subset of eBPF the generator emits; fails the test on anything else. */
static uint64_t run(const struct bpf_insn *p, size_t len, const struct bpf_cgroup_dev_ctx *ctx)
{
    uint64_t r[11] = { 0 };

    for (size_t pc = 0; pc < len; pc++) {
        const struct bpf_insn *i = &p[pc];
        uint64_t imm = (uint64_t) (int64_t) i->imm;

        switch (i->code) {
        case BPF_LDX | BPF_MEM | BPF_W: {
            uint32_t v;
            assert_int_equal(i->src_reg, 1);
            assert_true(i->off >= 0 && (size_t) i->off + 4 <= sizeof(*ctx));
            memcpy(&v, (const char *) ctx + i->off, 4);
            r[i->dst_reg] = v;
            break;
        }
        case BPF_ALU64 | BPF_MOV | BPF_X: r[i->dst_reg] = r[i->src_reg]; break;
        case BPF_ALU64 | BPF_MOV | BPF_K: r[i->dst_reg] = imm; break;
        case BPF_ALU64 | BPF_AND | BPF_K: r[i->dst_reg] &= imm; break;
        case BPF_ALU64 | BPF_RSH | BPF_K: r[i->dst_reg] >>= imm; break;
        case BPF_JMP | BPF_JNE | BPF_K: if (r[i->dst_reg] != imm) pc += (size_t) i->off; break;
        case BPF_JMP | BPF_JEQ | BPF_K: if (r[i->dst_reg] == imm) pc += (size_t) i->off; break;
        case BPF_JMP | BPF_EXIT: return r[0];
        default: fail_msg("unexpected instruction 0x%02x at %zu", i->code, pc);
        }
        assert_true(pc < len);
    }
    fail_msg("fell off the end of the program");
    return 0;
}

struct rules { struct oci_cg_device_rule *v; size_t n; };

static bool allowed(const struct rules *rs, char type, uint32_t major, uint32_t minor, const char *access)
{
    struct bpf_cgroup_dev_ctx ctx = { .major = major, .minor = minor };
    cleanup_free struct bpf_insn *p = NULL;
    uint32_t acc = 0;
    size_t len;

    for (const char *a = access; *a; a++)
        acc |= *a == 'm' ? BPF_DEVCG_ACC_MKNOD : *a == 'r' ? BPF_DEVCG_ACC_READ : BPF_DEVCG_ACC_WRITE;
    ctx.access_type = (type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR) | (acc << 16);
    oci_cg_devices_program(rs->v, rs->n, &p, &len);
    return run(p, len, &ctx) == 1;
}

#define RULE(allow, type, maj, min, acc) ((struct oci_cg_device_rule) { allow, type, maj, min, acc })

static void test_default_rules(void **state)
{
    struct oci_cg_device_rule v[] = {
        RULE(false, 'a', -1, -1, "rwm"),
        RULE(true, 'c', -1, -1, "m"),
        RULE(true, 'c', 1, 3, "rwm"),
        RULE(true, 'c', 136, -1, "rwm"),
    };
    struct rules rs = { v, 4 };

    (void) state;
    assert_true(allowed(&rs, 'c', 1, 3, "rw"));
    assert_true(allowed(&rs, 'c', 1, 3, "rwm"));
    assert_false(allowed(&rs, 'c', 1, 5, "r"));       /* zero: not listed */
    assert_true(allowed(&rs, 'c', 1, 5, "m"));        /* mknod of any char device */
    assert_false(allowed(&rs, 'b', 8, 0, "m"));       /* but not block devices */
    assert_false(allowed(&rs, 'b', 8, 0, "r"));
    assert_true(allowed(&rs, 'c', 136, 42, "rw"));    /* pts wildcard minor */
    assert_false(allowed(&rs, 'c', 137, 42, "rw"));
}

static void test_order_and_partial_access(void **state)
{
    struct oci_cg_device_rule v[] = {
        RULE(true, 'a', -1, -1, "rwm"),               /* privileged: everything */
        RULE(false, 'c', 1, 3, "w"),                  /* but no writes to null */
        RULE(true, 'c', 1, 5, "r"),
    };
    struct rules rs = { v, 3 };

    (void) state;
    assert_true(allowed(&rs, 'b', 8, 0, "rw"));
    assert_true(allowed(&rs, 'c', 1, 3, "r"));
    assert_false(allowed(&rs, 'c', 1, 3, "w"));
    assert_false(allowed(&rs, 'c', 1, 3, "rw"));      /* a deny applies when any access it denies is asked */
    assert_true(allowed(&rs, 'c', 1, 5, "rw"));       /* "allow r" does not cover w: the allow-all before it decides */
}

static void test_no_rules_denies(void **state)
{
    struct rules rs = { NULL, 0 };

    (void) state;
    assert_false(allowed(&rs, 'c', 1, 3, "r"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_rules),
        cmocka_unit_test(test_order_and_partial_access),
        cmocka_unit_test(test_no_rules_denies),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
