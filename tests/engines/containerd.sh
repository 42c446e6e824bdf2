#!/usr/bin/env bash
# containerd.sh: containerd + ctr (runc shim v2, BinaryName = the runtime) drive RUNTIME through
# a container's life; TAP on stdout. Usage: [RUNTIME=runc] tests/engines/containerd.sh
set -uo pipefail
. "$(dirname "$0")/lib.sh"
eng_enter containerd "$@"
eng_setup containerd

T=$ENG_TMP
export T NS=ocirun-test
# containerd's shims put their sockets in /run/containerd/s whatever its state dir
eng_mask_dir /run/containerd
eng_install containerd || { eng_not_ok "install containerd" "apt-get failed"; exit 1; }

eng_containerd_toml "$T" io.containerd.grpc.v1.cri >"$T/config.toml"
eng_daemon containerd "$T/containerd.log" containerd --config "$T/config.toml" --log-level debug
eng_wait_socket "$T/containerd.sock" || { eng_not_ok "containerd starts" "$(tail -n 20 "$T/containerd.log")"; exit 1; }

ctr() { command ctr --address "$T/containerd.sock" --namespace "$NS" "$@"; }
# ctr run with the runtime: the runc shim v2 with BinaryName (--runc-binary) and its own root;
# each container in a cgroup below the unique parent.
crun_() {
    local id=$1
    shift
    ctr run --runc-binary "$ENG_RT" --runc-root "$T/runc" --cgroup "/$ENG_ID/$id" "$@"
}
# task_field ID COLUMN: PID (2) or STATUS (3) from `ctr task ls`.
task_field() { ctr task ls 2>/dev/null | awk -v id="$1" -v c="$2" '$1 == id {print $c}'; }
wait_status() { eng_wait_output "$2" task_field "$1" 3; } # wait_status ID STATUS (10 s)
# exit_of PID: the exit status of a backgrounded `ctr run` (given 30 s to end).
exit_of() {
    timeout 30 tail --pid "$1" -f /dev/null
    wait "$1"
}

eng_build_image "$T/busybox.tar"
check "import the busybox image" ctr images import "$T/busybox.tar"
check_out "the image is listed" "$ENG_IMAGE" ctr images ls -q

check_out "run echo" "hello ocirun" crun_ c-echo --rm "$ENG_IMAGE" c-echo echo hello ocirun
check_rc "run: exit 0" 0 crun_ c-rc0 --rm "$ENG_IMAGE" c-rc0 sh -c 'exit 0'
check_rc "run: exit 1" 1 crun_ c-rc1 --rm "$ENG_IMAGE" c-rc1 sh -c 'exit 1'
check_rc "run: exit 7 of a shell's child" 7 crun_ c-rc7 --rm "$ENG_IMAGE" c-rc7 sh -c 'sh -c "exit 7"'
# ctr maps no status for a process that cannot be executed: the runtime fails and so does ctr
eng_run crun_ c-noexec --rm "$ENG_IMAGE" c-noexec /bin/notexec
if [ "$RC" -ne 0 ] && grep -qi "permission denied" <<<"$ERR"; then
    eng_ok "run a non-executable file: fails with permission denied"
else
    eng_not_ok "run a non-executable file: fails with permission denied" "$(eng_diag ctr run c-noexec /bin/notexec)"
fi
ctr container rm c-noexec >/dev/null 2>&1
eng_run crun_ c-nocmd --rm "$ENG_IMAGE" c-nocmd nosuchcommand
if [ "$RC" -ne 0 ] && grep -Eqi "not found|no such file" <<<"$ERR"; then
    eng_ok "run a missing command: fails with not found"
else
    eng_not_ok "run a missing command: fails with not found" "$(eng_diag ctr run c-nocmd nosuchcommand)"
fi
ctr container rm c-nocmd >/dev/null 2>&1

check_line1 "run -t: the process has a terminal" "/dev/pts/0" \
    eng_tty ctr run --runc-binary "$ENG_RT" --runc-root "$T/runc" --cgroup "/$ENG_ID/c-tty" --rm -t "$ENG_IMAGE" c-tty tty
