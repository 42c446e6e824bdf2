"""checks.py: the CRI tier's checks (run by tests/cri/cri.sh inside its namespaces): pods driven
through containerd's CRI as the kubelet drives them, with the runtime handler $CRI_HANDLER:
"shared" (two containers in the pod's namespaces: probes, logs, updates, stats, stops), "jobs"
(exit reasons, security contexts, seccomp, volumes, tty, restarts, log rotation, a stop of the
pod with containers running), "burst" (8 containers at once), "crash" (the pause process
killed) and "node" (hostNetwork). Prints "ok - DESC" / "not ok - DESC" lines (cri.sh numbers
them and counts the failures) and "#" lines; exits non-zero only when it broke.

Environment (set by cri.sh): CRI_SOCK, CRI_HANDLER, CRI_IMAGE (busybox), CRI_PAUSE (the
sandbox image), CRI_CGROUP_ROOT (the pods' cgroups go below it), CRI_CALLS (the runtime wrapper's
log), T (the temp dir)."""

import concurrent.futures
import json
import os
import re
import sys
import time
import traceback

import grpc

import api_pb2 as pb
from cri_client import Cri, Pod, cgroup_file, cgroup_mounts, proc_cgroups

SOCK = os.environ["CRI_SOCK"]
HANDLER = os.environ["CRI_HANDLER"]
IMAGE = os.environ["CRI_IMAGE"]
PAUSE = os.environ["CRI_PAUSE"]
CG_ROOT = os.environ["CRI_CGROUP_ROOT"]
CALLS = os.environ["CRI_CALLS"]
T = os.environ["T"]
LOG_ROOT = os.path.join(T, "logs")
MiB = 1 << 20

# ---- TAP ---------------------------------------------------------------------------------------

def ok(desc):
    print(f"ok - {desc}")


def not_ok(desc, *diag):
    print(f"not ok - {desc}")
    for d in diag:
        for line in str(d).splitlines():
            print("#   " + line)


def check(desc, cond, *diag):
    if cond:
        ok(desc)
    else:
        not_ok(desc, *diag)
    return bool(cond)


def check_eq(desc, want, got, *diag):
    return check(desc, want == got, f"expected: {want!r}", f"got: {got!r}", *diag)


def part(desc, fn, *args):
    """Runs one group of checks; an exception (a CRI call that failed) is one failure."""
    try:
        return fn(*args)
    except grpc.RpcError as e:
        not_ok(f"{desc}: {e.code().name}: {e.details()}", runtime_failures(), traceback.format_exc(limit=4))
    except Exception as e:  # noqa: BLE001 - a broken check is a failed check
        not_ok(f"{desc}: {type(e).__name__}: {e}", traceback.format_exc(limit=4))
    return None


def runtime_failures():
    """The last failed runtime calls of the wrapper's log (the runtime's own error is there)."""
    try:
        with open(CALLS) as f:
            lines = f.read().splitlines()
    except OSError:
        return ""
    bad = [i for i, l in enumerate(lines) if re.match(r"^\S+ (rc=[1-9]|REFUSED)", l)]
    out = []
    for i in bad[-3:]:
        out.append(lines[i])
        for l in lines[i + 1:i + 6]:
            if not l.startswith("    log:"):
                break
            out.append(l)
    return "\n".join(["runtime calls that failed:"] + out) if out else ""


def wait_for(fn, timeout=10, interval=0.1):
    """Polls fn() until it returns something true (returned) or the timeout (the last value)."""
    deadline = time.monotonic() + timeout
    while True:
        v = fn()
        if v or time.monotonic() > deadline:
            return v
        time.sleep(interval)


# ---- host views --------------------------------------------------------------------------------

def ns_of(pid, ns):
    return os.readlink(f"/proc/{pid}/ns/{ns}")


def alive(pid):
    """PID runs (a zombie or a pid gone is not running)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def status_field(pid, name):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(name + ":"):
                return line.split(":", 1)[1].strip()
    return None


def cap_set(mask_hex):
    """The capability numbers of a /proc status mask."""
    mask = int(mask_hex, 16)
    return {i for i in range(64) if mask >> i & 1}


def is_v1(controller):
    return controller in cgroup_mounts()[0]


def memory_limit(pid):
    if is_v1("memory"):
        return int(cgroup_file(pid, "memory", "memory.limit_in_bytes"))
    v = cgroup_file(pid, "", "memory.max")
    return -1 if v == "max" else int(v)


def cpu_limits(pid):
    """(quota, period, shares) as the cgroup has them (v2: cpu.max and the weight converted back
    the way runc converts shares to cpu.weight)."""
    if is_v1("cpu"):
        return (int(cgroup_file(pid, "cpu", "cpu.cfs_quota_us")), int(cgroup_file(pid, "cpu", "cpu.cfs_period_us")),
                int(cgroup_file(pid, "cpu", "cpu.shares")))
    quota, period = cgroup_file(pid, "", "cpu.max").split()
    weight = int(cgroup_file(pid, "", "cpu.weight"))
    return (-1 if quota == "max" else int(quota), int(period), weight)


def want_shares(shares):
    return shares if is_v1("cpu") else 1 + ((shares - 2) * 9999) // 262142


def cpu_usage_ns(pid):
    if is_v1("cpuacct"):
        return int(cgroup_file(pid, "cpuacct", "cpuacct.usage"))
    for line in cgroup_file(pid, "", "cpu.stat").splitlines():
        k, v = line.split()
        if k == "usage_usec":
            return int(v) * 1000
    return 0


def runtime_calls(command):
    """The wrapper's log lines of one runtime command (e.g. "update")."""
    with open(CALLS) as f:
        return [l for l in f.read().splitlines() if re.search(rf" {command} ", l)]


