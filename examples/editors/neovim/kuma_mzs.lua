-- kuma-mzs language server for Neovim 0.8 or later. Put this file in your config (e.g.
-- ~/.config/nvim/lua/) and `require('kuma_mzs')`. The package is not on the npm registry: install
-- the tarball that `make pack-npm` writes into the repository's target/npm/ (README.md), in your
-- project or globally:
--   npm install --save-dev /path/to/kuma-mzs/target/npm/kuma-mzs-0.1.0.tgz
--   npm install -g /path/to/kuma-mzs/target/npm/kuma-mzs-0.1.0.tgz
-- The server runs through npx in the project root (the directory with .git or package.json above
-- the file), so a project install is found whatever Neovim's working directory is.

local server = { 'npx', '--no-install', 'kuma-mzs-language-server', '--stdio' }
local root_markers = { '.git', 'package.json' }
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

-- Only a buffer of a file is in a project: not an unnamed one (:enew), nor a help or plugin buffer.
local function is_file(bufnr)
  return vim.api.nvim_buf_get_name(bufnr) ~= '' and vim.bo[bufnr].buftype == ''
end

if vim.fn.has('nvim-0.11.3') == 1 then
  -- vim.lsp.config; from 0.11.3 a `cmd` function gets the resolved config, so npx runs in the
  -- project root. Without a root (no .git or package.json above the file) it runs in Neovim's
  -- working directory, where npx still finds a global install.
  vim.lsp.config('kuma_mzs', {
    cmd = function(dispatchers, config)
      return vim.lsp.rpc.start(server, dispatchers, { cwd = config.root_dir })
    end,
    filetypes = { 'yaml', 'json' },
    root_dir = function(bufnr, on_dir)
      if is_file(bufnr) then
        on_dir(vim.fs.root(bufnr, root_markers))
      end
    end,
    init_options = init_options,
  })
  vim.lsp.enable('kuma_mzs')
elseif vim.fn.has('nvim-0.8') == 1 then
  -- Neovim 0.8 to 0.11.2: vim.lsp.start for each YAML or JSON buffer of a file.
  vim.api.nvim_create_autocmd('FileType', {
    pattern = { 'yaml', 'json' },
    callback = function(args)
      if not is_file(args.buf) then
        return
      end
      local file = vim.api.nvim_buf_get_name(args.buf)
      local dir = vim.fs.dirname(file)
      local marker = vim.fs.find(root_markers, { upward = true, path = dir })[1]
      local root = marker and vim.fs.dirname(marker) or dir
      vim.lsp.start({
        name = 'kuma_mzs',
        cmd = server,
        cmd_cwd = vim.fn.isdirectory(root) == 1 and root or nil, -- a new file's directory may not exist yet
        root_dir = root,
        init_options = init_options,
      }, { bufnr = args.buf })
    end,
  })
else
  -- Neovim 0.7 (Debian 12's) has neither vim.lsp.start nor vim.fs.
  local v = vim.version()
  vim.notify(('kuma_mzs: needs Neovim 0.8 or later, this is %d.%d.%d; not started'):format(v.major, v.minor, v.patch), vim.log.levels.WARN)
end
