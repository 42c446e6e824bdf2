#!/usr/bin/env bats
# Fault injection (make check-fault): the runtime SIGKILLed at its syscalls, one case per chosen
# syscall invocation (strace -e inject=NAME:signal=SIGKILL:when=K: the K-th NAME call of the
# traced process), and the container's init killed at its own set-up syscalls. After each case
# `state` and `list` answer, `delete --force` succeeds, and nothing is left: no state
# directory (so no exec fifo), no cgroup in any hierarchy, no mount of the bundle, no process.
#
# Each command is traced once whole; FAULT_CASES (default 30; make check-fault: 30) of its syscall invocations, spread
# evenly over its run, are then killed in turn (FAULT_CASES=all: every one, for a long run).
# Each test prints "# N cases injected (of M syscalls)"; the totals go to
# build/tests/fault/cases (one line per test).

load ../bats/helpers

FAULT_CASES=${FAULT_CASES:-30}

setup() {
    common_setup
    command -v strace >/dev/null || skip "strace not installed (apt-get install strace)"
    CASES_FILE=${FAULT_CASES_FILE:-$BATS_TEST_DIRNAME/../../build/tests/fault/cases}
    mkdir -p "${CASES_FILE%/*}"
}

# trace_plan LOG: the syscall invocations of strace log LOG as "NAME K" lines, in order (K: the
# invocation's number among the calls of NAME), sampled down to FAULT_CASES spread evenly.
# Prints the total first as "# TOTAL".
trace_plan() {
    awk -v want="$FAULT_CASES" '
        /^[a-z_0-9]+\(/ { n = substr($0, 1, index($0, "(") - 1); c[n]++;
                          # strace exec-ing the runtime is not one of its steps
                          if (n != "execve" || c[n] > 1) seq[++t] = n " " c[n] }
        /^<\.\.\. [a-z_0-9]+ resumed>/ { next }
        END {
            print "# " t
            if (want == "all" || want + 0 >= t) { for (i = 1; i <= t; i++) print seq[i]; exit }
            for (j = 0; j < want; j++) { i = 1 + int(j * t / want); print seq[i] }
        }' "$1"
}

# traced LOG CMD...: run the runtime with CMD under strace (this process only), log in LOG.
traced() {
    local log=$1
    shift
    strace -qq -o "$log" -- "$OCIRUN" --root "$ROOT" "$@" </dev/null >/dev/null 2>&1 3>&- || true
}

# inject NAME K CMD...: the runtime running CMD killed at its K-th NAME syscall (before it
# runs). Returns 0 when it was killed there, 1 when it ended first.
inject() {
    local name=$1 k=$2 rc=0
    shift 2
    timeout --kill-after=5 60 strace -qq -o /dev/null -e "inject=$name:signal=SIGKILL:when=$k" -- \
        "$OCIRUN" --root "$ROOT" "$@" </dev/null >/dev/null 2>&1 3>&- || rc=$?
    [ "$rc" -eq 137 ]
}

# assert_no_init_left: no set-up process of ours is alive (they carry OCI_INIT_COMM until they
# exec); the suite has its own pid namespace, so these are this test's.
assert_no_init_left() {
    local f
    for f in /proc/[0-9]*/comm; do
        if [ "$(cat "$f" 2>/dev/null)" = "ocirun:[INIT]" ]; then
            f=${f#/proc/}
            fail "a set-up process is left: pid ${f%/comm} ($(tr '\0' ' ' </proc/${f%/comm}/cmdline 2>/dev/null))"
        fi
    done
}

# after_fault ID WHAT: what the killed command left is readable and removable.
after_fault() {
    local id=$1 what=$2 st i
    if [ -d "$ROOT/$id" ]; then
        run ocirun state "$id"
        if [ "$status" -eq 0 ]; then
            st=$(jq -r .status <<<"$output")
            [[ "$st" =~ ^(creating|created|running|stopped)$ ]] || fail "$what: state says \"$st\""
        else
            assert_output --partial "does not exist"
        fi
        run ocirun list
        assert_success
        run ocirun list --format json
        assert_success
        jq -e . <<<"$output" >/dev/null || fail "$what: list --format json is not JSON: $output"
    fi
    run ocirun delete --force "$id"
    [ "$status" -eq 0 ] || fail "$what: delete --force failed: $output"
    for i in $(seq 40); do
        assert_no_leftovers "$id" >/dev/null 2>&1 && break
        sleep 0.05
    done
    assert_no_leftovers "$id" || fail "$what: leftovers"
    assert_no_init_left
}

# record TEST CASES TOTAL KILLED
record() {
    echo "$1 $2 $3 $4" >>"$CASES_FILE"
    echo "# $2 cases injected ($4 killed before the command ended) of $3 syscalls" >&3
}

# sweep NAME PREPARE CHECK CMD... (@ID@ in CMD: the case's id; the ids all have one length so
# that every run makes the same calls): CMD traced once, then its runtime killed at each planned
# syscall. PREPARE ID (- for none) makes what the command needs before each run; CHECK ID LABEL
# (- for after_fault) looks at what each run left.
sweep() {
    local test=$1 prepare=$2 check=$3 plan total n=0 killed=0 name k id="${ID}-x0000"
    shift 3
    [ "$check" != - ] || check=after_fault
    [ "$prepare" = - ] || "$prepare" "$id"
    traced "$BATS_TEST_TMPDIR/trace" "${@//@ID@/$id}"
    "$check" "$id" "$test untraced"
    plan=$(trace_plan "$BATS_TEST_TMPDIR/trace")
    total=$(head -n1 <<<"$plan")
    total=${total#\# }
    while read -r name k; do
        [ "$name" != "#" ] || continue
        n=$((n + 1))
        id=$(printf '%s-x%04d' "$ID" "$n")
        [ "$prepare" = - ] || "$prepare" "$id"
        if inject "$name" "$k" "${@//@ID@/$id}"; then
            killed=$((killed + 1))
        fi
        "$check" "$id" "$test killed at $name #$k"
    done <<<"$plan"
    [ "$killed" -gt 0 ] || fail "no case was killed: strace's injection did not work"
    record "$test" "$n" "$total" "$killed"
}

@test "fault: create killed at its syscalls" {
    update_config '.process.args = ["sleep", "100"]'
    sweep create - - create --bundle "$BUNDLE" @ID@
}

@test "fault: run --detach killed at its syscalls" {
    update_config '.process.args = ["sleep", "100"]'
    sweep run-detach - - run --detach --bundle "$BUNDLE" @ID@
}

@test "fault: run in the foreground killed at its syscalls" {
    update_config '.process.args = ["true"]'
    sweep run - - run --bundle "$BUNDLE" @ID@
}

# after a killed start: created, running or stopped (killed between opening the fifo and the
# init's word through it: the init's write then fails, as runc's does, a failed start); still
# created, a second start works
start_left() {
    local st
    run ocirun state "$1"
    assert_success
    st=$(jq -r .status <<<"$output")
    [[ "$st" =~ ^(created|running|stopped)$ ]] || fail "$2: status \"$st\""
    if [ "$st" = created ]; then
        run ocirun start "$1"
        assert_success
    fi
    after_fault "$1" "$2"
}

@test "fault: start killed at its syscalls" {
    update_config '.process.args = ["sleep", "100"]'
    sweep start create_container start_left start @ID@
}

# after a killed exec, well before the 3 s of its own: its process died with the runtime, the
# container's init is alone in its cgroup and runs on
exec_left() {
    local procs i
    for i in $(seq 40); do
        procs=$(cat "$CG_MOUNT$CG_PARENT/$ID/cgroup.procs")
        [ "$procs" = "$EXEC_INIT" ] && break
        sleep 0.025
    done
    [ "$procs" = "$EXEC_INIT" ] || fail "$2: the cgroup holds $procs"
    assert_no_init_left
    assert_equal "$(container_status "$ID")" running
}

@test "fault: exec killed at its syscalls leaves no process of its own" {
    run_sleeper
    EXEC_INIT=$(container_pid "$ID")
    # the same command is traced and killed (a call after the process ends waits for its end)
    sweep exec - exec_left exec "$ID" sleep 3
    after_fault "$ID" "exec"
}

run_detached() {
    run ocirun run --detach --bundle "$BUNDLE" "$1"
    assert_success
}

@test "fault: delete --force killed at its syscalls, then delete --force again" {
    update_config '.process.args = ["sleep", "100"]'
    sweep delete run_detached - delete --force @ID@
}

# The init: `run` traced with -f, the init's own syscalls found in its log; those the runtime
# never makes (mounts, pivot_root, setns, capset, ...) are killed in the init alone.
@test "fault: the container's init killed at its set-up syscalls" {
    update_config '.process.args = ["true"]'
    local d=$BATS_TEST_TMPDIR/ff plan total n=0 killed=0 name k id rt init
    mkdir -p "$d"
    strace -qq -f -ff -o "$d/t" -- "$OCIRUN" --root "$ROOT" run --bundle "$BUNDLE" "${ID}-x0000" \
        </dev/null >/dev/null 2>&1 3>&- || true
    after_fault "${ID}-x0000" "init untraced"
    # the runtime's log is the lowest pid, the init's the next (it ends in the container's execve)
    mapfile -t logs < <(ls "$d" | sort -t. -k2 -n)
    rt=$d/${logs[0]}
    init=$(grep -l 'execve("/bin/true"\|execve("/usr/bin/true"\|execve("/bin/busybox"' "${logs[@]/#/$d/}" | grep -v "^$rt\$" | head -n1)
    [ -n "$init" ] || fail "no init log among ${logs[*]}"
    # the init's calls up to its execve, of syscalls the runtime does not make
    awk '/^[a-z_0-9]+\(/ { print substr($0, 1, index($0, "(") - 1) }' "$rt" | sort -u >"$d/rt-names"
    awk '/^execve\(/ { exit } { print }' "$init" >"$d/init-setup"
    awk 'NR == FNR { skip[$1] = 1; next }
         /^[a-z_0-9]+\(/ { n = substr($0, 1, index($0, "(") - 1); c[n]++; if (!(n in skip)) print n, c[n] }' \
        "$d/rt-names" "$d/init-setup" >"$d/all"
    # FAULT_CASES of them, spread evenly (all: every one)
    awk -v want="$FAULT_CASES" '{ l[++t] = $0 }
        END { if (want == "all" || want + 0 >= t) { for (i = 1; i <= t; i++) print l[i]; exit }
              for (j = 0; j < want; j++) print l[1 + int(j * t / want)] }' "$d/all" >"$d/plan"
    echo "# the init makes $(wc -l <"$d/all") set-up syscalls the runtime does not" >&3
    total=$(grep -c '^[a-z_0-9]*(' "$d/init-setup")
    [ -s "$d/plan" ] || fail "the init makes no syscall the runtime does not"
    while read -r name k; do
        n=$((n + 1))
        id=$(printf '%s-x%04d' "$ID" "$n")
        rc=0
        timeout --kill-after=5 60 strace -qq -f -o /dev/null -e "inject=$name:signal=SIGKILL:when=$k" -- \
            "$OCIRUN" --root "$ROOT" run --bundle "$BUNDLE" "$id" </dev/null >/dev/null 2>&1 3>&- || rc=$?
        # the runtime reports the init's death as a failed run
        [ "$rc" -ne 0 ] && killed=$((killed + 1))
        after_fault "$id" "init killed at $name #$k"
    done <"$d/plan"
    [ "$killed" -gt 0 ] || fail "no case was killed"
    record init "$n" "$total" "$killed"
}
