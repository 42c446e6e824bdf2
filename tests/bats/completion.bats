#!/usr/bin/env bats
# The bash completion (contrib/completions/bash/ocirun): every command and every option of each
# command's --help, and nothing else (so the two cannot drift apart), option values, container
# ids and signals; `make install` installs it.

load helpers

SRC="$BATS_TEST_DIRNAME/../.."
COMPLETION="$SRC/contrib/completions/bash/ocirun"

setup() {
    common_setup
    runc_differs "ocirun's bash completion"
}

# complete WORD...: what the completion offers for the command line WORD... (the last word is the
# one under the cursor, "" for a new one), sorted, one per line. The completion function is the
# one the file registers for ocirun.
complete_words() {
    (
        # shellcheck source=../../contrib/completions/bash/ocirun
        source "$COMPLETION"
        local spec
        spec=$(complete -p ocirun) || exit 1
        [[ "$spec" =~ -F\ ([^ ]+)\ ocirun$ ]] || exit 1
        COMP_WORDS=("$@")
        COMP_CWORD=$(($# - 1))
        COMP_LINE="$*"
        COMP_POINT=${#COMP_LINE}
        "${BASH_REMATCH[1]}" ocirun "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}" 2>/dev/null
        [ ${#COMPREPLY[@]} -eq 0 ] || printf '%s\n' "${COMPREPLY[@]}" | sort -u
    )
}

# help_options ARGS...: the options the help of `ocirun ARGS...` lists on its option lines (the
# part before the description: "-b, --bundle DIR", "--l3-cache-schema S, --mem-bw-schema S"),
# sorted.
help_options() {
    local line part
    "$OCIRUN" "$@" | while IFS= read -r line; do
        [[ "$line" =~ ^\ +(-[^ ].*) ]] || continue
        part=${BASH_REMATCH[1]%%  *}
        grep -oE -- '(^|[ ,])--?[a-zA-Z][a-zA-Z0-9-]*' <<<"$part" | tr -d ' ,'
    done | sort -u
}

help_commands() {
    "$OCIRUN" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z]\+\) .*/\1/p' | sort
}

@test "completion: every command of --help, every option of each command's --help and of the global options, nothing else" {
    local cmd want got n=0
    bash -n "$COMPLETION"
    run complete_words ocirun ""
    assert_success
    assert_equal "$output" "$(help_commands)"
    want=$(help_options --help)
    [[ "$want" == *--root* && "$want" == *--log-format* ]] || fail "no global options in --help: $want"
    run complete_words ocirun -
    assert_equal "$output" "$want"
    for cmd in $(help_commands); do
        [ "$cmd" = help ] && continue   # `help --help` is the usage
        want=$(help_options "$cmd" --help)
        grep -qx -- --help <<<"$want" && grep -qx -- -h <<<"$want" || fail "'$cmd --help' does not list -h, --help"
        run complete_words ocirun "$cmd" -
        assert_success
        [ "$output" = "$want" ] || fail "$cmd: the completion offers
$output
--help lists
$want"
        n=$((n + 1))
    done
    [ "$n" -ge 16 ] || fail "only $n commands"
}

@test "completion: option values, help's commands, ids under --root, kill's signals; nothing after exec's and ps's ID" {
    run_sleeper
    run complete_words "$OCIRUN" --root "$ROOT" delete ""
    assert_output "$ID"
    # --root=DIR as bash splits it ("--root" "=" "DIR")
    run complete_words "$OCIRUN" --root = "$ROOT" exec -e A=1 --cwd /tmp ""
    assert_output "$ID"
    # create, run and check name a new container: no ids
    run complete_words "$OCIRUN" --root "$ROOT" create ""
    assert_output ""
    run complete_words ocirun kill "$ID" KI
    assert_output KILL
    run complete_words ocirun kill "$ID" SIGTE
    assert_output SIGTERM
    run complete_words ocirun help ex
    assert_output exec
    run complete_words ocirun --log-format ""
    assert_output $'json\ntext'
    run complete_words ocirun --rootless ""
    assert_output $'auto\nfalse\ntrue'
    # spec's --rootless takes no value: the next word is an option again
    run complete_words ocirun spec --rootless --b
    assert_output --bundle
    run complete_words ocirun list --format = j
    assert_output json
    run complete_words ocirun ps --format=t
    assert_output --format=table
    run complete_words ocirun update --cpu-idle ""
    assert_output $'0\n1'
    mkdir -p "$BATS_TEST_TMPDIR/dir1/sub"
    : >"$BATS_TEST_TMPDIR/dir1/file"
    run complete_words ocirun run -b "$BATS_TEST_TMPDIR/dir1/"
    assert_output "$BATS_TEST_TMPDIR/dir1/sub"
    run complete_words ocirun exec --process "$BATS_TEST_TMPDIR/dir1/f"
    assert_output "$BATS_TEST_TMPDIR/dir1/file"
    # the command exec runs, ps(1)'s arguments: theirs, not ocirun's options
    run complete_words ocirun exec "$ID" sh -
    assert_output ""
    run complete_words ocirun ps "$ID" -
    assert_output ""
}

@test "make install DESTDIR=... installs the completion under PREFIX/share/bash-completion/completions; uninstall removes it" {
    local dest="$BATS_TEST_TMPDIR/dest"
    run make -s -C "$SRC" install DESTDIR="$dest" PREFIX=/usr
    assert_success
    cmp "$COMPLETION" "$dest/usr/share/bash-completion/completions/ocirun"
    [ -x "$dest/usr/sbin/ocirun" ]
    run make -s -C "$SRC" install DESTDIR="$dest" PREFIX=/opt/o BASHCOMPDIR=/etc/bash_completion.d
    assert_success
    cmp "$COMPLETION" "$dest/etc/bash_completion.d/ocirun"
    run make -s -C "$SRC" uninstall DESTDIR="$dest" PREFIX=/usr
    assert_success
    [ ! -e "$dest/usr/share/bash-completion/completions/ocirun" ]
    [ ! -e "$dest/usr/sbin/ocirun" ]
}
