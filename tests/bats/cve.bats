#!/usr/bin/env bats
# Security regressions: one test per CVE of runc/crun, mounting the attack and checking it fails.

load helpers

teardown() {
    stop_agents
    common_teardown
}

# host_dir NAME: a directory on the host (outside the rootfs) with one marker file; prints its path.
host_dir() {
    local d="$BATS_TEST_TMPDIR/host-$1"
    mkdir -p "$d"
    echo "host data" >"$d/marker"
    echo "$d"
}

# assert_host_dir_untouched DIR: only the marker, with its content.
assert_host_dir_untouched() {
    [ "$(ls -A "$1")" = marker ] || fail "$1 was changed: $(ls -A "$1" | tr '\n' ' ')"
    [ "$(cat "$1/marker")" = "host data" ] || fail "$1/marker was changed"
    ! mountpoint -q "$1" || fail "$1 is a mount point"
}

# ---- CVE-2024-21626: leaked fds and a process.cwd through /proc/self/fd -------------------

@test "CVE-2024-21626: no fd of the runtime or of its caller reaches the container" {
    hd=$(host_dir fd)
    exec 7<"$hd" 8<"$BUNDLE/config.json"
    run_in_container 'ls /proc/self/fd | tr "\n" " "; echo; for f in /proc/$$/fd/*; do echo "${f##*/} $(readlink $f)"; done'
    exec 7<&- 8<&-
    assert_success
    assert_line --index 0 "0 1 2 3 "
    refute_output --partial "$hd"
    refute_output --partial "$BUNDLE"
    refute_output --partial "$ROOT"
    refute_output --partial "cgroup"
}

@test "CVE-2024-21626: --preserve-fds passes exactly the asked fds" {
    hd=$(host_dir fd)
    echo preserved >"$BATS_TEST_TMPDIR/kept"
    update_config '.process.args = ["sh", "-c", "ls /proc/self/fd | tr \"\\n\" \" \"; echo; cat <&3"]'
    exec 7<"$hd"
    run timeout 60 "$OCIRUN" --root "$ROOT" run --preserve-fds 1 --bundle "$BUNDLE" "$ID" \
        </dev/null 3<"$BATS_TEST_TMPDIR/kept"
    exec 7<&-
    assert_success
    assert_line --index 0 "0 1 2 3 4 "
    assert_line --index 1 "preserved"
}

@test "CVE-2024-21626: process.cwd /proc/self/fd/N is refused for every fd, nothing left" {
    hd=$(host_dir cwd)
    exec 7<"$hd"
    for n in 3 4 5 6 7 8 9; do
        update_config ".process.cwd = \"/proc/self/fd/$n\""
        expect_run_error "process.cwd \"/proc/self/fd/$n\""
    done
    exec 7<&-
    assert_host_dir_untouched "$hd"
}

@test "CVE-2024-21626: a cwd through an image symlink to /proc/self/fd/N is refused" {
    hd=$(host_dir cwd)
    ln -s /proc/self/fd/7 "$ROOTFS/escape"
    update_config '.process.cwd = "/escape"'
    exec 7<"$hd"
    expect_run_error 'process.cwd "/escape"'
    exec 7<&-
    assert_host_dir_untouched "$hd"
}

# ---- CVE-2021-30465, CVE-2024-45310: mount destinations resolved inside the rootfs -------

@test "CVE-2021-30465: a mount destination that is a symlink to a host dir lands in the rootfs" {
    hd=$(host_dir dest)
    ln -s "$hd" "$ROOTFS/data"
    mkdir -p "$ROOTFS$hd"
    update_config '.mounts += [{destination: "/data", type: "tmpfs", source: "tmpfs"}]'
    run_in_container 'stat -f -c %T /data/; ls -A /data/ | wc -l; touch /data/new'
    assert_success
    assert_line --index 0 tmpfs
    assert_line --index 1 0
    assert_host_dir_untouched "$hd"
}

@test "CVE-2021-30465: no directory is created through a symlink to a host dir" {
    hd=$(host_dir dest)
    ln -s "$hd" "$ROOTFS/data"
    update_config '.mounts += [{destination: "/data/sub/x", type: "tmpfs", source: "tmpfs"}]'
    # the symlink dangles inside the rootfs: refused rather than followed to the host
    expect_run_error 'mounts[6] "/data/sub/x"'
    assert_host_dir_untouched "$hd"
}

