#!/usr/bin/env bash
# run.sh - versions of a policy in force by date, and the review reminder.
#
#   tests/versions/run.sh [SVP]
#
# Makes a 2021 version of the council's policy (threshold £50,000, minimum
# weighting 15%, in force from 2021-04-01) beside the 2020 one, and checks:
# which version each record is evaluated under, at the boundary day; a
# record dated before every version; --as-of for undated records; two
# versions in force on the same day (an error); `svp check` reminding that
# the annual review is due, with --today before and after the review month.
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh" versions "$@"

mkdir "$tmp/v"
cp policies/nelc-social-value.svp "$tmp/v/nelc-2020.svp"
sed -e 's/version   "2020.1"/version   "2021.1"/' -e 's/effective 2020-04-01/effective 2021-04-01/' \
    -e 's/sv_threshold      = £100,000/sv_threshold      = £50,000/' \
    -e 's/minimum_weighting = 10%/minimum_weighting = 15%/' policies/nelc-social-value.svp > "$tmp/v/nelc-2021.svp"
grep -q '£50,000' "$tmp/v/nelc-2021.svp" || { echo "FAIL could not make the 2021 version"; exit 1; }

# A tender of £60,000 with 10% social value: compliant in 2020 (under the
# £100,000 threshold), non-compliant in 2021 (over £50,000, below 15%).
rec() { # ID PUBLICATION ENGAGEMENT (empty: absent)
    local dates="" open="{" close="}"
    [ -n "$2" ] && dates="\"publication\": \"$2\""
    [ -n "$3" ] && dates="$dates${dates:+, }\"engagement\": \"$3\""
    [ -n "$dates" ] && dates=", \"dates\": $open$dates$close"
    local stage=tender weights=', "weighting": {"price": 50, "quality": 40, "social_value": 10}, "social_value": {"outcomes": ["safe"]}'
    [ -z "$2" ] && { stage=planning; weights=""; }
    echo "{\"id\": \"$1\", \"stage\": \"$stage\", \"category\": \"goods\", \"value\": \"60000\"$dates$weights}"
}
{
    rec ON-THE-DAY 2021-04-01 2021-01-01
    rec DAY-BEFORE 2021-03-31 2021-01-01
    rec BY-ENGAGEMENT "" 2021-05-01
    rec TOO-EARLY "" 2019-05-05
    rec UNDATED "" ""
} > "$tmp/records.jsonl"

"$svp" eval "$tmp/v" "$tmp/records.jsonl" --as-of 2020-06-30 --format json > "$tmp/out.json" 2> "$tmp/err"
same "exit status (a record before every version is not invalid: a non-compliant one says 1)" "$?" 1
got=$(jq -r '[.id, (.policy.version // "none"), (if has("compliant") then .compliant else "-" end | tostring)] | join(" ")' "$tmp/out.json" | tr '\n' ';')
same "versions picked" "$got" "ON-THE-DAY 2021.1 false;DAY-BEFORE 2020.1 true;BY-ENGAGEMENT 2021.1 true;TOO-EARLY none -;UNDATED 2020.1 true;"
same "too early: the field and message" "$(jq -c 'select(.id == "TOO-EARLY") | .no_version' "$tmp/out.json")" \
    '{"field":"dates.engagement","message":"no version of the policy is in force on 2019-05-05: the earliest takes effect on 2020-04-01"}'
grep -q "line 4 (TOO-EARLY): no version of the policy is in force" "$tmp/err" && pass || fail "too early: stderr"
# Issue 11: dated before every version is its own verdict and exit status 4
# (after 2 and 1, before 3 and 0), never "invalid".
sed -n '2p;4p' "$tmp/records.jsonl" > "$tmp/early.jsonl"
"$svp" eval "$tmp/v" "$tmp/early.jsonl" --as-of 2020-06-30 --format text > "$tmp/out.txt" 2> "$tmp/err"
same "exit status: 4 when a record is dated before every version" "$?" 4
grep -q "^TOO-EARLY  NO VERSION IN FORCE  (line 2)$" "$tmp/out.txt" && pass || fail "too early: text verdict"
grep -q "^2 records: 1 compliant, 0 non-compliant, 1 dated before every version, 0 invalid$" "$tmp/out.txt" && pass \
    || fail "too early: the summary counts it apart from the invalid"
# svp report counts it apart too: not invalid, no field at fault.
"$svp" report "$tmp/v" "$tmp/early.jsonl" --format json > "$tmp/report.json" 2>/dev/null
same "report: verdicts count it apart" "$(jq -c .verdicts "$tmp/report.json")" \
    '{"compliant":1,"non-compliant":0,"incomplete":0,"invalid":0,"no_version":1}'
