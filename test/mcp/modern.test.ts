// ModernEra's subscriptions/listen streams on their own: the bridge from the catalog's update bus
// to the SDK's (one watch per resource however many streams name it, released with the last),
// the bounds on streams and on resources per stream, a client that leaves before its request is
// served, and close(); and the 2025 fast path's agreement with the SDK classifier. A bare Fastify
// route stands in for POST /mcp (the whole gateway, with webhooks and two replicas, is
// test/github/webhooks/listen.test.ts).
import t, { type Test } from 'tap'
import { once } from 'node:events'
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify'
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client'
import { classifyInboundRequest, PROTOCOL_VERSION_META_KEY } from '@modelcontextprotocol/server'
import { memoryLogger, ROOMY_BUDGETS } from '../github/harness.js'
import { createGitHubDomain } from '../../src/github/index.js'
import { changeOf } from '../../src/github/webhooks/events.js'
import { classify, ModernEra, plainlyLegacy, plainlyModern, webRequest } from '../../src/mcp/modern.js'
import { parseMessages } from '../../src/mcp/http.js'
import { createSessionServer } from '../../src/mcp/session-server.js'
import { MAX_SUBSCRIPTIONS } from '../../src/mcp/subscriptions.js'
import { FULL_ACCESS } from '../../src/auth/access.js'
import type { Caller } from '../../src/mcp/session-context.js'
import { issuesPayload } from '../webhook-kit.js'
import { until } from '../spawn.js'

const X = 'issue://octo-org/widgets/42'
const Y = 'issue://octo-org/widgets/7'
const CALLER: Caller = { id: 'key-1', name: 'key-1', access: FULL_ACCESS }

interface GatewayOptions {
  maxListeners?: number
  /** Runs before each request is served, as the gateway's own hooks (a rate limiter asking Redis) do. */
  before?: (request: FastifyRequest, reply: FastifyReply) => Promise<void>
}

async function gateway (t: Test, opts: GatewayOptions = {}) {
  const logger = memoryLogger([])
  // No GitHub requests are made here: listening checks URIs without reading them.
  const domain = createGitHubDomain({ token: 'unused', baseUrl: 'http://127.0.0.1:9', logger, budgets: ROOMY_BUDGETS })
  const { catalog } = domain
  const modern = new ModernEra({
    catalog,
    logger,
    serverFor: (caller) => createSessionServer(catalog, { keyName: caller.name, keyId: caller.id, access: caller.access, logger, subscriptions: true }, 'modern'),
    audit: () => {}, // no tool call is made here
    maxListeners: opts.maxListeners ?? 100,
  })
  /** The ids of the requests served so far. */
  const served: unknown[] = []
  // The clients' connection pool may open a socket it never sends on; the gateway's lifecycle
  // plugin ends those, this bare app just cuts every socket once the streams are closed.
  const app = Fastify({ forceCloseConnections: true })
  app.post('/mcp', async (request, reply) => {
    await opts.before?.(request, reply)
    const era = classify(request)
    if (era.kind !== 'modern') return reply.code(400).send({ error: `not a 2026 request: ${era.kind}` }) // lists and listen are classified
    try {
      return await modern.serve(request, reply, CALLER, era)
    } finally {
      if (era.messageKind === 'request') served.push(era.message.id)
    }
  })
  app.addHook('preClose', async () => { await modern.close() })
  await app.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(async () => {
    await app.close()
    await domain.close()
  })
  const { port } = app.server.address() as { port: number }
  const url = new URL(`http://127.0.0.1:${port}/mcp`)
  /** A webhook's change to issue `n`, applied on this process. */
  const edited = (n: number) => domain.apply(changeOf('issues', issuesPayload('edited', n))!)
  return { modern, catalog, url, edited, served }
}

/** A 2026 client recording the resource updates its streams hear. */
async function watcher (t: Test, url: URL) {
  const client = new Client({ name: 'watcher', version: '1.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } })
  const heard: string[] = []
  const waiters: Array<() => void> = []
  client.setNotificationHandler('notifications/resources/updated', (n) => {
    heard.push(n.params.uri)
    waiters.splice(0).forEach((w) => w())
  })
  await client.connect(new StreamableHTTPClientTransport(url))
  t.teardown(() => client.close())
  const until = (n: number, ms = 10_000) => new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`heard ${heard.length} of ${n} updates within ${ms} ms`)), ms)
    const check = () => { if (heard.length >= n) { clearTimeout(timer); resolve() } else waiters.push(check) }
    check()
  })
  return { client, heard, until }
}

