#!/usr/bin/env bash
# run.sh - end-to-end tests of `svp test`, the command that runs a policy's
# own test cases.
#
#   tests/svptest/run.sh [SVP]
#
# SVP is the binary to test (default: build/svp of this repository; a relative
# path is taken from the current directory).  Each check below runs svp once and
# looks at its exit status, standard output and standard error.  A failed
# expectation prints "FAIL check: what: expected X, got Y"; the last line is
# always "N passed, M failed" (counting checks), and the exit status is 1 if any
# check failed.  The coverage figures of the fixtures were worked out by hand
# (see the "note" in each fixture).  Needs bash and jq.
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
svp=${1:-$root/build/svp}
case $svp in
    /*) ;;
    */*) svp="$PWD/$svp" ;;
esac
cd "$root" || exit 2
fx=tests/svptest/fixtures
council=policies/nelc-social-value.tests.json

tmp=$(mktemp -d "${TMPDIR:-/tmp}/svp-svptest.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT

passed=0
failed=0
name=
bad=0
status=

begin() { name=$1; bad=0; }
fail() { printf 'FAIL %s: %s\n' "$name" "$1"; bad=1; }
end() {
    if ((bad)); then failed=$((failed + 1)); else passed=$((passed + 1)); fi
}

# run ARGS...: run `svp ARGS...`; keep stdout, stderr and the exit status.
run() {
    if command -v timeout >/dev/null 2>&1; then
        timeout 60 "$svp" "$@" >"$tmp/out" 2>"$tmp/err"
    else
        "$svp" "$@" >"$tmp/out" 2>"$tmp/err"
    fi
    status=$?
}

expect_status() {
    [[ $status == "$1" ]] || fail "exit status: expected $1, got $status$(head -n 1 "$tmp/err" | cut -c 1-160 | sed 's/^/ (stderr: /; s/$/)/')"
}
expect_last() {
    local last
    last=$(tail -n 1 "$tmp/out")
    [[ $last == "$1" ]] || fail "last line: expected '$1', got '$last'"
}
expect_line() {
    grep -Fxq -- "$1" "$tmp/out" || fail "stdout: expected the line '$1'"
}
expect_out() {
    grep -Fq -- "$1" "$tmp/out" || fail "stdout: expected '$1'"
}
expect_no_out() {
    ! grep -Fq -- "$1" "$tmp/out" || fail "stdout: did not expect '$1'"
}
expect_err() {
    grep -Fq -- "$1" "$tmp/err" || fail "stderr: expected '$1', got '$(head -n 1 "$tmp/err" | cut -c 1-160)'"
}
expect_count() { # expect_count N TEXT: TEXT is on exactly N lines of stdout
    local n
    n=$(grep -Fc -- "$2" "$tmp/out")
    [[ $n == "$1" ]] || fail "stdout: expected '$2' on $1 line(s), got $n"
}
expect_jq() { # expect_jq FILTER [DESCRIPTION]: FILTER is true of stdout
    jq -e "$1" "$tmp/out" >/dev/null 2>&1 || fail "json: expected ${2:-$1}"
}

# write NAME <<< JSON: a test file in the scratch folder, beside a copy of
# the fixture policies.
cp "$fx"/*.svp "$tmp/"
write() { cat >"$tmp/$1"; }

# ---- the council's suite --------------------------------------------------------

begin "council suite passes with full coverage"
n=$(jq '.cases | length' "$council")
run test --coverage --min-coverage 100 "$council"
expect_status 0
expect_last "$n passed, 0 failed"
expect_no_out "FAIL "
expect_line "covered 38 of 38 items (100%), at least the minimum 100%"
end

begin "council suite covers every record rule of the policy, both ways"
# The rules, from the policy itself (eval --explain lists every record rule).
rules=$("$svp" eval policies/nelc-social-value.svp examples/records/clean-tender-works-cabinet.json \
    --format json --explain | jq -c '[.trace[].rule]')
run test --coverage --format json "$council"
expect_status 0
expect_jq "[.coverage[0].rules[].rule] == $rules" "the coverage rules to be $rules"
expect_jq '[.coverage[0].rules[] | select(.fires == 0 or .does_not_fire == 0)] == []' "every rule to fire and not fire"
expect_jq '[.coverage[0].clauses[] | select(.fires == 0 or .does_not_fire == 0)] == []' "every clause to fire and not fire"
expect_jq '.coverage[0].clauses | length == 8' "8 clauses cited by record rules"
expect_jq '[.coverage[0].rules[].rule] | index("sme-vcse-spend") == null' "no portfolio rule"
expect_jq '.failed == 0 and .passed == ([.cases[] | select(.passed)] | length)'
end

# ---- passing and failing suites ------------------------------------------------

begin "a passing suite exits 0 with the summary (policy found beside the file)"
run test "$fx/tiny.tests.json"
expect_status 0
expect_last "3 passed, 0 failed"
expect_count 1 "passed,"
[[ $(wc -l <"$tmp/out") == 1 ]] || fail "stdout: expected only the summary, got $(wc -l <"$tmp/out") lines"
end

begin "a failing case is reported with name, id, expected and got"
run test "$fx/tiny.failing.tests.json"
expect_status 1
expect_last "1 passed, 4 failed"
expect_line "FAIL $fx/tiny.failing.tests.json: a flagged item passes (wrongly expected) [T-FLAG]: verdict: expected compliant, got non-compliant; fires: expected [], got [flagged] (unexpected flagged); decisions.big_item: expected true, got false"
expect_line "FAIL $fx/tiny.failing.tests.json: a valid record expected invalid [T-1]: error_field: expected \"value\", got no error (the record is compliant)"
expect_out "FAIL $fx/tiny.failing.tests.json: an invalid record expected compliant [T-BAD]: verdict: expected compliant, got invalid; the record is invalid: value: "
expect_line "FAIL $fx/tiny.failing.tests.json: a misspelt rule id [T-BIG]: fires: expected [bigg], got [big] (no such rule: bigg; unexpected big)"
expect_count 4 "FAIL "
expect_no_out "a small item"
end

begin "a wrong verdict names the rules that fired"
write verdict-only.tests.json <<'EOF'
{"policy": "tiny.svp",
 "cases": [{"name": "big and flagged", "record": {"id": "V-1", "value": 5000, "flag": true}, "verdict": "compliant"}]}
EOF
run test "$tmp/verdict-only.tests.json"
expect_status 1
expect_line "FAIL $tmp/verdict-only.tests.json: big and flagged [V-1]: verdict: expected compliant, got non-compliant (fired [big, flagged])"
expect_last "0 passed, 1 failed"
end

begin "failures in JSON"
run test --format=json "$fx/tiny.failing.tests.json"
expect_status 1
expect_jq '.passed == 1 and .failed == 4 and .status == 1'
expect_jq '.cases[1] | .name == "a flagged item passes (wrongly expected)" and .id == "T-FLAG" and .passed == false'
expect_jq '.cases[1].failures == [{"what":"verdict","expected":"compliant","got":"non-compliant"},{"what":"fires","expected":[],"got":["flagged"]},{"what":"decisions.big_item","expected":true,"got":false}]' "the three failures of the flagged case"
expect_jq '.cases[3].got.error.field == "value" and .cases[3].got.verdict == "invalid"'
expect_jq '.cases[0] | .passed and .failures == [] and .got.fires == []'
end

begin "fires is order-insensitive; set adds, replaces and removes fields"
write set.tests.json <<'EOF'
{ "policy": "tiny.svp",
  "bases": { "b": {"id": "S-1", "value": "10.00", "note": "  "} },
  "cases": [
    {"name": "the base's blank note fires noted", "base": "b", "fires": ["noted"]},
    {"name": "null removes the note", "base": "b", "set": {"note": null}, "verdict": "compliant", "fires": []},
    {"name": "policy order reversed", "base": "b", "set": {"flag": true, "value": "5000", "note": null},
     "fires": ["flagged", "big"], "verdict": "non-compliant"},
    {"name": "a set note is kept", "base": "b", "set": {"note": "ok"}, "fires": []},
    {"name": "set works on a record too", "record": {"id": "S-2", "value": "1"}, "set": {"note": ""},
     "fires": ["noted"]},
    {"name": "a record that is not an object", "record": [1, 2], "error_field": null},
    {"name": "record_text is read as written", "record_text": "{\"id\": \"S-3\", \"value\": \"1\", \"value\": \"2\"}",
     "verdict": "invalid"}
  ] }
EOF
run test "$tmp/set.tests.json"
expect_status 0
expect_last "7 passed, 0 failed"
end

begin "set creates the groups above a nested field, and a group can be set whole"
write nested.svp <<'EOF'
policy "Nested"
  version   "1"
  effective 2024-04-01

record item
  id          text    required
  weights.a   percent
  weights.b   percent

rule too-much "The weights add up to at most 100%"
  cite    "Clause A"
  require weights.a + weights.b <= 100%
  else    error "the weights add up to more than 100%"
EOF
write nested.tests.json <<'EOF'
{ "bases": { "b": {"id": "N-1"} },
  "cases": [
    {"name": "a nested field is created with its group", "base": "b", "set": {"weights.a": 60, "weights.b": 50},
     "fires": ["too-much"]},
    {"name": "a group is set whole", "base": "b", "set": {"weights": {"a": 10, "b": 20}}, "fires": []},
    {"name": "a nested field replaced after its group", "base": "b", "set": {"weights": {"a": 70, "b": 40}, "weights.b": 20},
     "fires": []}
  ] }
EOF
run test "$tmp/nested.tests.json"
expect_status 0
expect_last "3 passed, 0 failed"
end

begin "a set path that names no field of the policy is refused: the case would test nothing"
write unset.tests.json <<'EOF'
{ "policy": "nested.svp",
  "bases": { "b": {"id": "N-1"} },
  "cases": [
    {"name": "fine", "base": "b", "set": {"weights.a": 1}, "fires": []},
    {"name": "misspelt", "base": "b", "set": {"weights.a": 1, "wieghts.b": 200}, "fires": ["too-much"]}
  ] }
EOF
run test "$tmp/unset.tests.json"
expect_status 2
expect_err "svp: $tmp/unset.tests.json: case \"misspelt\": \"set\" names \`wieghts.b\`, which is no field of the policy $tmp/nested.svp, so the case would test nothing: did you mean \`weights.b\`?"
expect_last "0 passed, 0 failed"
write unset2.tests.json <<'EOF'
{ "policy": "nested.svp",
  "cases": [ {"name": "far off", "record": {"id": "N-2"}, "set": {"extra.deep.field": null}, "fires": []} ] }
EOF
run test --format json "$tmp/unset2.tests.json"
expect_status 2
expect_err "case \"far off\": \"set\" names \`extra.deep.field\`, which is no field of the policy $tmp/nested.svp, so the case would test nothing: set a field the policy's record declares"
expect_jq '.status == 2 and .files[0].error == "a case sets a field the policy does not declare" and .cases == []'
end

begin "a number decision expected as a JSON number: the failure says to write the text printed"
write count.svp <<'EOF'
policy "Count"
  version   "1"
  effective 2024-04-01

record item
  id    text   required
  n     number required

decision twice
  is n * 2
EOF
write count.tests.json <<'EOF'
{ "cases": [
    {"name": "as printed", "record": {"id": "C-1", "n": 1}, "decisions": {"twice": "2"}},
    {"name": "as a number", "record": {"id": "C-2", "n": 1}, "decisions": {"twice": 2}}
  ] }
EOF
run test "$tmp/count.tests.json"
expect_status 1
expect_line "FAIL $tmp/count.tests.json: as a number [C-2]: decisions.twice: expected 2, got \"2\" (numbers, money and percentages print as text, exactly: write \"2\")"
expect_last "1 passed, 1 failed"
end

# ---- coverage, worked out by hand ----------------------------------------------

begin "coverage of tiny.svp: 7 of 10 items"
run test --coverage "$fx/tiny.tests.json"
expect_status 0
expect_line "coverage of $fx/tiny.svp (2 cases evaluated):"
expect_line "covered 7 of 10 items (70%)"
expect_line "  rule flagged never fires"
expect_line "  rule noted never fires"
expect_line "  clause \"Clause B, part 2\" never fires"
expect_last "3 passed, 0 failed"
run test --coverage --format json "$fx/tiny.tests.json"
expect_jq '.coverage[0].rules == [
    {"rule":"big","cite":"Clause A","fires":1,"does_not_fire":1},
    {"rule":"flagged","cite":"Clause A","fires":0,"does_not_fire":2},
    {"rule":"noted","cite":"Clause B, part 2","fires":0,"does_not_fire":2}]' "the rule rows worked out by hand"
expect_jq '.coverage[0].clauses == [
    {"cite":"Clause A","fires":1,"does_not_fire":1},
    {"cite":"Clause B, part 2","fires":0,"does_not_fire":2}]' "the clause rows worked out by hand"
expect_jq '.coverage[0] | .covered == 7 and .items == 10 and .percent == "70%" and .evaluated == 2'
end

begin "coverage of plain.svp: exactly 4 of 6 rule items, rounded down"
run test --coverage "$fx/plain.tests.json"
expect_status 0
expect_line "covered 4 of 6 items (66.66%)"
expect_line "rules that cite no clause: big, small, flagged"
end

begin "--min-coverage at the figure passes"
run test --min-coverage 70 "$fx/tiny.tests.json"
expect_status 0
expect_line "covered 7 of 10 items (70%), at least the minimum 70%"
expect_out "coverage of"
expect_last "3 passed, 0 failed"
run test --min-coverage=66.66% "$fx/plain.tests.json"
expect_status 0
end

begin "--min-coverage above the figure fails"
run test --coverage --min-coverage 70.01 "$fx/tiny.tests.json"
expect_status 1
expect_line "covered 7 of 10 items (70%), below the minimum 70.01%"
expect_last "3 passed, 0 failed"
run test --min-coverage 66.67 "$fx/plain.tests.json"
expect_status 1
expect_line "covered 4 of 6 items (66.66%), below the minimum 66.67%"
run test --min-coverage 100 --format json "$fx/plain.tests.json"
expect_status 1
expect_jq '.coverage[0] | .met == false and .minimum == "100%"'
end

begin "a policy named by two test files is compiled once, coverage over both"
run test --coverage "$fx/tiny.tests.json" "$fx/tiny.failing.tests.json"
expect_status 1
expect_count 1 "coverage of"
expect_line "coverage of $fx/tiny.svp (6 cases evaluated):"
expect_line "covered 8 of 10 items (80%)"
expect_last "4 passed, 4 failed"
end

# ---- errors: exit 2 ------------------------------------------------------------

begin "malformed test file: not JSON"
printf '{"policy": "tiny.svp", "cases": [\n  {"name": "x",\n]}\n' >"$tmp/notjson.tests.json"
run test "$tmp/notjson.tests.json"
expect_status 2
expect_err "notjson.tests.json: not JSON: error at line 3"
end

begin "malformed test file: unknown key, no expectation, unknown base, bad verdict"
write typo.tests.json <<'EOF'
{"policy": "tiny.svp", "cases": [{"name": "x", "record": {"id": "a", "value": 1}, "verdcit": "compliant"}]}
EOF
run test "$tmp/typo.tests.json"
expect_status 2
expect_err 'case "x": unknown key "verdcit"'
write noexp.tests.json <<'EOF'
{"policy": "tiny.svp", "cases": [{"name": "x", "record": {"id": "a", "value": 1}}]}
EOF
run test "$tmp/noexp.tests.json"
expect_status 2
expect_err 'case "x": expects nothing'
write nobase.tests.json <<'EOF'
{"policy": "tiny.svp", "cases": [{"name": "x", "base": "missing", "verdict": "compliant"}]}
EOF
run test "$tmp/nobase.tests.json"
expect_status 2
expect_err 'there is no base named "missing"'
write verdict.tests.json <<'EOF'
{"policy": "tiny.svp", "cases": [{"name": "x", "record": {"id": "a", "value": 1}, "verdict": "ok"}]}
EOF
run test "$tmp/verdict.tests.json"
expect_status 2
expect_err '"verdict" is one of "compliant", "non-compliant", "invalid"'
write nocases.tests.json <<'EOF'
{"policy": "tiny.svp"}
EOF
run test "$tmp/nocases.tests.json"
expect_status 2
expect_err '"cases" must be a list of at least one case'
end

begin "unreadable test file"
run test "$tmp/no-such.tests.json"
expect_status 2
expect_err "cannot read $tmp/no-such.tests.json"
end

begin "missing policy"
write lost.tests.json <<'EOF'
{"policy": "nowhere.svp", "cases": [{"name": "x", "record": {"id": "a", "value": 1}, "verdict": "compliant"}]}
EOF
run test "$tmp/lost.tests.json"
expect_status 2
expect_err "cannot read the policy $tmp/nowhere.svp"
expect_last "0 passed, 0 failed"
write orphan.tests.json <<'EOF'
{"cases": [{"name": "x", "record": {"id": "a", "value": 1}, "verdict": "compliant"}]}
EOF
run test "$tmp/orphan.tests.json"
expect_status 2
expect_err "cannot read the policy $tmp/orphan.svp"
end

begin "policy does not compile: its diagnostics are printed"
write broken.tests.json <<'EOF'
{"cases": [{"name": "x", "record": {"id": "a", "value": 1}, "verdict": "compliant"}]}
EOF
run test "$tmp/broken.tests.json"
expect_status 2
expect_err "broken.svp:11:18: error: unknown name \`treshold\`"
expect_err "the policy $tmp/broken.svp does not compile (1 error)"
end

begin "a bad file does not stop the others, but the exit status is 2"
run test "$tmp/typo.tests.json" "$fx/tiny.tests.json"
expect_status 2
expect_last "3 passed, 0 failed"
run test --format json "$tmp/typo.tests.json" "$fx/tiny.tests.json"
expect_status 2
expect_jq '.status == 2 and .passed == 3 and (.files[0].error | type) == "string" and .files[1].error == null'
end

begin "usage errors"
run test
expect_status 2
expect_err "test needs at least one test file"
run test --format xml "$fx/tiny.tests.json"
expect_status 2
expect_err "unknown format"
run test --min-coverage 101 "$fx/tiny.tests.json"
expect_status 2
expect_err "give a percentage from 0 to 100"
run test --min-coverage "$fx/tiny.tests.json"
expect_status 2
run test --verbose "$fx/tiny.tests.json"
expect_status 2
expect_err "unknown option \`--verbose\` for test"
end

begin "a policy given instead of its tests: the tests beside it run"
n=$(jq '.cases | length' "$council")
run test policies/nelc-social-value.svp
expect_status 0
expect_last "$n passed, 0 failed"
run test --coverage "$fx/tiny.svp"
expect_status 0
expect_out "coverage of $fx/tiny.svp"
expect_last "3 passed, 0 failed"
run test "$tmp/plain.svp" # a copy with no tests beside it
expect_status 2
expect_err "svp: $tmp/plain.svp is a policy, and there are no tests beside it: $tmp/plain.tests.json does not exist"
expect_last "0 passed, 0 failed"
end

begin "svp help lists every command and every option it takes"
run help
expect_status 0
expect_out "svp test [--coverage] [--min-coverage PCT] [--format text|json] [--policy P.svp] TESTS..."
# every command help names is a command (a usage error, not "unknown command")
for cmd in $(grep -o '^  svp [a-z]*' "$tmp/out" | awk '{print $2}' | sort -u); do
    [ "$cmd" = help ] && continue
    "$svp" "$cmd" > /dev/null 2> "$tmp/cmd-err" </dev/null
    grep -q "unknown command" "$tmp/cmd-err" && fail "help lists $cmd, which is not a command"
done
# every option a command's help line shows is accepted by that command
cp "$council" "$tmp/council.tests.json" # its policy is not beside the copy: --policy names it
run test --coverage --min-coverage 100 --format json --policy policies/nelc-social-value.svp "$tmp/council.tests.json"
expect_status 0
run eval policies/nelc-social-value.svp examples/records/fires-sv-weighting.json --format text --explain --as-of 2024-01-01
expect_status 1
run portfolio policies/nelc-social-value.svp examples/records/fires-sv-weighting.json --format json
expect_status 0
run check --today 2020-05-01 policies/nelc-social-value.svp
expect_status 0
# and what help does not show is refused
run portfolio policies/nelc-social-value.svp examples/records/fires-sv-weighting.json --as-of 2024-01-01
expect_status 2
expect_err "unknown option \`--as-of\` for portfolio"
end

printf '%d passed, %d failed\n' "$passed" "$failed"
((failed == 0))
