/* test_spec_fields.c: every config.json key the parser reads has a consumer, a refusal, or a reason it is ignored. */
/*
 * The rule (issue 21): a field that is accepted must do what it says; until it does, it is
 * refused with a clear error, never parsed and then silently ignored. This test reads the
 * parser's sources (libcontainer/spec/{spec,linux,json}.c), collects every key each parse_*
 * function looks up, and compares that list with the table below, which says for each key
 * where it is consumed (a file and a text that must occur there), that it is refused (where),
 * or why it is accepted and ignored (as runc does, with the reason). A key added to the parser
 * without an entry here, or an entry whose consumer no longer names it, fails the test.
 */
#include <regex.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <cmocka.h>
#include "ocirun/core/utils.h"

enum kind {
    USED,       /* applied: FILE contains TEXT */
    SECTION,    /* an object or array whose members have entries of their own */
    PARSER,     /* checked or used by the parser itself (FILE: TEXT) */
    REFUSED,    /* refused with an error: FILE contains TEXT (the check) */
    IGNORED,    /* accepted and ignored on purpose, as runc does: FILE: TEXT says why */
};

struct field {
    const char *fn;     /* the parser function that reads it */
    const char *key;
    enum kind kind;
    const char *file;   /* under libcontainer/ */
    const char *text;
};

#define U(fn, key, file, text) { fn, key, USED, file, text }
#define S(fn, key) { fn, key, SECTION, NULL, NULL }
#define P(fn, key, file, text) { fn, key, PARSER, file, text }
#define R(fn, key, file, text) { fn, key, REFUSED, file, text }
#define I(fn, key, file, text) { fn, key, IGNORED, file, text }

