import t from 'tap'
import auth from '../../plugins/auth.js'
import { buildPlugins, ok, type TestContext } from '../helper.js'

// Failed authentications are limited per client address (request.ip).
const build = (t: TestContext, env: Record<string, string>, now?: () => number) =>
  buildPlugins(t, async (app) => { await app.register(auth, { now }); app.post('/mcp', ok) }, { env })

type App = Awaited<ReturnType<typeof build>>
const call = (app: App, headers: Record<string, string>, remoteAddress: string) =>
  app.inject({ method: 'POST', url: '/mcp', headers, remoteAddress, payload: {} })

t.test('brute force: failures are limited per address, before any key comparison', async (t) => {
  const app = await build(t, { AUTH_KEYS: 'valid-secret', AUTH_FAILURE_MAX: '3', RATE_LIMIT_WINDOW_MS: '60000' })
  let comparisons = 0
  const verify = app.authKeys.verify
  app.authKeys.verify = (presented) => { comparisons++; return verify(presented) }

  t.equal((await call(app, { 'x-api-key': 'guess-1' }, '203.0.113.7')).statusCode, 403)
  t.equal((await call(app, { 'x-api-key': 'guess-2' }, '203.0.113.7')).statusCode, 403)
  for (let i = 0; i < 5; i++) t.equal((await call(app, {}, '203.0.113.7')).statusCode, 401, 'a missing key guesses nothing: not counted')
  t.equal((await call(app, { 'x-api-key': 'valid-secret' }, '203.0.113.7')).statusCode, 200, 'still under budget after keyless requests')
  t.equal((await call(app, { 'x-api-key': 'guess-3' }, '203.0.113.7')).statusCode, 403)
  const before = comparisons
  const blocked = await call(app, { 'x-api-key': 'valid-secret' }, '203.0.113.7')
  t.equal(blocked.statusCode, 429, 'the address is blocked for the window, even with a valid key')
  t.equal(comparisons, before, 'no key comparison once blocked')
  const retryAfter = Number(blocked.headers['retry-after'])
  t.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`)
  t.same(blocked.json(), { error: 'rate_limited', message: `Too many failed authentication attempts from this address; retry in ${retryAfter} s`, retryAfterSeconds: retryAfter })

  t.equal((await call(app, { 'x-api-key': 'valid-secret' }, '198.51.100.1')).statusCode, 200, 'other addresses are unaffected')
  t.equal((await call(app, { 'x-api-key': 'guess' }, '198.51.100.1')).statusCode, 403, 'and keep their own budget')
})

t.test('brute force: successes do not count; IPv6 clients are counted per /64', async (t) => {
  const app = await build(t, { AUTH_KEYS: 'valid-secret', AUTH_FAILURE_MAX: '2' })
  for (let i = 0; i < 5; i++) t.equal((await call(app, { 'x-api-key': 'valid-secret' }, '192.0.2.1')).statusCode, 200)
  t.equal((await call(app, { 'x-api-key': 'x' }, '2001:db8:1:1::1')).statusCode, 403)
  t.equal((await call(app, { 'x-api-key': 'y' }, '2001:db8:1:1::2')).statusCode, 403)
  t.equal((await call(app, { 'x-api-key': 'valid-secret' }, '2001:db8:1:1::ffff')).statusCode, 429, 'same /64')
  t.equal((await call(app, { 'x-api-key': 'valid-secret' }, '2001:db8:1:2::1')).statusCode, 200, 'another /64')
})

t.test('brute force: the block lasts exactly the window (a moved clock, no waiting)', async (t) => {
  let now = 1_000_000
  const app = await build(t, { AUTH_KEYS: 'valid-secret', AUTH_FAILURE_MAX: '1', RATE_LIMIT_WINDOW_MS: '60000' }, () => now)
  t.equal((await call(app, { 'x-api-key': 'guess' }, '203.0.113.9')).statusCode, 403)
  now += 59_000
  const blocked = await call(app, { 'x-api-key': 'valid-secret' }, '203.0.113.9')
  t.equal(blocked.statusCode, 429)
  t.equal(blocked.headers['retry-after'], '1', 'one second of the window left')
  now += 1_000
  t.equal((await call(app, { 'x-api-key': 'valid-secret' }, '203.0.113.9')).statusCode, 200, 'a new window starts clean')
})