@test "CVE-2024-45310: directories for a mount under a symlink to / are created in the rootfs" {
    ln -s / "$ROOTFS/a"
    update_config ".mounts += [{destination: \"/a$BATS_TEST_TMPDIR/newdir/x\", type: \"tmpfs\", source: \"tmpfs\"}]"
    run_in_container "stat -f -c %T $BATS_TEST_TMPDIR/newdir/x/"
    assert_success
    assert_output tmpfs
    [ ! -e "$BATS_TEST_TMPDIR/newdir" ] || fail "a directory was created on the host"
    [ -d "$ROOTFS$BATS_TEST_TMPDIR/newdir/x" ]
}

# Swap "$ROOTFS/mnt" between a directory and a symlink to the host dir $1 until killed.
swap_loop() {
    set +e
    while :; do
        rm -rf "$ROOTFS/mnt"
        mkdir "$ROOTFS/mnt"
        rm -rf "$ROOTFS/mnt"
        ln -s "$1" "$ROOTFS/mnt"
    done 2>/dev/null
}

@test "CVE-2021-30465: a racing swap of a mount point with a symlink never reaches the host" {
    hd=$(host_dir race)
    src=$(host_dir src)
    mkdir -p "$ROOTFS$hd"
    update_config ".mounts += [{destination: \"/mnt/new/deeper\", type: \"bind\", source: \"$src\", options: [\"bind\"]}]"
    update_config '.root.readonly = false | .process.args = ["cat", "/mnt/new/deeper/marker"]'
    swap_loop "$hd" 3>&- &
    pid=$!
    ok=0
    for i in $(seq 20); do
        if ocirun run --bundle "$BUNDLE" "$ID-$i" >"$BATS_TEST_TMPDIR/out" 2>/dev/null; then
            [ "$(cat "$BATS_TEST_TMPDIR/out")" = "host data" ] || { kill "$pid"; fail "run $i: wrong bind"; }
            ok=$((ok + 1))
        fi
        assert_no_leftovers "$ID-$i"
    done
    kill "$pid"
    wait "$pid" || true
    echo "# $ok of 20 runs succeeded" >&3
    assert_host_dir_untouched "$hd"
    assert_host_dir_untouched "$src"
}

# ---- procfs writes through a checked handle (CVE-2019-16884, CVE-2019-19921,
#      CVE-2023-27561/28642, CVE-2025-52881) --------------------------------------------------

@test "procfs: process.oomScoreAdj is still applied through the checked procfs" {
    update_config '.process.oomScoreAdj = 321'
    run_in_container 'cat /proc/self/oom_score_adj'
    assert_success
    assert_output 321
}

@test "CVE-2019-19921: a sysctl redirected by a bind over /proc/sys is refused, host file untouched" {
    echo "host value" >"$BATS_TEST_TMPDIR/hostfile"
    update_config ".mounts += [{destination: \"/proc/sys/kernel/shmmni\", type: \"bind\", source: \"$BATS_TEST_TMPDIR/hostfile\", options: [\"bind\"]}] | .linux.sysctl = {\"kernel.shmmni\": \"1234\"}"
    expect_run_error 'linux.sysctl "kernel.shmmni"'
    [[ "$stderr" == *"mounted over it"* ]] || fail "unexpected error: $stderr"
    [ "$(cat "$BATS_TEST_TMPDIR/hostfile")" = "host value" ]
}

@test "CVE-2019-16884: a sysctl into a /proc that is not a procfs is refused" {
    update_config '.mounts |= map(if .destination == "/proc" then {destination: "/proc", type: "tmpfs", source: "tmpfs"} else . end) | .linux.sysctl = {"kernel.shmmni": "1234"}'
    expect_run_error 'not on a procfs'
}

