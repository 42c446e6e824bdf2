# lib.sh: sourced by the engine tests (tests/engines/{podman,containerd,docker}.sh): private
# namespaces, temp dir, the busybox image, daemons started and stopped by pid, TAP checks and
# the leftover checks (processes, mounts, cgroups).
#
# Environment: RUNTIME (default build/ocirun; a bare name is looked up in $PATH, e.g.
# RUNTIME=runc), ENG_TIMEOUT (seconds per engine command, default 60), ENG_KEEP=1 keeps the
# temp dir. Logs (daemons, every runtime call with its status) go to build/tests/engines/NAME/
# (ENG_OUT/NAME/ when ENG_OUT is set: tests/cri/ uses build/tests/cri/).
# shellcheck shell=bash

ENG_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=../../scripts/busybox-bundle.sh
. "$ENG_REPO/scripts/busybox-bundle.sh"

export ENG_TIMEOUT=${ENG_TIMEOUT:-60}
ENG_IMAGE=localhost/ocirun-busybox:latest

# ---- namespaces, temp dir ------------------------------------------------------------------

# eng_enter NAME "$@": re-runs the calling script as PID 1 of its own mount and pid namespaces.
# Every daemon, shim and container then stays inside them (their mounts never reach the host's
# table) and anything left when the script ends dies with the pid namespace.
eng_enter() {
    local name=$1
    shift
    [ "${OCIRUN_ENG_NS:-}" = "$name" ] && return 0
    if [ "$(id -u)" -ne 0 ]; then
        echo "1..0 # skip $name: the engine tests need root"
        exit 1
    fi
    export OCIRUN_ENG_NS=$name
    # killed (run.sh's time limit), unshare passes SIGTERM on: the script still cleans up
    exec unshare --mount --propagation private --pid --fork --kill-child=TERM --mount-proc \
        bash "$0" "$@"
}

# eng_setup NAME: temp dir (a private bind mount of itself), runtime wrapper, cleanup trap.
eng_setup() {
    ENG_NAME=$1
    ENG_LOGS=${ENG_OUT:-$ENG_REPO/build/tests/engines}/$ENG_NAME
    rm -rf "$ENG_LOGS"
    mkdir -p "$ENG_LOGS"
    ENG_TMP=$(mktemp -d "/tmp/ocirun-eng-$ENG_NAME-XXXXXX")
    chmod 755 "$ENG_TMP"
    # The unique name of this run: the cgroup parent the engine is told to use, too.
    ENG_ID=${ENG_TMP##*/}
    export ENG_TMP ENG_ID ENG_IMAGE
    mount --bind "$ENG_TMP" "$ENG_TMP"
    ENG_N=0
    ENG_FAILED=0
    ENG_TODOS=0
    ENG_TODO=
    ENG_DAEMONS=()
    ENG_T0=$SECONDS
    ENG_MADE_DIRS=()
    trap eng_finish EXIT
    trap 'echo "# interrupted"; exit 130' INT
    trap 'echo "# terminated"; exit 143' TERM

    RUNTIME=${RUNTIME:-$ENG_REPO/build/ocirun}
    if [[ "$RUNTIME" != */* ]]; then
        RUNTIME=$(command -v "$RUNTIME") || { echo "Bail out! runtime not found"; exit 1; }
    fi
    RUNTIME=$(realpath "$RUNTIME")
    [ -x "$RUNTIME" ] || { echo "Bail out! $RUNTIME is not executable (make first?)"; exit 1; }
    eng_runtime_wrapper
    echo "# $ENG_NAME with $RUNTIME ($("$RUNTIME" --version 2>&1 | head -1)); temp dir $ENG_TMP"
}

# The engines call $ENG_RT: a wrapper with the runtime's own name (podman decides on
# --log-format json by that name) that records each call, its exit status and, when it fails,
# the end of the runtime's --log file, in $ENG_LOGS/runtime-calls.log. The config.json of each
# `create`/`run` is kept as $ENG_LOGS/configs/N.json (N counts the calls): what the engine really
# sends, which bench/capture-engine.sh turns into the benchmark's `engine` profile.
eng_runtime_wrapper() {
    mkdir -p "$ENG_TMP/bin" "$ENG_LOGS/configs"
    export ENG_RT=$ENG_TMP/bin/${RUNTIME##*/}
    ENG_CALLS=$ENG_LOGS/runtime-calls.log
    : >"$ENG_CALLS"
    cat >"$ENG_RT" <<EOF
#!/bin/sh
# wrapper written by tests/engines/lib.sh: runs $RUNTIME and records the call
log=
bundle=
cmd=
prev=
for a in "\$@"; do
    case "\$prev" in --log) log=\$a ;; --bundle | -b) bundle=\$a ;; esac
    case "\$a" in
        --log=*) log=\${a#--log=} ;;
        --bundle=*) bundle=\${a#--bundle=} ;;
        create | run) [ -n "\$cmd" ] || cmd=\$a ;;
    esac
    prev=\$a
