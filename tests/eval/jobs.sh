#!/usr/bin/env bash
# jobs.sh - `--jobs N` changes nothing but the speed: for eval (JSON and
# text), portfolio, impact and report, the output, standard error and exit status
# with --jobs 2, 3 and 4 are byte for byte those of --jobs 1, on the example
# register and on a batch of thousands of records (more than the reorder
# window of every run holds) with invalid records, lines that are not JSON,
# blank lines and a line over the record limit mixed in. Bad --jobs values
# are usage errors. Every run has 300 s: a hang is a failure, not a stuck test.
#
#   tests/eval/jobs.sh [SVP]
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh" jobs "$@"
policy=policies/nelc-social-value.svp

# The mixed batch: 300 rounds of the register, each followed by one of the
# invalid example records (compacted to a line), a blank line and, every
# 50th round, a line over the 1 MiB record limit.
invalid=(examples/records/invalid-*.json)
for ((round = 0; round < 300; round++)); do
    cat examples/register.jsonl
    f=${invalid[round % ${#invalid[@]}]}
    if jq -c . "$f" >/dev/null 2>&1; then jq -c . "$f"; else tr -d '\n' <"$f"; echo; fi
    echo
    if ((round % 50 == 7)); then
        printf '{"id": "HUGE-%d", "title": "' "$round"; head -c 1100000 /dev/zero | tr '\0' 'y'; printf '"}\n'
    fi
done >"$tmp/mixed.jsonl"
lines=$(wc -l <"$tmp/mixed.jsonl")
[ "$lines" -gt 6000 ] && pass || fail "the mixed batch has only $lines lines"

# run NAME ARGS...: run svp ARGS with --jobs 1, then 2, 3 and 4, and
# compare stdout, stderr and the exit status with the first. Each run reads
# standard input from $stdin (default /dev/null).
stdin=/dev/null
run() {
    local name=$1 j
    shift
    timeout 300 "$svp" "$@" --jobs 1 <"$stdin" >"$tmp/out.1" 2>"$tmp/err.1"
    local want=$?
    echo "$want" >"$tmp/status.1"
    [ -s "$tmp/out.1" ] || fail "$name: --jobs 1 wrote nothing"
    for j in 2 3 4; do
        timeout 300 "$svp" "$@" --jobs "$j" <"$stdin" >"$tmp/out.$j" 2>"$tmp/err.$j"
        same "$name: exit status with --jobs $j" "$?" "$want"
        cmp -s "$tmp/out.1" "$tmp/out.$j" && pass || fail "$name: stdout differs with --jobs $j"
        cmp -s "$tmp/err.1" "$tmp/err.$j" && pass || fail "$name: stderr differs with --jobs $j"
    done
}

run "eval register json" eval "$policy" examples/register.jsonl --format json
run "eval mixed json" eval "$policy" "$tmp/mixed.jsonl" --format json
run "eval mixed text --explain" eval "$policy" "$tmp/mixed.jsonl" --format text --explain
run "eval mixed --partial" eval "$policy" "$tmp/mixed.jsonl" --format json --partial
run "eval register --partial text" eval "$policy" examples/register.jsonl --format text --partial
run "eval one record" eval "$policy" examples/records/fires-sv-weighting.json --format json
stdin=$tmp/mixed.jsonl run "eval from stdin" eval "$policy" - --format json
run "portfolio mixed" portfolio "$policy" "$tmp/mixed.jsonl" --format json
run "portfolio register text" portfolio "$policy" examples/register.jsonl --format text
run "impact mixed" impact "$policy" examples/review/nelc-social-value-2021.svp "$tmp/mixed.jsonl" --format json
run "impact review register" impact "$policy" examples/review/nelc-social-value-2021.svp examples/review/register.jsonl

# svp report: every table and figure, in every format, over the mixed
# batch, over two versions and over a period.
for format in json csv html; do
    run "report mixed $format" report "$policy" "$tmp/mixed.jsonl" --format "$format"
done
run "report two versions" report "$policy" examples/review/nelc-social-value-2021.svp "$tmp/mixed.jsonl" --format json
run "report a period" report "$policy" "$tmp/mixed.jsonl" --from 2024-04-01 --to 2025-03-31 --format json
# A figure grouped by a text with more groups than the 1,000 a figure
# shows: which groups are shown and which dropped depends on the order the
# records come in, whichever worker evaluated them.
cat >"$tmp/groups.svp" <<'SVP'
policy "Groups" version "1" effective 2020-04-01
record procurement
  id text required
  value money required
  buyer text
figure by-buyer "Money by buyer"
  sum value
  by buyer
SVP
for ((i = 1; i <= 5000; i++)); do
    printf '{"id": "G%d", "value": "%d.%02d", "buyer": "Buyer %d"}\n' "$i" $((i * 7919 % 90000)) $((i % 100)) \
        $((i * 104729 % 1700))
done >"$tmp/groups.jsonl"
run "report groups past the limit" report "$tmp/groups.svp" "$tmp/groups.jsonl" --format csv
same "report: records past the limit of groups" "$(grep -c 'Buyer' "$tmp/out.1")" 1000

# Batches that end exactly at a chunk (64 records) or a full window (8
# chunks per worker), and one past.
line1=$(head -n 1 examples/register.jsonl)
for n in 64 128 1024 2048 2049 4096; do
    for ((i = 0; i < n; i++)); do echo "$line1"; done >"$tmp/n$n.jsonl"
    run "eval $n records" eval "$policy" "$tmp/n$n.jsonl" --format json
    same "$n records, $n results" "$(wc -l <"$tmp/out.4")" "$n"
done

# What the mixed batch must give, whatever the jobs: one result line per
# non-blank line, in input order, with the right line numbers.
"$svp" eval "$policy" "$tmp/mixed.jsonl" --format json --jobs 4 >"$tmp/out" 2>/dev/null
same "one result per non-blank line" "$(wc -l <"$tmp/out")" "$(grep -c '[^[:space:]]' "$tmp/mixed.jsonl")"
same "line numbers in input order" \
    "$(jq -r 'select(.line) | .line' "$tmp/out" | sort -n -c && echo sorted)" sorted

# A register given 300 times is 300 times its sums, split among the workers
# and merged: every count and amount of the one-register run (--jobs 1),
# times 300, to the penny.
pence() { local v=${1//[£,.]/}; echo $((10#$v)); }
for ((i = 0; i < 300; i++)); do cat examples/register.jsonl; done >"$tmp/register300.jsonl"
read -r recs inv part total counted share < <("$svp" portfolio "$policy" examples/register.jsonl --format json --jobs 1 \
    2>/dev/null | jq -r '[.records, .invalid, .shares[0].part, .shares[0].total, .shares[0].records, .shares[0].share] | @tsv')
[ -n "$share" ] && pass || fail "the one-register portfolio gave no share"
same "portfolio of 300 registers, 4 jobs" \
    "$("$svp" portfolio "$policy" "$tmp/register300.jsonl" --format json --jobs 4 2>/dev/null \
       | jq -r '[.records, .invalid, .shares[0].part, .shares[0].total, .shares[0].records, .shares[0].share] | @tsv' \
       | while IFS=$'\t' read -r r n p t c sh; do echo "$r $n $(pence "$p") $(pence "$t") $c $sh"; done)" \
    "$((recs * 300)) $((inv * 300)) $(($(pence "$part") * 300)) $(($(pence "$total") * 300)) $((counted * 300)) $share"

# --partial through the workers. Records not filled in yet (a register
# record with its weighting taken out) are incomplete: their status 3 is
# the mildest after 0, so a batch of them exits 3, one non-compliant record
# makes it 1 and one invalid record 2, whatever the jobs. The text summary
# counts them, the same with every --jobs.
jq -c 'del(.weighting)' examples/records/clean-award-services.json >"$tmp/incomplete1"
for ((i = 0; i < 200; i++)); do cat "$tmp/incomplete1"; done >"$tmp/incomplete.jsonl"
jq -c . examples/records/fires-sv-weighting.json >"$tmp/noncompliant1"
jq -c . examples/records/invalid-negative-money.json >"$tmp/invalid1"
{ cat "$tmp/incomplete.jsonl" "$tmp/noncompliant1" "$tmp/incomplete.jsonl"; } >"$tmp/incomplete+1.jsonl"
{ cat "$tmp/incomplete+1.jsonl" "$tmp/invalid1" "$tmp/incomplete.jsonl"; } >"$tmp/incomplete+1+2.jsonl"
for want in "incomplete 3" "incomplete+1 1" "incomplete+1+2 2"; do
    set -- $want
    run "eval $1 --partial text" eval "$policy" "$tmp/$1.jsonl" --format text --partial
    same "eval $1 --partial: exit status" "$(cat "$tmp/status.1")" "$2"
done
same "the summary counts the incomplete records" "$(grep '^[0-9]* records:' "$tmp/out.3")" \
    "602 records: 0 compliant, 1 non-compliant, 600 incomplete, 1 invalid"
"$svp" eval "$policy" "$tmp/incomplete+1+2.jsonl" --format text --jobs 3 >/dev/null 2>"$tmp/err"
same "without --partial, the records lacking a field are invalid" "$?" 2
run "eval mixed --partial text" eval "$policy" "$tmp/mixed.jsonl" --format text --partial

# The summary's rules tied on a count are listed in the order they first
# fired in the input, whichever worker evaluated that record: one record
# firing a rule per chunk of 64, the rules in a different order each time
# the batch goes round, with compliant records between.
fires=(examples/records/fires-*.json)
clean=$(jq -c . examples/records/clean-award-services.json)
for ((round = 0; round < 3; round++)); do
    for ((k = 0; k < ${#fires[@]}; k++)); do
        jq -c . "${fires[(k * (round + 1) + round) % ${#fires[@]}]}"
        for ((i = 0; i < 63; i++)); do echo "$clean"; done
    done
done >"$tmp/ties.jsonl"
run "eval ties text" eval "$policy" "$tmp/ties.jsonl" --format text
grep -q '^rules fired most:' "$tmp/out.1" && pass || fail "eval ties text: no rules in the summary"

# A failed write is exit status 2 with every --jobs.
for j in 1 3; do
    "$svp" eval "$policy" "$tmp/mixed.jsonl" --format text --jobs "$j" >/dev/full 2>"$tmp/err"
    same "eval --jobs $j > /dev/full: exit status" "$?" 2
    same "eval --jobs $j > /dev/full: message" "$(tail -n 1 "$tmp/err")" \
        "svp: cannot write the output: No space left on device"
done

# Bad values.
for bad in 0 -1 x 2x 257 ""; do
    "$svp" eval "$policy" examples/register.jsonl --jobs "$bad" >/dev/null 2>"$tmp/err"
    same "--jobs '$bad' is a usage error" "$?" 2
    grep -q -- '--jobs takes a whole number of threads from 1 to 256' "$tmp/err" && pass \
        || fail "--jobs '$bad': $(head -1 "$tmp/err")"
done
"$svp" eval "$policy" examples/register.jsonl --jobs=3 --format json >"$tmp/out" 2>/dev/null
same "--jobs=3 is taken" "$?" 2
summary
