#!/usr/bin/env bash
# run.sh - golden tests of `svp check`: the exact diagnostics for broken policies.
#
#   tests/check/run.sh [SVP [PATTERN]]
#
# SVP is the binary to test (default build/svp, relative to the current
# directory); PATTERN, if given, runs only the cases whose name contains it.
#
# A case is a pair in tests/check/cases/:
#
#   NAME.svp       a small policy with one focused mistake (or none)
#   NAME.expected  line 1: "# exit N", the exit status svp must return;
#                  every later line: the exact standard error svp must print
#
# A NAME.expected with no NAME.svp beside it checks a file that does not
# exist (svp must say it cannot read it, and exit 2).
#
# Each case runs from the repository root as
#   NO_COLOR=1 SVP check tests/check/cases/NAME.svp
# with standard error redirected to a file (so never a terminal); standard
# output is not compared.  A failed case prints "FAIL NAME: ..." and a unified
# diff (expected first, actual second).  The last line is always
# "N passed, M failed"; the exit status is 1 if any case failed.
#
# The expected files say what svp SHOULD print, as judged by a policy author:
# a case whose message svp gets wrong stays failing until svp is fixed.
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
svp=${1:-build/svp}
pattern=${2:-}
case $svp in
    /*) ;;
    */*) svp="$PWD/$svp" ;;          # relative to where we were called from
    *) svp=$(command -v "$svp" || printf '%s' "$svp") ;;
esac
cd "$root" || exit 2
if [[ ! -x $svp ]]; then
    printf 'run.sh: %s is not an executable svp (run make first?)\n' "$svp" >&2
    exit 2
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/svp-check.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT

if command -v timeout >/dev/null 2>&1; then
    run_limited() { timeout 20 "$@"; }
else
    run_limited() { "$@"; }
fi

passed=0
failed=0
shopt -s nullglob
for expected in tests/check/cases/*.expected; do
    name=$(basename "$expected" .expected)
    [[ -n $pattern && $name != *"$pattern"* ]] && continue
    policy=tests/check/cases/$name.svp

    first=$(head -n 1 "$expected")
    if [[ ! $first =~ ^"# exit "([0-9]+)$ ]]; then
        printf 'FAIL %s: %s does not start with "# exit N"\n' "$name" "$expected"
        failed=$((failed + 1))
        continue
    fi
    want_status=${BASH_REMATCH[1]}
    tail -n +2 "$expected" >"$tmp/want"

    NO_COLOR=1 run_limited "$svp" check "$policy" </dev/null >/dev/null 2>"$tmp/got"
    status=$?

    problems=()
    [[ $status != "$want_status" ]] && problems+=("exit status $status, expected $want_status")
    cmp -s "$tmp/want" "$tmp/got" || problems+=("standard error differs")
    if ((${#problems[@]} == 0)); then
        passed=$((passed + 1))
        continue
    fi
    failed=$((failed + 1))
    joined=$(printf '%s; ' "${problems[@]}")
    printf 'FAIL %s: %s\n' "$name" "${joined%; }"
    if ! cmp -s "$tmp/want" "$tmp/got"; then
        diff -u --label "$name (expected)" --label "$name (actual)" "$tmp/want" "$tmp/got"
    fi
done

printf '%d passed, %d failed\n' "$passed" "$failed"
((failed == 0))
