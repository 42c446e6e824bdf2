# podman-conf.sh: podman's configuration files for a test run, all state below one directory.
# Sourced by tests/engines/podman.sh, podman-rootless.sh and tests/bats-systemd/engines.bats.

# podman_conf DIR CGROUP_MANAGER STORAGE_DRIVER RUNTIME: DIR/containers.conf, storage.conf and
# an empty registries.conf (no registry: images are loaded from archives), every path podman
# keeps state in below DIR, RUNTIME (a path) the default runtime under its file name. The
# runtime by name: podman passes --log-format=json --log only to the runtimes that
# runtime_supports_json lists, and reads the error from that log. The files are world-readable
# (a rootless podman reads them as its user).
podman_conf() {
    local dir=$1 manager=$2 driver=$3 runtime=$4 name=${4##*/}
    mkdir -p "$dir/cni"
    cat >"$dir/containers.conf" <<CONF
[containers]
netns = "none"
log_driver = "k8s-file"

[network]
network_config_dir = "$dir/cni"

[engine]
cgroup_manager = "$manager"
events_logger = "file"
events_logfile_path = "$dir/libpod/events.log"
tmp_dir = "$dir/libpod"
static_dir = "$dir/storage/libpod"
volume_path = "$dir/volumes"
runtime = "$name"
runtime_supports_json = ["crun", "runc", "ocirun"]

[engine.runtimes]
$name = ["$runtime"]
CONF
    printf '[storage]\ndriver = "%s"\ngraphroot = "%s/storage"\nrunroot = "%s/run"\n' "$driver" "$dir" "$dir" \
        >"$dir/storage.conf"
    : >"$dir/registries.conf"
    chmod 644 "$dir/containers.conf" "$dir/storage.conf" "$dir/registries.conf"
}
