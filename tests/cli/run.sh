#!/usr/bin/env bash
# run.sh - the svp command with the files and outputs it really meets
# (issue 9): write errors, special files, folders, unreadable inputs,
# `svp fmt -w` on links and read-only files, terminal escapes.
#
#   tests/cli/run.sh [SVP]
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh" cli "$@"
policy=policies/nelc-social-value.svp
register=examples/register.jsonl

# Defect 4: every command that writes reports a failed write and exits 2.
for cmd in "check $policy" "fmt $policy" "eval $policy $register" "eval $policy $register --format text" \
           "portfolio $policy $register" "test policies/nelc-social-value.tests.json" "diff $policy $policy" \
           "impact $policy $policy $register" "help"; do
    # shellcheck disable=SC2086
    "$svp" $cmd > /dev/full 2> "$tmp/err"
    same "svp $cmd > /dev/full: exit status" $? 2
    same "svp $cmd > /dev/full: message" "$(tail -n 1 "$tmp/err")" "svp: cannot write the output: No space left on device"
done

# Defect 5: terminal escapes in a record are shown escaped on standard
# error (and in text output), never obeyed.
esc=$'\e'
printf '{"id": "X\\u001b[2J\\u009b31mRED", "stage": "nope"}\n' > "$tmp/esc.jsonl"
"$svp" eval "$policy" "$tmp/esc.jsonl" --format json > "$tmp/out" 2> "$tmp/err"
same "ESC in an id: stderr escaped" "$(cat "$tmp/err")" \
    'svp: line 1 (X\x1b[2J\u009b31mRED): invalid record: stage: expected one of planning, tender, award, delivery, got "nope"'
same "ESC in an id: no raw ESC on stderr" "$(grep -c "$esc" "$tmp/err")" 0
printf '{"id": "K", "stage": "planning", "category": "goods", "value": "1", "x": {"a\\u001b]0;t\\u0007": 1, "a\\u001b]0;t\\u0007": 2}}\n' > "$tmp/esc.jsonl"
"$svp" eval "$policy" "$tmp/esc.jsonl" --format json > /dev/null 2> "$tmp/err"
same "ESC in a key: stderr escaped" "$(cat "$tmp/err")" \
    'svp: line 1 (K): invalid record: x.a\x1b]0;t\x07: this key appears twice in the same object (parsers disagree on which one counts)'

# Defect 6: an id cut to fit in the middle of a character stays UTF-8
# (a record dated before every version: the line svp writes itself).
mkdir "$tmp/v"
cp "$policy" "$tmp/v/a.svp"
sed -e 's/version   "2020.1"/version   "2021.1"/' -e 's/effective 2020-04-01/effective 2021-04-01/' "$policy" > "$tmp/v/b.svp"
long_id=$(printf 'é%.0s' $(seq 200))
printf '{"id": "%s", "stage": "planning", "category": "goods", "value": "1", "dates": {"engagement": "2019-01-01"}}\n' \
    "$long_id" > "$tmp/early.jsonl"
for format in json text; do
    "$svp" eval "$tmp/v" "$tmp/early.jsonl" --format $format > "$tmp/out" 2> "$tmp/err"
    same "an id cut at 255 bytes ($format): exit 2" $? 2
    same "an id cut at 255 bytes ($format): output is UTF-8" "$(iconv -f UTF-8 -t UTF-8 "$tmp/out" > /dev/null 2>&1 && echo yes)" yes
    same "an id cut at 255 bytes ($format): stderr is UTF-8" "$(iconv -f UTF-8 -t UTF-8 "$tmp/err" > /dev/null 2>&1 && echo yes)" yes
done
"$svp" eval "$tmp/v" "$tmp/early.jsonl" --format json > "$tmp/out" 2> /dev/null
same "an id cut at 255 bytes: 127 whole characters" "$(jq -r '.id | length' "$tmp/out")" 127
summary
