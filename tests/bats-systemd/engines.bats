#!/usr/bin/env bats
# podman (cgroup_manager = "systemd") and docker (native.cgroupdriver=systemd) with ocirun, as
# users run them on a systemd host: in the VM of tests/vm/check.sh --systemd (systemd is PID 1).
# Each runs, execs into, updates and removes a container; its scope must carry the limits and
# be gone afterwards.

load ../bats/helpers
source "$BATS_TEST_DIRNAME/../engines/lib.sh"
source "$BATS_TEST_DIRNAME/../engines/podman-conf.sh"

setup_file() {
    [ "${OCIRUN_VM:-}" = 1 ] && [ -S /run/systemd/private ] || return 0
    ENG_TMP=$BATS_FILE_TMPDIR
    busybox_rootfs "$ENG_TMP/image-rootfs"
    eng_pack_image "$ENG_TMP/image-rootfs" "$ENG_IMAGE" \
        '{"Env": ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"], "Cmd": ["sh"]}' "$BATS_FILE_TMPDIR/image.tar"
    mkdir -p "$ENG_TMP/pause-rootfs"
    cp "$BATS_TEST_DIRNAME/../../build/tests/helpers/pause" "$ENG_TMP/pause-rootfs/pause"
    eng_pack_image "$ENG_TMP/pause-rootfs" localhost/ocirun-pause:latest '{"Entrypoint": ["/pause"]}' \
        "$BATS_FILE_TMPDIR/pause.tar"
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

# The kubelet's systemd driver (cgroupDriver: systemd) with containerd's SystemdCgroup = true: a
# host-network pod (no CNI) driven by tests/bats-systemd/cri_systemd.py through the CRI client
# of tests/cri/.
@test "engines: containerd's CRI with SystemdCgroup = true runs a pod: scopes in the pod's slice, limits, exec, no unit left" {
    command -v containerd >/dev/null || skip "containerd is not installed (make check-cri installs it)"
    /usr/bin/python3 -c 'import grpc, grpc_tools' 2>/dev/null || skip "python3-grpcio is not installed (make check-cri installs it)"
    eng_containerd_toml "$T" >"$T/config.toml"
    cat >>"$T/config.toml" <<CONF
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "localhost/ocirun-pause:latest"
  disable_apparmor = true
  enable_selinux = false
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
CONF
    eng_cri_runtime_toml "$OCIRUN_BIN" "$T/runc" true >>"$T/config.toml"
    containerd --config "$T/config.toml" >"$T/containerd.log" 2>&1 3>&- &
    dpid=$!
    for i in $(seq 600); do [ -S "$T/containerd.sock" ] && break; sleep 0.1; done
    [ -S "$T/containerd.sock" ] || fail "containerd did not start: $(tail -n 20 "$T/containerd.log")"
    for image in image pause; do
        run ctr --address "$T/containerd.sock" --namespace k8s.io images import "$BATS_FILE_TMPDIR/$image.tar"
        assert_success
    done
    mkdir -p "$T/py" "$T/logs"
    run /usr/bin/python3 -m grpc_tools.protoc -I"$BATS_TEST_DIRNAME/../cri" --python_out="$T/py" \
        --grpc_python_out="$T/py" "$BATS_TEST_DIRNAME/../cri/api.proto"
    assert_success
    CRI_SOCK=$T/containerd.sock CRI_IMAGE=$ENG_IMAGE CRI_LOGS=$T/logs PYTHONDONTWRITEBYTECODE=1 \
        PYTHONPATH=$T/py:$BATS_TEST_DIRNAME/../cri run timeout 240 /usr/bin/python3 -u "$BATS_TEST_DIRNAME/cri_systemd.py"
    assert_success
    refute_output --partial FAIL
    assert_line "ok: no failed unit"
    [ -z "$(ls "$T/runc/k8s.io" 2>/dev/null)" ] || fail "ocirun still lists containers: $(ls "$T/runc/k8s.io")"
    kill "$dpid"
    for i in $(seq 300); do kill -0 "$dpid" 2>/dev/null || break; sleep 0.1; done
    ! kill -0 "$dpid" 2>/dev/null || fail "containerd did not stop"
    [ -z "$(pgrep -f "containerd-shim-runc-v2 .*-address $T/containerd.sock")" ] || fail "a shim is left"
}
