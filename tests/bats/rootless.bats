#!/usr/bin/env bats
# Rootless: ocirun run by an unprivileged user (issue 18). The file makes two test users (with
# subordinate ids from useradd) and removes them again; every command of theirs runs through
# setpriv with a HOME and an XDG_RUNTIME_DIR of its own. Their bundles live below a directory
# they can reach (bats' own temporary directories are root's, 0700), with a copy of ocirun.

load helpers

# rl_useradd TAG: make a test user named ocirl-TAG-RANDOM (a free name), print the name.
rl_useradd() {
    local u i rc
    for i in 1 2 3 4 5 6 7 8 9 10; do
        u=ocirl-$1-$RANDOM
        useradd --no-create-home --home-dir "$RL_BASE/home-$u" --shell /bin/sh "$u" 2>/dev/null
        rc=$?
        [ "$rc" -eq 0 ] && { echo "$u"; return 0; }
        [ "$rc" -eq 9 ] || break
    done
    return 1
}

setup_file() {
    ensure_suite_fixtures
    command -v setpriv >/dev/null || skip "setpriv (util-linux) is not installed"
    RL_BASE=$(mktemp -d /tmp/ocirun-rootless.XXXXXX)
    chmod 755 "$RL_BASE"
    mkdir "$RL_BASE/bin"
    cp "$(command -v "$OCIRUN")" "$RL_BASE/bin/ocirun"
    chmod 755 "$RL_BASE/bin/ocirun"
    # useradd gives each user a free range in /etc/subuid and /etc/subgid (login.defs)
    touch /etc/subuid /etc/subgid
    # names unique on this machine: other suites (in pid namespaces of their own, with the same
    # $$) may be making theirs at the same time; useradd refuses a taken name (status 9)
    RL_USER=$(rl_useradd a) || fail "useradd failed"
    RL_USER2=$(rl_useradd b) || fail "useradd failed"
    local u
    for u in "$RL_USER" "$RL_USER2"; do
        mkdir -m 700 "$RL_BASE/home-$u" "$RL_BASE/xdg-$u"
        chown "$u:$u" "$RL_BASE/home-$u" "$RL_BASE/xdg-$u"
    done
    export RL_BASE RL_USER RL_USER2
}

teardown_file() {
    local u
    for u in "${RL_USER:-}" "${RL_USER2:-}"; do
        [ -n "$u" ] && id "$u" >/dev/null 2>&1 && userdel "$u"
    done
    [ -n "${RL_BASE:-}" ] && rm -rf "$RL_BASE"
    return 0
}

setup() {
    ensure_suite_fixtures
    RL_UID=$(id -u "$RL_USER")
    RL_GID=$(id -g "$RL_USER")
    RL_XDG="$RL_BASE/xdg-$RL_USER"
    # the user's default root: the per-test teardown deletes what a test left there, as root
    ROOT="$RL_XDG/ocirun"
    ID="rl${BATS_SUITE_TEST_NUMBER:-$BATS_TEST_NUMBER}-$$"
    CG_USED=()
    ROOTFS_USED=()
    BUNDLE="$RL_BASE/bundle-$ID"
    ROOTFS="$BUNDLE/rootfs"
    mkdir -m 755 "$BUNDLE"
    cp -al "$BASE_ROOTFS" "$ROOTFS"
    ROOTFS_USED+=("$ROOTFS")
    chown "$RL_USER:$RL_USER" "$BUNDLE"
    # the bundle is the user's own `ocirun spec --rootless`, with no terminal
    as_user sh -c "cd '$BUNDLE' && '$RL_BASE/bin/ocirun' spec --rootless" || fail "ocirun spec --rootless failed"
    update_config '.process.terminal = false | .process.args = ["sh", "-c", "id -u; id -g"]'
}

teardown() {
    common_teardown
    rm -rf "$BUNDLE"
}