static const struct field fields[] = {
    /* top level */
    P("parse_version", "ociVersion", "spec/spec.c", "version_supported"),
    U("parse_spec", "hostname", "process/init.c", "spec->hostname"),
    U("parse_spec", "domainname", "process/init.c", "spec->domainname"),
    U("parse_spec", "annotations", "state/state.c", "st->annotations"),
    S("parse_spec_sections", "root"),
    S("parse_spec_sections", "mounts"),
    S("parse_spec_sections", "process"),
    S("parse_spec_sections", "hooks"),
    S("parse_spec_sections", "linux"),
    U("parse_root", "path", "rootfs/rootfs.c", "root->path"),
    U("parse_root", "readonly", "rootfs/rootfs.c", "root->readonly"),
    /* mounts[] */
    U("parse_mount", "destination", "rootfs/mounts.c", "m->destination"),
    U("parse_mount", "source", "rootfs/mounts.c", "m->source"),
    U("parse_mount", "type", "rootfs/mounts.c", "m->type"),
    U("parse_mount", "options", "rootfs/mounts.c", "m->options"),
    U("parse_mount", "uidMappings", "rootfs/mounts.c", "m->uid_mappings"),
    U("parse_mount", "gidMappings", "rootfs/mounts.c", "m->gid_mappings"),
    U("parse_idmap", "containerID", "process/namespaces.c", "container_id"),
    U("parse_idmap", "hostID", "process/namespaces.c", "host_id"),
    U("parse_idmap", "size", "process/namespaces.c", "items[i].size"),
    /* process */
    U("parse_process_body", "terminal", "process/init.c", "process->terminal"),
    U("parse_process_body", "cwd", "process/process.c", "p->cwd"),
    U("parse_process_body", "args", "process/process.c", "p->args"),
    U("parse_process_body", "env", "process/process.c", "p->env"),
    R("parse_process_body", "commandLine", "spec/spec.c", "\"commandLine\", spec_fail(c, \"is for Windows containers"),
    U("parse_process_body", "noNewPrivileges", "process/process.c", "p->no_new_privileges"),
    U("parse_process_body", "apparmorProfile", "security/lsm.c", "p->apparmor_profile"),
    U("parse_process_body", "selinuxLabel", "security/lsm.c", "p->selinux_label"),
    U("parse_process_body", "oomScoreAdj", "process/process.c", "p->oom_score_adj.value"),
    S("parse_process_objects", "consoleSize"),
    S("parse_process_objects", "user"),
    U("parse_process_objects", "capabilities", "process/init.c", "p->capabilities"),
    S("parse_process_objects", "rlimits"),
    U("parse_process_objects", "scheduler", "process/process.c", "p->scheduler"),
    U("parse_process_objects", "ioPriority", "process/process.c", "p->io_priority"),
    U("parse_process_objects", "execCPUAffinity", "process/process.c", "p->exec_cpu_affinity"),
    U("parse_console_size", "height", "process/terminal.c", "console_size.height"),
    U("parse_console_size", "width", "process/terminal.c", "console_size.width"),
    U("parse_user", "uid", "process/process.c", "setresuid(u->uid"),
    U("parse_user", "gid", "process/process.c", "setresgid(u->gid"),
    U("parse_user", "umask", "process/process.c", "u->umask.value"),
    U("parse_user", "additionalGids", "process/process.c", "u->additional_gids"),
    R("parse_user", "username", "spec/spec.c", "\"username\", spec_fail(c, \"is for Windows containers"),
    U("parse_capabilities", "bounding", "security/capabilities.c", "->bounding"),
    U("parse_capabilities", "effective", "security/capabilities.c", "->effective"),
    U("parse_capabilities", "inheritable", "security/capabilities.c", "->inheritable"),
    U("parse_capabilities", "permitted", "security/capabilities.c", "->permitted"),
    U("parse_capabilities", "ambient", "security/capabilities.c", "->ambient"),
    U("parse_rlimit", "type", "process/process.c", "r->resource"),
    U("parse_rlimit", "soft", "process/process.c", "r->soft"),
    U("parse_rlimit", "hard", "process/process.c", "r->hard"),
    U("parse_scheduler", "policy", "process/process.c", "s->policy_value"),
    U("parse_scheduler", "nice", "process/process.c", "s->nice"),
    U("parse_scheduler", "priority", "process/process.c", "s->priority"),
    U("parse_scheduler", "flags", "process/process.c", "s->flag_bits"),
    U("parse_scheduler", "runtime", "process/process.c", "s->runtime"),
    U("parse_scheduler", "deadline", "process/process.c", "s->deadline"),
    U("parse_scheduler", "period", "process/process.c", "s->period"),
    U("parse_io_priority", "class", "process/process.c", "io->class_value"),
    U("parse_io_priority", "priority", "process/process.c", "io->priority"),
    U("parse_cpu_affinity", "initial", "process/process.c", "a->initial_set"),
    U("parse_cpu_affinity", "final", "process/process.c", "a->final_set"),
    /* hooks */
    U("parse_hooks", "prestart", "container/container.c", "OCI_HOOK_PRESTART"),
    U("parse_hooks", "createRuntime", "container/container.c", "OCI_HOOK_CREATE_RUNTIME"),
    U("parse_hooks", "createContainer", "process/init_hooks.c", "OCI_HOOK_CREATE_CONTAINER"),
    U("parse_hooks", "startContainer", "process/init_hooks.c", "OCI_HOOK_START_CONTAINER"),
    U("parse_hooks", "poststart", "container/container.c", "OCI_HOOK_POSTSTART"),
    U("parse_hooks", "poststop", "container/container.c", "OCI_HOOK_POSTSTOP"),
    U("parse_hook", "path", "process/hooks.c", "h->path"),
    U("parse_hook", "args", "process/hooks.c", "hook->args"),
    U("parse_hook", "env", "process/hooks.c", "hook->env"),
    U("parse_hook", "timeout", "process/hooks.c", "hook->timeout"),
    /* linux */
    S("spec_parse_linux", "namespaces"),
    U("spec_parse_linux", "uidMappings", "process/namespaces.c", "lx->uid_mappings"),
    U("spec_parse_linux", "gidMappings", "process/namespaces.c", "lx->gid_mappings"),
    S("spec_parse_linux", "devices"),
    U("spec_parse_linux", "cgroupsPath", "cgroups/manage.c", "cgroups_path"),
    S("spec_parse_linux", "resources"),
    U("spec_parse_linux", "rootfsPropagation", "rootfs/rootfs.c", "rootfs_propagation"),
    S("spec_parse_linux", "seccomp"),
    U("spec_parse_linux", "maskedPaths", "rootfs/paths.c", "masked_paths"),
    U("spec_parse_linux", "readonlyPaths", "rootfs/paths.c", "readonly_paths"),
    U("spec_parse_linux", "mountLabel", "security/lsm.c", "mount_label"),
    R("spec_parse_linux", "intelRdt", "spec/validate.c", "linux.intelRdt: not supported"),
    U("spec_parse_linux", "personality", "process/process.c", "spec->linux_->personality"),
    R("spec_parse_linux", "memoryPolicy", "spec/validate.c", "linux.memoryPolicy: not supported"),
    U("parse_linux_maps", "timeOffsets", "process/namespaces.c", "lx->time_offsets"),
    R("parse_linux_maps", "netDevices", "spec/validate.c", "linux.netDevices: not supported"),
    U("parse_linux_maps", "sysctl", "security/sysctl.c", "->sysctl"),
    U("parse_namespace", "type", "process/namespaces.c", "ns->type"),
    U("parse_namespace", "path", "process/namespaces.c", "ns->path"),
    U("parse_time_offset", "secs", "process/namespaces.c", "time_offsets[i].secs"),
    U("parse_time_offset", "nanosecs", "process/namespaces.c", "time_offsets[i].nanosecs"),
    U("parse_device", "path", "rootfs/devices.c", "sd->path"),
    U("parse_device", "type", "rootfs/devices.c", "sd->type"),
    U("parse_device", "major", "rootfs/devices.c", "sd->major"),
    U("parse_device", "minor", "rootfs/devices.c", "sd->minor"),
    U("parse_device", "fileMode", "rootfs/devices.c", "sd->file_mode"),
    U("parse_device", "uid", "rootfs/devices.c", "sd->uid"),
    U("parse_device", "gid", "rootfs/devices.c", "sd->gid"),
    /* linux.resources */
    U("parse_resources_fields", "devices", "cgroups/resources.c", "res->devices[i]"),
    S("parse_resources_fields", "memory"),
    S("parse_resources_fields", "cpu"),
    S("parse_resources_fields", "pids"),
    S("parse_resources_fields", "blockIO"),
    S("parse_resources_fields", "hugepageLimits"),
    S("parse_resources_fields", "network"),
    S("parse_resources_fields", "rdma"),
    U("parse_resources_fields", "unified", "cgroups/resources.c", "r->unified"),
    U("parse_device_cgroup", "allow", "cgroups/resources.c", "->allow"),
    U("parse_device_cgroup", "type", "cgroups/resources.c", "->type"),
    U("parse_device_cgroup", "major", "cgroups/resources.c", "->major"),
    U("parse_device_cgroup", "minor", "cgroups/resources.c", "->minor"),
    U("parse_device_cgroup", "access", "cgroups/resources.c", "->access"),
    U("parse_memory", "limit", "cgroups/resources.c", "m->limit"),
    U("parse_memory", "reservation", "cgroups/resources.c", "m->reservation"),
    U("parse_memory", "swap", "cgroups/resources.c", "m->swap"),
    I("parse_memory", "kernel", "cgroups/resources.c", "kernel is ignored as runc does"),
    U("parse_memory", "kernelTCP", "cgroups/resources.c", "m->kernel_tcp"),
    U("parse_memory", "swappiness", "cgroups/resources.c", "m->swappiness"),
    U("parse_memory", "disableOOMKiller", "cgroups/resources.c", "m->disable_oom_killer"),
    U("parse_memory", "useHierarchy", "cgroups/resources.c", "m->use_hierarchy"),
    U("parse_memory", "checkBeforeUpdate", "cgroups/apply.c", "check_before_update"),
    U("parse_cpu", "shares", "cgroups/resources.c", "c->shares"),
    U("parse_cpu", "quota", "cgroups/resources.c", "c->quota"),
    U("parse_cpu", "burst", "cgroups/resources.c", "c->burst"),
    U("parse_cpu", "period", "cgroups/resources.c", "c->period"),
    U("parse_cpu", "realtimeRuntime", "cgroups/resources.c", "c->realtime_runtime"),
    U("parse_cpu", "realtimePeriod", "cgroups/resources.c", "c->realtime_period"),
    U("parse_cpu", "cpus", "cgroups/resources.c", "c->cpus"),
    U("parse_cpu", "mems", "cgroups/resources.c", "c->mems"),
    U("parse_cpu", "idle", "cgroups/resources.c", "c->idle"),
    U("parse_pids", "limit", "cgroups/resources.c", "pids_limit"),
    U("parse_block_io", "weight", "cgroups/resources.c", "b->weight"),
    U("parse_block_io", "leafWeight", "cgroups/resources.c", "b->leaf_weight"),
    S("parse_block_io", "weightDevice"),
    U("parse_block_io", "throttleReadBpsDevice", "cgroups/resources.c", "throttle_read_bps"),
    U("parse_block_io", "throttleWriteBpsDevice", "cgroups/resources.c", "throttle_write_bps"),
    U("parse_block_io", "throttleReadIOPSDevice", "cgroups/resources.c", "throttle_read_iops"),
    U("parse_block_io", "throttleWriteIOPSDevice", "cgroups/resources.c", "throttle_write_iops"),
    U("parse_weight_device", "major", "cgroups/resources.c", "d->major"),
    U("parse_weight_device", "minor", "cgroups/resources.c", "d->minor"),
    U("parse_weight_device", "weight", "cgroups/resources.c", "d->weight"),
    U("parse_weight_device", "leafWeight", "cgroups/resources.c", "d->leaf_weight"),
    U("parse_throttle_device", "major", "cgroups/resources.c", "l->items[i].major"),
    U("parse_throttle_device", "minor", "cgroups/resources.c", "l->items[i].minor"),
    U("parse_throttle_device", "rate", "cgroups/resources.c", "l->items[i].rate"),
    U("parse_hugepage_limit", "pageSize", "cgroups/resources.c", "page_size"),
    U("parse_hugepage_limit", "limit", "cgroups/resources.c", "h->limit"),
    U("parse_network", "classID", "cgroups/resources.c", "class_id"),
    S("parse_network", "priorities"),
    U("parse_net_priority", "name", "cgroups/resources.c", "priorities[i].name"),
    U("parse_net_priority", "priority", "cgroups/resources.c", "priorities[i].priority"),
    U("parse_rdma_entry", "hcaHandles", "cgroups/resources.c", "hca_handles"),
    U("parse_rdma_entry", "hcaObjects", "cgroups/resources.c", "hca_objects"),
    /* linux.seccomp */
    U("parse_seccomp_fields", "defaultAction", "security/seccomp.c", "default_action"),
    U("parse_seccomp_fields", "defaultErrnoRet", "security/seccomp.c", "default_errno_ret"),
    U("parse_seccomp_fields", "architectures", "security/seccomp.c", "architectures"),
    U("parse_seccomp_fields", "flags", "security/seccomp.c", "s->flags"),
    U("parse_seccomp_fields", "listenerPath", "security/seccomp_notify.c", "listener_path"),
    U("parse_seccomp_fields", "listenerMetadata", "security/seccomp_notify.c", "listener_metadata"),
    S("parse_seccomp_fields", "syscalls"),
    U("parse_syscall", "names", "security/seccomp.c", "->names"),
    U("parse_syscall", "action", "security/seccomp.c", "->action"),
    U("parse_syscall", "errnoRet", "security/seccomp.c", "errno_ret"),
    U("parse_syscall", "args", "security/seccomp.c", "n_args"),
    U("parse_seccomp_arg", "index", "security/seccomp.c", "->index"),
    U("parse_seccomp_arg", "value", "security/seccomp.c", "->value"),
    U("parse_seccomp_arg", "valueTwo", "security/seccomp.c", "value_two"),
    U("parse_seccomp_arg", "op", "security/seccomp.c", "->op"),
    /* linux.personality; the members of refused sections are refused with them */
    U("parse_personality", "domain", "process/process.c", "p->domain"),
    R("parse_personality", "flags", "spec/validate.c", "linux.personality.flags: \\\"%s\\\" is not supported"),
    R("parse_intel_rdt", "closID", "spec/validate.c", "linux.intelRdt: not supported"),
    R("parse_intel_rdt", "l3CacheSchema", "spec/validate.c", "linux.intelRdt: not supported"),
    R("parse_intel_rdt", "memBwSchema", "spec/validate.c", "linux.intelRdt: not supported"),
    R("parse_schemata", "schemata", "spec/validate.c", "linux.intelRdt: not supported"),
    R("parse_intel_rdt", "enableMonitoring", "spec/validate.c", "linux.intelRdt: not supported"),
    R("parse_intel_rdt", "enableCMT", "spec/validate.c", "linux.intelRdt: not supported"),
    R("parse_intel_rdt", "enableMBM", "spec/validate.c", "linux.intelRdt: not supported"),
    R("parse_net_device", "name", "spec/validate.c", "linux.netDevices: not supported"),
    R("parse_memory_policy", "mode", "spec/validate.c", "linux.memoryPolicy: not supported"),
    R("parse_memory_policy", "nodes", "spec/validate.c", "linux.memoryPolicy: not supported"),
    R("parse_memory_policy", "flags", "spec/validate.c", "linux.memoryPolicy: not supported"),
};

