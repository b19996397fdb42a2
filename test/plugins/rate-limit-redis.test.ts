import t from 'tap'
import { once } from 'node:events'
import { randomBytes } from 'node:crypto'
import { createServer, connect, type Socket, type AddressInfo } from 'node:net'
import type { Redis } from 'ioredis'
import lifecycle from '../../plugins/lifecycle.js'
import auth from '../../plugins/auth.js'
import health from '../../plugins/health.js'
import rateLimit, { rateLimitStore } from '../../plugins/rate-limit.js'
import { buildPlugins, ok, type TestContext } from '../helper.js'

// Against the real Redis on 127.0.0.1:6379, arranged as app.ts does: the store at the root so
// health can read it, auth and the limiter in the /mcp scope.
// A fresh Redis key prefix per app (or per pair of replicas), so runs never share counters.
const freshNameSpace = () => `test-rl-${randomBytes(6).toString('hex')}:`

const build = (t: TestContext, env: Record<string, string>, logLines?: string[], nameSpace = freshNameSpace()) => buildPlugins(t, async (app) => {
  await app.register(lifecycle)
  await app.register(rateLimitStore)
  await app.register(health)
  await app.register(async (api) => {
    await api.register(auth)
    await api.register(rateLimit, { nameSpace })
    api.post('/mcp', ok)
  })
}, { env: { AUTH_KEYS: 'key-a,key-b', ...env }, logLines, logLevel: 'info' })

type App = Awaited<ReturnType<typeof build>>
const call = (app: App, key: string) => app.inject({ method: 'POST', url: '/mcp', headers: { 'x-api-key': key }, payload: {} })
// events.once() rejects on 'error', which a client on the way down or up emits freely.
const next = (client: Redis, event: string) => new Promise((resolve) => client.once(event, resolve))
const redisReady = async (app: App) => {
  const client = app.rateLimitStore.redis!
  if (client.status !== 'ready') await next(client, 'ready')
}

t.test('Redis: two instances share one budget per key; close ends the client', async (t) => {
  const vars = { REDIS_URL: 'redis://127.0.0.1:6379', RATE_LIMIT_MAX: '3' }
  const shared = freshNameSpace()
  const one = await build({ teardown () {} }, vars, undefined, shared)
  const two = await build({ teardown () {} }, vars, undefined, shared)
  await Promise.all([redisReady(one), redisReady(two)])
  t.equal(one.rateLimitStore.kind, 'redis')
  t.equal(one.rateLimitStore.status(), 'up')
  t.equal((await one.inject({ method: 'GET', url: '/health' })).json().redis, 'up')

  t.equal((await call(one, 'key-a')).headers['ratelimit-remaining'], '2')
  t.equal((await call(two, 'key-a')).headers['ratelimit-remaining'], '1', 'the second replica sees the first one\'s request')
  t.equal((await call(one, 'key-a')).statusCode, 200)
  t.equal((await call(two, 'key-a')).statusCode, 429)
  t.equal((await call(one, 'key-a')).statusCode, 429)
  t.equal((await call(two, 'key-b')).statusCode, 200, 'another key, its own shared budget')

  const clients = [one.rateLimitStore.redis!, two.rateLimitStore.redis!]
  await one.close()
  await two.close()
  t.same(clients.map((c) => c.status), ['end', 'end'], 'onClose quit the clients')
})

t.test('Redis unreachable from the start: startup does not wait, requests are served, health says down', async (t) => {
  const logLines: string[] = []
  const app = await build(t, { REDIS_URL: 'redis://127.0.0.1:1', RATE_LIMIT_MAX: '1' }, logLines)
  const client = app.rateLimitStore.redis!
  await once(client, 'error')
  await once(client, 'error') // at least one retry failed too: still a single incident
  for (let i = 0; i < 3; i++) {
    const res = await call(app, 'key-a')
    t.equal(res.statusCode, 200, `fail open ${i + 1}`)
    t.notOk(res.headers['ratelimit-remaining'], 'no budget claimed when nothing was counted')
  }
  t.equal(app.rateLimitStore.status(), 'down')
  const h = await app.inject({ method: 'GET', url: '/health' })
  t.equal(h.statusCode, 200, 'readiness stays green')
  t.equal(h.json().redis, 'down')
  t.equal(logLines.filter((l) => l.includes('Redis unreachable')).length, 1, 'warned once for the incident')
  t.notOk(logLines.some((l) => l.includes('127.0.0.1:1') && l.includes('redis://')), 'the URL is not logged')

  await app.close()
  // A client left reconnecting would keep this test process alive until tap's timeout fails it.
  t.not(client.status, 'ready')
  t.not(client.status, 'connecting')
})

t.test('Redis going away later: fail open with one warning, limits return on recovery', async (t) => {
  // A TCP relay in front of the real Redis that can cut every connection and refuse new ones.
  let up = true
  const sockets = new Set<Socket>()
  const relay = createServer((downstream) => {
    if (!up) return downstream.destroy()
    const upstream = connect(6379, '127.0.0.1')
    for (const s of [downstream, upstream]) { sockets.add(s); s.on('close', () => sockets.delete(s)); s.on('error', () => {}) }
    downstream.pipe(upstream).pipe(downstream)
    downstream.on('close', () => upstream.destroy())
    upstream.on('close', () => downstream.destroy())
  })
  relay.listen(0, '127.0.0.1')
  await once(relay, 'listening')
  t.teardown(() => { for (const s of sockets) s.destroy(); relay.close() })
  const port = (relay.address() as AddressInfo).port

  const logLines: string[] = []
  const app = await build(t, { REDIS_URL: `redis://127.0.0.1:${port}`, RATE_LIMIT_MAX: '2' }, logLines)
  const client = app.rateLimitStore.redis!
  await redisReady(app)
  t.equal((await call(app, 'key-a')).statusCode, 200)
  t.equal((await call(app, 'key-a')).statusCode, 200)
  t.equal((await call(app, 'key-a')).statusCode, 429, 'enforced while Redis is up')

  up = false
  for (const s of sockets) s.destroy()
  await next(client, 'close')
  t.equal(app.rateLimitStore.status(), 'down')
  t.equal((await call(app, 'key-a')).statusCode, 200, 'fail open during the outage')
  t.equal((await app.inject({ method: 'GET', url: '/health' })).json().redis, 'down')

  up = true
  await next(client, 'ready')
  t.equal(app.rateLimitStore.status(), 'up')
  t.equal((await call(app, 'key-a')).statusCode, 429, 'the shared counter applies again')
  t.equal(logLines.filter((l) => l.includes('Redis unreachable')).length, 1, 'one warning for the incident')
  t.equal(logLines.filter((l) => l.includes('Redis reachable again')).length, 1, 'one info line on recovery')
})