done
if [ -n "\$cmd" ] && [ -n "\$bundle" ] && [ -r "\$bundle/config.json" ]; then
    kept=\$(ls "$ENG_LOGS/configs" | wc -l)
    cp "\$bundle/config.json" "$ENG_LOGS/configs/\$((kept + 1)).json" 2>/dev/null
fi
n=0
[ -n "\$log" ] && [ -r "\$log" ] && n=\$(wc -l <"\$log")
"$RUNTIME" "\$@"
rc=\$?
echo "\$(date +%T.%N | cut -c1-12) rc=\$rc ${RUNTIME##*/} \$*" >>"$ENG_CALLS"
if [ \$rc -ne 0 ] && [ -n "\$log" ] && [ -r "\$log" ]; then
    tail -n +\$((n + 1)) "\$log" | tail -n 5 | sed 's/^/    log: /' >>"$ENG_CALLS"
fi
exit \$rc
EOF
    chmod 755 "$ENG_RT"
}

# ---- packages ------------------------------------------------------------------------------

# eng_install PKG...: apt-get installs the missing ones without starting their services (a
# policy-rc.d that says no, only for the install, when the host has none); reports and stops
# by pid any daemon the install started all the same.
eng_install() {
    local missing=() p status t0=$SECONDS
    for p in "$@"; do
        status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
        [ "$status" = installed ] || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "# installing ${missing[*]}"
    local policy=/usr/sbin/policy-rc.d made=
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\n# tests/engines: no service starts during the install\nexit 101\n' >"$policy"
        chmod 755 "$policy"
        made=1
    fi
    local before after rc=0
    before=$(eng_pids_named 'dockerd|containerd|podman')
    DEBIAN_FRONTEND=noninteractive apt-get -q -y -o Dpkg::Use-Pty=0 update -qq >"$ENG_LOGS/apt.log" 2>&1
    DEBIAN_FRONTEND=noninteractive apt-get -q -y -o Dpkg::Use-Pty=0 install --no-install-recommends \
        "${missing[@]}" >>"$ENG_LOGS/apt.log" 2>&1 || rc=$?
    [ -n "$made" ] && rm -f "$policy"
    after=$(eng_pids_named 'dockerd|containerd|podman')
    for p in $after; do
        if ! grep -qx "$p" <<<"$before"; then
            echo "# the install started pid $p ($(cat "/proc/$p/comm" 2>/dev/null)): stopping it"
            kill -TERM "$p" 2>/dev/null
        fi
    done
    echo "# install took $((SECONDS - t0)) s (rc $rc)"
    if [ $rc -ne 0 ]; then
        tail -n 20 "$ENG_LOGS/apt.log" | sed 's/^/# /'
        return 1
    fi
}

# eng_pids_named REGEX: pids (one a line) whose comm matches the extended regex.
eng_pids_named() {
    local p c
    for p in /proc/[0-9]*; do
        c=$(cat "$p/comm" 2>/dev/null) || continue
        [[ "$c" =~ ^($1)$ ]] && echo "${p#/proc/}"
    done
    return 0
}

