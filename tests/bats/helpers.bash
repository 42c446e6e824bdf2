# Shared helpers for the ocirun bats suite: runtime wrapper, bundle builder, cleanup, checks.
#
# Every test gets (from common_setup, the default setup()):
#   ROOT    a private --root state directory
#   ID      a container id unique in the whole run
#   BUNDLE  a fresh busybox bundle whose config.json runs "sh" (edit with update_config)
#   ROOTFS  "$BUNDLE/rootfs"
# The suite runs as root inside `unshare -m --propagation private`, so mounts done by a buggy
# runtime in our own mount namespace cannot reach the host.

source /usr/lib/bats/bats-support/load.bash
source /usr/lib/bats/bats-assert/load.bash

# bats-assert 2.1 shows only stdout when an exit status is not the expected one: after
# `run --separate-stderr` the runtime's error message is on stderr, so show that too (a flake
# in CI is then diagnosable from the log alone).
eval "$(declare -f assert_success | sed '1s/^assert_success/bats_assert_success/')"
eval "$(declare -f assert_failure | sed '1s/^assert_failure/bats_assert_failure/')"
show_stderr_of_run() {
    [ -z "${stderr-}" ] || printf 'stderr (of the last run --separate-stderr):\n%s\n--\n' "$stderr" >&2
    return 1
}
assert_success() { bats_assert_success "$@" || show_stderr_of_run; }
assert_failure() { bats_assert_failure "$@" || show_stderr_of_run; }

# `run --separate-stderr` and `run -N` need bats >= 1.5 (Debian 12 has 1.8.2).
bats_require_minimum_version 1.5.0

OCIRUN=${OCIRUN:-$BATS_TEST_DIRNAME/../../build/ocirun}

# ---------------------------------------------------------------------------------------------
# Suite fixtures (used by setup_suite.bash; also a fallback when a file runs without it)

# Print the mount point of the cgroup2 hierarchy (hybrid hosts: /sys/fs/cgroup/unified).
detect_cgroup2() {
    local d
    for d in /sys/fs/cgroup/unified /sys/fs/cgroup; do
        if [ "$(stat -fc %T "$d" 2>/dev/null)" = cgroup2fs ]; then
            echo "$d"
            return 0
        fi
    done
    return 1
}

# shellcheck source=../../scripts/busybox-bundle.sh
. "$(dirname "${BASH_SOURCE[0]}")/../../scripts/busybox-bundle.sh"

# Remove a cgroup directory and all its descendants, children first (cgroupfs needs rmdir).
remove_cgroup_tree() {
    local dir=$1 i
    [ -d "$dir" ] || return 0
    find "$dir" -mindepth 1 -depth -type d -exec rmdir {} + 2>/dev/null
    for i in 1 2 3 4 5 6 7 8 9 10; do
        rmdir "$dir" 2>/dev/null && return 0
        [ -d "$dir" ] || return 0
        sleep 0.1
        find "$dir" -mindepth 1 -depth -type d -exec rmdir {} + 2>/dev/null
    done
    echo "# could not remove cgroup $dir" >&3
    return 1
}

ensure_suite_fixtures() {
    if [ -z "${CG_PARENT:-}" ] || [ -z "${CG_MOUNT:-}" ]; then
        # Running without setup_suite.bash: the per-file teardown removes this parent again.
        CG_NAME="ocirun-bats-$$-$RANDOM"
        CG_PARENT="/$CG_NAME"
        CG_MOUNT=$(detect_cgroup2)
        mkdir -p "$CG_MOUNT$CG_PARENT"
        OWN_CG_PARENT=1
        export CG_NAME CG_PARENT CG_MOUNT OWN_CG_PARENT
    fi
    if [ -z "${BASE_ROOTFS:-}" ] || [ ! -x "$BASE_ROOTFS/bin/busybox" ]; then
        BASE_ROOTFS="$BATS_FILE_TMPDIR/base-rootfs"
        busybox_rootfs "$BASE_ROOTFS"
        export BASE_ROOTFS
    fi
    if [ -z "${BASE_CONFIG:-}" ] || [ ! -s "$BASE_CONFIG" ]; then
        BASE_CONFIG="$BATS_FILE_TMPDIR/base-config.json"
        write_base_config "$BASE_CONFIG"
        export BASE_CONFIG
    fi
}

