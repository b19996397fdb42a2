// What guards a 2025 request guards a 2026 one the same way: API keys, rate limits, the Origin
// and Host checks, scoped keys, metrics and the audit line. Gateway only: the reference has none.
import t, { type Test } from 'tap'
import { Writable } from 'node:stream'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { buildApp } from '../../src/app.js'
import { build, standin, testEnv, initializeBody, KEY_A, KEY_B, MCP_HEADERS } from '../helper.js'
import { WRITE_TOOLS, inject, referenceRun, rpc, toolCall, widgets, type Reply } from './era-2026-kit.js'

const gatewayOnly = { skip: referenceRun && 'gateway guards: the reference has no keys, limits or Host/Origin checks' }
const key = (k = KEY_A) => ({ 'x-api-key': k })
const toolNames = (r: Reply) => ((r.answer?.result?.tools ?? []) as Array<{ name: string }>).map((tool) => tool.name)
const textOf = (r: Reply) => ((r.answer?.result?.content ?? []) as Array<{ text?: string }>).map((c) => c.text ?? '').join('\n')

const READER = 'era-2026-reader-key-0123456789'
const WRITER = 'era-2026-writer-key-0123456789'

/** A key file with a read-only key limited to octo-org and a full key. */
function keyFile (t: Test): string {
  const path = join(t.testdir(), 'keys.json')
  writeFileSync(path, JSON.stringify({
    keys: [
      { name: 'reader', key: READER, scopes: ['issues:read'], repos: ['octo-org/*'] },
      { name: 'writer', key: WRITER },
    ],
  }))
  return path
}

t.test('API keys: a 2026 request without a key is 401, with a wrong one 403, with a key it is served', gatewayOnly, async (t) => {
  const { app } = await build(t)
  for (const body of [rpc(1, 'server/discover'), rpc(2, 'tools/list'), toolCall(3, 'get_issue', { ...widgets, issue_number: 1 })]) {
    t.equal((await inject(app, body)).status, 401, `${body.method} without a key`)
    t.equal((await inject(app, body, key('wrong-key-0123456789'))).status, 403, `${body.method} with a wrong key`)
    for (const auth of [key(), { authorization: `Bearer ${KEY_A}` }]) {
      const ok = await inject(app, body, auth)
      t.equal(ok.status, 200, `${body.method} with ${Object.keys(auth)[0]}: ${ok.text.slice(0, 200)}`)
      t.ok(ok.answer?.result, `${body.method}: a result`)
    }
  }
})

t.test('rate limits: 2026 requests spend the key\'s budget, 429 with Retry-After beyond it, shared with its 2025 requests', gatewayOnly, async (t) => {
  const { app } = await build(t, { RATE_LIMIT_MAX: '3' })
  for (const [i, body] of [rpc(1, 'server/discover'), rpc(2, 'tools/list')].entries()) {
    const res = await inject(app, body, key())
    t.equal(res.status, 200, `${body.method}: ${res.text.slice(0, 200)}`)
    t.ok(res.answer?.result, `${body.method}: a result`)
    t.equal(res.headers['ratelimit-remaining'], String(2 - i))
  }
  const legacy = await app.inject({ method: 'POST', url: '/mcp', headers: { ...MCP_HEADERS, ...key() }, payload: initializeBody() })
  t.equal(legacy.statusCode, 200, 'a 2025 initialize spends the same budget')
  const over = await inject(app, toolCall(3, 'get_issue', { ...widgets, issue_number: 1 }), key())
  t.equal(over.status, 429)
  t.ok(Number(over.headers['retry-after']) > 0, 'Retry-After')
  const other = await inject(app, rpc(4, 'tools/list'), key(KEY_B))
  t.equal(other.status, 200, 'another key has its own budget')
  t.ok(other.answer?.result)
})

t.test('Origin: a 2026 request from a foreign page is 403; an allowed origin is served, its preflight allows the 2026 headers', gatewayOnly, async (t) => {
  const { app } = await build(t, { ALLOWED_ORIGINS: 'https://app.example.com' })
  const body = rpc(1, 'tools/list')
  const foreign = await inject(app, body, { ...key(), origin: 'https://evil.example' })
  t.equal(foreign.status, 403)
  t.same(JSON.parse(foreign.text), { error: 'forbidden', message: 'Origin not allowed' })
  const allowed = await inject(app, body, { ...key(), origin: 'https://app.example.com' })
  t.equal(allowed.status, 200, allowed.text.slice(0, 200))
  t.ok(allowed.answer?.result, 'served')
  t.equal(allowed.headers['access-control-allow-origin'], 'https://app.example.com')

  // A browser client of the 2026 era sends the standard headers: its preflight must allow them.
  const asked = ['content-type', 'x-api-key', 'mcp-protocol-version', 'mcp-method', 'mcp-name']
  const preflight = await app.inject({
    method: 'OPTIONS', url: '/mcp',
    headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': asked.join(', ') },
  })
  t.equal(preflight.statusCode, 204)
  const allowedHeaders = String(preflight.headers['access-control-allow-headers'] ?? '').toLowerCase().split(/\s*,\s*/)
  for (const header of asked) t.ok(allowedHeaders.includes(header), `preflight allows ${header}: ${allowedHeaders.join(', ')}`)
  t.equal((await app.inject({ method: 'OPTIONS', url: '/mcp', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } })).statusCode, 403)
})

