#!/usr/bin/env bash
# nvim.sh [SVP] - Neovim with editors/vim and the lines of editors/vim/lsp.lua
# on a copy of the council's policy: errors as the author types, hover,
# formatting on save (tests/editors/nvim_check.lua).
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
svp=$(cd "$(dirname "${1:-$root/build/svp}")" && pwd)/$(basename "${1:-$root/build/svp}")
command -v nvim >/dev/null || { echo "nvim.sh: Neovim is needed (make setup installs it)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/policies"
cp "$root/policies/nelc-social-value.svp" "$work/policies/policy.svp"
"$svp" fmt "$root/policies/nelc-social-value.svp" > "$work/expected.svp"
export SVP_NVIM_OUT=$work/out SVP_FMT_EXPECTED=$work/expected.svp
timeout 120 nvim --headless -u NONE -i NONE --cmd "set rtp^=$root/editors/vim" \
    --cmd 'filetype plugin indent on' --cmd 'syntax on' --cmd "let g:svp_command = '$svp'" \
    --cmd "luafile $root/editors/vim/lsp.lua" -c "edit $work/policies/policy.svp" \
    -c "luafile $root/tests/editors/nvim_check.lua" > "$work/log" 2>&1
rc=$?
status=0
if [ $rc -ne 0 ] || ! tail -n 1 "$work/out" 2>/dev/null | grep -q ' failed 0$'; then
    echo "FAIL neovim (exit $rc):"
    cat "$work/log" "$work/out" 2>/dev/null
    status=1
fi
echo "nvim: $(tail -n 1 "$work/out" 2>/dev/null)"
exit $status
