/* test_spec.c: config.json parsing: values of valid configs, exact error messages, versions, load, free. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sched.h>
#include <sys/resource.h>
#include <cmocka.h>
#include "ocirun/core/utils.h"
#include "ocirun/spec/spec.h"

/* Test JSON is written with single quotes for readability; q() turns them into double quotes. */
static char *q(const char *s)
{
    char *r = xstrdup(s);

    for (char *p = r; *p; p++) {
        if (*p == '\'')
            *p = '"';
    }
    return r;
}

static struct oci_spec *parse_ok(const char *json_sq)
{
    cleanup_free char *json = q(json_sq);
    struct oci_spec *spec = NULL;
    oci_err_t err = NULL;

    if (oci_spec_parse(json, strlen(json), &spec, &err) < 0)
        fail_msg("unexpected error: %s", err->msg);
    assert_non_null(spec);
    return spec;
}

/* Parse and return the error message (caller frees). */
static char *parse_err(const char *json_sq)
{
    cleanup_free char *json = q(json_sq);
    struct oci_spec *spec = (struct oci_spec *) 1;
    oci_err_t err = NULL;
    char *msg;

    if (oci_spec_parse(json, strlen(json), &spec, &err) == 0) {
        oci_spec_free(spec);
        fail_msg("expected an error for %s", json);
    }
    assert_null(spec);
    assert_non_null(err);
    assert_int_equal(err->errnum, 0);
    msg = xstrdup(err->msg);
    oci_error_free(&err);
    return msg;
}

#define assert_parse_error(json, expected) do {           \
        char *_m = parse_err(json);                        \
        if (strcmp(_m, (expected)) != 0)                   \
            print_error("input: %s\n", (json));            \
        assert_string_equal(_m, (expected));               \
        free(_m);                                          \
    } while (0)

/* `runc spec` output (runc 1.1.5). */
static const char runc_spec[] =
    "{\n"
    "\t\"ociVersion\": \"1.0.2-dev\",\n"
    "\t\"process\": {\n"
    "\t\t\"terminal\": true,\n"
    "\t\t\"user\": { \"uid\": 0, \"gid\": 0 },\n"
    "\t\t\"args\": [ \"sh\" ],\n"
    "\t\t\"env\": [\n"
    "\t\t\t\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\",\n"
    "\t\t\t\"TERM=xterm\"\n"
    "\t\t],\n"
    "\t\t\"cwd\": \"/\",\n"
    "\t\t\"capabilities\": {\n"
    "\t\t\t\"bounding\": [ \"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\" ],\n"
    "\t\t\t\"effective\": [ \"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\" ],\n"
    "\t\t\t\"permitted\": [ \"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\" ],\n"
    "\t\t\t\"ambient\": [ \"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\" ]\n"
    "\t\t},\n"
    "\t\t\"rlimits\": [ { \"type\": \"RLIMIT_NOFILE\", \"hard\": 1024, \"soft\": 1024 } ],\n"
    "\t\t\"noNewPrivileges\": true\n"
    "\t},\n"
    "\t\"root\": { \"path\": \"rootfs\", \"readonly\": true },\n"
    "\t\"hostname\": \"runc\",\n"
    "\t\"mounts\": [\n"
    "\t\t{ \"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\" },\n"
    "\t\t{ \"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\",\n"
    "\t\t  \"options\": [ \"nosuid\", \"strictatime\", \"mode=755\", \"size=65536k\" ] },\n"
    "\t\t{ \"destination\": \"/dev/pts\", \"type\": \"devpts\", \"source\": \"devpts\",\n"
    "\t\t  \"options\": [ \"nosuid\", \"noexec\", \"newinstance\", \"ptmxmode=0666\", \"mode=0620\", \"gid=5\" ] },\n"
    "\t\t{ \"destination\": \"/dev/shm\", \"type\": \"tmpfs\", \"source\": \"shm\",\n"
    "\t\t  \"options\": [ \"nosuid\", \"noexec\", \"nodev\", \"mode=1777\", \"size=65536k\" ] },\n"
    "\t\t{ \"destination\": \"/dev/mqueue\", \"type\": \"mqueue\", \"source\": \"mqueue\",\n"
    "\t\t  \"options\": [ \"nosuid\", \"noexec\", \"nodev\" ] },\n"
    "\t\t{ \"destination\": \"/sys\", \"type\": \"sysfs\", \"source\": \"sysfs\",\n"
    "\t\t  \"options\": [ \"nosuid\", \"noexec\", \"nodev\", \"ro\" ] },\n"
    "\t\t{ \"destination\": \"/sys/fs/cgroup\", \"type\": \"cgroup\", \"source\": \"cgroup\",\n"
    "\t\t  \"options\": [ \"nosuid\", \"noexec\", \"nodev\", \"relatime\", \"ro\" ] }\n"
    "\t],\n"
    "\t\"linux\": {\n"
    "\t\t\"resources\": { \"devices\": [ { \"allow\": false, \"access\": \"rwm\" } ] },\n"
    "\t\t\"namespaces\": [ { \"type\": \"pid\" }, { \"type\": \"network\" }, { \"type\": \"ipc\" },\n"
    "\t\t                  { \"type\": \"uts\" }, { \"type\": \"mount\" } ],\n"
    "\t\t\"maskedPaths\": [ \"/proc/acpi\", \"/proc/asound\", \"/proc/kcore\", \"/proc/keys\",\n"
    "\t\t\t\"/proc/latency_stats\", \"/proc/timer_list\", \"/proc/timer_stats\", \"/proc/sched_debug\",\n"
    "\t\t\t\"/sys/firmware\", \"/proc/scsi\" ],\n"
    "\t\t\"readonlyPaths\": [ \"/proc/bus\", \"/proc/fs\", \"/proc/irq\", \"/proc/sys\", \"/proc/sysrq-trigger\" ]\n"
    "\t}\n"
    "}\n";

static void test_runc_spec(void **state)
{
    (void) state;
    struct oci_spec *s = NULL;
    oci_err_t err = NULL;

    assert_int_equal(oci_spec_parse(runc_spec, sizeof(runc_spec) - 1, &s, &err), 0);
    assert_null(err);
    assert_string_equal(s->oci_version, "1.0.2-dev");

    struct oci_process *p = s->process;
    assert_non_null(p);
    assert_true(p->terminal);
    assert_false(p->has_console_size);
    assert_int_equal(p->user.uid, 0);
    assert_int_equal(p->user.gid, 0);
    assert_false(p->user.umask.set);
    assert_int_equal(p->args.len, 1);
    assert_string_equal(p->args.v[0], "sh");
    assert_null(p->args.v[1]);
    assert_int_equal(p->env.len, 2);
    assert_string_equal(p->env.v[1], "TERM=xterm");
    assert_null(p->env.v[2]);
    assert_string_equal(p->cwd, "/");
    assert_non_null(p->capabilities);
    assert_int_equal(p->capabilities->bounding.len, 3);
    assert_string_equal(p->capabilities->ambient.v[2], "CAP_NET_BIND_SERVICE");
    assert_int_equal(p->capabilities->inheritable.len, 0);
    assert_null(p->capabilities->inheritable.v);
    assert_int_equal(p->n_rlimits, 1);
    assert_string_equal(p->rlimits[0].type, "RLIMIT_NOFILE");
    assert_int_equal(p->rlimits[0].resource, RLIMIT_NOFILE);
    assert_int_equal(p->rlimits[0].hard, 1024);
    assert_int_equal(p->rlimits[0].soft, 1024);
    assert_true(p->no_new_privileges);
    assert_false(p->oom_score_adj.set);
    assert_null(p->scheduler);
    assert_null(p->io_priority);
    assert_null(p->exec_cpu_affinity);

    assert_non_null(s->root);
    assert_string_equal(s->root->path, "rootfs");
    assert_true(s->root->readonly);
    assert_string_equal(s->hostname, "runc");
    assert_null(s->domainname);

    assert_int_equal(s->n_mounts, 7);
    assert_string_equal(s->mounts[0].destination, "/proc");
    assert_string_equal(s->mounts[0].type, "proc");
    assert_string_equal(s->mounts[0].source, "proc");
    assert_int_equal(s->mounts[0].options.len, 0);
    assert_int_equal(s->mounts[2].options.len, 6);
    assert_string_equal(s->mounts[2].options.v[5], "gid=5");
    assert_string_equal(s->mounts[6].destination, "/sys/fs/cgroup");

    assert_int_equal(s->hooks.prestart.len, 0);
    assert_int_equal(s->annotations.len, 0);

    struct oci_linux *lx = s->linux_;
    assert_non_null(lx);
    assert_non_null(lx->resources);
    assert_int_equal(lx->resources->n_devices, 1);
    assert_false(lx->resources->devices[0].allow);
    assert_null(lx->resources->devices[0].type);
    assert_false(lx->resources->devices[0].major.set);
    assert_string_equal(lx->resources->devices[0].access, "rwm");
    assert_null(lx->resources->memory);
    assert_false(lx->resources->pids_limit.set);
    assert_int_equal(lx->n_namespaces, 5);
    assert_int_equal(lx->namespaces[0].type, OCI_NS_PID);
    assert_int_equal(lx->namespaces[1].type, OCI_NS_NETWORK);
    assert_int_equal(lx->namespaces[4].type, OCI_NS_MOUNT);
    assert_null(lx->namespaces[4].path);
    assert_ptr_equal(oci_spec_namespace(s, OCI_NS_UTS), &lx->namespaces[3]);
    assert_null(oci_spec_namespace(s, OCI_NS_USER));
    assert_null(oci_spec_namespace(s, OCI_NS_CGROUP));
    assert_int_equal(lx->masked_paths.len, 10);
    assert_string_equal(lx->masked_paths.v[9], "/proc/scsi");
    assert_int_equal(lx->readonly_paths.len, 5);
    assert_null(lx->seccomp);
    assert_null(lx->cgroups_path);
    oci_spec_free(s);
}