t.test('streams naming one resource share one watch, released when the last of them closes', async (t) => {
  const g = await gateway(t)
  const [a, b, c] = [await watcher(t, g.url), await watcher(t, g.url), await watcher(t, g.url)]
  const subA = await a.client.listen({ resourceSubscriptions: [X] })
  const subB = await b.client.listen({ resourceSubscriptions: [X] })
  const subC = await c.client.listen({ resourceSubscriptions: [Y] })
  t.equal(g.modern.watchedResources, 2, 'X once, Y once')

  await subA.close()
  t.equal(await subA.closed, 'local')
  await until(() => g.catalog.updates.topics > 0 && g.modern.watchedResources === 2, 'both resources watched')
  g.edited(42)
  await b.until(1)
  t.same(b.heard, [X], 'the other stream on X still hears it')
  t.same(a.heard, [], 'the closed stream does not')

  await subB.close()
  await until(() => g.modern.watchedResources === 1, 'one resource watched')
  await subC.close()
  await until(() => g.modern.watchedResources === 0, 'no resource watched')
  t.equal(g.catalog.updates.topics, 0, 'nothing is left on the catalog\'s bus')
  t.equal(g.edited(42) + g.edited(7), 0, 'a change now reaches no one')
  t.same([a.heard, b.heard, c.heard], [[], [X], []])
})

t.test('names are matched case-insensitively; the update carries the URI as the stream named it', async (t) => {
  const g = await gateway(t)
  const w = await watcher(t, g.url)
  const spelled = 'issue://Octo-Org/Widgets/42'
  await w.client.listen({ resourceSubscriptions: [spelled] })
  g.edited(42) // GitHub's payload spells it octo-org/widgets
  await w.until(1)
  t.same(w.heard, [spelled])
})

t.test('a client that left while its listen waited in a hook leaves nothing behind', async (t) => {
  let arrived!: () => void
  const waiting = new Promise<void>((resolve) => { arrived = resolve })
  const g = await gateway(t, {
    maxListeners: 1,
    before: async (request, reply) => {
      if (request.headers['x-test'] !== 'leaves') return
      arrived()
      await once(reply.raw, 'close') // the client is gone before the request is served
    },
  })
  const probe = await watcher(t, g.url) // another client: once the first has left, it must find room
  t.ok(probe.client.getServerCapabilities()?.resources?.subscribe)
  const leave = new AbortController()
  const body = {
    jsonrpc: '2.0', id: 'listen:gone', method: 'subscriptions/listen',
    params: {
      _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientInfo': { name: 'gone', version: '1.0.0' }, 'io.modelcontextprotocol/clientCapabilities': {} },
      notifications: { resourceSubscriptions: [X] },
    },
  }
  const sent = fetch(g.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'subscriptions/listen', 'x-test': 'leaves' },
    body: JSON.stringify(body),
    signal: leave.signal,
  })
  await waiting
  leave.abort()
  await t.rejects(sent)
  await until(() => g.served.includes('listen:gone'), 'the listen stream ended')
  t.equal(g.modern.watchedResources, 0, 'no watch for a stream nobody reads')
  t.equal(g.catalog.updates.topics, 0)
  const next = await probe.client.listen({ resourceSubscriptions: [Y] })
  t.same(next.honoredFilter, { resourceSubscriptions: [Y] }, 'its place among the open streams is free again')
  await next.close()
})

t.test('a listen names at most as many resources as a session may subscribe to', async (t) => {
  const g = await gateway(t)
  const w = await watcher(t, g.url)
  const uris = (n: number) => Array.from({ length: n }, (_, i) => `issue://octo-org/widgets/${i + 1}`)
  await t.rejects(w.client.listen({ resourceSubscriptions: uris(MAX_SUBSCRIPTIONS + 1) }), { code: -32602, message: /at most 1000/ })
  t.equal(g.modern.watchedResources, 0, 'a refused listen watches nothing')
  const full = await w.client.listen({ resourceSubscriptions: [...uris(MAX_SUBSCRIPTIONS), X] })
  t.ok(full.honoredFilter.resourceSubscriptions?.includes(X), 'X named twice counts once: 1,000 distinct resources are allowed')
  t.equal(g.modern.watchedResources, MAX_SUBSCRIPTIONS)
  await full.close()
  await until(() => g.modern.watchedResources === 0, 'no resource watched')
})

