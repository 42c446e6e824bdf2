#!/usr/bin/env bash
# podman-rootless.sh: rootless podman (a test user with /etc/subuid and /etc/subgid ranges,
# made here and removed at the end) with RUNTIME: run, exit codes, -t, exec (-t), stop, rm,
# --userns=keep-id; podman's own storage (vfs), runroot, config and XDG_RUNTIME_DIR in the
# temp dir, cgroupfs manager (this hybrid host delegates no cgroup: podman makes none), no
# network. TAP on stdout.
# Usage: [RUNTIME=runc] tests/engines/podman-rootless.sh
set -uo pipefail
. "$(dirname "$0")/lib.sh"
eng_enter podman-rootless "$@"
eng_setup podman-rootless

export T=$ENG_TMP
eng_install podman uidmap || { eng_not_ok "install podman and uidmap" "apt-get failed"; exit 1; }

# The user must reach the runtime: a copy in the temp dir (a checkout may be below a 0700
# home), behind the logging wrapper; the wrapper's log is the user's to append to.
mkdir -p "$T/rt"
cp "$RUNTIME" "$T/rt/"
RUNTIME=$T/rt/${RUNTIME##*/}
eng_runtime_wrapper
chmod 666 "$ENG_CALLS"

# useradd gives the user free subordinate ranges (login.defs); userdel takes them back
# a name free on this machine ($$ is 1 here, in every engine run): useradd refuses a taken one
# (status 9), and another run's user must never be ours to remove
touch /etc/subuid /etc/subgid
RL_USER=
for _ in 1 2 3 4 5 6 7 8 9 10; do
    u=ocirl-p-$RANDOM
    useradd --no-create-home --home-dir "$T/home" --shell /bin/sh "$u" 2>/dev/null
    rc=$?
    [ "$rc" -eq 0 ] && { RL_USER=$u; break; }
    [ "$rc" -eq 9 ] || break
done
[ -n "$RL_USER" ] || { eng_not_ok "create the test user" "useradd failed"; exit 1; }
remove_user() { id "$RL_USER" >/dev/null 2>&1 && userdel "$RL_USER"; }
# after lib.sh's clean-up (its EXIT trap ends in exit): chained, not replaced
trap 'remove_user; eng_finish' EXIT
RL_UID=$(id -u "$RL_USER")
RL_GID=$(id -g "$RL_USER")
mkdir -p -m 700 "$T/home" "$T/xdg"
mkdir -p "$T/home/.config" "$T/home/.local/share"
chown -R "$RL_USER:$RL_USER" "$T/home" "$T/xdg"
for d in storage run libpod volumes cni; do
    mkdir -p "$T/$d"
    chown "$RL_USER:$RL_USER" "$T/$d"
done

. "$(dirname "$0")/podman-conf.sh"
podman_conf "$T" cgroupfs vfs "$ENG_RT"

# as_user CMD...: CMD as the test user in a clean environment (its HOME, XDG_RUNTIME_DIR,
# podman's configuration files).
as_user() {
    setpriv --reuid "$RL_UID" --regid "$RL_GID" --init-groups -- env -i \
        PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$T/home" USER="$RL_USER" LOGNAME="$RL_USER" \
        XDG_RUNTIME_DIR="$T/xdg" XDG_CONFIG_HOME="$T/home/.config" XDG_DATA_HOME="$T/home/.local/share" \
        CONTAINERS_CONF="$T/containers.conf" CONTAINERS_STORAGE_CONF="$T/storage.conf" \
        CONTAINERS_REGISTRIES_CONF="$T/registries.conf" "$@"
}
export RL_UID RL_GID RL_USER
podman() { as_user podman --root "$T/storage" --runroot "$T/run" --cgroup-manager cgroupfs "$@"; }
state() { podman inspect -f "{{.State.$2}}" "$1" 2>/dev/null; }

eng_run podman info --format '{{.Host.Security.Rootless}} {{.Host.OCIRuntime.Path}} {{.Host.CgroupManager}}'
check_eq "podman runs rootless as $RL_USER, with the runtime and cgroupfs" "true $ENG_RT cgroupfs" "$OUT" "$ERR"

eng_build_image "$T/busybox.tar"
chmod 644 "$T/busybox.tar"
check "load the busybox image" podman load -i "$T/busybox.tar"

check_out "run echo" "hello ocirun" podman run --rm "$ENG_IMAGE" echo hello ocirun
check_rc "run: exit 0" 0 podman run --rm "$ENG_IMAGE" sh -c 'exit 0'
check_rc "run: exit 3" 3 podman run --rm "$ENG_IMAGE" sh -c 'exit 3'
check_out "run: root in the container is the user outside" "0 $RL_UID 1" \
    podman run --rm "$ENG_IMAGE" sh -c 'read a b c </proc/self/uid_map; echo $a $b $c'
check_line1 "run -t: the process has a terminal" "/dev/pts/0" eng_tty podman run --rm -t "$ENG_IMAGE" tty
check_out "--userns=keep-id: the process runs with the user's uid and gid" "$RL_UID $RL_GID" \
    podman run --rm --userns=keep-id "$ENG_IMAGE" sh -c 'echo $(id -u) $(id -g)'
check_out "--userns=keep-id: a user namespace of its own, the user's uid mapped to itself" "$RL_UID 0 1" \
    podman run --rm --userns=keep-id "$ENG_IMAGE" awk -v u="$RL_UID" '$1 == u {print $1, $2, $3}' /proc/self/uid_map

check "run -d a long-running container" podman run -d --name c-main "$ENG_IMAGE" sh -c "$ENG_COUNTER"
eng_wait_output running state c-main Status
check_eq "running: inspect says running" running "$(state c-main Status)"
check_out "exec echo" "hi there" podman exec c-main echo hi there
check_rc "exec: exit 3" 3 podman exec c-main sh -c 'exit 3'
check_line1 "exec -t: the process has a terminal" "/dev/pts/0" eng_tty podman exec -t c-main tty

t0=$SECONDS
check "stop (SIGTERM, the process exits)" podman stop -t 20 c-main
check_eq "stopped: status 42 from its SIGTERM handler, before the timeout" "exited 42 fast" \
    "$(state c-main Status) $(state c-main ExitCode) $( ((SECONDS - t0 < 15)) && echo fast || echo slow)"
check "rm the stopped container" podman rm c-main
check "run -d (to rm -f)" podman run -d --name c-rmf "$ENG_IMAGE" sleep 1000
eng_wait_output running state c-rmf Status
check "rm -f a running container" podman rm -f -t 2 c-rmf
check_out "no container left (ps -a)" "" podman ps -aq

# the runtime ran as the user (its default root, $XDG_RUNTIME_DIR/NAME) and left nothing there
calls=$(grep -c ' create ' "$ENG_CALLS")
check_eq "the runtime created the containers (create calls recorded)" yes "$( ((calls >= 8)) && echo yes || echo "no: $calls")"
root=$T/xdg/${RUNTIME##*/}
[ "${RUNTIME##*/}" = runc ] || [ "${RUNTIME##*/}" = crun ] || [ -d "$root" ] ||
    eng_not_ok "the runtime's default root is \$XDG_RUNTIME_DIR/${RUNTIME##*/}" "no $root"
eng_run as_user "$RUNTIME" --root "$root" list -q
check_eq "the runtime lists no container in $root" "0 " "$RC $OUT" "$ERR"

podman rmi "$ENG_IMAGE" >/dev/null 2>&1
# podman's pause process (the user namespace it keeps) outlives every podman command
pause_pid=$(cat "$T/libpod/pause.pid" "$T/xdg/libpod/tmp/pause.pid" 2>/dev/null | head -n 1)
[ -n "$pause_pid" ] && kill -TERM "$pause_pid" 2>/dev/null
for _ in $(seq 50); do
    [ -n "$pause_pid" ] && kill -0 "$pause_pid" 2>/dev/null || break
    sleep 0.1
done
eng_finish_checks
