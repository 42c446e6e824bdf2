#!/usr/bin/env bats
# podman (cgroup_manager = "systemd") and docker (native.cgroupdriver=systemd) with ocirun, as
# users run them on a systemd host: in the VM of tests/vm/check.sh --systemd (systemd is PID 1).
# Each runs, execs into, updates and removes a container; its scope must carry the limits and
# be gone afterwards.

load ../bats/helpers
source "$BATS_TEST_DIRNAME/../engines/podman-conf.sh"

setup_file() {
    [ "${OCIRUN_VM:-}" = 1 ] && [ -S /run/systemd/private ] || return 0
    . "$BATS_TEST_DIRNAME/../engines/lib.sh"
    ENG_TMP=$BATS_FILE_TMPDIR
    busybox_rootfs "$ENG_TMP/image-rootfs"
    eng_pack_image "$ENG_TMP/image-rootfs" "$ENG_IMAGE" \
        '{"Env": ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"], "Cmd": ["sh"]}' "$BATS_FILE_TMPDIR/image.tar"
    export ENG_IMAGE
}

setup() {
    [ "${OCIRUN_VM:-}" = 1 ] && [ -S /run/systemd/private ] || skip "needs the VM with systemd as PID 1: run make check-vm"
    T=$BATS_TEST_TMPDIR
    OCIRUN_BIN=$(realpath "$OCIRUN")
}

# (no common_setup: no ROOT, no bundle) the daemon a failed test left is stopped
teardown() {
    if [ -n "${dpid:-}" ] && kill -0 "$dpid" 2>/dev/null; then
        kill "$dpid"
        for i in $(seq 300); do kill -0 "$dpid" 2>/dev/null || return 0; sleep 0.1; done
        kill -9 "$dpid"
    fi
}

# assert_scope UNIT SLICE MEMORYMAX: active, in SLICE, MemoryMax in the unit and the file.
assert_scope() {
    assert_equal "$(systemctl show -P ActiveState "$1")" active
    assert_equal "$(systemctl show -P Slice "$1")" "$2"
    assert_equal "$(systemctl show -P MemoryMax "$1")" "$3"
    assert_equal "$(cat "/sys/fs/cgroup/$2/$1/memory.max")" "$3"
}

assert_unit_gone() {
    assert_equal "$(systemctl show -P LoadState "$1")" not-found
    [ -z "$(systemctl list-units --failed --plain --no-legend)" ] || fail "failed units: $(systemctl list-units --failed --plain --no-legend)"
}

@test "engines: podman with cgroup_manager = \"systemd\" runs, execs, updates and removes a container" {
    command -v podman >/dev/null || skip "podman is not installed (make check-engines installs it)"
    podman_conf "$T" systemd overlay "$OCIRUN_BIN"
    export CONTAINERS_CONF=$T/containers.conf CONTAINERS_STORAGE_CONF=$T/storage.conf \
        CONTAINERS_REGISTRIES_CONF=$T/registries.conf XDG_CONFIG_HOME=$T/config
    run podman info --format '{{.Host.OCIRuntime.Path}} {{.Host.CgroupManager}}'
    assert_success
    assert_output "$OCIRUN_BIN systemd"
    run podman load -i "$BATS_FILE_TMPDIR/image.tar"
    assert_success
    run podman run -d --name c1 --memory 64m "$ENG_IMAGE" sleep 1000
    assert_success
    id=$(podman inspect -f '{{.Id}}' c1)
    assert_scope "libpod-$id.scope" machine.slice 67108864
    run podman exec c1 cat /proc/self/cgroup
    assert_success
    assert_output "0::/"
    run podman update --memory 32m c1
    assert_success
    assert_scope "libpod-$id.scope" machine.slice 33554432
    run podman rm -f -t 2 c1
    assert_success
    assert_unit_gone "libpod-$id.scope"
    [ -z "$(podman ps -aq)" ]
}

@test "engines: docker with native.cgroupdriver=systemd runs, execs, updates and removes a container" {
    command -v dockerd >/dev/null || skip "docker.io is not installed (make check-engines installs it)"
    jq -n --arg path "$OCIRUN_BIN" '{
        runtimes: {ocirun: {path: $path}}, "default-runtime": "ocirun",
        "exec-opts": ["native.cgroupdriver=systemd"]
    }' >"$T/daemon.json"
    dockerd --config-file "$T/daemon.json" --host "unix://$T/docker.sock" --data-root "$T/docker" \
        --exec-root "$T/docker-exec" --pidfile "$T/docker.pid" --iptables=false --ip6tables=false \
        --ip-forward=false --ip-masq=false --bridge=none --userland-proxy=false >"$T/dockerd.log" 2>&1 3>&- &
    dpid=$!
    for i in $(seq 600); do [ -S "$T/docker.sock" ] && break; sleep 0.1; done
    [ -S "$T/docker.sock" ] || fail "dockerd did not start: $(tail -n 20 "$T/dockerd.log")"
    export DOCKER_HOST=unix://$T/docker.sock DOCKER_CONFIG=$T/docker-cli
    docker() { /usr/bin/docker "$@"; }
    run docker info --format '{{.DefaultRuntime}} {{.CgroupDriver}}'
    assert_success
    assert_output "ocirun systemd"
    run docker load -i "$BATS_FILE_TMPDIR/image.tar"
    assert_success
    # (this host has no apparmor_parser for docker's default profile)
    run docker run -d --network none --security-opt apparmor=unconfined --name c1 -m 64m "$ENG_IMAGE" sleep 1000
    assert_success
    id=$(docker inspect -f '{{.Id}}' c1)
    assert_scope "docker-$id.scope" system.slice 67108864
    run docker exec c1 cat /proc/self/cgroup
    assert_success
    assert_output "0::/"
    run docker update -m 32m --memory-swap 64m c1
    assert_success
    assert_scope "docker-$id.scope" system.slice 33554432
    run docker rm -f c1
    assert_success
    assert_unit_gone "docker-$id.scope"
    kill "$dpid"
    for i in $(seq 300); do kill -0 "$dpid" 2>/dev/null || break; sleep 0.1; done
    ! kill -0 "$dpid" 2>/dev/null || fail "dockerd did not stop"
}
