import t from 'tap'
import { Writable } from 'node:stream'
import { buildApp } from '../../src/app.js'
import type { Change } from '../../src/github/webhooks/events.js'
import { build, standin, testEnv, type TestContext } from '../helper.js'
import { deliver, freshPrefix, issuesPayload, pingPayload, WEBHOOK_SECRET } from '../webhook-kit.js'

const WITH_HOOK = { GITHUB_WEBHOOK_SECRET: WEBHOOK_SECRET }

/** The app with webhooks on, every change it applies recorded, its log lines kept. */
async function hooked (t: TestContext, env: Record<string, string> = {}) {
  const github = await standin(t)
  const lines: string[] = []
  const stream = new Writable({ write (chunk, _e, done) { lines.push(String(chunk)); done() } })
  const app = await buildApp({ env: testEnv(github, { ...WITH_HOOK, LOG_LEVEL: 'info', ...env }), logger: { level: 'info', stream } })
  t.teardown(() => app.close())
  const applied: Change[] = []
  const apply = app.github.apply.bind(app.github)
  app.github.apply = (change) => { applied.push(change); return apply(change) }
  return { app, github, applied, lines }
}

t.test('without GITHUB_WEBHOOK_SECRET there is no receiver', async (t) => {
  const { app } = await build(t)
  const res = await deliver(app, { event: 'ping', payload: pingPayload() })
  t.equal(res.statusCode, 404)
  t.notOk(app.hasDecorator('webhooks'))
})

t.test('a signed delivery is used without an API key; ping is answered; other events are acknowledged', async (t) => {
  const { app, applied } = await hooked(t)
  const ping = await deliver(app, { event: 'ping', payload: pingPayload() })
  t.equal(ping.statusCode, 200)
  t.same(ping.json(), { status: 'pong', missingEvents: [] })
  const used = await deliver(app, { event: 'issues', payload: issuesPayload('edited', 7) })
  t.equal(used.statusCode, 200)
  t.same(used.json(), { status: 'processed' })
  t.match(applied[1], { live: 'octo-org/widgets', stale: ['/repos/octo-org/widgets/issues', '/search/issues'] })
  t.ok(applied[1].topics.includes('issue://octo-org/widgets/7'))
  const other = await deliver(app, { event: 'star', payload: { action: 'created', repository: { full_name: 'octo-org/widgets' } } })
  t.equal(other.statusCode, 200)
  t.same(other.json(), { status: 'ignored' })
  t.equal(applied.length, 2, 'the ignored event changed nothing')
})

t.test('a bad or missing signature is 401 and nothing happens; the secret is never shown', async (t) => {
  const { app, applied, lines } = await hooked(t)
  const cases = [
    { name: 'missing', signature: null },
    { name: 'wrong secret', secret: 'another-secret-0123456789' },
    { name: 'garbage', signature: 'sha256=zz' },
    { name: 'sha1 form', signature: 'sha1=0123456789abcdef0123456789abcdef01234567' },
    { name: 'empty', signature: '' },
  ]
  for (const c of cases) {
    const res = await deliver(app, { event: 'issues', payload: issuesPayload('closed', 3), ...c })
    t.equal(res.statusCode, 401, c.name)
    t.equal(res.json().error, 'unauthorized')
    t.notMatch(res.body, WEBHOOK_SECRET)
  }
  // A body changed after signing: the signature covers the exact bytes.
  const body = JSON.stringify(issuesPayload('closed', 3))
  const { deliveryHeaders } = await import('../webhook-kit.js')
  const headers = await deliveryHeaders(body, { event: 'issues', payload: null })
  const tampered = await app.inject({ method: 'POST', url: '/webhooks/github', headers, payload: body.replace('closed', 'opened') })
  t.equal(tampered.statusCode, 401, 'tampered body')
  t.equal(applied.length, 0, 'nothing was applied')
  t.ok(lines.some((l) => l.includes('bad signature')), 'refusals are logged')
  t.notOk(lines.some((l) => l.includes(WEBHOOK_SECRET)), 'the secret is never logged')
})

t.test('a repeated X-GitHub-Delivery is ignored', async (t) => {
  const { app, applied } = await hooked(t)
  const first = await deliver(app, { event: 'issues', id: 'd-1', payload: issuesPayload('closed', 3) })
  const again = await deliver(app, { event: 'issues', id: 'd-1', payload: issuesPayload('closed', 3) })
  t.same(first.json(), { status: 'processed' })
  t.equal(again.statusCode, 200, 'acknowledged, so GitHub stops retrying')
  t.same(again.json(), { status: 'duplicate' })
  t.equal(applied.length, 1)
})