/* Every section of runtime-spec 1.3 for Linux. */
static const char full_config[] =
    "{'ociVersion': '1.3.0',"
    " 'root': {'path': '/var/lib/c1/rootfs'},"
    " 'hostname': 'h1', 'domainname': 'example.org',"
    " 'annotations': {'org.example.key': 'value', 'b': ''},"
    " 'mounts': [{'destination': '/data', 'source': '/srv/data', 'type': 'none',"
    "             'options': ['rbind', 'ro'],"
    "             'uidMappings': [{'containerID': 0, 'hostID': 100000, 'size': 65536}],"
    "             'gidMappings': [{'containerID': 0, 'hostID': 200000, 'size': 1}]},"
    "            {'destination': 'relative/dest'}],"
    " 'process': {"
    "   'terminal': false, 'consoleSize': {'height': 25, 'width': 80},"
    "   'user': {'uid': 4294967295, 'gid': 1000, 'umask': 18, 'additionalGids': [5, 6, 4294967294]},"
    "   'args': ['/bin/app', '--flag'], 'env': ['A=1'], 'cwd': '/work',"
    "   'capabilities': {'bounding': ['CAP_CHOWN'], 'effective': [], 'inheritable': ['CAP_KILL'],"
    "                    'permitted': ['CAP_CHOWN'], 'ambient': []},"
    "   'rlimits': [{'type': 'RLIMIT_CORE', 'soft': 18446744073709551615, 'hard': 18446744073709551615},"
    "               {'type': 'RLIMIT_NPROC', 'soft': 10, 'hard': 20}],"
    "   'noNewPrivileges': false, 'apparmorProfile': 'prof', 'selinuxLabel': 'system_u:system_r:c_t:s0',"
    "   'oomScoreAdj': -1000,"
    "   'scheduler': {'policy': 'SCHED_DEADLINE', 'nice': -20, 'priority': 0,"
    "                 'flags': ['SCHED_FLAG_RESET_ON_FORK'], 'runtime': 100, 'deadline': 200, 'period': 300},"
    "   'ioPriority': {'class': 'IOPRIO_CLASS_BE', 'priority': 7},"
    "   'execCPUAffinity': {'initial': '7', 'final': '0-3,7'}},"
    " 'hooks': {"
    "   'prestart': [{'path': '/usr/bin/hook', 'args': ['hook', 'pre'], 'env': ['X=1'], 'timeout': 5}],"
    "   'createRuntime': [{'path': '/a'}, {'path': '/b'}],"
    "   'createContainer': [{'path': '/c'}], 'startContainer': [{'path': '/d'}],"
    "   'poststart': [{'path': '/e'}], 'poststop': [{'path': '/f', 'timeout': 2147483647}]},"
    " 'linux': {"
    "   'namespaces': [{'type': 'pid'}, {'type': 'network', 'path': '/var/run/netns/n1'},"
    "                  {'type': 'mount'}, {'type': 'ipc'}, {'type': 'uts'}, {'type': 'user'},"
    "                  {'type': 'cgroup', 'path': ''}, {'type': 'time'}],"
    "   'uidMappings': [{'containerID': 0, 'hostID': 1000, 'size': 32000}],"
    "   'gidMappings': [{'containerID': 0, 'hostID': 1000, 'size': 32000},"
    "                   {'containerID': 4294967295, 'hostID': 5, 'size': 1}],"
    "   'timeOffsets': {'monotonic': {'secs': -86400, 'nanosecs': 999999999}, 'boottime': {'secs': 10}},"
    "   'devices': [{'path': '/dev/fuse', 'type': 'c', 'major': 10, 'minor': 229, 'fileMode': 438,"
    "                'uid': 0, 'gid': 0},"
    "               {'path': '/dev/fifo', 'type': 'p'}],"
    "   'cgroupsPath': '/ocirun/c1',"
    "   'resources': {"
    "     'devices': [{'allow': false, 'access': 'rwm'},"
    "                 {'allow': true, 'type': 'c', 'major': 10, 'minor': 229, 'access': 'rw'}],"
    "     'memory': {'limit': 536870912, 'reservation': 1, 'swap': -1, 'kernel': -1, 'kernelTCP': 2,"
    "                'swappiness': 100, 'disableOOMKiller': true, 'useHierarchy': false,"
    "                'checkBeforeUpdate': true},"
    "     'cpu': {'shares': 1024, 'quota': 1000000, 'burst': 500000, 'period': 500000,"
    "             'realtimeRuntime': 950000, 'realtimePeriod': 1000000, 'cpus': '2-3', 'mems': '0-7',"
    "             'idle': 1},"
    "     'pids': {'limit': 32771},"
    "     'blockIO': {'weight': 10, 'leafWeight': 10,"
    "                 'weightDevice': [{'major': 8, 'minor': 0, 'weight': 500, 'leafWeight': 300},"
    "                                  {'major': 8, 'minor': 16, 'weight': 500}],"
    "                 'throttleReadBpsDevice': [{'major': 8, 'minor': 0, 'rate': 600}],"
    "                 'throttleWriteBpsDevice': [{'major': 8, 'minor': 1, 'rate': 601}],"
    "                 'throttleReadIOPSDevice': [{'major': 8, 'minor': 2, 'rate': 602}],"
    "                 'throttleWriteIOPSDevice': [{'major': 8, 'minor': 16, 'rate': 300}]},"
    "     'hugepageLimits': [{'pageSize': '2MB', 'limit': 209715200}, {'pageSize': '64KB', 'limit': 1}],"
    "     'network': {'classID': 1048577, 'priorities': [{'name': 'eth0', 'priority': 500}]},"
    "     'rdma': {'mlx5_1': {'hcaHandles': 3, 'hcaObjects': 10000}, 'rxe3': {'hcaObjects': 7}},"
    "     'unified': {'io.max': '259:0 rbps=2097152', 'memory.high': '1G'}},"
    "   'rootfsPropagation': 'rslave',"
    "   'seccomp': {'defaultAction': 'SCMP_ACT_ERRNO', 'defaultErrnoRet': 1,"
    "               'architectures': ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86'],"
    "               'flags': ['SECCOMP_FILTER_FLAG_LOG'],"
    "               'listenerPath': '/run/agent.sock', 'listenerMetadata': 'meta',"
    "               'syscalls': [{'names': ['read', 'write'], 'action': 'SCMP_ACT_ALLOW'},"
    "                            {'names': ['personality'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 38,"
    "                             'args': [{'index': 0, 'value': 8, 'op': 'SCMP_CMP_EQ'},"
    "                                      {'index': 5, 'value': 18446744073709551615, 'valueTwo': 3,"
    "                                       'op': 'SCMP_CMP_MASKED_EQ'}]}]},"
    "   'sysctl': {'net.ipv4.ip_forward': '1'},"
    "   'maskedPaths': ['/proc/kcore'], 'readonlyPaths': ['/proc/sys'],"
    "   'mountLabel': 'system_u:object_r:svirt_sandbox_file_t:s0:c715,c811',"
    "   'intelRdt': {'closID': 'guaranteed_group', 'l3CacheSchema': 'L3:0=7f0;1=1f',"
    "                'memBwSchema': 'MB:0=20;1=70', 'schemata': ['L2:0=f;1=f', 'MB:0=20'],"
    "                'enableMonitoring': true},"
    "   'personality': {'domain': 'LINUX32', 'flags': []},"
    "   'netDevices': {'eth1': {'name': 'ctr0'}, 'dummy0': {}},"
    "   'memoryPolicy': {'mode': 'MPOL_INTERLEAVE', 'nodes': '0-3', 'flags': ['MPOL_F_STATIC_NODES']}"
    " }}";

