#!/usr/bin/env bash
# cri.sh: the Kubernetes path. containerd's CRI plugin (runtime handler "ocirun": the runc shim
# v2 with BinaryName = the runtime, cgroupfs) is driven by tests/cri/checks.py, a client that does
# what the kubelet does (pods, containers, probes, logs, updates, stats); TAP on stdout, then the
# runtime calls it saw. Usage: [RUNTIME=runc] tests/cri/cri.sh
#
# Like tests/engines/: PID 1 of its own mount and pid namespaces, all state in one temp dir,
# containerd on private sockets, started and stopped by pid. containerd (with its shims and the
# CNI plugins) runs in a network namespace of its own, where the bridge plugin makes the pods'
# bridge. Every cgroup is below /$ENG_ID/kubepods: the pod cgroups are made (as the kubelet
# makes them) and removed by checks.py, and the runtime wrapper refuses any create whose
# cgroupsPath is elsewhere.
set -uo pipefail
CRI_DIR=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../engines/lib.sh
. "$CRI_DIR/../engines/lib.sh"
eng_enter cri "$@"
eng_setup cri

T=$ENG_TMP
export T
PY=/usr/bin/python3 # Debian's, where python3-grpcio is (not a python3 earlier in $PATH)
# containerd's shims put their sockets in /run/containerd/s whatever its state dir; libcni keeps
# its result cache in /var/lib/cni
eng_mask_dir /run/containerd
eng_mask_dir /var/lib/cni
eng_install containerd containernetworking-plugins python3-grpcio python3-grpc-tools ||
    { eng_not_ok "install containerd, the CNI plugins, grpcio" "apt-get failed"; exit 1; }
# the pods' parents, made by checks.py as the kubelet makes them: left empty (lib.sh checks)
# shellcheck disable=SC2034
ENG_CGROUP_OK='kubepods|kubepods/burstable'

# The runtime the shim calls: refuses a create whose cgroupsPath is not below /$ENG_ID/ (the
# host's cgroups are never touched, whatever the CRI plugin makes of a pod's cgroup_parent),
# then runs the logging wrapper.
mkdir -p "$T/guard"
CRI_RT=$T/guard/${RUNTIME##*/}
cat >"$CRI_RT" <<EOF
#!/bin/sh
# written by tests/cri/cri.sh: no container outside /$ENG_ID/
bundle= prev= cmd=
for a in "\$@"; do
    case "\$prev" in --bundle | -b) bundle=\$a ;; esac
    case "\$a" in --bundle=*) bundle=\${a#--bundle=} ;; create | run) [ -z "\$cmd" ] && cmd=\$a ;; esac
    prev=\$a
done
if [ -n "\$cmd" ]; then
    cg=\$(jq -r '.linux.cgroupsPath // ""' "\${bundle:-.}/config.json" 2>/dev/null)
    below=
    case "\$cg" in
    */../* | */..) ;;
    /$ENG_ID/?*) below=1 ;;
    esac
    if [ -z "\$below" ]; then
        echo "\$(date +%T.%N | cut -c1-12) REFUSED (cgroupsPath '\$cg' not below /$ENG_ID/) \$*" >>"$ENG_CALLS"
        echo "tests/cri: cgroupsPath '\$cg' is not below /$ENG_ID/" >&2
        exit 1
    fi
fi
exec "$ENG_RT" "\$@"
EOF
chmod 755 "$CRI_RT"

# ---- containerd with the CRI plugin ---------------------------------------------------------

mkdir -p "$T/cni/conf" "$T/logs" "$T/seccomp"
cat >"$T/cni/conf/10-ocirun.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "ocirun-cri",
  "plugins": [{
    "type": "bridge", "bridge": "cri0", "isGateway": true, "ipMasq": false, "hairpinMode": true,
    "ipam": {"type": "host-local", "dataDir": "$T/cni/ipam", "ranges": [[{"subnet": "10.88.0.0/24"}]]}
  }]
}
EOF
eng_containerd_toml "$T" >"$T/config.toml"
cat >>"$T/config.toml" <<EOF
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "localhost/ocirun-pause:latest"
  netns_mounts_under_state_dir = true
  disable_apparmor = true
  # the sandboxes' -998 (and the kubelet's negative scores) need CAP_SYS_RESOURCE, which this
  # machine's root may not have: no score below containerd's own
  restrict_oom_score_adj = true
  enable_selinux = false
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  stats_collect_period = 1
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$T/cni/conf"
    max_conf_num = 1
