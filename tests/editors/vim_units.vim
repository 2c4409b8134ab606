" vim_units.vim - run by tests/editors/vim.sh inside `vim -es` with
" examples/units/units.svp open: the words and operators of issue 11's
" units are highlighted as operators.  Writes one line per failure to
" $SVP_VIM_OUT, then "checks N failed M".
let s:failed = []
let s:checks = 0

" The highlight group (after links) of the first match of pattern on the
" first line that holds needle, plus offset.
function! s:Expect(what, needle, pattern, offset, want) abort
  let s:checks += 1
  let lnum = search('\V' . escape(a:needle, '\'), 'nw')
  let col = match(getline(lnum), '\V' . a:pattern) + 1 + a:offset
  let got = synIDattr(synIDtrans(synID(lnum, col, 1)), 'name') . '/' . synIDattr(synID(lnum, col, 1), 'name')
  if got !=# a:want
    call add(s:failed, 'FAIL ' . a:what . ': expected ' . string(a:want) . ', got ' . string(got))
  endif
endfunction

call s:Expect('division', 'value / 12 rounded down', '/', 0, 'Statement/svpOperator')
call s:Expect('rounded', 'value / 12 rounded down', 'rounded', 0, 'Statement/svpOperatorWord')
call s:Expect('rounded down', 'value / 12 rounded down', 'down', 0, 'Statement/svpOperatorWord')
call s:Expect('to nearest', 'rounded to nearest', 'rounded to nearest', 11, 'Statement/svpOperatorWord')
call s:Expect('months from', 'months from start', 'months from start', 0, 'Statement/svpOperatorWord')
call s:Expect('days from', 'days from start', 'days from start', 0, 'Statement/svpOperatorWord')
call s:Expect('min', 'min(value', 'min', 0, 'Statement/svpOperatorWord')
call s:Expect('max', 'max(start', 'max', 0, 'Statement/svpOperatorWord')
call s:Expect('not in', 'not in excluded', 'not in excluded', 0, 'Statement/svpOperatorWord')

call writefile(s:failed + ['checks ' . s:checks . ' failed ' . len(s:failed)], $SVP_VIM_OUT)
qall!
