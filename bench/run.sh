#!/usr/bin/env bash
# run.sh: compare ocirun with runc and crun: wall time, CPU time and peak RSS of `run` and create+start+delete.
#
# Usage: bench/run.sh          (via `make bench`, which installs runc/crun/hyperfine and builds
#                               build/ocirun and build/bench-timer)
# Env:   BENCH_RUNS=30         iterations per runtime (alternating ocirun/runc/crun each round)
#        OCIRUN=build/ocirun   the binary under test
# Output: a Markdown report on stdout and in bench/results/YYYY-MM-DD.md.
#
# Every iteration runs in its own private mount namespace (the same wrapper for each runtime), so
# nothing is ever mounted on the host. crun refuses a hybrid cgroup host, so in its namespace the
# cgroup2 mount /sys/fs/cgroup/unified is lazily unmounted first: inside that namespace only,
# before the timer starts. Containers use an absolute cgroupsPath under a unique parent that this
# script creates and removes.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "bench: needs root (no sudo found)" >&2; exit 1; }
    exec sudo BENCH_RUNS="${BENCH_RUNS:-}" OCIRUN="${OCIRUN:-}" "$PWD/bench/run.sh" "$@"
fi

runs=${BENCH_RUNS:-30}
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "bench: BENCH_RUNS must be a positive number" >&2; exit 2; }
ocirun=$(realpath "${OCIRUN:-build/ocirun}")
timer=$PWD/build/bench-timer
[ -x "$timer" ] || { echo "bench: $timer missing (make build/bench-timer)" >&2; exit 1; }
[ -x /bin/busybox ] || { echo "bench: /bin/busybox missing (apt-get install busybox-static)" >&2; exit 1; }

work=$PWD/build/bench
tag="ocirun-bench-$$"
cg_parent="/$tag"
rm -rf "$work"
mkdir -p "$work" bench/results
notes=()

# ---- runtimes ------------------------------------------------------------------------------

declare -A path prep
path[ocirun]=$ocirun
path[runc]=$(command -v runc || true)
path[crun]=$(command -v crun || true)
prep[ocirun]=:
prep[runc]=:
prep[crun]="umount -l /sys/fs/cgroup/unified 2>/dev/null || true"

v2=/sys/fs/cgroup
[ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ] || v2=/sys/fs/cgroup/unified
[ "$v2" = /sys/fs/cgroup ] && prep[crun]=:    # pure cgroup v2: crun is happy as is

# ---- cleanup: our containers, state dirs and cgroups only ----------------------------------

remove_cgroups() {
    local h
    for h in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
        [ -d "$h$tag" ] || continue
        # Deepest first; rmdir only removes empty cgroups, which is all ours should be by now.
        find "$h$tag" -depth -type d -exec rmdir {} \; 2>/dev/null || true
    done
}

cleanup() {
    local rt
    for rt in ocirun runc crun; do
        [ -n "${path[$rt]}" ] || continue
        in_ns "$rt" "${path[$rt]}" --root "$work/state-$rt" delete --force "$tag-$rt" >/dev/null 2>&1 || true
    done
    remove_cgroups
}
trap cleanup EXIT

# in_ns RUNTIME CMD...: run CMD in a fresh private mount namespace prepared for RUNTIME.
in_ns() {
    local rt=$1
    shift
    unshare -m --propagation private sh -c "${prep[$rt]}; exec \"\$@\"" sh "$@"
}

# ---- bundles: the same config for every runtime but the cgroup leaf -------------------------

# shellcheck source=../scripts/busybox-bundle.sh
. "$(dirname "$0")/../scripts/busybox-bundle.sh"

active=()
mkdir -p "$v2$cg_parent"
for rt in ocirun runc crun; do
    if [ -z "${path[$rt]}" ] || [ ! -x "${path[$rt]}" ]; then
        notes+=("$rt: not installed, skipped")
        continue
    fi
    busybox_rootfs "$work/bundle-$rt/rootfs"
    # ociVersion 1.0.2: the newest every runtime here accepts (crun 1.8.1 refuses 1.2.0)
    busybox_config bench "$cg_parent/$rt" '["/bin/true"]' | jq '.ociVersion = "1.0.2"' > "$work/bundle-$rt/config.json"
    mkdir -p "$work/state-$rt"
    # One untimed run: checks the runtime works here and warms the page cache.
    if in_ns "$rt" "${path[$rt]}" --root "$work/state-$rt" run --bundle "$work/bundle-$rt" "$tag-$rt" \
            > "$work/warmup-$rt.log" 2>&1; then
        active+=("$rt")
    else
        err=$(tail -n 3 "$work/warmup-$rt.log" | tr '\n' ' ')
        notes+=("$rt: FAILED its warm-up run, skipped: $err")
        echo "bench: $rt failed: $err" >&2
        in_ns "$rt" "${path[$rt]}" --root "$work/state-$rt" delete --force "$tag-$rt" >/dev/null 2>&1 || true
    fi
