#!/usr/bin/env bash
# vim.sh - Vim loads editors/vim (file type, syntax, indentation) on the
# council's policy without an error, highlights what it should, and
# indents as `svp fmt` lays out (tests/editors/vim_check.vim).
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
command -v vim >/dev/null || { echo "vim.sh: vim is needed (make setup installs it)" >&2; exit 1; }
out=$(mktemp)
err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
# -es: silent Ex mode, no vimrc (-u NONE) or viminfo; any error message Vim
# gives goes to stderr and fails the test.
status=0
# the council's policy, then the proxy-values policy (its tables), then the
# rules of issue 11 (working, allow)
for policy in policies/nelc-social-value policies/proxy-values tests/rules/policy; do
    SVP_VIM_OUT=$out vim -es -N -u NONE -i NONE --cmd "set rtp^=$root/editors/vim" \
        -c 'filetype plugin indent on' -c 'syntax on' -c "edit $root/$policy.svp" \
        -S "$root/tests/editors/vim_check.vim" 2> "$err" < /dev/null
    rc=$?
    if [ -s "$err" ] || [ $rc -ne 0 ]; then
        echo "FAIL vim reported errors on $policy (exit $rc):"
        cat "$err"
        status=1
    fi
    if ! tail -n 1 "$out" | grep -q ' failed 0$'; then
        cat "$out"
        status=1
    fi
    echo "vim ($policy): $(tail -n 1 "$out" 2>/dev/null)"
done
# The units of issue 11 (division, rounding, dates apart, min, max, not in).
SVP_VIM_OUT=$out vim -es -N -u NONE -i NONE --cmd "set rtp^=$root/editors/vim" \
    -c 'filetype plugin indent on' -c 'syntax on' -c "edit $root/examples/units/units.svp" \
    -S "$root/tests/editors/vim_units.vim" 2> "$err" < /dev/null
rc=$?
if [ -s "$err" ] || [ $rc -ne 0 ] || ! tail -n 1 "$out" | grep -q ' failed 0$'; then
    echo "FAIL vim on the units (exit $rc):"
    cat "$err" "$out"
    status=1
fi
echo "vim units: $(tail -n 1 "$out" 2>/dev/null)"
exit $status