# ---- the checks --------------------------------------------------------------------------------

cri = Cri(SOCK)
pods = []


def node_checks():
    v = cri.version()
    check_eq("Version: the CRI is runtime.v1 of containerd", ("containerd", "v1"), (v.runtime_name, v.runtime_api_version))
    conds = {}

    def ready():
        conds.clear()
        conds.update({c.type: c.status for c in cri.status().status.conditions})
        return conds.get("RuntimeReady") and conds.get("NetworkReady")
    wait_for(ready, 15)
    check_eq("Status: RuntimeReady and NetworkReady (the CNI bridge config)", (True, True),
             (conds.get("RuntimeReady"), conds.get("NetworkReady")))
    for img in (IMAGE, PAUSE):
        st = wait_for(lambda img=img: cri.image_status(img).image.id, 15)
        check(f"ImageStatus: {img} is there (imported, no registry)", st)


def new_pod(name, **kw):
    pod = Pod(cri, name, HANDLER, IMAGE, CG_ROOT, LOG_ROOT, **kw)
    pods.append(pod)
    return pod


def check_cgroups(desc, pid, want):
    """Every hierarchy of PID has exactly the cgroup WANT."""
    have = proc_cgroups(pid)
    bad = {c: p for c, p in have.items() if p != want}
    return check(desc, have and not bad, f"expected {want} in every hierarchy", f"differ: {bad}")


def check_pod_started(pod):
    st = pod.status().status
    check_eq(f"{pod.name}: PodSandboxStatus is SANDBOX_READY, handler {HANDLER}",
             (pb.SANDBOX_READY, HANDLER), (st.state, st.runtime_handler))
    check(f"{pod.name}: the pod has an IP from the CNI bridge (10.88.0.0/24)",
          st.network.ip.startswith("10.88.0."), f"ip: {st.network.ip!r}")
    pause = pod.pause_pid()
    check(f"{pod.name}: the sandbox's pause process runs", pause and alive(pause), f"pid {pause}")
    check_cgroups(f"{pod.name}: the sandbox's cgroup is the pod's cgroup_parent + its id", pause,
                  f"{pod.cgroup.path}/{pod.id}")
    return st, pause


def exec_out(cid, cmd, timeout=10):
    r = cri.exec_sync(cid, cmd, timeout)
    return r.exit_code, r.stdout.decode(errors="replace"), r.stderr.decode(errors="replace")


def log_entries(path):
    """The CRI log file's lines as (time, stream, tag, text); a line of another form is kept as
    (None, None, None, line)."""
    out = []
    try:
        with open(path) as f:
            for line in f.read().splitlines():
                m = re.match(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)) (stdout|stderr) ([FP]) (.*)$", line)
                out.append((m.group(1), m.group(4), m.group(5), m.group(6)) if m else (None, None, None, line))
    except OSError:
        pass
    return out


# -- pod "shared": two containers in the pod's network, IPC, UTS and (shareProcessNamespace) pid
#    namespaces; probes, logs, updates, stats, stop with and without a grace period.

WEB = ('echo hello-out; echo hello-err >&2; mkdir -p /www && echo pong >/www/index.html && '
       'httpd -p 127.0.0.1:8080 -h /www; trap "exit 42" TERM; while :; do sleep 1 & wait; done')
SIDE = 'trap "" TERM; while :; do sleep 1; done'


