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
    expect_run_error "cap_sys_resource is not in the runtime's own bounding set"
}
