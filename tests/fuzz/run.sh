#!/usr/bin/env bash
# run.sh - build the libFuzzer harnesses and fuzz the policy reader and the
# record evaluator.
#
#   tests/fuzz/run.sh [SECONDS [policy|record|batch|lsp|all]]
#
# batch is the command's batch reader (cli/input.c): any bytes as the input
# of `svp eval`, with the oracle "N lines in, N results out, in order"
# (tests/fuzz/fuzz_batch.c).
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
#      tests/eval/bases/*.json; both also from the hand-made seed-* inputs
#      in tests/fuzz/regressions/NAME/;
#   4. replay every other saved input of tests/fuzz/regressions/NAME/
#      (crash-, leak-, timeout-, oom-), whole and one at a time, and name
#      those that still fail (log: build/fuzz/NAME-regressions.log);
#   5. fuzz each harness with -max_total_time=SECONDS -timeout=5
#      -rss_limit_mb=2048 (and -max_len, below) and its dictionary
#      (tests/fuzz/policy.dict, tests/fuzz/record.dict) over its corpus
#      build/fuzz/corpus/NAME (kept between runs, so coverage accumulates)
#      and its seeds;
#   6. copy every crash-, leak-, timeout- and oom- input libFuzzer saved
#      (build/fuzz/artifacts/NAME/) into tests/fuzz/regressions/NAME/, and
#      print for each harness its run time, executions, executions per
#      second and coverage (libFuzzer's cov: and ft:).  Full logs:
#      build/fuzz/NAME.log.
#
# Exit status: 0 when neither harness found anything and every saved
# failure passes; 1 otherwise (new inputs are saved in tests/fuzz/regressions/
# and named on the output); 2 when the harnesses could not be built.
#
# Environment:
#   SVP_FUZZ_KEEP_GOING=1  fork mode (-fork=SVP_FUZZ_JOBS, default 1, with
#                          -ignore_crashes/-ignore_timeouts/-ignore_ooms): the
#                          run goes on after a finding and saves every one.
#                          (Fork mode's cov: counts differently from the
#                          default mode's: compare runs of one mode only.)
#   SVP_FUZZ_ORACLES=1     the harnesses also check the API's promises (see
#                          the harness sources); a broken one is a finding.
#   SVP_FUZZ_OOM=1         fuzz_policy also replays each input with an
#                          allocator that runs dry part-way (=all: at every
#                          allocation in turn; slow, for replaying and
#                          minimising what =1 found).
#   SVP_FUZZ_MAX_LEN       the longest input tried (default 16384 bytes for
#                          policies, 8192 for records; libFuzzer reads longer
#                          saved inputs truncated: replay.c replays them whole).
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
'' | *[!0-9]*) echo "usage: tests/fuzz/run.sh [SECONDS [policy|record|batch|all]]" >&2; exit 2 ;;
esac
case $which in
policy) harnesses=(policy) ;;
record) harnesses=(record) ;;
batch) harnesses=(batch) ;;
lsp) harnesses=(lsp) ;;
all) harnesses=(policy record batch lsp) ;;
*) echo "usage: tests/fuzz/run.sh [SECONDS [policy|record|batch|lsp|all]]" >&2; exit 2 ;;
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
    extra=()
    [ "$h" = batch ] && extra=(cli/input.c cli/util.c) # the command's reader, not the library
    [ "$h" = lsp ] && extra=(-Icli cli/lsp_server.c cli/lsp_documents.c cli/lsp_protocol.c cli/lsp_versions.c)
    "$clang" "${flags[@]}" -DSVP_FUZZ_POLICY_PATH="\"$root/policies/nelc-social-value.svp\"" \
        -o "$out/fuzz_$h" "tests/fuzz/fuzz_$h.c" "${extra[@]}" "${engine[@]}" -lcjson -lcsv -pthread ||
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
for h in "${harnesses[@]}"; do
    rm -rf "$out/seeds/$h"
    mkdir -p "$out/seeds/$h" "$out/corpus/$h" "tests/fuzz/regressions/$h" || exit 2
    seed "$out/seeds/$h" tests/fuzz/regressions/"$h"/seed-*