t.test('maxListeners caps the open streams; closing one makes room', async (t) => {
  const g = await gateway(t, { maxListeners: 2 })
  const w = await watcher(t, g.url)
  const first = await w.client.listen({ resourceSubscriptions: [X] })
  await w.client.listen({ resourceSubscriptions: [Y] })
  await t.rejects(w.client.listen({ resourceSubscriptions: [X] }), { code: -32603, message: /Subscription limit reached/ })
  await first.close()
  await until(() => g.modern.watchedResources === 1, 'one resource watched')
  const again = await w.client.listen({ resourceSubscriptions: [X] })
  t.same(again.honoredFilter, { resourceSubscriptions: [X] })
})

t.test('close() ends every open stream gracefully and stops watching', async (t) => {
  const g = await gateway(t)
  const a = await watcher(t, g.url)
  const b = await watcher(t, g.url)
  const subA = await a.client.listen({ resourceSubscriptions: [X] })
  const subB = await b.client.listen({ resourceSubscriptions: [X, Y] })
  t.equal(g.modern.watchedResources, 2)
  await g.modern.close()
  t.same([await subA.closed, await subB.closed], ['graceful', 'graceful'], 'each client is told the server ended it')
  await until(() => g.modern.watchedResources === 0, 'no resource watched')
  t.equal(g.catalog.updates.topics, 0)
})

t.test('a 2026 request after shutdown began gets 503 with Retry-After, not a 500', async (t) => {
  const { modern, url } = await gateway(t)
  await modern.close()
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/list' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {} } } }),
  })
  t.equal(res.status, 503)
  t.equal(res.headers.get('retry-after'), '5')
  t.match(await res.json(), { error: { message: /shutting down/ } })
})

t.test('the 2025 fast path agrees with the SDK classifier wherever it answers', async (t) => {
  const claim = (v: unknown) => ({ _meta: { [PROTOCOL_VERSION_META_KEY]: v } })
  const bodies: Record<string, unknown> = {
    'tools/call': { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'get_issue', arguments: {} } },
    'with _meta, no claim': { jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: { progressToken: 1 } } },
    notification: { jsonrpc: '2.0', method: 'notifications/initialized' },
    initialize: { jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'c', version: '1' } } },
    '2026 request': { jsonrpc: '2.0', id: 1, method: 'tools/list', params: claim('2026-07-28') },
    'claim not a string': { jsonrpc: '2.0', id: 1, method: 'tools/list', params: claim(7) },
    'claim outside _meta': { jsonrpc: '2.0', id: 1, method: 'tools/list', params: { [PROTOCOL_VERSION_META_KEY]: '2026-07-28' } },
    '_meta an array': { jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: [] } },
    'params an array': { jsonrpc: '2.0', id: 1, method: 'tools/list', params: [] },
    'jsonrpc 1.0': { jsonrpc: '1.0', id: 1, method: 'tools/list' },
    'no jsonrpc': { id: 1, method: 'tools/list' },
    'id null': { jsonrpc: '2.0', id: null, method: 'tools/list' },
    'id an object': { jsonrpc: '2.0', id: {}, method: 'tools/list' },
    'method a number': { jsonrpc: '2.0', id: 1, method: 7 },
    'method and result': { jsonrpc: '2.0', id: 1, method: 'x', result: {} },
    result: { jsonrpc: '2.0', id: 1, result: {} },
    error: { jsonrpc: '2.0', id: 1, error: { code: 1, message: 'm' } },
    batch: [{ jsonrpc: '2.0', id: 1, method: 'tools/list' }],
    null: null,
    text: 'tools/list',
  }
  const headers = [undefined, '2025-11-25', ' 2025-06-18\t', '2026-07-28', ' 2026-07-28 ', '2027-01-01', 'nonsense', '']
  let fast = 0
  for (const [name, body] of Object.entries(bodies)) {
    for (const version of headers) {
      if (!plainlyLegacy(body, version)) continue
      fast++
      const sdk = classifyInboundRequest({ httpMethod: 'POST', body, protocolVersionHeader: version })
      const label = `${name} with ${JSON.stringify(version)}`
      if (sdk.kind === 'legacy') continue
      // Only a body that is no JSON-RPC message may differ: the SDK refuses it, and so does the 2025 path.
      t.equal(sdk.kind === 'reject' && sdk.httpStatus === 400 && sdk.code === -32600, true, `${label}: the SDK calls it ${sdk.kind}`)
      t.equal(parseMessages(body).ok, false, `${label}: the 2025 path refuses it too`)
    }
  }
  t.ok(plainlyLegacy(bodies['tools/call'], '2025-11-25') && plainlyLegacy(bodies.initialize, undefined), 'ordinary 2025 traffic takes the fast path')
  t.ok(fast > 40, `${fast} cases compared`)
})

