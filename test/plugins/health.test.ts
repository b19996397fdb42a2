import t from 'tap'
import { readFileSync } from 'node:fs'
import type { FastifyInstance } from 'fastify'
import lifecycle from '../../plugins/lifecycle.js'
import health from '../../plugins/health.js'
import { rateLimitStore } from '../../plugins/rate-limit.js'
import { buildPlugins, startError, type TestContext } from '../helper.js'

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }

const build = (t: TestContext, before?: (app: FastifyInstance) => Promise<void>) => buildPlugins(t, async (app) => {
  await app.register(lifecycle)
  await before?.(app)
  await app.register(health)
})

t.test('GET /health: ok with uptime, sessions and version; no redis field without Redis', async (t) => {
  const app = await build(t)
  const res = await app.inject({ method: 'GET', url: '/health' })
  t.equal(res.statusCode, 200)
  t.equal(res.headers['cache-control'], 'no-store')
  const body = res.json()
  t.same(Object.keys(body).sort(), ['activeSessions', 'status', 'uptime', 'version'])
  t.equal(body.status, 'ok')
  t.ok(Number.isInteger(body.uptime) && body.uptime >= 0)
  t.equal(body.activeSessions, 0, 'no sessions plugin: 0')
  t.equal(body.version, version)
})

t.test('activeSessions reads the sessions decorator; the in-process store adds no redis field', async (t) => {
  const app = await build(t, async (app) => {
    app.decorate('sessions' as string, { size: 3 })
    await app.register(rateLimitStore)
  })
  const body = (await app.inject({ method: 'GET', url: '/health' })).json()
  t.equal(body.activeSessions, 3)
  t.notOk('redis' in body)
})

t.test('a Redis store reports its status without turning readiness red', async (t) => {
  let status: 'up' | 'down' = 'down'
  const app = await build(t, async (app) => {
    app.decorate('rateLimitStore', { kind: 'redis', status: () => status })
  })
  const down = await app.inject({ method: 'GET', url: '/health' })
  t.equal(down.statusCode, 200)
  t.equal(down.json().redis, 'down')
  status = 'up'
  t.equal((await app.inject({ method: 'GET', url: '/health' })).json().redis, 'up')
})

t.test('readiness is 503 once shutdown began; liveness stays 200', async (t) => {
  const app = await build(t)
  t.same((await app.inject({ method: 'GET', url: '/health/live' })).json(), { status: 'ok' })
  app.lifecycle.beginShutdown()
  const res = await app.inject({ method: 'GET', url: '/health' })
  t.equal(res.statusCode, 503)
  t.same(res.json(), { status: 'shutting_down' })
  const live = await app.inject({ method: 'GET', url: '/health/live' })
  t.equal(live.statusCode, 200)
  t.same(live.json(), { status: 'ok' })
})

t.test('needs lifecycle; closes cleanly', async (t) => {
  t.match((await startError(async (app) => { await app.register(health) }))?.message, /dependency 'lifecycle'/)

  const app = await build({ teardown () {} })
  await app.close()
  t.pass('closed')
})
