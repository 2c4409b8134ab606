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

" The line (1-based) holding needle, which must be on exactly one line of the
" policy: places are found by their text, not by a number that a label or a
" declaration added elsewhere would move.
function! s:Line(needle) abort
  let found = filter(range(1, line('$')), 'stridx(getline(v:val), a:needle) >= 0')
  if len(found) != 1
    call add(s:failed, 'FAIL ' . string(a:needle) . ' is on ' . len(found) . ' lines of the policy, not one')
    return 0
  endif
  return found[0]
endfunction

" The rules of issue 11 (tests/rules/policy.svp, opened third): working, allow.
if expand('%:t') ==# 'policy.svp'
  call s:Expect('working', s:GroupAt(s:Line('working decision big'), 'working', 0), 'Statement/svpDeclaration')
  call s:Expect('allow', s:GroupAt(s:Line('  allow tier-not-monotonic'), 'allow', 0), 'Statement/svpClause')
  call s:Expect('a chosen severity', s:GroupAt(s:Line('  else    error when'), 'otherwise warning', 10), 'Special/svpSeverity')
  let s:before = getline(1, '$')
  silent normal! gg=G
  call s:Expect('gg=G keeps the layout of the rules policy', getline(1, '$') == s:before ? 'same' : 'changed', 'same')
  call writefile(s:failed + ['checks ' . s:checks . ' failed ' . len(s:failed)], $SVP_VIM_OUT)
  qall!
endif

" The proxy-values policy (tests/editors/vim.sh opens it second): tables.
if expand('%:t') ==# 'proxy-values.svp'
  call s:Expect('the table keyword', s:GroupAt(s:Line('table proxy_value "'), 'table', 0), 'Statement/svpDeclaration')
  call s:Expect('a table name', s:GroupAt(s:Line('table proxy_value "'), 'proxy_value', 0), 'Identifier/svpDecisionName')
  call s:Expect('keyed by', s:GroupAt(s:Line('  keyed by   text:'), 'keyed', 0), 'Statement/svpClause')
  call s:Expect('edition by', s:GroupAt(s:Line('  edition by toms_edition'), 'edition', 0), 'Statement/svpClause')
  call s:Expect('an edition', s:GroupAt(s:Line('  edition 2024:'), '2024', 0), 'Constant/svpNumber')
  call s:Expect('a row key', s:GroupAt(s:Line('    "NT4"  -> £12.50,'), 'NT4', 0), 'Constant/svpString')
  call s:Expect('a row arrow', s:GroupAt(s:Line('    "NT4"  -> £12.50,'), '->', 0), 'Statement/svpOperator')
  call s:Expect('a row value', s:GroupAt(s:Line('    "NT4"  -> £12.50,'), '£', 0), 'Constant/svpMoney')
  call s:Expect('sum over', s:GroupAt(s:Line('  is   sum over commitments of'), 'over', 0), 'Statement/svpClause')
  call s:Expect('where', s:GroupAt(s:Line('  is   count of commitments where'), 'where', 0), 'Statement/svpClause')
  let s:before = getline(1, '$')
  silent normal! gg=G
  call s:Expect('gg=G keeps the layout of tables', getline(1, '$') == s:before ? 'same' : 'changed', 'same')
  let s:ed = s:Line('  edition 2024:')
  execute s:ed . "normal! o\"NT9\" -> £1.00,\<Esc>"
  call s:Expect('a row after an edition', getline(s:ed + 1), '    "NT9" -> £1.00,')
  call writefile(s:failed + ['checks ' . s:checks . ' failed ' . len(s:failed)], $SVP_VIM_OUT)
  qall!
endif

