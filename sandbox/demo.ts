import { randomBytes } from 'node:crypto'
import { startGitHubStandin, SANDBOX_TOKEN } from './github-standin.js'
import { createSeed } from './seed.js'
import { rebaseSeed } from './rebase.js'

// `npm run demo`: the real gateway (same entry, config checks and shutdown as production)
// against the bundled GitHub sandbox on loopback. No token, no internet.
// Dated around today, so "this week" in weekly-summary means this week.
const sandbox = await startGitHubStandin({ port: Number(process.env.SANDBOX_PORT ?? 0), seed: rebaseSeed(createSeed(), new Date()) })
const key = process.env.DEMO_API_KEY ?? `demo-${randomBytes(18).toString('base64url')}`

process.env.GITHUB_TOKEN = SANDBOX_TOKEN
process.env.GITHUB_API_URL = sandbox.url
process.env.AUTH_KEYS = key
process.env.NODE_ENV ??= 'development'
process.env.LOG_LEVEL ??= 'warn'

const { start } = await import('../src/server.js')
const app = await start()
const { HOST, PORT } = app.config
const url = `http://${HOST.includes(':') ? `[${HOST}]` : HOST}:${PORT}/mcp`

const clientConfig = {
  mcpServers: {
    'github-issues': { type: 'http', url, headers: { 'X-API-Key': key } }
  }
}

process.stdout.write(`
GitHub issues MCP gateway — demo
  GitHub sandbox : ${sandbox.url}  (repos octo-org/widgets, octo-org/gadgets, octo-user/dotfiles)
  MCP endpoint   : ${url}
  API key        : ${key}

Claude Code:
  claude mcp add --transport http github-issues ${url} --header "X-API-Key: ${key}"

Client config (Claude Desktop, Cursor, VS Code — see README for each file's location):
${JSON.stringify(clientConfig, null, 2).replace(/^/gm, '  ')}

MCP Inspector:
  npx @modelcontextprotocol/inspector
  → Transport "Streamable HTTP", URL ${url}, header X-API-Key: ${key}

Try it with curl:
  curl -s ${url} -H 'X-API-Key: ${key}' -H 'Content-Type: application/json' \\
    -H 'Accept: application/json, text/event-stream' \\
    -d '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"curl","version":"1"}}}' -i

Ctrl-C stops both (the sandbox lives in this process).
`)
