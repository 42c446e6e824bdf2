#!/usr/bin/env bats
# Hooks: each kind runs at its point of the lifecycle, in its namespaces, with the state on stdin,
# exact args and env, a timeout; failures before start abort without leftovers, later ones warn.
#
# Against runc 1.1.5 (OCIRUN=runc) the namespaces, args, env and order of lists agree; where the
# spec says otherwise ocirun follows the spec ("ocirun behaviour" below): runc runs poststart at
# create, gives createContainer/startContainer the pid inside the container, ends start with
# success when a startContainer hook fails, fails on a poststart hook, and words errors its way.

load helpers

HOOK_ENV='["PATH=/usr/bin:/bin", "HOOK_VAR=a b"]'

setup() {
    common_setup
    OUT="$BATS_TEST_TMPDIR/out"
    mkdir -p "$OUT"
    touch "$BATS_TEST_TMPDIR/host-only"
    touch "$ROOTFS/rootfs-only"
    # record KIND: what a hook saw, into $OUT (on the host) or /out (inside the container)
    write_recorder "$BATS_TEST_TMPDIR/record" "$OUT"
    write_recorder "$ROOTFS/record" /out
    update_config ".mounts += [{destination: \"/out\", type: \"bind\", source: \"$OUT\", options: [\"rbind\", \"rw\"]}]"
}

write_recorder() {
    cat >"$1" <<EOF
#!/bin/sh
d=$2/\$1
cat >"\$d.json"
readlink /proc/self/ns/mnt >"\$d.mnt"
readlink /proc/self/ns/pid >"\$d.pidns"
[ -e "$BATS_TEST_TMPDIR/host-only" ] && echo host >"\$d.root"
[ -e /rootfs-only ] && echo container >"\$d.root"
cat /proc/self/mountinfo >"\$d.mountinfo"
echo "\$1" >>$2/order
EOF
    chmod 755 "$1"
}

# hook JSON for the recorder: hook KIND [PATH]
hook() {
    printf '{"path": "%s", "args": ["record", "%s"], "env": %s}' "${2:-$BATS_TEST_TMPDIR/record}" "$1" "$HOOK_ENV"
}

all_hooks() {
    update_config ".hooks = {prestart: [$(hook prestart)], createRuntime: [$(hook createRuntime)],
                   createContainer: [$(hook createContainer)], startContainer: [$(hook startContainer /record)],
                   poststart: [$(hook poststart)], poststop: [$(hook poststop)]}"
}

# assert_state KIND STATUS PID: the state JSON the hook got on stdin
assert_state() {
    local f="$OUT/$1.json"
    [ -s "$f" ] || fail "hook $1 did not run (no $f)"
    assert_equal "$(jq -r .status "$f")" "$2"
    assert_equal "$(jq -r .pid "$f")" "$3"
    assert_equal "$(jq -r .id "$f")" "$ID"
    assert_equal "$(jq -r .bundle "$f")" "$BUNDLE"
    assert_equal "$(jq -r .ociVersion "$f")" 1.3.0
    assert_equal "$(jq -r '.annotations["org.example.hooks"]' "$f")" yes
}