@test "CVE-2025-52881: maskedPaths and readonlyPaths are not redirected by a mount over /proc/self/fd" {
    # the init is pid 1: this bind replaces its /proc/self/fd with links to /etc
    mkdir -p "$BUNDLE/fakefd"
    for n in $(seq 3 40); do ln -s /etc "$BUNDLE/fakefd/$n"; done
    update_config ".mounts += [{destination: \"/proc/self/fd\", type: \"bind\", source: \"$BUNDLE/fakefd\", options: [\"bind\"]}] | .linux.maskedPaths = [\"/sys/firmware\", \"/proc/timer_list\"] | .linux.readonlyPaths = [\"/tmp\"] | .root.readonly = false"
    run_in_container 'ls -A /sys/firmware | wc -l; wc -c < /proc/timer_list; ls /etc/passwd; touch /etc/y && echo etc-writable; touch /tmp/x || echo tmp-readonly'
    assert_success
    assert_line --index 0 0
    assert_line --index 1 0
    assert_line --index 2 /etc/passwd
    assert_line --index 3 etc-writable
    assert_line --index 4 tmp-readonly
}

# ---- CVE-2025-31133: maskedPaths bind only the real /dev/null -----------------------------

# The image's own /dev is used (no /dev tmpfs), with a devpts at /dev/pts.
image_dev() {
    update_config '.mounts |= map(select(.destination != "/dev" and .destination != "/dev/shm" and .destination != "/dev/mqueue"))'
}

# A config whose /dev is a bind of "$BUNDLE/devdir" (no /dev tmpfs of the runtime's own),
# masking /proc/timer_list.
dev_from_bundle() {
    mkdir -p "$BUNDLE/devdir"
    update_config ".mounts |= map(select(.destination | startswith(\"/dev\") | not)) | .mounts += [{destination: \"/dev\", type: \"bind\", source: \"$BUNDLE/devdir\", options: [\"rbind\"]}] | .linux.maskedPaths = [\"/proc/timer_list\"]"
}

@test "CVE-2025-31133: an image /dev/null symlink to a host file is refused (image /dev)" {
    image_dev
    echo "host data" >"$BATS_TEST_TMPDIR/hostfile"
    ln -s "$BATS_TEST_TMPDIR/hostfile" "$ROOTFS/dev/null"
    update_config '.linux.maskedPaths = ["/proc/timer_list"] | .process.args = ["cat", "/proc/timer_list"]'
    # refused by the default-device check or by the masking check (1:3), never followed
    expect_run_error '/dev/null'
    [ "$(cat "$BATS_TEST_TMPDIR/hostfile")" = "host data" ]
}

@test "CVE-2025-31133: a /dev/null symlink to a procfs file is not bound over a masked path" {
    dev_from_bundle
    ln -s /proc/sys/kernel/core_pattern "$BUNDLE/devdir/null"
    update_config '.process.args = ["cat", "/proc/timer_list"]'
    expect_run_error '/dev/null is not the null device'
}

@test "CVE-2025-31133: a /dev/null that is a regular file is not bound, the file untouched" {
    dev_from_bundle
    echo "host data" >"$BUNDLE/devdir/null"
    expect_run_error '/dev/null is not the null device'
    [ "$(cat "$BUNDLE/devdir/null")" = "host data" ]
}

# ---- CVE-2025-52565 and /dev symlinks of the image ---------------------------------------

@test "CVE-2025-52565: image /dev/ptmx and /dev/console symlinks to host files are not followed" {
    image_dev
    echo "host data" >"$BATS_TEST_TMPDIR/ptmx"
    echo "host data" >"$BATS_TEST_TMPDIR/console"
    ln -s "$BATS_TEST_TMPDIR/ptmx" "$ROOTFS/dev/ptmx"
    ln -s "$BATS_TEST_TMPDIR/console" "$ROOTFS/dev/console"
    run_in_container 'readlink /dev/ptmx; stat -c %t:%T /dev/pts/ptmx'
    assert_success
    assert_line --index 0 pts/ptmx
    assert_line --index 1 5:2
    [ "$(cat "$BATS_TEST_TMPDIR/ptmx")" = "host data" ]
    [ "$(cat "$BATS_TEST_TMPDIR/console")" = "host data" ]
}

