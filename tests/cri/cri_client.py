"""cri_client.py: a small CRI client for the tests (tests/cri/): the runtime.v1 calls of
api.proto over containerd's socket, and what the kubelet does around them: the pod's cgroup in
every hierarchy (below a parent given by the test), its log directory, waits for a container's
state, the host's view of a container (its pid, namespaces, cgroups). No kubelet or crictl is
packaged here; this does the part of their work the tests need.

The generated modules (api_pb2, api_pb2_grpc) come from `python3 -m grpc_tools.protoc` run by
cri.sh; PYTHONPATH has them."""

import json
import os
import subprocess
import time
import uuid

import grpc

import api_pb2 as pb
import api_pb2_grpc as pb_grpc

# the kubelet's masked and read-only paths for the default procMount (it sends them for every
# container; the CRI plugin drops them for a privileged one)
MASKED_PATHS = ["/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
                "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware"]
READONLY_PATHS = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]

CALL_TIMEOUT = 60  # seconds a CRI call may take (the kubelet's default runtime request timeout is 2 min)


class Cri:
    """The RuntimeService and ImageService of one CRI socket."""

    def __init__(self, sock):
        self.channel = grpc.insecure_channel("unix://" + sock)
        self.runtime = pb_grpc.RuntimeServiceStub(self.channel)
        self.images = pb_grpc.ImageServiceStub(self.channel)

    def call(self, name, request, timeout=CALL_TIMEOUT):
        return getattr(self.runtime, name)(request, timeout=timeout)

    def version(self):
        return self.call("Version", pb.VersionRequest(version="v1"))

    def status(self):
        return self.call("Status", pb.StatusRequest())

    def image_status(self, image):
        return self.images.ImageStatus(pb.ImageStatusRequest(image=pb.ImageSpec(image=image)),
                                       timeout=CALL_TIMEOUT)

    def container_status(self, cid):
        return self.call("ContainerStatus", pb.ContainerStatusRequest(container_id=cid, verbose=True))

    def container_pid(self, cid):
        info = json.loads(self.container_status(cid).info.get("info", "{}"))
        return int(info.get("pid", 0))

    def wait_state(self, cid, state, timeout=20):
        """Polls ContainerStatus until the container is in state (pb.CONTAINER_*); its status."""
        deadline = time.monotonic() + timeout
        while True:
            st = self.container_status(cid).status
            if st.state == state or time.monotonic() > deadline:
                return st
            time.sleep(0.1)

    def exec_sync(self, cid, cmd, timeout=10):
        """ExecSync with the probe's timeout (also the call's, plus a margin)."""
        return self.call("ExecSync", pb.ExecSyncRequest(container_id=cid, cmd=cmd, timeout=timeout),
                         timeout=timeout + 30)

    def stop(self, cid, grace):
        return self.call("StopContainer", pb.StopContainerRequest(container_id=cid, timeout=grace),
                         timeout=grace + CALL_TIMEOUT)

    def remove(self, cid):
        return self.call("RemoveContainer", pb.RemoveContainerRequest(container_id=cid))

    def update(self, cid, **resources):
        return self.call("UpdateContainerResources", pb.UpdateContainerResourcesRequest(
            container_id=cid, linux=pb.LinuxContainerResources(**resources)))

    def reopen_log(self, cid):
        return self.call("ReopenContainerLog", pb.ReopenContainerLogRequest(container_id=cid))

    def stats(self, cid):
        return self.call("ContainerStats", pb.ContainerStatsRequest(container_id=cid)).stats

    def list_stats(self, pod_id):
        return self.call("ListContainerStats", pb.ListContainerStatsRequest(
            filter=pb.ContainerStatsFilter(pod_sandbox_id=pod_id))).stats

    def list_containers(self, pod_id):
        return self.call("ListContainers", pb.ListContainersRequest(
            filter=pb.ContainerFilter(pod_sandbox_id=pod_id))).containers

    def list_pods(self):
        return self.call("ListPodSandbox", pb.ListPodSandboxRequest()).items


# ---- the host's cgroups -----------------------------------------------------------------------

def cgroup_mounts():
    """{controller-or-name: mount point} of every cgroup hierarchy below /sys/fs/cgroup ("" is
    the v2 one), and the list of mount points."""
    by_name, points = {}, []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            left, right = line.split(" - ", 1)
            point = left.split()[4]
            fstype, opts = right.split()[0], right.split()[2]
            if not point.startswith("/sys/fs/cgroup") or fstype not in ("cgroup", "cgroup2"):
                continue
            points.append(point)
            if fstype == "cgroup2":
                by_name[""] = point
                continue
            for o in opts.split(","):
                if o in ("rw", "ro") or o.startswith(("release_agent=", "clone_children")):
                    continue
                by_name[o] = point
    return by_name, points


