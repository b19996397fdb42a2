// A session server wired to the shared catalog: capabilities, scopes, repo allowlists, argument
// validation before any GitHub request, the audit line, logging levels and cancellation.
import t from 'tap'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js'
import { ErrorCode, LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js'
import { harness, memoryLogger, textOf, type LogLine } from '../github/harness.js'
import { createGitHubDomain } from '../../src/github/index.js'
import { createSessionServer, SERVER_INFO } from '../../src/mcp/session-server.js'
import { FULL_ACCESS, keyAccess } from '../../src/auth/access.js'
import pkg from '../../package.json' with { type: 'json' }

const readOnly = keyAccess(['issues:read'], null)
const widgets = { owner: 'octo-org', repo: 'widgets' }

t.test('declares its capabilities and identity', async (t) => {
  const h = await harness(t)
  t.same(SERVER_INFO, { name: 'github-issues-mcp-gateway', version: pkg.version })
  t.same(h.client.getServerVersion(), SERVER_INFO)
  t.match(h.client.getServerCapabilities(), {
    tools: { listChanged: false }, resources: {}, prompts: {}, completions: {}, logging: {},
  })
  t.match(h.client.getInstructions(), /UNTRUSTED/)
  t.same(await h.client.listResources(), { resources: [] })
})

t.test('a read-only key sees no write tools and is refused if it calls one anyway', async (t) => {
  const h = await harness(t, { access: readOnly })
  const names = (await h.client.listTools()).tools.map((x) => x.name)
  t.notOk(names.includes('create_issue'))
  t.ok(names.includes('get_issue'))
  const res = await h.call('create_issue', { ...widgets, title: 'sneaky' })
  t.equal(res.isError, true)
  t.match(textOf(res), /not available to this API key: it needs the issues:write scope/)
  t.equal(h.standin.requests.length, 0, 'GitHub was never asked')
  t.match(h.events.at(-1), { tool: 'create_issue', outcome: 'refused' })
})

t.test('repositories outside the allowlist are refused without a GitHub request', async (t) => {
  const h = await harness(t, { access: keyAccess(['issues:read', 'issues:write'], ['octo-org/*']) })
  const res = await h.call('get_issue', { owner: 'octo-user', repo: 'dotfiles', issue_number: 1 })
  t.equal(res.isError, true)
  t.match(textOf(res), /Access to octo-user\/dotfiles is not permitted/)
  await t.rejects(h.client.readResource({ uri: 'issue://octo-user/dotfiles/1' }), { code: ErrorCode.InvalidParams })
  await t.rejects(h.client.getPrompt({ name: 'weekly-summary', arguments: { owner: 'octo-user', repo: 'dotfiles' } }),
    { code: ErrorCode.InvalidParams, message: /not permitted/ })
  t.equal(h.standin.requests.length, 0)
  t.match(h.events.at(-1), { tool: 'get_issue', target: 'octo-user/dotfiles', outcome: 'refused' })
  const ok = await h.call('get_issue', { ...widgets, issue_number: 1 })
  t.notOk(ok.isError, 'allowed repositories still work')
})

t.test('invalid arguments come back as isError results the model can act on, before any request', async (t) => {
  const h = await harness(t)
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ ...widgets, issue_number: 0 }, /\/issue_number/],
    [{ ...widgets, issue_number: 1.5 }, /\/issue_number: Expected integer/],
    [{ owner: 'octo org', repo: 'widgets', issue_number: 1 }, /\/owner/],
    [{ owner: 'octo-org', repo: '..', issue_number: 1 }, /\/repo/],
    [{ ...widgets }, /issue_number/],
    [{ ...widgets, issue_number: 1, bogus: true }, /\/bogus/],
  ]
  for (const [args, why] of cases) {
    const res = await h.call('get_issue', args)
    t.equal(res.isError, true, JSON.stringify(args))
    t.match(textOf(res), /^Invalid arguments for get_issue: /)
    t.match(textOf(res), why)
  }
  const state = await h.call('list_issues', { ...widgets, state: 'bogus' })
  t.match(textOf(state), '/state: Expected one of: open, closed, all')
  const long = await h.call('create_issue', { ...widgets, title: 'x'.repeat(257) })
  t.match(textOf(long), /\/title/)
  const tooMany = await h.call('batch_label_issues', { ...widgets, issue_numbers: Array.from({ length: 26 }, (_, i) => i + 1), labels: ['bug'] })
  t.match(textOf(tooMany), /\/issue_numbers/)
  const blank = await h.call('add_issue_comment', { ...widgets, issue_number: 1, body: '   ' })
  t.match(textOf(blank), /\/body/)
  t.equal(h.standin.requests.length, 0, 'nothing reached GitHub')
})

t.test('an unknown tool is a JSON-RPC error', async (t) => {
  const h = await harness(t)
  await t.rejects(h.call('delete_repo', {}), { code: ErrorCode.InvalidParams, message: /Unknown tool: delete_repo/ })
})

