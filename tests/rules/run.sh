#!/usr/bin/env bash
# run.sh - issue 11, the rules part, end to end: a severity chosen by a
# condition, `required when`, working decisions, `allow CODE because`, the
# and/or precedence warning, through svp check, eval (JSON, text,
# --explain, --partial), test, fmt, diff and impact.  Expectations worked
# out by hand from tests/rules/policy.svp.
#
#   tests/rules/run.sh [SVP]
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh" rules "$@"
policy=tests/rules/policy.svp
R1='{"id":"R-1","published":"2027-05-01","method":"open","value":"200000.00","lots":2,"sv":5,"evidence":"thin market"}'

# ---- check: clean, the allowed tier warning quiet ---------------------------
NO_COLOR=1 "$svp" check "$policy" > "$tmp/out" 2> "$tmp/err"
same "check: exit 0" $? 0
same "check: ok, no warning (tier-not-monotonic allowed)" "$(cat "$tmp/out")" "$policy: ok (Rules of issue 11 1)"
same "check: nothing on stderr" "$(cat "$tmp/err")" ""

# ---- a severity chosen by a condition ---------------------------------------
sv_finding='{"rule":"sv-weight","severity":"%s","message":"social value weighting 5%% is below 10%%","cite":"S, 1","because":{"sv":"5%%"}}'
big_finding='{"rule":"big-open","severity":"info","message":"a large open procurement: £200,000.00","cite":"S, 2","because":{"method":"open","value":"£200,000.00","sv":"5%"}}'
echo "$R1" | "$svp" eval "$policy" - --format json > "$tmp/out" 2> "$tmp/err"
same "after the date: exit 1" $? 1
same "after the date: error, the working decision left out" "$(cat "$tmp/out")" \
    "{\"id\":\"R-1\",\"policy\":{\"name\":\"Rules of issue 11\",\"version\":\"1\"},\"compliant\":false,\"decisions\":{\"needs_sv\":true,\"fee\":\"2%\"},\"findings\":[$(printf "$sv_finding" error),$big_finding]}"
echo "$R1" | sed 's/2027-05-01/2027-03-31/' | "$svp" eval "$policy" - --format json > "$tmp/out"
same "before the date: exit 0" $? 0
same "before the date: a warning, compliant" "$(jq -c '[.compliant, [.findings[] | .rule + ":" + .severity]]' "$tmp/out")" \
    '[true,["sv-weight:warning","big-open:info"]]'
echo "$R1" | sed 's/2027-05-01/2027-04-01/' | "$svp" eval "$policy" - --format json > "$tmp/out"
same "on the date: error" "$(jq -c '[.compliant, .findings[0].severity]' "$tmp/out")" '[false,"error"]'
echo "$R1" | "$svp" eval "$policy" - --format text --explain > "$tmp/out"
same "text: the chosen severity" "$(grep -c '^  error    sv-weight: social value weighting 5% is below 10%$' "$tmp/out")" 1
same "text and explain: the working decision shown nowhere" "$(grep -c 'Above the threshold\|(big)' "$tmp/out")" 0
echo "$R1" | "$svp" eval "$policy" - --format json --explain > "$tmp/out"
same "explain: the chosen severity, no working decision" "$(jq -c '[.findings[0].severity, (.decisions | keys), (.trace | length)]' "$tmp/out")" \
    '["error",["fee","needs_sv"],2]'
# --partial, the date (a required field) missing: which severity is not
# known yet, so the rule waits for it, as an error would (exit 3).
echo '{"id":"R-9","method":"open","value":"200000.00","sv":5}' | "$svp" eval "$policy" - --format json --partial > "$tmp/out"
same "partial, no date: exit 3" $? 3
same "partial, no date: the rule waits for the date" "$(jq -c '[.compliant, [.findings[].rule], .undecided, .missing]' "$tmp/out")" \
    '[null,["big-open"],[{"rule":"sv-weight","severity":"error","needs":["published"]}],["published","lots","evidence"]]'
# A batch: the summary counts by the chosen severities.
{ echo "$R1"; echo "$R1" | sed 's/R-1/R-2/; s/2027-05-01/2026-01-01/'; } > "$tmp/two.jsonl"
"$svp" eval "$policy" "$tmp/two.jsonl" --format text > "$tmp/out"
same "batch: one non-compliant, one compliant" "$(grep -c '^2 records: 1 compliant, 1 non-compliant, 0 invalid$' "$tmp/out")" 1
# impact: the same rule fires under both, only its severity moved
sed 's/otherwise warning/otherwise info/; s/published >= mandatory/published >= 2026-01-01/' "$policy" > "$tmp/new.svp"
"$svp" impact "$policy" "$tmp/new.svp" "$tmp/two.jsonl" --format json > "$tmp/out" 2>/dev/null
same "impact: severity changed for the record it flipped" \
    "$(jq -c 'select(.id? == "R-2") | .severity_changed' "$tmp/out")" '[{"rule":"sv-weight","old":"warning","new":"error"}]'