# ---- image ---------------------------------------------------------------------------------

# eng_build_image OUT.tar: a busybox image (from busybox-static, no registry) named $ENG_IMAGE,
# as an archive that is both an OCI image layout (ctr import, podman load) and a docker
# save archive (manifest.json: docker load). Besides busybox it holds /bin/notexec, a file
# without execute permission (exit code 126).
eng_build_image() {
    local d=$ENG_TMP/image-rootfs
    busybox_rootfs "$d"
    printf '#!/bin/sh\necho not executable\n' >"$d/bin/notexec"
    chmod 644 "$d/bin/notexec"
    eng_pack_image "$d" "$ENG_IMAGE" '{"Env": ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"], "Cmd": ["sh"]}' "$1"
    rm -rf "$d"
}

# eng_pack_image ROOTFS NAME CONFIG OUT.tar: ROOTFS as the one layer of image NAME (CONFIG: the
# image config's "config" object, JSON), in an archive of both forms (see eng_build_image).
eng_pack_image() {
    local rootfs=$1 name=$2 config=$3 out=$4 d=$ENG_TMP/image
    mkdir -p "$d/blobs/sha256"
    tar --sort=name --numeric-owner --owner=0 --group=0 --mtime=@0 -C "$rootfs" -cf "$d/layer.tar" .
    local ldig lsize cdig csize mdig msize
    ldig=$(sha256sum "$d/layer.tar" | cut -d' ' -f1)
    lsize=$(stat -c %s "$d/layer.tar")
    mv "$d/layer.tar" "$d/blobs/sha256/$ldig"
    jq -cn --arg diff "sha256:$ldig" --argjson config "$config" '{
        architecture: "amd64", os: "linux", created: "1970-01-01T00:00:00Z",
        config: $config,
        rootfs: {type: "layers", diff_ids: [$diff]},
        history: [{created: "1970-01-01T00:00:00Z", created_by: "tests/engines/lib.sh"}]
    }' >"$d/config.json"
    cdig=$(sha256sum "$d/config.json" | cut -d' ' -f1)
    csize=$(stat -c %s "$d/config.json")
    mv "$d/config.json" "$d/blobs/sha256/$cdig"
    jq -cn --arg c "sha256:$cdig" --argjson cs "$csize" --arg l "sha256:$ldig" --argjson ls "$lsize" '{
        schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
        config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $c, size: $cs},
        layers: [{mediaType: "application/vnd.oci.image.layer.v1.tar", digest: $l, size: $ls}]
    }' >"$d/manifest"
    mdig=$(sha256sum "$d/manifest" | cut -d' ' -f1)
    msize=$(stat -c %s "$d/manifest")
    mv "$d/manifest" "$d/blobs/sha256/$mdig"
    jq -cn --arg m "sha256:$mdig" --argjson ms "$msize" --arg name "$name" '{
        schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json",
        manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $m,
                     size: $ms, platform: {architecture: "amd64", os: "linux"},
                     annotations: {"io.containerd.image.name": $name,
                                   "org.opencontainers.image.ref.name": "latest"}}]
    }' >"$d/index.json"
    echo '{"imageLayoutVersion":"1.0.0"}' >"$d/oci-layout"
    jq -cn --arg c "blobs/sha256/$cdig" --arg l "blobs/sha256/$ldig" --arg name "$name" \
        '[{Config: $c, RepoTags: [$name], Layers: [$l]}]' >"$d/manifest.json"
    tar -C "$d" -cf "$out" oci-layout index.json manifest.json blobs
    rm -rf "$d"
}

# ---- daemons -------------------------------------------------------------------------------

# eng_daemon NAME LOG CMD...: starts a daemon in the background; remembered for eng_stop_daemons.
eng_daemon() {
    local name=$1 log=$2
    shift 2
    "$@" >"$log" 2>&1 </dev/null &
    ENG_DAEMONS+=("$name:$!")
    echo "# started $name (pid $!)"
}