@test "hooks: each kind runs at its point, in its namespaces, with the state on stdin" {
    all_hooks
    update_config '.process.args = ["sleep", "1000"] | .annotations = {"org.example.hooks": "yes"}'
    update_config ".mounts += [{destination: \"/hooktmp\", type: \"tmpfs\", source: \"tmpfs\"}]"
    create_container
    # ocirun behaviour: runc 1.1 also runs poststart here, at create
    assert_equal "$(cat "$OUT/order")" "$(printf '%s\n' prestart createRuntime createContainer)"
    pid=$(container_pid "$ID")
    init_mnt=$(readlink "/proc/$pid/ns/mnt")
    init_pidns=$(readlink "/proc/$pid/ns/pid")
    [ "$init_mnt" != "$(host_ns mnt)" ]
    [ "$init_pidns" != "$(host_ns pid)" ]

    # prestart and createRuntime: the runtime's namespaces
    for k in prestart createRuntime; do
        assert_state $k creating "$pid"
        assert_equal "$(cat "$OUT/$k.mnt")" "$(host_ns mnt)"
        assert_equal "$(cat "$OUT/$k.pidns")" "$(host_ns pid)"
        assert_equal "$(cat "$OUT/$k.root")" host
    done
    # createContainer: the container's namespaces and mounts, the host's root (before pivot_root)
    assert_state createContainer creating "$pid"
    assert_equal "$(cat "$OUT/createContainer.mnt")" "$init_mnt"
    assert_equal "$(cat "$OUT/createContainer.pidns")" "$init_pidns"
    assert_equal "$(cat "$OUT/createContainer.root")" host
    grep -q " $ROOTFS/hooktmp " "$OUT/createContainer.mountinfo"
    ! grep -q " $ROOTFS/hooktmp " "$OUT/createRuntime.mountinfo"
    [ ! -e "$OUT/startContainer.json" ]
    [ ! -e "$OUT/poststart.json" ]

    run ocirun start "$ID"
    assert_success
    # startContainer: inside the container, its root
    assert_state startContainer created "$pid"
    assert_equal "$(cat "$OUT/startContainer.mnt")" "$init_mnt"
    assert_equal "$(cat "$OUT/startContainer.pidns")" "$init_pidns"
    assert_equal "$(cat "$OUT/startContainer.root")" container
    # poststart: the runtime's, before start returned
    assert_state poststart running "$pid"
    assert_equal "$(cat "$OUT/poststart.mnt")" "$(host_ns mnt)"
    [ ! -e "$OUT/poststop.json" ]

    run ocirun kill "$ID" KILL
    assert_success
    wait_for_status "$ID" stopped
    run ocirun delete "$ID"
    assert_success
    # poststop: after the container is gone (pid 0 as the container has no process any more)
    assert_state poststop stopped 0
    assert_equal "$(cat "$OUT/poststop.mnt")" "$(host_ns mnt)"
    [ ! -e "$ROOT/$ID" ]
    assert_equal "$(cat "$OUT/order")" \
        "$(printf '%s\n' prestart createRuntime createContainer startContainer poststart poststop)"
}

@test "hooks: run goes through all six in order, poststop after the process exited" {
    all_hooks
    update_config '.process.args = ["sh", "-c", "echo process >>/out/order"]'
    run ocirun run --bundle "$BUNDLE" "$ID"
    assert_success
    assert_equal "$(cat "$OUT/order")" \
        "$(printf '%s\n' prestart createRuntime createContainer startContainer process poststart poststop)" ||
    assert_equal "$(cat "$OUT/order")" \
        "$(printf '%s\n' prestart createRuntime createContainer startContainer poststart process poststop)"
    assert_equal "$(jq -r .status "$OUT/poststop.json")" stopped
    [ ! -e "$ROOT/$ID" ]
}