t.test('Host: a 2026 request naming a foreign Host is 403 (DNS rebinding); a loopback name is served', gatewayOnly, async (t) => {
  const { app, github } = await build(t) // HOST is loopback: loopback names only
  const body = toolCall(1, 'get_issue', { ...widgets, issue_number: 1 })
  const rebound = await inject(app, body, { ...key(), host: 'rebind.attacker.example:3001' })
  t.equal(rebound.status, 403)
  t.same(JSON.parse(rebound.text), { error: 'forbidden', message: 'Host not allowed' })
  t.equal(github.requests.length, 0, 'nothing ran')
  const local = await inject(app, body, { ...key(), host: 'localhost:3001' })
  t.equal(local.status, 200, local.text.slice(0, 200))
  t.notOk(local.answer?.result?.isError)
  t.ok(local.answer?.result, 'served')
})

t.test('scoped keys: an issues:read key lists no write tools (a private list), is refused a write and other repositories', gatewayOnly, async (t) => {
  const { app, github } = await build(t, { AUTH_KEYS_FILE: keyFile(t) })
  const readerList = await inject(app, rpc(1, 'tools/list'), key(READER))
  t.equal(readerList.status, 200, readerList.text.slice(0, 200))
  const names = toolNames(readerList)
  t.ok(names.includes('get_issue'), 'read tools listed')
  for (const tool of WRITE_TOOLS) t.notOk(names.includes(tool), `${tool} not listed`)
  t.equal(readerList.answer?.result?.cacheScope, 'private', 'the list depends on the key: private')
  const writerList = await inject(app, rpc(2, 'tools/list'), key(WRITER))
  t.ok(toolNames(writerList).includes('create_issue'), 'a full key sees the write tools')

  const asked = github.requests.length
  const write = await inject(app, toolCall(3, 'create_issue', { ...widgets, title: 'sneaky' }), key(READER))
  t.equal(write.status, 200)
  t.equal(write.answer?.result?.isError, true, 'refused as a tool error')
  t.match(textOf(write), /not available to this API key: it needs the issues:write scope/)
  const elsewhere = await inject(app, toolCall(4, 'get_issue', { owner: 'octo-user', repo: 'dotfiles', issue_number: 1 }), key(READER))
  t.equal(elsewhere.answer?.result?.isError, true)
  t.match(textOf(elsewhere), /Access to octo-user\/dotfiles is not permitted/)
  t.equal(github.requests.length, asked, 'GitHub was never asked')
  const read = await inject(app, toolCall(5, 'get_issue', { ...widgets, issue_number: 1 }), key(READER))
  t.notOk(read.answer?.result?.isError, 'its own repositories it reads')
  t.ok(read.answer?.result)
})

t.test('metrics count 2026 requests: HTTP, MCP method, tool calls; no session', gatewayOnly, async (t) => {
  const { app } = await build(t)
  await inject(app, rpc(1, 'server/discover'), key())
  await inject(app, rpc(2, 'tools/list'), key())
  await inject(app, toolCall(3, 'get_issue', { ...widgets, issue_number: 1 }), key())
  await inject(app, toolCall(4, 'get_issue', { ...widgets, issue_number: 99999 }), key())
  const text = (await app.inject({ method: 'GET', url: '/metrics' })).body
  t.match(text, /gateway_http_requests_total\{route="\/mcp",method="POST",status="200"\} 4\b/)
  t.match(text, /gateway_mcp_messages_total\{method="server\/discover"\} 1\b/, 'server/discover has its own label')
  t.match(text, /gateway_mcp_messages_total\{method="tools\/list"\} 1\b/)
  t.match(text, /gateway_mcp_messages_total\{method="tools\/call"\} 2\b/)
  t.match(text, /gateway_tool_calls_total\{tool="get_issue",outcome="ok"\} 1\b/)
  t.match(text, /gateway_tool_calls_total\{tool="get_issue",outcome="error"\} 1\b/)
  t.match(text, /gateway_active_sessions 0\b/)
})

t.test('one audit line per 2026 tool call: tool, key name, repository, outcome; never the arguments or the key', gatewayOnly, async (t) => {
  const github = await standin(t)
  const lines: string[] = []
  const stream = new Writable({ write (chunk, _enc, done) { lines.push(String(chunk)); done() } })
  const app = await buildApp({ env: testEnv(github, { LOG_LEVEL: 'info', AUTH_KEYS_FILE: keyFile(t) }), logger: { level: 'info', stream } })
  t.teardown(() => app.close())
  const ok = await inject(app, toolCall(1, 'get_issue', { ...widgets, issue_number: 1 }), key(READER))
  t.ok(ok.answer?.result, ok.text.slice(0, 200))
  await inject(app, toolCall(2, 'create_issue', { ...widgets, title: 'secret title 42' }), key(READER))
  await inject(app, rpc(3, 'tools/list'), key(READER)) // not a tool call: no audit line
  const audit = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'tool call')
  t.equal(audit.length, 2, `two audit lines: ${JSON.stringify(audit)}`)
  t.match(audit[0], { level: 30, tool: 'get_issue', key: 'reader', repo: 'octo-org/widgets', outcome: 'ok', durationMs: Number })
  t.match(audit[1], { tool: 'create_issue', key: 'reader', outcome: 'refused' })
  t.notOk(lines.some((l) => l.includes('secret title 42')), 'no arguments logged')
  t.notOk(lines.some((l) => l.includes(READER)), 'the key itself is never logged')
})
