import t from 'tap'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js'
import { freePort } from './spawn.js'
import { signIn } from './oauth/helpers.js'
import type { TestContext } from './helper.js'

// Each test spawns processes; on a loaded machine the file needs more than the default budget.
t.setTimeout(300_000)

// `npm run demo` as a newcomer runs it: what it prints must be enough to connect, with any client.
const entry = fileURLToPath(new URL('../sandbox/demo.ts', import.meta.url))

async function startDemo (t: TestContext, env: Record<string, string> = {}) {
  const port = await freePort()
  const child = spawn(process.execPath, ['--import', 'tsx', entry], { env: { PATH: process.env.PATH, PORT: String(port), LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  t.teardown(() => { child.kill('SIGKILL') })
  let out = ''
  child.stderr.on('data', (d) => { out += d })
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d) => { out += d; if (out.includes('Ctrl-C')) resolve() })
    child.once('exit', () => reject(new Error(`demo exited early:\n${out}`)))
  })
  return { child, port, output: () => out }
}

/** The indented block printed under a heading that starts with `title`, dedented. */
function block (out: string, title: string): string {
  const lines = out.split('\n')
  const at = lines.findIndex((l) => l.startsWith(title))
  if (at < 0) throw new Error(`no "${title}" heading in:\n${out}`)
  const body: string[] = []
  for (const l of lines.slice(at + 1)) {
    if (!l.startsWith('  ')) break
    body.push(l.slice(2))
  }
  return body.join('\n')
}

t.test('the demo prints a working URL, key and one snippet per client, and stops on SIGTERM', async (t) => {
  const { child, port, output } = await startDemo(t)
  const out = output()
  const url = /MCP endpoint\s+: (\S+)/.exec(out)?.[1]
  const key = /API key\s+: (\S+)/.exec(out)?.[1]
  t.equal(url, `http://127.0.0.1:${port}/mcp`)
  t.ok(key)

  t.equal(block(out, 'Claude Code'), `claude mcp add --transport http github-issues ${url} --header "X-API-Key: ${key}"`)
  t.same(JSON.parse(block(out, 'Claude Desktop')), {
    mcpServers: {
      'github-issues': {
        command: 'npx',
        args: ['-y', 'mcp-remote', url, '--header', 'X-API-Key:${MCP_API_KEY}'],
        env: { MCP_API_KEY: key }
      }
    }
  }, 'Claude Desktop launches commands only: mcp-remote, the key from env')
  t.same(JSON.parse(block(out, 'Cursor')), { mcpServers: { 'github-issues': { url, headers: { 'X-API-Key': key } } } })
  t.same(JSON.parse(block(out, 'VS Code')), { servers: { 'github-issues': { type: 'http', url, headers: { 'X-API-Key': key } } } },
    'VS Code reads top-level "servers" with "type": "http"')
  t.equal(block(out, 'MCP Inspector CLI (needs Node >= 22.19)'),
    `npx @modelcontextprotocol/inspector --cli ${url} --transport http --header "X-API-Key: ${key}" --method tools/list`)
  t.match(out, /Rate limit {5}: 1000 requests per 60 s per key/)

  const client = new Client({ name: 'demo-test', version: '1.0.0' })
  const transport = new StreamableHTTPClientTransport(new URL(url!), { requestInit: { headers: { 'X-API-Key': key! } } })
  await client.connect(transport)
  const { tools } = await client.listTools()
  t.ok(tools.length >= 9)
  const weekly = await client.getPrompt({ name: 'weekly-summary', arguments: { owner: 'octo-org', repo: 'widgets' } })
  t.match(JSON.stringify(weekly.messages), /#\d+/, 'the sandbox is dated around today, so this week has issues')

  // Live updates: the sandbox's signed webhook turns a change into a notification.
  t.match(out, /Live updates {3}: the sandbox sends signed webhooks to http:\/\/127\.0\.0\.1:\d+\/webhooks\/github/)
  const updated = new Promise<string>((resolve) => client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => resolve(n.params.uri)))
  await client.subscribeResource({ uri: 'issue://octo-org/widgets/1' })
  const change = await client.callTool({ name: 'update_issue', arguments: { owner: 'octo-org', repo: 'widgets', issue_number: 1, labels: ['demo'] } })
  t.notOk(change.isError)
  t.equal(await updated, 'issue://octo-org/widgets/1', 'a subscribed client hears the change')
  await client.close()

  // Exploring must not run into the production default of 60 a minute.
  const res = await fetch(`http://127.0.0.1:${port}/mcp`, { method: 'DELETE', headers: { 'X-API-Key': key! } })
  t.equal(res.headers.get('ratelimit-limit'), '1000')

  child.kill('SIGTERM')
  const [code] = await once(child, 'exit')
  t.equal(code, 0, out.slice(-3000))
})

t.test('a RATE_LIMIT_MAX the user set wins over the demo\'s', async (t) => {
  const { port, output } = await startDemo(t, { RATE_LIMIT_MAX: '7' })
  t.match(output(), /Rate limit {5}: 7 requests per 60 s per key/)
  const key = /API key\s+: (\S+)/.exec(output())?.[1]
  const res = await fetch(`http://127.0.0.1:${port}/mcp`, { method: 'DELETE', headers: { 'X-API-Key': key! } })
  t.equal(res.headers.get('ratelimit-limit'), '7')
})

t.test('an OAuth client connects to the demo by URL alone, signs in as a sandbox user and acts as them', async (t) => {
  const { port, output } = await startDemo(t)
  const url = `http://127.0.0.1:${port}`
  t.match(output(), /Sign in {8}: OAuth clients may leave the key out/)
  const { client } = await signIn(t, url, 'carol')
  t.teardown(() => client.close())
  const made = await client.callTool({ name: 'create_issue', arguments: { owner: 'octo-org', repo: 'widgets', title: 'Filed from the demo' } })
  t.notOk(made.isError)
  const read = await client.callTool({ name: 'get_issue', arguments: { owner: 'octo-org', repo: 'widgets', issue_number: (made.structuredContent as { number: number }).number } })
  t.equal((read.structuredContent as { author: string }).author, 'carol', 'the sandbox GitHub saw carol, not the service token')
})
