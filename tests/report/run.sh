#!/usr/bin/env bash
# run.sh - tests of `svp report`: the figures against counts worked out
# independently from the register (expected.jq), over a register that spans
# two versions of the policy and a period boundary; JSON, CSV and the HTML
# page (well formed, an <svg> per chart, no script, nothing external,
# escaped, rendered by headless Chromium to a picture that is not blank).
#
#   tests/report/run.sh [SVP]
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh" report "$@"
here=tests/report
old=policies/nelc-social-value.svp
register=examples/review/register.jsonl

# The second version: the amendment's figures, in force from April 2024, so
# that the register (2022 to 2025) and the period (two financial years)
# straddle it.
new=$tmp/nelc-2024.svp
sed -e 's/^  version   "2020.1"/  version   "2024.1"/' -e 's/^  effective 2020-04-01/  effective 2024-04-01/' \
    -e 's/^  sv_threshold      = £100,000/  sv_threshold      = £50,000/' "$old" > "$new"
"$svp" check --today 2024-05-01 "$new" >/dev/null 2>&1
same "the second version checks" $? 0

from=2023-04-01 to=2025-03-31
"$svp" report "$old" "$new" "$register" --from $from --to $to --format json > "$tmp/report.json" 2> "$tmp/err"
same "json: exit status" $? 0
jq -e . "$tmp/report.json" >/dev/null 2>&1
same "json: parses" $? 0

# Which lines svp finds invalid (they are left out of the figures).
"$svp" eval "$old" "$new" "$register" --format json > "$tmp/eval.jsonl" 2>/dev/null
invalid=$(jq -s -c '[to_entries[] | select(.value.error) | .key + 1]' "$tmp/eval.jsonl")
jq -s --arg from $from --arg to $to --arg switch 2024-04-01 --argjson invalid "$invalid" \
    -f $here/expected.jq "$register" > "$tmp/expected.json"
want() { jq -S -c "$1" "$tmp/expected.json"; }
got() { jq -S -c "$1" "$tmp/report.json"; }
check() { same "json: $1" "$(got "$2")" "$(want "$3")"; }

same "the register straddles both versions" "$(want '.versions | map(. > 0)')" '[true,true]'
check "records in the period" '.records' '.records'
same "json: records outside the period" "$(got '.left_out.outside_period')" \
    "$(jq -s --arg f $from --arg t $to '[.[] | (.dates.publication // .dates.engagement) | select(. < $f or . > $t)] | length' "$register")"
check "records by version" '[.versions[].records]' '.versions'
same "json: versions in force" "$(got '[.versions[].version]')" '["2020.1","2024.1"]'
check "in scope (each version's threshold)" '.figures[] | select(.figure == "in-scope") | .value' '.in_scope'
check "value in scope" '.figures[] | select(.figure == "value-in-scope") | .value' '.value_in_scope'
check "by responsibility" \
    '.figures[] | select(.figure == "by-responsibility") | .groups | map(select(.records > 0) | {key: .group, value: .records}) | from_entries' \
    '.by_responsibility'
check "by category" \
    '.figures[] | select(.figure == "by-category") | .groups | map(select(.records > 0) | {key: .group, value: .records}) | from_entries' \
    '.by_category'
check "SME and VCSE share by quarter" \
    '.figures[] | select(.figure == "sme-vcse-spend-by-quarter") | .groups | map(select(.records > 0) | {key: .group, value: {records, value, part, total}}) | from_entries' \
    '.sme_vcse_by_quarter'
same "json: quarters run in order, gaps shown" \
    "$(got '.figures[] | select(.figure == "sme-vcse-spend-by-quarter") | [.groups[].group] | . == (sort) and length == 8')" true
