-- lsp.lua - start `svp lsp` for svp policies in Neovim (0.7 or later).
--
-- Put editors/vim on the runtimepath (file type, syntax, indentation) and
-- these lines in init.lua, or `:luafile /path/to/editors/vim/lsp.lua`.
-- Errors and warnings appear as you type (vim.diagnostic), `K` (or
-- :lua vim.lsp.buf.hover()) shows what a name is, vim.lsp.buf.definition,
-- .references, .rename, .code_action and completion (omnifunc) work, and the
-- policy is formatted as `svp fmt` does when it is written.
-- The command is `svp` on PATH unless vim.g.svp_command names another.
local function start(buf)
  local cmd = { vim.g.svp_command or 'svp', 'lsp' }
  -- the policy's folder: its other versions there are checked with it
  local root = vim.fn.fnamemodify(vim.api.nvim_buf_get_name(buf), ':p:h')
  vim.bo[buf].omnifunc = 'v:lua.vim.lsp.omnifunc'
  if vim.lsp.start then -- Neovim 0.8 and later
    vim.lsp.start({ name = 'svp', cmd = cmd, root_dir = root }, { bufnr = buf })
  else -- Neovim 0.7: one server per folder
    _G.svp_lsp_clients = _G.svp_lsp_clients or {}
    local id = _G.svp_lsp_clients[root]
    if not id or vim.lsp.client_is_stopped(id) then
      id = vim.lsp.start_client({ name = 'svp', cmd = cmd, root_dir = root })
      _G.svp_lsp_clients[root] = id
    end
    if id then
      vim.lsp.buf_attach_client(buf, id)
    end
  end
  vim.keymap.set('n', 'K', vim.lsp.buf.hover, { buffer = buf })
  vim.api.nvim_create_autocmd('BufWritePre', {
    buffer = buf,
    callback = function()
      if vim.lsp.buf.format then
        vim.lsp.buf.format({ bufnr = buf, async = false })
      else
        vim.lsp.buf.formatting_sync(nil, 2000)
      end
    end,
  })
end

vim.api.nvim_create_autocmd('FileType', {
  pattern = 'svp',
  callback = function(args) start(args.buf) end,
})