done
[ ${#active[@]} -gt 0 ] || { printf '%s\n' "${notes[@]}" >&2; exit 1; }

# ---- measurements ------------------------------------------------------------------------

# measure RUNTIME OP: one timed iteration, appended to $work/samples as "RT/OP wall user sys rss status".
measure() {
    local rt=$1 op=$2 bin=${path[$1]} root="$work/state-$1" id="$tag-$1" bundle="$work/bundle-$1"
    local cmd
    case $op in
        run) cmd=("$bin" --root "$root" run --bundle "$bundle" "$id") ;;
        # delete --force: start returns once the process runs; /bin/true may not have exited yet.
        lifecycle) cmd=("$bin" --root "$root" create --bundle "$bundle" "$id" ";"
                        "$bin" --root "$root" start "$id" ";"
                        "$bin" --root "$root" delete --force "$id") ;;
    esac
    if ! in_ns "$rt" "$timer" "$work/samples" "$rt/$op" "${cmd[@]}" >> "$work/$rt.log" 2>&1; then
        # Leave nothing behind for the next iteration.
        in_ns "$rt" "$bin" --root "$root" delete --force "$id" >/dev/null 2>&1 || true
    fi
}

echo "bench: $runs rounds of: ${active[*]} (run /bin/true; create+start+delete)" >&2
for ((i = 1; i <= runs; i++)); do
    for op in run lifecycle; do
        for rt in "${active[@]}"; do
            measure "$rt" "$op"
        done
    done
    printf '\rbench: round %d/%d' "$i" "$runs" >&2
done
echo >&2

# ---- report ------------------------------------------------------------------------------

# stats RT/OP FIELD: "min median max" of a sample column over the successful runs (ms or MiB).
stats() {
    awk -v key="$1" -v f="$2" '
        $1 == key && $6 == 0 {
            if (f == "wall") v = $2 / 1000; else if (f == "cpu") v = ($3 + $4) / 1000; else v = $5 / 1024
            print v
        }' "$work/samples" | sort -n | awk '
        { v[NR] = $1 }
        END {
            if (NR == 0) { print "- - -"; exit }
            med = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
            printf "%.2f %.2f %.2f\n", v[1], med, v[NR]
        }'
}

failures() {
    awk -v key="$1" '$1 == key && $6 != 0 { n++ } END { print n + 0 }' "$work/samples"
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

report=bench/results/$(date +%F).md
{
    echo "# ocirun benchmark, $(date '+%F %T %Z')"
    echo
    echo "Host: $(uname -sr), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')."
    echo "Cgroups: $([ "$v2" = /sys/fs/cgroup ] && echo "unified v2" || echo "hybrid (v1 controllers + v2 at $v2)")."
    echo "Bundle: busybox rootfs, read-only root, namespaces pid/net/ipc/uts/mount/cgroup, runc's default"
    echo "mounts, absolute cgroupsPath; process \`/bin/true\`. $runs rounds, runtimes alternating;"
    echo "each command in its own private mount namespace. CPU = user+sys of the runtime and all its"
    echo "waited-for descendants (wait4 rusage); RSS = the largest peak RSS among them."
    echo
    echo "| runtime | version | binary size |"
    echo "|---|---|---|"
    for rt in ocirun runc crun; do
        if [ -z "${path[$rt]}" ] || [ ! -x "${path[$rt]}" ]; then continue; fi
        echo "| $rt | $(version_of "$rt") | $(stat -L -c %s "${path[$rt]}" | numfmt --to=iec-i --suffix=B) |"
    done
    for op in run lifecycle; do
        echo
        case $op in
            run) echo "## \`run\` (create + start + wait + delete in one command)" ;;
            lifecycle) echo "## \`create\`; \`start\`; \`delete --force\` (three commands)" ;;
        esac
        echo
        echo "| runtime | wall ms min / median / max | CPU ms min / median / max | peak RSS MiB min / median / max | failed runs |"
        echo "|---|---|---|---|---|"
        for rt in "${active[@]}"; do
            read -r wmin wmed wmax < <(stats "$rt/$op" wall)
            read -r cmin cmed cmax < <(stats "$rt/$op" cpu)
            read -r rmin rmed rmax < <(stats "$rt/$op" rss)
            echo "| $rt | $wmin / **$wmed** / $wmax | $cmin / **$cmed** / $cmax | $rmin / $rmed / $rmax | $(failures "$rt/$op") |"
        done
        if [[ " ${active[*]} " == *" ocirun "* ]]; then
            read -r _ owall _ < <(stats "ocirun/$op" wall)
            read -r _ ocpu _ < <(stats "ocirun/$op" cpu)
            for other in crun runc; do
                [[ " ${active[*]} " == *" $other "* ]] || continue
                read -r _ xwall _ < <(stats "$other/$op" wall)
                read -r _ xcpu _ < <(stats "$other/$op" cpu)
                echo
                echo "ocirun/$other (medians): wall $(ratio "$owall" "$xwall"), CPU $(ratio "$ocpu" "$xcpu")"
            done
        fi
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
cat "$report"
echo
echo "bench: report written to $report; raw samples in $work/samples" >&2
