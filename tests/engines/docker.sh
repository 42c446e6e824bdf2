#!/usr/bin/env bash
# docker.sh: dockerd (private socket, data and exec roots, no iptables or bridge, cgroupfs, its
# own containerd) with RUNTIME as its default runtime, through a container's life; TAP on
# stdout. Usage: [RUNTIME=runc] tests/engines/docker.sh
set -uo pipefail
. "$(dirname "$0")/lib.sh"
eng_enter docker "$@"
eng_setup docker

export T=$ENG_TMP
# Fixed paths, whatever the roots: the shims' sockets (/run/containerd/s), dockerd's trust key
# (/etc/docker/key.json), plugin sockets (/run/docker/plugins), its containerd's /opt/containerd
for d in /run/containerd /etc/docker /run/docker /opt/containerd; do eng_mask_dir "$d"; done
eng_install docker.io || { eng_not_ok "install docker.io" "apt-get failed"; exit 1; }

RTNAME=test-${RUNTIME##*/} # "runc" is taken by docker's built-in runtime
# the runtime set up as README.md says (daemon.json), the private paths on the command line
jq -n --arg name "$RTNAME" --arg path "$ENG_RT" --arg cg "/$ENG_ID" '{
    runtimes: {($name): {path: $path}},
    "default-runtime": $name,
    "exec-opts": ["native.cgroupdriver=cgroupfs"],
    "cgroup-parent": $cg
}' >"$T/daemon.json"
eng_daemon dockerd "$T/dockerd.log" dockerd --config-file "$T/daemon.json" \
    --host "unix://$T/docker.sock" --data-root "$T/docker" --exec-root "$T/docker-exec" \
    --pidfile "$T/docker.pid" --iptables=false --ip6tables=false --ip-forward=false --ip-masq=false \
    --bridge=none --userland-proxy=false --log-level debug
eng_wait_socket "$T/docker.sock" 60 || { eng_not_ok "dockerd starts" "$(tail -n 20 "$T/dockerd.log")"; exit 1; }

# the distribution's client, of the daemon's version (another may come first in $PATH)
DOCKER=$(command -v /usr/bin/docker docker | head -n 1)
export DOCKER DOCKER_HOST=unix://$T/docker.sock DOCKER_CONFIG=$T/docker-cli
docker() { "$DOCKER" "$@"; }
drun() { docker run --network none "$@"; }
state() { docker inspect -f "{{.State.$2}}" "$1" 2>/dev/null; }
wait_state() { # wait_state NAME STATUS: until the container has STATUS (10 s)
    local i
    for ((i = 0; i < 100; i++)); do
        [ "$(state "$1" Status)" = "$2" ] && return 0
        sleep 0.1
    done
    return 1
}

eng_run docker info --format '{{.DefaultRuntime}} {{.CgroupDriver}}'
check_eq "dockerd's default runtime is $RTNAME, cgroupfs driver" "$RTNAME cgroupfs" "$OUT" "$ERR"

eng_build_image "$T/busybox.tar"
check "load the busybox image" docker load -i "$T/busybox.tar"
check_out "the image is listed" "$ENG_IMAGE" docker images --format '{{.Repository}}:{{.Tag}}'

check_out "run echo" "hello ocirun" drun --rm "$ENG_IMAGE" echo hello ocirun
check_rc "run: exit 0" 0 drun --rm "$ENG_IMAGE" sh -c 'exit 0'
check_rc "run: exit 1" 1 drun --rm "$ENG_IMAGE" sh -c 'exit 1'
check_rc "run: exit 7 of a shell's child" 7 drun --rm "$ENG_IMAGE" sh -c 'sh -c "exit 7"'
check_rc "run a non-executable file: 126" 126 drun --rm "$ENG_IMAGE" /bin/notexec
check_rc "run a missing command: 127" 127 drun --rm "$ENG_IMAGE" nosuchcommand

check_line1 "run -t: the process has a terminal" "/dev/pts/0" eng_tty drun --rm -t "$ENG_IMAGE" tty
check_rc "run -it: stdin and stdout are terminals" 0 eng_tty drun --rm -it "$ENG_IMAGE" sh -c 'test -t 0 && test -t 1'

