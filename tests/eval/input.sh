#!/usr/bin/env bash
# input.sh - records as they really come (issue 9, defects 1-3): whatever the
# first line of a batch holds, N non-blank lines give N results, in order,
# with their own line numbers; a line over the limit is invalid whatever its
# length; a NUL byte neither ends nor merges lines.  One JSON value (a
# pretty-printed record, or an array of records) is still read as such.
#
#   tests/eval/input.sh [SVP]
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh" input "$@"
policy=policies/nelc-social-value.svp
register=examples/register.jsonl
n_register=$(grep -c . "$register")   # 20 non-blank lines
last_id=$(tail -n 1 "$register" | jq -r .id)

# results FIRST-LINE-FILE: the register after the first line in the file,
# on standard input; checks eval, portfolio and impact see every line.
results() {
    local what=$1 first=$2 want=$((n_register + 1))
    cat "$first" "$register" > "$tmp/in"
    "$svp" eval "$policy" - --format json < "$tmp/in" > "$tmp/out" 2> "$tmp/err"
    same "$what: eval exit status" $? 2
    same "$what: eval results" "$(wc -l < "$tmp/out")" "$want"
    same "$what: first result is line 1, invalid" "$(head -n 1 "$tmp/out" | jq -c '[.line, (.error | type)]')" '[1,"object"]'
    same "$what: last result is the register's last record" "$(tail -n 1 "$tmp/out" | jq -r .id)" "$last_id"
    same "$what: invalid lines keep their numbers (the register's 8, 13, 16, 19, one down)" \
        "$(jq -c 'select(.error) | .line' "$tmp/out" | tr '\n' ' ')" "1 9 14 17 20 "
    "$svp" portfolio "$policy" - --format json < "$tmp/in" > "$tmp/out" 2> /dev/null
    # portfolio reads only the fields of its rules: the register's line 16
    # lacks a field they do not read, so only 4 lines are invalid for it
    same "$what: portfolio counts every line" "$(jq -c '[.records, .invalid]' "$tmp/out")" "[$want,4]"
    "$svp" impact "$policy" "$policy" - --format json < "$tmp/in" > "$tmp/out" 2> /dev/null
    same "$what: impact reads every line" "$(tail -n 1 "$tmp/out" | jq -c '.summary.records')" "$want"
}

printf '{"id": broken\n' > "$tmp/first"; results "a broken first line" "$tmp/first"
printf '{\n' > "$tmp/first"; results "a lone {" "$tmp/first"
printf '# exported 2025-04-01\n' > "$tmp/first"; results "a # line" "$tmp/first"
printf '\f\n' > "$tmp/first"; results "a form feed" "$tmp/first"
printf '\0\n' > "$tmp/first"; results "a NUL" "$tmp/first"
{ head -c 2000 /dev/zero | tr '\0' '['; head -c 2000 /dev/zero | tr '\0' ']'; echo; } > "$tmp/first"
results "nested deeper than cJSON reads" "$tmp/first"
{ printf '{"id": "LONG", "title": "'; head -c 3000000 /dev/zero | tr '\0' x; printf '"}\n'; } > "$tmp/first"
results "an over-long line" "$tmp/first"

# One JSON value: a pretty-printed record (file or stdin) is one record.
jq . examples/records/fires-sv-weighting.json > "$tmp/pretty.json"
"$svp" eval "$policy" "$tmp/pretty.json" --format json > "$tmp/out"
same "pretty-printed record: one result" "$(jq -c '[.id, .compliant]' "$tmp/out")" '["NELC-2025-0111",false]'
"$svp" eval "$policy" - --format json < "$tmp/pretty.json" > "$tmp/out"
same "pretty-printed record on stdin: one result" "$(jq -c '[.id, .compliant]' "$tmp/out")" '["NELC-2025-0111",false]'
# A pretty-printed record whose brackets balance is one record, even
# when it is not valid JSON; one whose structure breaks is not one value,
# so each of its lines is a record (README: which input is which).
sed 's/"stage": "\(.*\)"/"stage": \1/' "$tmp/pretty.json" > "$tmp/bad.json"
"$svp" eval "$policy" "$tmp/bad.json" --format json > "$tmp/out" 2> /dev/null
same "pretty-printed record, bad literal: one result, line 1" "$(jq -c '[.line, .error.field]' "$tmp/out")" '[1,null]'
sed 's/"stage"/stage/' "$tmp/pretty.json" > "$tmp/bad.json"
"$svp" eval "$policy" "$tmp/bad.json" --format json > "$tmp/out" 2> /dev/null
same "pretty-printed record, broken structure: a result per line" "$(wc -l < "$tmp/out")" "$(grep -c . "$tmp/bad.json")"