def shared_pod():
    pod = new_pod("shared", security_context=dict(namespace_options=pb.NamespaceOption(
        network=pb.POD, pid=pb.POD, ipc=pb.POD)),
        sysctls={"kernel.shm_rmid_forced": "1", "net.ipv4.ip_unprivileged_port_start": "1000"})
    pod.run()
    ok("shared: RunPodSandbox (shareProcessNamespace)")
    _, pause = check_pod_started(pod)

    web = pod.create("web", ["sh", "-c", WEB])
    side = pod.create("side", ["sh", "-c", SIDE])
    st = cri.container_status(web).status
    check_eq("shared: CreateContainer: CONTAINER_CREATED", pb.CONTAINER_CREATED, st.state)
    pod.start(web)
    pod.start(side)
    states = [cri.container_status(c).status for c in (web, side)]
    check("shared: StartContainer x2: both CONTAINER_RUNNING with a start time",
          all(s.state == pb.CONTAINER_RUNNING and s.started_at > 0 for s in states), states)
    wpid, spid = cri.container_pid(web), cri.container_pid(side)

    for ns in ("net", "ipc", "uts", "pid"):
        views = {ns_of(p, ns) for p in (pause, wpid, spid)}
        check(f"shared: both containers are in the sandbox's {ns} namespace (not the host's)",
              len(views) == 1 and ns_of(os.getpid(), ns) not in views, views)
    check("shared: each container has its own mount namespace",
          len({ns_of(p, "mnt") for p in (pause, wpid, spid)}) == 3)
    check_cgroups("shared: a container's cgroup is the pod's cgroup_parent + its id", wpid,
                  f"{pod.cgroup.path}/{web}")

    rc, out, err = exec_out(side, ["ps", "-o", "pid,args"])
    check("shared: pid namespace: side sees pause as PID 1 and web's httpd",
          rc == 0 and re.search(r"^\s*1 /pause$", out, re.M) and "httpd" in out, out, err)
    def fetch():
        r = exec_out(side, ["wget", "-q", "-O", "-", "http://127.0.0.1:8080/index.html"])
        return r if r[1] == "pong\n" else None
    got = wait_for(fetch, 5) or exec_out(side, ["wget", "-q", "-O", "-", "http://127.0.0.1:8080/index.html"])
    check_eq("shared: network namespace: side reaches web's httpd on 127.0.0.1", "pong\n", got[1], got)
    rc1 = exec_out(web, ["sh", "-c", "echo via-shm >/dev/shm/probe"])[0]
    check_eq("shared: IPC: side reads what web wrote to the pod's /dev/shm", (0, "via-shm\n"),
             (rc1, exec_out(side, ["cat", "/dev/shm/probe"])[1]))
    check_eq("shared: UTS: the pod's hostname", "shared\n", exec_out(side, ["hostname"])[1])
    ip = pod.status().status.network.ip
    _, out, _ = exec_out(web, ["ip", "-4", "-o", "addr", "show", "eth0"])
    check("shared: the pod IP is on the containers' eth0", ip and f"inet {ip}/" in out, out)
    check_eq("shared: sysctls of the pod (ipc and net namespaces) are set", "1\n1000\n",
             exec_out(side, ["cat", "/proc/sys/kernel/shm_rmid_forced",
                             "/proc/sys/net/ipv4/ip_unprivileged_port_start"])[1])

    # probes (ExecSync), with output, exit status, and a timeout
    check_eq("shared: ExecSync (a probe): exit 0 and its output", (0, "pong\n", ""), exec_out(web, ["cat", "/www/index.html"]))
    check_eq("shared: ExecSync: exit 3, stdout and stderr apart", (3, "out\n", "err\n"),
             exec_out(web, ["sh", "-c", "echo out; echo err >&2; exit 3"]))
    check_eq("shared: ExecSync as a failing probe: exit 1", 1, exec_out(web, ["cat", "/nonexistent"])[0])
    for cmd, why in ((["nosuchprobe"], "executable file not found"), (["/bin/notexec"], "permission denied")):
        try:
            r = cri.exec_sync(web, cmd, 5)
            not_ok(f"shared: ExecSync of a probe command that cannot run fails ({why})", r)
        except grpc.RpcError as e:
            check(f"shared: ExecSync of a probe command that cannot run fails ({why})", why in (e.details() or ""),
                  e.details())
    t0 = time.monotonic()
    try:
        r = cri.exec_sync(web, ["sleep", "30"], timeout=1)
        not_ok("shared: ExecSync with a 1 s timeout fails after it", f"it returned {r}")
    except grpc.RpcError as e:
        took = time.monotonic() - t0
        check("shared: ExecSync with a 1 s timeout fails after it (not before, not 30 s later)",
              1 <= took < 10 and "timeout" in (e.details() or ""), f"{took:.1f} s: {e.code().name}: {e.details()}")
    left = wait_for(lambda: "sleep 30" not in exec_out(side, ["ps", "-o", "args"])[1], 5)
    check("shared: the timed-out exec's process was killed", left, exec_out(side, ["ps", "-o", "pid,args"])[1])

    # the kubelet runs liveness and readiness probes side by side
    with concurrent.futures.ThreadPoolExecutor(4) as ex:
        res = list(ex.map(lambda i: exec_out(web if i % 2 else side, ["echo", f"probe-{i}"]), range(12)))
    check_eq("shared: 12 ExecSync probes, 4 at a time, into both containers: each its own output",
             [(0, f"probe-{i}\n", "") for i in range(12)], res)
    rc, out, _ = exec_out(web, ["sh", "-c", "head -c 1048576 /dev/zero | tr '\\0' a"])
    check_eq("shared: ExecSync with 1 MiB of output: all of it", (0, 1048576, {"a"}), (rc, len(out), set(out)))

    # logs in the CRI format
    entries = wait_for(lambda: (lambda e: e if len(e) >= 2 else None)(log_entries(pod.log_path("web"))), 5) or \
        log_entries(pod.log_path("web"))
    check("shared: container log: every line is 'TIME STREAM F|P TEXT' (the CRI log format)",
          entries and all(e[0] for e in entries), entries)
    check("shared: container log: stdout and stderr lines, tagged F (full)",
          ("stdout", "F", "hello-out") in [e[1:] for e in entries] and ("stderr", "F", "hello-err") in [e[1:] for e in entries],
          entries)
    check_eq("shared: ContainerStatus: log_path", pod.log_path("web"), cri.container_status(web).status.log_path)

    # resources: UpdateContainerResources reaches the cgroup
    n_updates = len(runtime_calls("update"))
    cri.update(web, memory_limit_in_bytes=64 * MiB, cpu_period=100000, cpu_quota=50000, cpu_shares=512)
    check_eq("shared: UpdateContainerResources: the memory limit is in the container's cgroup", 64 * MiB, memory_limit(wpid))
    check_eq("shared: UpdateContainerResources: cpu quota, period and shares are in the cgroup",
             (50000, 100000, want_shares(512)), cpu_limits(wpid))
    check("shared: UpdateContainerResources called the runtime's update", len(runtime_calls("update")) > n_updates,
          runtime_calls("update"))
    cri.update(web, memory_limit_in_bytes=128 * MiB, cpu_period=100000, cpu_quota=200000, cpu_shares=1024,
               cpuset_cpus="0")
    check_eq("shared: a second update raises the limits, pins the cpus (cpuset 0)",
             (128 * MiB, (200000, 100000, want_shares(1024)), "0"),
             (memory_limit(wpid), cpu_limits(wpid), cgroup_file(wpid, "cpuset" if is_v1("cpuset") else "", "cpuset.cpus")))

    # stats from the cgroup
    exec_out(web, ["sh", "-c", "i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done"])
    s = cri.stats(web)
    usage = cpu_usage_ns(wpid)
    check("shared: ContainerStats: the container's id, cpu usage (at most the cgroup's, > 0) and memory",
          s.attributes.id == web and 0 < s.cpu.usage_core_nano_seconds.value <= usage and s.cpu.timestamp > 0
          and s.memory.working_set_bytes.value > 0, s, f"cgroup cpu usage: {usage}")
    ids = {x.attributes.id for x in cri.list_stats(pod.id)}
    check_eq("shared: ListContainerStats of the pod: both containers", {web, side}, ids)
    listed = {c.id: c.state for c in cri.list_containers(pod.id)}
    check_eq("shared: ListContainers of the pod: both running", {web: pb.CONTAINER_RUNNING, side: pb.CONTAINER_RUNNING}, listed)
    check("shared: ListPodSandbox lists the pod, ready",
          any(p.id == pod.id and p.state == pb.SANDBOX_READY for p in cri.list_pods()))

    # stop: web exits 42 on SIGTERM (its httpd, in the same cgroup, is killed with it); side
    # ignores SIGTERM and is killed after the grace period
    t0 = time.monotonic()
    cri.stop(web, 10)
    took = time.monotonic() - t0
    st = cri.container_status(web).status
    check("shared: StopContainer (grace 10 s) of a process that exits on SIGTERM: exit 42, reason Error, at once",
          st.state == pb.CONTAINER_EXITED and st.exit_code == 42 and st.reason == "Error" and took < 8,
          f"{took:.1f} s", st)
    _, out, _ = exec_out(side, ["ps", "-o", "pid,args"])
    check("shared: the stopped container's other processes (httpd) are gone", "httpd" not in out, out)
    gone = wait_for(lambda: not any(os.path.isdir(p + f"{pod.cgroup.path}/{web}") for p in cgroup_mounts()[1]), 5)
    check("shared: the stopped container's cgroup is removed", gone)
    t0 = time.monotonic()
    cri.stop(side, 2)
    took = time.monotonic() - t0
    st = cri.container_status(side).status
    check("shared: StopContainer (grace 2 s) of a process that ignores SIGTERM: SIGKILL after 2 s, exit 137",
          st.state == pb.CONTAINER_EXITED and st.exit_code == 137 and 2 <= took < 10, f"{took:.1f} s", st)
    check("shared: the stopped containers' processes are gone", not alive(wpid) and not alive(spid))

    for c in (web, side):
        cri.remove(c)
    check_eq("shared: RemoveContainer x2: the pod lists no container", [], list(cri.list_containers(pod.id)))
    pod.stop()
    st = pod.status().status
    check_eq("shared: StopPodSandbox: SANDBOX_NOTREADY", pb.SANDBOX_NOTREADY, st.state)
    check("shared: StopPodSandbox: the pause process is gone", wait_for(lambda: not alive(pause), 5))
    check_removed(pod)