def proc_cgroups(pid):
    """{controller-or-name: path} of /proc/PID/cgroup ("" is the v2 line)."""
    out = {}
    with open(f"/proc/{pid}/cgroup") as f:
        for line in f:
            _n, ctrls, path = line.rstrip("\n").split(":", 2)
            for c in ctrls.split(",") if ctrls else [""]:
                out[c] = path
    return out


def cgroup_file(pid, controller, name):
    """The content of a cgroup file of PID's cgroup in CONTROLLER's hierarchy."""
    by_name, _ = cgroup_mounts()
    path = proc_cgroups(pid)[controller]
    with open(os.path.join(by_name[controller] + path, name)) as f:
        return f.read().strip()


class PodCgroup:
    """The pod's cgroup as the kubelet's cgroupfs driver makes it before RunPodSandbox: one
    directory in every hierarchy, v1 cpuset levels filled from their parent, the pod's memory
    and pids limits (also a guard: a container whose own limit were not applied stays within
    them). Only below ROOT (the test's unique parent), which must be absolute."""

    def __init__(self, root, name, memory=512 << 20, pids=1024):
        assert root.startswith("/") and "/../" not in root + "/" and len(root) > 1
        self.path = f"{root}/{name}"
        self.limits = {"memory": ("memory.limit_in_bytes", "memory.max", memory),
                       "pids": ("pids.max", "pids.max", pids)}
        self.by_name, self.points = cgroup_mounts()

    def create(self):
        self._mkdirs()
        for controller, (v1_file, v2_file, value) in self.limits.items():
            if controller in self.by_name:
                path = os.path.join(self.by_name[controller] + self.path, v1_file)
            else:
                self._enable_v2(controller)
                path = os.path.join(self.by_name[""] + self.path, v2_file)
            if os.path.exists(path):
                with open(path, "w") as f:
                    f.write(str(value))

    def _enable_v2(self, controller):
        """v2: the controller enabled in our own levels' subtree_control (the levels below the
        unique parent's; the host's root must have it already)."""
        parts = self.path.strip("/").split("/")
        for i in range(1, len(parts)):
            control = os.path.join(self.by_name[""], *parts[:i], "cgroup.subtree_control")
            try:
                with open(control, "w") as f:
                    f.write("+" + controller)
            except OSError:
                return

    def _mkdirs(self):
        for point in self.points:
            parts = self.path.strip("/").split("/")
            d = point
            for p in parts:
                parent, d = d, os.path.join(d, p)
                if os.path.isdir(d):
                    continue
                os.mkdir(d)
                for name in ("cpuset.cpus", "cpuset.mems"):
                    if os.path.exists(os.path.join(d, name)) and os.path.exists(os.path.join(parent, name)):
                        with open(os.path.join(parent, name)) as src, open(os.path.join(d, name), "w") as dst:
                            dst.write(src.read())

    def remove(self):
        """rmdir in every hierarchy; the directories left (not empty: a container's cgroup)."""
        left = []
        for point in self.points:
            d = point + self.path
            if not os.path.isdir(d):
                continue
            try:
                os.rmdir(d)
            except OSError as e:
                subdirs = [x for x in os.listdir(d) if os.path.isdir(os.path.join(d, x))]
                left.append(f"{d}: {e.strerror} {subdirs}")
        return left


# ---- pods and containers ------------------------------------------------------------------------

class SystemdSlice:
    """The pod's cgroup as the kubelet's systemd driver names it, kubepods-QOS-podUID.slice (the
    uid's dashes as underscores), for cgroup_parent: the runtime's systemd driver makes the slice
    with its parents when it starts the pod's first scope; remove() stops it."""

    def __init__(self, qos, uid):
        self.path = f"kubepods-{qos}-pod{uid.replace('-', '_')}.slice"

    def create(self):
        pass

    def remove(self):
        """Stops the slice (systemd collects a stopped transient unit later); [] when it is
        inactive or gone, else [its state]."""
        subprocess.run(["systemctl", "stop", self.path], capture_output=True)
        state = subprocess.run(["systemctl", "show", "-P", "ActiveState", self.path],
                               capture_output=True, text=True).stdout.strip()
        return [] if state == "inactive" else [f"{self.path}: {state}"]


