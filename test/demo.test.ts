import t from 'tap'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'

// `npm run demo` as a newcomer runs it: what it prints must be enough to connect.
t.test('the demo prints a working URL and key, serves the sandbox, and stops on SIGTERM', async (t) => {
  const probe = createServer().listen(0, '127.0.0.1')
  await once(probe, 'listening')
  const port = (probe.address() as { port: number }).port
  probe.close()
  const entry = fileURLToPath(new URL('../sandbox/demo.ts', import.meta.url))
  const child = spawn(process.execPath, ['--import', 'tsx', entry], { env: { PATH: process.env.PATH, PORT: String(port), LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] })
  t.teardown(() => { child.kill('SIGKILL') })
  let out = ''
  child.stderr.on('data', (d) => { out += d })
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d) => { out += d; if (out.includes('Ctrl-C')) resolve() })
    child.once('exit', () => reject(new Error(`demo exited early:\n${out}`)))
  })
  const url = /MCP endpoint\s+: (\S+)/.exec(out)?.[1]
  const key = /API key\s+: (\S+)/.exec(out)?.[1]
  t.equal(url, `http://127.0.0.1:${port}/mcp`)
  t.ok(key)
  t.match(out, /claude mcp add --transport http github-issues/)
  t.match(out, /"X-API-Key": "/)

  const client = new Client({ name: 'demo-test', version: '1.0.0' })
  await client.connect(new StreamableHTTPClientTransport(new URL(url!), { requestInit: { headers: { 'X-API-Key': key! } } }))
  const { tools } = await client.listTools()
  t.ok(tools.length >= 9)
  const weekly = await client.getPrompt({ name: 'weekly-summary', arguments: { owner: 'octo-org', repo: 'widgets' } })
  const text = JSON.stringify(weekly.messages)
  t.match(text, /#\d+/, 'the sandbox is dated around today, so this week has issues')
  await client.close()

  child.kill('SIGTERM')
  const [code] = await once(child, 'exit')
  t.equal(code, 0, out.slice(-3000))
})
