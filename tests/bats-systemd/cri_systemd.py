"""cri_systemd.py: one pod through containerd's CRI with SystemdCgroup = true, as the kubelet's
systemd cgroup driver runs it (tests/bats-systemd/engines.bats, in the VM where systemd is PID 1):
the sandbox and the container are scopes cri-containerd-ID.scope of the pod's slice, limits are
unit properties and cgroup files, ExecSync runs in the container, stop and remove leave no unit.
Prints "ok: WHAT" per check and exits 1 at the first that fails ("FAIL: WHAT: why").
Env: CRI_SOCK (containerd's socket), CRI_IMAGE (busybox), CRI_LOGS (the pods' log root);
PYTHONPATH holds api_pb2 (compiled from tests/cri/api.proto) and tests/cri/."""

import os
import subprocess
import sys
import uuid

import api_pb2 as pb
from cri_client import Cri, Pod, SystemdSlice


def unit(name, prop):
    return subprocess.run(["systemctl", "show", "-P", prop, name], capture_output=True, text=True).stdout.strip()


def check(ok, what, why=""):
    if not ok:
        print(f"FAIL: {what}: {why}", flush=True)
        sys.exit(1)
    print(f"ok: {what}", flush=True)


def cgroup_of(pid):
    with open(f"/proc/{pid}/cgroup") as f:
        return f.read().strip()


def check_scope(cid, slice_name, what):
    scope = f"cri-containerd-{cid}.scope"
    check(unit(scope, "ActiveState") == "active", f"{what}: {scope} is active", unit(scope, "ActiveState"))
    check(unit(scope, "Slice") == slice_name, f"{what}: in {slice_name}", unit(scope, "Slice"))
    return scope


def main():
    cri = Cri(os.environ["CRI_SOCK"])
    uid = str(uuid.uuid4())
    pod_slice = SystemdSlice("besteffort", uid)
    pod = Pod(cri, "sd", "ocirun", os.environ["CRI_IMAGE"], None, os.environ["CRI_LOGS"], uid=uid, cgroup=pod_slice,
              security_context={"namespace_options": pb.NamespaceOption(network=pb.NODE)})
    try:
        pod.run()
        sandbox = check_scope(pod.id, pod_slice.path, "RunPodSandbox")
        pause = pod.pause_pid()
        want = f"/kubepods.slice/kubepods-besteffort.slice/{pod_slice.path}/{sandbox}"
        check(cgroup_of(pause).endswith(want), "the pause process is in the scope's cgroup", cgroup_of(pause))

        cid = pod.run_container("c1", ["sleep", "1000"], resources={"memory_limit_in_bytes": 64 << 20})
        scope = check_scope(cid, pod_slice.path, "CreateContainer + StartContainer")
        check(unit(scope, "MemoryMax") == str(64 << 20), "memory limit: the unit's MemoryMax", unit(scope, "MemoryMax"))
        with open(f"/sys/fs/cgroup{want.rsplit('/', 1)[0]}/{scope}/memory.max") as f:
            check(f.read().strip() == str(64 << 20), "memory limit: the scope's memory.max")

        r = cri.exec_sync(cid, ["cat", "/proc/self/cgroup"])
        check(r.exit_code == 0 and r.stdout.decode().strip() == "0::/", "ExecSync runs in the container's cgroup namespace",
              f"exit {r.exit_code}, {r.stdout!r} {r.stderr!r}")

        cri.update(cid, memory_limit_in_bytes=32 << 20)
        check(unit(scope, "MemoryMax") == str(32 << 20), "UpdateContainerResources: MemoryMax follows",
              unit(scope, "MemoryMax"))

        cri.stop(cid, 2)
        cri.remove(cid)
        pod.containers.remove(cid)
        check(unit(scope, "LoadState") == "not-found", "StopContainer + RemoveContainer: no unit left",
              unit(scope, "LoadState"))
        pod.stop()
        pod.remove()
        pod.id = None
        check(unit(sandbox, "LoadState") == "not-found", "StopPodSandbox + RemovePodSandbox: no unit left",
              unit(sandbox, "LoadState"))
    finally:
        left = pod.teardown()
    check(left == [], "the pod's slice stops", left)
    failed = subprocess.run(["systemctl", "list-units", "--failed", "--plain", "--no-legend"],
                            capture_output=True, text=True).stdout.strip()
    check(failed == "", "no failed unit", failed)


main()
