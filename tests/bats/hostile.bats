#!/usr/bin/env bats
# Hostile configurations: each gets a clear error naming the field (or is confined to the
# rootfs), within a bounded time and memory, and leaves nothing behind.

load helpers

# expect_bounded_error TEXT [SECONDS] [MAX_KB]: `run` of the bundle fails with TEXT on stderr
# within SECONDS (default 10) and MAX_KB of memory (default 200 MB), and leaves nothing.
# (make check-asan-bats sets OCIRUN_ASAN: ASan's own memory is allowed on top.)
expect_bounded_error() {
    local text=$1 secs=${2:-10} max_kb=${3:-204800} kb
    [ -z "${OCIRUN_ASAN:-}" ] || max_kb=$((max_kb * 2))
    run --separate-stderr /usr/bin/time -f "%M" -o "$BATS_TEST_TMPDIR/rss" \
        timeout "$secs" "$OCIRUN" --root "$ROOT" run --bundle "$BUNDLE" "$ID"
    assert_failure 1
    [[ "$stderr" == *"$text"* ]] || fail "stderr lacks \"$text\": ${stderr:0:400}"
    kb=$(tail -n1 "$BATS_TEST_TMPDIR/rss")
    [ "$kb" -le "$max_kb" ] || fail "took $kb KB of memory (at most $max_kb)"
    assert_no_leftovers "$ID"
}

@test "hostile: every top-level config field with the wrong JSON type names the field" {
    local f v
    cp "$BUNDLE/config.json" "$BATS_TEST_TMPDIR/base.json"
    for f in ociVersion process root hostname domainname mounts hooks annotations linux; do
        for v in 5 '"x"' '[]' true; do
            # the right type for some of them
            case "$f:$v" in ociVersion:'"x"' | hostname:'"x"' | domainname:'"x"' | mounts:'[]') continue ;; esac
            jq ".$f = $v" "$BATS_TEST_TMPDIR/base.json" >"$BUNDLE/config.json"
            expect_bounded_error "config.json: $f: expected "
        done
    done
    cp "$BATS_TEST_TMPDIR/base.json" "$BUNDLE/config.json"
    update_config '.process.args = "sh"'
    expect_bounded_error "config.json: process.args: expected an array"
    update_config '.process.args = ["sh"] | .process.env = {"A": "b"}'
    expect_bounded_error "config.json: process.env: expected an array"
}

@test "hostile: 100000 mounts are parsed in bounded time; the bad last one is named" {
    local last n=100000
    # yajl grows an array by one realloc per element: ASan's realloc always copies and keeps
    # the old block in its quarantine (20000 mounts took 1.5 GB there)
    [ -z "${OCIRUN_ASAN:-}" ] || n=5000
    update_config '.mounts += [range('$n') | {"destination": "/m\(.)", "type": "tmpfs", "source": "tmpfs"}] |
                   .mounts[-1].destination = 5'
    last=$(($(jq '.mounts | length' "$BUNDLE/config.json") - 1))
    expect_bounded_error "config.json: mounts[$last].destination: expected a string, got 5" 20
}

@test "hostile: 10000-deep nesting is refused with its path" {
    python3 -c "import json,sys; c=json.load(open(sys.argv[1])); c['x']='@'; s=json.dumps(c); print(s.replace('\"@\"', '['*10000 + ']'*10000))" \
        "$BUNDLE/config.json" >"$BATS_TEST_TMPDIR/c" && mv "$BATS_TEST_TMPDIR/c" "$BUNDLE/config.json"
    expect_bounded_error "config.json: x[0][0][0]"
    assert_equal "$(grep -c 'nested deeper than 128 levels' <<<"$stderr")" 1
}

@test "hostile: a 100 MB config.json is refused before it is parsed" {
    python3 -c "import json,sys; c=json.load(open(sys.argv[1])); c['annotations']={'big': 'x' * (100 << 20)}; json.dump(c, open(sys.argv[1], 'w'))" \
        "$BUNDLE/config.json"
    expect_bounded_error "config.json: parse error: the document is 104" 10 204800
    [[ "$stderr" == *"bytes, more than the 32 MiB accepted"* ]] || fail "$stderr"
}

@test "hostile: invalid UTF-8 and NUL bytes in strings name the field" {
    local b
    for b in '\xc3\x28' '\xed\xa0\x80' '\xff'; do
        jq -c '.hostname = "@"' "$BUNDLE/config.json" | sed "s/\"@\"/\"a$b\"/" >"$BATS_TEST_TMPDIR/c"
        printf "$(cat "$BATS_TEST_TMPDIR/c" | sed 's/%/%%/g')" >"$BUNDLE/config.json.new"
        mv "$BUNDLE/config.json.new" "$BUNDLE/config.json"
        expect_bounded_error "config.json: hostname: parse error: the string is not valid UTF-8"
    done
    update_config '.hostname = "a\u0000b"'
    expect_bounded_error 'config.json: hostname: parse error: the string holds a NUL character (\u0000)'
    update_config '.hostname = "ab" | .annotations = {"k\u0000": "v"}'
    expect_bounded_error 'config.json: annotations: parse error: a key holds a NUL character (\u0000)'
    # a raw NUL byte is no JSON at all
    printf '{"ociVersion": "1.0.2", "hostname": "a\0b"}' >"$BUNDLE/config.json"
    expect_bounded_error "config.json: parse error: NUL byte in JSON text"
}

