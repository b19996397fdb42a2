// What `npm run demo` prints: one ready-to-paste snippet per client, each in the shape that
// client reads (they differ: VS Code wants top-level "servers" and "type": "http", Cursor
// "mcpServers" with url and headers, Claude Desktop only launches commands, so it goes through
// mcp-remote). test/demo.test.ts parses every snippet back out of the printed text.

export const SERVER_NAME = 'github-issues'

export interface BannerInput {
  url: string
  key: string
  sandboxUrl: string
  /** Where the sandbox sends its signed webhooks (the gateway's receiver). */
  webhookUrl?: string
  rateLimit: number
  rateWindowMs: number
  /** Sign-in with (sandbox) GitHub is on: OAuth clients need no key. */
  oauth?: boolean
}

export interface Snippet {
  /** The heading line printed above it: client name and where the snippet goes. */
  title: string
  /** JSON snippets are printed indented and must parse; commands are one line. */
  json?: unknown
  command?: string
}

export function clientSnippets ({ url, key }: Pick<BannerInput, 'url' | 'key'>): Snippet[] {
  const host = new URL(url).hostname
  // mcp-remote refuses plain http except to loopback names it knows.
  const allowHttp = url.startsWith('http:') && host !== 'localhost' && host !== '127.0.0.1' ? ['--allow-http'] : []
  return [
    {
      title: 'Claude Code',
      command: `claude mcp add --transport http ${SERVER_NAME} ${url} --header "X-API-Key: ${key}"`
    },
    {
      // The header value comes from env: no spaces in args, which some launchers split on.
      title: 'Claude Desktop (claude_desktop_config.json, through mcp-remote; needs Node on PATH)',
      json: {
        mcpServers: {
          [SERVER_NAME]: {
            command: 'npx',
            args: ['-y', 'mcp-remote', url, ...allowHttp, '--header', 'X-API-Key:${MCP_API_KEY}'],
            env: { MCP_API_KEY: key }
          }
        }
      }
    },
    {
      title: 'Cursor (~/.cursor/mcp.json, or .cursor/mcp.json in a project)',
      json: { mcpServers: { [SERVER_NAME]: { url, headers: { 'X-API-Key': key } } } }
    },
    {
      title: 'VS Code (.vscode/mcp.json)',
      json: { servers: { [SERVER_NAME]: { type: 'http', url, headers: { 'X-API-Key': key } } } }
    },
    {
      title: 'MCP Inspector CLI (needs Node >= 22.19)',
      command: `npx @modelcontextprotocol/inspector --cli ${url} --transport http --header "X-API-Key: ${key}" --method tools/list`
    }
  ]
}

const indent = (text: string) => text.replace(/^/gm, '  ')

export function demoBanner (input: BannerInput): string {
  const { url, key, sandboxUrl, webhookUrl, rateLimit, rateWindowMs, oauth } = input
  const snippets = clientSnippets(input).map((s) =>
    `${s.title}:\n${indent(s.json === undefined ? s.command! : JSON.stringify(s.json, null, 2))}\n`)
  return `
GitHub issues MCP gateway — demo
  GitHub sandbox : ${sandboxUrl}  (repos octo-org/widgets, octo-org/gadgets, octo-user/dotfiles)
  MCP endpoint   : ${url}
  API key        : ${key}
  Rate limit     : ${rateLimit} requests per ${rateWindowMs / 1000} s per key (RATE_LIMIT_MAX, RATE_LIMIT_WINDOW_MS)
${oauth !== true ? '' : `  Sign in        : OAuth clients may leave the key out (e.g. claude mcp add --transport http ${SERVER_NAME} ${url}):
                   they are sent to sign in and pick a sandbox user, whose name GitHub then sees
`}${webhookUrl === undefined ? '' : `  Live updates   : the sandbox sends signed webhooks to ${webhookUrl}; subscribe to
                   issue://octo-org/widgets/1, change it (update_issue, or PATCH the sandbox), and watch
                   notifications/resources/updated arrive on the session's GET stream
`}
${snippets.join('\n')}
Try it with curl:
  curl -s ${url} -H 'X-API-Key: ${key}' -H 'Content-Type: application/json' \\
    -H 'Accept: application/json, text/event-stream' \\
    -d '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"curl","version":"1"}}}' -i

Ctrl-C stops both (the sandbox lives in this process).
`
}
