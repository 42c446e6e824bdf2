#!/usr/bin/env bash
# podman.sh: podman + conmon (private root, runroot, tmp dir and network config, cgroupfs
# manager, file events) with RUNTIME, through a container's life; TAP on stdout.
# Usage: [RUNTIME=runc] tests/engines/podman.sh
set -uo pipefail
. "$(dirname "$0")/lib.sh"
eng_enter podman "$@"
eng_setup podman

export T=$ENG_TMP
eng_install podman || { eng_not_ok "install podman" "apt-get failed"; exit 1; }

RTNAME=${RUNTIME##*/}
# Not told where, podman keeps a blob cache in /var/lib/containers/cache and the runtime its
# state in its default root (podman passes no --root): both on tmpfs in this mount namespace.
eng_mask_dir /var/lib/containers
for d in /run/runc /run/crun /run/ocirun; do eng_mask_dir "$d"; done
# podman puts every conmon in <cgroup-parent>/conmon and keeps that cgroup (empty)
ENG_CGROUP_OK=conmon
mkdir -p "$T/cni"
# The runtime by name: podman passes --log-format=json --log only to the runtimes that
# runtime_supports_json lists, and reads the error from that log.
cat >"$T/containers.conf" <<EOF
[containers]
netns = "none"
log_driver = "k8s-file"

[network]
network_config_dir = "$T/cni"

[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$T/events.log"
tmp_dir = "$T/libpod"
static_dir = "$T/storage/libpod"
volume_path = "$T/volumes"
runtime = "$RTNAME"
runtime_supports_json = ["crun", "runc", "ocirun"]

[engine.runtimes]
$RTNAME = ["$ENG_RT"]
EOF
cat >"$T/storage.conf" <<EOF
[storage]
driver = "overlay"
graphroot = "$T/storage"
runroot = "$T/run"
EOF
export CONTAINERS_CONF=$T/containers.conf CONTAINERS_STORAGE_CONF=$T/storage.conf \
    CONTAINERS_REGISTRIES_CONF=$T/registries.conf XDG_CONFIG_HOME=$T/config
: >"$T/registries.conf"

podman() { command podman --root "$T/storage" --runroot "$T/run" --cgroup-manager cgroupfs "$@"; }
prun() { podman run --cgroup-parent "/$ENG_ID" "$@"; }
state() { podman inspect -f "{{.State.$2}}" "$1" 2>/dev/null; }
wait_state() { # wait_state NAME STATUS: until the container has STATUS (10 s)
    local i
    for ((i = 0; i < 100; i++)); do
        [ "$(state "$1" Status)" = "$2" ] && return 0
        sleep 0.1
    done
    return 1
}

eng_run podman info --format '{{.Host.OCIRuntime.Path}} {{.Host.CgroupManager}} {{.Host.EventLogger}}'
check_eq "podman uses the runtime, cgroupfs, file events" "$ENG_RT cgroupfs file" "$OUT" "$ERR"

eng_build_image "$T/busybox.tar"
check "load the busybox image" podman load -i "$T/busybox.tar"
check_out "the image is listed" "$ENG_IMAGE" podman images --format '{{.Repository}}:{{.Tag}}'

check_out "run echo" "hello ocirun" prun --rm "$ENG_IMAGE" echo hello ocirun
check_rc "run: exit 0" 0 prun --rm "$ENG_IMAGE" sh -c 'exit 0'
check_rc "run: exit 1" 1 prun --rm "$ENG_IMAGE" sh -c 'exit 1'
check_rc "run: exit 7 of a shell's child" 7 prun --rm "$ENG_IMAGE" sh -c 'sh -c "exit 7"'
check_rc "run a non-executable file: 126" 126 prun --rm "$ENG_IMAGE" /bin/notexec
check_rc "run a missing command: 127" 127 prun --rm "$ENG_IMAGE" nosuchcommand

check_line1 "run -t: the process has a terminal" "/dev/pts/0" eng_tty prun --rm -t "$ENG_IMAGE" tty
check_rc "run -it: stdin and stdout are terminals" 0 eng_tty prun --rm -it "$ENG_IMAGE" sh -c 'test -t 0 && test -t 1'

check "run -d a long-running container" prun -d --name c-main "$ENG_IMAGE" sh -c "$ENG_COUNTER"
wait_state c-main running
pid=$(state c-main Pid)
check_cgroup_parent "its cgroups are below --cgroup-parent" "${pid:-0}"

eng_todo_unless exec
check_out "exec echo" "hi there" podman exec c-main echo hi there
check_rc "exec: exit 3" 3 podman exec c-main sh -c 'exit 3'
check_line1 "exec -t: the process has a terminal" "/dev/pts/0" eng_tty podman exec -t c-main tty
check_rc "exec -it: stdin and stdout are terminals" 0 eng_tty podman exec -it c-main sh -c 'test -t 0 && test -t 1'
eng_todo_unless

eng_run podman top c-main hpid args
if [ "$RC" -eq 0 ] && [ -n "$pid" ] && awk -v p="$pid" '$1 == p && / sh -c / {f=1} END {exit !f}' <<<"$OUT"; then
    eng_ok "top lists the container's init"
else
    eng_not_ok "top lists the container's init" "init pid: $pid" "$(eng_diag podman top c-main hpid args)"
fi

check "pause" podman pause c-main
check_eq "paused: inspect says paused" paused "$(state c-main Status)"
check_frozen "paused: the process is frozen" "$pid"
check "unpause" podman unpause c-main
check_eq "unpaused: inspect says running" running "$(state c-main Status)"
check_counting "unpaused: the process runs" "$pid"

check "update --memory 64m" podman update --memory 64m --memory-swap 64m c-main
check_eq "updated: the container's cgroup has the memory limit" 67108864 "$(eng_memory_limit "${pid:-0}" 2>&1)"

t0=$SECONDS
check "stop (SIGTERM, the process exits)" podman stop -t 20 c-main
check_eq "stopped: status 42 from its SIGTERM handler, before the timeout" "exited 42 fast" \
    "$(state c-main Status) $(state c-main ExitCode) $( ((SECONDS - t0 < 15)) && echo fast || echo slow)"

check "run -d a process that ignores SIGTERM" prun -d --name c-ign "$ENG_IMAGE" sh -c 'trap "" TERM; while :; do sleep 1; done'
wait_state c-ign running
t0=$SECONDS
check "stop -t 2 (SIGTERM, then SIGKILL after 2 s)" podman stop -t 2 c-ign
check_eq "stopped: status 137 after the timeout" "exited 137 timeout" \
    "$(state c-ign Status) $(state c-ign ExitCode) $( ((SECONDS - t0 >= 2)) && echo timeout || echo early)"

check "run -d (to kill)" prun -d --name c-kill "$ENG_IMAGE" sh -c "$ENG_COUNTER"
wait_state c-kill running
check "kill -s USR1" podman kill -s USR1 c-kill
podman wait c-kill >/dev/null 2>&1
check_eq "killed: status 43 from its SIGUSR1 handler" "exited 43" "$(state c-kill Status) $(state c-kill ExitCode)"
check "run -d (to kill with SIGKILL)" prun -d --name c-kill9 "$ENG_IMAGE" sleep 1000
wait_state c-kill9 running
check "kill -s KILL" podman kill -s KILL c-kill9
podman wait c-kill9 >/dev/null 2>&1
check_eq "killed: status 137" "exited 137" "$(state c-kill9 Status) $(state c-kill9 ExitCode)"

check "rm stopped containers" podman rm c-main c-ign c-kill c-kill9
check "run -d (to rm -f)" prun -d --name c-rmf "$ENG_IMAGE" sleep 1000
wait_state c-rmf running
check "rm -f a running container" podman rm -f -t 2 c-rmf

check_out "no container left (ps -a)" "" podman ps -aq
check_no_processes "no conmon left" 'conmon'
check_runtime_lists

podman rmi "$ENG_IMAGE" >/dev/null 2>&1
eng_stop_daemons
eng_finish_checks
