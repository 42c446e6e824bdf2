#!/usr/bin/env bats
# exec: a new process in a live container: its namespaces and cgroups, every flag checked from
# inside, --process files, exit statuses, detach and pid files, paused/stopped refusals, and
# nothing left behind after an error.

load helpers

# in_ctr CMD: `exec ID sh -c CMD` in the running sleeper; sets $status/$output.
in_ctr() {
    run ocirun exec "$ID" sh -c "$1"
}

@test "exec runs a command in every namespace of the container's init" {
    exec_detached_sleep
    for ns in pid net ipc uts mnt cgroup user time; do
        assert_equal "$(readlink /proc/$pid/ns/$ns)" "$(readlink /proc/$init/ns/$ns)"
    done
    # a child of the init's pid namespace, with the same root
    [ "$(stat -Lc %d:%i /proc/$pid/root)" = "$(stat -Lc %d:%i /proc/$init/root)" ]
    in_ctr 'echo hello; hostname; echo $$'
    assert_success
    assert_line --index 0 hello
    assert_line --index 1 ocirun-test
    [ "${lines[2]}" -gt 1 ]
}

@test "exec joins the container's cgroup in every hierarchy" {
    exec_detached_sleep
    assert_equal "$(cat /proc/$pid/cgroup)" "$(cat /proc/$init/cgroup)"
    grep -q "^0::$CG_PARENT/$ID\$" /proc/$pid/cgroup
    # inside its cgroup namespace it sits at the root
    in_ctr 'grep "^0::" /proc/self/cgroup'
    assert_output "0::/"
}

@test "exec exit status: the process's own, 128+N for signal N, 255 when it cannot run" {
    run_sleeper
    for code in 0 1 3 126 127; do
        run -"$code" ocirun exec "$ID" sh -c "exit $code"
    done
    in_ctr 'kill -9 $$'
    assert_equal "$status" 137
    run --separate-stderr ocirun exec "$ID" nosuchcmd
    assert_equal "$status" 255
    [[ "$stderr" == *'exec: "nosuchcmd": executable file not found in $PATH'* ]] || fail "stderr: $stderr"
    run --separate-stderr ocirun exec "$ID" /etc/passwd
    assert_equal "$status" 255
    [[ "$stderr" == *'"/etc/passwd": permission denied'* ]] || fail "stderr: $stderr"
    # the container is untouched and no process was left in it
    assert_equal "$(container_status "$ID")" running
    assert_equal "$(wc -l < "$CG_MOUNT$CG_PARENT/$ID/cgroup.procs")" 1
}

@test "exec relays signals to the process and exits with its status" {
    run_sleeper
    "$OCIRUN" --root "$ROOT" exec "$ID" sh -c 'trap "exit 7" TERM; while :; do usleep 20000; done' \
        </dev/null >/dev/null 2>&1 3>&- &
    local rt=$!
    sleep 0.5
    kill -TERM "$rt"
    wait "$rt" || status=$?
    assert_equal "${status:-0}" 7
}

@test "exec --detach returns while the process runs; --pid-file relative to the caller's cwd" {
    run_sleeper
    cd "$BATS_TEST_TMPDIR"
    run ocirun exec --detach --pid-file sub.pid "$ID" sh -c 'sleep 100'
    assert_success
    pid=$(cat "$BATS_TEST_TMPDIR/sub.pid")
    pid_alive "$pid"
    grep -q sleep /proc/$pid/cmdline
    # no temporary file next to it
    assert_equal "$(ls "$BATS_TEST_TMPDIR" | grep -c pid)" 1
}

@test "exec --cwd, --env (set and override), --user, --additional-gids" {
    update_config '.process.env = ["PATH=/bin:/usr/bin", "KEEP=1", "OVER=old"]'
    run_sleeper
    run ocirun exec --cwd /tmp -e OVER=new -e NEW="a b" --user 1000:1001 -g 10 -g 20 "$ID" \
        sh -c 'pwd; env | sort; id -u; id -g; grep ^Groups: /proc/self/status'
    assert_success
    assert_line --index 0 /tmp
    assert_line KEEP=1
    assert_line OVER=new
    refute_line OVER=old
    assert_line "NEW=a b"
    assert_line PATH=/bin:/usr/bin
    assert_line 1000
    assert_line 1001
    assert_line --regexp '^Groups:\s+10 20\s*$'
    # --user without a gid keeps the config's gid
    run ocirun exec --user 65534 "$ID" sh -c 'id -u; id -g'
    assert_output "65534
0"
    run --separate-stderr ocirun exec --user abc "$ID" true
    assert_equal "$status" 255
    [[ "$stderr" == *abc*uid* ]] || fail "stderr: $stderr"
}