done
if [[ " ${harnesses[*]} " == *" policy "* ]]; then
    seed "$out/seeds/policy" policies/*.svp tests/check/cases/*.svp tests/fmt/*.svp
fi
if [[ " ${harnesses[*]} " == *" record "* ]]; then
    seed "$out/seeds/record" examples/records/*.json tests/eval/bases/*.json
    n=0
    while IFS= read -r line || [ -n "$line" ]; do
        n=$((n + 1))
        printf '%s' "$line" > "$out/seeds/record/register-$n.json"
    done < examples/register.jsonl
fi
if [[ " ${harnesses[*]} " == *" batch "* ]]; then
    seed "$out/seeds/batch" examples/register.jsonl examples/records/*.json tests/eval/bases/*.json
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
found=0
for h in "${harnesses[@]}"; do
    art="$out/artifacts/$h"
    reg="tests/fuzz/regressions/$h"
    rm -rf "$art"
    mkdir -p "$art" || exit 2

    # ---- 4. the saved failures first, each whole and on its own: they are
    # not in the fuzzing corpus (libFuzzer would cut them to -max_len, and a
    # known failure would stop every run until it is fixed)
    log="$out/$h-regressions.log"
    : > "$log"
    failing=()
    nreg=0
    for f in "$reg"/*; do
        [ -f "$f" ] || continue
        case $(basename "$f") in seed-* | README*) continue ;; esac
        nreg=$((nreg + 1))
        "$out/fuzz_$h" -timeout=5 -rss_limit_mb=2048 "$f" >> "$log" 2>&1 || failing+=("$f")
    done
    if [ $nreg -gt 0 ]; then
        echo "== $h: $((nreg - ${#failing[@]})) of $nreg saved failures now pass (log: $log)"
        if [ ${#failing[@]} -gt 0 ]; then
            found=1
            echo "   STILL FAILING:"
            printf '     %s\n' "${failing[@]}"
        fi
    fi

    # ---- 5. fuzzing
    if [ "$h" = record ]; then max_len=${SVP_FUZZ_MAX_LEN:-8192}; else max_len=${SVP_FUZZ_MAX_LEN:-16384}; fi
    opts=(-max_total_time="$duration" -timeout=5 -rss_limit_mb=2048 -max_len="$max_len" -print_final_stats=1
          -dict="tests/fuzz/$([ "$h" = batch ] && echo record || echo "$h").dict" -artifact_prefix="$art/")
    if [ "${SVP_FUZZ_KEEP_GOING:-0}" != 0 ]; then
        opts+=(-fork="${SVP_FUZZ_JOBS:-1}" -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
    fi
    log="$out/$h.log"
    echo "== fuzzing $h for ${duration}s (log: $log)"
    start=$(date +%s)
    "$out/fuzz_$h" "${opts[@]}" "$out/corpus/$h" "$out/seeds/$h" > "$log" 2>&1
    rc=$?
    took=$(($(date +%s) - start))

    # ---- 6. what it found, and how it went
    saved=()
    for f in "$art"/crash-* "$art"/leak-* "$art"/timeout-* "$art"/oom-*; do
        [ -f "$f" ] || continue
        cp "$f" "$reg/" && saved+=("$reg/$(basename "$f")")
    done
    status=$(grep -E 'cov: [0-9]+' "$log" | tail -n 1)
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
    # fork mode prints no final stats: read its last status line instead
    [ -n "$execs" ] || execs=$(printf '%s\n' "$status" | sed -n 's/^#\([0-9]*\).*/\1/p')
    [ -n "$rate" ] || rate=$(printf '%s\n' "$status" | sed -n 's/.*exec\/s:\{0,1\} \([0-9]*\).*/\1/p')
    echo "   exit $rc after ${took}s; executions: ${execs:-?}; exec/s: ${rate:-?}"
    echo "   last status: ${status:-none}"
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
