#!/usr/bin/env bash
# check-fuzz.sh: `make check-fuzz`: every libFuzzer target over its seed corpus
# (tests/fuzz/corpus/NAME), then SECONDS of new inputs, two targets at a time (the machine's cores).
# Usage: scripts/check-fuzz.sh OUTDIR SECONDS TARGET...
# A target passes when libFuzzer ends without a crash, leak, timeout or sanitizer report.
# Writes "PASSED FAILED" to OUTDIR/tests/summary and the executions per target to
# OUTDIR/tests/execs; a failing input is kept as OUTDIR/tests/crash-NAME-* (add it to the corpus
# with its fix).
set -uo pipefail
cd "$(dirname "$0")/.."

out=$1/tests
secs=$2
shift 2
mkdir -p "$out"
rm -f "$out"/summary "$out"/execs "$out"/*.log "$out"/*.status

run_one() {
    local bin=$1 out=$2 secs=$3 name work
    name=${bin##*/fuzz_}
    work=$out/corpus-$name
    rm -rf "$work"
    mkdir -p "$work"
    # new inputs go to a scratch directory; the seed corpus in the tree is only read
    UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$out/crash-$name-" "$work" "tests/fuzz/corpus/$name" >"$out/$name.log" 2>&1
    echo $? > "$out/$name.status"
}
export -f run_one

printf '%s\n' "$@" | xargs -P 2 -I{} bash -c 'run_one "$@"' _ {} "$out" "$secs"

pass=0 fail=0 total=0
for bin in "$@"; do
    name=${bin##*/fuzz_}
    rc=$(cat "$out/$name.status" 2>/dev/null || echo 1)
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$name.log")
    execs=${execs:-0}
    total=$((total + execs))
    echo "$name $execs" >> "$out/execs"
    if [ "$rc" -eq 0 ]; then
        pass=$((pass + 1))
        echo "ok - fuzz $name: $execs inputs, no crash"
    else
        fail=$((fail + 1))
        echo "not ok - fuzz $name: exit status $rc (log: $out/$name.log)"
        grep -E 'ERROR|SUMMARY|runtime error' "$out/$name.log" | head -n 5 | sed 's/^/#   /'
    fi
done
echo "$pass $fail" > "$out/summary"
echo "fuzz: $pass passed, $fail failed ($total inputs run, ${secs} s of new inputs per target)"
[ "$fail" -eq 0 ]
