#!/usr/bin/env bash
# cost.sh - a policy within the limits costs seconds and memory in
# proportion to its size (issue 9, defect 10).  Not a speed measurement
# (that is `make bench`): each run gets a generous time limit, so only a
# cost that grows out of proportion (minutes, hundreds of MiB) fails.
#
#   tests/check/cost.sh [SVP]
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh" cost "$@"

# 5,000 enumerations and 4,999 fields whose types are near misses of
# them: every field asks for a suggestion among 5,000 names of 61
# characters (700 KB; this took minutes).
awk 'BEGIN {
    print "policy \"T\" version \"1\" effective 2020-04-01"
    for (i = 0; i < 5000; i++) printf "enum n%05d_abcdefghijabcdefghijabcdefghijabcdefghijabcdefghij: v%d\n", i, i
    print "record r"; print "  id text required"
    for (i = 0; i < 4999; i++) printf "  f%d n%05d_abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijX required\n", i, i
}' > "$tmp/suggest.svp"
timeout 60 "$svp" check "$tmp/suggest.svp" > /dev/null 2> "$tmp/err"
same "near misses among thousands of names: checked (exit 1), not timed out" $? 1
same "the first unknown type still gets its suggestion" "$(sed -n 1p "$tmp/err" | grep -c 'did you mean `n00000_')" 1
same "every field is counted" "$(tail -n 1 "$tmp/err")" "$tmp/suggest.svp: 4999 errors"

# 800 KB of messages made of `{value}` (111,000 of them): each used to
# keep 3 KB (300 MiB); now memory is in proportion to the text.
awk 'BEGIN {
    print "policy \"T\" version \"1\" effective 2020-04-01"
    print "record r"; print "  id text required"; print "  value money required"
    for (i = 0; i < 555; i++) {
        printf "rule r%d \"t\"\n  cite \"c\"\n  report info \"", i
        for (k = 0; k < 200; k++) printf "{value}"
        print "\""
    }
}' > "$tmp/messages.svp"
for cmd in check eval; do
    echo '{"id": "A", "value": "1"}' > "$tmp/record.json"
    args=("$tmp/messages.svp"); [ $cmd = eval ] && args+=("$tmp/record.json" --format json)
    /usr/bin/env time -f %M timeout 60 "$svp" $cmd "${args[@]}" > /dev/null 2> "$tmp/err"
    same "$cmd: 111,000 {...} in messages: ok" $? 0
    peak=$(tail -n 1 "$tmp/err")
    same "$cmd: 111,000 {...} in messages: under 64 MiB (got $peak KiB)" "$([ "$peak" -lt 65536 ] && echo yes)" yes
done
# `svp diff` of a decision with 40,000 tiers, every bound moved (980 KB
# each): tiers are matched through sorted hashes, not pair by pair (this
# took 27 s, and grew with the square of the tiers).
tiers() { # VERSION SHIFT
    awk -v v="$1" -v shift="$2" 'BEGIN {
        printf "policy \"T\" version \"%s\" effective 2020-04-01\nrecord r\n  id text required\n  value money required\n", v
        print "decision fee \"Fee\""; print "  by value"
        for (i = 39999; i > 0; i--) printf "  over £%d -> %d\n", i * 10 + shift, i
        print "  otherwise -> 0"
    }'
}
tiers 1 0 > "$tmp/tiers-a.svp"
tiers 2 5 > "$tmp/tiers-b.svp"
/usr/bin/env time -f %M timeout 20 "$svp" diff "$tmp/tiers-a.svp" "$tmp/tiers-b.svp" > "$tmp/out" 2> "$tmp/err"
same "diff of 40,000 tiers: done (exit 1), not timed out" $? 1
same "diff of 40,000 tiers: every tier's band moved, matched by its result" \
    "$(grep -c '^  fee: tier [0-9]*: over £[0-9]* -> over £[0-9]*5$' "$tmp/out")" 39999
same "diff of 40,000 tiers: under 256 MiB" "$([ "$(tail -n 1 "$tmp/err")" -lt 262144 ] && echo yes)" yes

# A table of 36,000 rows (1 MB) read 20,000 times by one record, and two
# versions of it with every value changed: rows are sorted once and found
# by binary search (a scan per read, or per row in svp diff, took 17 s).
rows() { # VERSION PENCE
    awk -v v="$1" -v p="$2" 'BEGIN {
        printf "policy \"T\" version \"%s\" effective 2020-04-01\n", v
        print "object c"; print "  k text required"; print "  q number required"
        print "record r"; print "  id text required"; print "  cs list of c"
        print "table t \"T\""; print "  keyed by text:"
        for (i = 0; i < 36000; i++) printf "    \"K%06d\" -> £%d.%02d%s\n", i, i, p, i < 35999 ? "," : ""
        print "decision s \"S\" is sum over cs of q * t[k]"
    }'
}
rows 1 0 > "$tmp/table-a.svp"
rows 2 1 > "$tmp/table-b.svp"
awk 'BEGIN { printf "{\"id\": \"A\", \"cs\": ["; for (i = 0; i < 20000; i++) printf "%s{\"k\": \"K%06d\", \"q\": 1}", i ? "," : "", (i * 7) % 36000; print "]}" }' > "$tmp/items.json"
timeout 20 "$svp" eval "$tmp/table-a.svp" "$tmp/items.json" --format json > "$tmp/out" 2> "$tmp/err"
same "a 36,000-row table read 20,000 times: evaluated, not timed out" $? 0
same "a 36,000-row table read 20,000 times: the sum worked out by awk" "$(grep -o '"s":"[0-9.]*"' "$tmp/out")" \
    "\"s\":\"$(awk 'BEGIN { for (i = 0; i < 20000; i++) t += (i * 7) % 36000; printf "%d.00", t }')\""
timeout 20 "$svp" diff "$tmp/table-a.svp" "$tmp/table-b.svp" > "$tmp/out" 2> "$tmp/err"
same "diff of two 36,000-row tables: done (exit 1), not timed out" $? 1
same "diff of two 36,000-row tables: every row's change" "$(grep -c '^  t of "K[0-9]*" changed from' "$tmp/out")" 36000
summary
