# cli_checks.sh: the checks podman.sh and docker.sh share (their command lines agree): run,
# exit codes, terminals, exec, top, pause, update, stop, kill, rm, nothing left behind.
# The caller defines cli (the client), cli_run (run with its options) and sets:
#   CLI_TOP_ARGS (array) and CLI_TOP_PID_COL: `top` arguments and the column holding host pids
#   CLI_MEMORY_FIELD: the inspect template of the memory limit after `update` ('' when the
#     engine does not report it: podman 4.3 shows 0)
#   CLI_RMF_ARGS (array): extra `rm -f` arguments
#   CLI_MONITOR, CLI_MONITOR_RE: the per-container monitor process that must not outlive it

state() { cli inspect -f "{{.State.$2}}" "$1" 2>/dev/null; }
wait_state() { eng_wait_output "$2" state "$1" Status; } # wait_state NAME STATUS (10 s)

cli_checks() {
    local pid t0
    eng_build_image "$T/busybox.tar"
    check "load the busybox image" cli load -i "$T/busybox.tar"
    check_out "the image is listed" "$ENG_IMAGE" cli images --format '{{.Repository}}:{{.Tag}}'

    check_out "run echo" "hello ocirun" cli_run --rm "$ENG_IMAGE" echo hello ocirun
    check_rc "run: exit 0" 0 cli_run --rm "$ENG_IMAGE" sh -c 'exit 0'
    # podman's config.json of this one is bench's `engine` profile (bench/capture-engine.sh)
    check_rc "run true: exit 0" 0 cli_run --rm "$ENG_IMAGE" true
    check_rc "run: exit 1" 1 cli_run --rm "$ENG_IMAGE" sh -c 'exit 1'
    check_rc "run: exit 7 of a shell's child" 7 cli_run --rm "$ENG_IMAGE" sh -c 'sh -c "exit 7"'
    check_rc "run a non-executable file: 126" 126 cli_run --rm "$ENG_IMAGE" /bin/notexec
    check_rc "run a missing command: 127" 127 cli_run --rm "$ENG_IMAGE" nosuchcommand

    check_line1 "run -t: the process has a terminal" "/dev/pts/0" eng_tty cli_run --rm -t "$ENG_IMAGE" tty
    check_rc "run -it: stdin and stdout are terminals" 0 eng_tty cli_run --rm -it "$ENG_IMAGE" sh -c 'test -t 0 && test -t 1'

    check "run -d a long-running container" cli_run -d --name c-main "$ENG_IMAGE" sh -c "$ENG_COUNTER"
    wait_state c-main running
    pid=$(state c-main Pid)
    check_cgroup_parent "its cgroups are below the engine's cgroup parent" "${pid:-0}"

    eng_todo_unless exec
    check_out "exec echo" "hi there" cli exec c-main echo hi there
    check_rc "exec: exit 3" 3 cli exec c-main sh -c 'exit 3'
    check_line1 "exec -t: the process has a terminal" "/dev/pts/0" eng_tty cli exec -t c-main tty
    check_rc "exec -it: stdin and stdout are terminals" 0 eng_tty cli exec -it c-main sh -c 'test -t 0 && test -t 1'
    eng_todo_unless

    eng_run cli top c-main "${CLI_TOP_ARGS[@]}"
    if [ "$RC" -eq 0 ] && [ -n "$pid" ] && awk -v p="$pid" -v c="$CLI_TOP_PID_COL" '$c == p {f=1} END {exit !f}' <<<"$OUT"; then
        eng_ok "top lists the container's init"
    else
        eng_not_ok "top lists the container's init" "init pid: $pid" "$(eng_diag cli top c-main "${CLI_TOP_ARGS[@]}")"
    fi

    check "pause" cli pause c-main
    check_eq "paused: inspect says paused" paused "$(state c-main Status)"
    check_frozen "paused: the process is frozen" "$pid"
    check "unpause" cli unpause c-main
    check_eq "unpaused: inspect says running" running "$(state c-main Status)"
    check_counting "unpaused: the process runs" "$pid"

    check "update --memory 64m" cli update --memory 64m --memory-swap 64m c-main
    check_eq "updated: the container's cgroup has the memory limit" 67108864 "$(eng_memory_limit "${pid:-0}" 2>&1)"
    if [ -n "$CLI_MEMORY_FIELD" ]; then
        check_eq "updated: inspect has the memory limit" 67108864 "$(cli inspect -f "$CLI_MEMORY_FIELD" c-main)"
    fi

    t0=$SECONDS
    check "stop (SIGTERM, the process exits)" cli stop -t 20 c-main
    check_eq "stopped: status 42 from its SIGTERM handler, before the timeout" "exited 42 fast" \
        "$(state c-main Status) $(state c-main ExitCode) $( ((SECONDS - t0 < 15)) && echo fast || echo slow)"

    check "run -d a process that ignores SIGTERM" cli_run -d --name c-ign "$ENG_IMAGE" sh -c 'trap "" TERM; while :; do sleep 1; done'
    wait_state c-ign running
    t0=$SECONDS
    check "stop -t 2 (SIGTERM, then SIGKILL after 2 s)" cli stop -t 2 c-ign
    check_eq "stopped: status 137 after the timeout" "exited 137 timeout" \
        "$(state c-ign Status) $(state c-ign ExitCode) $( ((SECONDS - t0 >= 2)) && echo timeout || echo early)"

    check "run -d (to kill)" cli_run -d --name c-kill "$ENG_IMAGE" sh -c "$ENG_COUNTER"
    wait_state c-kill running
    check "kill -s USR1" cli kill -s USR1 c-kill
    cli wait c-kill >/dev/null 2>&1
    check_eq "killed: status 43 from its SIGUSR1 handler" "exited 43" "$(state c-kill Status) $(state c-kill ExitCode)"
    check "run -d (to kill with SIGKILL)" cli_run -d --name c-kill9 "$ENG_IMAGE" sleep 1000
    wait_state c-kill9 running
    check "kill -s KILL" cli kill -s KILL c-kill9
    cli wait c-kill9 >/dev/null 2>&1
    check_eq "killed: status 137" "exited 137" "$(state c-kill9 Status) $(state c-kill9 ExitCode)"

    check "rm stopped containers" cli rm c-main c-ign c-kill c-kill9
    check "run -d (to rm -f)" cli_run -d --name c-rmf "$ENG_IMAGE" sleep 1000
    wait_state c-rmf running
    check "rm -f a running container" cli rm -f "${CLI_RMF_ARGS[@]}" c-rmf

    check_out "no container left (ps -a)" "" cli ps -aq
    check_no_processes "no $CLI_MONITOR left" "$CLI_MONITOR_RE"
    check_runtime_lists

    cli rmi "$ENG_IMAGE" >/dev/null 2>&1
}
