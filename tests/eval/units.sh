#!/usr/bin/env bash
# units.sh - the units of issue 11 end to end through `svp eval`: percent x
# percent, division with its stated rounding (and by zero), whole months
# and days between dates, `not in`, min and max, numbers to four decimals,
# tiers over an ordered enumeration; absent operands and overflow.  Every
# expected value is worked out by hand in the comment beside it.
#
#   tests/eval/units.sh [SVP]
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh" units "$@"
policy=examples/units/units.svp
base='{"id":"A","value":"1000","quality":40,"social_value":10,"start":"2025-01-31","end":"2027-02-28","fte":0.125,"hours":2,"method":"open","risk":"medium","spend":"50","lots":3}'

# run NAME JQ-PATCH: evaluates the base record patched, JSON into $tmp/out
# (one line), standard error into $tmp/err, the exit status into $status.
run() {
    jq -c "$2" <<< "$base" > "$tmp/$1.json"
    "$svp" eval "$policy" "$tmp/$1.json" --format json > "$tmp/out" 2> "$tmp/err"
    status=$?
}
dec() { jq -c "[.decisions.$1]" "$tmp/out"; }

# ---- The base record --------------------------------------------------------
run base .
same "base: exit 0" "$status" 0
# 10% of a 40% element is 4% of the total
same "percent x percent" "$(dec sv_of_total)" '["4%"]'
# £1,000 / 12 = £83.333...: down £83.33, up £83.34, nearest £83.33
same "money / number, rounded down, up, to nearest" \
    "$(dec 'monthly,.decisions.monthly_up,.decisions.monthly_nearest')" '["83.33","83.34","83.33"]'
# £50 / £1,000 = 5%
same "money / money is a percentage" "$(dec spend_share)" '["5%"]'
# £1,000 / 3 = £333.333... down
same "money / a number field" "$(dec per_lot)" '["333.33"]'
# 2025-01-31 + 24 months = 2027-01-31; + 25 = 2027-02-28 (cut to February's end), not after the end
same "whole months, the day cut to the month's end" "$(dec term)" '["25"]'
# 365 + 365 + 28
same "days between" "$(dec term_days)" '["758"]'
same "min of money" "$(dec capped)" '["1000.00"]'
same "max of dates" "$(dec later)" '["2027-02-28"]'
# 0.125 FTE x 2 = 0.25; 0.125 / 2 = 0.0625
same "numbers to four decimals" "$(dec 'jobs,.decisions.job_share')" '["0.25","0.0625"]'
same "tier over an ordered enumeration (medium)" "$(dec scrutiny)" '["Leadership Team"]'
# no list of exclusions: `in` is false, so `not in` is true
same "not in an absent list is true" "$(dec allowed)" '[true]'
same "long contract fires with both measures" "$(jq -c '[.findings[] | .rule + ": " + .message]' "$tmp/out")" \
    '["long-contract: a contract of 25 months (758 days)"]'

# ---- Rounding of halves -------------------------------------------------------
# £0.18 / 12 = 1.5p: down 1p, up 2p, nearest 2p (halves away from zero)
run halves '.value = "0.18"'
same "1.5p: down, up, nearest" "$(dec 'monthly,.decisions.monthly_up,.decisions.monthly_nearest')" '["0.01","0.02","0.02"]'
# 10% x 39.99% = 3.999% -> 4% (to a hundredth, halves away): the floor holds
run sv-rounds '.quality = 39.99'
same "percent x percent to a hundredth" "$(dec sv_of_total)" '["4%"]'
same "3.999% rounds to 4%: no finding" "$(jq -c '[.findings[].rule]' "$tmp/out")" '["long-contract"]'
# 9% x 40% = 3.6%: the error fires and says so
run sv-low '.social_value = 9'
same "sv floor: exit 1" "$status" 1
same "sv floor: message" "$(jq -c '[.findings[] | select(.rule == "sv-floor") | .message]' "$tmp/out")" \
    '["social value is 3.6% of the whole score"]'

# ---- Months at the edges --------------------------------------------------------
run jan-feb '.start = "2025-01-31" | .end = "2025-02-28"'
same "2025-01-31 to 2025-02-28 is one month" "$(dec 'term,.decisions.term_days')" '["1","28"]'
run jan-feb-27 '.start = "2025-01-31" | .end = "2025-02-27"'
same "2025-01-31 to 2025-02-27 is no whole month" "$(dec term)" '["0"]'
# exactly 24 months is not more than 24: the rule does not apply
run two-years '.start = "2025-04-01" | .end = "2027-04-01"'
same "exactly two years: 24 months, not long" "$(dec term),$(jq -c '[.findings[].rule]' "$tmp/out")" '["24"],[]'
run two-years-less '.start = "2025-04-01" | .end = "2027-03-31"'
same "a day short of two years: 23 months" "$(dec term)" '["23"]'
run backwards '.start = "2027-04-01" | .end = "2025-04-01"'
same "an end before the start counts back" "$(dec 'term,.decisions.term_days')" '["-24","-730"]'

# ---- not in -------------------------------------------------------------------------
run direct '.method = "direct"'
same "not in a list literal: fires" "$(jq -c '[.findings[] | select(.rule == "not-direct") | .severity + ": " + .message]' "$tmp/out")" \
    '["warning: direct award: direct"]'
