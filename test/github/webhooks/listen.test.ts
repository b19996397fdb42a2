// The issue's "done means" in the 2026-07-28 revision: no sessions, a subscriptions/listen stream
// instead. Two replicas share Redis; a client listens on replica A with the SDK v2 client; GitHub's
// (the sandbox's) signed webhooks arrive at replica B. live.test.ts is the same for 2025 sessions.
import t, { type Test } from 'tap'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client'
import { buildApp } from '../../../src/app.js'
import { SANDBOX_TOKEN, type GitHubStandin } from '../../../sandbox/github-standin.js'
import { KEY_A, MCP_HEADERS, standin, testEnv, type TestContext } from '../../helper.js'
import { deliver, freshPrefix, issuesPayload, WEBHOOK_SECRET } from '../../webhook-kit.js'
import { until } from '../../spawn.js'

const ISSUE = 'issue://octo-org/widgets/42'
const OTHER = 'issue://octo-org/widgets/7'
const OWN = 'issue://octo-user/dotfiles/1'
const OUTSIDER = 'outsider-key-0123456789' // may read octo-user/* only
const WRITER = 'writer-key-0123456789' // issues:write only: may read nothing
const REVISION = '2026-07-28'
const SUBSCRIPTION_ID = 'io.modelcontextprotocol/subscriptionId'

async function replica (t: TestContext, github: GitHubStandin, env: Record<string, string>) {
  const app = await buildApp({ env: testEnv(github, env) })
  t.teardown(() => app.close())
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as { port: number }
  return { app, base: `http://127.0.0.1:${port}` }
}

/** An SDK v2 client pinned to 2026-07-28 on the replica, recording the resource updates it hears. */
async function listener (t: TestContext, base: string, key: string) {
  const client = new Client({ name: 'watcher', version: '1.0.0' }, { versionNegotiation: { mode: { pin: REVISION } } })
  const updates: Array<{ uri: string, at: number }> = []
  const waiters: Array<() => void> = []
  client.setNotificationHandler('notifications/resources/updated', (n) => {
    updates.push({ uri: n.params.uri, at: Date.now() })
    waiters.splice(0).forEach((w) => w())
  })
  await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`), { requestInit: { headers: { 'X-API-Key': key } } }))
  t.teardown(() => client.close())
  /** Resolves when `n` updates have arrived; fails after `ms` (a bound for a hung test, not a target). */
  const until = (n: number, ms = 10_000) => new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only ${updates.length} of ${n} updates within ${ms} ms`)), ms)
    const check = () => { if (updates.length >= n) { clearTimeout(timer); resolve() } else waiters.push(check) }
    check()
  })
  const uris = () => updates.map((u) => u.uri)
  return { client, updates, until, uris }
}

