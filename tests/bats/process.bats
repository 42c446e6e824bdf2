#!/usr/bin/env bats
# The container process: args, env, cwd, user and groups, rlimits, umask, noNewPrivileges, oom.

load helpers

@test "process.args are passed verbatim (spaces, quotes)" {
    update_config '.process.args = ["sh", "-c", "for a in \"$@\"; do echo \"[$a]\"; done", "sh", "a b", "it'"'"'s", ""]'
    run ocirun run --bundle "$BUNDLE" "$ID"
    assert_success
    assert_output "[a b]
[it's]
[]"
}

@test "process.env is the whole environment" {
    update_config '.process.env = ["PATH=/bin", "FOO=bar baz", "EMPTY="]'
    run_in_container 'env | sort'
    assert_success
    assert_line "FOO=bar baz"
    assert_line "EMPTY="
    assert_line "PATH=/bin"
    # nothing of the runtime's own environment leaks in
    refute_line --partial "BATS_"
    refute_line --partial "OCIRUN"
}

@test "process.cwd is the working directory" {
    update_config '.process.cwd = "/tmp"'
    run_in_container 'pwd'
    assert_success
    assert_output /tmp
}

@test "process.cwd that does not exist in a read-write rootfs is created" {
    update_config '.process.cwd = "/does/not/exist" | .root.readonly = false'
    run_in_container 'pwd'
    assert_success
    assert_output /does/not/exist
}

@test "process.cwd that does not exist in a readonly rootfs is created" {
    update_config '.process.cwd = "/does/not/exist"'
    run_in_container 'pwd'
    assert_success
    assert_output /does/not/exist
}

@test "user 0:0 by default: id" {
    run_in_container 'id -u; id -g'
    assert_success
    assert_output "0
0"
}

@test "process.user uid/gid/additionalGids" {
    update_config '.process.user = {uid: 1000, gid: 1000, additionalGids: [10, 20]}'
    run_in_container 'id -u; id -g; id -G'
    assert_success
    assert_line --index 0 1000
    assert_line --index 1 1000
    # supplementary groups are exactly the gid and additionalGids
    groups=$(echo "${lines[2]}" | tr ' ' '\n' | sort -n | tr '\n' ' ')
    assert_equal "$groups" "10 20 1000 "
}

@test "process.user: status file shows real/effective ids and groups" {
    update_config '.process.user = {uid: 1000, gid: 1000, additionalGids: [10, 20]}'
    run_in_container 'grep -E "^(Uid|Gid|Groups):" /proc/self/status'
    assert_success
    assert_line --regexp '^Uid:\s+1000\s+1000\s+1000\s+1000$'
    assert_line --regexp '^Gid:\s+1000\s+1000\s+1000\s+1000$'
    assert_line --regexp '^Groups:\s+10 20\s*$'
}

@test "process.user without additionalGids has no supplementary groups" {
    update_config '.process.user = {uid: 65534, gid: 65534}'
    run_in_container 'grep -E "^Groups:" /proc/self/status; id -un'
    assert_success
    assert_line --regexp '^Groups:\s*$'
    assert_line nobody
}

@test "process.rlimits: RLIMIT_NOFILE soft 1024 hard 2048" {
    update_config '.process.rlimits = [{type: "RLIMIT_NOFILE", soft: 1024, hard: 2048}]'
    run_in_container 'ulimit -n; ulimit -Hn; grep "Max open files" /proc/self/limits'
    assert_success
    assert_line --index 0 1024
    assert_line --index 1 2048
    assert_line --regexp '^Max open files\s+1024\s+2048\s+files'
}

@test "process.rlimits: several limits" {
    update_config '.process.rlimits = [{type: "RLIMIT_NPROC", soft: 100, hard: 200},
                                       {type: "RLIMIT_CORE", soft: 0, hard: 0}]'
    run_in_container 'grep -E "Max (processes|core file size)" /proc/self/limits'
    assert_success
    assert_line --regexp '^Max processes\s+100\s+200\s'
    assert_line --regexp '^Max core file size\s+0\s+0\s'
}

@test "process.user.umask 23 -> umask 0027" {
    update_config '.process.user.umask = 23'
    run_in_container 'umask'
    assert_success
    assert_output 0027
}

@test "process.noNewPrivileges true -> NoNewPrivs 1" {
    update_config '.process.noNewPrivileges = true'
    run_in_container 'grep NoNewPrivs /proc/self/status'
    assert_success
    assert_output --regexp '^NoNewPrivs:\s+1$'
}

@test "process.noNewPrivileges unset -> NoNewPrivs 0" {
    run_in_container 'grep NoNewPrivs /proc/self/status'
    assert_success
    assert_output --regexp '^NoNewPrivs:\s+0$'
}

@test "process.oomScoreAdj" {
    update_config '.process.oomScoreAdj = 500'
    run_in_container 'cat /proc/self/oom_score_adj'
    assert_success
    assert_output 500
}

@test "process.args[0] looked up in PATH from process.env" {
    update_config '.process.args = ["busybox", "echo", "found"] | .process.env = ["PATH=/nowhere:/bin"]'
    run ocirun run --bundle "$BUNDLE" "$ID"
    assert_success
    assert_output found
}

@test "process.args[0] given as an absolute path" {
    update_config '.process.args = ["/bin/echo", "abs"]'
    run ocirun run --bundle "$BUNDLE" "$ID"
    assert_success
    assert_output abs
}

@test "stdin is passed through to the process" {
    update_config '.process.args = ["cat"]'
    run bash -c '"$0" --root "$1" run --bundle "$2" "$3" <<<from-stdin 2>&1' \
        "$OCIRUN" "$ROOT" "$BUNDLE" "$ID"
    assert_success
    assert_output from-stdin
}