static void check_full_process(const struct oci_process *p)
{
    assert_false(p->terminal);
    assert_true(p->has_console_size);
    assert_int_equal(p->console_size.height, 25);
    assert_int_equal(p->console_size.width, 80);
    assert_int_equal(p->user.uid, UINT32_MAX);
    assert_int_equal(p->user.gid, 1000);
    assert_true(p->user.umask.set);
    assert_int_equal(p->user.umask.value, 18);
    assert_int_equal(p->user.n_additional_gids, 3);
    assert_int_equal(p->user.additional_gids[2], 4294967294u);
    assert_string_equal(p->args.v[1], "--flag");
    assert_string_equal(p->cwd, "/work");
    assert_int_equal(p->capabilities->effective.len, 0);
    assert_non_null(p->capabilities->effective.v);
    assert_string_equal(p->capabilities->inheritable.v[0], "CAP_KILL");
    assert_int_equal(p->n_rlimits, 2);
    assert_int_equal(p->rlimits[0].resource, RLIMIT_CORE);
    assert_true(p->rlimits[0].soft == UINT64_MAX);
    assert_true(p->rlimits[0].hard == UINT64_MAX);
    assert_int_equal(p->rlimits[1].resource, RLIMIT_NPROC);
    assert_int_equal(p->rlimits[1].soft, 10);
    assert_string_equal(p->apparmor_profile, "prof");
    assert_string_equal(p->selinux_label, "system_u:system_r:c_t:s0");
    assert_true(p->oom_score_adj.set);
    assert_int_equal(p->oom_score_adj.value, -1000);
    assert_string_equal(p->scheduler->policy, "SCHED_DEADLINE");
    assert_int_equal(p->scheduler->nice, -20);
    assert_string_equal(p->scheduler->flags.v[0], "SCHED_FLAG_RESET_ON_FORK");
    assert_int_equal(p->scheduler->runtime, 100);
    assert_int_equal(p->scheduler->deadline, 200);
    assert_int_equal(p->scheduler->period, 300);
    assert_string_equal(p->io_priority->class_, "IOPRIO_CLASS_BE");
    assert_int_equal(p->io_priority->priority, 7);
    assert_string_equal(p->exec_cpu_affinity->initial, "7");
    assert_string_equal(p->exec_cpu_affinity->final_, "0-3,7");
    /* the kernel's numbers, as sched_setattr and ioprio_set take them */
    assert_int_equal(p->scheduler->policy_value, 6);
    assert_int_equal(p->scheduler->flag_bits, 0x01);
    assert_int_equal(p->io_priority->class_value, 2);
    assert_true(p->exec_cpu_affinity->has_initial);
    assert_int_equal(CPU_COUNT(&p->exec_cpu_affinity->initial_set), 1);
    assert_true(CPU_ISSET(7, &p->exec_cpu_affinity->initial_set));
    assert_true(p->exec_cpu_affinity->has_final);
    assert_int_equal(CPU_COUNT(&p->exec_cpu_affinity->final_set), 5);
    for (int cpu = 0; cpu <= 3; cpu++)
        assert_true(CPU_ISSET(cpu, &p->exec_cpu_affinity->final_set));
}

/* process.scheduler's numbers and runc's rules, process.ioPriority's class, CPU lists. */
static void test_process_attributes(void **state)
{
    static const struct { const char *json; int policy; uint64_t flags; } sched[] = {
        { "{'policy': 'SCHED_OTHER', 'nice': 19}", 0, 0 },
        { "{'policy': 'SCHED_FIFO', 'priority': 99}", 1, 0 },
        { "{'policy': 'SCHED_RR', 'priority': 1, 'flags': ['SCHED_FLAG_UTIL_CLAMP_MAX', 'SCHED_FLAG_RECLAIM']}", 2, 0x42 },
        { "{'policy': 'SCHED_BATCH', 'flags': ['SCHED_FLAG_KEEP_POLICY', 'SCHED_FLAG_KEEP_PARAMS']}", 3, 0x18 },
        { "{'policy': 'SCHED_IDLE', 'flags': ['SCHED_FLAG_DL_OVERRUN', 'SCHED_FLAG_UTIL_CLAMP_MIN']}", 5, 0x24 },
        { "{'policy': 'SCHED_DEADLINE', 'runtime': 1, 'deadline': 2, 'period': 3}", 6, 0 },
    };
    static const struct { const char *cls; int value; } io[] = {
        { "IOPRIO_CLASS_RT", 1 }, { "IOPRIO_CLASS_BE", 2 }, { "IOPRIO_CLASS_IDLE", 3 },
    };
    static const struct { const char *list; int count; int last; } cpus[] = {
        { "0", 1, 0 }, { "1023", 1, 1023 }, { " 0 - 2 , 5 ", 4, 5 }, { "4,4,2-3", 3, 4 }, { "0-1023", 1024, 1023 },
    };
    (void) state;

    for (size_t i = 0; i < ARRAY_SIZE(sched); i++) {
        cleanup_free char *json = xasprintf("{'ociVersion': '1.3.0', 'process': {'cwd': '/', 'args': ['sh'], "
                                            "'scheduler': %s}}", sched[i].json);
        struct oci_spec *s = parse_ok(json);
        assert_int_equal(s->process->scheduler->policy_value, sched[i].policy);
        assert_int_equal(s->process->scheduler->flag_bits, sched[i].flags);
        oci_spec_free(s);
    }
    for (size_t i = 0; i < ARRAY_SIZE(io); i++) {
        cleanup_free char *json = xasprintf("{'ociVersion': '1.3.0', 'process': {'cwd': '/', 'args': ['sh'], "
                                            "'ioPriority': {'class': '%s', 'priority': 3}}}", io[i].cls);
        struct oci_spec *s = parse_ok(json);
        assert_int_equal(s->process->io_priority->class_value, io[i].value);
        oci_spec_free(s);
    }
    for (size_t i = 0; i < ARRAY_SIZE(cpus); i++) {
        cleanup_free char *json = xasprintf("{'ociVersion': '1.3.0', 'process': {'cwd': '/', 'args': ['sh'], "
                                            "'execCPUAffinity': {'initial': '%s', 'final': ''}}}", cpus[i].list);
        struct oci_spec *s = parse_ok(json);
        const struct oci_cpu_affinity *a = s->process->exec_cpu_affinity;
        assert_true(a->has_initial);
        assert_false(a->has_final);   /* empty: none */
        assert_int_equal(CPU_COUNT(&a->initial_set), cpus[i].count);
        assert_true(CPU_ISSET(cpus[i].last, &a->initial_set));
        oci_spec_free(s);
    }
}

static void check_full_resources(const struct oci_resources *r)
{
    assert_int_equal(r->n_devices, 2);
    assert_true(r->devices[1].allow);
    assert_string_equal(r->devices[1].type, "c");
    assert_true(r->devices[1].major.set);
    assert_int_equal(r->devices[1].major.value, 10);
    assert_int_equal(r->devices[1].minor.value, 229);
    assert_true(r->memory->limit.set);
    assert_int_equal(r->memory->limit.value, 536870912);
    assert_int_equal(r->memory->swap.value, -1);
    assert_int_equal(r->memory->kernel_tcp.value, 2);
    assert_int_equal(r->memory->swappiness.value, 100);
    assert_true(r->memory->disable_oom_killer.set && r->memory->disable_oom_killer.value);
    assert_true(r->memory->use_hierarchy.set && !r->memory->use_hierarchy.value);
    assert_true(r->memory->check_before_update.set && r->memory->check_before_update.value);
    assert_int_equal(r->cpu->shares.value, 1024);
    assert_int_equal(r->cpu->quota.value, 1000000);
    assert_true(r->cpu->burst.set);
    assert_int_equal(r->cpu->burst.value, 500000);
    assert_int_equal(r->cpu->realtime_runtime.value, 950000);
    assert_int_equal(r->cpu->realtime_period.value, 1000000);
    assert_string_equal(r->cpu->cpus, "2-3");
    assert_string_equal(r->cpu->mems, "0-7");
    assert_true(r->cpu->idle.set);
    assert_int_equal(r->cpu->idle.value, 1);
    assert_true(r->pids_limit.set);
    assert_int_equal(r->pids_limit.value, 32771);
    assert_int_equal(r->block_io->weight.value, 10);
    assert_int_equal(r->block_io->n_weight_device, 2);
    assert_int_equal(r->block_io->weight_device[0].leaf_weight.value, 300);
    assert_false(r->block_io->weight_device[1].leaf_weight.set);
    assert_int_equal(r->block_io->throttle_read_bps.items[0].rate, 600);
    assert_int_equal(r->block_io->throttle_write_bps.items[0].minor, 1);
    assert_int_equal(r->block_io->throttle_read_iops.items[0].rate, 602);
    assert_int_equal(r->block_io->throttle_write_iops.items[0].minor, 16);
    assert_int_equal(r->n_hugepage_limits, 2);
    assert_string_equal(r->hugepage_limits[1].page_size, "64KB");
    assert_int_equal(r->hugepage_limits[0].limit, 209715200);
    assert_int_equal(r->network->class_id.value, 1048577);
    assert_string_equal(r->network->priorities[0].name, "eth0");
    assert_int_equal(r->network->priorities[0].priority, 500);
    assert_int_equal(r->n_rdma, 2);
    assert_string_equal(r->rdma[0].device, "mlx5_1");
    assert_int_equal(r->rdma[0].hca_handles.value, 3);
    assert_false(r->rdma[1].hca_handles.set);
    assert_int_equal(r->rdma[1].hca_objects.value, 7);
    assert_int_equal(r->unified.len, 2);
    assert_string_equal(r->unified.items[1].key, "memory.high");
    assert_string_equal(r->unified.items[1].value, "1G");
}