check_rc "run -t: stdin and stdout are terminals" 0 \
    eng_tty ctr run --runc-binary "$ENG_RT" --runc-root "$T/runc" --cgroup "/$ENG_ID/c-tty2" --rm -t "$ENG_IMAGE" c-tty2 sh -c 'test -t 0 && test -t 1'

# A long-running container: ctr run in the background returns the container's status.
crun_ c-main --rm "$ENG_IMAGE" c-main sh -c "$ENG_COUNTER" >"$T/c-main.out" 2>&1 </dev/null &
main_ctr=$!
if wait_status c-main RUNNING; then
    eng_ok "run a long-running container"
else
    eng_not_ok "run a long-running container" "$(cat "$T/c-main.out")"
fi
pid=$(task_field c-main 2)
check_cgroup_parent "its cgroups are below the test's parent" "${pid:-0}"

eng_todo_unless exec
check_out "exec echo" "hi there" ctr task exec --exec-id e1 c-main echo hi there
check_rc "exec: exit 3" 3 ctr task exec --exec-id e2 c-main sh -c 'exit 3'
check_line1 "exec -t: the process has a terminal" "/dev/pts/0" eng_tty ctr task exec -t --exec-id e3 c-main tty
check_rc "exec -t: stdin and stdout are terminals" 0 eng_tty ctr task exec -t --exec-id e4 c-main sh -c 'test -t 0 && test -t 1'
eng_todo_unless

eng_run ctr task ps c-main
if [ "$RC" -eq 0 ] && [ -n "$pid" ] && awk -v p="$pid" '$1 == p {f=1} END {exit !f}' <<<"$OUT"; then
    eng_ok "task ps lists the container's init"
else
    eng_not_ok "task ps lists the container's init" "init pid: $pid" "$(eng_diag ctr task ps c-main)"
fi

check "pause" ctr task pause c-main
check_eq "paused: task ls says PAUSED" PAUSED "$(task_field c-main 3)"
check_frozen "paused: the process is frozen" "$pid"
check "resume" ctr task resume c-main
check_eq "resumed: task ls says RUNNING" RUNNING "$(task_field c-main 3)"
check_counting "resumed: the process runs" "$pid"

check "kill -s SIGUSR1" ctr task kill -s SIGUSR1 c-main
exit_of "$main_ctr"
check_eq "killed: the container's status is its SIGUSR1 handler's (43)" 43 "$?" "$(cat "$T/c-main.out")"

# stop = SIGTERM, then SIGKILL for a process that ignores it
crun_ c-stop --rm "$ENG_IMAGE" c-stop sh -c "$ENG_COUNTER" >"$T/c-stop.out" 2>&1 </dev/null &
stop_ctr=$!
wait_status c-stop RUNNING
check "kill (SIGTERM)" ctr task kill c-stop
exit_of "$stop_ctr"
check_eq "SIGTERM: the container's status is its handler's (42)" 42 "$?" "$(cat "$T/c-stop.out")"

crun_ c-ign --rm "$ENG_IMAGE" c-ign sh -c 'trap "" TERM; while :; do sleep 1; done' >"$T/c-ign.out" 2>&1 </dev/null &
ign_ctr=$!
wait_status c-ign RUNNING
check "kill (SIGTERM) a process that ignores it" ctr task kill c-ign
sleep 1
check_eq "SIGTERM ignored: still running" RUNNING "$(task_field c-ign 3)"
check "kill -s SIGKILL" ctr task kill -s SIGKILL c-ign
exit_of "$ign_ctr"
check_eq "SIGKILL: the container's status is 137" 137 "$?" "$(cat "$T/c-ign.out")"

# a detached container removed by hand: task rm, container rm
check "run -d" crun_ c-det -d "$ENG_IMAGE" c-det sleep 1000
check "kill -a -s SIGKILL (detached)" ctr task kill -a -s SIGKILL c-det
wait_status c-det STOPPED
check "task rm" ctr task rm c-det
check "container rm" ctr container rm c-det

check_out "no task left" "" ctr task ls -q
check_out "no container left" "" ctr container ls -q
check_no_processes "no shim left" 'containerd-shim.*'
check_runtime_lists

ctr images rm "$ENG_IMAGE" >/dev/null 2>&1
eng_stop_daemons
eng_finish_checks