/** The sandbox's own API, as a person using github.com would change an issue. */
const gh = (github: GitHubStandin, method: string, path: string, body: unknown) => fetch(`${github.url}${path}`, {
  method, headers: { authorization: `token ${SANDBOX_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
})

const text = async (client: Client, uri: string) => {
  const read = await client.readResource({ uri })
  return (read.contents[0] as { text: string }).text
}

async function twoReplicas (t: Test) {
  const github = await standin(t)
  const keys = join(t.testdir(), 'keys.json')
  writeFileSync(keys, JSON.stringify({
    keys: [
      { name: 'outsider', key: OUTSIDER, scopes: ['issues:read'], repos: ['octo-user/*'] },
      { name: 'writer', key: WRITER, scopes: ['issues:write'] },
    ],
  }))
  const env = { GITHUB_WEBHOOK_SECRET: WEBHOOK_SECRET, REDIS_URL: 'redis://127.0.0.1:6379', WEBHOOK_REDIS_PREFIX: freshPrefix(), AUTH_KEYS_FILE: keys }
  const a = await replica(t, github, env)
  const b = await replica(t, github, env)
  const created = await gh(github, 'POST', '/repos/octo-org/widgets/issues', { title: 'Gauge flickers at 60 Hz' })
  t.equal((await created.json() as { number: number }).number, 42)
  // The hook goes to replica B only, as a load balancer might send it. B is pinged until a ping
  // reaches A by Redis: that, not A's start, proves A hears the update channel.
  let heardOnA: (heard: boolean) => void
  const pinged = new Promise<boolean>((resolve) => { heardOnA = resolve })
  const apply = a.app.github.apply.bind(a.app.github)
  a.app.github.apply = (change) => { if (change.live !== null) heardOnA(true); return apply(change) }
  github.setWebhook({ url: `${b.base}/webhooks/github`, secret: WEBHOOK_SECRET })
  for (let tries = 1; ; tries++) {
    github.pingWebhook('octo-org', 'widgets')
    const later = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 250).unref())
    if (await Promise.race([pinged, later])) break
    if (tries === 40) throw new Error('replica A never heard a ping delivered to replica B')
  }
  /** A signed delivery posted to replica B: issue `n` of `repo` was edited. */
  const edited = (n: number, repo = 'octo-org/widgets', id?: string) => deliver(b.app, { event: 'issues', payload: issuesPayload('edited', n, repo), id })
  return { github, a, b, edited }
}

/** The JSON-RPC messages of an SSE response, one at a time (keep-alive comments skipped). */
function sseReader (response: Response) {
  const reader = response.body!.getReader()
  const decoder = new TextDecoder()
  let buffer = ''
  const next = async (): Promise<Record<string, any>> => {
    for (;;) {
      const end = buffer.indexOf('\n\n')
      if (end >= 0) {
        const frame = buffer.slice(0, end)
        buffer = buffer.slice(end + 2)
        const data = frame.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n')
        if (data !== '') return JSON.parse(data)
        continue
      }
      const { value, done } = await reader.read()
      if (done) throw new Error('the stream ended')
      buffer += decoder.decode(value, { stream: true })
    }
  }
  return { next, cancel: () => reader.cancel() }
}

t.test('a change on GitHub reaches a listen stream on the other replica; its next read shows it', async (t) => {
  const { github, a } = await twoReplicas(t)
  const watcher = await listener(t, a.base, KEY_A)
  t.equal(watcher.client.getServerCapabilities()?.resources?.subscribe, true, 'resources.subscribe is offered')
  t.match(await text(watcher.client, ISSUE), /Gauge flickers at 60 Hz/)
  // tools.listChanged is not offered (the tool list never changes): the acknowledgement leaves it out.
  const sub = await watcher.client.listen({ toolsListChanged: true, resourceSubscriptions: [ISSUE] })
  t.same(sub.honoredFilter, { resourceSubscriptions: [ISSUE] }, 'acknowledged: only what was asked and can be sent')

  // How soon is the benchmark's to measure (bench/webhook-delay.ts, docs/benchmarks.md), not a timed assertion's.
  await gh(github, 'PATCH', '/repos/octo-org/widgets/issues/42', { title: 'Gauge flickers at 50 Hz too' })
  await watcher.until(1)
  t.same(watcher.uris(), [ISSUE])
  await github.webhooksIdle()
  t.match(github.deliveries.at(-1), { event: 'issues', action: 'edited', status: 200 }, 'replica B took the delivery')
  t.match(await text(watcher.client, ISSUE), /Gauge flickers at 50 Hz too/, 'the next read shows the change')

  // A comment notifies the issue (its comment count) too, on the same stream.
  await gh(github, 'POST', '/repos/octo-org/widgets/issues/42/comments', { body: 'Seen on the 2.3 firmware.' })
  await watcher.until(2)
  t.same(watcher.uris(), [ISSUE, ISSUE])
})

t.test('on the wire: the acknowledgement comes first, names only what was asked, and the updates follow on the stream', async (t) => {
  const { a, edited } = await twoReplicas(t)
  const response = await fetch(`${a.base}/mcp`, {
    method: 'POST',
    headers: { ...MCP_HEADERS, 'x-api-key': KEY_A, 'mcp-protocol-version': REVISION, 'mcp-method': 'subscriptions/listen' },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 'listen-1',
      method: 'subscriptions/listen',
      params: {
        _meta: {
          'io.modelcontextprotocol/protocolVersion': REVISION,
          'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1.0.0' },
          'io.modelcontextprotocol/clientCapabilities': {},
        },
        notifications: { resourceSubscriptions: [ISSUE], resourcesListChanged: false },
      },
    }),
  })
  t.equal(response.status, 200)
  t.match(response.headers.get('content-type'), /^text\/event-stream/)
  const { next, cancel } = sseReader(response)
  t.same(await next(), {
    jsonrpc: '2.0',
    method: 'notifications/subscriptions/acknowledged',
    params: { notifications: { resourceSubscriptions: [ISSUE] }, _meta: { [SUBSCRIPTION_ID]: 'listen-1' } },
  }, 'first on the stream; a field asked as false is not honoured')
  await edited(7) // another issue: not for this stream
  await edited(42)
  t.same(await next(), {
    jsonrpc: '2.0',
    method: 'notifications/resources/updated',
    params: { uri: ISSUE, _meta: { [SUBSCRIPTION_ID]: 'listen-1' } },
  })
  await cancel()
})

t.test('a bad signature and a replayed delivery produce nothing on a listen stream', async (t) => {
  const { a, b, edited } = await twoReplicas(t)
  const watcher = await listener(t, a.base, KEY_A)
  await watcher.client.listen({ resourceSubscriptions: [ISSUE, OTHER] })
  const payload = issuesPayload('edited', 42)

  t.equal((await deliver(b.app, { event: 'issues', payload, secret: 'not-the-secret-0123456789' })).statusCode, 401)
  t.equal((await deliver(b.app, { event: 'issues', payload, signature: null })).statusCode, 401)
  t.same((await deliver(b.app, { event: 'issues', payload, id: 'replayed-1' })).json(), { status: 'processed' })
  t.same((await deliver(b.app, { event: 'issues', payload, id: 'replayed-1' })).json(), { status: 'duplicate' })
  // Deliveries are applied in order: once a later one is heard, the earlier ones had their chance.
  await edited(7)
  await until(() => watcher.uris().includes(OTHER), 'the watcher heard the other issue')
  t.same(watcher.uris(), [ISSUE, OTHER], 'one update for the first delivery, none for the bad signatures or the replay')
})

t.test('a key that may not read the repository cannot listen to it, and hears nothing about it', async (t) => {
  const { a, edited } = await twoReplicas(t)
  const watcher = await listener(t, a.base, KEY_A)
  await watcher.client.listen({ resourceSubscriptions: [ISSUE] })

  const outsider = await listener(t, a.base, OUTSIDER)
  await t.rejects(outsider.client.listen({ resourceSubscriptions: [ISSUE] }), { code: -32602, message: /Access to octo-org\/widgets is not permitted/ })
  await t.rejects(outsider.client.listen({ resourceSubscriptions: [OWN, ISSUE] }), { code: -32602 }, 'one refused resource refuses the whole listen')
  const own = await outsider.client.listen({ resourceSubscriptions: [OWN] })
  t.same(own.honoredFilter, { resourceSubscriptions: [OWN] }, 'its own repository it may listen to')

  const writer = await listener(t, a.base, WRITER)
  await t.rejects(writer.client.listen({ resourceSubscriptions: [ISSUE] }), { code: -32602, message: /needs the issues:read scope/ })

  await edited(42)
  await watcher.until(1)
  // A later change the outsider may hear: once it arrives, the earlier one had its chance.
  await edited(1, 'octo-user/dotfiles')
  await outsider.until(1)
  t.same(outsider.uris(), [OWN], 'the outsider heard nothing about a repository it may not read')
  t.same(watcher.uris(), [ISSUE])
})

t.test('a listen stream for one resource hears nothing about another', async (t) => {
  const { a, edited } = await twoReplicas(t)
  const x = await listener(t, a.base, KEY_A)
  const y = await listener(t, a.base, KEY_A)
  await x.client.listen({ resourceSubscriptions: [ISSUE] })
  await y.client.listen({ resourceSubscriptions: [OTHER] })
  await edited(7)
  await y.until(1)
  await edited(42)
  await x.until(1)
  t.same(x.uris(), [ISSUE])
  t.same(y.uris(), [OTHER])
})

t.test('closing the stream stops the watch', async (t) => {
  const { a } = await twoReplicas(t)
  const { catalog } = a.app.github
  const watcher = await listener(t, a.base, KEY_A)
  const sub = await watcher.client.listen({ resourceSubscriptions: [ISSUE] })
  t.ok(catalog.updates.topics > 0, 'the listen is watched on replica A\'s update bus')
  await sub.close()
  t.equal(await sub.closed, 'local')
  await until(() => catalog.updates.topics === 0, 'no topic left watched')
  t.equal(catalog.updates.topics, 0, 'a closed stream leaves nothing on the bus')
  t.equal(catalog.updates.publish([ISSUE]), 0, 'an update to the resource now reaches no one')
})

t.test('the stream ends when the app closes, and close does not wait for it', async (t) => {
  const github = await standin(t)
  const { app, base } = await replica(t, github, { GITHUB_WEBHOOK_SECRET: WEBHOOK_SECRET, WEBHOOK_REDIS_PREFIX: freshPrefix() })
  const watcher = await listener(t, base, KEY_A)
  const sub = await watcher.client.listen({ resourceSubscriptions: [ISSUE] })
  const timeout = new Promise<string>((resolve) => setTimeout(() => resolve('hung'), 3000).unref())
  t.equal(await Promise.race([app.close().then(() => 'closed'), timeout]), 'closed', 'closed without waiting for the open stream')
  t.equal(await sub.closed, 'graceful', 'the client is told the server ended the stream')
  t.equal(app.github.catalog.updates.topics, 0)
})

t.test('MAX_SESSIONS caps open listen streams; without webhooks a listen is honoured for nothing', async (t) => {
  const github = await standin(t)
  const capped = await replica(t, github, { GITHUB_WEBHOOK_SECRET: WEBHOOK_SECRET, WEBHOOK_REDIS_PREFIX: freshPrefix(), MAX_SESSIONS: '1' })
  const watcher = await listener(t, capped.base, KEY_A)
  const first = await watcher.client.listen({ resourceSubscriptions: [ISSUE] })
  await t.rejects(watcher.client.listen({ resourceSubscriptions: [OTHER] }), { code: -32603, message: /Subscription limit reached/ })
  await first.close()
  await until(() => capped.app.github.catalog.updates.topics === 0, 'no topic left watched on the capped gateway')
  const second = await watcher.client.listen({ resourceSubscriptions: [OTHER] })
  t.same(second.honoredFilter, { resourceSubscriptions: [OTHER] }, 'a closed stream makes room')

  const plain = await replica(t, github, {})
  const client = await listener(t, plain.base, KEY_A)
  t.notOk(client.client.getServerCapabilities()?.resources?.subscribe, 'without webhooks nothing would ever be sent')
  const nothing = await client.client.listen({ resourceSubscriptions: [ISSUE] })
  t.same(nothing.honoredFilter, {})
  t.equal(await nothing.closed, 'graceful', 'a stream with nothing to carry ends at once')
  t.equal(plain.app.github.catalog.updates.topics, 0)
})

t.test('in stateless mode a listen stream works as well: it needs no session', async (t) => {
  const github = await standin(t)
  const { app, base } = await replica(t, github, { GITHUB_WEBHOOK_SECRET: WEBHOOK_SECRET, WEBHOOK_REDIS_PREFIX: freshPrefix(), MCP_STATELESS: 'true' })
  const watcher = await listener(t, base, KEY_A)
  const sub = await watcher.client.listen({ resourceSubscriptions: [ISSUE] })
  t.same(sub.honoredFilter, { resourceSubscriptions: [ISSUE] })
  await deliver(app, { event: 'issues', payload: issuesPayload('edited', 42) })
  await watcher.until(1)
  t.same(watcher.uris(), [ISSUE])
  t.equal(app.sessions.size, 0)
})
