#!/usr/bin/env bash
# run.sh - tests of the April review tooling: `svp diff` and `svp impact`.
#
#   tests/review/run.sh [SVP]
#
# diff: policies/base.svp (the council's policy, version 2020.1) against
# versions in diff/ that each differ from it in one thing (or, many.svp and
# more.svp, in several); the exact output is in diff/NAME.expected, worked
# out by hand.  layout-only.svp and spelling-only.svp differ only in
# comments, layout, the spelling of literals and redundant parentheses:
# no differences, exit 0.
#
# impact: policies/april.svp lowers sv_threshold to £50,000 and raises
# minimum_weighting to 15%; records/register.jsonl holds records chosen to
# flip and not to flip (see README-section.md and the comments below for
# which, and why); records/april.expected is the exact output.
#
# Ends with one line "N passed, M failed"; exits 1 when anything failed.
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
svp=${1:-build/svp}
case $svp in /*) ;; *) svp="$PWD/$svp" ;; esac
cd "$root" || exit 2
R=tests/review
base=$R/policies/base.svp
april=$R/policies/april.svp
tmp=$(mktemp -d "${TMPDIR:-/tmp}/svp-review.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0

pass() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAIL $*"; }

# status_is NAME EXPECTED GOT
status_is() {
    if [ "$2" = "$3" ]; then pass; else fail "$1: exit $3, expected $2"; fi
}

# same_output NAME EXPECTED-FILE GOT-FILE: byte for byte.
same_output() {
    if cmp -s "$2" "$3"; then pass; else fail "$1: output differs from $2"; diff -u "$2" "$3" | head -40; fi
}

# expect NAME JQ-FILTER EXPECTED: the filter over $tmp/out.json gives EXPECTED.
expect() {
    local got
    got=$(jq -c "$2" "$tmp/out.json" 2>/dev/null)
    if [ "$got" = "$3" ]; then pass; else fail "$1: expected $3, got $got"; fi
}

# has_line NAME FILE LINE: FILE has exactly that line.
has_line() {
    if grep -qxF -- "$3" "$2"; then pass; else fail "$1: no line \"$3\" in output"; fi
}

# ---- svp diff: one difference each ------------------------------------------

# case  expected-exit
while read -r name want; do
    "$svp" diff "$base" "$R/diff/$name.svp" --format text > "$tmp/out.txt" 2> "$tmp/err"
    status_is "diff $name" "$want" $?
    same_output "diff $name" "$R/diff/$name.expected" "$tmp/out.txt"
done <<'EOF'
parameter-value 1
rule-severity 1
rule-message 1
rule-citation 1
rule-condition 1
rule-added 1
rule-removed 1
rule-renamed 1
tier-bound 1
field-required 1
field-texts 1
layout-only 0
spelling-only 0
many 1
more 1
EOF

# The text is the default format.
"$svp" diff "$base" "$R/diff/parameter-value.svp" > "$tmp/out.txt" 2>&1
same_output "diff: text by default" "$R/diff/parameter-value.expected" "$tmp/out.txt"

# A policy against itself, and against its own `svp fmt` output.
"$svp" diff "$base" "$base" > "$tmp/out.txt"
status_is "diff: a policy against itself" 0 $?
has_line "diff: a policy against itself" "$tmp/out.txt" "no differences"
"$svp" fmt "$base" > "$tmp/formatted.svp"
"$svp" diff "$base" "$tmp/formatted.svp" > /dev/null
status_is "diff: a policy against svp fmt of it" 0 $?
"$svp" fmt "$R/diff/layout-only.svp" > "$tmp/formatted.svp"
"$svp" diff "$R/diff/layout-only.svp" "$tmp/formatted.svp" > /dev/null
status_is "diff: layout-only against svp fmt of it" 0 $?

# The other way round: what was added is removed.
"$svp" diff "$R/diff/rule-added.svp" "$base" > "$tmp/out.txt"
status_is "diff: reversed" 1 $?
has_line "diff: reversed" "$tmp/out.txt" '  removed: measures-committed "Social value commitments come with measures"; when stage >= award and weighting.social_value > 0%; require count of social_value.measures > 0; else warning "no social value measures were committed"; cite "Delivery and Reporting, 3"'
"$svp" diff "$R/diff/parameter-value.svp" "$base" > "$tmp/out.txt"
has_line "diff: reversed parameter" "$tmp/out.txt" "  sv_threshold: £50,000 -> £100,000"

# JSON: the same changes, with kind, name, aspect, old and new.
"$svp" diff "$base" "$R/diff/parameter-value.svp" --format json > "$tmp/out.json"
status_is "diff json: exit" 1 $?
expect "diff json: one change" '.changes' \
    '[{"kind":"parameter-changed","section":"Parameters","name":"sv_threshold","aspect":null,"old":"£100,000","new":"£50,000"}]'
expect "diff json: versions" '[.old.version, .new.version, .count]' '["2020.1","2020.1",1]'
"$svp" diff "$base" "$R/diff/rule-severity.svp" --format=json > "$tmp/out.json"
expect "diff json: severity" '.changes[0] | [.kind, .name, .aspect, .old, .new]' \
    '["rule-changed","early-engagement","severity","warning","error"]'
"$svp" diff "$base" "$R/diff/rule-added.svp" --format json > "$tmp/out.json"
expect "diff json: added" '.changes[0] | [.kind, .name, .old, .new]' \
    '["rule-added","measures-committed",null,"\"Social value commitments come with measures\"; when stage >= award and weighting.social_value > 0%; require count of social_value.measures > 0; else warning \"no social value measures were committed\"; cite \"Delivery and Reporting, 3\""]'
"$svp" diff "$base" "$R/diff/tier-bound.svp" --format json > "$tmp/out.json"
expect "diff json: tier" '.changes[0] | [.kind, .name, .aspect, .old, .new]' \
    '["tier-changed","sv_responsibility","tier \"Leadership Team\"","over sv_threshold (£100,000)","from £75,000"]'
"$svp" diff "$base" "$R/diff/field-required.svp" --format json > "$tmp/out.json"
expect "diff json: field" '.changes[0] | [.kind, .name, .aspect, .old, .new]' \
    '["field-changed","contract_manager","requirement","optional","required from award"]'
"$svp" diff "$base" "$R/diff/many.svp" --format json > "$tmp/out.json"
expect "diff json: many kinds" '[.changes[].kind] | unique' \
    '["decision-changed","enum-value-added","field-added","field-changed","field-removed","header-changed","parameter-added","parameter-changed","portfolio-rule-changed","rule-changed","tier-added","tier-changed"]'
expect "diff json: many count" '[.count, (.changes | length)]' '[17,17]'
"$svp" diff "$base" "$R/diff/layout-only.svp" --format json > "$tmp/out.json"
status_is "diff json: no differences" 0 $?
expect "diff json: empty" '[.count, .changes]' '[0,[]]'

# A policy that does not compile: its diagnostics, exit 2.
sed 's/value > sv_threshold and not social_value.opt_out/value > sv_treshold and not social_value.opt_out/' "$base" > "$tmp/broken.svp"
"$svp" diff "$base" "$tmp/broken.svp" > "$tmp/out.txt" 2> "$tmp/err"
status_is "diff: broken policy" 2 $?
if grep -q "unknown name \`sv_treshold\`" "$tmp/err"; then pass; else fail "diff: broken policy: diagnostics not printed"; fi
if [ ! -s "$tmp/out.txt" ]; then pass; else fail "diff: broken policy: printed a report"; fi

# Usage errors.
"$svp" diff "$base" > /dev/null 2>&1;                                   status_is "diff: one policy" 2 $?
"$svp" diff "$base" "$base" "$base" > /dev/null 2>&1;                   status_is "diff: three policies" 2 $?
"$svp" diff "$base" "$base" --format xml > /dev/null 2>&1;              status_is "diff: bad format" 2 $?
"$svp" diff "$base" "$base" --explain > /dev/null 2>&1;                 status_is "diff: unknown option" 2 $?
"$svp" diff "$base" "$tmp/no-such.svp" > /dev/null 2>&1;                status_is "diff: unreadable" 2 $?

# ---- svp impact: sv_threshold £100,000 -> £50,000, minimum 10% -> 15% --------
#
# Worked out by hand (old: over £100,000 is "required", minimum 10%; new:
# over £50,000, minimum 15%):
#   IMP-01 tender £240,000, 10%: met 10%, misses 15%       -> flips (sv-weighting)
#   IMP-02 tender £240,000, 15%: meets both                 -> minimum 10% -> 15% only
#   IMP-03 tender £75,000, 10%: newly over the threshold    -> flips (sv-weighting)
#   IMP-04 tender £75,000, 20%: newly over, meets 15%       -> decisions only
#   IMP-05 tender £40,000: under both thresholds            -> unchanged
#   (line 6 is blank: line numbers still count it)
#   IMP-06 planning £40,000                                 -> unchanged
#   IMP-07 award £60,000, no contract manager               -> flips (sv-weighting, contract-manager)
#   IMP-08 tender £75,000, opted out with evidence          -> sv-opt-out now reported (a warning)
#   IMP-09 tender £400,000, opted out: over both thresholds -> unchanged
#   IMP-10 no weighting.price: invalid under both, same error -> unchanged
#   IMP-11 tender £80,000, 0%: sv-below-threshold (warning) becomes sv-weighting (error) -> flips
#   IMP-12 tender exactly £50,000: not over £50,000         -> unchanged
#   IMP-13 tender £50,000.01: over £50,000                  -> flips (sv-weighting)
# 13 records, 8 changed: 5 flip to non-compliant; social_value_required and
# sv_responsibility change for 03 04 07 08 11 13 (6), the minimum for 01 02
# 03 04 07 11 13 (7); sv-weighting newly fires for 01 03 07 11 13 (5).
records=$R/records/register.jsonl
"$svp" impact "$base" "$april" "$records" > "$tmp/out.txt" 2> "$tmp/err"
status_is "impact april: exit" 1 $?
same_output "impact april: text" "$R/records/april.expected" "$tmp/out.txt"
if [ ! -s "$tmp/err" ]; then pass; else fail "impact april: wrote to stderr: $(head -1 "$tmp/err")"; fi
has_line "impact april: IMP-01" "$tmp/out.txt" \
    "IMP-01 (line 1): verdict: compliant -> non-compliant; decisions: min_social_value_weighting: 10% -> 15%; fires now: sv-weighting"
has_line "impact april: totals" "$tmp/out.txt" \
    "13 records read: 8 changed, 5 unchanged (NELC Social Value Policy 2020.1 -> NELC Social Value Policy 2025.1)"

"$svp" impact "$base" "$april" "$records" --format json > "$tmp/all.json"
status_is "impact april json: exit" 1 $?
grep -v '"summary"' "$tmp/all.json" > "$tmp/out.json"
expect "impact april json: changed ids" '[.id]' \
    "$(printf '%s\n' '["IMP-01"]' '["IMP-02"]' '["IMP-03"]' '["IMP-04"]' '["IMP-07"]' '["IMP-08"]' '["IMP-11"]' '["IMP-13"]')"
expect "impact april json: lines" '.line' "$(printf '%s\n' 1 2 3 4 8 9 12 14)"
jq -c 'select(.id == "IMP-07")' "$tmp/all.json" > "$tmp/out.json"
expect "impact april json: IMP-07" '[.verdict, .decisions.sv_responsibility, .decisions.min_social_value_weighting, .fires_now, .no_longer_fires]' \
    '[{"old":"compliant","new":"non-compliant"},{"old":"Commissioning officer","new":"Leadership Team"},{"old":"0%","new":"15%"},["sv-weighting","contract-manager"],[]]'
jq -c 'select(.id == "IMP-11")' "$tmp/all.json" > "$tmp/out.json"
expect "impact april json: IMP-11" '[.decisions.social_value_required, .fires_now, .no_longer_fires]' \
    '[{"old":false,"new":true},["sv-weighting"],["sv-below-threshold"]]'
grep '"summary"' "$tmp/all.json" > "$tmp/out.json"
expect "impact april json: totals" '.summary | [.records, .changed, .unchanged, .invalid_both]' '[13,8,5,1]'
expect "impact april json: verdicts" '.summary | [.to_noncompliant, .to_compliant, .became_invalid, .became_valid, .error_changed]' '[5,0,0,0,0]'
expect "impact april json: decisions" '.summary.decisions' \
    '{"social_value_required":6,"sv_responsibility":6,"min_social_value_weighting":7}'
expect "impact april json: newly firing" '.summary.newly_firing' '{"sv-weighting":5,"sv-opt-out":1,"contract-manager":1}'
expect "impact april json: no longer firing" '.summary.no_longer_firing' '{"sv-below-threshold":1}'

# The same register from standard input.
"$svp" impact "$base" "$april" - < "$records" > "$tmp/out.txt" 2>/dev/null
status_is "impact april: stdin" 1 $?
same_output "impact april: stdin" "$R/records/april.expected" "$tmp/out.txt"

# No change: the same policy twice, and a layout-only version.
"$svp" impact "$base" "$base" "$records" > "$tmp/out.txt" 2>/dev/null
status_is "impact: same policy" 0 $?
has_line "impact: same policy" "$tmp/out.txt" \
    "13 records read: 0 changed, 13 unchanged (NELC Social Value Policy 2020.1 -> NELC Social Value Policy 2020.1)"
if [ "$(head -1 "$tmp/out.txt" | cut -c1-13)" = "13 records re" ]; then pass; else fail "impact: same policy: lists a record"; fi
"$svp" impact "$base" "$R/diff/layout-only.svp" "$records" --format json > "$tmp/out.json" 2>/dev/null
status_is "impact: layout only" 0 $?
expect "impact: layout only" '.summary | [.records, .changed]' '[13,0]'

# Validity: contract_manager becomes required from award.
#   V-01 award, no contract manager: becomes invalid; V-02 award, named:
#   unchanged; V-03 tender: unchanged (not required yet); V-04 not JSON and
#   V-05 title 5 (not text): invalid under both, same errors.
validity=$R/records/validity.jsonl
"$svp" impact "$base" "$R/diff/field-required.svp" "$validity" > "$tmp/out.txt" 2>/dev/null
status_is "impact validity: exit" 1 $?
has_line "impact validity: V-01" "$tmp/out.txt" \
    "V-01 (line 1): verdict: compliant -> invalid (contract_manager: missing: required from award, and this record is at award)"
if [ "$(grep -c '^V-' "$tmp/out.txt")" = 1 ]; then pass; else fail "impact validity: lists $(grep -c '^V-' "$tmp/out.txt") records, expected 1"; fi
"$svp" impact "$base" "$R/diff/field-required.svp" "$validity" --format json 2>/dev/null | grep '"summary"' > "$tmp/out.json"
expect "impact validity: counts" '.summary | [.records, .changed, .became_invalid, .became_valid, .invalid_both, .to_noncompliant]' '[5,1,1,0,2,0]'
"$svp" impact "$R/diff/field-required.svp" "$base" "$validity" --format json 2>/dev/null > "$tmp/all.json"
grep '"summary"' "$tmp/all.json" > "$tmp/out.json"
expect "impact validity reversed: counts" '.summary | [.changed, .became_invalid, .became_valid]' '[1,0,1]'
grep -v '"summary"' "$tmp/all.json" > "$tmp/out.json"
expect "impact validity reversed: V-01" '[.id, .verdict.new, .error.old.field, .error.new]' '["V-01","compliant","contract_manager",null]'
# more.svp makes title a list: V-05's error changes (text -> list).
"$svp" impact "$base" "$R/diff/more.svp" "$validity" > "$tmp/out.txt" 2>/dev/null
has_line "impact: error changed" "$tmp/out.txt" \
    "V-05 (line 5): error: title: expected text, got 5 -> title: expected a list, got 5"
has_line "impact: error changed count" "$tmp/out.txt" "  invalid under both, error changed  1"

# Exit 2: usage, a policy that does not compile, unreadable records.
"$svp" impact "$base" "$april" > /dev/null 2>&1;                         status_is "impact: two arguments" 2 $?
"$svp" impact "$base" "$april" "$records" x > /dev/null 2>&1;            status_is "impact: four arguments" 2 $?
"$svp" impact "$base" "$april" "$records" --format yaml > /dev/null 2>&1; status_is "impact: bad format" 2 $?
"$svp" impact "$base" "$april" "$records" --explain > /dev/null 2>&1;    status_is "impact: unknown option" 2 $?
"$svp" impact "$base" "$tmp/broken.svp" "$records" > "$tmp/out.txt" 2> "$tmp/err"
status_is "impact: broken policy" 2 $?
if grep -q "sv_treshold" "$tmp/err"; then pass; else fail "impact: broken policy: diagnostics not printed"; fi
"$svp" impact "$base" "$april" "$tmp/none.jsonl" > /dev/null 2> "$tmp/err"
status_is "impact: unreadable records" 2 $?

# One record spread over lines (a pretty-printed .json file).
jq '.value = "75000.00"' tests/eval/bases/tender.json > "$tmp/one.json"
"$svp" impact "$base" "$april" "$tmp/one.json" > "$tmp/out.txt" 2>/dev/null
status_is "impact: one pretty-printed record" 1 $?
has_line "impact: one pretty-printed record" "$tmp/out.txt" \
    "NELC-TEST-T01 (line 1): verdict: compliant -> non-compliant; decisions: social_value_required: false -> true, sv_responsibility: Commissioning officer -> Leadership Team, min_social_value_weighting: 0% -> 15%; fires now: sv-weighting"

# Streaming: memory does not grow with the register (40 times the records,
# within 1 MiB of the peak), with one thread: with --jobs N the read-ahead
# window of N workers (a few MiB, however long the register) comes on top,
# and a small register may not fill it.  Skipped for sanitizer builds, whose
# allocator keeps freed memory in quarantine.
if [ -x /usr/bin/time ] && ! grep -q __asan_init "$svp" 2>/dev/null; then
    for _ in $(seq 1 40); do cat "$records"; done > "$tmp/small.jsonl"
    for _ in $(seq 1 40); do cat "$tmp/small.jsonl"; done > "$tmp/large.jsonl"
    small=$(/usr/bin/time -f %M "$svp" impact --jobs 1 "$base" "$april" "$tmp/small.jsonl" 2>&1 >/dev/null | tail -1)
    large=$(/usr/bin/time -f %M "$svp" impact --jobs 1 "$base" "$april" "$tmp/large.jsonl" 2>&1 >/dev/null | tail -1)
    if [ -n "$small" ] && [ -n "$large" ] && [ "$large" -le $((small + 1024)) ]; then pass
    else fail "impact: peak memory ${small} KiB for 520 records, ${large} KiB for 20800"; fi
fi

# Allocation failures: oom.c against the library beside SVP, when there is
# one and a C compiler (built like the library: with the sanitizers when
# SVP has them).
lib=$(dirname "$svp")/libsvp.a
if [ -f "$lib" ] && command -v cc > /dev/null; then
    flags="-std=c11 -D_POSIX_C_SOURCE=200809L -O1 -g"
    if grep -q __asan_init "$svp" 2>/dev/null; then
        flags="$flags -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all"
    fi
    if grep -q __gcov_init "$svp" 2>/dev/null; then
        flags="$flags --coverage" # the coverage build (tests/coverage.sh)
    fi
    # shellcheck disable=SC2086
    if cc $flags -Iengine -o "$tmp/oom" "$R/oom.c" "$lib" -lcjson 2> "$tmp/err"; then
        for pair in "$april $records" "$R/diff/more.svp $validity"; do
            # shellcheck disable=SC2086
            if "$tmp/oom" "$base" $pair > "$tmp/out.txt" 2>&1; then pass
            else fail "out of memory ($pair): $(head -3 "$tmp/out.txt")"; fi
        done
    else
        fail "oom.c does not build: $(head -3 "$tmp/err")"
    fi
fi

# ---- Mends from the review trial (issue 12) --------------------------------------
same() { if [ "$2" = "$3" ]; then pass; else fail "$1: expected $3, got $2"; fi; }
# A rule renamed with the same body is one rule: diff says renamed, impact
# lists none of its records (three fire it, under either id).
"$svp" diff "$base" "$R/diff/rule-renamed.svp" --format json > "$tmp/out.json"
expect "diff json: renamed" '.changes' '[{"kind":"rule-renamed","section":"Rules","name":"sv-opt-out-review","aspect":null,"old":"sv-opt-out","new":"sv-opt-out-review"}]'
"$svp" impact "$base" "$R/diff/rule-renamed.svp" examples/review/register.jsonl --format json > "$tmp/out.json"
status_is "impact renamed: exit" 0 $?
expect "impact renamed: nothing changes" 'select(.summary) | .summary | [.records, .changed, .newly_firing, .no_longer_firing]' '[60,0,{},{}]'
# Only a severity changes: impact says why each verdict flipped.
"$svp" impact "$base" "$R/diff/rule-severity.svp" examples/review/register.jsonl > "$tmp/out.txt"
has_line "impact severity: why" "$tmp/out.txt" \
    "NELC-2025-00017 (line 17): verdict: compliant -> non-compliant; severity changed: early-engagement warning -> error"
"$svp" impact "$base" "$R/diff/rule-severity.svp" examples/review/register.jsonl --format json > "$tmp/out.json"
same "impact severity json: why" "$(jq -c 'select(.id == "NELC-2025-00017") | .severity_changed' "$tmp/out.json")" \
    '[{"rule":"early-engagement","old":"warning","new":"error"}]'
# Money: the value of the records that flip, added up from the register by the ids impact names.
"$svp" impact "$base" "$april" "$records" --format json > "$tmp/out.json"
flipped=$(jq -c 'select(.verdict.new == "non-compliant" and .verdict.old == "compliant") | .id' "$tmp/out.json" | jq -s -c .)
same "impact money: the value of the records now non-compliant" "$(jq -r 'select(.summary) | .summary.value.to_noncompliant' "$tmp/out.json")" \
    "$(jq -r --argjson ids "$flipped" 'select(.id as $i | $ids | index($i)) | .value' "$records" | paste -sd+ | bc)"

# ---- impact: its three arguments (the usage shared with report --review) ----
for args in "a b c d|unexpected argument \`d\`: give the old policy, the new one and the records" \
            "a|impact needs the old policy, the new one and the records (a file, or - for standard input)" \
            "--bogus a b c|unknown option \`--bogus\` for impact"; do
    "$svp" impact ${args%%|*} > "$tmp/out" 2> "$tmp/err"
    same "impact usage: ${args%%|*}" "$?:$(wc -c < "$tmp/out"):$(head -n 1 "$tmp/err")" "2:0:svp: ${args#*|}"
done

# ---- svp diff: tables, by edition and key -----------------------------------
"$svp" diff policies/proxy-values.svp "$R/tables/proxy-2027.svp" > "$tmp/out.txt" 2> "$tmp/err"
status_is "diff tables" 1 $?
same_output "diff tables" "$R/tables/proxy-2027.expected" "$tmp/out.txt"
"$svp" diff policies/proxy-values.svp "$R/tables/proxy-2027.svp" --format json > "$tmp/out.json"
expect "diff tables json: a changed row" '[.changes[] | select(.kind == "table-row-changed")][0] | [.section, .name, .aspect, .old, .new]' \
    '["Tables","proxy_value","\"NT1\" in edition 2025","£31,500.00","£32,000.00"]'
expect "diff tables json: kinds" '[.changes[] | select(.section == "Tables") | .kind]' \
    '["table-row-changed","table-row-removed","table-edition-added","table-row-changed"]'
"$svp" diff policies/proxy-values.svp policies/proxy-values.svp > /dev/null
status_is "diff tables: none with itself" 0 $?

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
