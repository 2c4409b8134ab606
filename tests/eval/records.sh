#!/usr/bin/env bash
# records.sh - records as they really come (issue 9): every problem of a
# record at once, "not valid JSON" with where and what, money and
# percentages as people write them, records that are not complete yet
# (`svp eval --partial`), and `svp portfolio` reading only its rules' fields.
# Expectations worked out by hand from the council's policy.
#
#   tests/eval/records.sh [SVP]
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh" records "$@"
policy=policies/nelc-social-value.svp
tender=tests/eval/bases/tender.json

# ---- Every problem at once ------------------------------------------------
# Three wrong fields: three problems, in document order, in one run.
jq -c '.value = "12,000" | .weighting.price = "abc" | .social_value.outcomes = ["net_zero", "safe"]' "$tender" > "$tmp/three.json"
"$svp" eval "$policy" "$tmp/three.json" --format json > "$tmp/out" 2> "$tmp/err"
same "three wrong fields: exit 2" $? 2
same "three wrong fields: errors, in document order" "$(jq -c '[.errors[].field]' "$tmp/out")" \
    '["value","weighting.price","social_value.outcomes[0]"]'
same "three wrong fields: error is the first" "$(jq -c '.error == .errors[0]' "$tmp/out")" true
same "three wrong fields: stderr, a line each" "$(grep -c '^svp: line 1 (NELC-TEST-T01): invalid record: ' "$tmp/err")" 3
"$svp" eval "$policy" "$tmp/three.json" --format text > "$tmp/out" 2> /dev/null
same "three wrong fields: text lists them all" "$(grep -c '^  \(value\|weighting.price\|social_value.outcomes\[0\]\): ' "$tmp/out")" 3
# Wrong values first, then the missing required fields, in declaration order.
jq -c '.weighting.price = "abc" | del(.dates.publication) | del(.category)' "$tender" > "$tmp/mixed.json"
"$svp" eval "$policy" "$tmp/mixed.json" --format json > "$tmp/out" 2> /dev/null
same "wrong, then missing" "$(jq -c '[.errors[] | [.field, (.message | .[0:8])]]' "$tmp/out")" \
    '[["weighting.price","expected"],["category","missing:"],["dates.publication","missing:"]]'
# A duplicate key and a bad value further on: both.
printf '{"id": "D", "stage": "planning", "stage": "planning", "category": "goods", "value": "x"}\n' > "$tmp/dup.json"
"$svp" eval "$policy" "$tmp/dup.json" --format json > "$tmp/out" 2> /dev/null
same "duplicate key and a bad value" "$(jq -c '[.errors[].field]' "$tmp/out")" '["stage","value"]'

# ---- Not valid JSON: where and what -----------------------------------------
notjson() { # NAME TEXT WANT
    printf '%s' "$2" > "$tmp/bad.json"
    "$svp" eval "$policy" "$tmp/bad.json" --format json > "$tmp/out" 2> /dev/null
    same "not JSON, $1" "$(jq -r .error.message "$tmp/out")" "$3"
}
notjson "a missing comma" '{"id": "X", "stage": "tender" "value": 1}' \
    "not valid JSON at line 1, column 31: expected ',' or '}' after an object member"
notjson "a bare word, on line 3" $'{\n  "id": "X",\n  "stage": tender\n}' \
    "not valid JSON at line 3, column 12: expected a value: a text goes in double quotes"
notjson "cut short" '{"id": "X", "stage": "tender"' \
    "not valid JSON at line 1, column 30: the text ends before the record does: a closing brace, bracket or quote is missing"
notjson "a missing colon" '{"id" "X"}' "not valid JSON at line 1, column 7: expected ':' after a key"
notjson "a trailing comma" '{"id": "X",}' "not valid JSON at line 1, column 12: expected a key in double quotes after ','"
notjson "single quotes" "{'id': 'X'}" \
    "not valid JSON at line 1, column 2: expected a key in double quotes (JSON does not use single quotes)"
notjson "a raw tab in a text" $'{"id": "X\tY"}' \
    'not valid JSON at line 1, column 10: a control character (a text cannot hold a raw line break or tab: write \n or \t)'
notjson "after a multi-byte character" '{"id": "£", "x": ]}' "not valid JSON at line 1, column 18: expected a value before the closing bracket (a ',' too many?)"