EOF
# cgroupfs here; SystemdCgroup = true (pods in slices) is tests/bats-systemd/'s, in the VM that
# runs systemd
eng_cri_runtime_toml "$CRI_RT" "$T/runc" false >>"$T/config.toml"
# its own network namespace, loopback up (the streaming server listens there)
# shellcheck disable=SC2016
eng_daemon containerd "$T/containerd.log" \
    unshare --net sh -c 'ip link set lo up && exec containerd --config "$1" --log-level debug' sh "$T/config.toml"
eng_wait_socket "$T/containerd.sock" || { eng_not_ok "containerd starts" "$(tail -n 20 "$T/containerd.log")"; exit 1; }

ctr() { command ctr --address "$T/containerd.sock" --namespace k8s.io "$@"; }

# the images: busybox for the containers, a static pause program for the sandboxes
eng_build_image "$T/busybox.tar"
mkdir -p "$T/pause-rootfs"
cp "$ENG_REPO/build/tests/helpers/pause" "$T/pause-rootfs/pause"
eng_pack_image "$T/pause-rootfs" localhost/ocirun-pause:latest '{"Entrypoint": ["/pause"]}' "$T/pause.tar"
check "import the busybox image into k8s.io" ctr images import "$T/busybox.tar"
check "import the pause image into k8s.io" ctr images import "$T/pause.tar"

# ---- the checks -----------------------------------------------------------------------------

mkdir -p "$T/py"
check "compile the CRI API subset (tests/cri/api.proto)" \
    "$PY" -m grpc_tools.protoc -I"$CRI_DIR" --python_out="$T/py" --grpc_python_out="$T/py" "$CRI_DIR/api.proto"

export CRI_SOCK=$T/containerd.sock CRI_HANDLER=ocirun CRI_IMAGE=$ENG_IMAGE CRI_PAUSE=localhost/ocirun-pause:latest
export CRI_CGROUP_ROOT=/$ENG_ID/kubepods CRI_CALLS=$ENG_CALLS CRI_CONTAINERD_PID=${ENG_DAEMONS[-1]##*:}
export PYTHONPATH=$T/py:$CRI_DIR PYTHONDONTWRITEBYTECODE=1
# checks.py prints "ok - DESC" / "not ok - DESC" and "#" lines: numbered here
while IFS= read -r line; do
    case $line in
    "ok - "*) eng_ok "${line#ok - }" ;;
    "not ok - "*) eng_not_ok "${line#not ok - }" ;;
    *) printf '%s\n' "$line" ;;
    esac
done < <(timeout -k 5 240 "$PY" -u "$CRI_DIR/checks.py" 2>&1)
wait $! || eng_not_ok "checks.py completes" "exit status $?"

check_no_processes "no shim left" 'containerd-shim.*'
check_runtime_lists
ctr images rm "$ENG_IMAGE" localhost/ocirun-pause:latest >/dev/null 2>&1

# the runtime calls the shim made: each form (paths and ids replaced) with its count and
# failures; every call with its status is in $ENG_CALLS
echo "# runtime calls by form (all of them: ${ENG_CALLS#"$ENG_REPO"/}):"
sed -nE 's/^[^ ]+ (rc=[0-9]+) [^ ]+ (.*)$/\1 \2/p' "$ENG_CALLS" |
    sed -E 's/ (--root|--log|--bundle|--pid-file|--process|--console-socket)[= ][^ ]+/ \1 _/g; s/[0-9a-f]{64}/ID/g' |
    awk '{ st = $1; $1 = ""; k = substr($0, 2); n[k]++; if (st != "rc=0") f[k]++ }
         END { for (k in n) printf "#   %4d  %s%s\n", n[k], k, (k in f) ? "  (" f[k] " failed)" : "" }' |
    sort -k3
refused=$(grep -c '^[^ ]* REFUSED ' "$ENG_CALLS")
[ "$refused" -eq 0 ] || echo "#   $refused creates REFUSED by the cgroupsPath guard"
eng_stop_daemons
eng_finish_checks
