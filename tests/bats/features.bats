#!/usr/bin/env bats
# features: the runtime-spec features document, honest about this build.

load helpers

@test "features prints the features document of this build" {
    run ocirun features
    assert_success
    run jq -r '[.ociVersionMin, .ociVersionMax, (.hooks | join(",")), (.mountOptions | index("rbind") != null),
                (.mountOptions | index("idmap") != null), (.linux.namespaces | join(",")),
                (.linux.cgroup | [.v1, .v2, .systemd] | map(tostring) | join(",")),
                (.linux.seccomp.archs | index("SCMP_ARCH_X86_64") != null),
                (.linux.seccomp.actions | index("SCMP_ACT_NOTIFY") != null),
                .linux.mountExtensions.idmap.enabled, .linux.intelRdt.enabled,
                .annotations["io.github.ocirun.version"]] | map(tostring) | join(" ")' <<<"$output"
    assert_output "1.0.0 1.3.0 prestart,createRuntime,createContainer,startContainer,poststart,poststop true true cgroup,ipc,mount,network,pid,time,user,uts true,true,true true true true false $(cat "$BATS_TEST_DIRNAME/../../VERSION")"
    # every capability of this kernel is listed
    [ "$(ocirun features | jq '.linux.capabilities | length')" -eq "$(( $(cat /proc/sys/kernel/cap_last_cap) + 1 ))" ]
}

@test "features: the limits it claims match what config.json parsing accepts" {
    # ociVersionMin is accepted, one above ociVersionMax is not
    update_config '.ociVersion = "1.0.0" | .process.args = ["true"]'
    run ocirun run --bundle "$BUNDLE" "$ID"
    assert_success
    update_config '.ociVersion = "1.4.0"'
    expect_run_error 'ociVersion: unsupported version "1.4.0"'
}

@test "linux.personality LINUX32 makes uname report a 32-bit machine" {
    update_config '.linux.personality = {"domain": "LINUX32"}'
    run_in_container 'uname -m'
    assert_success
    assert_output i686
    update_config '.linux.personality = {"domain": "LINUX"}'
    run_in_container 'uname -m'
    assert_output "$(uname -m)"
}

@test "config fields this version does not implement are refused, not ignored" {
    update_config '.linux.netDevices = {"eth1": {}}'
    expect_run_error 'linux.netDevices: not supported by this version of ocirun'
    update_config 'del(.linux.netDevices) | .linux.intelRdt = {"closID": "x"}'
    expect_run_error 'linux.intelRdt: not supported by this version of ocirun'
    update_config 'del(.linux.intelRdt) | .linux.memoryPolicy = {"mode": "MPOL_BIND", "nodes": "0"}'
    expect_run_error 'linux.memoryPolicy: not supported by this version of ocirun'
}

@test "features: runc's shape (keys in runc's order, sorted lists and annotations, 4-space indent, no empty lines)" {
    run ocirun features
    assert_success
    local doc=$output
    assert_line --index 1 --regexp '^    "ociVersionMin": '
    ! grep -qx ' *' <<<"$doc" || fail "empty lines in the document"
    run jq -c '[keys_unsorted[:6], (.linux | keys_unsorted[:6]), .mountOptions == (.mountOptions | sort),
                (.annotations | keys_unsorted) == (.annotations | keys)]' <<<"$doc"
    assert_output '[["ociVersionMin","ociVersionMax","hooks","mountOptions","linux","annotations"],["namespaces","capabilities","cgroup","seccomp","apparmor","selinux"],true,true]'
}

@test "features: the annotations give the runtime's version and commit, and libseccomp's, as --version does" {
    local name=${OCIRUN##*/} version commit seccomp
    run "$OCIRUN" --version
    assert_success
    version=$(sed -n "s/^$name version //p" <<<"$output")
    commit=$(sed -n 's/^commit: //p' <<<"$output")
    seccomp=$(sed -n 's/^libseccomp: //p' <<<"$output")
    [ -n "$version" ] && [ -n "$commit" ] && [ -n "$seccomp" ] || fail "--version: $output"
    run ocirun features
    assert_success
    run jq -r --arg n ".$name." '.annotations | to_entries[] | select(.key | contains($n)) | "\(.key | split(".") | last)=\(.value)"' <<<"$output"
    assert_line "version=$version"
    assert_line "commit=$commit"
    run ocirun features
    assert_equal "$(jq -r '.annotations["io.github.seccomp.libseccomp.version"]' <<<"$output")" "$seccomp"
}
