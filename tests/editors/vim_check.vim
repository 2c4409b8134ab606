" vim_check.vim - run by tests/editors/vim.sh inside `vim -es` with the
" council's policy open: checks the file type, the highlight group at
" chosen places, and that reindenting the whole file (gg=G) changes
" nothing, as the policy is in `svp fmt`'s layout.  Writes one line per
" failure to $SVP_VIM_OUT, then "checks N failed M".
let s:failed = []
let s:checks = 0

function! s:Expect(what, got, want) abort
  let s:checks += 1
  if a:got !=# a:want
    call add(s:failed, 'FAIL ' . a:what . ': expected ' . string(a:want) . ', got ' . string(a:got))
  endif
endfunction

" The highlight group (after links) of the first match of pattern on line lnum, plus offset.
function! s:GroupAt(lnum, pattern, offset) abort
  let col = match(getline(a:lnum), a:pattern) + 1 + a:offset
  return synIDattr(synIDtrans(synID(a:lnum, col, 1)), 'name') . '/' . synIDattr(synID(a:lnum, col, 1), 'name')
endfunction

call s:Expect('file type', &filetype, 'svp')
call s:Expect('syntax', get(b:, 'current_syntax', ''), 'svp')
call s:Expect('comment leader', &commentstring, '# %s')
call s:Expect('a comment', s:GroupAt(1, '#', 0), 'Comment/svpComment')
call s:Expect('the policy keyword', s:GroupAt(7, 'policy', 0), 'Statement/svpDeclaration')
call s:Expect('the policy name', s:GroupAt(7, 'NELC', 0), 'Constant/svpString')
call s:Expect('a date', s:GroupAt(9, '2020', 0), 'Constant/svpDate')
call s:Expect('a clause keyword', s:GroupAt(10, 'review', 0), 'Statement/svpClause')
call s:Expect('a parameter', s:GroupAt(20, 'sv_threshold', 0), 'Identifier/svpParameter')
call s:Expect('money', s:GroupAt(20, '£', 0), 'Constant/svpMoney')
call s:Expect('a trailing comment', s:GroupAt(20, '# Delivery', 2), 'Comment/svpComment')
call s:Expect('a percentage', s:GroupAt(27, '10%', 0), 'Constant/svpPercent')
call s:Expect('an enumeration name', s:GroupAt(30, 'stage', 0), 'Type/svpTypeName')
call s:Expect('in order', s:GroupAt(30, 'order', 0), 'Statement/svpOperatorWord')
call s:Expect('a type', s:GroupAt(50, 'money', 0), 'Type/svpType')
call s:Expect('required from', s:GroupAt(52, 'required', 0), 'Statement/svpClause')
call s:Expect('a boolean', s:GroupAt(57, 'false', 0), 'Constant/svpBoolean')
call s:Expect('a decision name', s:GroupAt(75, 'social_value_required', 0), 'Identifier/svpDecisionName')
call s:Expect('a tier', s:GroupAt(82, 'over', 0), 'Statement/svpClause')
call s:Expect('the tier arrow', s:GroupAt(82, '->', 0), 'Statement/svpOperator')
call s:Expect('a rule id', s:GroupAt(90, 'sv-weighting', 4), 'Identifier/svpRuleId')
call s:Expect('a severity', s:GroupAt(94, 'error', 0), 'Special/svpSeverity')
call s:Expect('an interpolation', s:GroupAt(94, '{weighting', 0), 'Special/svpInterpolationDelim')
call s:Expect('inside an interpolation', s:GroupAt(94, '{weighting', 3), 'svpInterpolation/svpInterpolation')
call s:Expect('a portfolio rule', s:GroupAt(156, 'portfolio', 0), 'Statement/svpDeclaration')

" Indentation: the council's layout is svp fmt's, so reindenting changes nothing.
let s:before = getline(1, '$')
silent normal! gg=G
call s:Expect('gg=G keeps the layout', getline(1, '$') == s:before ? 'same' : 'changed', 'same')
" A new line after a rule's header is a clause (2 spaces); after `by`, a tier (4).
call append(89, 'rule new-rule "New"')
call cursor(90, 1)
execute "normal! ocite \"x\"\<Esc>"
call s:Expect('a clause after a rule header', getline(91), '  cite "x"')
let s:by = search('^  by   value', 'w')
execute "normal! oover £1 -> \"x\"\<Esc>"
call s:Expect('a tier after by', getline(s:by + 1), '    over £1 -> "x"')

call writefile(s:failed + ['checks ' . s:checks . ' failed ' . len(s:failed)], $SVP_VIM_OUT)
qall!
