#!/usr/bin/env bats
# spec: the default config.json (runc's defaults), --bundle, --rootless, never over an existing file.

load helpers

@test "spec writes a config.json that runs as is, without inheritable or ambient caps (CVE-2022-29162)" {
    local b="$BATS_TEST_TMPDIR/specb"
    mkdir -p "$b"
    cp -al "$BASE_ROOTFS" "$b/rootfs"
    ROOTFS_USED+=("$b/rootfs")
    (cd "$b" && "$OCIRUN" spec)
    [ -f "$b/config.json" ]
    run jq -r '.process.capabilities | has("inheritable"), has("ambient")' "$b/config.json"
    assert_output $'false\nfalse'
    # runc's default: a terminal (tested in terminal.bats); plain output is easier to check here
    [ "$(jq .process.terminal "$b/config.json")" = true ]
    update_config ".process.terminal = false | .process.args = [\"sh\", \"-c\", \"grep -E '^Cap(Inh|Amb|Eff)' /proc/self/status\"] |
                   .linux.cgroupsPath = \"$CG_PARENT/$ID\"" "$b"
    CG_USED+=("$ID")
    run ocirun run --bundle "$b" "$ID"
    assert_success
    assert_line --regexp '^CapInh:[[:space:]]+0+$'
    assert_line --regexp '^CapAmb:[[:space:]]+0+$'
    assert_line --regexp '^CapEff:[[:space:]]+0+20000420$'
}

@test "spec --bundle writes there; an existing config.json is never overwritten" {
    local b="$BATS_TEST_TMPDIR/specb2"
    mkdir -p "$b"
    run ocirun spec --bundle "$b"
    assert_success
    echo '{"mine": true}' > "$b/config.json"
    run ocirun spec -b "$b"
    assert_failure
    assert_output --partial "$b/config.json exists already: remove it first"
    assert_equal "$(cat "$b/config.json")" '{"mine": true}'
    run ocirun spec --bundle "$BATS_TEST_TMPDIR/nonexistent"
    assert_failure
    assert_output --partial "No such file or directory"
}

@test "spec --rootless: a user namespace mapping root to the caller, no network namespace, /sys bound" {
    local b="$BATS_TEST_TMPDIR/specr"
    mkdir -p "$b"
    run ocirun spec --rootless --bundle "$b"
    assert_success
    run jq -c '[.linux.uidMappings[0].hostID, .linux.gidMappings[0].hostID, [.linux.namespaces[].type],
                (.mounts[] | select(.destination == "/sys") | .source), (.linux | has("resources"))]' "$b/config.json"
    assert_output "[$(id -u),$(id -g),[\"pid\",\"ipc\",\"uts\",\"mount\",\"cgroup\",\"user\"],\"/sys\",false]"
}

@test "spec writes the ociVersion that --version reports as its spec version (the state's too)" {
    local b="$BATS_TEST_TMPDIR/specv" v
    run "$OCIRUN" --version
    assert_success
    v=$(sed -n 's/^spec: //p' <<<"$output")
    [ -n "$v" ] || fail "no spec: line in --version: $output"
    mkdir -p "$b/rootless"
    run ocirun spec --bundle "$b"
    assert_success
    run ocirun spec --rootless --bundle "$b/rootless"
    assert_success
    assert_equal "$(jq -r .ociVersion "$b/config.json")" "$v"
    assert_equal "$(jq -r .ociVersion "$b/rootless/config.json")" "$v"
    update_config '.process.args = ["sleep", "1000"]'
    create_container
    run ocirun state "$ID"
    assert_success
    assert_equal "$(jq -r .ociVersion <<<"$output")" "$v"
}
