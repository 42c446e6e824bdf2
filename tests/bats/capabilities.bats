#!/usr/bin/env bats
# process.capabilities: the five sets as the process sees them in /proc/self/status.

load helpers

caps_config() {
    update_config ".process.capabilities = {bounding: $1, effective: $1, permitted: $1, inheritable: [], ambient: []}"
}

@test "capabilities: bounding, effective and permitted are exactly the listed ones" {
    # CAP_CHOWN=0, CAP_KILL=5, CAP_NET_BIND_SERVICE=10 -> 0x421
    caps_config '["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"]'
    run_in_container 'grep -E "^Cap(Inh|Prm|Eff|Bnd|Amb)" /proc/self/status'
    assert_success
    assert_line "CapInh:	0000000000000000"
    assert_line "CapPrm:	0000000000000421"
    assert_line "CapEff:	0000000000000421"
    assert_line "CapBnd:	0000000000000421"
    assert_line "CapAmb:	0000000000000000"
}

@test "capabilities: kept across the switch to a non-root user, ambient raised" {
    update_config '.process.user = {uid: 1000, gid: 1000} | .process.capabilities = {bounding: ["CAP_NET_BIND_SERVICE"], effective: ["CAP_NET_BIND_SERVICE"], permitted: ["CAP_NET_BIND_SERVICE"], inheritable: ["CAP_NET_BIND_SERVICE"], ambient: ["CAP_NET_BIND_SERVICE"]}'
    run_in_container 'id -u; grep -E "^Cap(Eff|Amb)" /proc/self/status'
    assert_success
    assert_line --index 0 "1000"
    assert_line "CapEff:	0000000000000400"
    assert_line "CapAmb:	0000000000000400"
}

@test "capabilities: a dropped capability is really gone (chown fails without CAP_CHOWN)" {
    caps_config '["CAP_KILL"]'
    run_in_container 'touch /tmp/f && chown 1:1 /tmp/f && echo chowned'
    assert_failure
    refute_output --partial chowned
}

@test "capabilities: an unknown name is an error naming the field, nothing left" {
    caps_config '["CAP_CHOWN", "CAP_FOO"]'
    expect_run_error 'process.capabilities.bounding[1]: unknown capability "CAP_FOO"'
}

@test "capabilities: one outside the runtime's own bounding set is a clear error" {
    # this machine's bounding set lacks CAP_SYS_RESOURCE (bit 24); elsewhere skip
    bnd=$((16#$(awk '/^CapBnd/ {print $2}' /proc/self/status)))
    (( (bnd >> 24) & 1 )) && skip "CAP_SYS_RESOURCE is in this host's bounding set"
    caps_config '["CAP_SYS_RESOURCE"]'
    expect_run_error "CAP_SYS_RESOURCE is not in the runtime's own bounding set"
}

@test "capabilities: without process.capabilities the process has none, nor has what exec runs (as runc)" {
    update_config 'del(.process.capabilities)'
    run_in_container 'grep -E "^Cap(Inh|Prm|Eff|Bnd|Amb)" /proc/self/status; umount /proc 2>/dev/null && echo umounted; true'
    assert_success
    assert_line "CapPrm:	0000000000000000"
    assert_line "CapEff:	0000000000000000"
    assert_line "CapBnd:	0000000000000000"
    assert_line "CapInh:	0000000000000000"
    assert_line "CapAmb:	0000000000000000"
    refute_output --partial umounted
    run_sleeper
    run ocirun exec "$ID" grep ^CapEff /proc/self/status
    assert_success
    assert_output "CapEff:	0000000000000000"
}

@test "capabilities: exec --cap adds to the empty sets of a config without process.capabilities" {
    runc_differs "runc 1.1.5 panics on exec --cap when config.json has no process.capabilities"
    update_config 'del(.process.capabilities)'
    run_sleeper
    # CAP_NET_RAW = 13 -> 0x2000, in every set but inheritable
    run ocirun exec --cap CAP_NET_RAW "$ID" grep -E "^Cap(Eff|Bnd|Inh)" /proc/self/status
    assert_success
    assert_line "CapEff:	0000000000002000"
    assert_line "CapBnd:	0000000000002000"
    assert_line "CapInh:	0000000000000000"
}

@test "capabilities: without process.capabilities a startContainer hook and the seccomp filter still work" {
    # the filter is loaded for the hook and then for the process without no_new_privs: the init
    # keeps CAP_SYS_ADMIN until it has done so; then the process has no capability left
    local cmd='grep ^CapEff /proc/self/status; mkdir /dev/shm/x 2>/dev/null || echo mkdir-denied; test -f /dev/shm/by-hook && echo hook-ran'
    update_config "del(.process.capabilities) | .process.args = [\"sh\", \"-c\", $(json_quote "$cmd")]
                   | .linux.seccomp = {defaultAction: \"SCMP_ACT_ALLOW\", syscalls: [{names: [\"mkdir\", \"mkdirat\"], action: \"SCMP_ACT_ERRNO\"}]}
                   | .hooks.startContainer = [{path: \"/bin/sh\", args: [\"sh\", \"-c\", \"echo x >/dev/shm/by-hook\"]}]"
    run ocirun run --bundle "$BUNDLE" "$ID"
    assert_success
    assert_line "CapEff:	0000000000000000"
    assert_line mkdir-denied
    assert_line hook-ran
}
