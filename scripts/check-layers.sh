#!/usr/bin/env bash
# check-layers.sh: libcontainer's folders keep DEVELOPERS.md's layer table, its files call each other in no circle.
# Usage: scripts/check-layers.sh [OBJDIR]   (default build/obj/libcontainer; `make check-layers` builds it)
#
# The table ("| `core/` | what it owns | may include |" rows between the LAYERS markers of
# DEVELOPERS.md) is the only statement of the layering; this script checks the tree against it:
#   1. every #include "F/..." or "ocirun/F/..." of libcontainer/G/ and include/ocirun/G/ names G
#      itself or a folder G may include;
#   2. public headers (include/ocirun/) include only public headers and are the ones src/ or
#      tests/ include; src/ and tests/ include libcontainer only through include/ocirun/;
#   3. every symbol an object of G uses from another object of libcontainer is defined in G or
#      in a folder G may include (what the linker sees, so a declaration copied by hand counts);
#   4. no circle among the files: the graph "A.c uses a symbol of B.c" has no cycle;
#   5. every libcontainer file is named in DEVELOPERS.md's file map (as `F/name.c`), and no two
#      .c files share a basename (ar keeps one member per name).
# Prints each violation and exits 1 if there is any.
set -euo pipefail
cd "$(dirname "$0")/.."

objdir=${1:-build/obj/libcontainer}
doc=DEVELOPERS.md
fail=0
bad() { echo "check-layers: $*" >&2; fail=1; }

# folder -> "folder allowed..." from the table (the folder may always include itself).
declare -A allowed
table=$(awk '/<!-- LAYERS -->/{on=1; next} /<!-- \/LAYERS -->/{on=0} on' "$doc")
[ -n "$table" ] || { echo "check-layers: no <!-- LAYERS --> table in $doc" >&2; exit 1; }
while IFS='|' read -r _ folder _ may _; do
    folder=$(sed -n 's/.*`\([a-z_]*\)\/`.*/\1/p' <<<"$folder")
    [ -n "$folder" ] || continue
    may=$(tr -d '`/' <<<"$may" | tr ',' ' ')
    [[ "$may" == *nothing* ]] && may=
    allowed[$folder]="$folder $may"
done <<<"$table"

folders=$(cd libcontainer && find . -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort)
for f in $folders; do
    [ -n "${allowed[$f]:-}" ] || bad "libcontainer/$f/ is not in the layer table of $doc"
done
for f in "${!allowed[@]}"; do
    for a in ${allowed[$f]}; do
        [ -n "${allowed[$a]:-}" ] || bad "$doc: $f/ may include \"$a\", which is not a folder of the table"
    done
done
[ -z "$(find libcontainer include/ocirun -maxdepth 1 -type f \( -name '*.c' -o -name '*.h' \))" ] ||
    bad "files directly in libcontainer/ or include/ocirun/ (each belongs to a folder)"

may_use() {   # may_use FROM TO
    [[ " ${allowed[$1]:-} " == *" $2 "* ]]
}

# 1 + 2: includes.
while IFS= read -r file; do
    case $file in
        libcontainer/*) from=${file#libcontainer/}; from=${from%%/*}; public=0 ;;
        include/ocirun/*) from=${file#include/ocirun/}; from=${from%%/*}; public=1 ;;
        *) from=; public=0 ;;
    esac
    while IFS= read -r line; do
        inc=$(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' <<<"${line#*:}")
        [ -n "$inc" ] || continue
        n=${line%%:*}
        case $inc in
            ocirun/*/*) to=${inc#ocirun/}; to=${to%%/*}; priv=0 ;;
            */*) to=${inc%%/*}; priv=1 ;;
            *) continue ;;
        esac
        [ -n "${allowed[$to]:-}" ] || continue   # not one of our folders (e.g. ../helpers)
        if [ -z "$from" ]; then
            [ $priv -eq 0 ] || bad "$file:$n: includes libcontainer's private \"$inc\" (only include/ocirun/ is for src/ and tests/)"
            continue
        fi
        [ $public -eq 0 ] || [ $priv -eq 0 ] || bad "$file:$n: a public header includes the private \"$inc\""
        may_use "$from" "$to" || bad "$file:$n: $from/ includes \"$inc\": $to/ is not below $from/ in $doc"
    done < <(grep -n '#[[:space:]]*include' "$file" || true)
done < <(git ls-files -co --exclude-standard -- 'libcontainer/*.[ch]' 'include/ocirun/*.h' 'src/*.[ch]' 'tests/*.[ch]')

# A public header is one that src/ or the tests include (directly or through another public one).
users=$(git ls-files -co --exclude-standard -- 'src/*.[ch]' 'tests/*.[ch]' 'include/ocirun/*.h' |
        xargs grep -ho '#[[:space:]]*include[[:space:]]*"ocirun/[^"]*"' | sed 's/.*"\(.*\)"/\1/' | sort -u)
while IFS= read -r h; do
    grep -qxF "${h#include/}" <<<"$users" ||
        bad "$h is public, but neither src/ nor tests/ include it: it belongs beside its code in libcontainer/"
done < <(git ls-files -co --exclude-standard -- 'include/ocirun/*.h')

# 3 + 4: symbols, from the objects the build made.
if ! ls "$objdir"/*/*.o >/dev/null 2>&1; then
    bad "no objects under $objdir (build first: make check-layers)"
else
    defs=$(mktemp) uses=$(mktemp) edges=$(mktemp)
    trap 'rm -f "$defs" "$uses" "$edges"' EXIT
    for o in "$objdir"/*/*.o; do
        rel=${o#"$objdir"/}; rel=${rel%.o}.c
        [ -e "libcontainer/$rel" ] || continue   # left over from a file since removed
        nm --defined-only -g "$o" | awk -v f="$rel" 'NF == 3 && $2 ~ /[TDBRCV]/ { print $3, f }' >> "$defs"
        nm -u "$o" | awk -v f="$rel" '{ print $NF, f }' >> "$uses"
    done
    # "user definer symbol" for every use resolved inside libcontainer by another file.
    awk 'NR == FNR { def[$1] = $2; next } ($1 in def) && def[$1] != $2 { print $2, def[$1], $1 }' \
        "$defs" "$uses" | sort -u > "$edges"
    while read -r user definer sym; do
        from=${user%%/*} to=${definer%%/*}
        may_use "$from" "$to" || bad "libcontainer/$user uses $sym of libcontainer/$definer: $to/ is not below $from/"
    done < "$edges"
    if ! out=$(awk '{ print $1, $2 }' "$edges" | sort -u | tsort 2>&1 >/dev/null); then
        bad "files that use each other in a circle:"
        sed 's/^tsort: /    /' <<<"$out" >&2
    fi
fi

# 5: the file map and the basenames.
while IFS= read -r file; do
    rel=${file#libcontainer/}
    grep -qF "\`$rel\`" "$doc" || bad "$file is not in $doc's file map (as \`$rel\`)"
done < <(git ls-files -co --exclude-standard -- 'libcontainer/*.[ch]')
dups=$(git ls-files -co --exclude-standard -- 'libcontainer/*.c' | sort -u | xargs -n1 basename | sort | uniq -d)
[ -z "$dups" ] || bad ".c files with the same basename (one would replace the other in libocirun.a): $dups"

if [ $fail -ne 0 ]; then
    echo "check-layers: FAILED (the layer table and the file map are in $doc)" >&2
    exit 1
fi
echo "check-layers: ${#allowed[@]} folders, $(wc -l < "$edges") cross-file symbol uses, no include or call against the layers, no circle"
