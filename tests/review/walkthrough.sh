#!/usr/bin/env bash
# walkthrough.sh - examples/review/README.md shows what svp really prints.
#
#   tests/review/walkthrough.sh [SVP]
#
# Runs the three commands of the April review walkthrough and checks that
# every line they print stands in the README (the "..." lines of shortened
# outputs aside), and that their exit statuses are the ones it states.
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh" walkthrough "$@"
readme=examples/review/README.md
old=policies/nelc-social-value.svp new=examples/review/nelc-social-value-2021.svp

shown() { # NAME STATUS COMMAND...: every output line is in the README
    local name=$1 want=$2 out status line missing=0; shift 2
    out=$("$@" 2>&1); status=$?
    if [ "$status" != "$want" ]; then fail "$name: exit $status, README says $want"; return; fi
    while IFS= read -r line; do
        [ -z "$line" ] && continue
        grep -qxF -- "$line" "$readme" || { missing=$((missing + 1)); [ $missing -le 3 ] && echo "FAIL $name: not in the README: $line"; }
    done <<< "$out"
    if [ $missing -eq 0 ]; then pass; else failed=$((failed + 1)); fi
}

"$svp" check "$new" > /dev/null 2>&1 && pass || fail "the amendment does not check clean"
shown "diff" 1 "$svp" diff "$old" "$new"
# the README shows the head and the tail of these two
ends() { # HEAD TAIL COMMAND...
    local h=$1 t=$2; shift 2
    "$@" > "$tmp/out" 2>&1; local status=$?
    head -n "$h" "$tmp/out"; tail -n "$t" "$tmp/out"
    return $status
}
shown "impact" 1 ends 3 13 "$svp" impact "$old" "$new" examples/review/register.jsonl
shown "test" 1 ends 4 1 "$svp" test --policy "$new" policies/nelc-social-value.tests.json
summary