class Pod:
    """A pod as the kubelet runs one: pod cgroup, log directory, RunPodSandbox with runtime
    handler HANDLER; containers created with the pod's config."""

    def __init__(self, cri, name, handler, image, cgroup_root, log_root, uid=None, cgroup=None, **linux):
        self.cri, self.name, self.image, self.handler = cri, name, image, handler
        self.uid = uid or str(uuid.uuid4())
        self.cgroup = cgroup or PodCgroup(cgroup_root, "burstable/pod" + self.uid)
        self.log_dir = os.path.join(log_root, f"default_{name}_{self.uid}")
        sec = linux.pop("security_context", {})
        host_network = "namespace_options" in sec and sec["namespace_options"].network == pb.NODE
        self.config = pb.PodSandboxConfig(
            metadata=pb.PodSandboxMetadata(name=name, uid=self.uid, namespace="default", attempt=0),
            # the kubelet gives a hostNetwork pod no hostname (it has the node's UTS namespace)
            hostname="" if host_network else name, log_directory=self.log_dir,
            labels={"io.kubernetes.pod.name": name, "io.kubernetes.pod.uid": self.uid},
            linux=pb.LinuxPodSandboxConfig(cgroup_parent=self.cgroup.path,
                                           security_context=pb.LinuxSandboxSecurityContext(**sec),
                                           **linux))
        self.id = None
        self.containers = []

    def run(self):
        self.cgroup.create()
        os.makedirs(self.log_dir, exist_ok=True)
        self.id = self.cri.call("RunPodSandbox", pb.RunPodSandboxRequest(
            config=self.config, runtime_handler=self.handler)).pod_sandbox_id
        return self.id

    def status(self):
        return self.cri.call("PodSandboxStatus", pb.PodSandboxStatusRequest(
            pod_sandbox_id=self.id, verbose=True))

    def pause_pid(self):
        info = json.loads(self.status().info.get("info", "{}"))
        return int(info.get("pid", 0))

    def container_config(self, name, command, resources=None, tty=False, attempt=0, mounts=(), envs=None,
                         working_dir="", devices=(), **sec):
        """The ContainerConfig of a busybox container (kubelet style: log path NAME/ATTEMPT.log)."""
        os.makedirs(os.path.join(self.log_dir, name), exist_ok=True)
        sec.setdefault("namespace_options", self.config.linux.security_context.namespace_options)
        sec.setdefault("masked_paths", MASKED_PATHS)
        sec.setdefault("readonly_paths", READONLY_PATHS)
        return pb.ContainerConfig(
            metadata=pb.ContainerMetadata(name=name, attempt=attempt),
            image=pb.ImageSpec(image=self.image), command=command, working_dir=working_dir,
            envs=[pb.KeyValue(key=k, value=v) for k, v in (envs or {}).items()],
            mounts=[pb.Mount(container_path=c, host_path=h, readonly=ro) for c, h, ro in mounts],
            devices=[pb.Device(container_path=c, host_path=h, permissions=p) for c, h, p in devices],
            log_path=f"{name}/{attempt}.log", tty=tty,
            labels={"io.kubernetes.container.name": name},
            linux=pb.LinuxContainerConfig(resources=pb.LinuxContainerResources(**(resources or {})),
                                          security_context=pb.LinuxContainerSecurityContext(**sec)))

    def create(self, name, command, **kw):
        cid = self.cri.call("CreateContainer", pb.CreateContainerRequest(
            pod_sandbox_id=self.id, config=self.container_config(name, command, **kw),
            sandbox_config=self.config)).container_id
        self.containers.append(cid)
        return cid

    def start(self, cid):
        return self.cri.call("StartContainer", pb.StartContainerRequest(container_id=cid))

    def run_container(self, name, command, **kw):
        cid = self.create(name, command, **kw)
        self.start(cid)
        return cid

    def log_path(self, name, attempt=0):
        return os.path.join(self.log_dir, name, f"{attempt}.log")

    def stop(self):
        return self.cri.call("StopPodSandbox", pb.StopPodSandboxRequest(pod_sandbox_id=self.id))

    def remove(self):
        return self.cri.call("RemovePodSandbox", pb.RemovePodSandboxRequest(pod_sandbox_id=self.id))

    def teardown(self):
        """What the kubelet does last for a pod whatever happened: stop, remove, pod cgroup
        removed. Returns the problems (cgroup directories left)."""
        try:
            if self.id is not None:
                try:
                    self.stop()
                finally:
                    self.remove()
                self.id = None
        finally:
            left = self.cgroup.remove()
        return left
