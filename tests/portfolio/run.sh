#!/usr/bin/env bash
# run.sh - tests of `svp portfolio` (the council's sme-vcse-spend rule).
#
#   tests/portfolio/run.sh [SVP]
#
# Builds small registers from tests/eval/bases/award.json with jq, works out
# the share of money awarded to SMEs and VCSEs by hand, and checks svp's
# figures, finding, message and exit status.
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh" portfolio "$@"
policy=policies/nelc-social-value.svp
base=tests/eval/bases/award.json

# record ID STAGE VALUE SIZE VCSE: one award-based record on one line.
record() {
    jq -c --arg id "$1" --arg stage "$2" --arg value "$3" --arg size "$4" --argjson vcse "$5" \
        '.id = $id | .stage = $stage | .value = $value | .supplier.size = $size | .supplier.vcse = $vcse' "$base"
}

# expect NAME JQ-FILTER EXPECTED: the filter over the JSON output must give EXPECTED.
expect() {
    local got
    got=$(jq -c "$2" "$tmp/out.json" 2>/dev/null)
    same "$1" "$got" "$3"
}

status_is() { same "$1: exit status" "$3" "$2"; }

# 1. SME 30,000 + VCSE 20,000 of 150,000 counted = 33.33% (rounded down),
#    met; the tender record is not counted; the invalid one is left out.
{
    record P1 award 100000 large false
    record P2 award 30000 small false
    record P3 delivery 20000.00 large true
    record P4 tender 500000 large false | jq -c 'del(.supplier, .dates.award, .contract_manager)'
    echo '{"id": "P5", "stage": "award"'
} > "$tmp/met.jsonl"
"$svp" portfolio "$policy" "$tmp/met.jsonl" --format json > "$tmp/out.json" 2> "$tmp/err"
status_is "met: exit 2 (an invalid record)" 2 $?
expect "met: records" '[.records, .invalid]' '[5,1]'
expect "met: share" '.shares[0] | [.rule, .share, .part, .total, .records]' '["sme-vcse-spend","33.33%","£50,000.00","£150,000.00",3]'
expect "met: no finding" '.findings' '[]'
expect "met: compliant" '.compliant' 'true'
if grep -q "line 5" "$tmp/err"; then pass; else fail "met: invalid record reported on stderr"; fi

# 2. 24,999 of 100,000 is 24.999%: rounds down to 24.99%, below 25%: fires.
{
    record Q1 award 24999 medium false
    record Q2 award 75001 large false
} > "$tmp/short.jsonl"
"$svp" portfolio "$policy" "$tmp/short.jsonl" --format json > "$tmp/out.json" 2> "$tmp/err"
status_is "short: exit 0 (a warning)" 0 $?
expect "short: share" '.shares[0].share' '"24.99%"'
expect "short: finding" '.findings[0] | [.rule, .severity, .cite]' '["sme-vcse-spend","warning","Objectives, 4"]'
expect "short: message" '.findings[0].message' '"SMEs and VCSEs received 24.99% of the money awarded; the council aims for at least 25%"'

# 3. exactly 25%: met.
{
    record R1 award 25000 micro false
    record R2 award 75000 large false
} > "$tmp/exact.jsonl"
"$svp" portfolio "$policy" "$tmp/exact.jsonl" --format json > "$tmp/out.json"
status_is "exact: exit 0" 0 $?
expect "exact: share" '[.shares[0].share, .findings]' '["25%",[]]'

# 4. nothing awarded: no share can be worked out, so the requirement cannot
#    be shown to hold and the rule fires.
record S1 tender 90000 large false | jq -c 'del(.supplier, .dates.award, .contract_manager)' > "$tmp/none.jsonl"
"$svp" portfolio "$policy" "$tmp/none.jsonl" --format json > "$tmp/out.json"
expect "none: share" '[.shares[0].share, .shares[0].records, (.findings | length)]' '[null,0,1]'

# 5. text output names the rule, the share and the figures.
"$svp" portfolio "$policy" "$tmp/short.jsonl" --format text > "$tmp/out.txt"
if grep -q "warning  sme-vcse-spend" "$tmp/out.txt" && grep -q "share 24.99% (£24,999.00 of £100,000.00, 2 records)" "$tmp/out.txt"; then
    pass; else fail "text output"; cat "$tmp/out.txt"; fi

# 6. Sums that overflow 64 bits (issue 9, defect 7): no wrapped figure, no
#    share, an error and exit 2.
{
    record O1 award 92000000000000000.00 small false
    record O2 award 92000000000000000.00 small false
    record O3 award 1000 large false
} > "$tmp/overflow.jsonl"
"$svp" portfolio "$policy" "$tmp/overflow.jsonl" --format json > "$tmp/out.json" 2> "$tmp/err"
status_is "overflow: exit 2" 2 $?
expect "overflow: no verdict, the reason" '[.compliant, .error]' \
    '[null,"sme-vcse-spend: the sum over the register is larger than svp can hold (£92,233,720,368,547,758.07), so no share is given"]'
expect "overflow: no figures" '.shares[0] | [.share, .part, .total]' '[null,null,null]'
same "overflow: stderr" "$(cat "$tmp/err")" \
    "svp: sme-vcse-spend: the sum over the register is larger than svp can hold (£92,233,720,368,547,758.07), so no share is given"
"$svp" portfolio "$policy" "$tmp/overflow.jsonl" --format text > "$tmp/out.txt" 2> /dev/null
status_is "overflow (text): exit 2" 2 $?
grep -q "the sums overflowed" "$tmp/out.txt" && ! grep -q "£92,000" "$tmp/out.txt" && pass || fail "overflow: text output"

# 7. A register that cannot be read gets no report (defect 12): nothing on
#    standard output, the reason on standard error, exit 2.
"$svp" portfolio "$policy" "$tmp/missing.jsonl" --format json > "$tmp/out.json" 2> "$tmp/err"
status_is "unreadable register: exit 2" 2 $?
same "unreadable register: nothing on stdout" "$(wc -c < "$tmp/out.json")" 0
same "unreadable register: stderr" "$(cat "$tmp/err")" "svp: cannot read $tmp/missing.jsonl: No such file or directory"
"$svp" portfolio "$policy" examples --format text > "$tmp/out.json" 2> /dev/null
same "a folder as register: nothing on stdout" "$?:$(wc -c < "$tmp/out.json")" "2:0"

# 8. A field the portfolio reads, required when a condition holds (issue
#    11): the portfolio reads the condition's fields too, so a record
#    `svp eval` finds invalid is invalid here as well (not counted valid).
cat > "$tmp/when.svp" <<'EOF'
policy "P"
  version   "1"
  effective 2025-01-01

enum method: open, direct

record r
  id     text    required
  method method  required
  value  money   required when method = open
  sme    boolean default false

portfolio sme-share "SME share"
  cite    "X"
  share   value where sme
  require share >= 25%
  else    warning "low {share}"
EOF
printf '%s\n' '{"id":"A","method":"open","sme":true}' '{"id":"B","method":"direct","value":"100","sme":false}' \
    '{"id":"C","method":"open","value":"100","sme":true}' > "$tmp/when.jsonl"
"$svp" portfolio "$tmp/when.svp" "$tmp/when.jsonl" --format json > "$tmp/out.json" 2> "$tmp/err"
expect "required when: the record eval finds invalid is invalid" '[.records, .invalid, .shares[0].share]' '[3,1,"50%"]'
same "required when: why, on stderr" "$(cat "$tmp/err")" "svp: line 1 (A): invalid record: value: missing: required when method = open"

summary