static void check_full_seccomp(const struct oci_seccomp *s)
{
    assert_string_equal(s->default_action, "SCMP_ACT_ERRNO");
    assert_true(s->default_errno_ret.set);
    assert_int_equal(s->default_errno_ret.value, 1);
    assert_int_equal(s->architectures.len, 2);
    assert_string_equal(s->flags.v[0], "SECCOMP_FILTER_FLAG_LOG");
    assert_string_equal(s->listener_path, "/run/agent.sock");
    assert_string_equal(s->listener_metadata, "meta");
    assert_int_equal(s->n_syscalls, 2);
    assert_string_equal(s->syscalls[0].names.v[1], "write");
    assert_false(s->syscalls[0].errno_ret.set);
    assert_int_equal(s->syscalls[1].errno_ret.value, 38);
    assert_int_equal(s->syscalls[1].n_args, 2);
    assert_int_equal(s->syscalls[1].args[0].op, OCI_OP_EQ);
    assert_int_equal(s->syscalls[1].args[0].value, 8);
    assert_int_equal(s->syscalls[1].args[1].index, 5);
    assert_true(s->syscalls[1].args[1].value == UINT64_MAX);
    assert_int_equal(s->syscalls[1].args[1].value_two, 3);
    assert_int_equal(s->syscalls[1].args[1].op, OCI_OP_MASKED_EQ);
}

static void check_full_linux(const struct oci_linux *lx)
{
    assert_int_equal(lx->n_namespaces, 8);
    assert_string_equal(lx->namespaces[1].path, "/var/run/netns/n1");
    assert_null(lx->namespaces[6].path);
    assert_int_equal(lx->namespaces[7].type, OCI_NS_TIME);
    assert_int_equal(lx->uid_mappings.len, 1);
    assert_int_equal(lx->uid_mappings.items[0].host_id, 1000);
    assert_int_equal(lx->uid_mappings.items[0].size, 32000);
    assert_int_equal(lx->gid_mappings.items[1].container_id, UINT32_MAX);
    assert_int_equal(lx->n_time_offsets, 2);
    assert_string_equal(lx->time_offsets[0].clock, "monotonic");
    assert_int_equal(lx->time_offsets[0].secs, -86400);
    assert_int_equal(lx->time_offsets[0].nanosecs, 999999999);
    assert_string_equal(lx->time_offsets[1].clock, "boottime");
    assert_int_equal(lx->n_devices, 2);
    assert_string_equal(lx->devices[0].type, "c");
    assert_int_equal(lx->devices[0].major, 10);
    assert_int_equal(lx->devices[0].minor, 229);
    assert_int_equal(lx->devices[0].file_mode.value, 0666);
    assert_true(lx->devices[0].uid.set);
    assert_false(lx->devices[1].file_mode.set);
    assert_string_equal(lx->cgroups_path, "/ocirun/c1");
    check_full_resources(lx->resources);
    assert_string_equal(lx->rootfs_propagation, "rslave");
    check_full_seccomp(lx->seccomp);
    assert_string_equal(lx->sysctl.items[0].key, "net.ipv4.ip_forward");
    assert_string_equal(lx->sysctl.items[0].value, "1");
    assert_string_equal(lx->mount_label, "system_u:object_r:svirt_sandbox_file_t:s0:c715,c811");
    assert_string_equal(lx->intel_rdt->clos_id, "guaranteed_group");
    assert_string_equal(lx->intel_rdt->l3_cache_schema, "L3:0=7f0;1=1f");
    assert_string_equal(lx->intel_rdt->mem_bw_schema, "MB:0=20;1=70");
    assert_int_equal(lx->intel_rdt->schemata.len, 2);
    assert_true(lx->intel_rdt->enable_monitoring);
    assert_string_equal(lx->personality->domain, "LINUX32");
    assert_int_equal(lx->n_net_devices, 2);
    assert_string_equal(lx->net_devices[0].host_name, "eth1");
    assert_string_equal(lx->net_devices[0].name, "ctr0");
    assert_null(lx->net_devices[1].name);
    assert_string_equal(lx->memory_policy->mode, "MPOL_INTERLEAVE");
    assert_string_equal(lx->memory_policy->nodes, "0-3");
    assert_string_equal(lx->memory_policy->flags.v[0], "MPOL_F_STATIC_NODES");
}

static void test_full_config(void **state)
{
    (void) state;
    struct oci_spec *s = parse_ok(full_config);

    assert_string_equal(s->oci_version, "1.3.0");
    assert_string_equal(s->root->path, "/var/lib/c1/rootfs");
    assert_false(s->root->readonly);
    assert_string_equal(s->domainname, "example.org");
    assert_int_equal(s->annotations.len, 2);
    assert_string_equal(s->annotations.items[0].key, "org.example.key");
    assert_string_equal(s->annotations.items[1].value, "");
    assert_int_equal(s->n_mounts, 2);
    assert_int_equal(s->mounts[0].uid_mappings.items[0].host_id, 100000);
    assert_int_equal(s->mounts[0].uid_mappings.items[0].size, 65536);
    assert_int_equal(s->mounts[0].gid_mappings.len, 1);
    assert_string_equal(s->mounts[1].destination, "relative/dest");
    assert_null(s->mounts[1].source);
    assert_null(s->mounts[1].options.v);
    check_full_process(s->process);
    assert_int_equal(s->hooks.prestart.len, 1);
    assert_string_equal(s->hooks.prestart.items[0].path, "/usr/bin/hook");
    assert_string_equal(s->hooks.prestart.items[0].args.v[1], "pre");
    assert_string_equal(s->hooks.prestart.items[0].env.v[0], "X=1");
    assert_true(s->hooks.prestart.items[0].timeout.set);
    assert_int_equal(s->hooks.prestart.items[0].timeout.value, 5);
    assert_int_equal(s->hooks.create_runtime.len, 2);
    assert_string_equal(s->hooks.create_runtime.items[1].path, "/b");
    assert_false(s->hooks.create_runtime.items[1].timeout.set);
    assert_string_equal(s->hooks.create_container.items[0].path, "/c");
    assert_string_equal(s->hooks.start_container.items[0].path, "/d");
    assert_string_equal(s->hooks.poststart.items[0].path, "/e");
    assert_int_equal(s->hooks.poststop.items[0].timeout.value, INT32_MAX);
    check_full_linux(s->linux_);
    oci_spec_free(s);
}

static void test_minimal_and_optional(void **state)
{
    (void) state;
    struct oci_spec *s = parse_ok("{'ociVersion': '1.0.0'}");

    assert_null(s->root);
    assert_null(s->process);
    assert_null(s->linux_);
    assert_int_equal(s->n_mounts, 0);
    assert_null(oci_spec_namespace(s, OCI_NS_PID));
    oci_spec_free(s);

    /* null values count as absent (Go's decoder accepts them) */
    s = parse_ok("{'ociVersion': '1.1.0', 'hostname': null, 'process': {'cwd': '/', 'args': ['x'],"
                 " 'oomScoreAdj': null, 'user': null}, 'linux': {'resources': null}}");
    assert_null(s->hostname);
    assert_false(s->process->oom_score_adj.set);
    assert_null(s->linux_->resources);
    oci_spec_free(s);

    /* pre-1.3 intelRdt: schemata as one string, enableCMT/enableMBM */
    s = parse_ok("{'ociVersion': '1.2.0', 'linux': {'intelRdt': {'schemata': 'L3:0=f\\nMB:0=20\\n',"
                 " 'enableCMT': true, 'enableMBM': true}}}");
    assert_int_equal(s->linux_->intel_rdt->schemata.len, 2);
    assert_string_equal(s->linux_->intel_rdt->schemata.v[1], "MB:0=20");
    assert_null(s->linux_->intel_rdt->schemata.v[2]);
    assert_true(s->linux_->intel_rdt->enable_cmt);
    assert_true(s->linux_->intel_rdt->enable_mbm);
    oci_spec_free(s);
}

static void test_unknown_properties_ignored(void **state)
{
    (void) state;
    struct oci_spec *s = parse_ok(
        "{'ociVersion': '1.2.0', 'foo': {'bar': [1, 2, {'x': null}]}, 'windows': {'layerFolders': []},"
        " 'vm': {'kernel': {'path': '/k'}}, 'solaris': 5,"
        " 'process': {'cwd': '/', 'args': ['sh'], 'future': true, 'user': {'uid': 1, 'extra': 'x'}},"
        " 'linux': {'newThing': 1, 'resources': {'memory': {'newKnob': 'y', 'limit': 5}},"
        "           'namespaces': [{'type': 'pid', 'flags': 3}]}}");

    assert_int_equal(s->process->user.uid, 1);
    assert_int_equal(s->linux_->resources->memory->limit.value, 5);
    assert_int_equal(s->linux_->n_namespaces, 1);
    oci_spec_free(s);
}

/* The same key twice in one object is refused (readers would take one of them silently), at
 * every level, with the object's path. */
static void test_duplicate_keys_refused(void **state)
{
    (void) state;
    cleanup_free char *top = parse_err("{'ociVersion': '1.0.0', 'hostname': 'a', 'hostname': 'b'}");
    cleanup_free char *deep = parse_err("{'ociVersion': '1.0.0', 'annotations': {'a': 'b', 'c': 'd', 'a': 'e'}}");
    cleanup_free char *vendor = parse_err("{'ociVersion': '1.0.0', 'x': [{}, {'y': 1, 'y': 2}]}");

    assert_string_equal(top, "duplicate key \"hostname\" (a JSON object's keys must be unique)");
    assert_string_equal(deep, "annotations: duplicate key \"a\" (a JSON object's keys must be unique)");
    assert_string_equal(vendor, "x[1]: duplicate key \"y\" (a JSON object's keys must be unique)");
}

/* A \u0000 escape would cut yajl's C string short unseen; nesting deeper than 128 levels is
 * refused before yajl builds (and recursively frees) the tree. */