setup_file() {
    ensure_suite_fixtures
}

teardown_file() {
    if [ -n "${OWN_CG_PARENT:-}" ]; then
        local h
        for h in "$CG_MOUNT" /sys/fs/cgroup/*; do
            [ -d "$h/$CG_NAME" ] && remove_cgroup_tree "$h/$CG_NAME"
        done
    fi
    return 0
}

# ---------------------------------------------------------------------------------------------
# Per-test setup / teardown

common_setup() {
    ensure_suite_fixtures
    ROOT="$BATS_TEST_TMPDIR/root"
    mkdir -p "$ROOT"
    ID="t${BATS_SUITE_TEST_NUMBER:-$BATS_TEST_NUMBER}-$$"
    CG_USED=()
    ROOTFS_USED=()
    BUNDLE="$BATS_TEST_TMPDIR/bundle"
    ROOTFS="$BUNDLE/rootfs"
    setup_bundle "$BUNDLE" "$ID"
}

common_teardown() {
    local d id
    # 1. the runtime's own cleanup of whatever the test left in its root. An empty ROOT (a
    # setup that skipped or failed before common_setup) has nothing to clean, and "$ROOT"/*/
    # would be the host's top directories: stop here.
    [ -n "${ROOT:-}" ] || return 0
    for d in "$ROOT"/*/; do
        [ -d "$d" ] || continue
        d=${d%/}
        id=${d##*/}
        timeout --kill-after=5 30 "$OCIRUN" --root "$ROOT" delete --force "$id" \
            </dev/null >/dev/null 2>&1 3>&- || true
    done
    # 2. processes the runtime failed to clean up, found by their cgroup or root directory
    kill_leftovers
    # 3. this test's cgroups (in every hierarchy: runc also creates v1 ones on hybrid hosts)
    local name h
    for name in "${CG_USED[@]}"; do
        for h in "$CG_MOUNT" /sys/fs/cgroup/*; do
            [ -d "$h$CG_PARENT/$name" ] && remove_cgroup_tree "$h$CG_PARENT/$name"
        done
    done
    return 0
}

setup() {
    common_setup
}

teardown() {
    common_teardown
}

# Collect into LEFTOVER_PIDS the processes that belong to this test: in one of its cgroups (or a
# child cgroup) or chrooted in one of its rootfs directories (compared by device+inode, which
# survives pivot_root). No forks: this runs after every test.
collect_leftover_pids() {
    local name f p r
    LEFTOVER_PIDS=()
    for name in "${CG_USED[@]}"; do
        for f in "$CG_MOUNT$CG_PARENT/$name/cgroup.procs" "$CG_MOUNT$CG_PARENT/$name"/*/cgroup.procs \
            "$CG_MOUNT$CG_PARENT/$name"/*/*/cgroup.procs; do
            [ -r "$f" ] || continue
            while read -r p; do
                LEFTOVER_PIDS+=("$p")
            done <"$f"
        done
    done
    # one find instead of a stat per process per rootfs: this runs after every test
    for r in "${ROOTFS_USED[@]}"; do
        while read -r p; do
            p=${p#/proc/}
            LEFTOVER_PIDS+=("${p%/root}")
        done < <(find -L /proc/[0-9]*/root -maxdepth 0 -samefile "$r" 2>/dev/null)
    done
}

kill_leftovers() {
    local p i
    collect_leftover_pids
    [ "${#LEFTOVER_PIDS[@]}" -gt 0 ] || return 0
    for p in "${LEFTOVER_PIDS[@]}"; do
        kill -9 "$p" 2>/dev/null
    done
    for i in $(seq 50); do
        collect_leftover_pids
        [ "${#LEFTOVER_PIDS[@]}" -gt 0 ] || return 0
        sleep 0.05
    done
}

# ---------------------------------------------------------------------------------------------
# Bundles

# write_base_config FILE: the base config.json, with @CGPATH@ standing for linux.cgroupsPath.
write_base_config() {
    busybox_config ocirun-test @CGPATH@ '["sh"]' >"$1"
}

