-- kuma-mzs language server for Neovim. Put this file in your config (e.g. ~/.config/nvim/lua/)
-- and `require('kuma_mzs')`. Needs the npm package on PATH or a project install:
--   npm install --save-dev kuma-mzs     (or: npm install -g kuma-mzs)

local cmd = { 'npx', '--no-install', 'kuma-mzs-language-server', '--stdio' }
local init_options = {
  kumaVersion = '3.0',            -- the release your control plane runs: '3.0', '2.14' ... '2.9'
                                  -- ('2.x' is the newest 2.x release, 2.14; rules differ per release)
  reportUnknownResources = false, -- keep other YAML quiet
  -- Which files are applied to which zone's control plane (globs relative to the project root),
  -- for the zone mistakes MZS201-MZS203. A directory named after a zone listed here (zones/east/)
  -- counts without a pattern; 'global' is the global control plane. Leave it out if you have
  -- no per-zone files.
  -- zones = { east = { 'clusters/east/**' }, west = { 'clusters/west/**' }, global = { 'global/**' } },
}

if vim.lsp.config then
  -- Neovim 0.11+
  vim.lsp.config('kuma_mzs', {
    cmd = cmd,
    filetypes = { 'yaml', 'json' },
    root_markers = { '.git', 'package.json' },
    init_options = init_options,
  })
  vim.lsp.enable('kuma_mzs')
else
  -- Neovim 0.8 to 0.10
  vim.api.nvim_create_autocmd('FileType', {
    pattern = { 'yaml', 'json' },
    callback = function(args)
      vim.lsp.start({
        name = 'kuma_mzs',
        cmd = cmd,
        root_dir = vim.fs.dirname(vim.fs.find({ '.git', 'package.json' }, { upward = true, path = vim.api.nvim_buf_get_name(args.buf) })[1]),
        init_options = init_options,
      })
    end,
  })
end