run excluded '.excluded = ["open", "direct"]'
same "not in a list field: false when among them" "$(dec allowed)" '[false]'
run not-excluded '.excluded = ["restricted"]'
same "not in a list field: true when not among them" "$(dec allowed)" '[true]'
run none-excluded '.excluded = []'
same "not in an empty list: true" "$(dec allowed)" '[true]'

# ---- Tiers over an ordered enumeration -------------------------------------------------
run high '.risk = "high"'
same "from high" "$(dec scrutiny)" '["Cabinet"]'
run low '.risk = "low"'
same "otherwise (low)" "$(dec scrutiny)" '["Officer"]'

# ---- Absent operands ---------------------------------------------------------------------
run absent 'del(.spend) | del(.lots) | del(.fte)'
same "absent operand: the division, product, min and days between are absent" \
    "$(dec 'spend_share,.decisions.per_lot,.decisions.jobs,.decisions.job_share,.decisions.least_spend,.decisions.days_to_sign')" \
    '[null,null,null,null,null,null]'
run signed '.signed = "2025-03-03"'
# 2025-01-31 to 2025-03-03: 28 + 3 days; min(£50, £1,000)
same "days from, min: present operands" "$(dec 'days_to_sign,.decisions.least_spend')" '["31","50.00"]'
same "absent operands: still evaluated" "$status" 0

# ---- Numbers: four decimals, no more -------------------------------------------------------
run fte-text '.fte = "0.0625"'
same "a number as text, four decimals" "$(dec jobs)" '["0.125"]'
run fte-fine '.fte = "0.00001"'
same "five decimals: invalid, exit 2" "$status" 2
same "five decimals: says four" "$(jq -c '[.error.field, .error.message]' "$tmp/out")" \
    '["fte","expected a number, not negative, to four decimals, got \"0.00001\""]'
run spend-fine '.spend = 0.001'
same "money stays to the penny" "$(jq -c '.error.field' "$tmp/out")" '"spend"'

# ---- Division by zero and overflow ------------------------------------------------------------
run zero-lots '.lots = 0'
same "division by zero: exit 2" "$status" 2
same "division by zero: names the division and how to guard it" "$(jq -c '[.error.field, .error.message]' "$tmp/out")" \
    '[null,"division by zero in `value / lots rounded down` (policy line 49): the record gives 0 to divide by; test it first, like `if B > 0 then A / B rounded down else ...`"]'
same "division by zero: said on standard error" "$(grep -c 'division by zero in `value / lots rounded down`' "$tmp/err")" 1
# £92,233,720,368,547,758.07 / £0.01 as a percentage overflows
run overflow '.spend = "92233720368547758.07" | .value = "0.01"'
same "overflow in a division: exit 2" "$status" 2
same "overflow in a division: the overflow error" "$(jq -c '.error.message' "$tmp/out")" \
    '"arithmetic overflow or out of memory while evaluating the rules"'

# ---- A batch: N records in, N results out -------------------------------------------------------
{ jq -c . <<< "$base"; jq -c '.lots = 0 | .id = "Z"' <<< "$base"; jq -c '.risk = "high" | .id = "H"' <<< "$base"; } > "$tmp/batch.jsonl"
"$svp" eval "$policy" "$tmp/batch.jsonl" --format json > "$tmp/out" 2> /dev/null
same "batch: exit 2 (one invalid)" "$?" 2
same "batch: three results, in order" "$(jq -c '[.id, (.error.message[0:16] // .decisions.scrutiny)]' "$tmp/out" | tr -d '\n')" \
    '["A","Leadership Team"]["Z","division by zero"]["H","Cabinet"]'

# ---- svp diff says what changed in a unit ---------------------------------------------------------
sed 's/value \/ 12 rounded down/value \/ 12 rounded up/; s/min(value, cap)/max(value, cap)/; s/method not in excluded/method in excluded/; s/months from start to end > long_contract/days from start to end > long_contract/; s/from high   -> "Cabinet"/from medium -> "Cabinet"/; s/from medium -> "Leadership Team"/from low -> "Leadership Team"/; s/version   "1"/version   "2"/' \
    "$policy" > "$tmp/units2.svp"
"$svp" diff "$policy" "$tmp/units2.svp" > "$tmp/diff" 2>&1
same "diff: exit 1 (changes)" "$?" 1
same "diff: each change of a unit, in words" "$(grep '^  ' "$tmp/diff")" "$(cat <<'TXT'
  version: 1 -> 2
  monthly: is: value / 12 rounded down -> value / 12 rounded up
  capped: is: min(value, cap) -> max(value, cap)
  allowed: is: method not in excluded -> method in excluded
  scrutiny: tier "Cabinet": from high -> from medium
  scrutiny: tier "Leadership Team": from medium -> from low
  long-contract: when: months from start to end > long_contract -> days from start to end > long_contract
TXT
)"
# the same division with other spacing is no change
sed 's|value / 12 rounded down|value/12   rounded  down|' "$policy" > "$tmp/same.svp"
"$svp" diff "$policy" "$tmp/same.svp" > "$tmp/diff" 2>&1
same "diff: spacing is no change (exit 0)" "$?" 0

summary
