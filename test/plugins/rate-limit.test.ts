import t from 'tap'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import auth from '../../plugins/auth.js'
import rateLimit from '../../plugins/rate-limit.js'
import { buildPlugins, ok, startError, type TestContext } from '../helper.js'

// The in-process store. Redis (shared budgets, outages): rate-limit-redis.test.ts.
const build = (t: TestContext, env: Record<string, string>) => buildPlugins(t, async (app) => {
  await app.register(auth)
  await app.register(rateLimit)
  app.post('/mcp', ok)
}, { env: { AUTH_KEYS: 'key-a,key-b', ...env } })

type App = Awaited<ReturnType<typeof build>>
const call = (app: App, key: string) => app.inject({ method: 'POST', url: '/mcp', headers: { 'x-api-key': key }, payload: {} })

t.test('per key: RateLimit-* headers on success, 429 with Retry-After and JSON beyond', async (t) => {
  const app = await build(t, { RATE_LIMIT_MAX: '2', RATE_LIMIT_WINDOW_MS: '60000' })
  t.equal(app.rateLimitStore.kind, 'memory')
  t.equal(app.rateLimitStore.status(), 'n/a')
  const first = await call(app, 'key-a')
  t.equal(first.statusCode, 200)
  t.equal(first.headers['ratelimit-limit'], '2')
  t.equal(first.headers['ratelimit-remaining'], '1')
  t.ok(Number(first.headers['ratelimit-reset']) > 0 && Number(first.headers['ratelimit-reset']) <= 60)
  t.equal((await call(app, 'key-a')).headers['ratelimit-remaining'], '0')

  const limited = await call(app, 'key-a')
  t.equal(limited.statusCode, 429)
  const retryAfter = Number(limited.headers['retry-after'])
  t.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`)
  t.equal(limited.headers['ratelimit-remaining'], '0')
  t.same(limited.json(), {
    error: 'rate_limited', message: `Rate limit of 2 requests per 60 s exceeded; retry in ${retryAfter} s`, retryAfterSeconds: retryAfter
  })

  t.equal((await call(app, 'key-b')).statusCode, 200, 'another key has its own budget')
  t.equal((await call(app, 'key-b')).statusCode, 200)
  t.equal((await call(app, 'key-b')).statusCode, 429)
})

t.test('a key file entry overrides the default limit for that key only', async (t) => {
  const file = join(t.testdir(), 'keys.json')
  writeFileSync(file, JSON.stringify({ keys: [{ name: 'tight', key: 'tight-secret', rateLimit: { max: 1, windowMs: 5000 } }] }))
  const app = await build(t, { RATE_LIMIT_MAX: '3', AUTH_KEYS_FILE: file })
  const first = await call(app, 'tight-secret')
  t.equal(first.headers['ratelimit-limit'], '1')
  t.ok(Number(first.headers['ratelimit-reset']) <= 5, 'its own window')
  const second = await call(app, 'tight-secret')
  t.equal(second.statusCode, 429)
  t.match(second.json().message, /1 requests per 5 s/)
  for (let i = 0; i < 3; i++) t.equal((await call(app, 'key-a')).statusCode, 200, 'the default budget still applies to others')
  t.equal((await call(app, 'key-a')).statusCode, 429)
})


t.test('requires auth; closes cleanly', async (t) => {
  t.match((await startError(async (app) => { await app.register(rateLimit) }))?.message, /dependency 'auth'/)

  const app = await build({ teardown () {} }, {})
  await app.close()
  t.pass('closed')
})