@test "exec --cap adds to bounding, effective, permitted and ambient, never inheritable" {
    update_config '.process.capabilities = {bounding: ["CAP_CHOWN"], effective: ["CAP_CHOWN"],
                   permitted: ["CAP_CHOWN"]}'
    run_sleeper
    in_ctr 'grep ^Cap /proc/self/status'
    assert_line "CapBnd:	0000000000000001"
    assert_line "CapEff:	0000000000000001"
    run ocirun exec --cap CAP_NET_ADMIN --cap CAP_KILL "$ID" sh -c 'grep ^Cap /proc/self/status'
    assert_success
    # CHOWN 0, KILL 5, NET_ADMIN 12
    assert_line "CapBnd:	0000000000001021"
    assert_line "CapEff:	0000000000001021"
    assert_line "CapPrm:	0000000000001021"
    assert_line "CapInh:	0000000000000000"
    # ambient needs inheritable: none can be raised
    assert_line "CapAmb:	0000000000000000"
    run --separate-stderr ocirun exec --cap CAP_NOPE "$ID" true
    assert_equal "$status" 255
    [[ "$stderr" == *'--cap "CAP_NOPE": unknown capability'* ]] || fail "stderr: $stderr"
}

@test "exec --no-new-privs; config's rlimits apply to exec'd processes" {
    update_config '.process.rlimits = [{type: "RLIMIT_NOFILE", soft: 123, hard: 456}]'
    run_sleeper
    in_ctr 'grep ^NoNewPrivs /proc/self/status; ulimit -n'
    assert_line --regexp '^NoNewPrivs:\s+0$'
    assert_line 123
    run ocirun exec --no-new-privs "$ID" grep ^NoNewPrivs /proc/self/status
    assert_output --regexp '^NoNewPrivs:\s+1$'
}

@test "exec --process FILE: args, env, cwd, user from a runtime-spec process object" {
    run_sleeper
    cat >"$BATS_TEST_TMPDIR/proc.json" <<'EOF'
{"terminal": false, "user": {"uid": 1000, "gid": 1000}, "cwd": "/tmp",
 "args": ["sh", "-c", "echo $FOO; pwd; id -u"], "env": ["PATH=/bin", "FOO=from-file"]}
EOF
    run ocirun exec --process "$BATS_TEST_TMPDIR/proc.json" "$ID"
    assert_success
    assert_output "from-file
/tmp
1000"
}

@test "exec --process with a bad field names it; nothing is left behind" {
    run_sleeper
    echo '{"cwd": "tmp", "args": ["true"]}' >"$BATS_TEST_TMPDIR/bad.json"
    run --separate-stderr ocirun exec -p "$BATS_TEST_TMPDIR/bad.json" "$ID"
    assert_equal "$status" 255
    [[ "$stderr" == *"--process $BATS_TEST_TMPDIR/bad.json: cwd: must be an absolute path"* ]] || fail "stderr: $stderr"
    echo '{"cwd": "/", "args": "true"}' >"$BATS_TEST_TMPDIR/bad.json"
    run --separate-stderr ocirun exec -p "$BATS_TEST_TMPDIR/bad.json" "$ID"
    assert_equal "$status" 255
    [[ "$stderr" == *"args"* ]] || fail "stderr: $stderr"
    run --separate-stderr ocirun exec -p "$BATS_TEST_TMPDIR/missing.json" "$ID"
    assert_equal "$status" 255
    [[ "$stderr" == *"--process"*"No such file or directory"* ]] || fail "stderr: $stderr"
    assert_equal "$(wc -l < "$CG_MOUNT$CG_PARENT/$ID/cgroup.procs")" 1
}

@test "exec refuses a paused container unless --ignore-paused" {
    run_sleeper
    run ocirun pause "$ID"
    assert_success
    run --separate-stderr ocirun exec "$ID" true
    assert_equal "$status" 255
    [[ "$stderr" == *"cannot exec in a paused container (use --ignore-paused to override)"* ]] || fail "stderr: $stderr"
    # with --ignore-paused the process starts frozen and runs once the container is resumed
    "$OCIRUN" --root "$ROOT" exec --ignore-paused "$ID" sh -c 'echo ran > /dev/shm/ran' \
        </dev/null >"$BATS_TEST_TMPDIR/out" 2>&1 3>&- &
    local rt=$!
    sleep 0.5
    run ocirun resume "$ID"
    assert_success
    wait "$rt"
    run ocirun exec "$ID" cat /dev/shm/ran
    assert_output ran
}

