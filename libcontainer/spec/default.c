/* default.c: the config.json `ocirun spec` writes: runc's defaults, or the rootless variant. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "ocirun/core/utils.h"
#include "ocirun/spec/spec.h"

/* No inheritable or ambient capabilities (CVE-2022-29162); a terminal, as runc's spec. */
static const char process_json[] =
    "  \"process\": {\n"
    "    \"terminal\": true,\n"
    "    \"user\": {\"uid\": 0, \"gid\": 0},\n"
    "    \"args\": [\"sh\"],\n"
    "    \"env\": [\n"
    "      \"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\",\n"
    "      \"TERM=xterm\"\n"
    "    ],\n"
    "    \"cwd\": \"/\",\n"
    "    \"capabilities\": {\n"
    "      \"bounding\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"],\n"
    "      \"effective\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"],\n"
    "      \"permitted\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"]\n"
    "    },\n"
    "    \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"hard\": 1024, \"soft\": 1024}],\n"
    "    \"noNewPrivileges\": true\n"
    "  },\n";

static const char common_mounts[] =
    "    {\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\"},\n"
    "    {\"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\",\n"
    "     \"options\": [\"nosuid\", \"strictatime\", \"mode=755\", \"size=65536k\"]},\n"
    "    {\"destination\": \"/dev/shm\", \"type\": \"tmpfs\", \"source\": \"shm\",\n"
    "     \"options\": [\"nosuid\", \"noexec\", \"nodev\", \"mode=1777\", \"size=65536k\"]},\n"
    "    {\"destination\": \"/dev/mqueue\", \"type\": \"mqueue\", \"source\": \"mqueue\",\n"
    "     \"options\": [\"nosuid\", \"noexec\", \"nodev\"]},\n";

static const char root_mounts[] =
    "    {\"destination\": \"/dev/pts\", \"type\": \"devpts\", \"source\": \"devpts\",\n"
    "     \"options\": [\"nosuid\", \"noexec\", \"newinstance\", \"ptmxmode=0666\", \"mode=0620\", \"gid=5\"]},\n"
    "    {\"destination\": \"/sys\", \"type\": \"sysfs\", \"source\": \"sysfs\",\n"
    "     \"options\": [\"nosuid\", \"noexec\", \"nodev\", \"ro\"]},\n"
    "    {\"destination\": \"/sys/fs/cgroup\", \"type\": \"cgroup\", \"source\": \"cgroup\",\n"
    "     \"options\": [\"nosuid\", \"noexec\", \"nodev\", \"relatime\", \"ro\"]}\n";

/* Without privileges: no gid=5 (group 5 is not mapped), the host's /sys bound (sysfs needs a
 * network namespace of our own user namespace), no cgroup mount. */
static const char rootless_mounts[] =
    "    {\"destination\": \"/dev/pts\", \"type\": \"devpts\", \"source\": \"devpts\",\n"
    "     \"options\": [\"nosuid\", \"noexec\", \"newinstance\", \"ptmxmode=0666\", \"mode=0620\"]},\n"
    "    {\"destination\": \"/sys\", \"type\": \"none\", \"source\": \"/sys\",\n"
    "     \"options\": [\"rbind\", \"nosuid\", \"noexec\", \"nodev\", \"ro\"]}\n";

static const char paths_json[] =
    "    \"maskedPaths\": [\n"
    "      \"/proc/acpi\", \"/proc/asound\", \"/proc/kcore\", \"/proc/keys\", \"/proc/latency_stats\",\n"
    "      \"/proc/timer_list\", \"/proc/timer_stats\", \"/proc/sched_debug\", \"/proc/scsi\", \"/sys/firmware\"\n"
    "    ],\n"
    "    \"readonlyPaths\": [\"/proc/bus\", \"/proc/fs\", \"/proc/irq\", \"/proc/sys\", \"/proc/sysrq-trigger\"]\n";

char *oci_spec_default_json(bool rootless, uid_t uid, gid_t gid)
{
    if (!rootless)
        return xasprintf("{\n  \"ociVersion\": \"" OCI_SPEC_VERSION "\",\n%s"
                         "  \"root\": {\"path\": \"rootfs\", \"readonly\": true},\n"
                         "  \"hostname\": \"ocirun\",\n"
                         "  \"mounts\": [\n%s%s  ],\n"
                         "  \"linux\": {\n"
                         "    \"resources\": {\"devices\": [{\"allow\": false, \"access\": \"rwm\"}]},\n"
                         "    \"namespaces\": [\n"
                         "      {\"type\": \"pid\"}, {\"type\": \"network\"}, {\"type\": \"ipc\"},\n"
                         "      {\"type\": \"uts\"}, {\"type\": \"mount\"}, {\"type\": \"cgroup\"}\n"
                         "    ],\n%s"
                         "  }\n}\n",
                         process_json, common_mounts, root_mounts, paths_json);
    return xasprintf("{\n  \"ociVersion\": \"" OCI_SPEC_VERSION "\",\n%s"
                     "  \"root\": {\"path\": \"rootfs\", \"readonly\": true},\n"
                     "  \"hostname\": \"ocirun\",\n"
                     "  \"mounts\": [\n%s%s  ],\n"
                     "  \"linux\": {\n"
                     "    \"uidMappings\": [{\"containerID\": 0, \"hostID\": %u, \"size\": 1}],\n"
                     "    \"gidMappings\": [{\"containerID\": 0, \"hostID\": %u, \"size\": 1}],\n"
                     "    \"namespaces\": [\n"
                     "      {\"type\": \"pid\"}, {\"type\": \"ipc\"}, {\"type\": \"uts\"},\n"
                     "      {\"type\": \"mount\"}, {\"type\": \"cgroup\"}, {\"type\": \"user\"}\n"
                     "    ],\n%s"
                     "  }\n}\n",
                     process_json, common_mounts, rootless_mounts, (unsigned) uid, (unsigned) gid, paths_json);
}

int oci_spec_write_default(const char *bundle, bool rootless, oci_err_t *err)
{
    cleanup_free char *path = xasprintf("%s/config.json", bundle ? bundle : ".");
    cleanup_free char *json = oci_spec_default_json(rootless, geteuid(), getegid());
    cleanup_close int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);

    if (fd < 0 && errno == EEXIST)
        return oci_error_set(err, 0, "%s exists already: remove it first", path);
    if (fd < 0)
        return oci_error_sys(err, "create %s", path);
    if (write_all(fd, json, strlen(json)) < 0)
        return oci_error_sys(err, "write %s", path);
    return 0;
}
