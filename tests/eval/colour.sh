#!/usr/bin/env bash
# colour.sh - text output has colour on a terminal, never in a pipe, and
# never when NO_COLOR is set; on a terminal the format defaults to text.
#
#   tests/eval/colour.sh [SVP]
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh" colour "$@"
record=examples/records/fires-sv-weighting.json
esc=$(printf '\033[')
on_terminal() { # COMMAND: run under a pseudo-terminal (util-linux script)
    script -qec "$1" /dev/null 2>/dev/null
}
if ! command -v script > /dev/null; then
    echo "colour: no \`script\` command (util-linux): cannot make a terminal"; exit 2
fi
out=$(on_terminal "'$svp' eval policies/nelc-social-value.svp $record")
case $out in *"$esc"*) pass ;; *) fail "terminal: no colour" ;; esac
case $out in *NON-COMPLIANT*) pass ;; *) fail "terminal: the default format is not text" ;; esac
out=$(on_terminal "NO_COLOR=1 '$svp' eval policies/nelc-social-value.svp $record")
case $out in *"$esc"*) fail "NO_COLOR: colour anyway" ;; *NON-COMPLIANT*) pass ;; *) fail "NO_COLOR: no text" ;; esac
out=$("$svp" eval policies/nelc-social-value.svp "$record" --format text)
case $out in *"$esc"*) fail "pipe: colour" ;; *NON-COMPLIANT*) pass ;; *) fail "pipe: no text" ;; esac
out=$("$svp" eval policies/nelc-social-value.svp "$record")
same "pipe: the default format is JSON" "$(printf '%s' "$out" | jq -r .id)" NELC-2025-0111
summary