@test "/dev: an image device node symlink to a host file is refused, the file untouched" {
    image_dev
    echo "host data" >"$BATS_TEST_TMPDIR/tty"
    ln -s "$BATS_TEST_TMPDIR/tty" "$ROOTFS/dev/tty"
    expect_run_error 'default device "/dev/tty"'
    [ "$(cat "$BATS_TEST_TMPDIR/tty")" = "host data" ]
    [ -L "$ROOTFS/dev/tty" ]
}

@test "/dev: an image /dev that is a symlink to a host dir gets its nodes inside the rootfs" {
    image_dev
    hd=$(host_dir dev)
    rmdir "$ROOTFS/dev"
    ln -s "$hd" "$ROOTFS/dev"
    mkdir -p "$ROOTFS$hd"
    run_in_container 'stat -c %t:%T /dev/null; readlink /dev/ptmx'
    assert_success
    assert_line --index 0 1:3
    assert_line --index 1 pts/ptmx
    assert_host_dir_untouched "$hd"
    [ -c "$ROOTFS$hd/null" ]
}

# ---- CVE-2022-29162: inheritable capabilities only when asked for -------------------------

# ocirun_inh ARGS...: the runtime started with CAP_NET_RAW (bit 13) in its inheritable set.
ocirun_inh() {
    timeout --kill-after=5 60 setpriv --inh-caps +net_raw -- "$OCIRUN" --root "$ROOT" "$@" </dev/null 3>&-
}

caps_status_cmd='grep -E "^Cap(Inh|Amb)" /proc/self/status'

@test "CVE-2022-29162: the caller's inheritable caps do not reach a root process" {
    run setpriv --inh-caps +net_raw grep CapInh /proc/self/status
    assert_output "CapInh:	0000000000002000"
    update_config ".process.capabilities = {bounding: [\"CAP_NET_RAW\", \"CAP_KILL\"], effective: [\"CAP_KILL\"], permitted: [\"CAP_NET_RAW\", \"CAP_KILL\"]} | .process.args = [\"sh\", \"-c\", $(json_quote "$caps_status_cmd")]"
    run ocirun_inh run --bundle "$BUNDLE" "$ID"
    assert_success
    assert_line "CapInh:	0000000000000000"
    assert_line "CapAmb:	0000000000000000"
}

@test "CVE-2022-29162: the caller's inheritable caps do not reach a non-root process" {
    update_config ".process.user = {uid: 1000, gid: 1000} | .process.capabilities = {bounding: [\"CAP_NET_RAW\"], effective: [\"CAP_NET_RAW\"], permitted: [\"CAP_NET_RAW\"]} | .process.args = [\"sh\", \"-c\", $(json_quote "$caps_status_cmd")]"
    run ocirun_inh run --bundle "$BUNDLE" "$ID"
    assert_success
    assert_line "CapInh:	0000000000000000"
}

@test "CVE-2022-29162: without process.capabilities inheritable and ambient are empty" {
    update_config ".process.args = [\"sh\", \"-c\", $(json_quote "$caps_status_cmd")]"
    run ocirun_inh run --bundle "$BUNDLE" "$ID"
    assert_success
    assert_line "CapInh:	0000000000000000"
    assert_line "CapAmb:	0000000000000000"
}

@test "CVE-2025-52565: with a terminal, an image /dev/console symlink to a host file is replaced, not followed" {
    image_dev
    echo "host data" >"$BATS_TEST_TMPDIR/console"
    ln -s "$BATS_TEST_TMPDIR/console" "$ROOTFS/dev/console"
    update_config '.process.terminal = true | .process.args = ["sh", "-c", "echo to-console >/dev/console; stat -c %t /dev/console"]'
    run bash -c "timeout 30 '$OCIRUN' --root '$ROOT' run --bundle '$BUNDLE' '$ID' </dev/null 3>&- | tr -d '\r'"
    assert_success
    assert_line to-console
    assert_line 88
    [ "$(cat "$BATS_TEST_TMPDIR/console")" = "host data" ]
}