@test "exec: stopped and unknown containers are errors" {
    run_exited
    run --separate-stderr ocirun exec "$ID" true
    assert_equal "$status" 255
    [[ "$stderr" == *"cannot exec in a stopped container"* ]] || fail "stderr: $stderr"
    run --separate-stderr ocirun exec nosuchctr true
    assert_equal "$status" 255
    [[ "$stderr" == *'container "nosuchctr" does not exist'* ]] || fail "stderr: $stderr"
    run --separate-stderr ocirun exec "$ID"
    assert_failure
    [[ "$stderr" == *"a command is required"* ]] || fail "stderr: $stderr"
}

@test "exec into a created container (as runc)" {
    update_config '.process.args = ["sleep", "100"]'
    create_container
    run ocirun exec "$ID" sh -c 'echo in-created; ls /proc | grep -c "^[0-9]"'
    assert_success
    assert_line --index 0 in-created
    assert_equal "$(container_status "$ID")" created
}

@test "exec --preserve-fds passes fds from 3; without it none" {
    run_sleeper
    echo preserved >"$BATS_TEST_TMPDIR/fd3"
    run timeout 60 "$OCIRUN" --root "$ROOT" exec --preserve-fds 1 "$ID" sh -c 'cat <&3' \
        </dev/null 3<"$BATS_TEST_TMPDIR/fd3"
    assert_success
    assert_output preserved
    run timeout 60 "$OCIRUN" --root "$ROOT" exec "$ID" sh -c 'ls /proc/$$/fd; true' \
        </dev/null 3<"$BATS_TEST_TMPDIR/fd3" 7<"$BATS_TEST_TMPDIR/fd3"
    assert_success
    assert_equal "$(echo $output)" "0 1 2"
}

@test "exec and run pass LISTEN_FDS fds on with LISTEN_PID set to the process's pid" {
    echo socket-data >"$BATS_TEST_TMPDIR/fd3"
    run_sleeper
    # LISTEN_PID must name the runtime itself: `exec` in sh keeps the pid.
    run timeout 60 sh -c 'LISTEN_FDS=1 LISTEN_PID=$$ exec "$0" --root "$1" exec "$2" sh -c "echo \$LISTEN_FDS \$LISTEN_PID \$\$; cat <&3"' \
        "$OCIRUN" "$ROOT" "$ID" </dev/null 3<"$BATS_TEST_TMPDIR/fd3"
    assert_success
    read -r n lpid self <<<"${lines[0]}"
    assert_equal "$n" 1
    assert_equal "$lpid" "$self"
    assert_line --index 1 socket-data
    # meant for another process: not passed
    run timeout 60 sh -c 'LISTEN_FDS=1 LISTEN_PID=1 exec "$0" --root "$1" exec "$2" sh -c "echo [\$LISTEN_FDS]; ls /proc/\$\$/fd; true"' \
        "$OCIRUN" "$ROOT" "$ID" </dev/null 3<"$BATS_TEST_TMPDIR/fd3"
    assert_success
    assert_equal "$(echo $output)" "[] 0 1 2"
    # run: the init is pid 1 of its namespace (in a cgroup of its own: the sleeper's is not empty)
    update_config ".process.args = [\"sh\", \"-c\", \"echo \$LISTEN_FDS \$LISTEN_PID; cat <&3\"] |
                   .linux.cgroupsPath = \"$CG_PARENT/$ID-run\""
    CG_USED+=("$ID-run")
    run timeout 60 sh -c 'LISTEN_FDS=1 LISTEN_PID=$$ exec "$0" --root "$1" run --bundle "$2" "$3"' \
        "$OCIRUN" "$ROOT" "$BUNDLE" "$ID-run" </dev/null 3<"$BATS_TEST_TMPDIR/fd3"
    assert_success
    assert_output "1 1
socket-data"
}

