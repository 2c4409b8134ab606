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
# breaks.svp -> breaks.expected: the author's line breaks inside enumerations,
# expressions and lists are kept, with the comments that trail them, at the
# canonical indentation.  A CRLF file comes out all CRLF (printed and -w).
# pound-tiers.svp: tier arrows line up by characters, not bytes (`£`).
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh" fmt "$@"

check() { # NAME COMMAND...: the command must succeed
    local name=$1; shift
    if "$@"; then pass; else fail "$name"; fi
}

comments() { grep -o '#' "$1" | wc -l; }

check "messy layout" bash -c "'$svp' fmt tests/fmt/messy.svp | diff -u tests/fmt/messy.expected -"
check "line breaks kept" bash -c "'$svp' fmt tests/fmt/breaks.svp | diff -u tests/fmt/breaks.expected -"
check "tier arrows aligned by characters (£)" bash -c "'$svp' fmt tests/fmt/pound-tiers.svp | diff -u tests/fmt/pound-tiers.expected -"
check "tables layout" bash -c "'$svp' fmt tests/fmt/tables.svp | diff -u tests/fmt/tables.expected -"

records=(examples/records/*.json)
for policy in policies/*.svp tests/fmt/messy.svp tests/fmt/breaks.svp tests/fmt/tables.svp tests/fmt/pound-tiers.svp; do
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

# CRLF in, CRLF out: every line end of the output is CRLF, the text is the
# LF layout's, fmt -w writes the same, and formatting again changes nothing.
crlf() { sed 's/$/\r/' "$1"; }
lone_lf() { LC_ALL=C grep -c $'[^\r]$\|^$' "$1" || true; }
for base in messy breaks; do
    crlf tests/fmt/$base.svp > "$tmp/$base.crlf.svp"
    "$svp" fmt "$tmp/$base.crlf.svp" > "$tmp/$base.crlf.1"
    check "$base CRLF: every line ends CRLF" test "$(lone_lf "$tmp/$base.crlf.1")" = 0
    check "$base CRLF: same layout as LF" bash -c "tr -d '\r' < '$tmp/$base.crlf.1' | cmp -s - tests/fmt/$base.expected"
    "$svp" fmt "$tmp/$base.crlf.1" | cmp -s - "$tmp/$base.crlf.1"
    check "$base CRLF: idempotent" test $? -eq 0
    cp "$tmp/$base.crlf.svp" "$tmp/$base.crlf.w"
    "$svp" fmt -w "$tmp/$base.crlf.w"
    check "$base CRLF: fmt -w writes CRLF" cmp -s "$tmp/$base.crlf.w" "$tmp/$base.crlf.1"
done
# The first line end decides: a file that starts LF comes out all LF.
{ head -n 1 tests/fmt/breaks.svp; crlf tests/fmt/breaks.svp | tail -n +2; } > "$tmp/mixed.svp"
"$svp" fmt "$tmp/mixed.svp" > "$tmp/mixed.1"
check "mixed line ends: the first one's convention (LF)" cmp -s "$tmp/mixed.1" tests/fmt/breaks.expected

# A policy of one very long line with many parentheses formats in linear
# time (measuring the column from the line start each time took minutes):
# a guard against a hang, not a timing.
{ printf 'policy "Long"\n  version "1"\n  effective 2020-04-01\nrecord r\n  id text required\n'
  printf 'rule x "x"\n  cite "c"\n  require id in ['
  for ((i = 0; i < 20000; i++)); do printf '("a"), ("b"), ("c"), ("d"), ("e"), '; done
  printf '("f")]\n  else error "e"\n'; } > "$tmp/long.svp"
timeout 20 "$svp" fmt "$tmp/long.svp" > "$tmp/long.1.svp"
check "one long line of 100,001 parenthesised items: formatted, no hang" test $? -eq 0
check "one long line: still one line" test "$(grep -c '("f")]' "$tmp/long.1.svp")" = 1

# The units of issue 11 (division with its rounding, dates apart, min and
# max, not in): the canonical layout, once and for all, with the same
# results before and after.
check "units layout" bash -c "'$svp' fmt tests/fmt/units.svp | diff -u tests/fmt/units.expected -"
check "units: idempotent" bash -c "'$svp' fmt tests/fmt/units.expected | cmp -s tests/fmt/units.expected -"
printf '{"id":"U","value":"1000","quality":40,"social_value":10,"start":"2025-01-31","end":"2027-02-28","fte":0.5,"lots":3,"method":"open","risk":"high"}\n' > "$tmp/units.json"
"$svp" eval tests/fmt/units.svp "$tmp/units.json" --format json > "$tmp/a.out" 2>&1
"$svp" eval tests/fmt/units.expected "$tmp/units.json" --format json > "$tmp/b.out" 2>&1
check "units: same results" cmp -s "$tmp/a.out" "$tmp/b.out"
check "units: results as worked out" grep -qF '"monthly":"83.33","up":"333.34","nearest":"83.33","sv":"4%","term":"25","span":"758","low":"1000.00","high":"2030-01-01","jobs":"0.0313","band":"3"' "$tmp/a.out"

printf 'policy "Broken"\n  version "1"\n  effective 2020-04-01\nparameters\n  x = [\n' > "$tmp/broken.svp"
cp "$tmp/broken.svp" "$tmp/broken.orig"
"$svp" fmt -w "$tmp/broken.svp" > /dev/null 2> "$tmp/broken.err"
check "broken: fmt -w exits 1" test $? -eq 1
check "broken: file untouched" cmp -s "$tmp/broken.svp" "$tmp/broken.orig"
check "broken: error names file, line and column" grep -q "broken.svp:5:7: error" "$tmp/broken.err"
"$svp" fmt "$tmp/missing.svp" > /dev/null 2>&1
check "missing file: exit 2" test $? -eq 2

summary
