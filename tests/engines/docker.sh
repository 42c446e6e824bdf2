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
cli() { docker "$@"; }
cli_run() { drun "$@"; }
CLI_TOP_ARGS=() CLI_TOP_PID_COL=2 CLI_MEMORY_FIELD='{{.HostConfig.Memory}}'
CLI_RMF_ARGS=() CLI_MONITOR=shim CLI_MONITOR_RE='containerd-shim.*'
. "$(dirname "$0")/cli_checks.sh"

eng_run docker info --format '{{.DefaultRuntime}} {{.CgroupDriver}}'
check_eq "dockerd's default runtime is $RTNAME, cgroupfs driver" "$RTNAME cgroupfs" "$OUT" "$ERR"

cli_checks
eng_stop_daemons
eng_finish_checks
