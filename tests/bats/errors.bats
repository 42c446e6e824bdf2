#!/usr/bin/env bats
# Command line basics and bad input: every failure exits non-zero with a message on stderr and
# leaves nothing behind (state dir, cgroup, mounts, processes).

load helpers

# ---------------------------------------------------------------------------------------------
# version / help / usage

@test "--version and -v" {
    for opt in --version -v; do
        run "$OCIRUN" "$opt"
        assert_success
        assert_line --index 0 --partial "version"
        assert_line --regexp '^spec: [0-9]+\.[0-9]+\.[0-9]+'
    done
}

@test "--version: wording" {
    # ocirun wording
    run "$OCIRUN" --version
    assert_success
    assert_line --index 0 --regexp '^ocirun version [0-9]+\.[0-9]+\.[0-9]+'
    assert_line 'spec: 1.3.0'
}

@test "--version: runc's lines in runc's order, with the runtime's own name, version and commit" {
    run "$OCIRUN" --version
    assert_success
    local name=${OCIRUN##*/} keys="" line field='^([a-z]+): [^ ]+$'
    assert_line --index 0 --regexp "^$name version [^ ]+\$"
    for line in "${lines[@]:1}"; do
        [[ "$line" =~ $field ]] || fail "not a 'field: value' line: $line"
        keys+="${BASH_REMATCH[1]} "
    done
    # runc's "go:" line says which Go built it: ocirun has no such line
    assert_equal "${keys/go /}" "commit spec libseccomp "
    assert_line --regexp '^libseccomp: [0-9]+\.[0-9]+\.[0-9]+$'
}

@test "--help and -h list the commands" {
    for opt in --help -h; do
        run "$OCIRUN" "$opt"
        assert_success
        for cmd in create start state kill delete run list; do
            assert_output --regexp "(^|[[:space:]])$cmd([[:space:]]|,|$)"
        done
    done
}

@test "COMMAND --help exits 0 and describes the command" {
    for cmd in create start state kill delete run list; do
        run "$OCIRUN" "$cmd" --help
        assert_success
        assert_output --partial "$cmd"
    done
    run "$OCIRUN" create --help
    assert_output --partial --bundle
    assert_output --partial --pid-file
    run "$OCIRUN" run --help
    assert_output --partial --detach
    run "$OCIRUN" kill --help
    assert_output --partial --all
    run "$OCIRUN" delete --help
    assert_output --partial --force
    run "$OCIRUN" list --help
    assert_output --partial --format
    assert_output --partial --quiet
}

@test "an unknown command fails" {
    run --separate-stderr "$OCIRUN" --root "$ROOT" no-such-command
    assert_failure
    [ -n "$stderr" ]
}

@test "an unknown option fails" {
    run --separate-stderr ocirun create --no-such-option --bundle "$BUNDLE" "$ID"
    assert_failure
    [ -n "$stderr" ]
    assert_no_leftovers "$ID"
}

@test "--root \"\" is refused before any command runs (ROOT/ID would be /ID)" {
    # (ocirun passes --root "$ROOT" first: the later empty one is the one that counts)
    for cmd in "delete --force $ID" "state $ID" list "kill $ID" "run -b $BUNDLE $ID"; do
        # shellcheck disable=SC2086
        run --separate-stderr ocirun --root "" $cmd
        assert_failure 1
        [[ "$stderr" == *"--root: the state directory must not be empty"* ]]
    done
    assert_no_leftovers "$ID"
}

@test "the suite's teardown with an empty ROOT runs no delete (\"\$ROOT\"/*/ would be /bin/, /etc/, ...)" {
    runc_differs "a test of the suite's helpers"
    local calls="$BATS_TEST_TMPDIR/calls"
    printf '#!/bin/sh\necho "$*" >>%s\n' "$calls" >"$BATS_TEST_TMPDIR/fake-runtime"
    chmod +x "$BATS_TEST_TMPDIR/fake-runtime"
    (ROOT="" OCIRUN="$BATS_TEST_TMPDIR/fake-runtime" CG_USED=() ROOTFS_USED=() common_teardown)
    [ ! -e "$calls" ] || fail "teardown ran: $(cat "$calls")"
}

@test "--systemd-cgroup without systemd on the bus fails naming the unit and leaves nothing" {
    # this host's PID 1 is not systemd (tests/bats-systemd/ runs the driver in a VM that boots it)
    [ ! -S /run/systemd/private ] || skip "systemd runs here"
    update_config '.linux.cgroupsPath = "system.slice:ocirun-test:'"$ID"'" | .process.args = ["true"]'
    run --separate-stderr ocirun --systemd-cgroup run --bundle "$BUNDLE" "$ID"
    assert_failure 1
    [[ "$stderr" == *"systemd unit ocirun-test-$ID.scope: connect to the system bus: "* ]] || fail "$stderr"
    [ ! -e "$ROOT/$ID" ]
    for h in /sys/fs/cgroup /sys/fs/cgroup/*; do
        [ ! -e "$h/system.slice/ocirun-test-$ID.scope" ] || fail "$h/system.slice/ocirun-test-$ID.scope made"
    done
    # a cgroupsPath that is not slice:prefix:name is refused before anything is tried
    update_config '.linux.cgroupsPath = "/a/b"'
    run --separate-stderr ocirun --systemd-cgroup run --bundle "$BUNDLE" "$ID"
    assert_failure 1
    [[ "$stderr" == *'"/a/b": the systemd driver wants slice:prefix:name'* ]] || fail "$stderr"
    [ ! -e "$ROOT/$ID" ]
}

@test "a missing container id fails for every command that needs one" {
    for cmd in create start state kill delete run; do
        run --separate-stderr ocirun "$cmd"
        assert_failure
        [ -n "$stderr" ]
    done
}

@test "errors exit with status 1 and 'ocirun: ' on stderr" {
    # ocirun wording
    run --separate-stderr ocirun state nosuchcontainer
    assert_failure 1
    [[ "$stderr" == *"ocirun: "*'container "nosuchcontainer" does not exist'* ]]
}

# ---------------------------------------------------------------------------------------------
# --log / --log-format

@test "--log FILE --log-format json: the error is the last line, as JSON" {
    log="$BATS_TEST_TMPDIR/log.json"
    run ocirun --log "$log" --log-format json state nosuchcontainer
    assert_failure
    [ -s "$log" ]
    last=$(tail -n 1 "$log")
    assert_equal "$(jq -r .level <<<"$last")" error
    [ -n "$(jq -r .msg <<<"$last")" ]
    [ -n "$(jq -r .time <<<"$last")" ]
    # every line is JSON
    jq -e . "$log" >/dev/null
}

@test "--log FILE --log-format json: wording" {
    # ocirun wording
    log="$BATS_TEST_TMPDIR/log.json"
    run ocirun --log "$log" --log-format json state nosuchcontainer
    assert_failure
    assert_equal "$(tail -n 1 "$log" | jq -r .msg)" 'container "nosuchcontainer" does not exist'
}

@test "--log=FILE with the default text format records the error" {
    log="$BATS_TEST_TMPDIR/log.txt"
    run ocirun --log="$log" state nosuchcontainer
    assert_failure
    [ -s "$log" ]
    grep -q "does not exist" "$log"
}

@test "--log-format with an unknown value fails" {
    run ocirun --log-format yaml state nosuchcontainer
    assert_failure
}

@test "--log on a successful create/start/delete keeps working" {
    log="$BATS_TEST_TMPDIR/log.json"
    update_config '.process.args = ["true"]'
    run ocirun --log "$log" --log-format json run --bundle "$BUNDLE" "$ID"
    assert_success
    if [ -s "$log" ]; then
        jq -e . "$log" >/dev/null
    fi
}

@test "--debug logs the set-up phases with their timings" {
    update_config '.process.args = ["true"]'
    local log="$BATS_TEST_TMPDIR/debug.json"
    run ocirun --debug --log "$log" --log-format json run --bundle "$BUNDLE" "$ID"
    assert_success
    # run: the init shares our memory and goes on to exec while we sleep (one phase for it all);
    # an ASan build (make check-asan-bats sets OCIRUN_ASAN) never shares it
    run jq -r 'select(.level == "debug") | .msg' "$log"
    if [ -z "${OCIRUN_ASAN:-}" ]; then
        assert_line --regexp '^create: parse config [0-9]+ us, state dir [0-9]+ us, cgroup [0-9]+ us, .*clone\+setup\+exec [0-9]+ us, save config [0-9]+ us, setup report [0-9]+ us, save state [0-9]+ us$'
        refute_line --partial 'go to exec'
    else
        assert_line --regexp '^create: parse config [0-9]+ us, state dir [0-9]+ us, cgroup [0-9]+ us, .*clone [0-9]+ us, .*save config [0-9]+ us, container setup [0-9]+ us, save state [0-9]+ us$'
    fi
    assert_line --regexp '^container setup process: namespaces [0-9]+ us, mounts [0-9]+ us, .*process attributes [0-9]+ us'
    # create (and run with hooks before start): the init is a copy that waits for us
    rm -f "$log"
    run ocirun --debug --log "$log" --log-format json create --bundle "$BUNDLE" "$ID"
    assert_success
    run jq -r 'select(.level == "debug") | .msg' "$log"
    assert_line --regexp '^create: parse config [0-9]+ us, state dir [0-9]+ us, cgroup [0-9]+ us, .*clone [0-9]+ us, .*save config [0-9]+ us, container setup [0-9]+ us, save state [0-9]+ us$'
    ocirun delete --force "$ID"
    rm -f "$log"
    update_config '.hooks.startContainer = [{"path": "/bin/true"}]'
    run ocirun --debug --log "$log" --log-format json run --bundle "$BUNDLE" "$ID"
    assert_success
    run jq -r 'select(.level == "debug") | .msg' "$log"
    assert_line --regexp '^run: go to exec [0-9]+ us$'
    # without --debug: none of it
    rm -f "$log"
    run ocirun --log "$log" --log-format json run --bundle "$BUNDLE" "$ID"
    assert_success
    [ ! -s "$log" ] || ! grep -q '"debug"' "$log"
}

# ---------------------------------------------------------------------------------------------
# Bad bundles: nothing is left behind

@test "bundle directory does not exist" {
    run --separate-stderr ocirun create --bundle "$BATS_TEST_TMPDIR/no-such-bundle" "$ID"
    assert_failure
    [ -n "$stderr" ]
    assert_no_leftovers "$ID"
}

@test "bundle directory does not exist: wording" {
    # ocirun wording
    run --separate-stderr ocirun create --bundle "$BATS_TEST_TMPDIR/no-such-bundle" "$ID"
    assert_failure 1
    [[ "$stderr" == *config.json* ]]
}

@test "config.json missing" {
    rm "$BUNDLE/config.json"
    expect_create_failure
    [[ "$stderr" == *config.json* ]]
}

@test "config.json is malformed JSON" {
    echo '{"ociVersion": "1.2.0", "process": {' >"$BUNDLE/config.json"
    expect_create_failure
}

@test "config.json is malformed JSON: wording" {
    # ocirun wording
    echo '{"ociVersion": "1.2.0", "process": {' >"$BUNDLE/config.json"
    expect_create_failure
    [[ "$stderr" == *"config.json: parse error"* ]]
}

@test "config.json is empty" {
    : >"$BUNDLE/config.json"
    expect_create_failure
}

@test "unknown namespace type" {
    update_config '.linux.namespaces[2].type = "pdi"'
    expect_create_failure
}

@test "unknown namespace type: wording" {
    # ocirun wording
    update_config '.linux.namespaces[2].type = "pdi"'
    expect_create_failure
    [[ "$stderr" == *'config.json: linux.namespaces[2].type: unknown namespace type "pdi"'* ]]
}

@test "root.path does not exist" {
    update_config '.root.path = "no-such-rootfs"'
    expect_create_failure
}

@test "process.args missing" {
    update_config 'del(.process.args)'
    expect_create_failure
}

@test "joining a namespace path that does not exist" {
    update_config '(.linux.namespaces[] | select(.type == "network")) .path = "/proc/999999999/ns/net"'
    expect_create_failure
}

@test "bind mount source that does not exist" {
    update_config ".mounts += [{destination: \"/mnt\", type: \"bind\", source: \"$BUNDLE/nope\",
                                options: [\"rbind\"]}]"
    expect_create_failure
}

@test "mount of an unknown filesystem type" {
    update_config '.mounts += [{destination: "/mnt", type: "nosuchfs", source: "x"}]'
    expect_create_failure
}

@test "process.cwd is not a directory" {
    update_config '.process.cwd = "/etc/passwd"'
    expect_run_failure
}

@test "process.args[0] not found: run fails, nothing left" {
    update_config '.process.args = ["no-such-binary"]'
    expect_run_failure
    [[ "$stderr" == *'executable file not found'* ]]
}

@test "process.args[0] not found: wording" {
    # ocirun wording (runc's message, but runc escapes the quotes in its text log format)
    update_config '.process.args = ["no-such-binary"]'
    expect_run_failure
    [[ "$stderr" == *'exec: "no-such-binary": executable file not found in $PATH'* ]]
}

@test "process.args[0] not found: create already fails" {
    update_config '.process.args = ["no-such-binary"]'
    expect_create_failure
    [[ "$stderr" == *'executable file not found'* ]]
}

@test "process.args[0] is not executable" {
    update_config '.process.args = ["/etc/passwd"]'
    expect_run_failure
}

# ---------------------------------------------------------------------------------------------
# Bad ids

@test "bad container ids are refused" {
    for bad in "../x" "a/b" "" "." ".." "/abs" "a b" "x\$y"; do
        run --separate-stderr ocirun create --bundle "$BUNDLE" "$bad"
        assert_failure
        [ -n "$stderr" ] || fail "id '$bad': no error message"
        assert_no_leftovers "$bad"
        # nothing was created outside the root either
        [ ! -e "$BATS_TEST_TMPDIR/x" ]
        [ -z "$(ls -A "$ROOT")" ] || fail "id '$bad': $ROOT is not empty: $(ls -A "$ROOT")"
    done
}

@test "bad container ids: wording" {
    # ocirun wording
    for bad in "../x" "a/b" ".."; do
        run --separate-stderr ocirun create --bundle "$BUNDLE" "$bad"
        assert_failure 1
        [[ "$stderr" == *"invalid container id \"$bad\""* ]]
    done
}

@test "bad container id for state/kill/delete/start" {
    for cmd in state kill delete start; do
        run --separate-stderr ocirun "$cmd" "../x"
        assert_failure
        [ -n "$stderr" ]
    done
}

@test "valid unusual ids: dots, dashes, underscores, plus, 255 chars" {
    update_config '.process.args = ["true"]'
    # 255 = NAME_MAX: the id names a directory under the root
    long=$(printf 'a%.0s' $(seq 255))
    for good in "a.b-c_d+e" "X9" "$long"; do
        run ocirun create --bundle "$BUNDLE" "$good"
        assert_success
        run ocirun delete --force "$good"
        assert_success
        [ ! -e "$ROOT/$good" ]
    done
}

@test "an id longer than 255 characters is refused, nothing left" {
    long=$(printf 'a%.0s' $(seq 256))
    run --separate-stderr ocirun create --bundle "$BUNDLE" "$long"
    assert_failure 1
    [[ "$stderr" == *"invalid container id"*"longer than 255 characters"* ]]
    [ -z "$(ls -A "$ROOT" 2>/dev/null)" ]
}

@test "duplicate id: the second create fails, the first container survives" {
    update_config '.process.args = ["sleep", "1000"]'
    create_container
    pid=$(container_pid "$ID")
    setup_bundle "$BATS_TEST_TMPDIR/bundle2" "$ID-dup"
    update_config '.process.args = ["sleep", "1000"]' "$BATS_TEST_TMPDIR/bundle2"
    run --separate-stderr ocirun create --bundle "$BATS_TEST_TMPDIR/bundle2" "$ID"
    assert_failure
    [ -n "$stderr" ]
    # the first is intact
    assert_equal "$(container_status "$ID")" created
    assert_equal "$(container_pid "$ID")" "$pid"
    pid_alive "$pid"
    assert_equal "$(ocirun state "$ID" | jq -r .bundle)" "$BUNDLE"
    # and can still be started
    run ocirun start "$ID"
    assert_success
    wait_for_status "$ID" running
    # the second left nothing but the first's state dir
    [ ! -e "$CG_MOUNT$CG_PARENT/$ID-dup" ]
    for p in /proc/[0-9]*; do
        [[ "$p/root/" -ef "$BATS_TEST_TMPDIR/bundle2/rootfs" ]] && fail "leftover process ${p#/proc/}"
    done
    ! grep -qF "$BATS_TEST_TMPDIR/bundle2" /proc/self/mountinfo
}

@test "duplicate id: wording" {
    # ocirun wording
    update_config '.process.args = ["sleep", "1000"]'
    create_container
    run --separate-stderr ocirun create --bundle "$BUNDLE" "$ID"
    assert_failure 1
    [[ "$stderr" == *"container \"$ID\" already exists"* ]]
}

@test "run with a bad bundle leaves nothing behind either" {
    update_config '.linux.namespaces[0].type = "pdi"'
    expect_run_failure
}

# ---------------------------------------------------------------------------------------------
# --debug and --log: where the lines go and their shape (runc's logrus lines)

LOG_TIME_RE='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(Z|[+-][0-9]{2}:[0-9]{2})'

# assert_text_log LEVEL TEXT: TEXT has lines, each a logrus text line of LEVEL:
# time="RFC3339" level=LEVEL msg=... (runc adds func= file= to some of its own).
assert_text_log() {
    local level=$1 text=$2 line n=0
    while IFS= read -r line; do
        [ -n "$line" ] || continue
        [[ "$line" =~ ^time=\"$LOG_TIME_RE\"\ level=$level\ msg= ]] || fail "not a logrus $level line: $line"
        n=$((n + 1))
    done <<<"$text"
    [ "$n" -gt 0 ] || fail "no $level lines in: $text"
}

# assert_json_log LEVEL FILE: FILE has lines, each a JSON object of LEVEL with a msg string and an
# RFC 3339 time to the second, as logrus' JSON formatter writes them.
assert_json_log() {
    run jq -se --arg level "$1" --arg re "^$LOG_TIME_RE\$" \
        'length > 0 and all(.[]; .level == $level and (.msg | type) == "string" and (.time | test($re)))' "$2"
    assert_success
}

# debug_each_command ARGS...: `run`, `create` and `exec` with the global ARGS and --debug; the
# stderr of each in $RUN_ERR, $CREATE_ERR, $EXEC_ERR. With $DEBUG_LOG (the --log of ARGS) set,
# what each wrote there is moved to $DEBUG_LOG.run, .create and .exec.
debug_each_command() {
    update_config '.process.args = ["true"]'
    run --separate-stderr ocirun "$@" --debug run --bundle "$BUNDLE" "$ID"
    assert_success
    RUN_ERR=$stderr
    [ -z "${DEBUG_LOG:-}" ] || mv "$DEBUG_LOG" "$DEBUG_LOG.run"
    update_config '.process.args = ["sleep", "1000"]'
    run --separate-stderr ocirun "$@" --debug create --bundle "$BUNDLE" "$ID"
    assert_success
    CREATE_ERR=$stderr
    [ -z "${DEBUG_LOG:-}" ] || mv "$DEBUG_LOG" "$DEBUG_LOG.create"
    run ocirun start "$ID"
    assert_success
    run --separate-stderr ocirun "$@" --debug exec "$ID" true
    assert_success
    EXEC_ERR=$stderr
    [ -z "${DEBUG_LOG:-}" ] || mv "$DEBUG_LOG" "$DEBUG_LOG.exec"
}

@test "--debug alone: debug lines on stderr as logrus text lines, for run, create and exec" {
    debug_each_command
    assert_text_log debug "$RUN_ERR"
    assert_text_log debug "$CREATE_ERR"
    assert_text_log debug "$EXEC_ERR"
}

@test "--debug --log FILE (--log-format text or none): debug lines in FILE as logrus text lines, nothing on stderr" {
    DEBUG_LOG="$BATS_TEST_TMPDIR/debug.log"
    for format in "" "--log-format text"; do
        debug_each_command --log "$DEBUG_LOG" $format
        assert_equal "$RUN_ERR$CREATE_ERR$EXEC_ERR" ""
        for what in run create exec; do
            assert_text_log debug "$(cat "$DEBUG_LOG.$what")"
        done
        run ocirun delete --force "$ID"
        assert_success
    done
}

@test "--debug --log FILE --log-format json: JSON debug lines in FILE, nothing on stderr" {
    DEBUG_LOG="$BATS_TEST_TMPDIR/debug.json"
    debug_each_command --log "$DEBUG_LOG" --log-format json
    assert_equal "$RUN_ERR$CREATE_ERR$EXEC_ERR" ""
    for what in run create exec; do
        assert_json_log debug "$DEBUG_LOG.$what"
    done
}

@test "--debug --log-format json without --log: JSON debug lines on stderr" {
    debug_each_command --log-format json
    for text in "$RUN_ERR" "$CREATE_ERR" "$EXEC_ERR"; do
        printf '%s\n' "$text" >"$BATS_TEST_TMPDIR/stderr.json"
        assert_json_log debug "$BATS_TEST_TMPDIR/stderr.json"
    done
}

@test "--log FILE: the error is the last line of FILE as a logrus text line, and on stderr" {
    local log="$BATS_TEST_TMPDIR/error.log"
    run --separate-stderr ocirun --log "$log" state nosuchcontainer
    assert_failure 1
    [[ "$stderr" == *"does not exist"* ]] || fail "stderr: $stderr"
    last=$(tail -n 1 "$log")
    assert_text_log error "$last"
    [[ "$last" == *"does not exist"* ]] || fail "last line: $last"
    # with --debug the error is still the last line
    update_config '.process.args = ["no-such-binary"]'
    run --separate-stderr ocirun --debug --log "$log" run --bundle "$BUNDLE" "$ID"
    assert_failure
    [[ "$stderr" == *"executable file not found"* ]] || fail "stderr: $stderr"
    last=$(tail -n 1 "$log")
    assert_text_log error "$last"
    [[ "$last" == *"executable file not found"* ]] || fail "last line: $last"
    assert_no_leftovers "$ID"
}

@test "--log-format json without --log: the error on stderr is a JSON line" {
    run --separate-stderr ocirun --log-format json state nosuchcontainer
    assert_failure 1
    printf '%s\n' "$stderr" >"$BATS_TEST_TMPDIR/stderr.json"
    assert_json_log error "$BATS_TEST_TMPDIR/stderr.json"
    [[ "$(jq -r .msg "$BATS_TEST_TMPDIR/stderr.json")" == *"does not exist"* ]]
}

# ---------------------------------------------------------------------------------------------
# -h / --help / help, everywhere runc takes them

ALL_COMMANDS="create start state kill delete run exec list pause resume update ps events spec features"

@test "-h, --help, help and no command print the usage; help COMMAND and COMMAND -h/--help a command's" {
    for form in -h --help help ""; do
        run --separate-stderr "$OCIRUN" $form
        assert_success
        for cmd in $ALL_COMMANDS; do
            [[ "$output" =~ (^|[[:space:]])$cmd([[:space:]]|,|$) ]] || fail "'$form' does not list $cmd: $output"
        done
    done
    for cmd in $ALL_COMMANDS; do
        run --separate-stderr "$OCIRUN" "$cmd" --help
        assert_success
        assert_output --partial "$cmd"
        local help=$output
        run --separate-stderr "$OCIRUN" "$cmd" -h
        assert_success
        assert_equal "$output" "$help"
        run --separate-stderr "$OCIRUN" help "$cmd"
        assert_success
        assert_equal "$output" "$help"
    done
}

@test "every command's help lists -h, --help" {
    runc_differs "runc's command help pages do not list their -h/--help flag"
    run "$OCIRUN" --help
    assert_line --regexp '^ +-h, --help '
    for cmd in $ALL_COMMANDS; do
        run "$OCIRUN" "$cmd" --help
        assert_success
        assert_line --regexp '^ +-h, --help ' || fail "'$cmd --help' does not list -h: $output"
    done
}

@test "an unknown command with -h, --help or after help is an error naming it" {
    for args in "foo -h" "foo --help" "help foo" "foo"; do
        run --separate-stderr "$OCIRUN" $args
        assert_failure
        assert_equal "$output" ""
        [[ "$stderr" == *foo* ]] || fail "'$args': the error does not name foo: $stderr"
    done
}