# eng_containerd_toml DIR [PLUGIN]: the start of a containerd config.toml (version 2) with all
# its state, sockets and plugin files below DIR, PLUGIN disabled; the caller adds its plugins.
eng_containerd_toml() {
    local dir=$1
    printf 'version = 2\nroot = "%s/root"\nstate = "%s/state"\n' "$dir" "$dir"
    [ -z "${2:-}" ] || printf 'disabled_plugins = ["%s"]\n' "$2"
    printf '[grpc]\n  address = "%s/containerd.sock"\n[ttrpc]\n  address = "%s/containerd.sock.ttrpc"\n' "$dir" "$dir"
    printf '[plugins."io.containerd.internal.v1.opt"]\n  path = "%s/opt"\n' "$dir"
}

# eng_cri_runtime_toml BINARY ROOT SYSTEMD_CGROUP: the CRI plugin's "ocirun" runtime handler
# (the runc shim v2 with BinaryName, its state in ROOT), the default one, for a config.toml.
eng_cri_runtime_toml() {
    cat <<TOML
  [plugins."io.containerd.grpc.v1.cri".containerd]
    default_runtime_name = "ocirun"
    snapshotter = "overlayfs"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.ocirun]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.ocirun.options]
        BinaryName = "$1"
        Root = "$2"
        SystemdCgroup = $3
TOML
}