/* The repository: __FILE__ is tests/unit/test_spec_fields.c below it. */
static char *repo_path(const char *rel)
{
    static const char self[] = "tests/unit/test_spec_fields.c";
    size_t n = strlen(__FILE__) - (sizeof(self) - 1);

    return xasprintf("%.*s%s", (int) n, __FILE__, rel);
}

static char *read_source(const char *rel)
{
    cleanup_free char *path = repo_path(rel);
    char *text = NULL;
    oci_err_t err = NULL;

    if (read_file_at(AT_FDCWD, path, &text, NULL, &err) < 0)
        fail_msg("%s: %s", path, err->msg);
    return text;
}

struct seen { char fn[64]; char key[64]; };
struct seen_list { struct seen *v; size_t n; };

static void add_seen(struct seen_list *l, const char *fn, const char *key, size_t key_len)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i].fn, fn) == 0 && strlen(l->v[i].key) == key_len && strncmp(l->v[i].key, key, key_len) == 0)
            return;
    l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
    snprintf(l->v[l->n].fn, sizeof(l->v[l->n].fn), "%s", fn);
    snprintf(l->v[l->n].key, sizeof(l->v[l->n].key), "%.*s", (int) key_len, key);
    l->n++;
}

/* Every (function, key) of one source: keys the getters look up, and parse_hooks' table. */
static void scan(const char *rel, struct seen_list *out)
{
    cleanup_free char *text = read_source(rel);
    regex_t fn_re, key_re;
    char fn[64] = "";
    char *save = NULL;

    assert_int_equal(regcomp(&fn_re, "^(static )?int ([a-z_0-9]+)\\(", REG_EXTENDED), 0);
    assert_int_equal(regcomp(&key_re, "(spec_field_[a-z_0-9]+|field_items|field_struct|field_throttle)\\(c, [a-z]+, "
                                      "\"([A-Za-z0-9]+)\"|spec_get\\([a-z]+, \"([A-Za-z0-9]+)\"\\)"
                                      "|\\{ \"([A-Za-z]+)\", &h->", REG_EXTENDED), 0);
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        regmatch_t m[5];
        const char *p = line;

        if (regexec(&fn_re, line, 3, m, 0) == 0)
            snprintf(fn, sizeof(fn), "%.*s", (int) (m[2].rm_eo - m[2].rm_so), line + m[2].rm_so);
        while (regexec(&key_re, p, 5, m, 0) == 0) {
            for (int g = 2; g <= 4; g++)
                if (m[g].rm_so >= 0)
                    add_seen(out, fn, p + m[g].rm_so, (size_t) (m[g].rm_eo - m[g].rm_so));
            p += m[0].rm_eo;
        }
    }
    regfree(&fn_re);
    regfree(&key_re);
}

