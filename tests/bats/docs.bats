#!/usr/bin/env bats
# The documentation says what the binary does: README's Usage block names every command, the man
# page's id limit is the one create enforces (tested at the limit and one past it).

load helpers

SRC="$BATS_TEST_DIRNAME/../.."

# commands: the command names of `ocirun --help`'s Commands section, one per line.
commands() {
    "$OCIRUN" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z]\+\) .*/\1/p'
}

@test "README's Usage block lists every command of ocirun --help" {
    runc_differs "ocirun's README"
    local usage cmd n=0
    usage=$(sed -n '/^## Usage/,/^## /p' "$SRC/README.md")
    for cmd in $(commands); do
        n=$((n + 1))
        grep -qE "ocirun $cmd([ ,]|\$)" <<<"$usage" || fail "README's Usage does not show 'ocirun $cmd'"
    done
    [ "$n" -ge 17 ] || fail "only $n commands in --help"
}

@test "the longest id of ocirun(8) works for create, state, exec and delete; one more character is refused, nothing left" {
    runc_differs "ocirun's man page; runc 1.1 has no limit of its own (mkdir fails: file name too long)"
    local max id
    max=$(sed -n 's/^Container ids .* are 1 to \([0-9]\+\) characters long.*/\1/p' "$SRC/man/ocirun.8.md")
    [ -n "$max" ] || fail "ocirun.8 does not state the id limit"
    id=$(printf 'a%.0s' $(seq "$max"))
    update_config '.process.args = ["sleep", "1000"]'
    create_container "$id"
    run ocirun state "$id"
    assert_success
    assert_equal "$(jq -r .id <<<"$output")" "$id"
    run ocirun exec "$id" echo in
    assert_success
    assert_output in
    run ocirun delete --force "$id"
    assert_success
    [ -z "$(ls -A "$ROOT")" ]
    id+=b
    for cmd in create state delete; do
        if [ "$cmd" = create ]; then
            run --separate-stderr ocirun create --bundle "$BUNDLE" "$id"
        else
            run --separate-stderr ocirun "$cmd" "$id"
        fi
        assert_failure 1
        [[ "$stderr" == *"invalid container id \""*"\": longer than $max characters ($((max + 1)))"* ]] ||
            fail "$cmd: $stderr"
    done
    assert_no_leftovers "$id"
}
