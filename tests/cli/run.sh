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
summary