call s:Expect('file type', &filetype, 'svp')
call s:Expect('syntax', get(b:, 'current_syntax', ''), 'svp')
call s:Expect('comment leader', &commentstring, '# %s')
call s:Expect('a comment', s:GroupAt(1, '#', 0), 'Comment/svpComment')
call s:Expect('the policy keyword', s:GroupAt(s:Line('policy "NELC'), 'policy', 0), 'Statement/svpDeclaration')
call s:Expect('the policy name', s:GroupAt(s:Line('policy "NELC'), 'NELC', 0), 'Constant/svpString')
call s:Expect('a date', s:GroupAt(s:Line('  effective 2020-'), '2020', 0), 'Constant/svpDate')
call s:Expect('a clause keyword', s:GroupAt(s:Line('  review    every'), 'review', 0), 'Statement/svpClause')
call s:Expect('a parameter', s:GroupAt(s:Line('  sv_threshold      = '), 'sv_threshold', 0), 'Identifier/svpParameter')
call s:Expect('money', s:GroupAt(s:Line('  sv_threshold      = '), '£', 0), 'Constant/svpMoney')
call s:Expect('a trailing comment', s:GroupAt(s:Line('  sv_threshold      = '), '# Delivery', 2), 'Comment/svpComment')
call s:Expect('a percentage', s:GroupAt(s:Line('  minimum_weighting = '), '10%', 0), 'Constant/svpPercent')
call s:Expect('an enumeration name', s:GroupAt(s:Line('enum stage in order:'), 'stage', 0), 'Type/svpTypeName')
call s:Expect('in order', s:GroupAt(s:Line('enum stage in order:'), 'order', 0), 'Statement/svpOperatorWord')
call s:Expect('a type', s:GroupAt(s:Line('  value                                money'), 'money', 0), 'Type/svpType')
call s:Expect('required from', s:GroupAt(s:Line('  dates.publication                    date'), 'required', 0), 'Statement/svpClause')
call s:Expect('a boolean', s:GroupAt(s:Line('  social_value.opt_out                 boolean'), 'false', 0), 'Constant/svpBoolean')
call s:Expect('a decision name', s:GroupAt(s:Line('decision social_value_required "'), 'social_value_required', 0), 'Identifier/svpDecisionName')
call s:Expect('a tier', s:GroupAt(s:Line('    over cabinet_threshold -> '), 'over', 0), 'Statement/svpClause')
call s:Expect('the tier arrow', s:GroupAt(s:Line('    over cabinet_threshold -> '), '->', 0), 'Statement/svpOperator')
call s:Expect('a rule id', s:GroupAt(s:Line('rule sv-weighting "'), 'sv-weighting', 4), 'Identifier/svpRuleId')
call s:Expect('a severity', s:GroupAt(s:Line('  else    error "social value weighting {'), 'error', 0), 'Special/svpSeverity')
call s:Expect('an interpolation', s:GroupAt(s:Line('  else    error "social value weighting {'), '{weighting', 0), 'Special/svpInterpolationDelim')
call s:Expect('inside an interpolation', s:GroupAt(s:Line('  else    error "social value weighting {'), '{weighting', 3), 'svpInterpolation/svpInterpolation')
call s:Expect('a portfolio rule', s:GroupAt(s:Line('portfolio sme-vcse-spend "'), 'portfolio', 0), 'Statement/svpDeclaration')

" Indentation: the council's layout is svp fmt's, so reindenting changes nothing.
let s:before = getline(1, '$')
silent normal! gg=G
call s:Expect('gg=G keeps the layout', getline(1, '$') == s:before ? 'same' : 'changed', 'same')
" A new line after a rule's header is a clause (2 spaces); after `by`, a tier (4).
" (a new rule on the blank line before the rule sv-weighting)
let s:blank = s:Line('rule sv-weighting "') - 1
call s:Expect('(a blank line before sv-weighting)', getline(s:blank), '')
call append(s:blank, 'rule new-rule "New"')
call cursor(s:blank + 1, 1)
execute "normal! ocite \"x\"\<Esc>"
call s:Expect('a clause after a rule header', getline(s:blank + 2), '  cite "x"')
let s:by = search('^  by   value', 'w')
execute "normal! oover £1 -> \"x\"\<Esc>"
call s:Expect('a tier after by', getline(s:by + 1), '    over £1 -> "x"')

call writefile(s:failed + ['checks ' . s:checks . ' failed ' . len(s:failed)], $SVP_VIM_OUT)
qall!