t.test('the 2026 fast path: the SDK classifier never calls such a message 2025', async (t) => {
  const meta = (v: unknown) => ({ _meta: { [PROTOCOL_VERSION_META_KEY]: v } })
  const call = { name: 'get_issue', arguments: { owner: 'o', repo: 'r', issue_number: 1 } }
  const bodies: Record<string, unknown> = {
    'tools/call': { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { ...call, ...meta('2026-07-28') } },
    'resources/read': { jsonrpc: '2.0', id: 'r', method: 'resources/read', params: { uri: X, ...meta('2026-07-28') } },
    'a 2025 version claimed': { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { ...call, ...meta('2025-11-25') } },
    'a future version claimed': { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { ...call, ...meta('2099-01-01') } },
    'claim not a string': { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { ...call, ...meta(7) } },
    'claim with other envelope keys wrong': { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { ...call, _meta: { [PROTOCOL_VERSION_META_KEY]: '2026-07-28', 'io.modelcontextprotocol/clientInfo': 5 } } },
    notification: { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 1, ...meta('2026-07-28') } },
    'id null': { jsonrpc: '2.0', id: null, method: 'tools/call', params: { ...call, ...meta('2026-07-28') } },
    'id an object': { jsonrpc: '2.0', id: {}, method: 'tools/call', params: { ...call, ...meta('2026-07-28') } },
    'jsonrpc 1.0': { jsonrpc: '1.0', id: 1, method: 'tools/call', params: { ...call, ...meta('2026-07-28') } },
    'no jsonrpc': { id: 1, method: 'tools/call', params: { ...call, ...meta('2026-07-28') } },
    'unknown method': { jsonrpc: '2.0', id: 1, method: 'no/such', params: meta('2026-07-28') },
    // Not taken: the lists, listen and initialize are classified here (their serving reads it).
    'tools/list': { jsonrpc: '2.0', id: 1, method: 'tools/list', params: meta('2026-07-28') },
    'subscriptions/listen': { jsonrpc: '2.0', id: 1, method: 'subscriptions/listen', params: meta('2026-07-28') },
    'initialize with a claim': { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', ...meta('2025-11-25') } },
    'no claim': { jsonrpc: '2.0', id: 1, method: 'tools/call', params: call },
    'method and result': { jsonrpc: '2.0', id: 1, method: 'tools/call', result: {}, params: meta('2026-07-28') },
    batch: [{ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { ...call, ...meta('2026-07-28') } }],
  }
  const headers = [undefined, '2025-11-25', '2026-07-28', ' 2026-07-28 ', '2099-01-01']
  const methods = [undefined, 'tools/call', 'resources/read', 'tools/list']
  let fast = 0
  for (const [name, body] of Object.entries(bodies)) {
    if (plainlyModern(body) === undefined) continue
    for (const version of headers) {
      for (const method of methods) {
        fast++
        const sdk = classifyInboundRequest({ httpMethod: 'POST', body, protocolVersionHeader: version, mcpMethodHeader: method })
        t.not(sdk.kind, 'legacy', `${name} with version ${JSON.stringify(version)}, method ${JSON.stringify(method)}`)
      }
    }
  }
  for (const name of ['tools/list', 'subscriptions/listen', 'initialize with a claim', 'no claim', 'method and result', 'batch']) {
    t.equal(plainlyModern(bodies[name]), undefined, `${name}: not taken`)
  }
  t.equal(plainlyModern(bodies['tools/call']), 'tools/call', 'an ordinary 2026 tool call takes the fast path')
  t.ok(fast > 200, `${fast} cases compared`)
})

t.test('the Request handed to the SDK carries the route\'s own signal and only the MCP headers', async (t) => {
  const app = Fastify()
  let seen: Request | undefined
  const abort = new AbortController()
  app.post('/mcp', async (request) => { seen = webRequest(request, abort.signal); return {} })
  t.teardown(() => app.close())
  await app.inject({
    method: 'POST', url: '/mcp', payload: {},
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-method': 'tools/call', 'x-api-key': 'secret', authorization: 'Bearer secret' },
  })
  t.ok(seen instanceof Request)
  t.equal(seen?.signal, abort.signal, 'the very signal the route aborts when the client leaves')
  t.equal(seen?.headers.get('mcp-method'), 'tools/call')
  t.equal(seen?.headers.get('x-api-key'), null, 'credentials stay with the gateway')
  t.equal(seen?.headers.get('authorization'), null)
})