@test "hooks: the state's pid is the init's as the host sees it, also after the extra fork into a joined pid namespace" {
    setup_bundle "$BATS_TEST_TMPDIR/bundle-a" "$ID-a"
    run_sleeper "$ID-a" "$BATS_TEST_TMPDIR/bundle-a"
    pid_a=$(container_pid "$ID-a")
    all_hooks
    update_config "(.linux.namespaces[] | select(.type == \"pid\")) .path = \"/proc/$pid_a/ns/pid\"
                   | .process.args = [\"sleep\", \"1000\"]"
    create_container
    pid=$(container_pid "$ID")
    [ "$(readlink "/proc/$pid/ns/pid")" = "$(readlink "/proc/$pid_a/ns/pid")" ]
    for k in prestart createRuntime createContainer; do
        assert_equal "$(jq -r .pid "$OUT/$k.json")" "$pid"
    done
    assert_equal "$(cat "$OUT/createContainer.pidns")" "$(readlink "/proc/$pid_a/ns/pid")"
    run ocirun start "$ID"
    assert_success
    assert_equal "$(jq -r .pid "$OUT/startContainer.json")" "$pid"
    assert_equal "$(jq -r .pid "$OUT/poststart.json")" "$pid"
    run ocirun delete --force "$ID"
    assert_success
    assert_no_leftovers "$ID"
}

@test "hooks: args (args[0] is argv[0]) and env are exactly the configured ones" {
    local script="tr '\\0' '\\n' </proc/\$\$/cmdline >$OUT/argv; tr '\\0' '\\n' </proc/\$\$/environ >$OUT/env; cat >$OUT/stdin"
    update_config ".hooks.createRuntime = [{path: \"/bin/sh\", args: [\"my-argv0\", \"-c\", $(json_quote "$script"), \"x\", \"two words\"],
                   env: [\"A=1\", \"B=with space\", \"EMPTY=\"]}]
                   | .hooks.prestart = [{path: \"$BATS_TEST_TMPDIR/noargs\"}]
                   | .process.args = [\"true\"]"
    printf '#!/bin/sh\necho "$0 $#" >%s/noargs\n' "$OUT" >"$BATS_TEST_TMPDIR/noargs"
    chmod 755 "$BATS_TEST_TMPDIR/noargs"
    FOO=leak run ocirun run --bundle "$BUNDLE" "$ID"
    assert_success
    assert_equal "$(cat "$OUT/argv")" "$(printf '%s\n' my-argv0 -c "$script" x 'two words')"
    assert_equal "$(cat "$OUT/env")" "$(printf '%s\n' A=1 'B=with space' EMPTY=)"
    # no args: argv is {path}
    assert_equal "$(cat "$OUT/noargs")" "$BATS_TEST_TMPDIR/noargs 0"
    jq -e . "$OUT/stdin" >/dev/null
}

@test "hooks: a hook gets fds 0, 1 and 2 only" {
    update_config ".hooks.createRuntime = [{path: \"/bin/sh\", args: [\"sh\", \"-c\", \"ls /proc/self/fd >$OUT/fds\"]}]
                   | .process.args = [\"true\"]"
    run ocirun run --bundle "$BUNDLE" "$ID" 4</dev/null
    assert_success
    # 0 1 2 and the directory ls reads
    [ "$(wc -l <"$OUT/fds")" -eq 4 ]
}

@test "hooks: lists run in order, prestart before createRuntime" {
    update_config ".hooks.createRuntime = [$(hook cr1), $(hook cr2)] | .hooks.prestart = [$(hook pre1), $(hook pre2)]
                   | .hooks.poststop = [$(hook ps1), $(hook ps2), $(hook ps3)] | .process.args = [\"true\"]"
    run ocirun run --bundle "$BUNDLE" "$ID"
    assert_success
    assert_equal "$(cat "$OUT/order")" "$(printf '%s\n' pre1 pre2 cr1 cr2 ps1 ps2 ps3)"
}

@test "hooks: timeout kills the hook and fails create, naming the hook; nothing left behind" {
    # a duration no other process has, to find it afterwards
    naptime="3$$"
    update_config ".hooks.createRuntime = [$(hook first), {path: \"/bin/sleep\", args: [\"sleep\", \"$naptime\"], timeout: 1}]
                   | .hooks.poststop = [$(hook poststop)]"
    start=$(date +%s)
    run --separate-stderr ocirun create --bundle "$BUNDLE" "$ID"
    assert_failure
    [ $(( $(date +%s) - start )) -lt 10 ]
    [[ "$stderr" == *'hooks.createRuntime[1] "/bin/sleep": timed out after 1 s'* ]] || fail "stderr: $stderr"
    assert_no_leftovers "$ID"
    # the sleep was killed
    ! pgrep -fx "sleep $naptime" >/dev/null
    # the spec continues the lifecycle at poststop, as runc does
    [ -s "$OUT/poststop.json" ]
}

@test "hooks: a failing createContainer hook aborts create with its status and stderr; nothing left behind" {
    update_config '.hooks.createContainer = [{path: "/bin/sh", args: ["sh", "-c", "echo out; echo boom >&2; exit 3"]}]'
    expect_create_failure
    [[ "$stderr" == *'hooks.createContainer[0] "/bin/sh": exited with status 3, stdout: out, stderr: boom'* ]] ||
        fail "stderr: $stderr"
}

@test "hooks: a failing prestart hook aborts run; a missing hook executable too" {
    update_config '.hooks.prestart = [{path: "/bin/false"}]'
    expect_run_error 'hooks.prestart[0] "/bin/false": exited with status 1'
    update_config '.hooks.prestart = [] | .hooks.createRuntime = [{path: "/nonexistent/hook"}]'
    expect_run_error 'hooks.createRuntime[0] "/nonexistent/hook": exited with status 127, stderr: execve: No such file or directory'
}

@test "hooks: a failing startContainer hook makes start fail; the container stops" {
    update_config '.hooks.startContainer = [{path: "/bin/sh", args: ["sh", "-c", "echo nope >&2; exit 2"]}]
                   | .process.args = ["sh", "-c", "touch /out/ran; sleep 1000"]'
    create_container
    # ocirun behaviour: runc 1.1's start succeeds, the error goes nowhere
    run --separate-stderr ocirun start "$ID"
    assert_failure
    [[ "$stderr" == *"cannot start container \"$ID\": hooks.startContainer[0] \"/bin/sh\": exited with status 2, stderr: nope"* ]] ||
        fail "stderr: $stderr"
    wait_for_status "$ID" stopped
    [ ! -e "$OUT/ran" ]
    run ocirun delete "$ID"
    assert_success
    # run reports it the same way
    run --separate-stderr ocirun run --bundle "$BUNDLE" "$ID"
    assert_failure
    [[ "$stderr" == *'hooks.startContainer[0] "/bin/sh": exited with status 2, stderr: nope'* ]] || fail "stderr: $stderr"
    assert_no_leftovers "$ID"
}

@test "hooks: failing poststart and poststop hooks only warn" {
    # ocirun behaviour (the spec's): runc 1.1 kills the container when a poststart hook fails
    update_config ".hooks.poststart = [{path: \"/bin/false\"}, $(hook poststart)]
                   | .hooks.poststop = [{path: \"/bin/sh\", args: [\"sh\", \"-c\", \"exit 4\"]}, $(hook poststop)]
                   | .process.args = [\"true\"]"
    run --separate-stderr ocirun run --bundle "$BUNDLE" "$ID"
    assert_success
    [[ "$stderr" == *'level=warning msg="hooks.poststart[0] \"/bin/false\": exited with status 1"'* ]] || fail "stderr: $stderr"
    [[ "$stderr" == *'level=warning msg="hooks.poststop[0] \"/bin/sh\": exited with status 4"'* ]] || fail "stderr: $stderr"
    # the hooks after the failing ones still ran
    [ -s "$OUT/poststart.json" ]
    [ -s "$OUT/poststop.json" ]
    assert_no_leftovers "$ID"

    # create/start/delete: the same
    update_config '.process.args = ["sleep", "1000"]'
    rm -f "$OUT"/*
    create_container
    run --separate-stderr ocirun start "$ID"
    assert_success
    [[ "$stderr" == *'level=warning msg="hooks.poststart[0] \"/bin/false\": exited with status 1"'* ]] || fail "stderr: $stderr"
    run --separate-stderr ocirun delete --force "$ID"
    assert_success
    [[ "$stderr" == *'level=warning msg="hooks.poststop[0] \"/bin/sh\": exited with status 4"'* ]] || fail "stderr: $stderr"
    [ -s "$OUT/poststop.json" ]
}

@test "hooks: poststop comes from state.json, not from the bundle at delete time" {
    update_config ".hooks.poststop = [$(hook poststop)] | .process.args = [\"sleep\", \"1000\"]"
    create_container
    update_config '.hooks = {}'
    run ocirun delete --force "$ID"
    assert_success
    [ -s "$OUT/poststop.json" ]
}

@test "hooks: --debug logs each hook with its duration" {
    update_config ".hooks.createRuntime = [$(hook createRuntime)] | .process.args = [\"true\"]"
    run --separate-stderr ocirun --debug run --bundle "$BUNDLE" "$ID"
    assert_success
    # a logrus text line: the quotes of the message are escaped
    [[ "$stderr" =~ level=debug\ msg=\"hooks\.createRuntime\[0\]\ \\\"[^\"]*/record\\\":\ done\ in\ [0-9]+\ us\" ]] ||
        fail "stderr: $stderr"
}

@test "hooks: with process.terminal the hooks keep their own stdio, not the container's terminal" {
    local helpers="$BATS_TEST_DIRNAME/../../build/tests/helpers" sock="$BATS_TEST_TMPDIR/console.sock"
    update_config '.process.terminal = true | .process.args = ["sh", "-c", "echo from-process"]
                   | .hooks.createContainer = [{path: "/bin/sh", args: ["sh", "-c", "echo from-create-hook"]}]
                   | .hooks.startContainer = [{path: "/bin/sh", args: ["sh", "-c", "tty >/out/start.tty; echo from-start-hook"]}]'
    "$helpers/recvtty" "$sock" >"$BATS_TEST_TMPDIR/tty.out" 2>&1 3>&- &
    recvtty=$!
    for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.02; done
    create_container "$ID" --console-socket "$sock"
    run ocirun start "$ID"
    assert_success
    for _ in $(seq 100); do kill -0 "$recvtty" 2>/dev/null || break; sleep 0.05; done
    wait "$recvtty"
    grep -q from-process "$BATS_TEST_TMPDIR/tty.out"
    ! grep -q hook "$BATS_TEST_TMPDIR/tty.out"
    assert_equal "$(cat "$OUT/start.tty")" "not a tty"
}

@test "hooks: where runc runs them: the runtime's in the bundle with its environment, the container's in the rootfs and process.cwd with the process's" {
    hk() {
        printf '{"path": "/bin/sh", "args": ["sh", "-c", %s]}' "$(json_quote "pwd >$2/$1.cwd; env >$2/$1.env")"
    }
    update_config ".process.cwd = \"/tmp\" | .process.args = [\"true\"]
                   | .hooks = {prestart: [$(hk prestart "$OUT")], createRuntime: [$(hk createRuntime "$OUT")],
                               createContainer: [$(hk createContainer "$OUT")], startContainer: [$(hk startContainer /out)],
                               poststart: [$(hk poststart "$OUT")], poststop: [$(hk poststop "$OUT")]}"
    cd "$BATS_TEST_TMPDIR"
    HOOK_TEST_VAR=from-the-runtime run ocirun run --bundle "$BUNDLE" "$ID"
    assert_success
    for k in prestart createRuntime poststart poststop; do
        assert_equal "$(cat "$OUT/$k.cwd")" "$(realpath "$BUNDLE")"
        grep -qx HOOK_TEST_VAR=from-the-runtime "$OUT/$k.env" || fail "$k: $(cat "$OUT/$k.env")"
    done
    assert_equal "$(cat "$OUT/createContainer.cwd")" "$(realpath "$ROOTFS")"
    assert_equal "$(cat "$OUT/startContainer.cwd")" /tmp
    for k in createContainer startContainer; do
        grep -qx PATH=/usr/sbin:/usr/bin:/sbin:/bin "$OUT/$k.env" || fail "$k: $(cat "$OUT/$k.env")"
        ! grep -q HOOK_TEST_VAR "$OUT/$k.env"
    done
}

@test "hooks: runc's library hooks: a script reads the state and mounts into the container, another mounts relative to the rootfs, ldconfig sees both" {
    command -v cc >/dev/null || skip "needs a C compiler for the test libraries"
    local lib
    mkdir -p "$ROOTFS/lib" "$ROOTFS/sbin"
    cp /sbin/ldconfig "$ROOTFS/sbin/ldconfig"
    file -L /sbin/ldconfig | grep -q 'static' || skip "/sbin/ldconfig is not static"
    for lib in cr cc; do
        cc -shared -Wl,-soname,libocirun-hook-$lib.so.1 -o "$BUNDLE/libocirun-hook-$lib.so.1.0.0" -x c /dev/null
    done
    # createRuntime: in the runtime's namespaces, into the container's mount namespace by pid
    cr="pid=\$(cat - | jq -r .pid); touch $ROOTFS/lib/libocirun-hook-cr.so.1.0.0 &&
        nsenter -m -t \$pid mount --bind $BUNDLE/libocirun-hook-cr.so.1.0.0 $ROOTFS/lib/libocirun-hook-cr.so.1.0.0"
    # createContainer: in the container's mount namespace, "." is the rootfs
    cc="touch ./lib/libocirun-hook-cc.so.1.0.0 && mount --bind $BUNDLE/libocirun-hook-cc.so.1.0.0 ./lib/libocirun-hook-cc.so.1.0.0"
    update_config ".hooks = {createRuntime: [{path: \"/bin/sh\", args: [\"/bin/sh\", \"-c\", $(json_quote "$cr")]}],
                             createContainer: [{path: \"/bin/sh\", args: [\"/bin/sh\", \"-c\", $(json_quote "$cc")]}],
                             startContainer: [{path: \"/bin/sh\", args: [\"/bin/sh\", \"-c\", \"ldconfig\"]}]}
                   | .root.readonly = false | .process.args = [\"/bin/sh\", \"-c\", \"ldconfig -p | grep libocirun-hook\"]"
    run ocirun run --bundle "$BUNDLE" "$ID"
    assert_success
    assert_output --partial libocirun-hook-cr.so.1
    assert_output --partial libocirun-hook-cc.so.1
}

@test "hooks: a startContainer hook runs under the container's seccomp filter, the way it is run does not" {
    # what a runtime may use to run a hook (pidfd_open, poll, close_range, dup2, rt_sigpending)
    # and /bin/true does not need: runc runs this hook, so must we
    local kill='["pidfd_open", "poll", "close_range", "dup2", "rt_sigpending", "mkdir", "mkdirat"]'
    update_config ".process.args = [\"true\"] | .process.rlimits = [{type: \"RLIMIT_CORE\", soft: 0, hard: 0}]
                   | .linux.seccomp = {defaultAction: \"SCMP_ACT_ALLOW\", syscalls: [{names: $kill, action: \"SCMP_ACT_KILL\"}]}
                   | .hooks.startContainer = [{path: \"/bin/true\"}]"
    run ocirun run --bundle "$BUNDLE" "$ID"
    assert_success
    update_config '.process.args = ["sleep", "1000"] | .process.noNewPrivileges = true'
    create_container
    run ocirun start "$ID"
    assert_success
    wait_for_status "$ID" running
    run ocirun delete --force "$ID"
    assert_success
    # the hook itself is filtered: its mkdir kills it (runc's seccomp.bats case)
    update_config '.process.args = ["true"] | .hooks.startContainer = [{path: "/bin/sh", args: ["sh", "-c", "mkdir /tmp/foo"]}]'
    run ocirun run --bundle "$BUNDLE" "$ID"
    assert_failure
    [[ "${output,,}" == *"bad system call"* ]] || fail "output: $output"
}
