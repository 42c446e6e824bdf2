#!/usr/bin/env bash
# run.sh: compare ocirun with runc and crun side by side: latency, CPU time and peak RSS of the
# commands an engine calls, throughput of `run`, and binary sizes.
#
# Usage: bench/run.sh          (via `make bench`, which installs runc/crun/hyperfine and builds
#                               build/ocirun and build/bench-timer)
# Env:   BENCH_RUNS=30         rounds per op: each round times every runtime once, alternating
#                              ocirun/runc/crun
#        BENCH_OPS="run lifecycle profiles sweeps exec state list throughput"
#                              the ops to measure (any subset; they always run in this order)
#        BENCH_SWEEPS="mounts seccomp env masked"
#                              the sweeps the sweeps op measures (any subset)
#        BENCH_TPUT_N=20       containers each loop runs back to back in one throughput sample
#                              (1 and 2 loops; the 8-loop sample runs BENCH_TPUT_N/4 per loop)
#        BENCH_OUT=bench/results/YYYY-MM-DD.md   where the report goes
#        OCIRUN=build/ocirun   the binary under test (measured stripped, as `make install` installs it)
# Ops:   run         `run` of /bin/true: create, start, wait and delete in one command, with the
#                    `bare` config (below); bench-floor (bench/floor.c: only the kernel work of
#                    that config) is timed beside it
#        profiles    `run` with the configs engines send: `spec` (`ocirun spec`'s defaults: masked
#                    and readonly paths, capabilities, rlimits) and `engine` (what podman 4.3
#                    sent for `podman run busybox true`: bench/fixtures/engine-podman.json, made
#                    by bench/capture-engine.sh, with its default seccomp profile and mounts)
#        sweeps      `run` of the bare config plus N of one thing: bind mounts (1/50/200), seccomp
#                    rules (0/300), env vars (1/200), masked paths (0/15/50): the cost per item
#        lifecycle   `create`; `start`; `delete --force` of /bin/true, timed together
#        exec        `exec ID /bin/true` into a running container (`sleep`, started by run --detach)
#        state       `state ID` with 100 running containers under the same --root
#        list        `list` with 10 and with 100 running containers under --root (the difference
#                    gives the cost per container)
#        throughput  containers per second of `run /bin/true` back to back, in 1 loop and in 2
#                    and 8 concurrent loops (different IDs and cgroups)
#        The binary sizes (ocirun stripped as `make install` installs it, and unstripped) are
#        always reported.
# Output: a Markdown report on stdout and in BENCH_OUT, its SVG charts (bench/chart.py) in the
#         directory of the same name without .md; raw samples in build/bench/samples.
#
# Every timed command runs in its own private mount namespace (the same wrapper for each runtime),
# so nothing is ever mounted on the host. crun refuses a hybrid cgroup host, so in its namespace
# the cgroup2 mount /sys/fs/cgroup/unified is lazily unmounted first: inside that namespace only,
# before the timer starts. Containers use an absolute cgroupsPath under a unique parent that this
# script creates and removes; at exit every container it made is deleted and its cgroups removed.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "bench: needs root (no sudo found)" >&2; exit 1; }
    exec sudo BENCH_RUNS="${BENCH_RUNS:-}" BENCH_OPS="${BENCH_OPS:-}" BENCH_SWEEPS="${BENCH_SWEEPS:-}" BENCH_TPUT_N="${BENCH_TPUT_N:-}" \
        BENCH_OUT="${BENCH_OUT:-}" OCIRUN="${OCIRUN:-}" "$PWD/bench/run.sh" "$@"
fi

all_ops="run lifecycle profiles sweeps exec state list throughput"
runs=${BENCH_RUNS:-30}
tput_n=${BENCH_TPUT_N:-20}
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "bench: BENCH_RUNS must be a positive number" >&2; exit 2; }
[[ "$tput_n" =~ ^[1-9][0-9]*$ ]] || { echo "bench: BENCH_TPUT_N must be a positive number" >&2; exit 2; }
declare -A want
for op in ${BENCH_OPS:-$all_ops}; do
    [[ " $all_ops " == *" $op "* ]] || { echo "bench: BENCH_OPS: unknown op '$op' (ops: $all_ops)" >&2; exit 2; }
    want[$op]=1