# as_user [-u USER] CMD...: CMD as the test user (its groups, a clean environment with its HOME
# and XDG_RUNTIME_DIR, none with RL_NO_XDG set), stdin /dev/null, bounded.
as_user() {
    local u=$RL_USER
    if [ "$1" = -u ]; then
        u=$2
        shift 2
    fi
    local env=(PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$RL_BASE/home-$u" USER="$u")
    [ -n "${RL_NO_XDG:-}" ] || env+=(XDG_RUNTIME_DIR="$RL_BASE/xdg-$u")
    timeout --kill-after=5 60 setpriv --reuid "$(id -u "$u")" --regid "$(id -g "$u")" --init-groups -- \
        env -i "${env[@]}" "$@" </dev/null 3>&-
}

# rl_ocirun ARGS...: ocirun as the test user, with its default --root. Its output goes through
# files, as helpers.bash's ocirun(): a detached container must not hold bats' pipes.
rl_ocirun() {
    local out="$BATS_TEST_TMPDIR/rl-out" err="$BATS_TEST_TMPDIR/rl-err" rc
    as_user "$RL_BASE/bin/ocirun" "$@" >"$out" 2>"$err"
    rc=$?
    cat "$out"
    cat "$err" >&2
    return $rc
}

# rl_ocirun2 ARGS...: ocirun as the second test user, on the first one's root.
rl_ocirun2() {
    as_user -u "$RL_USER2" "$RL_BASE/bin/ocirun" --root "$ROOT" "$@" 2>&1
}

@test "rootless: a bundle of 'ocirun spec --rootless' runs as the user: root inside is the user, its cgroups skipped with a debug line" {
    update_config '.process.args = ["sh", "-c", "id -u; cat /proc/self/uid_map /proc/self/gid_map"]'
    cd "$BUNDLE"
    run --separate-stderr rl_ocirun --debug run "$ID"
    assert_success
    assert_line --index 0 0
    assert_equal "$(echo ${lines[1]})" "0 $RL_UID 1"
    assert_equal "$(echo ${lines[2]})" "0 $RL_GID 1"
    # this host delegates no cgroup to the user: each hierarchy is skipped, and said so
    [[ "$stderr" == *"rootless: uid $RL_UID may not write these cgroups, skipped: $(detect_cgroup2)/$ID"* ]] ||
        fail "no debug line: $stderr"
    # run deleted it again
    [ ! -e "$ROOT/$ID" ]
}

@test "rootless: the default root is \$XDG_RUNTIME_DIR/ocirun (0700, the user's); without XDG_RUNTIME_DIR it is /run/ocirun" {
    update_config '.process.args = ["sleep", "100"]'
    run rl_ocirun run -d --bundle "$BUNDLE" "$ID"
    assert_success
    assert_equal "$(stat -c '%a %u' "$RL_XDG/ocirun")" "700 $RL_UID"
    assert_equal "$(stat -c '%a %u' "$RL_XDG/ocirun/$ID")" "700 $RL_UID"
    run rl_ocirun state "$ID"
    assert_success
    assert_equal "$(jq -r .status <<<"$output")" running
    # runc's rule: no XDG_RUNTIME_DIR, no per-user default; /run/ocirun is root's
    RL_NO_XDG=1 run rl_ocirun run -d --bundle "$BUNDLE" "$ID-2"
    assert_failure
    assert_output --partial "/run/ocirun"
    [ ! -e "/run/ocirun/$ID-2" ]
}

@test "rootless: --rootless takes true, false or auto; false keeps the cgroups and fails without them, leaving nothing" {
    run rl_ocirun --rootless maybe list
    assert_failure
    assert_output --partial '--rootless: "maybe" is not true, false or auto'
    run rl_ocirun --rootless false run --bundle "$BUNDLE" "$ID"
    assert_failure
    assert_output --partial "Permission denied"
    [ ! -e "$ROOT/$ID" ]
    run rl_ocirun --rootless true run --bundle "$BUNDLE" "$ID"
    assert_success
    assert_line --index 0 0
    run rl_ocirun --rootless=auto run --bundle "$BUNDLE" "$ID"
    assert_success
}

@test "rootless: exec (-t too), state, list, ps, events, kill and delete work for the user; pause says there is no cgroup" {
    update_config '.process.args = ["sh", "-c", "sleep 100 & wait"]'
    run rl_ocirun run -d --bundle "$BUNDLE" "$ID"
    assert_success
    run rl_ocirun exec "$ID" sh -c 'id -u; cat /proc/self/uid_map'
    assert_success
    assert_line --index 0 0
    assert_equal "$(echo ${lines[1]})" "0 $RL_UID 1"
    run rl_ocirun exec -t "$ID" sh -c 'test -t 0 && echo tty'
    assert_success
    assert_output --partial tty
    # its map has one id: another is not there to switch to
    run rl_ocirun exec --user 1000 "$ID" id
    assert_failure
    assert_output --partial "process.user.uid 1000 (not mapped in the container's user namespace): setresuid"
    run rl_ocirun list
    assert_success
    assert_line --regexp "^$ID +[0-9]+ +running +$BUNDLE +[^ ]+ +$RL_USER\$"
    # no cgroup: ps lists the processes of the container's pid namespace
    run rl_ocirun ps --format json "$ID"
    assert_success
    assert_equal "$(jq length <<<"$output")" 2
    run rl_ocirun events --stats "$ID"
    assert_success
    assert_equal "$(jq -r .type <<<"$output")" stats
    run rl_ocirun pause "$ID"
    assert_failure
    assert_output --partial "it has no cgroup"
    # the namespace's init (sh, no handler) ignores SIGTERM: kill alone changes nothing
    run rl_ocirun kill "$ID" TERM
    assert_success
    sleep 0.2
    assert_equal "$(rl_ocirun state "$ID" | jq -r .status)" running
    # kill --all without a cgroup: every process of its pid namespace; the sleep ends, sh's wait
    # returns and the container stops
    run rl_ocirun kill --all "$ID" TERM
    assert_success
    for _ in $(seq 50); do
        [ "$(rl_ocirun state "$ID" | jq -r .status)" = stopped ] && break
        sleep 0.05
    done
    run rl_ocirun delete "$ID"
    assert_success
    [ ! -e "$ROOT/$ID" ]
}

@test "rootless: create then start; run in the foreground with the spec's terminal relays it" {
    update_config '.process.args = ["sleep", "100"]'
    run rl_ocirun create --bundle "$BUNDLE" "$ID"
    assert_success
    assert_equal "$(rl_ocirun state "$ID" | jq -r .status)" created
    run rl_ocirun start "$ID"
    assert_success
    assert_equal "$(rl_ocirun state "$ID" | jq -r .status)" running
    run rl_ocirun delete -f "$ID"
    assert_success
    # `ocirun spec --rootless` has terminal: true; script(1) gives the user a terminal
    update_config '.process.terminal = true | .process.args = ["sh", "-c", "tty; id -u"]'
    run script -qec "$(printf '%q ' setpriv --reuid "$RL_UID" --regid "$RL_GID" --init-groups -- env -i \
        PATH=/usr/bin:/bin XDG_RUNTIME_DIR="$RL_XDG" "$RL_BASE/bin/ocirun" run --bundle "$BUNDLE" "$ID")" /dev/null
    assert_success
    assert_line --index 0 --partial /dev/pts/0
    assert_line --index 1 --partial 0
    [ ! -e "$ROOT/$ID" ]
}

@test "rootless: more ids than its own through newuidmap/newgidmap and /etc/subuid; ids not given are refused, nothing left" {
    command -v newuidmap >/dev/null || skip "newuidmap (Debian's uidmap) is not installed"
    local sub subg
    sub=$(awk -F: -v u="$RL_USER" '$1 == u { print $2 }' /etc/subuid)
    subg=$(awk -F: -v u="$RL_USER" '$1 == u { print $2 }' /etc/subgid)
    [ -n "$sub" ] && [ -n "$subg" ] || fail "useradd gave $RL_USER no subordinate ids"
    update_config ".linux.uidMappings = [{containerID: 0, hostID: $RL_UID, size: 1},
                                         {containerID: 1, hostID: $sub, size: 65536}]
                  | .linux.gidMappings = [{containerID: 0, hostID: $RL_GID, size: 1},
                                          {containerID: 1, hostID: $subg, size: 65536}]
                  | .process.user = {uid: 1000, gid: 1000, additionalGids: [5]}
                  | .process.args = [\"sh\", \"-c\", \"id; cat /proc/self/uid_map\"]"
    run rl_ocirun run --bundle "$BUNDLE" "$ID"
    assert_success
    assert_line --index 0 "uid=1000 gid=1000 groups=5"
    assert_equal "$(echo ${lines[2]})" "1 $sub 65536"
    # the other user's range is not this one's
    update_config ".linux.uidMappings[1].hostID = $((sub + 65536 * 4096))"
    run rl_ocirun run --bundle "$BUNDLE" "$ID"
    assert_failure
    assert_output --partial "linux.uidMappings: /usr/bin/newuidmap"
    assert_output --partial "/etc/subuid"
    [ ! -e "$ROOT/$ID" ]
}

@test "rootless: what the user cannot have is a clear error (limits, rlimits, uts sysctls, no user namespace, a disk filesystem), nothing left; its devices are bound, net sysctls set" {
    update_config '.linux.resources = {memory: {limit: 104857600}}'
    run rl_ocirun run --bundle "$BUNDLE" "$ID"
    assert_failure
    assert_output --partial "rootless: linux.resources sets limits, but uid $RL_UID may not create cgroup"
    [ ! -e "$ROOT/$ID" ]
    # check predicts it
    run rl_ocirun check --bundle "$BUNDLE"
    assert_failure
    assert_output --partial "rootless: linux.resources sets limits, but uid $RL_UID may not create cgroup"
    update_config 'del(.linux.resources) | .process.rlimits = [{type: "RLIMIT_NOFILE", hard: 1073741816, soft: 1024}]'
    run rl_ocirun run --bundle "$BUNDLE" "$ID"
    assert_failure
    assert_output --partial "RLIMIT_NOFILE"
    assert_output --partial "needs CAP_SYS_RESOURCE"
    [ ! -e "$ROOT/$ID" ]
    update_config 'del(.process.rlimits) | .linux.sysctl = {"kernel.domainname": "x"}'
    run rl_ocirun run --bundle "$BUNDLE" "$ID"
    assert_failure
    assert_output --partial 'linux.sysctl "kernel.domainname" = "x": not writable from the container'"'"'s user namespace'
    [ ! -e "$ROOT/$ID" ]
    # namespaces without a user namespace; a filesystem no user namespace may mount
    update_config 'del(.linux.sysctl) | del(.linux.uidMappings, .linux.gidMappings)
                   | .linux.namespaces |= map(select(.type != "user"))'
    run rl_ocirun run --bundle "$BUNDLE" "$ID"
    assert_failure
    assert_output --partial "uid $RL_UID may create namespaces only with a user namespace of its own"
    [ ! -e "$ROOT/$ID" ]
    update_config ".linux.uidMappings = [{containerID: 0, hostID: $RL_UID, size: 1}]
                   | .linux.gidMappings = [{containerID: 0, hostID: $RL_GID, size: 1}]
                   | .linux.namespaces += [{type: \"user\"}]
                   | .mounts += [{destination: \"/mnt\", type: \"ext4\", source: \"/dev/null\"}]"
    run rl_ocirun run --bundle "$BUNDLE" "$ID"
    assert_failure
    assert_output --partial 'mount ext4: not a filesystem a user namespace may mount'
    [ ! -e "$ROOT/$ID" ]
    update_config 'del(.mounts[-1])'
    # a network namespace of its own: its net.* keys are the user's; a device is the host's node, bound
    update_config '.linux.sysctl = {"net.ipv4.ip_forward": "1"} | .linux.namespaces += [{type: "network"}]
                   | .linux.devices = [{path: "/dev/kmsg", type: "c", major: 1, minor: 11}]
                   | .process.args = ["sh", "-c", "cat /proc/sys/net/ipv4/ip_forward; stat -c %t:%T /dev/kmsg"]'
    run rl_ocirun run --bundle "$BUNDLE" "$ID"
    assert_success
    assert_line --index 0 1
    assert_line --index 1 "1:b"
}

@test "rootless: one user cannot see or touch another's containers" {
    update_config '.process.args = ["sleep", "100"]'
    run rl_ocirun run -d --bundle "$BUNDLE" "$ID"
    assert_success
    # the other user's list of this root, its state and delete: the 0700 directories refuse it
    run rl_ocirun2 state "$ID"
    assert_failure
    assert_output --partial "Permission denied"
    # a root made reachable by mistake: the owner check still refuses
    chmod 755 "$RL_XDG" "$ROOT" "$ROOT/$ID"
    run rl_ocirun2 delete -f "$ID"
    assert_failure
    assert_output --partial "container \"$ID\" belongs to uid $RL_UID, not to uid $(id -u "$RL_USER2")"
    run rl_ocirun2 kill "$ID" KILL
    assert_failure
    assert_output --partial "belongs to uid $RL_UID"
    run rl_ocirun2 list -q
    assert_success
    assert_output ""
    chmod 700 "$RL_XDG" "$ROOT" "$ROOT/$ID"
    run rl_ocirun state "$ID"
    assert_success
    assert_equal "$(jq -r .status <<<"$output")" running
}
