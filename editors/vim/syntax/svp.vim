" syntax/svp.vim - highlighting for svp policy files (the language of
" README.md, "The policy language").  Groups link to Vim's standard ones, so
" every colour scheme shows them.
if exists('b:current_syntax')
  finish
endif

syntax case match

syntax match svpComment "#.*$" contains=@Spell
syntax region svpString start=+"+ skip=+\\.+ end=+"+ contains=svpEscape,svpInterpolation
syntax match svpEscape +\\.+ contained
syntax region svpInterpolation matchgroup=svpInterpolationDelim start=+{+ end=+}+ contained
      \ contains=svpMoney,svpPercent,svpDate,svpNumber,svpBoolean,svpOperatorWord,svpOperator

" (the last defined wins where several match: plain numbers first)
syntax match svpNumber "\<[0-9]\+\(\.[0-9]\+\)\=\>"
syntax match svpPercent "\<[0-9]\+\(\.[0-9]\+\)\=%"
syntax match svpDate "\<[0-9]\{4}-[0-9]\{2}-[0-9]\{2}\>"
syntax match svpMoney "£[0-9][0-9,]*\(\.[0-9]\+\)\="
syntax keyword svpBoolean true false

syntax match svpDeclaration "^\(policy\|parameters\)\>"
syntax match svpDeclaration "^\(enum\|record\|object\)\>" nextgroup=svpTypeName skipwhite
syntax match svpDeclaration "^decision\>" nextgroup=svpDecisionName skipwhite
syntax match svpDeclaration "^working\ze\s\+decision\>"
syntax match svpDeclaration "^\(rule\|portfolio\)\>" nextgroup=svpRuleId skipwhite
syntax match svpDeclaration "^table\>" nextgroup=svpDecisionName skipwhite
syntax match svpRuleId "[A-Za-z_][A-Za-z0-9_-]*" contained
syntax match svpTypeName "[A-Za-z_][A-Za-z0-9_]*" contained
syntax match svpDecisionName "[A-Za-z_][A-Za-z0-9_]*" contained
syntax match svpParameter "^\s\+\zs[A-Za-z_][A-Za-z0-9_]*\ze\s*=[^=]"

syntax keyword svpClause version effective review every source dated by clauses
syntax keyword svpClause cite when require else report because is over from otherwise share where
syntax keyword svpClause required default if then
syntax keyword svpClause keyed edition allow
syntax keyword svpSeverity error warning info
syntax keyword svpOperatorWord and or not in present blank count sum all any names that are of order list
syntax keyword svpType money percent number date text boolean
syntax match svpOperator "->\|<=\|>=\|!=\|[=<>+*]"
" units: division with its rounding, dates apart, min and max
syntax keyword svpOperatorWord rounded to down up nearest days months min max
syntax match svpOperator "/"

highlight default link svpComment Comment
highlight default link svpString String
highlight default link svpEscape SpecialChar
highlight default link svpInterpolationDelim Delimiter
highlight default link svpMoney Number
highlight default link svpDate Number
highlight default link svpPercent Number
highlight default link svpNumber Number
highlight default link svpBoolean Boolean
highlight default link svpDeclaration Keyword
highlight default link svpRuleId Function
highlight default link svpTypeName Type
highlight default link svpDecisionName Function
highlight default link svpParameter Identifier
highlight default link svpClause Statement
highlight default link svpSeverity Special
highlight default link svpOperatorWord Operator
highlight default link svpOperator Operator
highlight default link svpType Type

let b:current_syntax = 'svp'
