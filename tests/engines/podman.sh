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

# Not told where, podman keeps a blob cache in /var/lib/containers/cache and the runtime its
# state in its default root (podman passes no --root): both on tmpfs in this mount namespace.
eng_mask_dir /var/lib/containers
for d in /run/runc /run/crun /run/ocirun; do eng_mask_dir "$d"; done
# podman puts every conmon in <cgroup-parent>/conmon and keeps that cgroup (empty)
ENG_CGROUP_OK=conmon
. "$(dirname "$0")/podman-conf.sh"
podman_conf "$T" cgroupfs overlay "$ENG_RT"
export CONTAINERS_CONF=$T/containers.conf CONTAINERS_STORAGE_CONF=$T/storage.conf \
    CONTAINERS_REGISTRIES_CONF=$T/registries.conf XDG_CONFIG_HOME=$T/config

podman() { command podman --root "$T/storage" --runroot "$T/run" --cgroup-manager cgroupfs "$@"; }
prun() { podman run --cgroup-parent "/$ENG_ID" "$@"; }
cli() { podman "$@"; }
cli_run() { prun "$@"; }
CLI_TOP_ARGS=(hpid args) CLI_TOP_PID_COL=1 CLI_MEMORY_FIELD=
CLI_RMF_ARGS=(-t 2) CLI_MONITOR=conmon CLI_MONITOR_RE=conmon
. "$(dirname "$0")/cli_checks.sh"

eng_run podman info --format '{{.Host.OCIRuntime.Path}} {{.Host.CgroupManager}} {{.Host.EventLogger}}'
check_eq "podman uses the runtime, cgroupfs, file events" "$ENG_RT cgroupfs file" "$OUT" "$ERR"

cli_checks
eng_stop_daemons
eng_finish_checks