same "json: the target" "$(got '.figures[] | select(.figure == "sme-vcse-spend-by-quarter") | .target')" '"25%"'
same "json: verdicts add up" "$(got '.verdicts | [.compliant, .["non-compliant"], .incomplete, .invalid] | add')" "$(got .records)"
same "json: verdicts as svp eval gives them" "$(got '.verdicts | [.compliant, .["non-compliant"]]')" \
    "$(paste -d'\t' <(jq -c '.dates.publication // .dates.engagement' "$register") <(jq -c '.compliant' "$tmp/eval.jsonl") \
       | awk -F'\t' -v f="\"$from\"" -v t="\"$to\"" '$1 >= f && $1 <= t { if ($2 == "true") c++; else if ($2 == "false") n++ } END { printf "[%d,%d]", c, n }')"
same "json: findings as svp eval gives them" "$(got '.findings["sv-weighting"]')" \
    "$(paste -d'\t' <(jq -c '.dates.publication // .dates.engagement' "$register") <(jq -c '[.findings[]?.rule] | index("sv-weighting") != null' "$tmp/eval.jsonl") \
       | awk -F'\t' -v f="\"$from\"" -v t="\"$to\"" '$1 >= f && $1 <= t && $2 == "true" { n++ } END { print n + 0 }')"
same "json: portfolio per version in force" "$(got '.portfolio | map(.policy.version)')" '["2020.1","2024.1"]'

# One version over the whole register: the portfolio is what `svp portfolio` says.
"$svp" report "$old" "$register" --format json > "$tmp/one.json"
"$svp" portfolio "$old" "$register" --format json > "$tmp/portfolio.json"
same "json: portfolio as svp portfolio gives it" "$(jq -c .portfolio "$tmp/one.json")" "$(jq -c . "$tmp/portfolio.json")"
same "json: no period, nothing left out" "$(jq -c '[.records, .left_out.outside_period]' "$tmp/one.json")" '[60,0]'

# CSV: a row per figure and per group, the same numbers.
"$svp" report "$old" "$new" "$register" --from $from --to $to --format csv > "$tmp/report.csv" 2>/dev/null
same "csv: exit status" $? 0
same "csv: header" "$(head -1 "$tmp/report.csv" | tr -d '\r')" "figure,title,measure,group,records,value,part,total"
same "csv: a row per figure and group" "$(($(wc -l < "$tmp/report.csv") - 1))" \
    "$(got '[.figures[] | 1 + (.groups // [] | length)] | add')"
same "csv: in scope" "$(grep '^in-scope,' "$tmp/report.csv" | cut -d, -f6 | tr -d '\r')" "$(want .in_scope)"

# HTML.
"$svp" report "$old" "$new" "$register" --from $from --to $to -o "$tmp/report.html" 2>/dev/null
same "html: exit status" $? 0
svgs=$(python3 $here/html_check.py "$tmp/report.html")
same "html: well formed, no script, nothing external" $? 0
same "html: an <svg> per chart" "$svgs" "$(got '[.figures[] | select((.groups // []) | length > 0)] | length')"
grep -q "Procurements by level of responsibility" "$tmp/report.html"
same "html: the policy's titles" $? 0
grep -q "1 April 2023 to 31 March 2025" "$tmp/report.html"
same "html: the period" $? 0

# Everything from the policy is escaped.
sed 's/^figure by-category "Procurements by category"/figure by-category "<script>alert(1)<\/script> \& co"/' "$old" > "$tmp/hostile.svp"
"$svp" report "$tmp/hostile.svp" "$register" > "$tmp/hostile.html"
python3 $here/html_check.py "$tmp/hostile.html" >/dev/null
same "html: a title holding <script> is escaped" $? 0
grep -q '&lt;script&gt;alert(1)&lt;/script&gt; &amp; co' "$tmp/hostile.html"
same "html: and reads as written" $? 0

# Rendered: headless Chromium prints the page to a picture that is not blank.
if command -v chromium >/dev/null 2>&1; then
    (cd "$tmp" && timeout 120 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
        --window-size=900,1400 --screenshot="$tmp/report.png" "file://$tmp/report.html" >/dev/null 2>&1)
    colours=$(python3 $here/png_colours.py "$tmp/report.png" 2>&1)
    if [ "${colours:-0}" -ge 8 ] 2>/dev/null; then pass; else fail "html: rendered picture is blank ($colours colours)"; fi