# ---- Money and percentages as people write them -------------------------------
amount() { # NAME PATCH WANT (jq over the result)
    jq -c "$2" "$tender" | "$svp" eval "$policy" - --format json > "$tmp/out" 2> /dev/null
    same "$1" "$(jq -c "$4" "$tmp/out")" "$3"
}
amount '"£145,000" is money' '.value = "£145,000"' '[true,"Leadership Team"]' '[.compliant, .decisions.sv_responsibility]'
amount '"£350,000.01" is money' '.value = "£350,000.01"' '"Cabinet"' '.decisions.sv_responsibility'
amount '"£350,000.00" is money' '.value = "£350,000.00"' '"Leadership Team"' '.decisions.sv_responsibility'
amount '"12.5%" is a percentage' '.weighting = {"price": "57.5%", "quality": 30, "social_value": "12.5%"}' '[true,[]]' '[.compliant, .findings]'
amount '"145,000" is refused' '.value = "145,000"' '"value"' '.error.field'
amount '"£145,0000" is refused' '.value = "£145,0000"' '"value"' '.error.field'
amount '"£145,000.5" is refused' '.value = "£145,000.5"' '"value"' '.error.field'
amount '"£ 145000" is refused' '.value = "£ 145000"' '"value"' '.error.field'
amount '"10 %" is refused' '.weighting.social_value = "10 %"' '"weighting.social_value"' '.error.field'
amount '"10%%" is refused' '.weighting.social_value = "10%%"' '"weighting.social_value"' '.error.field'
amount '"£10" in a percent field is refused' '.weighting.social_value = "£10"' '"weighting.social_value"' '.error.field'
amount '"10%" in a money field is refused' '.value = "10%"' '"value"' '.error.field'

# ---- Records that are not complete yet -----------------------------------------
# A tender of £420,000 that gives only its social value weighting (5%):
# sv-weighting fires on known values (non-compliant); weighting-total waits
# for the other two weightings.
echo '{"id": "P1", "stage": "tender", "category": "works", "value": "£420,000", "weighting": {"social_value": "5%"}}' > "$tmp/p1.json"
"$svp" eval "$policy" "$tmp/p1.json" --partial --format json > "$tmp/out"
same "partial, fires on known values: exit 1" $? 1
same "partial: compliant false" "$(jq -c .compliant "$tmp/out")" false
same "partial: missing" "$(jq -c .missing "$tmp/out")" '["dates.publication","weighting.price","weighting.quality"]'
same "partial: undecided" "$(jq -c .undecided "$tmp/out")" \
    '[{"rule":"weighting-total","severity":"error","needs":["weighting.price","weighting.quality"]}]'
same "partial: sv-weighting fired" "$(jq -c '[.findings[] | select(.severity == "error") | .rule]' "$tmp/out")" \
    '["sv-weighting","sv-outcomes-linked"]'
# Without the weighting at all: every error rule that needs it waits, none
# fires: compliant null, exit 3.
echo '{"id": "P2", "stage": "tender", "category": "works", "value": "£420,000"}' > "$tmp/p2.json"
"$svp" eval "$policy" "$tmp/p2.json" --partial --format json > "$tmp/out"
same "partial, waiting: exit 3" $? 3
same "partial, waiting: compliant null" "$(jq -c .compliant "$tmp/out")" null
same "partial, waiting: undecided rules" "$(jq -c '[.undecided[].rule]' "$tmp/out")" '["sv-weighting","sv-outcomes-linked","weighting-total"]'
"$svp" eval "$policy" "$tmp/p2.json" --partial --format text > "$tmp/out"
same "partial, text: INCOMPLETE" "$(head -n 1 "$tmp/out")" "P2  INCOMPLETE  under NELC Social Value Policy 2020.1"
same "partial, text: the checklist" "$(sed -n 2,6p "$tmp/out")" "  missing (required by the policy at this stage):
    [ ] dates.publication
    [ ] weighting.price
    [ ] weighting.quality
    [ ] weighting.social_value"
grep -q "^    sv-weighting             error    needs weighting.social_value$" "$tmp/out" && pass || fail "partial, text: waiting rules"
# The same record without --partial is invalid, as before.
"$svp" eval "$policy" "$tmp/p2.json" --format json > "$tmp/out" 2> /dev/null
same "without --partial: invalid, every missing field" "$?:$(jq -c '[.errors[].field]' "$tmp/out")" \
    '2:["dates.publication","weighting.price","weighting.quality","weighting.social_value"]'
# What a partial record has not filled in yet decides nothing: `all of` a group
# of required fields all still missing waits for them (and without --partial
# the same gap stays invalid); `is present` of a missing required field waits.
jq -c '.stage = "award" | .dates.award = "2025-03-01" | .supplier = {"name": "A", "size": "sme", "living_wage": true}
       | .contract_manager = "J. Smith" | .publication = {"commitments_published": true}' "$tender" > "$tmp/eth.json"