static void test_nul_and_depth_refused(void **state)
{
    (void) state;
    cleanup_free char *val = parse_err("{'ociVersion': '1.0.0', 'linux': {'namespaces': [{'type': 'pid'}, {'type': 'x\\u0000y'}]}}");
    cleanup_free char *key = parse_err("{'ociVersion': '1.0.0', 'annotations': {'a\\u0000': 'b'}}");
    struct oci_spec *escaped = parse_ok("{'ociVersion': '1.0.0', 'hostname': 'a\\\\u0000'}");
    size_t n = 100000;
    cleanup_free char *deep_json = xmalloc(2 * n + 16);
    struct oci_spec *spec = NULL;
    oci_err_t err = NULL;

    assert_string_equal(val, "linux.namespaces[1].type: parse error: the string holds a NUL character (\\u0000)");
    assert_string_equal(key, "annotations: parse error: a key holds a NUL character (\\u0000)");
    /* an escaped backslash followed by u0000 is no NUL */
    assert_string_equal(escaped->hostname, "a\\u0000");
    oci_spec_free(escaped);
    strcpy(deep_json, "{\"a\":");
    memset(deep_json + 5, '[', n);
    memset(deep_json + 5 + n, ']', n);
    strcpy(deep_json + 5 + 2 * n, "}");
    assert_int_equal(oci_spec_parse(deep_json, strlen(deep_json), &spec, &err), -1);
    assert_non_null(strstr(err->msg, "parse error: JSON nested deeper than 128 levels"));
    oci_error_free(&err);
}

/* Invalid UTF-8 is refused with the path of its string (yajl's own error names no field);
 * valid 2-, 3- and 4-byte forms pass. A document over 32 MiB is refused unparsed. */
static void test_utf8_and_size_refused(void **state)
{
    (void) state;
    static const char *const bad[] = { "\xc3\x28", "\xe0\x80\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xff", "\xc3" };
    size_t big = (32 << 20) + 1;
    cleanup_free char *huge = xmalloc(big + 1);
    struct oci_spec *spec = NULL;
    oci_err_t err = NULL;

    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        cleanup_free char *json = xasprintf("{'ociVersion': '1.0.0', 'hostname': 'a%s'}", bad[i]);
        cleanup_free char *msg = parse_err(json);
        assert_string_equal(msg, "hostname: parse error: the string is not valid UTF-8");
    }
    spec = parse_ok("{'ociVersion': '1.0.0', 'hostname': 'a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80'}");
    assert_string_equal(spec->hostname, "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
    oci_spec_free(spec);
    memset(huge, ' ', big);
    huge[0] = '{';
    huge[big - 1] = '}';
    huge[big] = '\0';
    assert_int_equal(oci_spec_parse(huge, big, &spec, &err), -1);
    assert_string_equal(err->msg, "parse error: the document is 33554433 bytes, more than the 32 MiB accepted");
    oci_error_free(&err);
}

static void test_versions(void **state)
{
    (void) state;
    static const char *const ok[] = {
        "1.0.0", "1.0.1", "1.0.2", "1.0.2-dev", "1.0.0-rc5", "1.1.0", "1.1.0+dev", "1.2.0", "1.2.1",
        "1.3.0", "1.3.7", "1.3.0-rc.1",
    };
    static const struct { const char *v, *msg; } bad[] = {
        { "2.0.0", "ociVersion: unsupported version \"2.0.0\" (supported: 1.0.0 to 1.3.x)" },
        { "1.4.0", "ociVersion: unsupported version \"1.4.0\" (supported: 1.0.0 to 1.3.x)" },
        { "0.6.0", "ociVersion: unsupported version \"0.6.0\" (supported: 1.0.0 to 1.3.x)" },
        { "1.0", "ociVersion: unsupported version \"1.0\" (supported: 1.0.0 to 1.3.x)" },
        { "", "ociVersion: unsupported version \"\" (supported: 1.0.0 to 1.3.x)" },
        { "v1.0.0", "ociVersion: unsupported version \"v1.0.0\" (supported: 1.0.0 to 1.3.x)" },
        { "1.0.0x", "ociVersion: unsupported version \"1.0.0x\" (supported: 1.0.0 to 1.3.x)" },
        { "1.10.0", "ociVersion: unsupported version \"1.10.0\" (supported: 1.0.0 to 1.3.x)" },
    };

    for (size_t i = 0; i < ARRAY_SIZE(ok); i++) {
        cleanup_free char *json = xasprintf("{'ociVersion': '%s'}", ok[i]);
        struct oci_spec *s = parse_ok(json);
        assert_string_equal(s->oci_version, ok[i]);
        oci_spec_free(s);
    }
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        cleanup_free char *json = xasprintf("{'ociVersion': '%s'}", bad[i].v);
        assert_parse_error(json, bad[i].msg);
    }
    assert_parse_error("{}", "ociVersion: missing required field");
    assert_parse_error("{'ociVersion': 1}", "ociVersion: expected a string, got 1");
}

static void test_json_errors(void **state)
{
    (void) state;

    assert_parse_error("", "parse error: premature EOF");
    assert_parse_error("{'ociVersion': '1.0.0'", "parse error: premature EOF");
    assert_parse_error("{'a' 1}", "parse error: object key and value must be separated by a colon (':')");
    assert_parse_error("{'a': 1,}", "parse error: invalid object key (must be a string)");
    assert_parse_error("{} x", "parse error: trailing garbage");
    assert_parse_error("{'a': nul}", "parse error: lexical error: invalid string in json text.");
    assert_parse_error("[1, 2]", "expected an object, got [...]");
    assert_parse_error("'str'", "expected an object, got \"str\"");

    /* an embedded NUL byte is not JSON */
    struct oci_spec *s = NULL;
    oci_err_t err = NULL;
    assert_int_equal(oci_spec_parse("{}\0{}", 5, &s, &err), -1);
    assert_string_equal(err->msg, "parse error: NUL byte in JSON text");
    oci_error_free(&err);

    /* the buffer need not be NUL-terminated: only len bytes are read */
    static const char unterminated[] = "{\"ociVersion\": \"1.0.0\"}garbage";
    assert_int_equal(oci_spec_parse(unterminated, 23, &s, &err), 0);
    assert_string_equal(s->oci_version, "1.0.0");
    oci_spec_free(s);
}

#define P(body) "{'ociVersion': '1.3.0', 'process': {" body "}}"
#define PC(body) P("'cwd': '/', 'args': ['sh'], " body)
#define L(body) "{'ociVersion': '1.3.0', 'linux': {" body "}}"

static void test_type_errors(void **state)
{
    (void) state;

    assert_parse_error(PC("'user': {'uid': 'abc'}"),
                       "process.user.uid: expected an unsigned 32-bit integer, got \"abc\"");
    assert_parse_error(PC("'user': {'uid': -1}"),
                       "process.user.uid: expected an unsigned 32-bit integer, got -1");
    assert_parse_error(PC("'user': {'gid': 4294967296}"),
                       "process.user.gid: expected an unsigned 32-bit integer, got 4294967296");
    assert_parse_error(PC("'user': {'uid': 1.5}"),
                       "process.user.uid: expected an unsigned 32-bit integer, got 1.5");
    assert_parse_error(PC("'user': {'uid': 1e3}"),
                       "process.user.uid: expected an unsigned 32-bit integer, got 1e3");
    assert_parse_error(PC("'user': {'uid': {}}"),
                       "process.user.uid: expected an unsigned 32-bit integer, got {...}");
    assert_parse_error(PC("'user': {'additionalGids': [1, true]}"),
                       "process.user.additionalGids[1]: expected an unsigned 32-bit integer, got true");
    assert_parse_error(PC("'user': []"), "process.user: expected an object, got [...]");
    assert_parse_error(PC("'terminal': 'yes'"), "process.terminal: expected a boolean, got \"yes\"");
    assert_parse_error(PC("'terminal': 1"), "process.terminal: expected a boolean, got 1");
    assert_parse_error(PC("'env': 'A=1'"), "process.env: expected an array of strings, got \"A=1\"");
    assert_parse_error(PC("'env': ['A=1', 5]"), "process.env[1]: expected a string, got 5");
    assert_parse_error(P("'cwd': '/', 'args': [false]"), "process.args[0]: expected a string, got false");
    assert_parse_error(PC("'rlimits': [{'type': 'RLIMIT_NOFILE', 'soft': 1, 'hard': 18446744073709551616}]"),
                       "process.rlimits[0].hard: expected an unsigned 64-bit integer, got 18446744073709551616");
    assert_parse_error(PC("'oomScoreAdj': 1001"),
                       "process.oomScoreAdj: expected an integer from -1000 to 1000, got 1001");
    assert_parse_error(PC("'consoleSize': {'height': 1}"), "process.consoleSize.width: missing required field");
    assert_parse_error("{'ociVersion': '1.0.0', 'process': 'x'}", "process: expected an object, got \"x\"");
    assert_parse_error("{'ociVersion': '1.0.0', 'mounts': {}}", "mounts: expected an array, got {...}");
    assert_parse_error("{'ociVersion': '1.0.0', 'mounts': [5]}", "mounts[0]: expected an object, got 5");
    assert_parse_error("{'ociVersion': '1.0.0', 'hostname': ['a']}", "hostname: expected a string, got [...]");
    assert_parse_error("{'ociVersion': '1.0.0', 'annotations': {'a': 1}}",
                       "annotations.a: expected a string, got 1");
    assert_parse_error(L("'sysctl': {'net.ipv4.ip_forward': 1}"),
                       "linux.sysctl[\"net.ipv4.ip_forward\"]: expected a string, got 1");
    assert_parse_error(L("'resources': {'memory': {'limit': '1G'}}"),
                       "linux.resources.memory.limit: expected a 64-bit integer, got \"1G\"");
    assert_parse_error(L("'resources': {'memory': {'limit': 9223372036854775808}}"),
                       "linux.resources.memory.limit: expected a 64-bit integer, got 9223372036854775808");
    assert_parse_error(L("'resources': {'memory': {'swappiness': 101}}"),
                       "linux.resources.memory.swappiness: expected an integer from 0 to 100, got 101");
    assert_parse_error(L("'resources': {'cpu': {'shares': -2}}"),
                       "linux.resources.cpu.shares: expected an unsigned 64-bit integer, got -2");
    assert_parse_error(L("'resources': {'blockIO': {'weight': 65536}}"),
                       "linux.resources.blockIO.weight: expected an unsigned 16-bit integer, got 65536");
    assert_parse_error(L("'resources': {'memory': {'checkBeforeUpdate': 'true'}}"),
                       "linux.resources.memory.checkBeforeUpdate: expected a boolean, got \"true\"");
    assert_parse_error(L("'timeOffsets': {'boottime': {'nanosecs': 1000000000}}"),
                       "linux.timeOffsets.boottime.nanosecs: expected an integer from 0 to 999999999, got 1000000000");
    assert_parse_error(L("'namespaces': {}"), "linux.namespaces: expected an array, got {...}");
    assert_parse_error("{'ociVersion': '1.0.0', 'linux': 3}", "linux: expected an object, got 3");
    /* long strings are shortened, specials escaped */
    assert_parse_error(PC("'terminal': 'a\\\"b\\\\c\\nd\\u0001'"),
                       "process.terminal: expected a boolean, got \"a\\\"b\\\\c\\nd\\u0001\"");
    assert_parse_error(PC("'terminal': '0123456789012345678901234567890123456789012345678901234567890123456789'"),
                       "process.terminal: expected a boolean, got "
                       "\"0123456789012345678901234567890123456789012345678901234567890123...\"");
}