@test "hostile: duplicate keys are refused at any level" {
    local text
    text=$(jq -c . "$BUNDLE/config.json")
    echo "${text%\}},\"ociVersion\":\"1.0.0\"}" >"$BUNDLE/config.json"
    expect_bounded_error 'config.json: duplicate key "ociVersion" (a JSON object'"'"'s keys must be unique)'
    text=$(jq -c '.process.cwd = "@"' <<<"$text")
    echo "${text/\"cwd\":\"@\"/\"cwd\":\"/\",\"cwd\":\"/tmp\"}" >"$BUNDLE/config.json"
    expect_bounded_error 'config.json: process: duplicate key "cwd"'
}

@test "hostile: overflowing uid, gid, rlimit and memory numbers name the field" {
    cp "$BUNDLE/config.json" "$BATS_TEST_TMPDIR/base.json"
    local c
    for c in '.process.user.uid = 4294967296@@process.user.uid: expected an unsigned 32-bit integer, got 4294967296' \
             '.process.user.gid = -1@@process.user.gid: expected an unsigned 32-bit integer, got -1' \
             '.process.user.additionalGids = [1, 99999999999]@@process.user.additionalGids[1]: expected an unsigned 32-bit integer' \
             '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 18446744073709551616, "hard": 1}]@@process.rlimits[0].soft: expected an unsigned 64-bit integer' \
             '.linux.resources.memory.limit = 99999999999999999999999@@linux.resources.memory.limit: expected a 64-bit integer' \
             '.linux.resources.pids.limit = 1.5@@linux.resources.pids.limit: expected a 64-bit integer, got 1.5' \
             '.linux.uidMappings = [{"containerID": 0, "hostID": 4294967295, "size": 2}] | .linux.namespaces += [{"type": "user"}]@@linux.uidMappings[0]: hostID 4294967295 + size 2 overflows'; do
        jq "${c%%@@*}" "$BATS_TEST_TMPDIR/base.json" >"$BUNDLE/config.json"
        expect_bounded_error "config.json: ${c#*@@}"
    done
}

@test "hostile: a missing rootfs is named; a rootfs that is a symlink is followed as runc does" {
    update_config '.root.path = "nowhere"'
    expect_bounded_error 'root.path "nowhere": No such file or directory'
    mv "$ROOTFS" "$BUNDLE/real-rootfs"
    ln -s real-rootfs "$ROOTFS"
    update_config '.root.path = "rootfs" | .process.args = ["cat", "/etc/hostname-probe"]'
    echo inside >"$BUNDLE/real-rootfs/etc/hostname-probe"
    run ocirun run --bundle "$BUNDLE" "$ID"
    assert_success
    assert_output inside
    assert_no_leftovers "$ID"
    rm "$ROOTFS"
    mv "$BUNDLE/real-rootfs" "$ROOTFS"
}

@test "hostile: mount destinations with .. stay inside the rootfs" {
    local out=$BATS_TEST_TMPDIR/escape-probe-$ID
    update_config '.mounts += [{"destination": "/../../../../'"${out#/}"'", "type": "tmpfs", "source": "tmpfs"}] |
                   .process.args = ["sh", "-c", "grep -c escape-probe /proc/self/mountinfo"]'
    run ocirun run --bundle "$BUNDLE" "$ID"
    assert_success
    assert_output 1
    [ ! -e "$out" ] || fail "the mount point was made on the host: $out"
    [ -d "$ROOTFS$out" ] || fail "the mount point is not in the rootfs"
    assert_no_leftovers "$ID"
}

@test "hostile: symlinks in the rootfs that point out of it stay inside it" {
    local host=$BATS_TEST_TMPDIR/host-dir
    mkdir -p "$host" "$ROOTFS/inside"
    touch "$host/precious"
    # an absolute link resolves against the rootfs: /host-dir... is made inside, never the host's
    ln -s "$host" "$ROOTFS/abs"
    ln -s ../../../../../../"${host#/}" "$ROOTFS/rel"
    update_config '.mounts += [{"destination": "/abs/m", "type": "tmpfs", "source": "tmpfs"}]'
    expect_bounded_error 'mounts['
    [ -z "$(ls -A "$host" | grep -v precious)" ] || fail "something was made in $host: $(ls -A "$host")"
    mkdir -p "$ROOTFS${host}"
    update_config '.mounts[-1].destination = "/rel/m" | .process.args = ["sh", "-c", "ls /rel/"]'
    run ocirun run --bundle "$BUNDLE" "$ID"
    assert_success
    assert_output m
    [ ! -e "$host/m" ] || fail "the mount point was made on the host: $host/m"
    grep -qF "$host/m" /proc/self/mountinfo && fail "a mount on the host's $host/m"
    assert_no_leftovers "$ID"
}