"$svp" eval "$policy" "$tmp/eth.json" --partial --format json > "$tmp/out"
same "partial, a group still to fill in: exit 3 (waits, does not fire)" $? 3
same "partial, a group still to fill in: ethical-sourcing waits for every item" \
    "$(jq -c '[.undecided[] | select(.rule == "ethical-sourcing") | .needs | length]' "$tmp/out")" '[6]'
same "partial, a group still to fill in: no finding of it" \
    "$(jq -c '[.findings[].rule | select(. == "ethical-sourcing")]' "$tmp/out")" '[]'
printf '{"id": "E1", "stage": "tender"}\n' > "$tmp/present.json"
"$svp" eval tests/eval/partial-present.svp "$tmp/present.json" --partial --format json > "$tmp/out"
same "partial, is present of a missing required field: waits" "$?:$(jq -c '[.compliant, [.undecided[].rule], .findings]' "$tmp/out")" \
    '3:[null,["engaged"],[]]'

# A complete record under --partial: compliant true, nothing missing, exit 0.
"$svp" eval "$policy" "$tender" --partial --format json > "$tmp/out"
same "partial, complete record" "$?:$(jq -c '[.compliant, .missing, .undecided]' "$tmp/out")" '0:[true,[],[]]'
# A wrong value is still an invalid record under --partial.
jq -c 'del(.weighting.price) | .value = "lots"' "$tender" | "$svp" eval "$policy" - --partial --format json > "$tmp/out" 2> /dev/null
same "partial, a wrong value: invalid" "$?:$(jq -c '[.errors[].field]' "$tmp/out")" '2:["value"]'
# A batch: precedence 2 > 1 > 3 > 0.
cat "$tmp/p2.json" "$tmp/p1.json" | "$svp" eval "$policy" - --partial --format json > /dev/null
same "partial batch, incomplete and non-compliant: exit 1" $? 1

# ---- svp portfolio reads only its rules' fields ---------------------------------
# A register from open data: id, stage, value and the supplier's size and
# VCSE flag, nothing else: 100,000 of 400,000 to SMEs = 25%.
printf '%s\n' '{"id": "R1", "stage": "award", "value": "£100,000", "supplier": {"size": "small", "vcse": false}}' \
    '{"id": "R2", "stage": "award", "value": "300000", "supplier": {"size": "large", "vcse": false}}' \
    '{"id": "R3", "stage": "delivery", "value": "£1", "supplier": {"size": "large", "vcse": "yes"}}' \
    '{"id": "R4", "stage": "award", "value": "0", "title": 7, "supplier": {"size": "large", "vcse": false}}' > "$tmp/reg.jsonl"
"$svp" portfolio "$policy" "$tmp/reg.jsonl" --format json > "$tmp/out" 2> "$tmp/err"
same "portfolio, minimal register: exit 2 (one bad VCSE flag)" $? 2
same "portfolio, minimal register: figures" "$(jq -c '[.records, .invalid, .shares[0].share, .shares[0].total]' "$tmp/out")" \
    '[4,1,"25%","£400,000.00"]'
same "portfolio: the bad field it reads is reported" "$(cat "$tmp/err")" \
    'svp: line 3 (R3): invalid record: supplier.vcse: expected true or false, got "yes"'

# ---- Done when: a real Contracts Finder notice, made a record by hand ------------
cf=examples/contracts-finder/sheffield-parking-tender
"$svp" eval "$policy" "$cf.json" --partial --format text > "$tmp/out"
same "Contracts Finder notice, --partial: exit 3 (incomplete)" $? 3
same "Contracts Finder notice, --partial: the checklist, byte for byte" "$(cmp -s "$tmp/out" "$cf.expected" && echo same)" same
"$svp" eval "$policy" "$cf.json" --partial --format json > "$tmp/out"
same "Contracts Finder notice, --partial, JSON" "$(jq -c '[.compliant, .missing, [.undecided[].rule], [.findings[].rule]]' "$tmp/out")" \
    '[null,["weighting.price","weighting.quality","weighting.social_value"],["sv-weighting","sv-outcomes-linked","weighting-total"],["early-engagement"]]'
"$svp" eval "$policy" "$cf.json" --format json > "$tmp/out" 2> /dev/null
same "Contracts Finder notice, whole: invalid, the three weightings" "$?:$(jq -c '[.errors[].field]' "$tmp/out")" \
    '2:["weighting.price","weighting.quality","weighting.social_value"]'
summary