static void test_required_fields(void **state)
{
    (void) state;

    assert_parse_error(P("'args': ['sh']"), "process.cwd: missing required field");
    assert_parse_error(P("'cwd': '/'"), "process.args: missing required field");
    assert_parse_error(P("'cwd': '/', 'args': []"), "process.args: must not be empty");
    assert_parse_error(P("'cwd': 'rel', 'args': ['sh']"), "process.cwd: must be an absolute path, got \"rel\"");
    assert_parse_error("{'ociVersion': '1.0.0', 'root': {}}", "root.path: missing required field");
    assert_parse_error("{'ociVersion': '1.0.0', 'root': {'path': ''}}", "root.path: must not be empty");
    assert_parse_error("{'ociVersion': '1.0.0', 'root': {'path': 'r', 'readonly': 'no'}}",
                       "root.readonly: expected a boolean, got \"no\"");
    assert_parse_error("{'ociVersion': '1.0.0', 'mounts': [{'destination': '/a'}, {'source': '/b'}]}",
                       "mounts[1].destination: missing required field");
    assert_parse_error("{'ociVersion': '1.0.0', 'mounts': [{'destination': ''}]}",
                       "mounts[0].destination: must not be empty");
    assert_parse_error("{'ociVersion': '1.0.0', 'hooks': {'poststop': [{'path': '/a'}, {'args': []}]}}",
                       "hooks.poststop[1].path: missing required field");
    assert_parse_error("{'ociVersion': '1.0.0', 'hooks': {'createRuntime': [{'path': 'hook'}]}}",
                       "hooks.createRuntime[0].path: must be an absolute path, got \"hook\"");
    assert_parse_error("{'ociVersion': '1.0.0', 'hooks': {'prestart': [{'path': '/h', 'timeout': 0}]}}",
                       "hooks.prestart[0].timeout: expected an integer from 1 to 2147483647, got 0");
    assert_parse_error("{'ociVersion': '1.0.0', 'hooks': {'prestart': {}}}",
                       "hooks.prestart: expected an array, got {...}");
    assert_parse_error(PC("'rlimits': [{'type': 'RLIMIT_NOFILE', 'soft': 1}]"),
                       "process.rlimits[0].hard: missing required field");
    assert_parse_error(PC("'rlimits': [{'soft': 1, 'hard': 1}]"), "process.rlimits[0].type: missing required field");
    assert_parse_error(L("'namespaces': [{'path': '/proc/1/ns/net'}]"),
                       "linux.namespaces[0].type: missing required field");
    assert_parse_error(L("'uidMappings': [{'containerID': 0, 'hostID': 1000}]"),
                       "linux.uidMappings[0].size: missing required field");
    assert_parse_error(L("'devices': [{'path': '/dev/x', 'type': 'c', 'major': 1}]"),
                       "linux.devices[0].minor: missing required field");
    assert_parse_error(L("'devices': [{'type': 'c'}]"), "linux.devices[0].path: missing required field");
    assert_parse_error(L("'resources': {'devices': [{'access': 'r'}]}"),
                       "linux.resources.devices[0].allow: missing required field");
    assert_parse_error(L("'resources': {'pids': {}}"), "linux.resources.pids.limit: missing required field");
    assert_parse_error(L("'resources': {'hugepageLimits': [{'limit': 1}]}"),
                       "linux.resources.hugepageLimits[0].pageSize: missing required field");
    assert_parse_error(L("'resources': {'blockIO': {'throttleReadBpsDevice': [{'major': 8, 'minor': 0}]}}"),
                       "linux.resources.blockIO.throttleReadBpsDevice[0].rate: missing required field");
    assert_parse_error(L("'resources': {'blockIO': {'weightDevice': [{'major': 8, 'minor': 0}]}}"),
                       "linux.resources.blockIO.weightDevice[0]: at least one of weight or leafWeight is required");
    assert_parse_error(L("'resources': {'network': {'priorities': [{'name': 'eth0'}]}}"),
                       "linux.resources.network.priorities[0].priority: missing required field");
    assert_parse_error(L("'resources': {'rdma': {'mlx4_0': {}}}"),
                       "linux.resources.rdma.mlx4_0: at least one of hcaHandles or hcaObjects is required");
    assert_parse_error(L("'seccomp': {}"), "linux.seccomp.defaultAction: missing required field");
    assert_parse_error(L("'seccomp': {'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'action': 'SCMP_ACT_LOG'}]}"),
                       "linux.seccomp.syscalls[0].names: missing required field");
    assert_parse_error(L("'seccomp': {'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': [],"
                         " 'action': 'SCMP_ACT_LOG'}]}"),
                       "linux.seccomp.syscalls[0].names: must not be empty");
    assert_parse_error(L("'seccomp': {'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': ['read']}]}"),
                       "linux.seccomp.syscalls[0].action: missing required field");
    assert_parse_error(L("'seccomp': {'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': ['read'],"
                         " 'action': 'SCMP_ACT_ALLOW', 'args': [{'index': 0, 'op': 'SCMP_CMP_EQ'}]}]}"),
                       "linux.seccomp.syscalls[0].args[0].value: missing required field");
    assert_parse_error(L("'personality': {}"), "linux.personality.domain: missing required field");
    assert_parse_error(L("'memoryPolicy': {'nodes': '0'}"), "linux.memoryPolicy.mode: missing required field");
    assert_parse_error(PC("'scheduler': {'nice': 1}"), "process.scheduler.policy: missing required field");
    assert_parse_error(PC("'ioPriority': {'priority': 1}"), "process.ioPriority.class: missing required field");
}

