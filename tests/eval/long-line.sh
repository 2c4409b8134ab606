#!/usr/bin/env bash
# long-line.sh - a batch line over the 1 MiB record limit is refused with
# the limit's message, the next line is still evaluated, and the line is
# not kept whole (peak memory stays far below its size).
#
#   tests/eval/long-line.sh [SVP]
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh" "long line" "$@"
{
    printf '{"id": "BIG", "title": "'
    head -c 60000000 /dev/zero | tr '\0' 'x'
    printf '"}\n'
    echo '{"id": "SMALL", "stage": "planning", "category": "goods", "value": "1000"}'
} > "$tmp/batch.jsonl"
out=$(/usr/bin/env time -f "%M" "$svp" eval policies/nelc-social-value.svp "$tmp/batch.jsonl" --format json 2> "$tmp/err")
status=$?
peak_kib=$(tail -n 1 "$tmp/err")
same "exit status" "$status" 2
same "first line" "$(echo "$out" | sed -n 1p)" '{"id":null,"line":1,"error":{"field":null,"message":"the record is longer than 1048576 bytes, the most svp reads"},"errors":[{"field":null,"message":"the record is longer than 1048576 bytes, the most svp reads"}]}'
same "second line evaluated" "$(echo "$out" | sed -n 2p | jq -r '.id + " " + (.compliant|tostring)')" "SMALL true"
same "memory stays bounded (under 30 MiB for a 60 MB line)" "$([ "${peak_kib:-999999}" -lt 30720 ] && echo yes || echo "no: $peak_kib KiB")" yes
summary
