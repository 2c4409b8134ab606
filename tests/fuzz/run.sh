#!/usr/bin/env bash
# run.sh - build the libFuzzer harnesses and fuzz the policy reader and the
# record evaluator.
#
#   tests/fuzz/run.sh [SECONDS [policy|record|all]]
#
# SECONDS (default 60) is how long each harness runs; the second argument
# picks one harness (default: both, one after the other).  Needs clang with
# libFuzzer (Debian: clang-14 and libclang-rt-14-dev), flex and bison.
#
# Steps, from the repository root whatever the current directory:
#   1. make the generated parser and scanner (build/gen/*.c), only those;
#   2. build build/fuzz/fuzz_policy and build/fuzz/fuzz_record with
#        clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
#              -std=c11 -D_POSIX_C_SOURCE=200809L -Iengine -Ibuild/gen
#      over engine's .c files, build/gen/parser.c and build/gen/lexer.c
#      (and -lcjson, which the record reader uses);
#   3. seed build/fuzz/seeds/policy from policies/*.svp, tests/check/cases/*.svp
#      and tests/fmt/*.svp, and build/fuzz/seeds/record from
#      examples/records/*.json, each line of examples/register.jsonl and
#      tests/eval/bases/*.json;
#   4. run each harness with -max_total_time=SECONDS -timeout=5
#      -rss_limit_mb=2048 and its dictionary (tests/fuzz/policy.dict,
#      tests/fuzz/record.dict) over its corpus build/fuzz/corpus/NAME (kept
#      between runs, so coverage accumulates), its seeds and its
#      regressions, tests/fuzz/regressions/NAME;
#   5. copy every crash-, leak-, timeout- and oom- input libFuzzer saved
#      (build/fuzz/artifacts/NAME/) into tests/fuzz/regressions/NAME/, and
#      print for each harness its run time, executions, executions per
#      second and coverage (libFuzzer's cov: and ft:).  Full logs:
#      build/fuzz/NAME.log.
#
# Exit status: 0 when neither harness found anything; 1 when one did (the
# inputs are in tests/fuzz/regressions/ and named on the output); 2 when
# the harnesses could not be built.
#
# Environment:
#   SVP_FUZZ_KEEP_GOING=1  fork mode (-fork=SVP_FUZZ_JOBS, default 1, with
#                          -ignore_crashes/-ignore_timeouts/-ignore_ooms): the
#                          run goes on after a finding and saves every one.
#                          Use it while known bugs are still unfixed, since
#                          their saved inputs otherwise stop the run at start.
#   SVP_FUZZ_ORACLES=1     the harnesses also check the API's promises (see
#                          the harness sources); a broken one is a finding.
#   SVP_FUZZ_OOM=1         fuzz_policy also replays each input with an
#                          allocator that runs dry part-way.
#   CLANG                  the compiler (default clang).
#
# A saved input is replayed with the harness binary itself,
#   build/fuzz/fuzz_policy tests/fuzz/regressions/policy/crash-...
# minimised with
#   build/fuzz/fuzz_policy -minimize_crash=1 -runs=20000 -exact_artifact_path=OUT FILE
# and replayed without libFuzzer by tests/fuzz/replay.c (see there).
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root" || exit 2

duration=${1:-60}
which=${2:-all}
case $duration in
'' | *[!0-9]*) echo "usage: tests/fuzz/run.sh [SECONDS [policy|record|all]]" >&2; exit 2 ;;
esac
case $which in
policy) harnesses=(policy) ;;
record) harnesses=(record) ;;
all) harnesses=(policy record) ;;
*) echo "usage: tests/fuzz/run.sh [SECONDS [policy|record|all]]" >&2; exit 2 ;;
esac

clang=${CLANG:-clang}
out=build/fuzz
mkdir -p "$out" || exit 2

# ---- 1. the generated parser --------------------------------------------------
make -s --no-print-directory build/gen/parser.c build/gen/parser.h build/gen/lexer.c build/gen/lexer.h >/dev/null ||
    { echo "run.sh: cannot generate the parser (make)" >&2; exit 2; }