same "report: no field at fault" "$(jq -c .invalid_fields "$tmp/report.json")" '{}'
# It is counted under the newest version, whatever record came before it
# (here one judged by 2020.1), with one thread or two.
for jobs in 1 2; do
    "$svp" report "$tmp/v" "$tmp/early.jsonl" --format json --jobs $jobs > "$tmp/report.json" 2>/dev/null
    same "report --jobs $jobs: a record before every version counts under the newest" \
        "$(jq -c '[.versions[] | [.version, .records]]' "$tmp/report.json")" '[["2020.1",1],["2021.1",1]]'
done
"$svp" report "$tmp/v" "$tmp/early.jsonl" --format html > "$tmp/report.html" 2>/dev/null
grep -q "<tr><th>Dated before every version of the policy (no version in force)</th><td>1</td></tr>" "$tmp/report.html" \
    && pass || fail "report: the page counts it apart"
printf '{"id":"BAD"}\n' >> "$tmp/early.jsonl"
"$svp" eval "$tmp/v" "$tmp/early.jsonl" --as-of 2020-06-30 --format json > /dev/null 2>&1
same "exit status: an invalid record (2) still outranks 4" "$?" 2

"$svp" eval "$tmp/v/nelc-2020.svp" "$tmp/v/nelc-2021.svp" "$tmp/records.jsonl" --as-of 2021-12-31 --format json > "$tmp/out.json" 2>/dev/null
same "files given one by one, --as-of for the undated" "$(jq -r 'select(.id == "UNDATED") | .policy.version' "$tmp/out.json")" "2021.1"

# Two versions in force on the same day.
sed 's/version   "2021.1"/version   "2021.2"/' "$tmp/v/nelc-2021.svp" > "$tmp/v/nelc-2021b.svp"
"$svp" check "$tmp/v" --today 2021-05-01 > /dev/null 2> "$tmp/err"
same "same day: check exits 1" "$?" 1
grep -q "both take effect on 2021-04-01: two versions of \"NELC Social Value Policy\" cannot be in force on the same day" "$tmp/err" && pass || fail "same day: message"
"$svp" eval "$tmp/v" "$tmp/records.jsonl" > /dev/null 2>&1
same "same day: eval refuses (exit 2)" "$?" 2
rm "$tmp/v/nelc-2021b.svp"

# The annual review.
"$svp" check policies/nelc-social-value.svp --today 2021-03-31 > /dev/null 2> "$tmp/err"
same "review: not yet due, exit 0" "$?" 0
same "review: not yet due, no warning" "$(cat "$tmp/err")" ""
"$svp" check policies/nelc-social-value.svp --today 2021-04-01 > /dev/null 2> "$tmp/err"
same "review: due, still exit 0" "$?" 0
grep -q "warning: annual review due since April 2021: version 2020.1 took effect on 2020-04-01 and no newer version is given" "$tmp/err" && pass || fail "review due: message"
"$svp" check "$tmp/v" --today 2021-06-01 > /dev/null 2> "$tmp/err"
same "review: a newer version exists, no warning" "$(cat "$tmp/err")" ""
"$svp" check "$tmp/v" --today 2022-04-02 > /dev/null 2> "$tmp/err"
grep -q "nelc-2021.svp: warning: annual review due since April 2022" "$tmp/err" && pass || fail "review due for the newest version"
"$svp" check policies/nelc-social-value.svp --today 2021-13-01 > /dev/null 2>&1
same "bad --today: usage error" "$?" 2

# Versions of different policies: not versions of one policy.  eval refuses
# them (exit 2) and says which file is the odd one out; check, given files
# of different policies, checks each on its own.
sed 's/^policy "NELC Social Value Policy"/policy "Another Council Policy"/' "$tmp/v/nelc-2021.svp" > "$tmp/other.svp"
"$svp" eval "$tmp/v/nelc-2020.svp" "$tmp/other.svp" "$tmp/records.jsonl" --format json > "$tmp/out.json" 2> "$tmp/err"
same "different policies: eval exits 2" "$?" 2
same "different policies: no result lines" "$(cat "$tmp/out.json")" ""
same "different policies: the message" "$(cat "$tmp/err")" \
    "$tmp/other.svp: error: this is policy \"Another Council Policy\" and $tmp/v/nelc-2020.svp is policy \"NELC Social Value Policy\": versions given together must be versions of one policy"
"$svp" check "$tmp/v/nelc-2020.svp" "$tmp/other.svp" --today 2021-05-01 > "$tmp/out" 2> "$tmp/err"
same "different policies: check checks each, exit 0" "$?" 0
same "different policies: check, both ok" "$(grep -c ': ok (' "$tmp/out")" 2
same "different policies: check, no version error" "$(grep -c 'error' "$tmp/err")" 0

summary
