" ftplugin/svp.vim - editing svp policies: comments start with #, and
" `gq` over the whole file (or :make-style formatting) can use `svp fmt`.
if exists('b:did_ftplugin')
  finish
endif
let b:did_ftplugin = 1

setlocal commentstring=#\ %s
setlocal comments=:#
setlocal iskeyword=@,48-57,_
setlocal expandtab shiftwidth=2 softtabstop=2
" `gggqG` formats the file as `svp fmt` does (svp on PATH).
setlocal formatprg=svp\ fmt\ /dev/stdin

let b:undo_ftplugin = 'setlocal commentstring< comments< iskeyword< expandtab< shiftwidth< softtabstop< formatprg<'