else
    fail "html: chromium is not installed (.ci/setup installs it)"
fi

# Usage errors.
"$svp" report "$old" "$register" --format pdf >/dev/null 2>&1
same "unknown format: exit 2" $? 2
"$svp" report "$old" "$register" --from 2025-13-01 >/dev/null 2>&1
same "bad date: exit 2" $? 2
"$svp" report "$old" "$register" --from 2025-04-01 --to 2024-04-01 >/dev/null 2>&1
same "period ends before it begins: exit 2" $? 2
"$svp" report "$old" "$tmp/missing.jsonl" > "$tmp/out" 2>/dev/null
same "unreadable register: exit 2" $? 2
same "unreadable register: nothing written" "$(wc -c < "$tmp/out")" 0

# ---- The committee paper: svp report --review ----------------------------------
amendment=examples/review/nelc-social-value-2021.svp
"$svp" report --review "$old" "$amendment" "$register" --format json > "$tmp/paper.json"
same "review json: exit status" $? 0
paper() { jq -S -c "$1" "$tmp/paper.json"; }
# Worked out from the register: the threshold falls from £100,000 to £50,000,
# so procurements over £50,000 up to £100,000 come into scope.
newly=$(jq -s -c -f <(cat <<'JQ'
def pence: (tostring | split(".")) as $p | ($p[0] | tonumber) * 100
    + (if ($p | length) > 1 then ($p[1] + "0")[0:2] | tonumber else 0 end);
def plain: "\(. / 100 | floor).\(. % 100 | tostring | if length < 2 then "0" + . else . end)";
map(.value | pence | select(. > 5000000 and . <= 10000000)) | {records: length, value: (add // 0 | plain)}
JQ
) "$register")
same "review: newly in scope, with their value" "$(paper '.scope[] | select(.figure == "in-scope") | .newly')" "$(jq -S -c . <<< "$newly")"
same "review: the scope decision changes for the same records" \
    "$(paper '.decisions[] | select(.decision == "social_value_required") | .changed')" "$(jq -S -c . <<< "$newly")"
"$svp" eval "$old" "$register" --format json > "$tmp/old.jsonl" 2>/dev/null
"$svp" eval "$amendment" "$register" --format json > "$tmp/new.jsonl" 2>/dev/null
flips=$(paste -d'\t' <(jq -r '.value' "$register") <(jq -c .compliant "$tmp/old.jsonl") <(jq -c .compliant "$tmp/new.jsonl") \
    | awk -F'\t' '$2 == "true" && $3 == "false" { n++; split($1, p, "."); c += p[1] * 100 + substr(p[2] "00", 1, 2) }
                  END { printf "{\"records\":%d,\"value\":\"%d.%02d\"}", n, int(c / 100), c % 100 }')
same "review: verdicts flipped, with their value" "$(paper '.verdicts.to_noncompliant')" "$flips"
same "review: flipped by sv-weighting, which now fires" "$(paper '.flips_by_rule | map([.rule, .why, .to_noncompliant.records])')" \
    "$(jq -c '[["sv-weighting", "fires now", .records]]' <<< "$flips")"
same "review: the figures before and after" "$(paper '.figures[] | select(.figure == "in-scope") | [.old, .new]')" \
    "[$(jq -s '[.[] | select(.decisions.social_value_required == true)] | length' "$tmp/old.jsonl"),$(jq -s '[.[] | select(.decisions.social_value_required == true)] | length' "$tmp/new.jsonl")]"
same "review: the changes of svp diff" "$(paper '.changes | length')" 4

# Only a severity changes: the paper says so.
sed 's/^  else    warning "engagement with local people/  else    error "engagement with local people/' "$old" > "$tmp/stricter.svp"
"$svp" report --review "$old" "$tmp/stricter.svp" "$register" --format json > "$tmp/stricter.json"
same "review: severity only: why" "$(jq -c '.flips_by_rule[] | select(.rule == "early-engagement") | .why' "$tmp/stricter.json")" \
    '{"severity":{"old":"warning","new":"error"}}'
"$svp" report --review "$old" "$tmp/stricter.svp" "$register" > "$tmp/stricter.html"
grep -q "its severity changes from warning to error" "$tmp/stricter.html"
same "review html: severity only, in words" $? 0

"$svp" report --review "$old" "$amendment" "$register" -o "$tmp/paper.html"
same "review html: exit status" $? 0
same "review html: well formed, one chart, no script, nothing external" "$(python3 $here/html_check.py "$tmp/paper.html")" 1
grep -q 'The parameter <strong>sv_threshold</strong> changes from <q>£100,000</q> to <q>£50,000</q>.' "$tmp/paper.html"
same "review html: the change in words" $? 0
"$svp" report --review "$old" "$amendment" "$register" --format csv >/dev/null 2>&1
same "review: csv is refused" $? 2

# ---- svp eval --format text on a batch: titles, and a summary at the end --------
"$svp" eval "$old" examples/register.jsonl --format text > "$tmp/eval.txt" 2>/dev/null
jq -s -r '"\(length) records: \(map(select(.compliant == true)) | length) compliant, \(map(select(.compliant == false)) | length) non-compliant, \(map(select(.error)) | length) invalid"' \
    <("$svp" eval "$old" examples/register.jsonl --format json 2>/dev/null) > "$tmp/want.txt"
same "eval text: the summary line" "$(grep '^[0-9]* records:' "$tmp/eval.txt")" "$(cat "$tmp/want.txt")"
same "eval text: the rule that fired most first, with its title" "$(grep '^rules fired most:' "$tmp/eval.txt" | tr -s ' ')" \
    "rules fired most: sv-weighting 2 Social value carries at least the minimum weighting"
grep -q '^    Who is responsible for the social value: Leadership Team  (sv_responsibility)$' "$tmp/eval.txt"
same "eval text: decisions by their titles" $? 0
grep -q '^  New build primary school classrooms, Healing$' "$tmp/eval.txt"
same "eval text: the procurement's title" $? 0
"$svp" eval "$old" examples/records/fires-sv-weighting.json --format text > "$tmp/one.txt"
grep -q 'records:' "$tmp/one.txt"
same "eval text: no summary for one record" $? 1

# ---- Every kind of figure, over records chosen by hand ---------------------------
# tests/check/cases/figure-clean.svp: periods across the April boundary of the
# financial year, groups seeded in declaration order, an undated record.
clean=tests/check/cases/figure-clean.svp
{
    echo '{"id":"A","value":"150000.00","size":"small","awarded":"2025-03-31","vcse":false}'
    echo '{"id":"B","value":"50000.00","size":"large","awarded":"2025-04-01","vcse":true}'
    echo '{"id":"C","value":"25000.50","size":"large","awarded":"2025-06-30"}'
    echo '{"id":"D","value":"10000.00","size":"large"}'
    echo '{"id":"E","value":"oops","size":"large"}'
} > "$tmp/hand.jsonl"
"$svp" report "$clean" "$tmp/hand.jsonl" --format json > "$tmp/hand.json"
same "hand: exit" $? 0
fig() { jq -c --arg f "$1" ".figures[] | select(.figure == \$f) | $2" "$tmp/hand.json"; }
same "hand: count" "$(fig procurements .value)" 4
same "hand: sum of the awarded" "$(fig money .value)" '"225000.50"'
same "hand: quarters across April" "$(fig small-share '[.groups[] | [.group, .records, .value]]')" \
    '[["2024/25 Q4",1,"100%"],["2025/26 Q1",2,"66.66%"],["(not given)",1,"0%"]]'
same "hand: the whole share" "$(fig small-share '[.value, .part, .total, .target]')" '["85.1%","200000.00","235000.50","25%"]'
same "hand: enumeration groups in order, empty ones too" "$(fig by-size '[.groups[] | [.group, .value]]')" '[["small",1],["large",3]]'
same "hand: a decision's tiers in order" "$(fig by-tier '[.groups[] | [.group, .value]]')" '[["Cabinet","150000.00"],["Officer","85000.50"]]'
same "hand: yes and no" "$(fig by-vcse '[.groups[] | [.group, .value]]')" '[["yes",1],["no",1],["(not given)",2]]'
same "hand: months, the gap shown" "$(fig by-month '[.groups[] | [.group, .value]]')" \
    '[["2025-03",1],["2025-04",1],["2025-05",0],["2025-06",1],["(not given)",1]]'
same "hand: financial years" "$(fig by-year '[.groups[] | [.group, .value]]')" '[["2024/25",1],["2025/26",2],["(not given)",1]]'
same "hand: the invalid record is left out and counted" "$(jq -c '[.records, .verdicts.invalid, .invalid_fields]' "$tmp/hand.json")" '[5,1,{"value":1}]'

# ---- Records not complete yet: open data through svp import ------------------------
# Real notices lack fields the policy requires: such a record is incomplete,
# not invalid; its missing fields are counted; the figures leave it out (they
# do not count a record on a field it lacks); the portfolio reads only what
# its rules read, as `svp portfolio` does.  Beside them, one complete record
# and one with two wrong fields, to count every problem of an invalid record.
"$svp" import policies/import/ocds.svp examples/open-data/contracts-finder-2025/releases.jsonl > "$tmp/open.jsonl" 2>/dev/null
same "open: the import" $? 0
{
    cat "$tmp/open.jsonl"
    head -1 examples/register.jsonl
    head -1 examples/register.jsonl | jq -c '.id = "TWO-WRONG" | .value = "oops" | .category = "nope"'
} > "$tmp/partial.jsonl"
"$svp" report "$old" "$tmp/partial.jsonl" --format json > "$tmp/partial.json"
same "open: exit" $? 0
# The policy's required fields, by the stage from which each is required.
cat > "$tmp/required.jq" <<'JQ'
def rank: {"planning": 0, "tender": 1, "award": 2, "delivery": 3}[.stage] // 0;
def required: ["stage", "category", "value"]
    + (if rank >= 1 then ["dates.publication", "weighting.price", "weighting.quality", "weighting.social_value"] else [] end)
    + (if rank >= 2 then ["dates.award", "supplier.name", "supplier.size", "supplier.living_wage",
        "supplier.ethical.modern_slavery", "supplier.ethical.health_safety", "supplier.ethical.child_labour",
        "supplier.ethical.employment_terms", "supplier.ethical.equality", "supplier.ethical.supply_chain_review"] else [] end);
def lacks: . as $r | [required[] | select(. as $f | $r | getpath($f | split(".")) == null)];
map(select(.id != "TWO-WRONG"))
| {missing: ([.[] | lacks[]] | group_by(.) | map({key: .[0], value: length}) | from_entries),
   lacking: map(select(lacks | length > 0)) | length,
   complete: map(select(lacks | length == 0)) | length}
JQ
jq -s -f "$tmp/required.jq" "$tmp/partial.jsonl" > "$tmp/partial-want.json"
pgot() { jq -S -c "$1" "$tmp/partial.json"; }
pwant() { jq -S -c "$1" "$tmp/partial-want.json"; }
same "open: the register has incomplete records" "$(pwant '.lacking > 40')" true
same "open: every missing field, counted from the records" "$(pgot .missing_fields)" "$(pwant .missing)"
same "open: every field at fault in the invalid record" "$(pgot '[.verdicts.invalid, .invalid_fields]')" '[1,{"category":1,"value":1}]'
"$svp" eval --partial "$old" "$tmp/partial.jsonl" --format json > "$tmp/partial-eval.jsonl" 2>/dev/null
# Incomplete: svp eval --partial's undecided records, and the records it finds
# compliant on what they hold while lacking a required field.
same "open: verdicts as svp eval --partial gives them" "$(pgot '.verdicts')" \
    "$(jq -s -S -c '{compliant: map(select(.compliant == true and (.missing // [] | length == 0))) | length,
        "non-compliant": map(select(.compliant == false)) | length,
        incomplete: map(select((.compliant == null and (.error | not)) or (.compliant == true and (.missing // [] | length > 0)))) | length,
        invalid: map(select(.error)) | length}' "$tmp/partial-eval.jsonl")"
same "open: some records are incomplete" "$(pgot '.verdicts.incomplete > 0')" true
same "open: only records lacking a field are incomplete" "$(pgot '.verdicts.incomplete <= .figures_left_out')" true
same "open: the figures leave out every valid record lacking a field" "$(pgot .figures_left_out)" "$(pwant .lacking)"
same "open: the figures count the complete records" \
    "$(pgot '.figures[] | select(.figure == "by-category") | .records')" "$(pwant .complete)"
"$svp" portfolio "$old" "$tmp/partial.jsonl" --format json > "$tmp/partial-portfolio.json" 2>/dev/null
same "open: portfolio as svp portfolio gives it" "$(pgot .portfolio)" "$(jq -S -c . "$tmp/partial-portfolio.json")"
"$svp" report "$old" "$tmp/partial.jsonl" -o "$tmp/partial.html"
same "open html: exit" $? 0
python3 $here/html_check.py "$tmp/partial.html" >/dev/null
same "open html: well formed" $? 0
grep -q "<tr><th>Incomplete (required details missing)</th><td>$(pgot .verdicts.incomplete)</td></tr>" "$tmp/partial.html"
same "open html: the incomplete records" $? 0
top=$(jq -r '.missing_fields | to_entries[0] | "<tr><td>\(.key)</td><td>\(.value)</td></tr>"' "$tmp/partial.json")
grep -A3 '<h3>The fields missing most</h3>' "$tmp/partial.html" | grep -qF "$top"
same "open html: the field missing most, first" $? 0
same "open html: ten fields missing most" "$(sed -n '/<h3>The fields missing most<\/h3>/,/<\/table>/p' "$tmp/partial.html" | grep -c '^<tr><td>')" \
    "$(pwant '[.missing | length, 10] | min')"
grep -q "The figures leave out $(pgot .figures_left_out) records that lack a required field." "$tmp/partial.html"
same "open html: what the figures leave out" $? 0
grep -q '<tr><td>category</td><td>1</td></tr>' <(sed -n '/fields at fault in invalid records/,/<\/table>/p' "$tmp/partial.html")
same "open html: every field at fault" $? 0

# ---- svp diff compares figures too ------------------------------------------------
sed -e 's/^  target  sme_spend_target/  target  30%/' -e 's/^  by      category/  by      stage/' "$old" > "$tmp/figs.svp"
printf '\nfigure opted-out "Procurements that opted out"\n  when  social_value.opt_out\n  count\n' >> "$tmp/figs.svp"
"$svp" diff "$old" "$tmp/figs.svp" > "$tmp/diff.txt"
same "diff figures: exit" $? 1
same "diff figures: the changes" "$(sed -n '/^Figures$/,$p' "$tmp/diff.txt")" "Figures
  sme-vcse-spend-by-quarter: target: sme_spend_target -> 30%
  by-category: by: category -> stage
  added: opted-out \"Procurements that opted out\"; when social_value.opt_out; count"


# ---- report --review takes one file per version, as diff and impact do -------------
"$svp" report --review policies/ "$old" examples/register.jsonl > "$tmp/out" 2> "$tmp/err"
same "review of a folder: exit 2, nothing on stdout, the reason" "$?:$(wc -c < "$tmp/out"):$(cat "$tmp/err")" \
    "2:0:svp: policies/ is a folder: report --review compares two versions, one file each (OLD.svp NEW.svp)"
# ---- report --review: its three arguments (the usage shared with the other review command) ----
for args in "a b c d|unexpected argument \`d\`: give the old policy, the new one and the records" \
            "a|report --review needs the old policy, the new one and the records (a file, or - for standard input)" \
            "--bogus a b c|unknown option \`--bogus\` for report --review"; do
    "$svp" report --review ${args%%|*} > "$tmp/out" 2> "$tmp/err"
    same "report --review usage: ${args%%|*}" "$?:$(wc -c < "$tmp/out"):$(head -n 1 "$tmp/err")" "2:0:svp: ${args#*|}"
done

summary