# eng_wait_socket PATH [SECONDS]: until PATH is a socket; fails when the last daemon died.
eng_wait_socket() {
    local sock=$1 limit=${2:-30} i last=${ENG_DAEMONS[-1]##*:}
    for ((i = 0; i < limit * 10; i++)); do
        [ -S "$sock" ] && return 0
        kill -0 "$last" 2>/dev/null || { echo "# daemon pid $last died"; return 1; }
        sleep 0.1
    done
    echo "# no socket $sock after $limit s"
    return 1
}

# eng_wait_output WANT CMD...: poll CMD (every 0.1 s, 10 s at most) until it prints WANT.
eng_wait_output() {
    local want=$1 i
    shift
    for ((i = 0; i < 100; i++)); do
        [ "$("$@")" = "$want" ] && return 0
        sleep 0.1
    done
    return 1
}

# eng_stop_daemons: SIGTERM to each daemon this script started (last first), by pid, then
# SIGKILL after 30 s.
eng_stop_daemons() {
    local i entry name pid n
    for ((i = ${#ENG_DAEMONS[@]} - 1; i >= 0; i--)); do
        entry=${ENG_DAEMONS[i]}
        name=${entry%%:*}
        pid=${entry##*:}
        kill -0 "$pid" 2>/dev/null || continue
        kill -TERM "$pid"
        for ((n = 0; n < 300; n++)); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$pid" 2>/dev/null; then
            echo "# $name (pid $pid) still running 30 s after SIGTERM: SIGKILL"
            kill -KILL "$pid"
        fi
        wait "$pid" 2>/dev/null
        echo "# stopped $name (pid $pid)"
    done
    ENG_DAEMONS=()
}

# ---- TAP -----------------------------------------------------------------------------------

# ENG_TODO, when set, marks the checks made meanwhile as TAP TODO (expected to fail: a
# feature the runtime does not have yet); their failures are not counted.
eng_ok() {
    ENG_N=$((ENG_N + 1))
    echo "ok $ENG_N - $1${ENG_TODO:+ # TODO $ENG_TODO}"
}

# eng_not_ok DESC [DIAGNOSTIC...]: each diagnostic line printed as a TAP comment.
eng_not_ok() {
    ENG_N=$((ENG_N + 1))
    if [ -n "${ENG_TODO:-}" ]; then
        ENG_TODOS=$((ENG_TODOS + 1))
    else
        ENG_FAILED=$((ENG_FAILED + 1))
    fi
    echo "not ok $ENG_N - $1${ENG_TODO:+ # TODO $ENG_TODO}"
    shift
    local l
    for l in "$@"; do
        printf '%s\n' "$l" | sed 's/^/#   /'
    done
    return 0
}

# eng_todo_unless COMMAND: sets ENG_TODO when the runtime does not know COMMAND (`RUNTIME
# COMMAND --help` fails), for the checks that need it; `eng_todo_unless` alone clears it.
eng_todo_unless() {
    ENG_TODO=
    [ $# -eq 0 ] && return 0
    "$RUNTIME" "$1" --help >/dev/null 2>&1 || ENG_TODO="${RUNTIME##*/} has no $1 command yet"
}

eng_skip() {
    ENG_N=$((ENG_N + 1))
    echo "ok $ENG_N - $1 # skip $2"
}

# eng_cmd CMD...: sets ENG_CMD to the words that run CMD: CMD itself, or for a shell function
# a bash script that defines this script's functions first (variables: export them).
eng_cmd() {
    if [ "$(type -t "$1")" != function ]; then
        ENG_CMD=("$@")
        return
    fi
    local f
    f=$(mktemp "$ENG_TMP/cmd-XXXXXX")
    { declare -f; printf '%q ' "$@"; echo; } >"$f"
    ENG_CMD=(bash "$f")
}

# eng_run CMD...: runs CMD (stdin /dev/null, killed after $ENG_TIMEOUT s) with its stdout in
# $OUT (carriage returns removed: a tty's output), stderr in $ERR, status in $RC.
eng_run() {
    eng_cmd "$@"
    timeout -k 5 "$ENG_TIMEOUT" "${ENG_CMD[@]}" >"$ENG_TMP/out" 2>"$ENG_TMP/err" </dev/null
    RC=$?
    OUT=$(tr -d '\r' <"$ENG_TMP/out")
    ERR=$(tr -d '\r' <"$ENG_TMP/err")
}

# eng_tty CMD...: runs CMD with its stdin, stdout and stderr on a new terminal (script(1)),
# e.g. check_line1 DESC /dev/pts/0 eng_tty docker run -t IMAGE tty. Its stdin is /dev/null:
# script then types an end-of-file character into the terminal, whose echo (^D or ^@) is
# removed from the output here.
eng_tty() {
    eng_cmd "$@"
    script -qefc "$(printf '%q ' "${ENG_CMD[@]}")" /dev/null </dev/null | sed -e 's/^\(\^[@D]\)*//'
    return "${PIPESTATUS[0]}"
}

eng_diag() {
    echo "command: $*"
    echo "status: $RC"
    [ -n "$OUT" ] && echo "stdout: $(head -c 2000 <<<"$OUT")"
    [ -n "$ERR" ] && echo "stderr: $(head -c 2000 <<<"$ERR")"
    return 0
}

# check DESC CMD...: ok when CMD exits 0.
check() {
    local desc=$1
    shift
    eng_run "$@"
    if [ "$RC" -eq 0 ]; then eng_ok "$desc"; else eng_not_ok "$desc" "$(eng_diag "$@")"; fi
}

# check_out DESC EXPECTED CMD...: ok when CMD exits 0 and prints exactly EXPECTED.
check_out() {
    local desc=$1 want=$2
    shift 2
    eng_run "$@"
    if [ "$RC" -eq 0 ] && [ "$OUT" = "$want" ]; then
        eng_ok "$desc"
    else
        eng_not_ok "$desc" "expected exit 0 and output: $want" "$(eng_diag "$@")"
    fi
}

# check_line1 DESC EXPECTED CMD...: ok when CMD exits 0 and its first line is EXPECTED (for a
# terminal, where the engine's client writes its own warnings to the same output).
check_line1() {
    local desc=$1 want=$2
    shift 2
    eng_run "$@"
    if [ "$RC" -eq 0 ] && [ "$(head -n 1 <<<"$OUT")" = "$want" ]; then
        eng_ok "$desc"
    else
        eng_not_ok "$desc" "expected exit 0 and first line: $want" "$(eng_diag "$@")"
    fi
}

# check_rc DESC STATUS CMD...: ok when CMD exits with exactly STATUS.
check_rc() {
    local desc=$1 want=$2
    shift 2
    eng_run "$@"
    if [ "$RC" -eq "$want" ]; then
        eng_ok "$desc"
    else
        eng_not_ok "$desc" "expected exit status $want" "$(eng_diag "$@")"
    fi
}

# check_eq DESC EXPECTED ACTUAL [DIAGNOSTIC...]
check_eq() {
    if [ "$2" = "$3" ]; then
        eng_ok "$1"
    else
        local d=$1 w=$2 a=$3
        shift 3
        eng_not_ok "$d" "expected: $w" "got: $a" "$@"
    fi
}

# ---- container helpers ---------------------------------------------------------------------

# A container process that counts in /tmp/n every 0.1 s (pause must stop the count) and exits
# 42 on SIGTERM, 43 on SIGUSR1. The count is renamed into place: never seen half-written.
ENG_COUNTER='trap "exit 42" TERM; trap "exit 43" USR1; i=0; while :; do i=$((i+1)); echo $i >/tmp/n.new; mv /tmp/n.new /tmp/n; sleep 0.1 & wait; done'

# eng_counter PID: the count of a counter container whose init is PID (read through /proc).
eng_counter() {
    cat "/proc/$1/root/tmp/n" 2>/dev/null
}

# check_frozen DESC PID: the count stays the same for a second.
check_frozen() {
    local a b
    a=$(eng_counter "$2")
    sleep 1
    b=$(eng_counter "$2")
    if [ -n "$a" ] && [ "$a" = "$b" ]; then
        eng_ok "$1"
    else
        eng_not_ok "$1" "the count went from '$a' to '$b' in 1 s"
    fi
}

# check_counting DESC PID: the count moves within a second.
check_counting() {
    local a b
    a=$(eng_counter "$2")
    sleep 1
    b=$(eng_counter "$2")
    if [ -n "$a" ] && [ -n "$b" ] && [ "$a" != "$b" ]; then
        eng_ok "$1"
    else
        eng_not_ok "$1" "the count went from '$a' to '$b' in 1 s"
    fi
}

# eng_cgroup_of PID CONTROLLER: the process's cgroup path for a v1 controller ("" = the v2 one).
eng_cgroup_of() {
    local line
    while IFS= read -r line; do
        local ctrls=${line#*:}
        ctrls=${ctrls%%:*}
        if [ -z "$2" ] && [ -z "$ctrls" ]; then echo "${line#0::}"; return; fi
        [ -n "$2" ] && [[ ",$ctrls," == *",$2,"* ]] && { echo "${line#*:*:}"; return; }
    done <"/proc/$1/cgroup"
}

# check_cgroup_parent DESC PID: every cgroup of PID is below /$ENG_ID (the unique parent).
check_cgroup_parent() {
    local bad
    bad=$(grep -v ":/$ENG_ID/" "/proc/$2/cgroup" 2>&1)
    if [ -z "$bad" ]; then
        eng_ok "$1"
    else
        eng_not_ok "$1" "cgroups not under /$ENG_ID:" "$bad"
    fi
}

# eng_memory_limit PID: the memory limit in the container's cgroup (v1 memory.limit_in_bytes,
# else v2 memory.max).
eng_memory_limit() {
    local p
    if [ -d /sys/fs/cgroup/memory ] && p=$(eng_cgroup_of "$1" memory) && [ -n "$p" ]; then
        cat "/sys/fs/cgroup/memory$p/memory.limit_in_bytes"
    else
        p=$(eng_cgroup_of "$1" "")
        cat "$(eng_v2_root)$p/memory.max"
    fi
}

# ---- leftovers -----------------------------------------------------------------------------

# The cgroup hierarchies: the cgroup2 root (pure v2) or every v1/hybrid mount under /sys/fs/cgroup.
eng_v2_root() {
    if [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; then
        echo /sys/fs/cgroup
    else
        echo /sys/fs/cgroup/unified
    fi
}

eng_hierarchies() {
    if [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; then
        echo /sys/fs/cgroup
        return
    fi
    local d
    for d in /sys/fs/cgroup/*/; do
        d=${d%/}
        [ -L "$d" ] && continue # cpu -> cpu,cpuacct links
        case "$(stat -fc %T "$d")" in cgroupfs | cgroup2fs) echo "$d" ;; esac
    done
}

# check_no_processes DESC REGEX: no process whose comm matches (while the daemons still run).
check_no_processes() {
    local p list=()
    for p in $(eng_pids_named "$2"); do
        list+=("$p $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)")
    done
    if [ ${#list[@]} -eq 0 ]; then eng_ok "$1"; else eng_not_ok "$1" "${list[@]}"; fi
}

# check_runtime_list DESC ROOT: the runtime's state dir ROOT lists no container.
check_runtime_list() {
    if [ ! -d "$2" ]; then
        eng_ok "$1"
        return
    fi
    eng_run "$RUNTIME" --root "$2" list -q
    if [ "$RC" -eq 0 ] && [ -z "$OUT" ]; then
        eng_ok "$1"
    else
        eng_not_ok "$1" "$(eng_diag "$RUNTIME" --root "$2" list -q)"
    fi
}

# check_runtime_lists: no container this run created (the IDs of the engine's `create` calls)
# is listed by the runtime in any state dir the engine used (each --root, or the default).
check_runtime_lists() {
    local ids roots root desc left
    ids=$(grep -E '^[^ ]+ rc=0 .* create ' "$ENG_CALLS" | awk '{print $NF}' | sort -u)
    roots=$(grep -E '^[^ ]+ rc=[0-9]+ [^ ]+ ' "$ENG_CALLS" | grep -Eo -- ' --root[= ][^ ]+' |
        sed 's/^ --root[= ]//' | sort -u)
    [ -n "$(grep -E '^[^ ]+ rc=[0-9]+ ' "$ENG_CALLS" | grep -Ev -- ' --root[= ]| rc=[0-9]+ [^ ]+ (--version|features)')" ] &&
        roots+=$'\n'default
    for root in $roots; do
        desc="the runtime lists none of the containers in its root ${root#"$ENG_TMP"/}"
        if [ "$root" = default ]; then eng_run "$RUNTIME" list -q; else eng_run "$RUNTIME" --root "$root" list -q; fi
        left=$(comm -12 <(sort <<<"$OUT") <(echo "$ids"))
        if [ "$RC" -eq 0 ] && [ -z "$left" ]; then
            eng_ok "$desc"
        else
            eng_not_ok "$desc" "$(eng_diag "$RUNTIME" --root "$root" list -q)" "left: $left"
        fi
    done
    [ -n "$roots" ] || eng_not_ok "the runtime lists no container" "no runtime call was recorded"
}

# eng_mask_dir DIR: an empty tmpfs over DIR in this mount namespace, for the fixed host paths
# some engines use whatever they are told (containerd's shim sockets in /run/containerd/s,
# podman's blob cache in /var/lib/containers/cache, the runtime's default root): nothing of
# this run lands there and nothing of the host's is seen. A DIR made for this is removed.
eng_mask_dir() {
    if [ ! -e "$1" ]; then
        mkdir -p "$1"
        ENG_MADE_DIRS+=("$1")
    fi
    mount -t tmpfs -o mode=0711 "eng-$ENG_ID" "$1"
}

# eng_finish_checks: after the daemons were stopped: no process left in the pid namespace
# (zombies aside), no mount under the temp dir, no cgroup below the unique parent.
eng_finish_checks() {
    local p st list=()
    for p in /proc/[0-9]*; do
        p=${p#/proc/}
        [ "$p" = 1 ] && continue
        [ "$p" = "$BASHPID" ] && continue
        st=$(sed 's/.*) \(.\).*/\1/' "/proc/$p/stat" 2>/dev/null) || continue
        [ "$st" = Z ] && continue
        list+=("$p $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)")
    done
    # the commands of this very check (sed, tr) are gone by now; whatever is listed outlived us
    if [ ${#list[@]} -eq 0 ]; then eng_ok "no process left (shims, conmon, containers)"; else
        eng_not_ok "no process left (shims, conmon, containers)" "${list[@]}"
    fi

    local mounts
    mounts=$(awk -v t="$ENG_TMP" '$5 != t && index($5, t "/") == 1 {print $5, $9}' /proc/self/mountinfo)
    if [ -z "$mounts" ]; then eng_ok "no mount left under the temp dir"; else
        eng_not_ok "no mount left under the temp dir" "$mounts"
    fi

    # ENG_CGROUP_OK: a regex of the engine's own cgroups below the parent that it keeps by
    # design (podman's conmon), checked empty instead
    local h d cgs=
    for h in $(eng_hierarchies); do
        [ -d "$h/$ENG_ID" ] || continue
        for d in $(find "$h/$ENG_ID" -mindepth 1 -type d); do
            if [ -n "${ENG_CGROUP_OK:-}" ] && [[ "${d#"$h/$ENG_ID/"}" =~ ^(${ENG_CGROUP_OK})$ ]] &&
                [ -z "$(cat "$d/cgroup.procs" 2>/dev/null)" ]; then
                continue
            fi
            cgs+="$d"$'\n'
        done
    done
    if [ -z "$cgs" ]; then eng_ok "no cgroup left below /$ENG_ID"; else
        eng_not_ok "no cgroup left below /$ENG_ID" "$cgs"
    fi
}

# eng_cleanup: whatever is left is killed (by pid) and removed, checked or not.
eng_cleanup() {
    eng_stop_daemons
    local p h d
    for h in $(eng_hierarchies); do
        [ -d "$h/$ENG_ID" ] || continue
        # a frozen leftover would not die: thaw what the engine created below our parent
        for d in $(find "$h/$ENG_ID" -depth -type d); do
            [ -w "$d/freezer.state" ] && echo THAWED >"$d/freezer.state" 2>/dev/null
            [ -w "$d/cgroup.freeze" ] && echo 0 >"$d/cgroup.freeze" 2>/dev/null
        done
    done
    for p in /proc/[0-9]*; do
        p=${p#/proc/}
        [ "$p" = 1 ] || [ "$p" = "$BASHPID" ] || kill -KILL "$p" 2>/dev/null
    done
    sleep 0.2
    umount -R "$ENG_TMP" 2>/dev/null
    for h in $(eng_hierarchies); do
        [ -d "$h/$ENG_ID" ] || continue
        for d in $(find "$h/$ENG_ID" -depth -type d); do
            rmdir "$d" 2>/dev/null || sleep 0.5
            [ -d "$d" ] && ! rmdir "$d" 2>/dev/null && echo "# could not remove cgroup $d"
        done
    done
    for d in "${ENG_MADE_DIRS[@]}"; do
        umount "$d" 2>/dev/null
        rmdir "$d" || echo "# could not remove $d"
    done
    # keep the daemons' logs for failure reports
    find "$ENG_TMP" -maxdepth 1 -name '*.log' -exec cp {} "$ENG_LOGS/" \; 2>/dev/null
    if [ "${ENG_KEEP:-}" = 1 ]; then
        echo "# kept $ENG_TMP"
    else
        rm -rf --one-file-system "$ENG_TMP"
    fi
}

eng_finish() {
    local rc=$?
    trap - EXIT
    eng_cleanup
    echo "1..$ENG_N"
    local passed=$((ENG_N - ENG_FAILED - ENG_TODOS))
    echo "# $ENG_NAME: $passed passed, $ENG_FAILED failed, $ENG_TODOS to do ($((SECONDS - ENG_T0)) s, runtime $RUNTIME)"
    echo "$passed $ENG_FAILED" >"$ENG_LOGS/summary"
    [ "$ENG_FAILED" -eq 0 ] && [ "$rc" -eq 0 ] && exit 0
    exit 1
}
