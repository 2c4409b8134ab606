-- lsp.lua - start `svp lsp` for svp policies in Neovim (0.8 or later).
--
-- Put editors/vim on the runtimepath (for the file type, syntax and
-- indentation) and these lines in init.lua (or `:luafile editors/vim/lsp.lua`).
-- Errors appear as you type, `K` hovers, `gd`-style jumps use
-- vim.lsp.buf.definition, and the policy is formatted on save.
vim.api.nvim_create_autocmd('FileType', {
  pattern = 'svp',
  callback = function(args)
    vim.lsp.start({
      name = 'svp',
      cmd = { 'svp', 'lsp' },
      root_dir = vim.fs.dirname(vim.api.nvim_buf_get_name(args.buf)),
    })
    vim.api.nvim_create_autocmd('BufWritePre', {
      buffer = args.buf,
      callback = function() vim.lsp.buf.format({ async = false }) end,
    })
  end,
})