# ---- 2. the harnesses -----------------------------------------------------------
probe=$(mktemp -d "${TMPDIR:-/tmp}/svp-fuzz.XXXXXX") || exit 2
trap 'rm -rf "$probe"' EXIT
printf '#include <stddef.h>\n#include <stdint.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }\n' > "$probe/probe.c"
if ! "$clang" -fsanitize=fuzzer,address,undefined -o "$probe/probe" "$probe/probe.c" 2> "$probe/err"; then
    cat "$probe/err" >&2
    echo "run.sh: $clang cannot link libFuzzer; on Debian: apt-get install -y clang-14 libclang-rt-14-dev" >&2
    exit 2
fi

flags=(-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
       -std=c11 -D_POSIX_C_SOURCE=200809L -Iengine -Ibuild/gen)
engine=(engine/*.c build/gen/parser.c build/gen/lexer.c)
for h in "${harnesses[@]}"; do
    echo "== building $out/fuzz_$h"
    "$clang" "${flags[@]}" -DSVP_FUZZ_POLICY_PATH="\"$root/policies/nelc-social-value.svp\"" \
        -o "$out/fuzz_$h" "tests/fuzz/fuzz_$h.c" "${engine[@]}" -lcjson ||
        { echo "run.sh: cannot build fuzz_$h" >&2; exit 2; }
done

# ---- 3. seeds ---------------------------------------------------------------------
seed() { # DIR FILE...: copy each existing file into DIR
    local dir=$1; shift
    local f
    for f in "$@"; do
        [ -f "$f" ] && cp "$f" "$dir/$(echo "$f" | tr / _)"
    done
    return 0
}
rm -rf "$out/seeds"
mkdir -p "$out/seeds/policy" "$out/seeds/record" "$out/corpus/policy" "$out/corpus/record" || exit 2
seed "$out/seeds/policy" policies/*.svp tests/check/cases/*.svp tests/fmt/*.svp
seed "$out/seeds/record" examples/records/*.json tests/eval/bases/*.json
n=0
while IFS= read -r line || [ -n "$line" ]; do
    n=$((n + 1))
    printf '%s' "$line" > "$out/seeds/record/register-$n.json"
done < examples/register.jsonl

# ---- 4. fuzzing -------------------------------------------------------------------
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
found=0
for h in "${harnesses[@]}"; do
    art="$out/artifacts/$h"
    reg="tests/fuzz/regressions/$h"
    rm -rf "$art"
    mkdir -p "$art" "$reg" || exit 2
    opts=(-max_total_time="$duration" -timeout=5 -rss_limit_mb=2048 -print_final_stats=1
          -dict="tests/fuzz/$h.dict" -artifact_prefix="$art/")
    if [ "${SVP_FUZZ_KEEP_GOING:-0}" != 0 ]; then
        opts+=(-fork="${SVP_FUZZ_JOBS:-1}" -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
    fi
    log="$out/$h.log"
    echo "== fuzzing $h for ${duration}s (log: $log)"
    start=$(date +%s)
    "$out/fuzz_$h" "${opts[@]}" "$out/corpus/$h" "$out/seeds/$h" "$reg" > "$log" 2>&1
    rc=$?
    took=$(($(date +%s) - start))

    # ---- 5. what it found, and how it went
    saved=()
    for f in "$art"/crash-* "$art"/leak-* "$art"/timeout-* "$art"/oom-*; do
        [ -f "$f" ] || continue
        cp "$f" "$reg/" && saved+=("$reg/$(basename "$f")")
    done
    cov=$(grep -E 'cov: [0-9]+' "$log" | tail -n 1)
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
    echo "   exit $rc after ${took}s; executions: ${execs:-?}; exec/s: ${rate:-?}"
    echo "   last status: ${cov:-none}"
    if [ ${#saved[@]} -gt 0 ]; then
        found=1
        echo "   FOUND ${#saved[@]} input(s), saved as regressions:"
        printf '     %s\n' "${saved[@]}"
        grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error:|svp fuzz:)' "$log" | sort -u | head -n 20 | sed 's/^/     /'
    elif [ $rc -ne 0 ]; then
        found=1
        echo "   libFuzzer failed without saving an input; see $log:"
        tail -n 20 "$log" | sed 's/^/     /'
    fi
done
exit $found