def check_removed(pod):
    pod.remove()
    try:
        pod.status()
        not_ok(f"{pod.name}: RemovePodSandbox: PodSandboxStatus says NotFound", "it still answers")
    except grpc.RpcError as e:
        check_eq(f"{pod.name}: RemovePodSandbox: PodSandboxStatus says NotFound", grpc.StatusCode.NOT_FOUND, e.code())
    pod.id = None
    left = pod.cgroup.remove()
    check(f"{pod.name}: the pod's cgroup is empty (removed as the kubelet removes it)", not left, *left)


# -- pod "jobs": containers with their own pid namespace; exit reasons, security contexts,
#    seccomp, and a StopPodSandbox that must kill the containers still running.

SLEEPER = ["sh", "-c", 'trap "exit 0" TERM; while :; do sleep 1 & wait; done']
DENY_MKDIR = {"defaultAction": "SCMP_ACT_ALLOW",
              "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}
DEFAULT_CAPS = {0, 1, 3, 4, 5, 6, 7, 8, 10, 13, 18, 27, 29, 31}  # containerd's default set


def jobs_pod():
    own = pb.NamespaceOption(network=pb.POD, pid=pb.CONTAINER, ipc=pb.POD)
    pod = new_pod("jobs", security_context=dict(namespace_options=own, privileged=True))
    pod.run()
    ok("jobs: RunPodSandbox (privileged sandbox)")
    _, pause = check_pod_started(pod)

    ends = {
        "done": (["sh", "-c", "exit 0"], {}, (0, "Completed")),
        "fail": (["sh", "-c", "echo failing; exit 3"], {}, (3, "Error")),
        "oom": (["tail", "/dev/zero"], {"memory_limit_in_bytes": 32 * MiB}, (137, "OOMKilled")),
    }
    started = {name: pod.run_container(name, cmd, resources=res) for name, (cmd, res, _) in ends.items()}

    profile = os.path.join(T, "seccomp", "deny-mkdir.json")
    with open(profile, "w") as f:
        json.dump(DENY_MKDIR, f)
    vol, vol_ro, termlog = (os.path.join(T, "volumes", x) for x in ("data", "config", "termination-log"))
    for d in (vol, vol_ro):
        os.makedirs(d, exist_ok=True)
    with open(os.path.join(vol_ro, "key"), "w") as f:
        f.write("value\n")
    open(termlog, "w").close()
    plain = dict(seccomp=pb.SecurityProfile(profile_type=pb.SecurityProfile.Unconfined),
                 mounts=[("/data", vol, False), ("/config", vol_ro, True), ("/dev/termination-log", termlog, False)],
                 envs={"POD_NAME": "jobs", "GREETING": "hello world"}, working_dir="/tmp",
                 devices=[("/dev/xzero", "/dev/zero", "rw")])
    run = {
        "seccomp-default": dict(seccomp=pb.SecurityProfile(profile_type=pb.SecurityProfile.RuntimeDefault)),
        "seccomp-local": dict(seccomp=pb.SecurityProfile(profile_type=pb.SecurityProfile.Localhost, localhost_ref=profile)),
        "plain": plain,
        "readonly": dict(readonly_rootfs=True),
        "user": dict(run_as_user=pb.Int64Value(value=1000), run_as_group=pb.Int64Value(value=2000),
                     supplemental_groups=[3000, 4000], no_new_privs=True),
        "nobody": dict(run_as_username="nobody"),
        "caps": dict(capabilities=pb.Capability(add_capabilities=["NET_ADMIN"], drop_capabilities=["CHOWN"])),
        "privileged": dict(privileged=True),
    }
    cids = {name: pod.run_container(name, SLEEPER, **sec) for name, sec in run.items()}
    cids["limited"] = pod.run_container("limited", SLEEPER, resources=dict(
        memory_limit_in_bytes=48 * MiB, cpu_period=100000, cpu_quota=20000, cpu_shares=256))
    cids["pid1"] = pod.run_container("pid1", ["sleep", "1000"])
    cids["tty"] = pod.run_container("tty", ["sh", "-c", "tty; while :; do sleep 1; done"], tty=True)
    cids["logger"] = pod.run_container("logger", ["sh", "-c", "i=0; while :; do i=$((i+1)); echo line-$i; sleep 0.1; done"])
    pids = {name: cri.container_pid(cid) for name, cid in cids.items()}
    c = cids

    for name, (_, _, (code, reason)) in ends.items():
        st = cri.wait_state(started[name], pb.CONTAINER_EXITED, 30)
        check_eq(f"jobs: ContainerStatus of '{name}': exited {code}, reason {reason}",
                 (pb.CONTAINER_EXITED, code, reason), (st.state, st.exit_code, st.reason), st.message)
    check_eq("jobs: CreateContainer's resources are in the cgroup (memory, cpu quota, period, shares)",
             (48 * MiB, (20000, 100000, want_shares(256))), (memory_limit(pids["limited"]), cpu_limits(pids["limited"])))
    part("jobs: a restart", restart_checks, pod, started["fail"])
    part("jobs: start failures", start_failures, pod)

    check_eq("jobs: RuntimeDefault seccomp: a filter is loaded", "2", status_field(pids["seccomp-default"], "Seccomp"))
    rc, _, err = exec_out(c["seccomp-default"], ["unshare", "-U", "true"])
    rc_u, _, err_u = exec_out(c["plain"], ["unshare", "-U", "true"])
    check("jobs: RuntimeDefault seccomp: unshare(CLONE_NEWUSER) is refused (allowed when Unconfined)",
          rc != 0 and "not permitted" in err and rc_u == 0, (rc, err), (rc_u, err_u))
    check_eq("jobs: Unconfined seccomp: no filter", "0", status_field(pids["plain"], "Seccomp"))
    rc, _, err = exec_out(c["seccomp-local"], ["mkdir", "/tmp/d"])
    check("jobs: Localhost seccomp profile: mkdir gets its EPERM",
          rc != 0 and "not permitted" in err and status_field(pids["seccomp-local"], "Seccomp") == "2", (rc, err))
    check_eq("jobs: Localhost seccomp profile: other calls pass", 0, exec_out(c["seccomp-local"], ["touch", "/tmp/f"])[0])

    rc, _, err = exec_out(c["readonly"], ["touch", "/probe"])
    check("jobs: readOnlyRootFilesystem: the root is read-only", rc != 0 and "Read-only file system" in err, (rc, err))
    check_eq("jobs: without it the root is writable", 0, exec_out(c["plain"], ["touch", "/probe"])[0])

    part("jobs: volumes and environment", volume_checks, c["plain"], pids["plain"], vol, termlog)

    check_eq("jobs: runAsUser/runAsGroup: the process's uid and gid",
             ("1000", "2000"), (status_field(pids["user"], "Uid").split()[0], status_field(pids["user"], "Gid").split()[0]))
    groups = set(status_field(pids["user"], "Groups").split())
    check("jobs: supplemental groups 3000 and 4000 (with the primary group)", {"3000", "4000"} <= groups, groups)
    check_eq("jobs: ExecSync runs as the container's user too", (0, "1000 2000\n", ""),
             exec_out(c["user"], ["sh", "-c", 'echo "$(id -u) $(id -g)"']))
    check_eq("jobs: allowPrivilegeEscalation false: no_new_privs (not without it)", ("1", "0"),
             (status_field(pids["user"], "NoNewPrivs"), status_field(pids["plain"], "NoNewPrivs")))
    check_eq("jobs: runAsUserName nobody: the image's uid 65534", "65534", status_field(pids["nobody"], "Uid").split()[0])

    eff = cap_set(status_field(pids["caps"], "CapEff"))
    check_eq("jobs: capabilities add NET_ADMIN, drop CHOWN: containerd's default set changed so",
             (DEFAULT_CAPS - {0}) | {12}, eff)
    rc, out, err = exec_out(c["caps"], ["sh", "-c", "grep CapEff /proc/self/status; chown 1 /tmp"])
    check("jobs: CHOWN dropped: chown fails in an exec, which has the container's capabilities",
          rc != 0 and "not permitted" in err and out.split()[1:] == [status_field(pids["caps"], "CapEff")], (rc, out, err))
    check_eq("jobs: a container without them has the default set", DEFAULT_CAPS,
             cap_set(status_field(pids["plain"], "CapEff")))

    priv = pids["privileged"]
    check_eq("jobs: privileged: every capability of the host's bounding set",
             cap_set(status_field(os.getpid(), "CapBnd")), cap_set(status_field(priv, "CapEff")))
    check_eq("jobs: privileged: no seccomp filter", "0", status_field(priv, "Seccomp"))

    def proc_paths(name):
        mounts = exec_out(c[name], ["cat", "/proc/mounts"])[1]
        return sorted(l.split()[1] for l in mounts.splitlines() if l.split()[1].startswith("/proc/"))
    check("jobs: privileged: no masked or read-only paths under /proc (there are without it)",
          proc_paths("privileged") == [] and {"/proc/sys", "/proc/keys"} <= set(proc_paths("plain")),
          proc_paths("privileged"), proc_paths("plain"))
    check_eq("jobs: privileged: the host's devices (/dev/kmsg) are there; not without it", (0, 1),
             (exec_out(c["privileged"], ["test", "-c", "/dev/kmsg"])[0], exec_out(c["plain"], ["test", "-e", "/dev/kmsg"])[0]))

    _, out, _ = exec_out(c["plain"], ["ps", "-o", "pid,args"])
    check("jobs: a container with its own pid namespace sees only its own processes",
          re.search(r"^\s*1 sh -c", out, re.M) and "/pause" not in out, out)

    tty_log = wait_for(lambda: [e for e in log_entries(pod.log_path("tty")) if e[3].rstrip("\r")], 5)
    check("jobs: tty: the process has a terminal, its output in the log's stdout",
          tty_log and tty_log[0][1:3] == ("stdout", "F") and tty_log[0][3].rstrip("\r") == "/dev/pts/0", tty_log)
    check_eq("jobs: tty: an exec shares nothing of it (no terminal for ExecSync)", 1, exec_out(c["tty"], ["tty", "-s"])[0])
    part("jobs: log rotation", reopen_checks, pod, c["logger"])

    t0 = time.monotonic()
    cri.stop(c["pid1"], 1)
    took = time.monotonic() - t0
    st = cri.container_status(c["pid1"]).status
    check("jobs: StopContainer (grace 1 s) of a PID 1 without a SIGTERM handler: SIGKILL after 1 s, exit 137",
          st.exit_code == 137 and 1 <= took < 8, f"{took:.1f} s", st)
    cri.stop(started["done"], 5)
    ok("jobs: StopContainer of a container that exited already: no error")
    try:
        r = cri.exec_sync(started["done"], ["true"], 5)
        not_ok("jobs: ExecSync into an exited container fails (a probe racing the exit)", r)
    except grpc.RpcError as e:
        ok(f"jobs: ExecSync into an exited container fails (a probe racing the exit): {e.code().name}")

    # the kubelet stops the pod with containers still running: all of them are killed
    running = [x for n, x in cids.items() if n != "pid1"]
    pod.stop()
    states = {cri.container_status(x).status.state for x in running}
    check_eq("jobs: StopPodSandbox with containers running: all exited", {pb.CONTAINER_EXITED}, states)
    check("jobs: their processes and the pause process are gone",
          wait_for(lambda: not any(alive(p) for p in list(pids.values()) + [pause]), 5),
          [p for p in list(pids.values()) + [pause] if alive(p)])
    check_removed(pod)
    check_eq("jobs: RemovePodSandbox removed its containers", [], list(cri.list_containers("")))


def restart_checks(pod, first):
    """The kubelet restarts an exited container: a new one, attempt 1, its own log file."""
    again = pod.run_container("fail", ["sh", "-c", "echo failing again; exit 3"], attempt=1)
    st = cri.wait_state(again, pb.CONTAINER_EXITED, 10)
    check_eq("jobs: restart (attempt 1): exits 3 again, the first one is still listed",
             (3, {first, again}), (st.exit_code, {x.id for x in cri.list_containers(pod.id) if x.metadata.name == "fail"}))
    texts = [e[3] for e in wait_for(lambda: log_entries(pod.log_path("fail", 1)), 5)]
    check_eq("jobs: restart: its log is fail/1.log, the first one's stays in fail/0.log",
             (["failing again"], ["failing"]), (texts, [e[3] for e in log_entries(pod.log_path("fail"))]))
    cri.remove(first)


def start_failures(pod):
    """StartContainer of a command that is missing or not executable fails; the container is
    reported exited 128, reason StartError, the runtime's message kept; nothing is left of it."""
    for name, cmd, why in (("missing", ["nosuchcommand"], r"not found|no such file"),
                           ("notexec", ["/bin/notexec"], r"permission denied")):
        cid = pod.create(name, cmd)
        try:
            pod.start(cid)
            not_ok(f"jobs: StartContainer of a {name} command fails", "it started")
            continue
        except grpc.RpcError as e:
            check(f"jobs: StartContainer of a {name} command fails, with the runtime's reason",
                  re.search(why, e.details() or "", re.I), e.details())
        st = cri.container_status(cid).status
        check_eq(f"jobs: ContainerStatus of the {name} command: exited 128, reason StartError",
                 (pb.CONTAINER_EXITED, 128, "StartError"), (st.state, st.exit_code, st.reason), st.message)
        cri.remove(cid)
        gone = not any(os.path.isdir(p + f"{pod.cgroup.path}/{cid}") for p in cgroup_mounts()[1])
        check(f"jobs: the failed {name} container left no cgroup", gone)


def volume_checks(cid, pid, vol, termlog):
    rc = exec_out(cid, ["sh", "-c", "echo from-pod >/data/f && echo bye >/dev/termination-log"])[0]
    with open(os.path.join(vol, "f")) as f, open(termlog) as g:
        check_eq("jobs: a hostPath volume and the termination-log file: written through to the host",
                 (0, "from-pod\n", "bye\n"), (rc, f.read(), g.read()))
    rc, out, err = exec_out(cid, ["sh", "-c", "cat /config/key; touch /config/x"])
    check("jobs: a read-only volume: readable, not writable", rc != 0 and out == "value\n" and "Read-only" in err,
          (rc, out, err))
    check_eq("jobs: environment and working directory (also ExecSync's)", (0, "jobs|hello world|/tmp\n", ""),
             exec_out(cid, ["sh", "-c", 'echo "$POD_NAME|$GREETING|$PWD"']))
    check_eq("jobs: a device (as a device plugin passes it): /dev/zero as /dev/xzero, readable",
             (0, "4\n"), exec_out(cid, ["sh", "-c", "head -c 4 /dev/xzero | wc -c"])[:2])
    with open(f"/proc/{pid}/environ") as f:
        env = f.read().split("\0")
    check("jobs: the container's own process has the environment", "GREETING=hello world" in env, env)


def reopen_checks(pod, cid):
    """Log rotation as the kubelet does it: rename the file, ReopenContainerLog, the lines go on in
    a new file, none lost or repeated."""
    path = pod.log_path("logger")
    wait_for(lambda: len(log_entries(path)) >= 3, 5)
    os.rename(path, path + ".1")
    cri.reopen_log(cid)
    wait_for(lambda: len(log_entries(path)) >= 3, 5)
    time.sleep(0.3)
    old, new = [e[3] for e in log_entries(path + ".1")], [e[3] for e in log_entries(path)]
    nums = [int(t.split("-")[1]) for t in old + new if t.startswith("line-")]
    check("jobs: ReopenContainerLog after a rotation: the lines go on in the new file, none lost or repeated",
          old and new and nums == list(range(1, len(nums) + 1)), old[-3:], new[:3])


def burst_pod():
    """Eight containers created, started and stopped at once (the kubelet's workers run in
    parallel; each container has its own shim and runtime calls)."""
    pod = new_pod("burst", security_context=dict(namespace_options=pb.NamespaceOption(
        network=pb.POD, pid=pb.CONTAINER, ipc=pb.POD)))
    pod.run()
    with concurrent.futures.ThreadPoolExecutor(8) as ex:
        cids = list(ex.map(lambda i: pod.run_container(f"c{i}", SLEEPER), range(8)))
        states = {cri.container_status(x).status.state for x in cids}
        check_eq("burst: 8 containers created and started at once: all running", {pb.CONTAINER_RUNNING}, states)
        outs = list(ex.map(lambda x: exec_out(x, ["hostname"])[1], cids))
        check_eq("burst: an ExecSync into each at once", ["burst\n"] * 8, outs)
        list(ex.map(lambda x: cri.stop(x, 10), cids))
    sts = [cri.container_status(x).status for x in cids]
    check_eq("burst: stopped at once: all exited 0 (their SIGTERM handler)", [(pb.CONTAINER_EXITED, 0)] * 8,
             [(x.state, x.exit_code) for x in sts])
    pod.stop()
    check_removed(pod)


def crash_pod():
    """The sandbox's pause process dies (killed on the node): with a shared pid namespace the
    kernel kills the containers with it; the kubelet sees the pod NOTREADY and removes it."""
    pod = new_pod("crash", security_context=dict(namespace_options=pb.NamespaceOption(
        network=pb.POD, pid=pb.POD, ipc=pb.POD)))
    pod.run()
    cid = pod.run_container("app", SLEEPER)
    pause, pid = pod.pause_pid(), cri.container_pid(cid)
    os.kill(pause, 9)
    st = cri.wait_state(cid, pb.CONTAINER_EXITED, 10)
    check_eq("crash: pause SIGKILLed: the container in its pid namespace exited 137", (pb.CONTAINER_EXITED, 137),
             (st.state, st.exit_code), st)
    check("crash: the pod is SANDBOX_NOTREADY", wait_for(lambda: pod.status().status.state == pb.SANDBOX_NOTREADY, 10))
    check("crash: no process of it is left", not alive(pid) and not alive(pause))
    pod.stop()
    check_removed(pod)


def node_network_pod():
    """hostNetwork: the pod in the node's network namespace (containerd's: a namespace cri.sh made)."""
    pod = new_pod("node", security_context=dict(namespace_options=pb.NamespaceOption(
        network=pb.NODE, pid=pb.CONTAINER, ipc=pb.POD)))
    pod.run()
    cid = pod.run_container("agent", SLEEPER)
    node_net = ns_of(int(os.environ["CRI_CONTAINERD_PID"]), "net")
    check_eq("node: hostNetwork: pause and container are in the node's network namespace", {node_net},
             {ns_of(pod.pause_pid(), "net"), ns_of(cri.container_pid(cid), "net")})
    _, out, _ = exec_out(cid, ["ip", "-o", "link", "show", "cri0"])
    check("node: hostNetwork: the container sees the node's CNI bridge", "cri0" in out, out)
    pod.stop()
    check_removed(pod)


def main():
    part("node", node_checks)
    try:
        part("pod 'shared'", shared_pod)
        part("pod 'jobs'", jobs_pod)
        part("pod 'burst'", burst_pod)
        part("pod 'crash'", crash_pod)
        part("pod 'node'", node_network_pod)
    finally:
        # whatever failed: the pods go, as the kubelet would remove them
        for pod in pods:
            left = part(f"{pod.name}: teardown", pod.teardown)
            if left:
                print(f"# {pod.name}: cgroup directories left: {left}")
    sys.exit(0)


if __name__ == "__main__":
    main()