static const struct field *table_entry(const char *fn, const char *key)
{
    for (size_t i = 0; i < ARRAY_SIZE(fields); i++)
        if (strcmp(fields[i].fn, fn) == 0 && strcmp(fields[i].key, key) == 0)
            return &fields[i];
    return NULL;
}

/* Every key the parser reads is in the table, and every entry is a key it reads. */
static void test_every_key_listed(void **state)
{
    static const char *const sources[] = { "libcontainer/spec/spec.c", "libcontainer/spec/linux.c",
                                           "libcontainer/spec/json.c" };
    struct seen_list seen = { 0 };
    int missing = 0;

    (void) state;
    for (size_t i = 0; i < ARRAY_SIZE(sources); i++)
        scan(sources[i], &seen);
    assert_true(seen.n > 150);   /* the scan itself works */
    for (size_t i = 0; i < seen.n; i++) {
        if (table_entry(seen.v[i].fn, seen.v[i].key) == NULL) {
            print_error("%s reads \"%s\": say in test_spec_fields.c where it is consumed or refused\n",
                        seen.v[i].fn, seen.v[i].key);
            missing++;
        }
    }
    for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
        bool found = false;
        for (size_t j = 0; j < seen.n && !found; j++)
            found = strcmp(seen.v[j].fn, fields[i].fn) == 0 && strcmp(seen.v[j].key, fields[i].key) == 0;
        if (!found) {
            print_error("table entry %s \"%s\": the parser no longer reads it\n", fields[i].fn, fields[i].key);
            missing++;
        }
    }
    free(seen.v);
    assert_int_equal(missing, 0);
}

/* Every consumer, refusal and reason named in the table is where the table says. */
static void test_consumers_exist(void **state)
{
    int bad = 0;

    (void) state;
    for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
        const struct field *f = &fields[i];
        cleanup_free char *rel = NULL;
        cleanup_free char *text = NULL;

        if (f->kind == SECTION)
            continue;
        rel = xasprintf("libcontainer/%s", f->file);
        text = read_source(rel);
        if (strstr(text, f->text) == NULL) {
            print_error("%s \"%s\": %s has no \"%s\"\n", f->fn, f->key, rel, f->text);
            bad++;
        }
    }
    assert_int_equal(bad, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_key_listed),
        cmocka_unit_test(test_consumers_exist),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
