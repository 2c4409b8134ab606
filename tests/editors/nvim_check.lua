-- nvim_check.lua - run by tests/editors/nvim.sh in a headless Neovim that
-- has loaded editors/vim and editors/vim/lsp.lua, with a copy of the
-- council's policy open: what a policy author sees.  Writes one line per
-- failure and "checks N failed M" to $SVP_NVIM_OUT, then quits.
local failed, checks = {}, 0
local function expect(what, got, want)
  checks = checks + 1
  if not vim.deep_equal(got, want) then
    table.insert(failed, 'FAIL ' .. what .. ': expected ' .. vim.inspect(want) .. ', got ' .. vim.inspect(got))
  end
end
local function finish()
  table.insert(failed, 'checks ' .. checks .. ' failed ' .. #failed)
  vim.fn.writefile(failed, os.getenv('SVP_NVIM_OUT'))
  vim.cmd('qall!')
end

local buf = vim.api.nvim_get_current_buf()
expect('file type', vim.bo[buf].filetype, 'svp')
local attached = vim.wait(10000, function() return #vim.lsp.buf_get_clients(buf) > 0 end, 50)
expect('the language server is attached', attached, true)
if not attached then return finish() end

local function diagnostics()
  local out = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    table.insert(out, { d.lnum, d.col, d.severity, d.message })
  end
  table.sort(out, function(a, b) return a[1] < b[1] end)
  return out
end

-- opened: the review reminder only (the council's 2020 policy has had no review in svp)
vim.wait(10000, function() return #vim.diagnostic.get(buf) > 0 end, 50)
expect('on opening, the review reminder', diagnostics(), { { 0, 0, vim.diagnostic.severity.WARN,
  'annual review due since April 2021: version 2020.1 took effect on 2020-04-01 and no newer version is given' } })

-- type a mistake: `sv_treshold` for `sv_threshold` on line 92, after the £ of nothing: column 38
local line = vim.api.nvim_buf_get_lines(buf, 91, 92, false)[1]
local at = line:find('sv_threshold', 1, true) - 1
vim.api.nvim_buf_set_text(buf, 91, at, 91, at + #'sv_threshold', { 'sv_treshold' })
local function errors() return #vim.diagnostic.get(buf, { severity = vim.diagnostic.severity.ERROR }) end
vim.wait(10000, function() return errors() > 0 end, 50)
-- (with an error the policy does not compile, so, as with svp check, no reminder)
expect('as the author types, the error', diagnostics(), { { 91, 38, vim.diagnostic.severity.ERROR,
  'unknown name `sv_treshold`; did you mean the parameter `sv_threshold`?' } })
vim.api.nvim_buf_set_text(buf, 91, at, 91, at + #'sv_treshold', { 'sv_threshold' })
vim.wait(10000, function() return errors() == 0 end, 50)
expect('fixed, it goes (the reminder is back)', #diagnostics(), 1)

-- hover a parameter
local params = { textDocument = { uri = vim.uri_from_bufnr(buf) }, position = { line = 91, character = at + 2 } }
local replies = vim.lsp.buf_request_sync(buf, 'textDocument/hover', params, 5000) or {}
local hover
for _, r in pairs(replies) do hover = r.result and r.result.contents.value end
expect('hover shows the value and its comment', hover,
  '**parameter** `sv_threshold` = `£100,000`\n\nDelivery and Reporting, 1')

-- mess up the layout and write: formatted on save
vim.api.nvim_buf_set_lines(buf, 19, 20, false, { '  sv_threshold = £100,000  # Delivery and Reporting, 1' })
vim.cmd('write')
local on_disk = table.concat(vim.fn.readfile(vim.api.nvim_buf_get_name(buf)), '\n') .. '\n'
expect('formatted on save, as svp fmt does', on_disk, os.getenv('SVP_FMT_EXPECTED') and
  table.concat(vim.fn.readfile(os.getenv('SVP_FMT_EXPECTED')), '\n') .. '\n')
finish()