@test "exec --cgroup: a sub-cgroup of the container's, per hierarchy or for all" {
    run_sleeper
    make_sub_cgroup sub
    run ocirun exec --cgroup sub "$ID" cat /proc/self/cgroup
    assert_success
    # every hierarchy (runc's "" key holds the cgroup2 one of a hybrid host)
    assert_line "0::/sub"
    if [ -d /sys/fs/cgroup/memory$CG_PARENT/$ID ]; then
        assert_line --regexp '^[0-9]+:memory:/sub$'
        assert_line --regexp '^[0-9]+:name=systemd:/sub$'
        run ocirun exec --cgroup memory:sub "$ID" cat /proc/self/cgroup
        assert_success
        assert_line --regexp '^[0-9]+:memory:/sub$'
        assert_line --regexp '^[0-9]+:pids:/$'
        assert_line "0::/"
    fi
    run --separate-stderr ocirun exec --cgroup nosuchctl:sub "$ID" true
    assert_equal "$status" 255
    [[ "$stderr" == *"nosuchctl"* ]] || fail "stderr: $stderr"
    run --separate-stderr ocirun exec --cgroup ../escape "$ID" true
    assert_equal "$status" 255
    [[ "$stderr" == *"not a sub"*"cgroup"* ]] || fail "stderr: $stderr"
    run --separate-stderr ocirun exec --cgroup missing "$ID" true
    assert_equal "$status" 255
    [[ "$stderr" == *"missing"* ]] || fail "stderr: $stderr"
    assert_equal "$(cat "$CG_MOUNT$CG_PARENT/$ID/cgroup.procs" | wc -l)" 1
    remove_sub_cgroup sub
}

@test "exec --cgroup unified:PATH names the cgroup2 hierarchy of a hybrid host" {
    runc_differs "runc 1.1 has no controller name for the cgroup2 hierarchy of a hybrid host (unknown controller unified)"
    run_sleeper
    make_sub_cgroup sub "$CG_MOUNT"
    run ocirun exec --cgroup unified:sub "$ID" cat /proc/self/cgroup
    assert_success
    assert_line "0::/sub"
    # the v1 hierarchies keep the container's own cgroup
    assert_equal "$(grep -c ':/sub$' <<<"$output")" 1
    remove_sub_cgroup sub
}

@test "exec: the container's seccomp profile applies to exec'd processes" {
    update_config '.root.readonly = false | .linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
        "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}'
    run_sleeper
    in_ctr 'mkdir /tmp/x; grep ^Seccomp: /proc/self/status'
    assert_output --partial "Operation not permitted"
    assert_line --regexp '^Seccomp:\s+2$'
}

@test "exec --tty in the foreground: a pty of the container's devpts on stdio, input relayed" {
    run_sleeper
    run ocirun_fg exec -t "$ID" sh -c 'tty; test -t 0 && test -t 1 && test -t 2 && echo all-tty; stat -L -c %t /proc/self/fd/0' </dev/null
    assert_success
    assert_line --index 0 --regexp '^/dev/pts/[0-9]+$'
    assert_line --index 1 all-tty
    # 0x88 = 136, the major of Unix98 pty slaves
    assert_line --index 2 88
    run ocirun_fg exec --tty "$ID" sh < <(printf 'echo out-$((40+2))\nexit 5\n')
    assert_failure 5
    assert_line out-42
}

@test "exec --tty on a terminal: the caller's window size is the process's from its start" {
    run_sleeper
    run script -qec "stty rows 21 cols 77; $OCIRUN --root $ROOT exec -t $ID stty size" /dev/null </dev/null
    assert_success
    assert_output --partial "21 77"
}

@test "exec --detach --tty --console-socket: the master goes to the socket (as conmon)" {
    run_sleeper
    start_recvtty $'hello\n'
    run ocirun exec --detach --tty --console-socket "$SOCK" --pid-file "$BATS_TEST_TMPDIR/p" "$ID" \
        sh -c 'read l; echo "got $l"; tty'
    assert_success
    [ -s "$BATS_TEST_TMPDIR/p" ]
    # (not under `run`: a subshell cannot wait for the receiver, our child)
    wait_recvtty >"$BATS_TEST_TMPDIR/tty.txt"
    run cat "$BATS_TEST_TMPDIR/tty.txt"
    assert_line "got hello"
    assert_line --regexp '^/dev/pts/[0-9]+$'
}

@test "exec --process with terminal true and --console-socket (as the containerd shim)" {
    run_sleeper
    start_recvtty
    echo '{"terminal": true, "cwd": "/", "args": ["sh", "-c", "test -t 1 && echo shim-tty"], "env": ["PATH=/bin"],
           "consoleSize": {"height": 20, "width": 70}, "user": {"uid": 65534, "gid": 65534}}' >"$BATS_TEST_TMPDIR/p.json"
    run ocirun exec --process "$BATS_TEST_TMPDIR/p.json" --console-socket "$SOCK" --detach \
        --pid-file "$BATS_TEST_TMPDIR/p" "$ID"
    assert_success
    # (not under `run`: a subshell cannot wait for the receiver, our child)
    wait_recvtty >"$BATS_TEST_TMPDIR/tty.txt"
    run cat "$BATS_TEST_TMPDIR/tty.txt"
    assert_output shim-tty
}

