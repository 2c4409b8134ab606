#!/usr/bin/env bash
# run.sh - end-to-end tests of `svp eval` against the NELC policy.
#
#   tests/eval/run.sh [SVP [PATTERN]]
#
# SVP is the binary to test (default: build/svp of this repository; a relative path
# is taken from the current directory);
# PATTERN, if given, runs only the cases whose name contains it. The policy is
# policies/nelc-social-value.svp unless $SVP_POLICY names another (a relative path
# is taken from the repository root).
#
# Every case in tests/eval/cases/*.case is run once (format: tests/eval/README.md).
# Each failed check prints one line, "FAIL case: check: expected X, got Y"; the
# last line is always "N passed, M failed" (counting cases), and the exit status
# is 1 if any case failed. The expectations were worked out by hand from
# shared/spec/, never from the program's output.
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
svp=${1:-$root/build/svp}
pattern=${2:-}
case $svp in
    /*) ;;
    */*) svp="$PWD/$svp" ;;         # relative to where we were called from
esac
cd "$root" || exit 2
policy=${SVP_POLICY:-policies/nelc-social-value.svp}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/svp-eval.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT

if command -v timeout >/dev/null 2>&1; then
    run_limited() { timeout 20 "$@"; }
else
    run_limited() { "$@"; }
fi

passed=0
failed=0
case_failed=0
name=

# report CHECK: one failing check of the current case.
report() {
    printf 'FAIL %s: %s\n' "$name" "$1"
    case_failed=1
}

# parse_case FILE: read the directives of FILE into the globals below; the
# raw input, if any, starts on line $inline_from.
parse_case() {
    base= patch= src= batch=0 crlf=0 noeol=0 use_stdin=0 status=
    args='eval POLICY INPUT --format json'
    inline_from=0
    expects=() stdout_has=() stdout_lacks=() stderr_has=()
    local line key val n=0
    while IFS= read -r line || [[ -n $line ]]; do
        n=$((n + 1))
        [[ $line == '--- input' ]] && { inline_from=$((n + 1)); break; }
        [[ -z $line || $line == '#'* ]] && continue
        key=${line%% *}
        val=${line#"$key"}
        val=${val# }
        case $key in
            base)         base=$val ;;
            patch)        patch=${patch:+$patch | }$val ;;
            file)         src=$val ;;
            batch)        batch=1 ;;
            crlf)         crlf=1 ;;
            noeol)        noeol=1 ;;
            stdin)        use_stdin=1 ;;
            args)         args=$val ;;
            status)       status=$val ;;
            expect)       expects+=("$val") ;;
            stdout-has)   stdout_has+=("$val") ;;
            stdout-lacks) stdout_lacks+=("$val") ;;
            stderr-has)   stderr_has+=("$val") ;;
            *)            report "case file: unknown directive '$key' on line $n"; return 1 ;;
        esac
    done <"$1"
}

# make_input FILE: write the case's input to $input (and say where it is).
make_input() {
    local dir=$tmp/$name
    mkdir -p "$dir"
    if [[ -n $src ]]; then input=$dir/${src##*/}
    elif ((batch)); then input=$dir/records.jsonl
    else input=$dir/record.json
    fi
    if ((inline_from)); then
        tail -n "+$inline_from" "$1" >"$input"
    elif [[ -n $base ]]; then
        jq "${patch:-.}" "$here/bases/$base.json" >"$input" ||
            { report "case file: patch '$patch' failed on base '$base'"; return 1; }
    elif [[ -n $src ]]; then
        cp "$src" "$input" || { report "case file: no input file '$src'"; return 1; }
    else
        : >"$input"
    fi
    if ((crlf)); then sed -i 's/$/\r/' "$input"; fi
    if ((noeol)); then truncate -s "-$((crlf ? 2 : 1))" "$input"; fi
}

# run_case FILE: run one case and check everything it expects.
run_case() {
    local file=$1 word st exp_json problems
    name=$(basename "$file" .case)
    case_failed=0
    parse_case "$file" && make_input "$file" || return

    local -a argv=()
    for word in $args; do
        case $word in
            POLICY) argv+=("$policy") ;;
            INPUT)  if ((use_stdin)); then argv+=(-); else argv+=("$input"); fi ;;
            *)      argv+=("$word") ;;
        esac
    done
    local in=/dev/null
    ((use_stdin)) && in=$input
    run_limited "$svp" "${argv[@]}" <"$in" >"$tmp/out" 2>"$tmp/err"
    st=$?

    if [[ -n $status && $st != "$status" ]]; then
        report "exit status: expected $status, got $st$(head -c 300 "$tmp/err" | head -n 1 | sed 's/^/ (stderr: /;s/$/)/')"
    fi
    for word in "${stdout_has[@]}"; do
        grep -qF -- "$word" "$tmp/out" || report "stdout: expected to contain $word, got $(head -c 200 "$tmp/out" | tr '\n' ' ')"
    done
    for word in "${stdout_lacks[@]}"; do
        [[ $word == ESC ]] && word=$'\033'
        ! grep -qF -- "$word" "$tmp/out" || report "stdout: expected not to contain $(printf %q "$word")"
    done
    for word in "${stderr_has[@]}"; do
        grep -qF -- "$word" "$tmp/err" || report "stderr: expected to contain $word, got $(head -c 200 "$tmp/err" | tr '\n' ' ')"
    done
    if ((${#expects[@]})); then
        if ! exp_json=$(printf '%s\n' "${expects[@]}" | jq -sc .); then
            report "case file: an expect line is not JSON"
        else
            problems=$(jq -nr --rawfile out "$tmp/out" --argjson exp "$exp_json" -f "$here/check.jq" 2>&1) ||
                report "check.jq failed: $problems"
            while IFS= read -r word; do
                [[ -n $word ]] && report "$word"
            done <<<"$problems"
            if [[ $exp_json == *'"invalid"'* && ! -s $tmp/err ]]; then
                report "stderr: expected a message for the invalid record, got nothing"
            fi
        fi
    fi
}

for file in "$here"/cases/*.case; do
    [[ -n $pattern && $(basename "$file") != *"$pattern"* ]] && continue
    run_case "$file"
    if ((case_failed)); then failed=$((failed + 1)); else passed=$((passed + 1)); fi
done

printf '%d passed, %d failed\n' "$passed" "$failed"
((failed == 0))