# setup_bundle DIR CGNAME: a bundle in DIR with a copy of the base rootfs and the base config.json
# (cgroupsPath "$CG_PARENT/CGNAME"). The rootfs is hard-linked to the base one for speed: tests
# may add files to it but must not modify its existing files in place.
setup_bundle() {
    local dir=$1 cgname=$2 cfg
    mkdir -p "$dir"
    cp -al "$BASE_ROOTFS" "$dir/rootfs"
    CG_USED+=("$cgname")
    ROOTFS_USED+=("$dir/rootfs")
    read -r -d '' cfg <"$BASE_CONFIG" || true
    printf '%s\n' "${cfg//@CGPATH@/$CG_PARENT/$cgname}" >"$dir/config.json"
}

# update_config 'JQ FILTER' [BUNDLE]: edit config.json in place.
update_config() {
    local filter=$1 dir=${2:-$BUNDLE}
    jq "$filter" "$dir/config.json" >"$dir/.config.json.new" &&
        mv "$dir/.config.json.new" "$dir/config.json"
}

# json_quote STRING: print STRING as a JSON string literal (no fork).
json_quote() {
    local s=$1
    s=${s//\\/\\\\}
    s=${s//\"/\\\"}
    s=${s//$'\n'/\\n}
    s=${s//$'\t'/\\t}
    printf '"%s"' "$s"
}

# ---------------------------------------------------------------------------------------------
# Checking a test against runc (OCIRUN=runc scripts/check-bats.sh)

# is_runc: the suite runs against runc rather than ocirun.
is_runc() {
    [[ "${OCIRUN##*/}" == runc* ]]
}

# runc_differs REASON: ocirun differs from runc 1.1 here on purpose (REASON says how); under
# OCIRUN=runc the test is skipped with that reason instead of failing.
runc_differs() {
    if is_runc; then
        skip "runc differs: $*"
    fi
}

# ---------------------------------------------------------------------------------------------
# Running the runtime

# ocirun ARGS...: "$OCIRUN" --root "$ROOT" ARGS, killed after $OCIRUN_TIMEOUT (60) seconds so a
# hang fails the test (status 124) instead of the suite. Its stdio goes through files, not pipes, so that a
# container that outlives the command (create, run -d, a leak) cannot keep `run`'s capture pipe
# open and hang the test. stdout is replayed on stdout, stderr on stderr.
ocirun() {
    local out err rc
    OCIRUN_CALLS=$((${OCIRUN_CALLS:-0} + 1))
    out="$BATS_TEST_TMPDIR/stdout.$BASHPID.$OCIRUN_CALLS"
    err="$BATS_TEST_TMPDIR/stderr.$BASHPID.$OCIRUN_CALLS"
    # fd 3 is bats' own output: a container must never hold it (bats would wait for it)
    timeout --kill-after=5 "${OCIRUN_TIMEOUT:-60}" "$OCIRUN" --root "$ROOT" "$@" \
        </dev/null >"$out" 2>"$err" 3>&-
    rc=$?
    if [ -s "$out" ]; then cat "$out"; fi
    if [ -s "$err" ]; then cat "$err" >&2; fi
    return $rc
}

# create_container [ID] [OPTIONS...]: create from $BUNDLE, fail the test on error.
create_container() {
    local id=${1:-$ID}
    shift || true
    run ocirun create --bundle "$BUNDLE" "$@" "$id"
    assert_success
}

# run_sleeper [ID] [BUNDLE]: a detached container whose process sleeps (status running).
run_sleeper() {
    local id=${1:-$ID} bundle=${2:-$BUNDLE}
    update_config '.process.args = ["sleep", "1000"]' "$bundle"
    run ocirun run --detach --bundle "$bundle" "$id"
    assert_success
    wait_for_status "$id" running
}

# exec_detached_sleep: a sleeper container plus a detached `exec sleep`; sets $init and $pid.
exec_detached_sleep() {
    run_sleeper
    init=$(container_pid "$ID")
    run ocirun exec -d --pid-file "$BATS_TEST_TMPDIR/p" "$ID" sleep 100
    assert_success
    pid=$(cat "$BATS_TEST_TMPDIR/p")
}

# run_exited [ID]: a detached container whose process (true) has exited (status stopped).
run_exited() {
    local id=${1:-$ID}
    update_config '.process.args = ["true"]'
    run ocirun run --detach --bundle "$BUNDLE" "$id"
    assert_success
    wait_for_status "$id" stopped
}

# run_in_container CMD: run `sh -c CMD` in a fresh container from $BUNDLE; sets $status/$output.
run_in_container() {
    update_config ".process.args = [\"sh\", \"-c\", $(json_quote "$1")]"
    run ocirun run --bundle "$BUNDLE" "$ID"
}

# container_status ID / container_pid ID: fields of `state` (bash regex, not jq: they are polled).
container_status() {
    local json
    json=$(ocirun state "$1" 2>/dev/null) || return 0
    [[ "$json" =~ \"status\":\ *\"([a-z]*)\" ]] && echo "${BASH_REMATCH[1]}"
}

container_pid() {
    local json
    json=$(ocirun state "$1") || return 1
    [[ "$json" =~ \"pid\":\ *([0-9]+) ]] && echo "${BASH_REMATCH[1]}"
}

# wait_for_status ID STATUS [TIMEOUT_SECONDS]
wait_for_status() {
    local id=$1 want=$2 timeout=${3:-5} s i
    for ((i = 0; i < timeout * 20; i++)); do
        s=$(container_status "$id")
        [ "$s" = "$want" ] && return 0
        sleep 0.05
    done
    echo "container $id: status '$s', expected '$want' after ${timeout}s" >&2
    return 1
}

# wait_pid_gone PID [TIMEOUT_SECONDS]: the process is gone or a zombie.
wait_pid_gone() {
    local pid=$1 timeout=${2:-5} i
    for ((i = 0; i < timeout * 20; i++)); do
        pid_alive "$pid" || return 0
        sleep 0.05
    done
    return 1
}

pid_alive() {
    local st
    [ -e "/proc/$1" ] || return 1
    st=$(awk '/^State:/ {print $2}' "/proc/$1/status" 2>/dev/null)
    [ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

# A user namespace needs the bundle path to be searchable by the mapped root (host uid 100000):
# bats' temporary directories are 0700.
make_bundle_path_searchable() {
    local d=$BUNDLE
    while [ "$d" != / ]; do
        chmod o+x "$d"
        d=$(dirname "$d")
    done
}

# use_user_namespace: a new user namespace mapping root to host uid/gid 100000 (65536 ids).
use_user_namespace() {
    make_bundle_path_searchable
    update_config '.linux.namespaces += [{type: "user"}]
                   | .linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
                   | .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}]'
}

# ---------------------------------------------------------------------------------------------
# Checks

# assert_no_leftovers ID [BUNDLE]: a failed command left no state dir, no cgroup (the bundle's
# cgroupsPath, or the default "$CG_PARENT/ID"), no mount mentioning the bundle in our mount
# namespace and no process chrooted in the rootfs.
assert_no_leftovers() {
    local id=$1 bundle=${2:-$BUNDLE} cg="" p h
    cg=$(jq -r '.linux.cgroupsPath // empty' "$bundle/config.json" 2>/dev/null) || cg=""
    [ -n "$cg" ] || cg="$CG_PARENT/$ID"
    # ("." and ".." would name the root itself or its parent: callers check those otherwise)
    if [ -n "$id" ] && [ "$id" != . ] && [ "$id" != .. ] && [ -e "$ROOT/$id" ]; then
        fail "state directory $ROOT/$id still exists"
    fi
    for h in "$CG_MOUNT" /sys/fs/cgroup/*; do
        if [ -e "$h$cg" ]; then
            fail "cgroup $h$cg still exists"
        fi
    done
    if grep -qF "$bundle" /proc/self/mountinfo; then
        fail "mount left behind: $(grep -F "$bundle" /proc/self/mountinfo)"
    fi
    p=$(find -L /proc/[0-9]*/root -maxdepth 0 -samefile "$bundle/rootfs" 2>/dev/null) || true
    if [ -n "$p" ]; then
        fail "processes still run in the rootfs: $p"
    fi
}

# host_ns TYPE: the host's (this test's) namespace link, e.g. "net:[4026531840]".
host_ns() {
    readlink "/proc/self/ns/$1"
}

# expect_create_failure [ID]: `create` from $BUNDLE fails with a message on stderr and no leftovers.
# Sets $output/$stderr for further wording checks.
expect_create_failure() {
    local id=${1-$ID}
    run --separate-stderr ocirun create --bundle "$BUNDLE" "$id"
    assert_failure
    [ -n "$stderr" ] || fail "no error message on stderr"
    assert_no_leftovers "$id"
}

expect_run_failure() {
    local id=${1-$ID}
    run --separate-stderr ocirun run --bundle "$BUNDLE" "$id"
    assert_failure
    [ -n "$stderr" ] || fail "no error message on stderr"
    assert_no_leftovers "$id"
}

# expect_run_error TEXT: `run` of the bundle exits 1 with TEXT on stderr and leaves nothing behind.
expect_run_error() {
    run --separate-stderr ocirun run --bundle "$BUNDLE" "$ID"
    assert_failure 1
    [[ "$stderr" == *"$1"* ]] || fail "stderr lacks \"$1\": $stderr"
    assert_no_leftovers "$ID"
}

# assert_device_rules_enforced: a device node the rules do not allow cannot be opened (only
# /dev/null and the other defaults can), and listed rules apply in order. Used on v1 (host) and
# v2 (eBPF, in the VM). Nodes are made on the container's /dev (a tmpfs that allows devices).
assert_device_rules_enforced() {
    with_caps CAP_MKNOD CAP_SYSLOG
    run_in_container 'mknod /dev/kmsg2 c 1 11 && head -c1 /dev/kmsg2 >/dev/null; echo "kmsg $?"; echo x > /dev/null && echo null-ok'
    assert_output --partial "Operation not permitted"
    assert_line "kmsg 1"
    assert_line null-ok
    update_config '.linux.resources = {"devices": [{"allow": false, "access": "rwm"},
                   {"allow": true, "type": "c", "major": 1, "minor": 11, "access": "r"}]}'
    run_in_container 'mknod /dev/kmsg2 c 1 11 && timeout 1 head -c1 /dev/kmsg2 >/dev/null; echo "kmsg $?"; echo x > /dev/kmsg2; echo "write $?"'
    assert_line "kmsg 0"
    assert_line "write 1"
}

# ---------------------------------------------------------------------------------------------
# Terminals (terminal.bats, exec.bats)

HELPERS="$BATS_TEST_DIRNAME/../../build/tests/helpers"

# start_recvtty [INPUT]: a console socket receiver whose copy of the terminal goes to $TTY_OUT.
start_recvtty() {
    SOCK="$BATS_TEST_TMPDIR/console.sock"
    TTY_OUT="$BATS_TEST_TMPDIR/tty.out"
    "$HELPERS/recvtty" "$SOCK" "$@" >"$TTY_OUT" 2>&1 3>&- &
    RECVTTY_PID=$!
    for _ in $(seq 100); do [ -S "$SOCK" ] && return 0; sleep 0.02; done
    fail "recvtty did not listen on $SOCK"
}

# wait_recvtty: the receiver saw the terminal close; its output, without the CRs of the pty.
# (Call it directly, not through `run`: only the shell that started recvtty can wait for it;
# in run's subshell `wait` raced its exit and failed now and then.)
wait_recvtty() {
    local i
    for i in $(seq 100); do
        kill -0 "$RECVTTY_PID" 2>/dev/null || break
        sleep 0.05
    done
    wait "$RECVTTY_PID" || fail "recvtty failed: $(cat "$TTY_OUT")"
    tr -d '\r' <"$TTY_OUT"
}

# ocirun_fg ARGS...: the runtime in the foreground with our stdin (not the helper's /dev/null);
# its output without the CRs of the pty.
ocirun_fg() {
    timeout --kill-after=5 30 "$OCIRUN" --root "$ROOT" "$@" 3>&- | tr -d '\r'
    return "${PIPESTATUS[0]}"
}

# ---------------------------------------------------------------------------------------------
# exec (exec.bats)

# container_hierarchies [ID]: the cgroup hierarchy mounts in which the container has its cgroup
# ($CG_PARENT/ID): the cgroup2 one and, on hybrid and v1 hosts, each v1 one (symlinked
# co-mounts such as cpu -> cpu,cpuacct once).
container_hierarchies() {
    local id=${1:-$ID} h
    [ -d "$CG_MOUNT$CG_PARENT/$id" ] && echo "$CG_MOUNT"
    for h in /sys/fs/cgroup/*; do
        [ "$h" = "$CG_MOUNT" ] || [ -L "$h" ] && continue
        [ -d "$h$CG_PARENT/$id" ] && echo "$h"
    done
    return 0
}

# make_sub_cgroup NAME [HIERARCHY...]: the cgroup NAME inside the container's own cgroup in those
# hierarchy mounts (default: all of container_hierarchies), as `exec --cgroup` needs it to exist.
# A new v1 cpuset cgroup has no cpus nor mems: it gets the container's.
make_sub_cgroup() {
    local name=$1 h d
    shift
    [ $# -gt 0 ] || set -- $(container_hierarchies)
    for h in "$@"; do
        d="$h$CG_PARENT/$ID"
        mkdir -p "$d/$name"
        if [ -e "$d/$name/cpuset.cpus" ]; then
            cat "$d/cpuset.cpus" >"$d/$name/cpuset.cpus"
            cat "$d/cpuset.mems" >"$d/$name/cpuset.mems"
        fi
    done
}

# remove_sub_cgroup NAME: rmdir the container's sub-cgroup NAME in every hierarchy (it must be
# empty: the processes exec'd into it have exited).
remove_sub_cgroup() {
    local h
    for h in $(container_hierarchies); do
        if [ -d "$h$CG_PARENT/$ID/$1" ]; then
            rmdir "$h$CG_PARENT/$ID/$1" || fail "could not remove $h$CG_PARENT/$ID/$1"
        fi
    done
}

# ---------------------------------------------------------------------------------------------
# check (check.bats)

# assert_created_nothing: no state directory (nothing at all under $ROOT), no cgroup, mount or
# process of the bundle (assert_no_leftovers), after a `check` or a refused `create`.
assert_created_nothing() {
    assert_no_leftovers "$ID"
    [ -z "$(ls -A "$ROOT" 2>/dev/null)" ] || fail "$ROOT is not empty: $(ls -A "$ROOT")"
}

# run_check [ARGS...]: `check --bundle $BUNDLE ARGS`; sets $status, $output (stdout only) and
# $stderr, and fails the test if the check created anything. runc has no check command: tests
# that use this are marked runc_differs.
run_check() {
    run --separate-stderr ocirun check --bundle "$BUNDLE" "$@"
    assert_created_nothing
}

# assert_check_lines LINE...: check found exactly these problems, in this order, and exited 1.
assert_check_lines() {
    local want
    assert_equal "$status" 1
    want=$(printf '%s\n' "$@")
    assert_equal "$output" "${want%$'\n'}"
}

# ---------------------------------------------------------------------------------------------
# Cgroups that exist before the container (cgroups.bats, resources.bats; issues 13 and 22)

# cg_all_dirs [NAME]: $CG_PARENT/NAME (default $ID) in every mounted hierarchy, the cgroup2 one
# first, one per line (whether it exists or not).
cg_all_dirs() {
    local name=${1:-$ID} h
    echo "$CG_MOUNT$CG_PARENT/$name"
    for h in /sys/fs/cgroup/*; do
        [ "$h" != "$CG_MOUNT" ] && [ "$(stat -fc %T "$h" 2>/dev/null)" = cgroupfs ] && echo "$h$CG_PARENT/$name"
    done
    return 0
}

# precreate_cgroup [NAME]: make $CG_PARENT/NAME in every hierarchy before the container, as an
# engine (or an earlier runtime) would; new v1 cpuset levels get their parent's cpus and mems,
# so that only the cpuset test meets empty ones.
precreate_cgroup() {
    local d p f
    while read -r d; do
        [ -d "$d" ] && continue
        p=$(dirname "$d")
        mkdir -p "$d"
        if [ -e "$d/cpuset.cpus" ]; then
            for f in cpuset.cpus cpuset.mems; do
                [ -n "$(cat "$p/$f")" ] || cat "$(dirname "$p")/$f" >"$p/$f"
                cat "$p/$f" >"$d/$f"
            done
        fi
    done < <(cg_all_dirs "$@")
}

# start_stranger: a process of the test's own (not the container's) in every hierarchy of
# $CG_PARENT/$ID, as in a cgroup that already holds something; sets $STRANGER.
start_stranger() {
    local d
    sleep 1000 </dev/null >/dev/null 2>&1 3>&- &
    STRANGER=$!
    while read -r d; do
        echo "$STRANGER" >"$d/cgroup.procs"
    done < <(cg_all_dirs)
}

# loop_bfq_device: a loop device on a file of this test with the bfq I/O scheduler; sets
# LOOP_DEV and LOOP_MAJMIN (skips the test when there is none). Detach with loop_detach.
loop_bfq_device() {
    truncate -s 16M "$BATS_TEST_TMPDIR/disk.img"
    LOOP_DEV=$(losetup -f --show "$BATS_TEST_TMPDIR/disk.img" 2>/dev/null) || skip "no loop device"
    echo bfq >"/sys/block/${LOOP_DEV#/dev/}/queue/scheduler" 2>/dev/null ||
        skip "the bfq I/O scheduler is not available for $LOOP_DEV"
    LOOP_MAJMIN=$(cat "/sys/block/${LOOP_DEV#/dev/}/dev")
}

loop_detach() {
    if [ -n "${LOOP_DEV:-}" ]; then
        losetup -d "$LOOP_DEV"
        LOOP_DEV=
    fi
    return 0
}

# ---------------------------------------------------------------------------------------------
# Seccomp notify agents (seccomp.bats, cve.bats)

AGENT_PIDS=()

# start_agent ANSWER: tests/helpers/seccomp-agent listening on $AGENT_DIR/sock (AGENT_DIR is
# emptied first: no state of an earlier agent), once it is ready; its pid in $AGENT_PID. ANSWER
# as the helper takes it: an errno to fail notified syscalls with, continue, slow, exit,
# stuck or deaf. Call stop_agents in teardown.
start_agent() {
    AGENT_DIR="$BATS_TEST_TMPDIR/agent"
    rm -rf "$AGENT_DIR"
    mkdir -p "$AGENT_DIR"
    "$HELPERS/seccomp-agent" "$AGENT_DIR/sock" "$AGENT_DIR" "$1" 3>&- &
    AGENT_PID=$!
    AGENT_PIDS+=("$AGENT_PID")
    for _ in $(seq 100); do
        [ -e "$AGENT_DIR/ready" ] && return 0
        sleep 0.02
    done
    fail "seccomp agent did not start"
}

# stop_agent: kill the last agent started; stop_agents: every one.
stop_agent() {
    if [ -n "${AGENT_PID:-}" ]; then
        kill -9 "$AGENT_PID" 2>/dev/null || true
        wait "$AGENT_PID" 2>/dev/null || true
    fi
    AGENT_PID=
}

stop_agents() {
    local p
    for p in "${AGENT_PIDS[@]}"; do
        kill -9 "$p" 2>/dev/null || true
        wait "$p" 2>/dev/null || true
    done
    AGENT_PIDS=()
    AGENT_PID=
}

# ---------------------------------------------------------------------------------------------
# Capabilities

# with_caps CAP...: the container's process gets these capabilities (bounding, effective,
# permitted), as runc's users write them; without process.capabilities it gets none (as runc).
with_caps() {
    local list
    list=$(printf '"%s",' "$@")
    list="[${list%,}]"
    update_config ".process.capabilities = {bounding: $list, effective: $list, permitted: $list}"
}

# ---------------------------------------------------------------------------------------------
# Session keyrings, process attributes, NOTIFY_SOCKET (process-attrs.bats, notify.bats; issue 21)

# add_helper NAME [ROOTFS]: the static test helper NAME as /bin/NAME of the rootfs.
add_helper() {
    cp "$HELPERS/$1" "${2:-$ROOTFS}/bin/$1"
}

# proc_stat_fields PID N...: fields N of /proc/PID/stat (1-based, after the comm), space-separated.
proc_stat_fields() {
    local pid=$1 stat f out=()
    shift
    stat=$(cat "/proc/$pid/stat") || return 1
    read -r -a f <<<"${stat##*) }"
    for n in "$@"; do
        out+=("${f[n - 3]}")
    done
    echo "${out[*]}"
}

# cpus_allowed PID: the Cpus_allowed_list of a process.
cpus_allowed() {
    awk '/^Cpus_allowed_list:/ {print $2}' "/proc/$1/status"
}

# start_notify_listener [SOCKET]: a datagram socket at SOCKET (default $BATS_TEST_TMPDIR/n.sock)
# printing what it receives to $NOTIFY_OUT; sets NOTIFY_SOCK and LISTENER_PID.
start_notify_listener() {
    NOTIFY_SOCK=${1:-$BATS_TEST_TMPDIR/n.sock}
    NOTIFY_OUT="$BATS_TEST_TMPDIR/notify.out"
    "$HELPERS/sdnotify" listen "$NOTIFY_SOCK" >"$NOTIFY_OUT" 2>&1 3>&- &
    LISTENER_PID=$!
    [[ "$NOTIFY_SOCK" == @* ]] && { sleep 0.1; return 0; }
    for _ in $(seq 100); do [ -S "$NOTIFY_SOCK" ] && return 0; sleep 0.02; done
    fail "notify listener did not bind $NOTIFY_SOCK"
}

stop_notify_listener() {
    if [ -n "${LISTENER_PID:-}" ]; then
        kill "$LISTENER_PID" 2>/dev/null
        wait "$LISTENER_PID" 2>/dev/null
        LISTENER_PID=
    fi
    return 0
}

# wait_notify_lines N: until the listener has printed N lines (2 s at most); prints them.
wait_notify_lines() {
    for _ in $(seq 100); do
        [ "$(wc -l <"$NOTIFY_OUT")" -ge "$1" ] && break
        sleep 0.02
    done
    cat "$NOTIFY_OUT"
}

# bg_ocirun ARGS...: "$OCIRUN" --root "$ROOT" ARGS in the background under a 30 s timeout;
# BG_PID is the runtime's own pid (timeout's child), for checks of the runtime process itself.
# wait_bg waits for it and returns its status.
bg_ocirun() {
    timeout --kill-after=5 30 "$OCIRUN" --root "$ROOT" "$@" </dev/null >/dev/null 2>&1 3>&- &
    BG_TIMEOUT=$!
    BG_PID=
    for _ in $(seq 100); do
        read -r BG_PID _ <"/proc/$BG_TIMEOUT/task/$BG_TIMEOUT/children" 2>/dev/null || true
        [ -n "$BG_PID" ] && return 0
        sleep 0.01
    done
    fail "the runtime did not start under timeout"
}

wait_bg() {
    wait "$BG_TIMEOUT"
}

# ---------------------------------------------------------------------------------------------
# checkpoint/restore (tests/bats-vm/checkpoint.bats)

# run_with_pipes ARGS...: the runtime with pipes as its stdio (CRIU dumps pipes, but not files
# of mounts outside the container): stdin at EOF, stdout and stderr appended to $PIPE_OUT by a
# cat that ends with the last writer (the container). Fails the test, with the output, on error.
run_with_pipes() {
    local rc=0
    PIPE_OUT="$BATS_TEST_TMPDIR/pipe.out"
    timeout --kill-after=5 "${OCIRUN_TIMEOUT:-60}" "$OCIRUN" --root "$ROOT" "$@" \
        < <(exec 3>&- true) > >(exec 3>&- cat >>"$PIPE_OUT") 2>&1 3>&- || rc=$?
    [ "$rc" -eq 0 ] && return 0
    sleep 0.5 # the cat's last lines
    fail "ocirun $* failed ($rc): $(cat "$PIPE_OUT")"
}

# wait_count_above N [FILE] [SECONDS]: the counter in FILE (default $ROOTFS/tmp/count) goes above N.
wait_count_above() {
    local f=${2:-$ROOTFS/tmp/count} end=$((SECONDS + ${3:-20})) v
    while [ "$SECONDS" -le "$end" ]; do
        v=$(cat "$f" 2>/dev/null)
        [ "${v:-0}" -gt "$1" ] && return 0
        sleep 0.1
    done
    fail "the counter in $f is ${v:-missing}, expected above $1"
}

# assert_count_stopped [FILE]: the counter no longer moves (its process is gone or frozen).
assert_count_stopped() {
    local f=${1:-$ROOTFS/tmp/count} before
    before=$(<"$f")
    sleep 0.5
    assert_equal "$(<"$f")" "$before"
}
