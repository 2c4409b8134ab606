" indent/svp.vim - indentation as `svp fmt` lays a policy out: declarations
" at the margin, their clauses and fields two spaces in, a decision's tiers
" four.  Lines the layout does not fix (a field, a parameter, a continued
" list or text) keep the indent they have.
if exists('b:did_indent')
  finish
endif
let b:did_indent = 1

setlocal indentexpr=SvpIndent(v:lnum)
setlocal indentkeys=o,O,0=cite,0=when,0=require,0=else,0=report,0=because,0=over,0=otherwise,0=share,0=keyed,0=edition
let b:undo_indent = 'setlocal indentexpr< indentkeys<'

if exists('*SvpIndent')
  finish
endif

let s:declaration = '^\(policy\|parameters\|enum\|record\|object\|decision\|rule\|portfolio\|table\)\>'
let s:clause = '^\s*\(version\|effective\|review\|source\|dated\|clauses\|cite\|when\|require\|else\|report\|because\|is\|by\|share\|keyed\|edition\)\>'
let s:tier = '^\s*\(over\|from\|otherwise\)\>'

function! SvpIndent(lnum) abort
  let line = getline(a:lnum)
  if line =~# s:declaration
    return 0
  endif
  if line =~# s:tier
    return 2 * shiftwidth()
  endif
  if line =~# s:clause
    return shiftwidth()
  endif
  if line =~# '^\s*\S'
    return -1
  endif
  " a new, empty line: from the line above
  let prev = getline(prevnonblank(a:lnum - 1))
  if prev =~# '^\(parameters\|record\|object\|decision\|rule\|portfolio\|policy\|table\)\>'
    return shiftwidth()
  endif
  if prev =~# '^\s*\(edition\|keyed\)\>.*:\s*\(#.*\)\=$'
    return 2 * shiftwidth()
  endif
  if prev =~# '^\s*by\>' || prev =~# s:tier
    return 2 * shiftwidth()
  endif
  return -1
endfunction