# A top-level array is a batch; an item's line is its position.
jq -s '[.[0], {"id": "NOT-AN-OBJECT-NEXT"}, [1, 2], .[0]]' examples/records/fires-sv-weighting.json > "$tmp/array.json"
"$svp" eval "$policy" "$tmp/array.json" --format json > "$tmp/out" 2> /dev/null
same "array: exit status" $? 2
same "array: one result per item, lines are positions" \
    "$(jq -c '[.id, .line, .compliant]' "$tmp/out" | tr '\n' ' ')" \
    '["NELC-2025-0111",null,false] ["NOT-AN-OBJECT-NEXT",2,null] [null,3,null] ["NELC-2025-0111",null,false] '
printf '[]\n' | "$svp" eval "$policy" - --format json > "$tmp/out"
same "empty array: no records, exit 0" "$?:$(wc -c < "$tmp/out")" "0:0"

# Defect 2: a line of 2 MiB - 1 bytes whose first MiB is a valid record
# padded with spaces is over the limit, whatever its length.
pad_record='{"id": "PAD", "stage": "planning", "category": "goods", "value": "1000"}'
for size in 2097151 2097152 2097153 1048577; do
    { printf '%s' "$pad_record"
      head -c $((size - ${#pad_record})) /dev/zero | tr '\0' ' '; printf '\n'; } > "$tmp/pad.jsonl"
    "$svp" eval "$policy" "$tmp/pad.jsonl" --format json > "$tmp/out" 2> /dev/null
    same "a $size-byte padded line: exit 2" $? 2
    same "a $size-byte padded line: too long" "$(jq -r .error.message "$tmp/out")" \
        "the record is longer than 1048576 bytes, the most svp reads"
done
{ printf '%s' "$pad_record"
  head -c $((1048576 - ${#pad_record})) /dev/zero | tr '\0' ' '; printf '\n'; } > "$tmp/pad.jsonl"
"$svp" eval "$policy" "$tmp/pad.jsonl" --format json > "$tmp/out"
same "a padded line of exactly 1 MiB is read" "$?:$(jq -r .id "$tmp/out")" "0:PAD"

# Defect 3: a NUL byte ends nothing: every line keeps its number.
rec='{"id": "R%s", "stage": "planning", "category": "goods", "value": "1000"}'
{ printf "$rec\n" 1; printf '\0\n'; printf "$rec" 3; printf '\0 trailing\n'; printf "$rec\n" 4; } > "$tmp/nul.jsonl"
"$svp" eval "$policy" "$tmp/nul.jsonl" --format json > "$tmp/out" 2> "$tmp/err"
same "NUL: every line gets its result, numbered" "$(jq -c '[.id, .line]' "$tmp/out" | tr '\n' ' ')" \
    '["R1",null] [null,2] [null,3] ["R4",null] '
same "NUL: stderr names lines 2 and 3" "$(grep -o '^svp: line [0-9]*' "$tmp/err" | tr '\n' ' ')" 'svp: line 2 svp: line 3 '

# Records from a folder: said plainly.
"$svp" eval "$policy" examples > "$tmp/out" 2> "$tmp/err"
same "a folder of records: exit 2" $? 2
same "a folder of records: message" "$(cat "$tmp/err")" \
    "svp: cannot read examples: it is a folder; give a file of records, or - for standard input"
summary