static void test_value_errors(void **state)
{
    (void) state;

    assert_parse_error(L("'namespaces': [{'type': 'pid'}, {'type': 'mount'}, {'type': 'pdi'}]"),
                       "linux.namespaces[2].type: unknown namespace type \"pdi\"");
    assert_parse_error(L("'namespaces': [{'type': 'pid'}, {'type': 'uts'}, {'type': 'pid', 'path': '/p'}]"),
                       "linux.namespaces[2].type: duplicate namespace type \"pid\"");
    assert_parse_error(L("'namespaces': [{'type': 'network', 'path': 'netns/x'}]"),
                       "linux.namespaces[0].path: must be an absolute path, got \"netns/x\"");
    assert_parse_error(PC("'rlimits': [{'type': 'RLIMIT_FOO', 'soft': 1, 'hard': 1}]"),
                       "process.rlimits[0].type: unknown rlimit type \"RLIMIT_FOO\"");
    assert_parse_error(PC("'rlimits': [{'type': 'RLIMIT_NOFILE', 'soft': 1, 'hard': 1},"
                          " {'type': 'RLIMIT_NOFILE', 'soft': 2, 'hard': 2}]"),
                       "process.rlimits[1].type: duplicate rlimit type \"RLIMIT_NOFILE\"");
    assert_parse_error(PC("'rlimits': [{'type': 'RLIMIT_NOFILE', 'soft': 2048, 'hard': 1024}]"),
                       "process.rlimits[0]: soft limit 2048 is greater than hard limit 1024");
    assert_parse_error(L("'uidMappings': [{'containerID': 0, 'hostID': 1000, 'size': 0}]"),
                       "linux.uidMappings[0].size: must be at least 1, got 0");
    assert_parse_error(L("'gidMappings': [{'containerID': 4294967295, 'hostID': 0, 'size': 2}]"),
                       "linux.gidMappings[0]: containerID 4294967295 + size 2 overflows the 32-bit id range");
    assert_parse_error(L("'uidMappings': [{'containerID': 0, 'hostID': 4294967295, 'size': 2}]"),
                       "linux.uidMappings[0]: hostID 4294967295 + size 2 overflows the 32-bit id range");
    assert_parse_error("{'ociVersion': '1.0.0', 'mounts': [{'destination': '/a',"
                       " 'uidMappings': [{'containerID': 0, 'hostID': 1, 'size': -1}]}]}",
                       "mounts[0].uidMappings[0].size: expected an unsigned 32-bit integer, got -1");
    assert_parse_error(L("'timeOffsets': {'realtime': {'secs': 1}}"),
                       "linux.timeOffsets.realtime: unknown clock \"realtime\" (expected \"monotonic\" or \"boottime\")");
    assert_parse_error(L("'timeOffsets': {'monotonic': {'secs': 1}, 'monotonic': {'secs': 2}}"),
                       "linux.timeOffsets: duplicate key \"monotonic\" (a JSON object's keys must be unique)");
    assert_parse_error(L("'timeOffsets': {'monotonic': 5}"),
                       "linux.timeOffsets.monotonic: expected an object, got 5");
    assert_parse_error(L("'seccomp': {'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': ['read'],"
                         " 'action': 'SCMP_ACT_ALLOW', 'args': [{'index': 0, 'value': 1, 'op': 'SCMP_CMP_XX'}]}]}"),
                       "linux.seccomp.syscalls[0].args[0].op: unknown seccomp operator \"SCMP_CMP_XX\"");
    assert_parse_error(L("'seccomp': {'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': ['read'],"
                         " 'action': 'SCMP_ACT_ALLOW', 'args': [{'index': 6, 'value': 1, 'op': 'SCMP_CMP_EQ'}]}]}"),
                       "linux.seccomp.syscalls[0].args[0].index: expected an integer from 0 to 5, got 6");
    assert_parse_error(L("'seccomp': {'defaultAction': 'SCMP_ACT_DENY'}"),
                       "linux.seccomp.defaultAction: unknown seccomp action \"SCMP_ACT_DENY\"");
    assert_parse_error(L("'seccomp': {'defaultAction': 'SCMP_ACT_ALLOW', 'flags': ['SECCOMP_FILTER_FLAG_X']}"),
                       "linux.seccomp.flags[0]: unknown seccomp flag \"SECCOMP_FILTER_FLAG_X\"");
    assert_parse_error(L("'seccomp': {'defaultAction': 'SCMP_ACT_ALLOW', 'listenerMetadata': 'm'}"),
                       "linux.seccomp.listenerMetadata: requires listenerPath");
    assert_parse_error(L("'devices': [{'path': '/dev/x', 'type': 'x', 'major': 1, 'minor': 1}]"),
                       "linux.devices[0].type: unknown device type \"x\"");
    assert_parse_error(L("'devices': [{'path': 'dev/x', 'type': 'c', 'major': 1, 'minor': 1}]"),
                       "linux.devices[0].path: must be an absolute path, got \"dev/x\"");
    assert_parse_error(L("'resources': {'devices': [{'allow': true, 'type': 'p'}]}"),
                       "linux.resources.devices[0].type: unknown device type \"p\"");
    assert_parse_error(L("'resources': {'devices': [{'allow': true, 'access': 'rwx'}]}"),
                       "linux.resources.devices[0].access: invalid device access \"rwx\" (expected a combination of r, w, m)");
    assert_parse_error(L("'rootfsPropagation': 'rprivat'"),
                       "linux.rootfsPropagation: unknown rootfs propagation \"rprivat\"");
    assert_parse_error(L("'personality': {'domain': 'LINUX64'}"),
                       "linux.personality.domain: unknown personality domain \"LINUX64\"");
    assert_parse_error(L("'memoryPolicy': {'mode': 'MPOL_FOO'}"),
                       "linux.memoryPolicy.mode: unknown memory policy mode \"MPOL_FOO\"");
    assert_parse_error(L("'memoryPolicy': {'mode': 'MPOL_BIND', 'flags': ['MPOL_F_STATIC_NODES', 'X']}"),
                       "linux.memoryPolicy.flags[1]: unknown memory policy flag \"X\"");
    assert_parse_error(L("'netDevices': {'eth0/x': {}}"),
                       "linux.netDevices[\"eth0/x\"]: invalid network interface name \"eth0/x\"");
    assert_parse_error(L("'netDevices': {'eth0': {'name': 'averyveryverylongname'}}"),
                       "linux.netDevices.eth0.name: invalid network interface name \"averyveryverylongname\"");
    assert_parse_error(L("'intelRdt': {'memBwSchema': 'L3:0=1'}"),
                       "linux.intelRdt.memBwSchema: must be one line starting with \"MB:\", got \"L3:0=1\"");
    assert_parse_error(PC("'scheduler': {'policy': 'SCHED_FOO'}"),
                       "process.scheduler.policy: unknown scheduler policy \"SCHED_FOO\"");
    assert_parse_error(PC("'scheduler': {'policy': 'SCHED_OTHER', 'nice': 20}"),
                       "process.scheduler.nice: expected an integer from -20 to 19, got 20");
    assert_parse_error(PC("'scheduler': {'policy': 'SCHED_OTHER', 'flags': ['SCHED_FLAG_NOPE']}"),
                       "process.scheduler.flags[0]: unknown scheduler flag \"SCHED_FLAG_NOPE\"");
    assert_parse_error(PC("'ioPriority': {'class': 'IOPRIO_CLASS_NONE'}"),
                       "process.ioPriority.class: unknown I/O priority class \"IOPRIO_CLASS_NONE\"");
    assert_parse_error(PC("'ioPriority': {'class': 'IOPRIO_CLASS_RT', 'priority': 8}"),
                       "process.ioPriority.priority: expected an integer from 0 to 7, got 8");
    assert_parse_error(PC("'scheduler': {'policy': 'SCHED_BATCH', 'priority': 1}"),
                       "process.scheduler.priority: only SCHED_FIFO and SCHED_RR take a priority, not SCHED_BATCH");
    assert_parse_error(PC("'scheduler': {'policy': 'SCHED_OTHER', 'period': 1}"),
                       "process.scheduler: runtime, deadline and period are for SCHED_DEADLINE only, not SCHED_OTHER");
    assert_parse_error(PC("'commandLine': 'cmd /c dir'"),
                       "process.commandLine: is for Windows containers (a Linux process runs args)");
    assert_parse_error(PC("'user': {'uid': 0, 'gid': 0, 'username': 'u'}"),
                       "process.user.username: is for Windows containers (a Linux process runs as uid and gid)");
    static const char *const bad_lists[] = { "1-0", "1024", "0,", ",0", "0,,1", "-1", "0-", "1 2", "0-3-5" };
    for (size_t i = 0; i < ARRAY_SIZE(bad_lists); i++) {
        cleanup_free char *json = xasprintf("{'ociVersion': '1.3.0', 'process': {'cwd': '/', 'args': ['sh'], "
                                            "'execCPUAffinity': {'final': '%s'}}}", bad_lists[i]);
        cleanup_free char *want = xasprintf("process.execCPUAffinity.final: invalid CPU list \"%s\" (expected CPU "
                                            "numbers and low-high ranges below 1024, comma-separated, e.g. "
                                            "\"0-3,7\")", bad_lists[i]);
        assert_parse_error(json, want);
    }
    assert_parse_error(PC("'execCPUAffinity': {'initial': 'all'}"),
                       "process.execCPUAffinity.initial: invalid CPU list \"all\" (expected CPU numbers and low-high ranges below 1024, comma-separated, e.g. \"0-3,7\")");
}

static void test_process_parse(void **state)
{
    (void) state;
    cleanup_free char *json = q("{'terminal': true, 'user': {'uid': 5}, 'args': ['/bin/ls', '-l'], 'cwd': '/tmp',"
                                " 'env': ['PATH=/bin'], 'execCPUAffinity': {'final': '1'}}");
    cleanup_free char *bad = q("{'args': ['ls'], 'cwd': 'tmp'}");
    struct oci_process *p = NULL;
    oci_err_t err = NULL;

    assert_int_equal(oci_process_parse(json, strlen(json), &p, &err), 0);
    assert_true(p->terminal);
    assert_int_equal(p->user.uid, 5);
    assert_string_equal(p->args.v[1], "-l");
    assert_string_equal(p->cwd, "/tmp");
    assert_string_equal(p->exec_cpu_affinity->final_, "1");
    oci_process_free(p);

    assert_int_equal(oci_process_parse(bad, strlen(bad), &p, &err), -1);
    assert_null(p);
    assert_string_equal(err->msg, "cwd: must be an absolute path, got \"tmp\"");
    oci_error_free(&err);

    assert_int_equal(oci_process_parse("[]", 2, &p, &err), -1);
    assert_string_equal(err->msg, "expected an object, got [...]");
    oci_error_free(&err);
    oci_process_free(NULL);
}