check "run -d a long-running container" drun -d --name c-main "$ENG_IMAGE" sh -c "$ENG_COUNTER"
wait_state c-main running
pid=$(state c-main Pid)
check_cgroup_parent "its cgroups are below the daemon's --cgroup-parent" "${pid:-0}"

eng_todo_unless exec
check_out "exec echo" "hi there" docker exec c-main echo hi there
check_rc "exec: exit 3" 3 docker exec c-main sh -c 'exit 3'
check_line1 "exec -t: the process has a terminal" "/dev/pts/0" eng_tty docker exec -t c-main tty
check_rc "exec -it: stdin and stdout are terminals" 0 eng_tty docker exec -it c-main sh -c 'test -t 0 && test -t 1'
eng_todo_unless

eng_run docker top c-main
if [ "$RC" -eq 0 ] && [ -n "$pid" ] && awk -v p="$pid" '$2 == p {f=1} END {exit !f}' <<<"$OUT"; then
    eng_ok "top lists the container's init"
else
    eng_not_ok "top lists the container's init" "init pid: $pid" "$(eng_diag docker top c-main)"
fi

check "pause" docker pause c-main
check_eq "paused: inspect says paused" paused "$(state c-main Status)"
check_frozen "paused: the process is frozen" "$pid"
check "unpause" docker unpause c-main
check_eq "unpaused: inspect says running" running "$(state c-main Status)"
check_counting "unpaused: the process runs" "$pid"

check "update --memory 64m" docker update --memory 64m --memory-swap 64m c-main
check_eq "updated: the container's cgroup has the memory limit" 67108864 "$(eng_memory_limit "${pid:-0}" 2>&1)"
check_eq "updated: inspect has the memory limit" 67108864 "$(docker inspect -f '{{.HostConfig.Memory}}' c-main)"

t0=$SECONDS
check "stop (SIGTERM, the process exits)" docker stop -t 20 c-main
check_eq "stopped: status 42 from its SIGTERM handler, before the timeout" "exited 42 fast" \
    "$(state c-main Status) $(state c-main ExitCode) $( ((SECONDS - t0 < 15)) && echo fast || echo slow)"

check "run -d a process that ignores SIGTERM" drun -d --name c-ign "$ENG_IMAGE" sh -c 'trap "" TERM; while :; do sleep 1; done'
wait_state c-ign running
t0=$SECONDS
check "stop -t 2 (SIGTERM, then SIGKILL after 2 s)" docker stop -t 2 c-ign
check_eq "stopped: status 137 after the timeout" "exited 137 timeout" \
    "$(state c-ign Status) $(state c-ign ExitCode) $( ((SECONDS - t0 >= 2)) && echo timeout || echo early)"

check "run -d (to kill)" drun -d --name c-kill "$ENG_IMAGE" sh -c "$ENG_COUNTER"
wait_state c-kill running
check "kill -s USR1" docker kill -s USR1 c-kill
docker wait c-kill >/dev/null 2>&1
check_eq "killed: status 43 from its SIGUSR1 handler" "exited 43" "$(state c-kill Status) $(state c-kill ExitCode)"
check "run -d (to kill with SIGKILL)" drun -d --name c-kill9 "$ENG_IMAGE" sleep 1000
wait_state c-kill9 running
check "kill (SIGKILL)" docker kill c-kill9
docker wait c-kill9 >/dev/null 2>&1
check_eq "killed: status 137" "exited 137" "$(state c-kill9 Status) $(state c-kill9 ExitCode)"

check "rm stopped containers" docker rm c-main c-ign c-kill c-kill9
check "run -d (to rm -f)" drun -d --name c-rmf "$ENG_IMAGE" sleep 1000
wait_state c-rmf running
check "rm -f a running container" docker rm -f c-rmf

check_out "no container left (ps -a)" "" docker ps -aq
check_no_processes "no shim left" 'containerd-shim.*'
check_runtime_lists

docker rmi "$ENG_IMAGE" >/dev/null 2>&1
eng_stop_daemons
eng_finish_checks
