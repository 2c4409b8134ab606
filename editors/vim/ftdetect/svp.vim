" ftdetect/svp.vim - .svp files are svp policies.
autocmd BufRead,BufNewFile *.svp setfiletype svp