# ---- required when ----------------------------------------------------------
echo '{"id":"R-4","published":"2027-05-01","method":"open","value":"200000.00","sv":5,"evidence":"x"}' \
    | "$svp" eval "$policy" - --format json > "$tmp/out" 2> "$tmp/err"
same "required when: exit 2" $? 2
same "required when: names the record's field and the condition" "$(cat "$tmp/out")" \
    '{"id":"R-4","line":1,"error":{"field":"lots","message":"missing: required when method = open and value > threshold"},"errors":[{"field":"lots","message":"missing: required when method = open and value > threshold"}]}'
same "required when: stderr" "$(cat "$tmp/err")" 'svp: line 1 (R-4): invalid record: lots: missing: required when method = open and value > threshold'
echo '{"id":"R-6","published":"2027-05-01","method":"open","value":"200000.00","sv":5}' \
    | "$svp" eval "$policy" - --format json > "$tmp/out" 2>/dev/null
same "required when: every field at fault" "$(jq -c '[.errors[].field]' "$tmp/out")" '["lots","evidence"]'
echo '{"id":"R-5","published":"2027-05-01","method":"restricted","value":"200000.00","sv":5,"evidence":"x"}' \
    | "$svp" eval "$policy" - --format json > "$tmp/out"
same "required when: the condition does not hold" $? 0
echo '{"id":"R-7","published":"2027-05-01","method":"open","value":"200000.00","lots":1}' \
    | "$svp" eval "$policy" - --format json > "$tmp/out"
same "required when: a condition reading an absent field does not hold" "$(jq -c '[.compliant, (.error // null)]' "$tmp/out")" '[false,null]'
echo '{"id":"R-8","published":"2027-05-01","method":"restricted","value":"90000000000000000.00","sv":5}' \
    | "$svp" eval "$policy" - --format json > "$tmp/out" 2>/dev/null
same "required when: overflow in the condition is an error" "$(jq -r '.error.message' "$tmp/out")" \
    'arithmetic overflow or out of memory while evaluating the rules'
echo '{"id":"R-4","method":"open","value":"200000.00","sv":5,"evidence":"x"}' \
    | "$svp" eval "$policy" - --format json --partial > "$tmp/out"
same "required when, --partial: listed as missing" "$(jq -c '.missing' "$tmp/out")" '["published","lots"]'

# ---- svp test: the chosen severity makes the verdict; a working decision can be asserted
"$svp" test --coverage --min-coverage 100 "$policy" > "$tmp/out" 2>&1
same "svp test: the suite passes at 100% coverage" $? 0

# ---- fmt: canonical, idempotent, the same results ---------------------------
"$svp" fmt "$policy" > "$tmp/f1.svp"
same "fmt: the policy is in canonical layout" "$(cmp -s "$policy" "$tmp/f1.svp" && echo same)" same
sed -e 's/^  lots .*/  lots number   required   when method=open and value>threshold/' \
    -e 's/^  else    error when published >= mandatory otherwise warning/  else error  when published>=mandatory   otherwise   warning/' \
    -e 's/^  allow tier-not-monotonic because/  allow    tier-not-monotonic   because/' \
    -e 's/^working decision big/working   decision big/' "$policy" > "$tmp/messy.svp"
"$svp" fmt "$tmp/messy.svp" > "$tmp/f2.svp"
same "fmt: the new constructs laid out canonically" "$(diff "$policy" "$tmp/f2.svp" && echo same)" same

# ---- diff: what changed -----------------------------------------------------
sed -e 's/required when method = open and value > threshold/required when method = open/' \
    -e 's/^working decision big/decision big/' -e 's/otherwise warning/otherwise info/' \
    -e '/^  allow tier-not-monotonic/d' "$policy" > "$tmp/v2.svp"
"$svp" diff "$policy" "$tmp/v2.svp" > "$tmp/out"
same "diff: each change in words" "$(grep '^  ' "$tmp/out")" \
"  lots: requirement: required when method = open and value > threshold -> required when method = open
  big: shown: no (working) -> in results
  fee: allow: tier-not-monotonic because \"the fee falls for the largest contracts, on purpose (S, 3)\" -> (none)
  sv-weight: severity: error when published >= mandatory otherwise warning -> error when published >= mandatory otherwise info"

summary