t.test('one audit line per tool call, without arguments', async (t) => {
  const h = await harness(t)
  await h.call('get_issue', { ...widgets, issue_number: 1 })
  await h.call('get_issue', { ...widgets, issue_number: 99999 })
  const lines = h.logs.filter((l: LogLine) => l.msg === 'tool call')
  t.equal(lines.length, 2)
  t.same(Object.keys(lines[0].obj).sort(), ['durationMs', 'key', 'outcome', 'repo', 'tool'])
  t.match(lines[0], { level: 'info', obj: { tool: 'get_issue', key: 'test-key', repo: 'octo-org/widgets', outcome: 'ok' } })
  t.match(lines[1].obj, { outcome: 'error' })
  t.same(h.events.map((e) => e.outcome), ['ok', 'error'], 'onToolCall sees the same events')
})

t.test('logging/setLevel decides which notifications/message a session gets', async (t) => {
  const h = await harness(t)
  const messages: unknown[] = []
  h.client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => { messages.push(n.params) })
  await h.call('list_issues', { ...widgets, limit: 5 }) // skips pull requests: a debug message
  t.same(messages, [], 'debug is below the default level')
  await h.client.setLoggingLevel('debug')
  await h.call('list_issues', { ...widgets, limit: 5 })
  t.match(messages, [{ level: 'debug', logger: 'github', data: /skipped \d+ pull requests/ }])
  await h.client.setLoggingLevel('error')
  await h.call('list_issues', { ...widgets, limit: 5 })
  t.equal(messages.length, 1)
})

t.test('cancelling a tool call aborts the upstream request', async (t) => {
  let received!: () => void
  let aborted!: () => void
  const gotRequest = new Promise<void>((resolve) => { received = resolve })
  const gotAbort = new Promise<void>((resolve) => { aborted = resolve })
  // An upstream that never answers: only the client's cancellation can end the call.
  const upstream = createServer((_req, res) => {
    res.on('close', () => { if (!res.writableEnded) aborted() })
    received()
  })
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => { upstream.closeAllConnections(); upstream.close(() => resolve()) }))
  const lines: LogLine[] = []
  const domain = createGitHubDomain({
    token: 'sandbox-token', baseUrl: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`, logger: memoryLogger(lines),
  })
  t.teardown(() => domain.close())
  const server = createSessionServer(domain.catalog, { keyName: 'k', access: readOnly, logger: memoryLogger(lines) })
  const [a, b] = InMemoryTransport.createLinkedPair()
  const client = new Client({ name: 'c', version: '1' })
  await server.connect(b)
  await client.connect(a)
  t.teardown(() => client.close())

  const controller = new AbortController()
  const call = client.callTool({ name: 'get_issue', arguments: { ...widgets, issue_number: 1 } }, undefined, { signal: controller.signal })
  await gotRequest
  controller.abort()
  await t.rejects(call, 'the client sees its own cancellation')
  await gotAbort
  t.pass('the upstream connection was aborted')
})

/** A session server on an empty catalog, spoken to with raw JSON-RPC messages. */
async function rawServer () {
  const { InMemoryTransport } = await import('@modelcontextprotocol/sdk/inMemory.js')
  const { Catalog } = await import('../../src/mcp/catalog.js')
  const catalog = new Catalog({ tools: [], prompts: [], templates: [], completers: [], errors: { toolError: () => ({ content: [], isError: true }), protocolError: (e: unknown) => e as Error } } as unknown as ConstructorParameters<typeof Catalog>[0])
  const server = createSessionServer(catalog, { keyName: 'k', access: FULL_ACCESS, logger: memoryLogger([]) })
  const [a, b] = InMemoryTransport.createLinkedPair()
  await server.connect(a)
  const waiting = new Map<unknown, (reply: unknown) => void>()
  b.onmessage = (m) => { if ('id' in m) waiting.get(m.id)?.(m) }
  await b.start()
  return {
    /** Sends a request and resolves with the reply that carries its id. */
    async ask (message: { id: string | number, [field: string]: unknown }) {
      const reply = new Promise((resolve) => waiting.set(message.id, resolve))
      await b.send(message as never)
      return reply
    },
    close: () => server.close()
  }
}

t.test('a malformed tools/call is InvalidParams with a short message, not an internal error', async (t) => {
  const raw = await rawServer()
  const reply = await raw.ask({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'get_issue', arguments: [] } })
  t.match(reply, { id: 1, error: { code: -32602, message: /^Invalid params for tools\/call: arguments: / } })
  t.notMatch(JSON.stringify(reply), /\[\\n/, 'no multi-line zod dump')
  await raw.close()
})

t.test('a prompt argument that is not a string is InvalidParams, not an internal error', async (t) => {
  const raw = await rawServer()
  const reply = await raw.ask({ jsonrpc: '2.0', id: 2, method: 'prompts/get', params: { name: 'triage-issue', arguments: { issue_number: 7 } } })
  t.match(reply, { id: 2, error: { code: -32602, message: /^Invalid params for prompts\/get: arguments\.issue_number: / } })
  await raw.close()
})
