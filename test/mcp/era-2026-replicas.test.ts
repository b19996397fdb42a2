// Two replicas sharing Redis behind a load balancer without affinity: consecutive 2026 requests
// alternate between them and all succeed, in the default (stateful) mode, because the modern era
// needs no session. Against the real Redis on 127.0.0.1:6379.
import t from 'tap'
import { randomBytes } from 'node:crypto'
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../src/app.js'
import type { GitHubStandin } from '../../sandbox/github-standin.js'
import { standin, testEnv, type TestContext } from '../helper.js'
import { MODERN, post, referenceRun, rpc, toolCall, widgets } from './era-2026-kit.js'
import { startReference } from './era-2026-reference.js'

const LIMIT = 100

async function replica (t: TestContext, github: GitHubStandin, key: string): Promise<{ url: string, app?: FastifyInstance }> {
  if (referenceRun) {
    const ref = await startReference(github.url)
    t.teardown(ref.close)
    return { url: ref.url }
  }
  const app = await buildApp({ env: testEnv(github, { REDIS_URL: 'redis://127.0.0.1:6379', AUTH_KEYS: key, RATE_LIMIT_MAX: String(LIMIT) }) })
  t.teardown(() => app.close())
  await app.listen({ port: 0, host: '127.0.0.1' })
  // A replica serves before its Redis connection is up (unlimited, by design); the budget below is
  // asserted, so wait for it, as under load a connection can take longer than the whole test.
  const redis = app.rateLimitStore.redis!
  if (redis.status !== 'ready') await new Promise((resolve) => redis.once('ready', resolve))
  return { url: `http://127.0.0.1:${(app.server.address() as { port: number }).port}/mcp`, app }
}

t.test('consecutive 2026 requests alternate between two replicas sharing Redis, and all succeed', async (t) => {
  const github = await standin(t)
  // A fresh key, so its rate-limit counter in the shared Redis starts at zero.
  const key = `era-2026-${randomBytes(12).toString('hex')}`
  const replicas = [await replica(t, github, key), await replica(t, github, key)]
  const auth: Record<string, string> = referenceRun ? {} : { 'x-api-key': key }
  const requests = [
    rpc(1, 'server/discover'),
    rpc(2, 'tools/list'),
    toolCall(3, 'get_issue', { ...widgets, issue_number: 1 }),
    rpc(4, 'resources/read', { uri: 'issue://octo-org/widgets/1' }),
    rpc(5, 'prompts/get', { name: 'triage-issue', arguments: { ...widgets, issue_number: '1' } }),
    toolCall(6, 'get_issue', { ...widgets, issue_number: 2 }),
    toolCall(7, 'batch_label_issues', { ...widgets, issue_numbers: [1, 2], labels: ['replicated'] }, { progressToken: 'lb' }),
    rpc(8, 'tools/list'),
  ]
  for (const [i, body] of requests.entries()) {
    const res = await post({ url: replicas[i % 2].url, auth }, body)
    const where = `${body.method} #${body.id} on replica ${i % 2}`
    t.equal(res.status, 200, `${where}: ${res.text.slice(0, 200)}`)
    t.ok(res.answer?.result, `${where}: a result`)
    t.notOk(res.answer?.result?.isError, `${where}: not a tool error`)
    t.equal(res.headers['mcp-session-id'], undefined, `${where}: no session`)
    if (!referenceRun) t.equal(res.headers['ratelimit-remaining'], String(LIMIT - i - 1), `${where}: one budget, shared through Redis`)
  }
  for (const { app } of replicas) if (app) t.equal(app.sessions.size, 0, 'no replica holds a session')
})

t.test('a v2 client pinned to 2026-07-28 whose every request goes to the other replica', async (t) => {
  const github = await standin(t)
  const key = `era-2026-${randomBytes(12).toString('hex')}`
  const replicas = [await replica(t, github, key), await replica(t, github, key)]
  let next = 0
  const landed: number[] = []
  // A round-robin load balancer in the client's fetch.
  const balanced: typeof fetch = (_url, init) => { const i = next++ % 2; landed.push(i); return fetch(replicas[i].url, init) }
  const headers: Record<string, string> = referenceRun ? {} : { 'x-api-key': key }
  const client = new Client({ name: 'era-2026-lb', version: '1.0.0' }, { versionNegotiation: { mode: { pin: MODERN } } })
  await client.connect(new StreamableHTTPClientTransport(new URL(replicas[0].url), { fetch: balanced, requestInit: { headers } }))
  t.teardown(() => client.close())
  t.equal(client.getProtocolEra(), 'modern')
  t.ok((await client.listTools()).tools.some((tool) => tool.name === 'get_issue'))
  for (const n of [1, 2, 3]) {
    const res = await client.callTool({ name: 'get_issue', arguments: { ...widgets, issue_number: n } })
    t.notOk(res.isError, `get_issue #${n}`)
  }
  t.ok(landed.includes(0) && landed.includes(1), `requests landed on both replicas: ${landed.join(',')}`)
})