@test "exec terminal errors: --detach --tty without a socket, a socket without a terminal" {
    run_sleeper
    run --separate-stderr ocirun exec -d -t "$ID" true
    assert_equal "$status" 255
    [[ "$stderr" == *"needs --console-socket"* ]] || fail "stderr: $stderr"
    run --separate-stderr ocirun exec --console-socket "$BATS_TEST_TMPDIR/none.sock" "$ID" true
    assert_equal "$status" 255
    [[ "$stderr" == *"no terminal was asked for"* ]] || fail "stderr: $stderr"
    run --separate-stderr ocirun exec -t --console-socket "$BATS_TEST_TMPDIR/none.sock" "$ID" true
    assert_equal "$status" 255
    [[ "$stderr" == *"none.sock"* ]] || fail "stderr: $stderr"
    assert_equal "$(wc -l < "$CG_MOUNT$CG_PARENT/$ID/cgroup.procs")" 1
}

@test "exec --help" {
    run ocirun exec --help
    assert_success
    assert_output --partial "Usage: ocirun exec"
    assert_output --partial "--ignore-paused"
}

@test "exec without --tty has no terminal even when config.json's process.terminal is true (as runc)" {
    run_sleeper
    # the init's terminal setting: exec takes it from -t (or a --process file) only
    update_config '.process.terminal = true'
    run ocirun exec "$ID" sh -c 'echo plain; test -t 0 || test -t 1 || test -t 2 || echo no-tty'
    assert_success
    # exactly: no CR of a pty's output processing
    assert_output "plain
no-tty"
    run ocirun exec -d --pid-file "$BATS_TEST_TMPDIR/p" "$ID" sleep 100
    assert_success
    pid=$(cat "$BATS_TEST_TMPDIR/p")
    [[ "$(readlink /proc/$pid/fd/1)" != /dev/pts/* ]] || fail "detached exec got a pty: $(readlink /proc/$pid/fd/1)"
    # -t still gives one (runc wants a terminal on the caller's side: script(1))
    run script -qec "$OCIRUN --root $ROOT exec -t $ID tty" /dev/null </dev/null
    assert_success
    assert_output --regexp '/dev/pts/[0-9]+'
}

@test "exec -g/--additional-gids: repeatable, each gid once with config's; bad values rejected as runc" {
    update_config '.process.user.additionalGids = [5]'
    run_sleeper
    run ocirun exec -u 1000:1000 --additional-gids 20 --additional-gids 10 --additional-gids 5 \
        --additional-gids 20 "$ID" grep ^Groups: /proc/self/status
    assert_success
    assert_output --regexp '^Groups:\s+5 10 20\s*$'
    # not a number (runc's flag type): a usage error, exit 1
    for g in 10,20 abc ""; do
        run --separate-stderr ocirun exec -g "$g" "$ID" true
        assert_equal "$status" 1
        [[ "$stderr" == *"$g"* ]] || fail "stderr: $stderr"
    done
    # a number out of runc's range: the exec fails (255)
    run --separate-stderr ocirun exec -g -1 "$ID" true
    assert_equal "$status" 255
    [[ "$stderr" == *"positive number"* ]] || fail "stderr: $stderr"
    run --separate-stderr ocirun exec -u 1000 -g 2147483648 "$ID" true
    assert_equal "$status" 255
    [[ "$stderr" == *"must be in range 0-2147483647"* ]] || fail "stderr: $stderr"
    run --separate-stderr ocirun exec -u 2147483648 "$ID" true
    assert_equal "$status" 255
    [[ "$stderr" == *"must be in range 0-2147483647"* ]] || fail "stderr: $stderr"
    assert_equal "$(wc -l < "$CG_MOUNT$CG_PARENT/$ID/cgroup.procs")" 1
}

@test "exec --preserve-fds N: fds 3..3+N-1 reach a detached process too, the next ones not; a bad N is a usage error" {
    run_sleeper
    local f
    for f in 3 4 5; do echo "fd$f" >"$BATS_TEST_TMPDIR/f$f"; done
    run timeout 60 "$OCIRUN" --root "$ROOT" exec -d --preserve-fds 2 --pid-file "$BATS_TEST_TMPDIR/p" "$ID" \
        sh -c 'cat <&3 >/dev/shm/o; cat <&4 >>/dev/shm/o; ls /proc/$$/fd >>/dev/shm/o' \
        </dev/null >/dev/null 2>&1 3<"$BATS_TEST_TMPDIR/f3" 4<"$BATS_TEST_TMPDIR/f4" 5<"$BATS_TEST_TMPDIR/f5"
    assert_success
    wait_pid_gone "$(cat "$BATS_TEST_TMPDIR/p")"
    run ocirun exec "$ID" cat /dev/shm/o
    assert_success
    # (ls's own directory fd is the one after them)
    assert_equal "$(echo $output)" "fd3 fd4 0 1 2 3 4 5"
    run --separate-stderr ocirun exec --preserve-fds x "$ID" true
    assert_equal "$status" 1
    [[ "$stderr" == *preserve-fds* ]] || fail "stderr: $stderr"
}

@test "exec --cgroup CONTROLLER:PATH on a hybrid host: runc's path rules, the other hierarchies stay the container's" {
    run_sleeper
    [ -d /sys/fs/cgroup/memory$CG_PARENT/$ID ] || skip "no v1 memory hierarchy"
    make_sub_cgroup sub /sys/fs/cgroup/memory /sys/fs/cgroup/pids
    init=$(container_pid "$ID")
    # ".." is allowed while the path stays inside the container's cgroup (runc joins it)
    run ocirun exec -d --pid-file "$BATS_TEST_TMPDIR/p" --cgroup memory,pids:./x/../sub "$ID" sleep 100
    assert_success
    pid=$(cat "$BATS_TEST_TMPDIR/p")
    # from the host: every other hierarchy is exactly the container's (the init's) cgroup
    run diff <(sed 's,^\([0-9]*:\(memory\|pids\):.*\)/sub$,\1,' /proc/$pid/cgroup) /proc/$init/cgroup
    assert_success
    grep -q ":memory:$CG_PARENT/$ID/sub\$" /proc/$pid/cgroup
    grep -q ":pids:$CG_PARENT/$ID/sub\$" /proc/$pid/cgroup
    kill -9 "$pid"
    wait_pid_gone "$pid"
    # an empty PATH is the container's own cgroup
    run ocirun exec --cgroup memory: "$ID" grep :memory: /proc/self/cgroup
    assert_success
    assert_output --regexp ':memory:/$'
    # one ':' only
    run --separate-stderr ocirun exec --cgroup memory:sub:x "$ID" true
    assert_equal "$status" 255
    [[ "$stderr" == *"memory:sub:x"* ]] || fail "stderr: $stderr"
    run --separate-stderr ocirun exec --cgroup memory:sub/../../x "$ID" true
    assert_equal "$status" 255
    [[ "$stderr" == *"not a sub"*"cgroup"* ]] || fail "stderr: $stderr"
    for f in "$CG_MOUNT" /sys/fs/cgroup/memory; do
        assert_equal "$(wc -l < "$f$CG_PARENT/$ID/cgroup.procs")" 1
    done
    remove_sub_cgroup sub
}

@test "exec --user: stdio pipes are given to the user (it can reopen /dev/stdout), devices are left alone" {
    run_sleeper
    run timeout 60 "$OCIRUN" --root "$ROOT" exec -u 1000 "$ID" \
        sh -c 'cat /dev/stdin; echo out >/dev/stdout; echo err >/dev/stderr' < <(echo in)
    assert_success
    assert_line in
    assert_line out
    assert_line err
    # a /dev/null of the caller (here a private node of the same device) keeps its owner
    mknod -m 666 "$BATS_TEST_TMPDIR/null" c 1 3
    run timeout 60 "$OCIRUN" --root "$ROOT" exec -u 1000 "$ID" sh -c 'cat /dev/stdin; echo ok' <"$BATS_TEST_TMPDIR/null"
    assert_success
    assert_output ok
    assert_equal "$(stat -c %u "$BATS_TEST_TMPDIR/null")" 0
    assert_equal "$(stat -c %u /dev/null)" 0
}

@test "exec --user in a user namespace: stdio pipes of its root are given to the user, others left as they are" {
    use_user_namespace
    run_sleeper
    # a pipe of the container's root (host uid and gid 100000) becomes its user 1000's (host 101000)
    local in
    exec {in}< <(echo in)
    chown 100000:100000 /proc/self/fd/$in
    run timeout 60 "$OCIRUN" --root "$ROOT" exec -u 1000 "$ID" cat /dev/stdin <&$in
    exec {in}<&-
    assert_success
    assert_output in
    # the host's root is not mapped there: no chown, but the process still has the fd
    run timeout 60 "$OCIRUN" --root "$ROOT" exec -u 1000 "$ID" sh -c 'id -u; cat <&0' < <(echo in)
    assert_success
    assert_output "1000
in"
}

@test "exec -d --user: a caller's regular file on stdio keeps its owner, its pipe is the user's" {
    runc_differs "runc 1.1 fchowns every stdio fd but /dev/null to the user, a host file given as stdout too"
    run_sleeper
    : >"$BATS_TEST_TMPDIR/out"
    # (not under `run`: it would capture stdout itself)
    timeout 60 "$OCIRUN" --root "$ROOT" exec -d -u 1000 --pid-file "$BATS_TEST_TMPDIR/p" "$ID" \
        sh -c 'cat /dev/stdin; echo via-fd; echo reopened >/dev/stdout' \
        < <(echo from-pipe) >"$BATS_TEST_TMPDIR/out" 2>&1 3>&-
    wait_pid_gone "$(cat "$BATS_TEST_TMPDIR/p")"
    assert_equal "$(stat -c %u "$BATS_TEST_TMPDIR/out")" 0
    # the fd itself works; reopening the file by path needs the user's own access to it
    run cat "$BATS_TEST_TMPDIR/out"
    assert_line from-pipe
    assert_line via-fd
    assert_line --partial "Permission denied"
}

@test "a fifo at the container's /etc/passwd does not hang run or exec (HOME is looked up there)" {
    runc_differs "runc 1.1 opens the container's /etc/passwd and waits on a fifo there for good"
    rm "$ROOTFS/etc/passwd"
    mkfifo "$ROOTFS/etc/passwd"
    update_config '.process.args = ["sh", "-c", "echo HOME=$HOME"]'
    run ocirun run --bundle "$BUNDLE" "$ID"
    assert_success
    assert_output "HOME=/"
    run_sleeper
    run ocirun exec "$ID" sh -c 'echo HOME=$HOME'
    assert_success
    assert_output "HOME=/"
}

# ---- exec's configuration is the container's, saved at create (issue 21) ---------------------

# in_ctr_attrs: what exec gives a process, one line each: $FROM, the NOFILE limit, CapEff, the
# seccomp mode, then mkdir's error (the profile of config_with_attrs refuses mkdir). (NOFILE's
# soft limit is its hard one: runc 1.1's Go runtime raises the soft one of a created container's
# exec to the hard one.)
in_ctr_attrs() {
    in_ctr 'echo "from=$FROM"; ulimit -n; grep -E "^(CapEff|Seccomp):" /proc/self/status; mkdir /tmp/x 2>&1; echo end'
}

config_with_attrs() {
    update_config '.process.args = ["sleep", "1000"] | .root.readonly = false
        | .process.env = ["PATH=/bin:/usr/bin", "FROM=create"]
        | .process.rlimits = [{type: "RLIMIT_NOFILE", soft: 123, hard: 123}]
        | .process.capabilities = {bounding: ["CAP_CHOWN"], effective: ["CAP_CHOWN"], permitted: ["CAP_CHOWN"]}
        | .linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
            syscalls: [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO", errnoRet: 1}]}'
}

assert_attrs_of_create() {
    assert_success
    assert_line --index 0 "from=create"
    assert_line --index 1 123
    assert_line "CapEff:	0000000000000001"
    assert_line --regexp '^Seccomp:\s+2$'
    assert_line --partial "Operation not permitted"
}

@test "exec: the container's seccomp profile is create's, whatever the bundle's config.json says now" {
    config_with_attrs
    create_container
    update_config 'del(.linux.seccomp)'
    in_ctr 'mkdir /tmp/x 2>&1; grep ^Seccomp: /proc/self/status'
    assert_success
    assert_line --partial "Operation not permitted"
    assert_line --regexp '^Seccomp:\s+2$'
}

@test "exec uses the configuration of create: the bundle's config.json edited, then removed, changes nothing" {
    runc_differs "runc 1.1's exec takes the process (env, rlimits, capabilities) from the bundle's config.json as it is now, and fails once it is gone; only seccomp, labels, cgroups and namespaces come from its state"
    config_with_attrs
    create_container
    in_ctr_attrs
    assert_attrs_of_create
    # the bundle now says: no seccomp, more capabilities, another env and NOFILE limit
    update_config 'del(.linux.seccomp) | .process.env = ["PATH=/bin:/usr/bin", "FROM=edited"]
        | .process.rlimits = [{type: "RLIMIT_NOFILE", soft: 777, hard: 777}]
        | .process.capabilities = {bounding: ["CAP_CHOWN", "CAP_KILL"], effective: ["CAP_CHOWN", "CAP_KILL"],
                                   permitted: ["CAP_CHOWN", "CAP_KILL"]}'
    in_ctr_attrs
    assert_attrs_of_create
    rm "$BUNDLE/config.json"
    in_ctr_attrs
    assert_attrs_of_create
    # --process replaces the process, the container's seccomp profile stays
    echo '{"args": ["sh", "-c", "mkdir /tmp/y 2>&1; grep ^Seccomp: /proc/self/status"], "cwd": "/"}' \
        >"$BATS_TEST_TMPDIR/proc.json"
    run ocirun exec --process "$BATS_TEST_TMPDIR/proc.json" "$ID"
    assert_success
    assert_line --partial "Operation not permitted"
    assert_line --regexp '^Seccomp:\s+2$'
}

@test "exec needs nothing in the bundle directory but the rootfs (the container's mount namespace holds it)" {
    runc_differs "runc 1.1's exec reads the process from the bundle's config.json (JSON specification file config.json not found)"
    config_with_attrs
    run_sleeper
    find "$BUNDLE" -mindepth 1 -maxdepth 1 ! -name rootfs -exec rm -rf {} +
    in_ctr_attrs
    assert_attrs_of_create
    run ocirun exec -d --pid-file "$BATS_TEST_TMPDIR/p" "$ID" sleep 100
    assert_success
    pid_alive "$(cat "$BATS_TEST_TMPDIR/p")"
}

@test "exec needs no bundle directory: it renamed away, exec still runs with create's configuration" {
    runc_differs "runc 1.1's exec changes into the bundle directory first (chdir BUNDLE: no such file or directory)"
    config_with_attrs
    run_sleeper
    rm "$BUNDLE/config.json"
    mv "$BUNDLE" "$BUNDLE.moved"
    # (the bundle's name is back before any assertion: teardown finds leftovers by it)
    in_ctr_attrs
    local st=$status out=$output
    run ocirun exec -d --pid-file "$BATS_TEST_TMPDIR/p" "$ID" sleep 100
    local st_d=$status
    mv "$BUNDLE.moved" "$BUNDLE"
    status=$st output=$out
    readarray -t lines <<<"$output"
    assert_attrs_of_create
    assert_equal "$st_d" 0
    pid_alive "$(cat "$BATS_TEST_TMPDIR/p")"
}

@test "exec of a container without a saved configuration (an older ocirun's) uses the bundle's; with neither it fails clearly" {
    runc_differs "runc keeps the configuration in state.json, there is no file of its own to remove"
    run_sleeper
    cmp "$ROOT/$ID/config.json" "$BUNDLE/config.json"
    rm "$ROOT/$ID/config.json"
    update_config '.process.env = ["PATH=/bin:/usr/bin", "FROM=bundle"]'
    run --separate-stderr ocirun --debug exec "$ID" sh -c 'echo "from=$FROM"'
    assert_success
    assert_output "from=bundle"
    [[ "$stderr" == *"no config.json in its state directory (created by an older ocirun): using $BUNDLE/config.json"* ]] ||
        fail "stderr: $stderr"
    rm "$BUNDLE/config.json"
    run --separate-stderr ocirun exec "$ID" sh -c 'echo started'
    assert_failure 255
    assert_output ""
    [[ "$stderr" == *"container \"$ID\" has no saved configuration ($ROOT/$ID/config.json; created by an older ocirun?) and its bundle's cannot be used: open $BUNDLE/config.json: No such file or directory"* ]] ||
        fail "stderr: $stderr"
    # nothing was started: the init is alone in its cgroup
    assert_equal "$(cat "$CG_MOUNT$CG_PARENT/$ID/cgroup.procs")" "$(container_pid "$ID")"
    # a saved configuration that is not valid any more is an error naming it, not a fallback
    echo '{"ociVersion": "1.0.0"' >"$ROOT/$ID/config.json"
    run --separate-stderr ocirun exec "$ID" true
    assert_failure 255
    [[ "$stderr" == *"container \"$ID\": its saved configuration ($ROOT/$ID/config.json): config.json: parse error"* ]] ||
        fail "stderr: $stderr"
}