@test "CVE-2025-52565: a /dev/pts/ptmx that is not devpts's is refused for the terminal" {
    image_dev
    update_config '.mounts |= map(select(.destination != "/dev/pts")) | .process.terminal = true'
    mkdir -p "$ROOTFS/dev/pts"
    echo "host data" >"$BATS_TEST_TMPDIR/ptmx"
    ln -s "$BATS_TEST_TMPDIR/ptmx" "$ROOTFS/dev/pts/ptmx"
    expect_run_error 'process.terminal: open /dev/pts/ptmx'
    [ "$(cat "$BATS_TEST_TMPDIR/ptmx")" = "host data" ]
}

# ---- CVE-2019-5736: overwriting the runtime binary through /proc/PID/exe ----------------------

# The container (root, CAP_SYS_PTRACE) holds /proc/PID/exe of every process in it that is not
# busybox while the runtime's exec process sits in the container's pid namespace, lets the
# runtime go and, once it has exited (no ETXTBSY any more), writes through the held file. To
# hold the runtime's process there long enough, its first syscall after loading the seccomp
# filter (close_range, which drops its notify listener) is notified to an agent that answers
# after 2 s (a fifo at /etc/passwd did it before; ocirun no longer waits on one). The attacker
# logs to, and is told the runtime exited through, a directory of the host bound into the
# container. The runtime runs from a copy of build/ocirun on a writable filesystem, so a
# successful attack cannot break the suite.
@test "CVE-2019-5736: a container cannot overwrite the runtime binary through /proc/PID/exe during exec" {
    local rt="$BATS_TEST_TMPDIR/ocirun-copy" shared="$BATS_TEST_TMPDIR/shared" before after
    cp "$OCIRUN" "$rt"
    before=$(sha256sum <"$rt")
    mkdir "$shared"
    echo '{"cwd": "/", "args": ["true"], "env": ["PATH=/bin", "HOME=/"]}' >"$BATS_TEST_TMPDIR/victim.json"
    start_agent continue        # the init's filter: close_range is for the runtime's processes only
    update_config ".linux.seccomp = {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": \"$AGENT_DIR/sock\",
                       \"syscalls\": [{\"names\": [\"close_range\"], \"action\": \"SCMP_ACT_NOTIFY\"}]} |
                   .mounts += [{\"destination\": \"/shared\", \"type\": \"bind\", \"source\": \"$shared\", \"options\": [\"rbind\"]}]"
    update_config '.process.capabilities = {bounding: ["CAP_SYS_PTRACE", "CAP_DAC_OVERRIDE"],
                   effective: ["CAP_SYS_PTRACE", "CAP_DAC_OVERRIDE"], permitted: ["CAP_SYS_PTRACE", "CAP_DAC_OVERRIDE"]}
                   | .process.args = ["sh", "-c", "
        held=
        while [ -z \"$held\" ]; do
            for p in /proc/[0-9]*; do
                exe=$(readlink $p/exe) || continue
                case $exe in */busybox) continue ;; esac
                exec 5<$p/exe && echo \"held ${p#/proc/} $exe\" >>/shared/log && held=1 && break
            done
            usleep 20000
        done
        until [ -e /shared/exited ]; do
            echo EVIL 2>/dev/null >/proc/self/fd/5 && echo wrote >>/shared/log
            usleep 20000
        done
        echo EVIL 2>/dev/null >/proc/self/fd/5 && echo wrote >>/shared/log
        echo done >>/shared/log
        sleep 1000"]'
    run ocirun run --detach --bundle "$BUNDLE" "$ID"
    assert_success
    start_agent slow            # the exec's own filter
    run timeout 30 "$rt" --root "$ROOT" exec --process "$BATS_TEST_TMPDIR/victim.json" "$ID" </dev/null 3>&-
    assert_success
    touch "$shared/exited"
    for _ in $(seq 100); do
        grep -q done "$shared/log" 2>/dev/null && break
        sleep 0.05
    done
    run cat "$shared/log"
    echo "$output"
    # the attack ran: it held the exe of the runtime's process in the container...
    assert_line --regexp '^held [0-9]+ '
    # ...but could not write through it, and the binary is unchanged...
    refute_line wrote
    after=$(sha256sum <"$rt")
    assert_equal "$after" "$before"
    # ...because what it held was the sealed copy
    assert_line --regexp '^held [0-9]+ /memfd:ocirun \(deleted\)$'
}