t.test('malformed deliveries: 400, 413, 415, and nothing happens', async (t) => {
  const { app, applied } = await hooked(t, { WEBHOOK_BODY_LIMIT_BYTES: '2048' })
  const noId = await deliver(app, { event: 'issues', id: '', payload: issuesPayload('closed', 3) })
  t.equal(noId.statusCode, 400)
  const badId = await deliver(app, { event: 'issues', id: 'x\ny', payload: issuesPayload('closed', 3) }).catch(() => null)
  if (badId !== null) t.equal(badId.statusCode, 400)
  const noEvent = await deliver(app, { event: '', payload: issuesPayload('closed', 3) })
  t.equal(noEvent.statusCode, 400)
  const notJson = await deliver(app, { event: 'issues', payload: '{"action": "closed"' })
  t.equal(notJson.statusCode, 400, 'signed but not JSON')
  const big = await deliver(app, { event: 'issues', payload: { ...issuesPayload('closed', 3), pad: 'x'.repeat(4096) } })
  t.equal(big.statusCode, 413)
  const form = await deliver(app, { event: 'issues', payload: 'payload=%7B%7D', contentType: 'application/x-www-form-urlencoded' })
  t.equal(form.statusCode, 415)
  t.match(form.json().message, /application\/json/)
  t.equal(applied.length, 0)
})

t.test('the receiver is not limited by the MCP rate limiter', async (t) => {
  const { app } = await hooked(t, { RATE_LIMIT_MAX: '1' })
  for (let i = 0; i < 5; i++) {
    const res = await deliver(app, { event: 'issues', payload: issuesPayload('edited', i + 1) })
    t.equal(res.statusCode, 200)
  }
})

t.test('a ping from a hook that lacks a used event is answered and warned about', async (t) => {
  const { app, lines } = await hooked(t)
  const res = await deliver(app, { event: 'ping', payload: pingPayload('octo-org/widgets', ['issues']) })
  t.same(res.json(), { status: 'pong', missingEvents: ['issue_comment', 'label'] })
  t.ok(lines.some((l) => l.includes('does not send every event')))
})

t.test('metrics count deliveries by event and outcome', async (t) => {
  const { app } = await hooked(t)
  await deliver(app, { event: 'issues', id: 'm-1', payload: issuesPayload('closed', 3) })
  await deliver(app, { event: 'issues', id: 'm-1', payload: issuesPayload('closed', 3) })
  await deliver(app, { event: 'issues', signature: null, payload: issuesPayload('closed', 3) })
  await deliver(app, { event: 'made_up_event', payload: {} })
  const text = (await app.inject({ method: 'GET', url: '/metrics' })).body
  t.match(text, 'gateway_webhook_deliveries_total{event="issues",outcome="used"} 1')
  t.match(text, 'gateway_webhook_deliveries_total{event="issues",outcome="duplicate"} 1')
  t.match(text, 'gateway_webhook_deliveries_total{event="issues",outcome="unauthorized"} 1')
  t.match(text, 'gateway_webhook_deliveries_total{event="other",outcome="ignored"} 1')
})

t.test('Redis: a delivery is used once across replicas; close stops listening', async (t) => {
  const github = await standin(t)
  const env = testEnv(github, { ...WITH_HOOK, REDIS_URL: 'redis://127.0.0.1:6379', WEBHOOK_REDIS_PREFIX: freshPrefix() })
  const one = await buildApp({ env })
  const two = await buildApp({ env })
  t.teardown(() => Promise.all([one.close(), two.close()]))
  await Promise.all([one.webhooks.listening, two.webhooks.listening])
  const first = await deliver(one, { event: 'issues', id: 'shared-1', payload: issuesPayload('closed', 3) })
  const second = await deliver(two, { event: 'issues', id: 'shared-1', payload: issuesPayload('closed', 3) })
  t.same(first.json(), { status: 'processed' })
  t.same(second.json(), { status: 'duplicate' }, 'the other replica knows it through Redis')
  const redis = one.rateLimitStore.redis!
  const channel = `${env.WEBHOOK_REDIS_PREFIX}changes`
  const listeners = async () => ((await redis.call('PUBSUB', 'NUMSUB', channel)) as [string, number])[1]
  t.equal(await listeners(), 2)
  await two.close()
  t.equal(await listeners(), 1, 'a closed replica no longer listens')
  await redis.del(`${env.WEBHOOK_REDIS_PREFIX}delivery:shared-1`)
})
