#!/usr/bin/env bash
# run.sh - tests of `svp fmt`.
#
#   tests/fmt/run.sh [SVP]
#
# Checks, for the council's policy and a deliberately messy one: the layout
# is exactly the expected one (messy.svp -> messy.expected); formatting
# twice equals formatting once; the formatted policy checks clean, keeps
# every comment, and gives byte-identical results on every example record
# (it means the same); `fmt -w` rewrites the file with exactly that text;
# a policy with a syntax error is refused (exit 1) and left untouched.
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh" fmt "$@"

check() { # NAME COMMAND...: the command must succeed
    local name=$1; shift
    if "$@"; then pass; else fail "$name"; fi
}

comments() { grep -o '#' "$1" | wc -l; }

check "messy layout" bash -c "'$svp' fmt tests/fmt/messy.svp | diff -u tests/fmt/messy.expected -"
check "tables layout" bash -c "'$svp' fmt tests/fmt/tables.svp | diff -u tests/fmt/tables.expected -"

records=(examples/records/*.json)
for policy in policies/*.svp tests/fmt/messy.svp tests/fmt/tables.svp; do
    base=$(basename "$policy" .svp)
    "$svp" fmt "$policy" > "$tmp/$base.1.svp"
    "$svp" fmt "$tmp/$base.1.svp" > "$tmp/$base.2.svp"
    check "$base: idempotent" cmp -s "$tmp/$base.1.svp" "$tmp/$base.2.svp"
    check "$base: formatted policy checks clean" "$svp" check "$tmp/$base.1.svp" >/dev/null 2>&1
    check "$base: every comment kept" test "$(comments "$policy")" = "$(comments "$tmp/$base.1.svp")"
    if [[ $policy == policies/* ]]; then
        for r in "${records[@]}" examples/register.jsonl; do
            "$svp" eval "$policy" "$r" --format json --explain > "$tmp/a.out" 2>&1
            "$svp" eval "$tmp/$base.1.svp" "$r" --format json --explain > "$tmp/b.out" 2>&1
            check "$base: same results on $r" cmp -s "$tmp/a.out" "$tmp/b.out"
        done
    fi
    cp "$policy" "$tmp/$base.w.svp"
    check "$base: fmt -w exits 0" "$svp" fmt -w "$tmp/$base.w.svp"
    check "$base: fmt -w writes the formatted text" cmp -s "$tmp/$base.w.svp" "$tmp/$base.1.svp"
done

printf 'policy "Broken"\n  version "1"\n  effective 2020-04-01\nparameters\n  x = [\n' > "$tmp/broken.svp"
cp "$tmp/broken.svp" "$tmp/broken.orig"
"$svp" fmt -w "$tmp/broken.svp" > /dev/null 2> "$tmp/broken.err"
check "broken: fmt -w exits 1" test $? -eq 1
check "broken: file untouched" cmp -s "$tmp/broken.svp" "$tmp/broken.orig"
check "broken: error names file, line and column" grep -q "broken.svp:5:7: error" "$tmp/broken.err"
"$svp" fmt "$tmp/missing.svp" > /dev/null 2>&1
check "missing file: exit 2" test $? -eq 2

summary