static void test_load(void **state)
{
    (void) state;
    char dir[] = "/tmp/test_spec.XXXXXX";
    cleanup_free char *path = NULL, *missing = NULL, *expected = NULL;
    struct oci_spec *s = NULL;
    oci_err_t err = NULL;
    int fd;

    assert_non_null(mkdtemp(dir));
    path = xasprintf("%s/config.json", dir);
    missing = xasprintf("%s/nope/config.json", dir);

    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, runc_spec, sizeof(runc_spec) - 1), (ssize_t) sizeof(runc_spec) - 1);
    close(fd);
    assert_int_equal(oci_spec_load(path, &s, &err), 0);
    assert_string_equal(s->hostname, "runc");
    oci_spec_free(s);

    fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
    assert_int_equal(write(fd, "{\"ociVersion\": \"1.0.0\", \"process\": {\"cwd\": \"/\"}}", 48), 48);
    close(fd);
    assert_int_equal(oci_spec_load(path, &s, &err), -1);
    assert_null(s);
    assert_string_equal(err->msg, "config.json: process.args: missing required field");
    oci_error_free(&err);

    fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
    assert_int_equal(write(fd, "{\"ociVersion\": ", 15), 15);
    close(fd);
    assert_int_equal(oci_spec_load(path, &s, &err), -1);
    assert_string_equal(err->msg, "config.json: parse error: premature EOF");
    oci_error_free(&err);

    assert_int_equal(oci_spec_load(missing, &s, &err), -ENOENT);
    assert_null(s);
    expected = xasprintf("open %s: No such file or directory", missing);
    assert_string_equal(err->msg, expected);
    assert_int_equal(oci_error_errno(&err), ENOENT);
    oci_error_free(&err);

    unlink(path);
    rmdir(dir);
}

static void test_namespace_helpers(void **state)
{
    (void) state;
    static const struct { enum oci_ns_type t; const char *name; int flag; } tab[] = {
        { OCI_NS_PID, "pid", CLONE_NEWPID },       { OCI_NS_NETWORK, "network", CLONE_NEWNET },
        { OCI_NS_MOUNT, "mount", CLONE_NEWNS },    { OCI_NS_IPC, "ipc", CLONE_NEWIPC },
        { OCI_NS_UTS, "uts", CLONE_NEWUTS },       { OCI_NS_USER, "user", CLONE_NEWUSER },
        { OCI_NS_CGROUP, "cgroup", CLONE_NEWCGROUP }, { OCI_NS_TIME, "time", 0x80 },
    };
    enum oci_ns_type t;

    for (size_t i = 0; i < ARRAY_SIZE(tab); i++) {
        assert_string_equal(oci_ns_type_name(tab[i].t), tab[i].name);
        assert_int_equal(oci_ns_type_from_name(tab[i].name, &t), 0);
        assert_int_equal(t, tab[i].t);
        assert_int_equal(oci_ns_clone_flag(tab[i].t), tab[i].flag);
    }
    assert_int_equal(oci_ns_type_from_name("net", &t), -1);
    assert_int_equal(oci_ns_type_from_name(NULL, &t), -1);
    assert_null(oci_ns_type_name(OCI_NS_COUNT));
    assert_int_equal(oci_ns_clone_flag(OCI_NS_COUNT), 0);
    assert_null(oci_spec_namespace(NULL, OCI_NS_PID));
}

/* Errors deep in every section leave partially built structs: all must be freed (ASan checks). */
static void test_partial_free(void **state)
{
    (void) state;
    cleanup_free char *full = q(full_config);
    size_t len = strlen(full);

    /* Cut the document at many points: every prefix is a parse error, none may leak. */
    for (size_t cut = 0; cut < len; cut += 7) {
        struct oci_spec *s = NULL;
        oci_err_t err = NULL;

        assert_int_equal(oci_spec_parse(full, cut, &s, &err), -1);
        assert_null(s);
        oci_error_free(&err);
    }
    /* A valid tree with an error after each section was built. */
    static const char *const late[] = {
        L("'resources': {'memory': {'limit': 1}, 'cpu': {'cpus': '1'}, 'blockIO': {'weightDevice':"
          " [{'major': 1, 'minor': 1, 'weight': 10}]}, 'hugepageLimits': [{'pageSize': '2MB', 'limit': 1}],"
          " 'network': {'priorities': [{'name': 'a', 'priority': 1}]}, 'rdma': {'x': {'hcaHandles': 1}},"
          " 'unified': {'a': 'b', 'c': 5}}"),
        L("'seccomp': {'defaultAction': 'SCMP_ACT_ALLOW', 'architectures': ['a'], 'listenerPath': '/x',"
          " 'syscalls': [{'names': ['a'], 'action': 'SCMP_ACT_LOG', 'args': [{'index': 0, 'value': 0,"
          " 'op': 'SCMP_CMP_EQ'}]}, {'names': ['b'], 'action': 'bad'}]}"),
        L("'intelRdt': {'closID': 'a', 'schemata': ['x']}, 'personality': {'domain': 'LINUX', 'flags': ['f']},"
          " 'memoryPolicy': {'mode': 'MPOL_BIND', 'nodes': '1'}, 'timeOffsets': {'boottime': {}},"
          " 'netDevices': {'a': {'name': 'b'}, 'c': {'name': 5}}"),
        L("'timeOffsets': {'boottime': {}, 'monotonic': {'secs': 'x'}}"),
        PC("'capabilities': {'bounding': ['a']}, 'rlimits': [{'type': 'RLIMIT_AS', 'soft': 1, 'hard': 1}],"
           " 'scheduler': {'policy': 'SCHED_RR', 'flags': []}, 'ioPriority': {'class': 'IOPRIO_CLASS_BE'},"
           " 'execCPUAffinity': {'initial': '1', 'final': 'x'}"),
        "{'ociVersion': '1.0.0', 'annotations': {'a': 'b'}, 'root': {'path': 'r'}, 'mounts': [{'destination':"
        " '/a', 'options': ['x'], 'uidMappings': [{'containerID': 0, 'hostID': 0, 'size': 1}]}],"
        " 'hooks': {'prestart': [{'path': '/a', 'args': ['b']}]}, 'linux': {'namespaces': [{'type': 'pid',"
        " 'path': '/p'}], 'devices': [{'path': '/d', 'type': 'p'}], 'maskedPaths': [1]}}",
    };
    static const char *const late_msgs[ARRAY_SIZE(late)] = {
        "linux.resources.unified.c: expected a string, got 5",
        "linux.seccomp.syscalls[1].action: unknown seccomp action \"bad\"",
        "linux.netDevices.c.name: expected a string, got 5",
        "linux.timeOffsets.monotonic.secs: expected a 64-bit integer, got \"x\"",
        "process.execCPUAffinity.final: invalid CPU list \"x\" (expected CPU numbers and low-high ranges below 1024, comma-separated, e.g. \"0-3,7\")",
        "linux.maskedPaths[0]: expected a string, got 1",
    };
    for (size_t i = 0; i < ARRAY_SIZE(late); i++)
        assert_parse_error(late[i], late_msgs[i]);
    oci_spec_free(NULL);
}

/* `ocirun spec` output parses with our own parser, both variants, with no inheritable caps. */
static void test_default_config(void **state)
{
    (void) state;
    for (int rootless = 0; rootless <= 1; rootless++) {
        cleanup_free char *json = oci_spec_default_json(rootless, 1000, 1001);
        struct oci_spec *spec = NULL;
        oci_err_t err = NULL;

        if (oci_spec_parse(json, strlen(json), &spec, &err) < 0)
            fail_msg("rootless=%d: %s", rootless, err->msg);
        assert_non_null(spec->process->capabilities);
        assert_int_equal(spec->process->capabilities->inheritable.len, 0);
        assert_int_equal(spec->process->capabilities->ambient.len, 0);
        assert_true(spec->process->no_new_privileges);
        assert_int_equal(spec->linux_->uid_mappings.len, rootless ? 1 : 0);
        if (rootless)
            assert_int_equal(spec->linux_->uid_mappings.items[0].host_id, 1000);
        assert_true(oci_spec_namespace(spec, OCI_NS_NETWORK) ? !rootless : rootless);
        oci_spec_free(spec);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_runc_spec),
        cmocka_unit_test(test_full_config),
        cmocka_unit_test(test_minimal_and_optional),
        cmocka_unit_test(test_unknown_properties_ignored),
        cmocka_unit_test(test_duplicate_keys_refused),
        cmocka_unit_test(test_nul_and_depth_refused),
        cmocka_unit_test(test_utf8_and_size_refused),
        cmocka_unit_test(test_versions),
        cmocka_unit_test(test_json_errors),
        cmocka_unit_test(test_type_errors),
        cmocka_unit_test(test_required_fields),
        cmocka_unit_test(test_value_errors),
        cmocka_unit_test(test_process_parse),
        cmocka_unit_test(test_process_attributes),
        cmocka_unit_test(test_load),
        cmocka_unit_test(test_namespace_helpers),
        cmocka_unit_test(test_partial_free),
        cmocka_unit_test(test_default_config),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
