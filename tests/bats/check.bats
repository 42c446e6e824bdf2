#!/usr/bin/env bats
# check: a bundle checked against the runtime-spec and this host as create would check it, every
# problem reported with its JSON path, nothing created. runc has no such command.

load helpers

RUNC_NO_CHECK="runc has no check command"

@test "check: a good bundle prints nothing and exits 0" {
    runc_differs "$RUNC_NO_CHECK"
    run_check
    assert_success
    assert_output ""
    [ -z "$stderr" ]
    # and create agrees
    update_config '.process.args = ["true"]'
    run ocirun run --bundle "$BUNDLE" "$ID"
    assert_success
}

@test "check: several problems at once, each reported with its JSON path" {
    runc_differs "$RUNC_NO_CHECK"
    update_config '.process.cwd = "tmp" | .process.args = [] | .linux.namespaces[2].type = "pdi"
                   | .process.rlimits = [{type: "RLIMIT_FOO", soft: 1, hard: 2}, {type: "RLIMIT_CORE", soft: 2, hard: 1}]
                   | .linux.sysctl = {"kernel.panic": "1"} | .linux.devices = [{path: "/dev/x", type: "c", major: 1, minor: 1048576}]
                   | .mounts += [{destination: "/mnt", type: "bind", source: "nope", options: ["rbind"]},
                                 {destination: "/x"}]'
    local n
    n=$(jq '.mounts | length' "$BUNDLE/config.json")
    run_check
    assert_check_lines \
        'config.json: process.cwd: must be an absolute path, got "tmp"' \
        'config.json: process.args: must not be empty' \
        'config.json: process.rlimits[0].type: unknown rlimit type "RLIMIT_FOO"' \
        'config.json: process.rlimits[1]: soft limit 2 is greater than hard limit 1' \
        'config.json: linux.namespaces[2].type: unknown namespace type "pdi"' \
        'config.json: linux.sysctl "kernel.panic": not namespaced: it would change the host' \
        'config.json: linux.devices[0] "/dev/x": major/minor out of range' \
        "config.json: mounts[$((n - 2))] \"/mnt\": bind source \"$BUNDLE/nope\": No such file or directory" \
        "config.json: mounts[$((n - 1))] \"/x\": no type and not a bind mount"
    # create stops at the first of them, with the same words
    expect_create_failure
    [[ "$stderr" == *'config.json: process.cwd: must be an absolute path, got "tmp"'* ]]
    assert_created_nothing
}

@test "check: cross-field rules that create used to meet late in the container's setup" {
    runc_differs "$RUNC_NO_CHECK"
    update_config 'del(.linux.namespaces[] | select(.type == "uts")) | .hostname = "h"
                   | .linux.personality = {domain: "LINUX", flags: ["f"]}
                   | .linux.sysctl = {"kernel.hostname": "x"}'
    run_check
    assert_check_lines \
        'config.json: hostname: cannot be set without a uts namespace (linux.namespaces)' \
        'config.json: linux.personality.flags: "f" is not supported' \
        'config.json: linux.sysctl "kernel.hostname": needs a uts namespace (linux.namespaces)'
}

@test "check: a new user namespace without maps, or not mapping the process's ids" {
    runc_differs "$RUNC_NO_CHECK"
    update_config '.linux.namespaces += [{type: "user"}]'
    run_check
    assert_check_lines 'config.json: linux.uidMappings and linux.gidMappings are required with a new user namespace'
    update_config '.linux.uidMappings = [{containerID: 0, hostID: 100000, size: 1000}]
                   | .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 1000}]
                   | .process.user = {uid: 1000, gid: 5}'
    run_check
    assert_check_lines 'config.json: process.user.uid 1000: not mapped by linux.uidMappings of the new user namespace'
}