done
[ ${#want[@]} -gt 0 ] || { echo "bench: BENCH_OPS is empty (ops: $all_ops)" >&2; exit 2; }
ocirun=$(realpath "${OCIRUN:-build/ocirun}")
timer=$PWD/build/bench-timer
report=${BENCH_OUT:-bench/results/$(date +%F).md}
floor=$PWD/build/bench-floor
fixture=$PWD/bench/fixtures/engine-podman.json
[ -x "$timer" ] || { echo "bench: $timer missing (make build/bench-timer)" >&2; exit 1; }
[ -x "$floor" ] || { echo "bench: $floor missing (make build/bench-floor)" >&2; exit 1; }
[ -r "$fixture" ] || { echo "bench: $fixture missing (bench/capture-engine.sh makes it)" >&2; exit 1; }
[ -x /bin/busybox ] || { echo "bench: /bin/busybox missing (apt-get install busybox-static)" >&2; exit 1; }

work=$PWD/build/bench
tag="ocirun-bench-$$"
cg_parent="/$tag"
rm -rf "$work"
mkdir -p "$work" "$(dirname "$report")"
notes=()
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
# How many running containers the state/list ops find under their --root.
many_small=10
many_large=100

# ---- runtimes ------------------------------------------------------------------------------

declare -A path prep size_installed size_file
# The ocirun measured is OCIRUN stripped, as `make install` installs it and as crun and runc are
# packaged: debug info is never loaded, but exec's sealed-memfd copy of the binary reads all of it.
path[ocirun]=$ocirun
if [ -x "$ocirun" ]; then
    size_file[ocirun]=$(stat -L -c %s "$ocirun")
    if "${STRIP:-strip}" -o "$work/ocirun" "$ocirun" 2> "$work/strip.log"; then
        path[ocirun]=$work/ocirun
        size_installed[ocirun]=$(stat -c %s "$work/ocirun")
    else
        size_installed[ocirun]=-
        notes+=("ocirun: ${STRIP:-strip} failed ($(head -n 1 "$work/strip.log")): measured unstripped, stripped size unknown")
    fi
fi
path[runc]=$(command -v runc || true)
path[crun]=$(command -v crun || true)
prep[ocirun]=:
prep[runc]=:
prep[crun]="umount -l /sys/fs/cgroup/unified 2>/dev/null || true"
path[floor]=$floor
prep[floor]=:

v2=/sys/fs/cgroup
[ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ] || v2=/sys/fs/cgroup/unified
[ "$v2" = /sys/fs/cgroup ] && prep[crun]=:    # pure cgroup v2: crun is happy as is

installed=()
for rt in ocirun runc crun; do
    if [ -n "${path[$rt]}" ] && [ -x "${path[$rt]}" ]; then
        installed+=("$rt")
    else
        notes+=("$rt: not installed, skipped")
    fi
done

# in_ns RUNTIME CMD...: run CMD in a fresh private mount namespace prepared for RUNTIME.
in_ns() {
    local rt=$1
    shift
    unshare -m --propagation private sh -c "${prep[$rt]}; exec \"\$@\"" sh "$@"
}

# ---- cleanup: our containers, state dirs and cgroups only ----------------------------------

# delete_all RUNTIME ROOT: delete --force every container under one of our --root directories
# (each runtime keeps one directory per container there).
delete_all() {
    local rt=$1 root=$2 d
    for d in "$root"/*/; do
        [ -d "$d" ] || continue
        in_ns "$rt" "${path[$rt]}" --root "$root" delete --force "$(basename "$d")" >/dev/null 2>&1 || true
    done
}

# remove_cgroups: our cgroups, deepest first. A process still in one (a runtime that failed to
# delete its container) is ours: killed by pid first so that rmdir can succeed.
remove_cgroups() {
    local h pid
    for h in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
        [ -d "$h$tag" ] || continue
        while read -r pid; do
            echo "bench: pid $pid left in $h$tag by a runtime: killed" >&2
            kill -9 "$pid" 2>/dev/null || true
        done < <(find "$h$tag" -name cgroup.procs -exec cat {} + 2>/dev/null | sort -un)
        find "$h$tag" -depth -type d -exec rmdir {} \; 2>/dev/null || true
        [ ! -d "$h$tag" ] || echo "bench: could not remove $h$tag" >&2
    done
}

cleanup() {
    local rt root
    for rt in "${installed[@]}"; do
        for root in "$work"/root-"$rt"-*; do
            [ -d "$root" ] && delete_all "$rt" "$root"
        done
    done
    remove_cgroups
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- bundles: the same config for every runtime but the cgroup leaf -------------------------

# shellcheck source=../scripts/busybox-bundle.sh
. "$(dirname "$0")/../scripts/busybox-bundle.sh"

# The sweeps' largest sizes: mount points and files to mask exist in every rootfs beforehand, so
# that each runtime pays only for mounting, not for creating them.
max_mounts=200
max_masked=50

# The files podman bind-mounts into its containers (/etc/hosts, resolv.conf, /dev/shm, ...):
# the engine fixture's @FILES@/NAME sources, made here, /dev/shm's a directory.
engine_files() {
    local name
    mkdir -p "$work/files"
    for name in $(jq -r '.mounts[].source | select(startswith("@FILES@/")) | ltrimstr("@FILES@/")' "$fixture"); do
        case $name in
            dev_shm) mkdir -p "$work/files/$name" ;;
            *) echo "# bench" > "$work/files/$name" ;;
        esac
    done
}

mkdir -p "$v2$cg_parent" "$work/bind-src"
engine_files
declare -A template
for rt in "${installed[@]}"; do
    busybox_rootfs "$work/rootfs-$rt"
    mkdir -p "$work/rootfs-$rt/mnt/mask"
    (cd "$work/rootfs-$rt/mnt" && eval mkdir "b{1..$max_mounts}" && eval touch "mask/f{1..$max_masked}")
    mkdir -p "$work/root-$rt-main"
    # One config per runtime with placeholders that bash fills in for each bundle (hundreds of
    # them: no jq per container). ociVersion 1.0.2: the newest every runtime here accepts (crun
    # 1.8.1 refuses 1.2.0). An absolute root.path lets every bundle share the runtime's rootfs.
    template[$rt:bare]=$(busybox_config bench @CGROUP@ '"@ARGS@"' |
        jq --arg root "$work/rootfs-$rt" '.ociVersion = "1.0.2" | .root.path = $root')
done

# bundle RUNTIME NAME ARGS_JSON [TEMPLATE]: writes $work/bundle-RUNTIME-NAME/config.json from
# the runtime's TEMPLATE (default bare), running ARGS_JSON in the cgroup $cg_parent/RUNTIME-NAME.
bundle() {
    local rt=$1 name=$2 args=$3 dir="$work/bundle-$1-$2" config
    config=${template[$rt:${4:-bare}]//@CGROUP@/$cg_parent/$rt-$name}
    config=${config//\"@ARGS@\"/$args}
    mkdir -p "$dir"
    printf '%s\n' "$config" > "$dir/config.json"
}

for rt in "${installed[@]}"; do
    bundle "$rt" true '["/bin/true"]'
    for i in 1 2 3 4 5 6 7 8; do
        bundle "$rt" "t$i" '["/bin/true"]'
    done
done

# ---- sleepers: running containers for exec, state and list -----------------------------------

# start_sleepers RUNTIME SET COUNT: COUNT containers running `sleep` (run --detach) under the
# --root $work/root-RUNTIME-SET, IDs s1..sCOUNT; returns non-zero (log in $work/sleepers-RUNTIME.log)
# when one fails to start.
start_sleepers() {
    local rt=$1 set=$2 n=$3 root="$work/root-$1-$2" i
    mkdir -p "$root"
    for ((i = 1; i <= n; i++)); do
        bundle "$rt" "$set-s$i" '["sleep", "1000000"]'
        # stdio to a file: a detached container keeps it open, a pipe would never close.
        in_ns "$rt" "${path[$rt]}" --root "$root" run --detach --bundle "$work/bundle-$rt-$set-s$i" "s$i" \
            >> "$work/sleepers-$rt.log" 2>&1 || return 1
    done
}

# ---- measurements ------------------------------------------------------------------------

# The runtimes measured for each op (a runtime whose warm-up of the op fails is left out).
declare -A active

# command_of RUNTIME OP: sets cmd (the timed command list), opts (bench-timer options) and out
# (where its stdout goes) for one iteration of OP.
command_of() {
    local rt=$1 op=$2 bin=${path[$1]} root="$work/root-$1-main" id="$tag-$1"
    opts=()
    out="$work/$rt.log"
    case $op in
        run) cmd=("$bin" --root "$root" run --bundle "$work/bundle-$rt-true" "$id") ;;
        floor) cmd=("$bin" "$work/rootfs-ocirun" "$cg_parent/floor") ;;
        run-* | sw-*) cmd=("$bin" --root "$root" run --bundle "$work/bundle-$rt-$op" "$id") ;;
        # delete --force: start returns once the process runs; /bin/true may not have exited yet.
        lifecycle) cmd=("$bin" --root "$root" create --bundle "$work/bundle-$rt-true" "$id" ";"
                        "$bin" --root "$root" start "$id" ";"
                        "$bin" --root "$root" delete --force "$id") ;;
        exec) cmd=("$bin" --root "$work/root-$rt-exec" exec s1 /bin/true) ;;
        state) cmd=("$bin" --root "$work/root-$rt-many$many_large" state s1)
               out=/dev/null ;;
        list"$many_small" | list"$many_large")
               cmd=("$bin" --root "$work/root-$rt-many${op#list}" list)
               out=/dev/null ;;
        # bench-timer substitutes %j with the loop's number: loops use different IDs and cgroups,
        # but the same --root, where a runtime-wide lock would show as 2 loops not scaling.
        tput1 | tput2 | tput8)
               opts=(-n "$tput_n" -j "${op#tput}")
               [ "$op" = tput8 ] && opts=(-n "$(( (tput_n + 3) / 4 ))" -j 8)
               cmd=("$bin" --root "$root" run --bundle "$work/bundle-$rt-t%j" "$id-t%j") ;;
    esac
}

# measure RUNTIME OP [SAMPLES]: one timed iteration, appended to SAMPLES ($work/samples) as
# "RT/OP wall user sys rss status runs"; returns the iteration's status.
measure() {
    local rt=$1 op=$2 samples=${3:-$work/samples} cmd opts out id
    command_of "$rt" "$op"
    if in_ns "$rt" "$timer" "${opts[@]}" "$samples" "$rt/$op" "${cmd[@]}" >> "$out" 2>> "$work/$rt.log"; then
        return 0
    fi
    # Leave nothing behind for the next iteration: the containers a failed run/create made.
    case $op in run | run-* | sw-* | lifecycle | tput*) ;; *) return 1 ;; esac
    for id in "$tag-$rt" "$tag-$rt"-t{1..8}; do
        in_ns "$rt" "${path[$rt]}" --root "$work/root-$rt-main" delete --force "$id" >/dev/null 2>&1 || true
    done
    return 1
}

# warm_up OP RUNTIMES...: one untimed iteration of OP per runtime (checks it works here, warms
# the page cache); sets active[OP] to those that succeeded, notes the others.
warm_up() {
    local op=$1 rt err log lines
    shift
    active[$op]=
    for rt in "$@"; do
        log="$work/$rt.log"
        echo "== warm-up $op" >> "$log"
        lines=$(wc -l < "$log")
        if measure "$rt" "$op" "$work/warmup-samples"; then
            active[$op]+=" $rt"
        else
            # The last lines this warm-up wrote: the runtime's error.
            err=$(tail -n +"$((lines + 1))" "$log" | tail -n 2 | tr '\n' ' ')
            notes+=("$rt: \`$op\` FAILED its warm-up, not measured: $err")
            echo "bench: $rt: $op failed: $err" >&2
        fi
    done
}

# rounds OP...: BENCH_RUNS rounds; each times every active runtime once per OP, runtimes alternating.
rounds() {
    local i op rt
    echo "bench: $runs rounds of $*" >&2
    for ((i = 1; i <= runs; i++)); do
        for op in "$@"; do
            for rt in ${active[$op]}; do
                measure "$rt" "$op" || true
            done
        done
        printf '\rbench: round %d/%d' "$i" "$runs" >&2
    done
    echo >&2
}

# sleepers_for PHASE RUNTIME SET COUNT: start_sleepers, or a note and non-zero when it fails.
sleepers_for() {
    local phase=$1 rt=$2 set=$3 n=$4 err
    start_sleepers "$rt" "$set" "$n" && return 0
    err=$(tail -n 2 "$work/sleepers-$rt.log" | tr '\n' ' ')
    notes+=("$rt: could not start $n \`sleep\` containers for $phase, not measured: $err")
    echo "bench: $rt: sleepers for $phase failed: $err" >&2
    return 1
}

measured=()    # the sample labels, in report order

phase_basic() {
    local ops=() op
    for op in run lifecycle; do
        [ -n "${want[$op]:-}" ] && ops+=("$op")
    done
    [ ${#ops[@]} -gt 0 ] || return 0
    for op in "${ops[@]}"; do
        warm_up "$op" "${installed[@]}"
    done
    # The floor beside `run`, in the same rounds.
    if [ -n "${want[run]:-}" ]; then
        warm_up floor floor
        ops+=(floor)
    fi
    rounds "${ops[@]}"
    measured+=("${ops[@]}")
}

# ---- profiles and sweeps: the configs engines send, and the cost of each added item ---------

# profile_template RUNTIME PROFILE: template[RUNTIME:PROFILE] for spec and engine, with the same
# placeholders as the bare one.
profile_template() {
    local rt=$1 p=$2 rootfs="$work/rootfs-$1"
    case $p in
        spec)
            rm -rf "$work/spec" && mkdir -p "$work/spec"
            "$ocirun" spec --bundle "$work/spec"
            template[$rt:spec]=$(jq --arg root "$rootfs" '.ociVersion = "1.0.2" | .root.path = $root
                | .process.terminal = false | .process.args = "@ARGS@" | .linux.cgroupsPath = "@CGROUP@"' \
                "$work/spec/config.json") ;;
        engine)
            template[$rt:engine]=$(sed -e "s|@ROOT@|$rootfs|g" -e "s|@FILES@|$work/files|g" "$fixture") ;;
    esac
}

phase_profiles() {
    local rt p ops=()
    [ -n "${want[profiles]:-}" ] || return 0
    for p in spec engine; do
        for rt in "${installed[@]}"; do
            profile_template "$rt" "$p"
            bundle "$rt" "run-$p" '["/bin/true"]' "$p"
        done
        warm_up "run-$p" "${installed[@]}"
        ops+=("run-$p")
    done
    rounds "${ops[@]}"
    measured+=("${ops[@]}")
}

# The sweeps: "DIMENSION:N N N" (the item counts measured); BENCH_SWEEPS picks some of them.
sweeps=()
for sw in "mounts:1 50 $max_mounts" "seccomp:0 300" "env:1 200" "masked:0 15 $max_masked"; do
    if [[ " ${BENCH_SWEEPS:-mounts seccomp env masked} " == *" ${sw%%:*} "* ]]; then sweeps+=("$sw"); fi
done
[ -z "${want[sweeps]:-}" ] || [ ${#sweeps[@]} -gt 0 ] ||
    { echo "bench: BENCH_SWEEPS names none of the sweeps (mounts seccomp env masked)" >&2; exit 2; }

# The syscall names the seccomp sweep allows: those of podman's default profile.
seccomp_names() {
    jq -c '[.linux.seccomp.syscalls[]? | select(.action == "SCMP_ACT_ALLOW") | .names[]] | unique' "$fixture"
}

# sweep_filter DIMENSION N: the jq filter adding N items of DIMENSION to the bare config.
sweep_filter() {
    local dim=$1 n=$2
    case $dim in
        mounts) echo ".mounts += [range(1; $n + 1) | {destination: \"/mnt/b\\(.)\", type: \"bind\",
                    source: \"$work/bind-src\", options: [\"rbind\", \"ro\", \"nosuid\", \"nodev\"]}]" ;;
        # N rules of one allowed name each; the last rule allows every name left, so that any N
        # allows the same syscalls (podman's list) and the process runs the same way.
        seccomp) [ "$n" -eq 0 ] && { echo .; return; }
                 echo "($(seccomp_names)) as \$names | ([$n, (\$names | length)] | min) as \$k
                    | .linux.seccomp = {defaultAction: \"SCMP_ACT_ERRNO\",
                    architectures: [\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X86\", \"SCMP_ARCH_X32\"],
                    syscalls: ([range(0; \$k - 1) | {names: [\$names[.]], action: \"SCMP_ACT_ALLOW\"}]
                               + [{names: \$names[\$k - 1:], action: \"SCMP_ACT_ALLOW\"}])}" ;;
        env) echo ".process.env += [range(1; $n) | \"BENCH_VAR_\\(.)=value-\\(.)\"]" ;;
        masked) echo ".linux.maskedPaths = [range(1; $n + 1) | \"/mnt/mask/f\\(.)\"]" ;;
    esac
}

phase_sweeps() {
    local rt sw dim n ops=() names
    [ -n "${want[sweeps]:-}" ] || return 0
    names=$(seccomp_names | jq length)
    [ "$names" -ge 300 ] || notes+=("the seccomp sweep has only $names syscall names from the fixture: fewer rules than asked")
    for sw in "${sweeps[@]}"; do
        dim=${sw%%:*}
        for n in ${sw#*:}; do
            for rt in "${installed[@]}"; do
                template[$rt:sw-$dim-$n]=$(printf '%s\n' "${template[$rt:bare]}" | jq "$(sweep_filter "$dim" "$n")")
                bundle "$rt" "sw-$dim-$n" '["/bin/true"]' "sw-$dim-$n"
            done
            warm_up "sw-$dim-$n" "${installed[@]}"
            ops+=("sw-$dim-$n")
        done
    done
    rounds "${ops[@]}"
    measured+=("${ops[@]}")
}

# exec: one running container per runtime, entered once per iteration.
phase_exec() {
    local rt ok=()
    [ -n "${want[exec]:-}" ] || return 0
    echo "bench: starting 1 sleep container per runtime for exec" >&2
    for rt in "${installed[@]}"; do
        sleepers_for exec "$rt" exec 1 && ok+=("$rt")
    done
    warm_up exec "${ok[@]}"
    rounds exec
    measured+=(exec)
    for rt in "${installed[@]}"; do
        delete_all "$rt" "$work/root-$rt-exec"
    done
}

# state and list: 10 and 100 running containers per runtime, each set under its own --root.
phase_many() {
    local rt op ops=() sizes=() n ok ready=()
    [ -n "${want[state]:-}" ] && ops+=(state) && sizes+=("$many_large")
    [ -n "${want[list]:-}" ] && ops+=("list$many_small" "list$many_large") && sizes+=("$many_small" "$many_large")
    [ ${#ops[@]} -gt 0 ] || return 0
    mapfile -t sizes < <(printf '%s\n' "${sizes[@]}" | sort -nu)
    echo "bench: starting $(IFS=+; echo "${sizes[*]}") sleep containers per runtime for ${ops[*]}" >&2
    for rt in "${installed[@]}"; do
        ok=1
        for n in "${sizes[@]}"; do
            sleepers_for "${ops[*]}" "$rt" "many$n" "$n" || { ok=; break; }
        done
        [ -n "$ok" ] && ready+=("$rt")
    done
    for op in "${ops[@]}"; do
        warm_up "$op" "${ready[@]}"
    done
    rounds "${ops[@]}"
    measured+=("${ops[@]}")
    for rt in "${installed[@]}"; do
        for n in "${sizes[@]}"; do
            delete_all "$rt" "$work/root-$rt-many$n"
        done
    done
}

phase_throughput() {
    [ -n "${want[throughput]:-}" ] || return 0
    warm_up tput1 "${installed[@]}"
    warm_up tput2 "${installed[@]}"
    warm_up tput8 "${installed[@]}"
    rounds tput1 tput2 tput8
    measured+=(tput1 tput2 tput8)
}

phase_basic
phase_profiles
phase_sweeps
phase_exec
phase_many
phase_throughput

# ---- report ------------------------------------------------------------------------------

# stats RT/OP FIELD: "min median max" of a sample column over the successful runs: wall or cpu
# (ms), rss (MiB), tput (containers per second), cpu_per_run (ms), busy (CPU time / wall time).
stats() {
    awk -v key="$1" -v f="$2" '
        $1 == key && $6 == 0 {
            if (f == "wall") v = $2 / 1000
            else if (f == "cpu") v = ($3 + $4) / 1000
            else if (f == "tput") v = $7 * 1000000 / $2
            else if (f == "cpu_per_run") v = ($3 + $4) / 1000 / $7
            else if (f == "busy") v = ($3 + $4) / $2
            else v = $5 / 1024
            print v
        }' "$work/samples" 2>/dev/null | sort -n | awk '
        { v[NR] = $1 }
        END {
            if (NR == 0) { print "- - -"; exit }
            med = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
            printf "%.2f %.2f %.2f\n", v[1], med, v[NR]
        }'
}

median() {
    local med
    read -r _ med _ < <(stats "$1" "$2")
    echo "$med"
}

failures() {
    awk -v key="$1" '$1 == key && $6 != 0 { n++ } END { print n + 0 }' "$work/samples" 2>/dev/null || echo 0
}

is_active() {
    [[ " ${active[$2]:-} " == *" $1 "* ]]
}

# "X.Y.Z (commit)" from the usual "NAME version X.Y.Z\ncommit: C\n..." output.
version_of() {
    "${path[$1]}" --version 2>/dev/null | awk '
        /version/ && !v { v = $NF } /^commit:/ { c = $2 }
        END { printf "%s%s\n", v, c ? " (" c ")" : "" }'
}

ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2f\n", a / b }'
}

# met VALUE <=|>= LIMIT: yes / NO / not measured (no value).
met() {
    awk -v v="$1" -v cmp="$2" -v lim="$3" 'BEGIN {
        if (v == "-" || v == "") { print "not measured"; exit }
        ok = (cmp == "<=") ? (v + 0 <= lim + 0) : (v + 0 >= lim + 0)
        print ok ? "yes" : "NO"
    }'
}

kib() {
    if [[ "$1" =~ ^[0-9]+$ ]]; then numfmt --to=iec-i --suffix=B "$1"; else echo -; fi
}

# Sizes in bytes of runc and crun: the packaged binaries, installed as they are.
for rt in runc crun; do
    [[ " ${installed[*]} " == *" $rt "* ]] || continue
    size_file[$rt]=$(stat -L -c %s "${path[$rt]}")
    size_installed[$rt]=${size_file[$rt]}
done

title_of() {
    case $1 in
        run) echo "\`run\` (create + start + wait + delete in one command), \`bare\` config" ;;
        run-spec) echo "\`run\`, \`spec\` config (\`ocirun spec\`'s defaults)" ;;
        run-engine) echo "\`run\`, \`engine\` config (what podman 4.3 sends for \`podman run busybox true\`)" ;;
        lifecycle) echo "\`create\`; \`start\`; \`delete --force\` (three commands)" ;;
        exec) echo "\`exec ID /bin/true\` into a running container" ;;
        state) echo "\`state ID\` with $many_large running containers under --root" ;;
        list*) echo "\`list\` with ${1#list} running containers under --root" ;;
    esac
}

# latency_table OP: min/median/max of wall, CPU and RSS per runtime, then the median ratios.
latency_table() {
    local op=$1 rt other wmin wmed wmax cmin cmed cmax rmin rmed rmax
    echo
    echo "## $(title_of "$op")"
    echo
    echo "| runtime | wall ms min / median / max | CPU ms min / median / max | peak RSS MiB min / median / max | failed runs |"
    echo "|---|---|---|---|---|"
    for rt in "${installed[@]}"; do
        if ! is_active "$rt" "$op"; then
            echo "| $rt | failed, not measured (see Notes) | | | |"
            continue
        fi
        read -r wmin wmed wmax < <(stats "$rt/$op" wall)
        read -r cmin cmed cmax < <(stats "$rt/$op" cpu)
        read -r rmin rmed rmax < <(stats "$rt/$op" rss)
        echo "| $rt | $wmin / **$wmed** / $wmax | $cmin / **$cmed** / $cmax | $rmin / $rmed / $rmax | $(failures "$rt/$op") |"
    done
    is_active ocirun "$op" || return 0
    if [ "$op" = run ] && is_active floor floor; then
        read -r wmin wmed wmax < <(stats floor/floor wall)
        read -r cmin cmed cmax < <(stats floor/floor cpu)
        echo
        echo "The floor (bench/floor.c: only the kernel work of this config, no JSON, no state):" \
            "wall $wmin / **$wmed** / $wmax ms, CPU $cmin / **$cmed** / $cmax ms;" \
            "ocirun/floor (medians): wall $(ratio "$(median ocirun/run wall)" "$wmed"), CPU $(ratio "$(median ocirun/run cpu)" "$cmed")."
    fi
    chart_ref "$op"
    for other in crun runc; do
        is_active "$other" "$op" || continue
        echo
        echo "ocirun/$other (medians): wall $(ratio "$(median "ocirun/$op" wall)" "$(median "$other/$op" wall)")," \
            "CPU $(ratio "$(median "ocirun/$op" cpu)" "$(median "$other/$op" cpu)")," \
            "peak RSS $(ratio "$(median "ocirun/$op" rss)" "$(median "$other/$op" rss)")"
    done
}

# list_linearity: the median cost of list per container, from the two sizes.
list_linearity() {
    local rt a b small=list$many_small large=list$many_large
    echo
    echo "### \`list\`: cost per container"
    echo
    echo "Slope = (median with $many_large - median with $many_small) / $((many_large - many_small)); linear growth"
    echo "means the $many_large-container list costs at most $((many_large / many_small))x the $many_small-container one (fixed start-up cost included)."
    echo
    echo "| runtime | median ms, $many_small / $many_large containers | slope ms per container | $many_large / $many_small |"
    echo "|---|---|---|---|"
    for rt in "${installed[@]}"; do
        if ! is_active "$rt" "$small" || ! is_active "$rt" "$large"; then
            continue
        fi
        a=$(median "$rt/$small" wall)
        b=$(median "$rt/$large" wall)
        echo "| $rt | $a / $b | $(awk -v a="$a" -v b="$b" -v d=$((many_large - many_small)) 'BEGIN {
                if (a == "-" || b == "-") print "-"; else printf "%.3f\n", (b - a) / d }') | $(ratio "$b" "$a") |"
    done
}

# slope RT DIMENSION: the median wall time per added item, in microseconds, between the sweep's
# smallest and largest counts.
slope() {
    local rt=$1 dim=$2 sw counts lo hi a b
    for sw in "${sweeps[@]}"; do
        [ "${sw%%:*}" = "$dim" ] && counts=${sw#*:}
    done
    lo=${counts%% *}
    hi=${counts##* }
    a=$(median "$rt/sw-$dim-$lo" "${3:-wall}")
    b=$(median "$rt/sw-$dim-$hi" "${3:-wall}")
    awk -v a="$a" -v b="$b" -v d=$((hi - lo)) 'BEGIN { if (a == "-" || b == "-") print "-"; else printf "%.1f\n", (b - a) * 1000 / d }'
}

sweeps_table() {
    local sw dim rt n row head other
    echo
    echo "## Sweeps: \`run\` of the bare config plus N items"
    echo
    echo "Each point is \`run /bin/true\` of the bare config with N added: bind mounts (read-only rbind of"
    echo "one directory onto mount points that exist), seccomp rules (one allowed syscall name each, the"
    echo "last rule the rest of podman's list, default action errno), env vars, masked paths (files of the"
    echo "rootfs). Cost per item = (median at the largest N - median at the smallest N) / difference, in µs."
    for sw in "${sweeps[@]}"; do
        dim=${sw%%:*}
        echo
        echo "### $dim"
        echo
        head="| runtime |"
        for n in ${sw#*:}; do head+=" N=$n wall ms (median) |"; done
        echo "$head µs per item, wall | µs per item, CPU |"
        echo "|---|$(for n in ${sw#*:}; do printf -- '---|'; done)---|---|"
        for rt in "${installed[@]}"; do
            row="| $rt |"
            for n in ${sw#*:}; do
                if is_active "$rt" "sw-$dim-$n"; then row+=" $(median "$rt/sw-$dim-$n" wall) |"; else row+=" failed |"; fi
            done
            echo "$row $(slope "$rt" "$dim") | $(slope "$rt" "$dim" cpu) |"
        done
        for other in crun runc; do
            is_active "$other" "sw-$dim-${sw##* }" || continue
            echo
            echo "ocirun/$other cost per item: wall $(ratio "$(slope ocirun "$dim")" "$(slope "$other" "$dim")"), CPU $(ratio "$(slope ocirun "$dim" cpu)" "$(slope "$other" "$dim" cpu)")"
        done
        chart_ref "sweep-$dim"
    done
}

throughput_table() {
    local rt other t1 t2 lo1 hi1 lo2 hi2
    echo
    echo "## Throughput: \`run /bin/true\` back to back"
    echo
    echo "One sample = each loop runs $tput_n containers one after the other; with 2 loops they run"
    echo "concurrently (different IDs and cgroups) and the sample ends when both are done."
    echo "$(nproc) CPUs: the 2-loop figure is bounded by CPU saturation (and by other load on the host)."
    echo "CPUs busy = CPU time of the runtimes and containers / wall time: 2 loops that scale less than"
    echo "2x while keeping fewer than $(nproc) CPUs busy are waiting on something else (a lock, the host)."
    echo
    echo "| runtime | containers/s, 1 loop, min / median / max | containers/s, 2 loops, min / median / max | 2 loops / 1 loop | CPU ms per container, 1 / 2 loops | CPUs busy, 1 / 2 loops | containers/s, 8 loops (median) | failed samples |"
    echo "|---|---|---|---|---|---|---|---|"
    for rt in "${installed[@]}"; do
        if ! is_active "$rt" tput1 && ! is_active "$rt" tput2; then
            echo "| $rt | failed, not measured (see Notes) | | | | | |"
            continue
        fi
        read -r lo1 t1 hi1 < <(stats "$rt/tput1" tput)
        read -r lo2 t2 hi2 < <(stats "$rt/tput2" tput)
        echo "| $rt | $lo1 / **$t1** / $hi1 | $lo2 / **$t2** / $hi2 | $(ratio "$t2" "$t1") |" \
            "$(median "$rt/tput1" cpu_per_run) / $(median "$rt/tput2" cpu_per_run) |" \
            "$(median "$rt/tput1" busy) / $(median "$rt/tput2" busy) |" \
            "$(median "$rt/tput8" tput) |" \
            "$(($(failures "$rt/tput1") + $(failures "$rt/tput2") + $(failures "$rt/tput8"))) |"
    done
    for other in crun runc; do
        is_active "$other" tput1 || continue
        echo
        echo "ocirun/$other (medians): 1 loop $(ratio "$(median ocirun/tput1 tput)" "$(median "$other/tput1" tput)")," \
            "2 loops $(ratio "$(median ocirun/tput2 tput)" "$(median "$other/tput2" tput)")," \
            "8 loops $(ratio "$(median ocirun/tput8 tput)" "$(median "$other/tput8" tput)")"
    done
}

# crun_ratio OP FIELD: ocirun's median over crun's.
crun_ratio() {
    ratio "$(median "ocirun/$1" "$2")" "$(median "crun/$1" "$2")"
}

# summary_row TARGET VALUE CMP LIMIT
summary_row() {
    echo "| $1 | $2 | $(met "$2" "$3" "$4") |"
}

# crun_slope_ratio DIMENSION: ocirun's cost per item over crun's (wall).
crun_slope_ratio() {
    ratio "$(slope ocirun "$1")" "$(slope crun "$1")"
}

# The targets (issue 19), as ratios to crun measured in this run.
summary() {
    local dim
    echo
    echo "## Against the targets (ocirun/crun, medians of this run)"
    echo
    echo "| target | measured | met |"
    echo "|---|---|---|"
    if [ -n "${want[profiles]:-}" ]; then
        summary_row "\`engine\` \`run\` wall <= 0.5x" "$(crun_ratio run-engine wall)" "<=" 0.5
        summary_row "\`engine\` \`run\` CPU <= 0.45x" "$(crun_ratio run-engine cpu)" "<=" 0.45
        summary_row "\`spec\` \`run\` wall <= 0.5x" "$(crun_ratio run-spec wall)" "<=" 0.5
        summary_row "\`spec\` \`run\` CPU <= 0.45x" "$(crun_ratio run-spec cpu)" "<=" 0.45
    fi
    if [ -n "${want[run]:-}" ]; then
        summary_row "\`bare\` \`run\` CPU <= 0.4x" "$(crun_ratio run cpu)" "<=" 0.4
        echo "| \`bare\` \`run\` wall (no target) | $(crun_ratio run wall) | - |"
    fi
    if [ -n "${want[sweeps]:-}" ]; then
        for sw in "${sweeps[@]}"; do
            dim=${sw%%:*}
            if [ "$dim" = env ]; then
                echo "| cost per added env var (wall, no target) | $(crun_slope_ratio env) | - |"
            else
                summary_row "cost per added ${dim%s} (wall) <= 0.5x" "$(crun_slope_ratio "$dim")" "<=" 0.5
            fi
        done
    fi
    [ -n "${want[exec]:-}" ] && summary_row "\`exec\` wall <= 0.4x" "$(crun_ratio exec wall)" "<=" 0.4
    [ -n "${want[throughput]:-}" ] && summary_row "throughput, 8 concurrent loops >= 2x" "$(crun_ratio tput8 tput)" ">=" 2
    [ -n "${want[run]:-}" ] && summary_row "peak RSS (\`run\`) <= 0.6x" "$(crun_ratio run rss)" "<=" 0.6
    summary_row "binary size, installed (stripped) <= 1x" \
        "$(ratio "${size_installed[ocirun]:--}" "${size_installed[crun]:--}")" "<=" 1
    [ -n "${want[lifecycle]:-}" ] && echo "| create+start+delete wall (no target) | $(crun_ratio lifecycle wall) | - |"
    [ -n "${want[state]:-}" ] && echo "| \`state\` ($many_large containers) wall (no target) | $(crun_ratio state wall) | - |"
    [ -n "${want[list]:-}" ] && echo "| \`list\` ($many_large containers) wall (no target) | $(crun_ratio "list$many_large" wall) | - |"
    [ -n "${want[throughput]:-}" ] && echo "| throughput, 1 loop (no target) | $(crun_ratio tput1 tput) | - |"
    true
}

# ---- charts --------------------------------------------------------------------------------

# The charts go beside the report: bench/results/DATE.md -> bench/results/DATE/*.svg.
chart_dir=${report%.md}
chart_name=$(basename "$chart_dir")
# chart_ref NAME: the Markdown image line of chart NAME, when bench/chart.py made it.
chart_ref() {
    [ -f "$work/charts/$1.svg" ] || return 0
    echo
    echo "![$1]($chart_name/$1.svg)"
}
rm -rf "$work/charts"
sweep_spec=$(printf '%s;' "${sweeps[@]}")
if ! python3 "$PWD/bench/chart.py" "$work/samples" "$work/charts" "${sweep_spec%;}" 2> "$work/chart.log"; then
    notes+=("bench/chart.py failed, no charts: $(tail -n 1 "$work/chart.log")")
fi

ops_done=
for op in $all_ops; do
    [ -n "${want[$op]:-}" ] && ops_done+="${ops_done:+, }$op"
done

{
    echo "# ocirun benchmark, $(date '+%F %T %Z')"
    echo
    echo "Host: $(uname -sr), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load average $load_start at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end."
    echo "Cgroups: $([ "$v2" = /sys/fs/cgroup ] && echo "unified v2" || echo "hybrid (v1 controllers + v2 at $v2)")."
    echo "Bundle: busybox rootfs, read-only root, namespaces pid/net/ipc/uts/mount/cgroup, runc's default"
    echo "mounts, absolute cgroupsPath; process \`/bin/true\` (\`sleep\` for the containers that exec, state"
    echo "and list find running). The \`spec\` and \`engine\` profiles and the sweeps change only the config"
    echo "(see their sections). Ops: $ops_done; $runs rounds each, runtimes alternating;"
    echo "each command in its own private mount namespace. CPU = user+sys of the runtime and all its"
    echo "waited-for descendants (wait4 rusage); RSS = the largest peak RSS among them."
    summary
    echo
    echo "## Binaries"
    echo
    echo "| runtime | version | installed size | file size |"
    echo "|---|---|---|---|"
    for rt in "${installed[@]}"; do
        echo "| $rt | $(version_of "$rt") | $(kib "${size_installed[$rt]}") (${size_installed[$rt]} B) |" \
            "$(kib "${size_file[$rt]}") (${size_file[$rt]} B) |"
    done
    echo
    echo "ocirun: $ocirun; installed size = stripped, as \`make install\` installs it (the"
    echo "stripped copy is the one measured); file size = the build with its debug info. runc and"
    echo "crun: the packaged binaries."
    for op in "${measured[@]}"; do
        case $op in
            tput1) throughput_table ;;
            tput2 | tput8 | floor) ;;
            sw-*) [ -n "${sweeps_done:-}" ] || sweeps_table
                  sweeps_done=1 ;;
            *) latency_table "$op"
               [ "$op" = "list$many_large" ] && list_linearity ;;
        esac
    done
    if [ ${#notes[@]} -gt 0 ]; then
        echo
        echo "## Notes"
        echo
        printf -- '- %s\n' "${notes[@]}"
    fi
    if [ "$v2" != /sys/fs/cgroup ]; then
        echo
        echo "On this hybrid host every runtime creates the container's cgroup in each v1 hierarchy"
        echo "and the unified one (crun in its v1 mode: its namespace hides the unified mount)."
    fi
} > "$work/report.md"

cp "$work/report.md" "$report"
if [ -d "$work/charts" ]; then
    rm -rf "$chart_dir"
    cp -r "$work/charts" "$chart_dir"
fi
cat "$report"
echo
echo "bench: report written to $report; raw samples in $work/samples" >&2