@test "check: host problems: an AppArmor profile without AppArmor, a capability outside the bounding set, an rlimit above ours" {
    runc_differs "$RUNC_NO_CHECK"
    [ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" = Y ] && skip "AppArmor is enabled here"
    bnd=$((16#$(awk '/^CapBnd/ {print $2}' /proc/self/status)))
    (( (bnd >> 24) & 1 )) && skip "CAP_SYS_RESOURCE is in this host's bounding set"
    hard=$(ulimit -Hn)
    [ "$hard" = unlimited ] && skip "RLIMIT_NOFILE has no hard limit here"
    update_config ".process.apparmorProfile = \"ocirun-test\"
                   | .process.capabilities.bounding += [\"CAP_SYS_RESOURCE\"]
                   | .process.rlimits = [{type: \"RLIMIT_NOFILE\", soft: 1024, hard: $((hard + 1))}]"
    run_check
    assert_check_lines \
        'config.json: process.apparmorProfile "ocirun-test": AppArmor is not enabled on this host' \
        "config.json: process.capabilities.bounding: CAP_SYS_RESOURCE is not in the runtime's own bounding set, so the container cannot have it" \
        "config.json: process.rlimits[0] RLIMIT_NOFILE: setrlimit soft 1024 hard $((hard + 1)) (raising the hard limit above $hard needs CAP_SYS_RESOURCE): Operation not permitted"
    # create fails on each of them with the same words
    expect_create_failure
    [[ "$stderr" == *'process.apparmorProfile "ocirun-test": AppArmor is not enabled on this host'* ]]
    local rlimits
    rlimits=$(jq -c .process.rlimits "$BUNDLE/config.json")
    update_config 'del(.process.apparmorProfile) | del(.process.rlimits)'
    expect_run_failure
    [[ "$stderr" == *"CAP_SYS_RESOURCE is not in the runtime's own bounding set"* ]]
    update_config ".process.capabilities.bounding -= [\"CAP_SYS_RESOURCE\"] | .process.rlimits = $rlimits"
    expect_run_failure
    [[ "$stderr" == *"process.rlimits[0] RLIMIT_NOFILE: setrlimit soft 1024 hard $((hard + 1)) (raising the hard limit above $hard needs CAP_SYS_RESOURCE)"* ]]
}

@test "check: namespaces: a path of another type, a path that does not exist" {
    runc_differs "$RUNC_NO_CHECK"
    update_config '(.linux.namespaces[] | select(.type == "network")) .path = "/proc/self/ns/ipc"
                   | (.linux.namespaces[] | select(.type == "ipc")) .path = "/proc/999999999/ns/ipc"'
    local net ipc
    net=$(jq '.linux.namespaces | map(.type) | index("network")' "$BUNDLE/config.json")
    ipc=$(jq '.linux.namespaces | map(.type) | index("ipc")' "$BUNDLE/config.json")
    run_check
    local a="config.json: linux.namespaces[$net].path \"/proc/self/ns/ipc\": not a network namespace"
    local b="config.json: linux.namespaces[$ipc].path \"/proc/999999999/ns/ipc\": open: No such file or directory"
    if [ "$net" -lt "$ipc" ]; then assert_check_lines "$a" "$b"; else assert_check_lines "$b" "$a"; fi
}

@test "check: seccomp profile that does not compile, cgroupsPath with .." {
    runc_differs "$RUNC_NO_CHECK"
    update_config '.linux.seccomp = {defaultAction: "SCMP_ACT_ERRNO", architectures: ["SCMP_ARCH_NOPE"]}
                   | .linux.cgroupsPath = "/a/../b"'
    run_check
    assert_check_lines \
        'config.json: linux.seccomp.architectures[0]: unknown architecture "SCMP_ARCH_NOPE"' \
        'config.json: linux.cgroupsPath "/a/../b": must not contain ".."'
}

@test "check: a cgroup limit this host's hierarchies cannot take" {
    runc_differs "$RUNC_NO_CHECK"
    # hybrid hosts: no v1 hierarchy has it and the unified one lacks it too
    [ -d /sys/fs/cgroup/net_cls ] || [ -d /sys/fs/cgroup/net_cls,net_prio ] && skip "net_cls is mounted here"
    grep -qw net_cls "$CG_MOUNT/cgroup.controllers" && skip "cgroup2 has net_cls here"
    update_config '.linux.resources.network = {classID: 5}'
    run_check
    assert_check_lines 'config.json: linux.resources.network.classID: no net_cls cgroup controller on this host'
    expect_create_failure
    [[ "$stderr" == *'linux.resources.network.classID: no net_cls cgroup controller on this host'* ]]
}

@test "check: config.json missing, not JSON" {
    runc_differs "$RUNC_NO_CHECK"
    mv "$BUNDLE/config.json" "$BUNDLE/config.json.away"
    run_check
    assert_check_lines "config.json: open $BUNDLE/config.json: No such file or directory"
    echo '{"ociVersion": "1.2.0", "process": {' >"$BUNDLE/config.json"
    run_check
    assert_equal "$status" 1
    assert_line --index 0 --regexp '^config\.json: parse error: '
    assert_equal "${#lines[@]}" 1
}

@test "check: the bundle directory does not exist" {
    runc_differs "$RUNC_NO_CHECK"
    BUNDLE="$BATS_TEST_TMPDIR/no-such-bundle" run_check
    assert_check_lines "bundle \"$BATS_TEST_TMPDIR/no-such-bundle\": cannot open $BATS_TEST_TMPDIR/no-such-bundle/config.json: No such file or directory"
}

@test "check: the rootfs is missing or a file" {
    runc_differs "$RUNC_NO_CHECK"
    update_config '.root.path = "no-such-rootfs"'
    run_check
    assert_check_lines 'config.json: root.path "no-such-rootfs": No such file or directory'
    : >"$BUNDLE/rootfs-file"
    update_config '.root.path = "rootfs-file"'
    run_check
    assert_check_lines 'config.json: root.path "rootfs-file": Not a directory'
}

@test "create: a rootfs that is a file is refused before anything is built, with check's words" {
    runc_differs "runc fails in its init, with its own words"
    : >"$BUNDLE/rootfs-file"
    update_config '.root.path = "rootfs-file"'
    expect_create_failure
    [[ "$stderr" == *'config.json: root.path "rootfs-file": Not a directory'* ]]
    assert_created_nothing
}

@test "check: process.cwd that is a file in the rootfs; one below a mount is the mount's" {
    runc_differs "$RUNC_NO_CHECK"
    update_config '.process.cwd = "/etc/passwd"'
    run_check
    assert_check_lines 'config.json: process.cwd "/etc/passwd": not a directory in the rootfs'
    update_config '.process.cwd = "/etc/passwd/x"'
    run_check
    assert_check_lines 'config.json: process.cwd "/etc/passwd/x": not a directory in the rootfs'
    update_config '.process.cwd = "/dev/shm/new"'
    run_check
    assert_success
}

@test "check --quiet prints nothing; the status tells" {
    runc_differs "$RUNC_NO_CHECK"
    run_check --quiet
    assert_success
    assert_output ""
    update_config '.process.cwd = "tmp"'
    run_check -q
    assert_failure 1
    assert_output ""
    [ -z "$stderr" ]
}

@test "check ID: a bad id, a taken id" {
    runc_differs "$RUNC_NO_CHECK"
    run_check "a/b"
    assert_check_lines "invalid container id \"a/b\": character '/' is not allowed (use letters, digits, '_', '+', '.', '-')"
    update_config '.process.args = ["sleep", "100"]'
    create_container
    run --separate-stderr ocirun check --bundle "$BUNDLE" "$ID"
    assert_equal "$status" 1
    assert_output "container \"$ID\" already exists"
    run --separate-stderr ocirun check --bundle "$BUNDLE" "$ID-other"
    assert_success
    [ ! -e "$ROOT/$ID-other" ]
}

@test "check --help, and a usage error" {
    runc_differs "$RUNC_NO_CHECK"
    run ocirun check --help
    assert_success
    assert_output --partial "--bundle"
    assert_output --partial "--quiet"
    run --separate-stderr ocirun check --bundle "$BUNDLE" a b
    assert_failure 1
    [[ "$stderr" == *'unexpected argument "b"'* ]]
    run "$OCIRUN" --help
    assert_output --partial "check"
}
