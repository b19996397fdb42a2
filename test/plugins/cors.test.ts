import t from 'tap'
import type { FastifyPluginAsync } from 'fastify'
import hosts from '../../plugins/hosts.js'
import cors from '../../plugins/cors.js'
import auth from '../../plugins/auth.js'
import rateLimit from '../../plugins/rate-limit.js'
import { buildPlugins, ok, type TestContext } from '../helper.js'

const build = (t: TestContext, env: Record<string, string>, plugins: FastifyPluginAsync[] = [cors]) =>
  buildPlugins(t, async (app) => {
    for (const plugin of plugins) await app.register(plugin)
    app.post('/mcp', ok)
    app.get('/mcp', ok)
  }, { env })

type App = Awaited<ReturnType<typeof build>>
const preflight = (app: App, origin: string, method = 'POST') => app.inject({
  method: 'OPTIONS',
  url: '/mcp',
  headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': 'content-type, x-api-key, mcp-session-id' }
})
const list = (header: string | string[] | number | undefined) => String(header ?? '').toLowerCase().split(/\s*,\s*/)

t.test('preflight from an allowed origin: reflected origin, methods, headers', async (t) => {
  const app = await build(t, { ALLOWED_ORIGINS: 'https://app.example.com, https://Other.example.org/' })
  const res = await preflight(app, 'https://app.example.com')
  t.equal(res.statusCode, 204)
  t.equal(res.headers['access-control-allow-origin'], 'https://app.example.com')
  t.match(list(res.headers.vary), ['origin'])
  for (const method of ['get', 'post', 'delete', 'options']) t.ok(list(res.headers['access-control-allow-methods']).includes(method), method)
  for (const header of ['content-type', 'authorization', 'x-api-key', 'mcp-session-id', 'mcp-protocol-version', 'last-event-id']) {
    t.ok(list(res.headers['access-control-allow-headers']).includes(header), header)
  }
  t.equal((await preflight(app, 'https://other.example.org')).statusCode, 204, 'entries are normalised')
})

t.test('actual request from an allowed origin exposes the headers a browser client needs', async (t) => {
  const app = await build(t, { ALLOWED_ORIGINS: 'https://app.example.com' })
  const res = await app.inject({ method: 'POST', url: '/mcp', headers: { origin: 'https://app.example.com' }, payload: {} })
  t.equal(res.statusCode, 200)
  t.equal(res.headers['access-control-allow-origin'], 'https://app.example.com')
  for (const header of ['mcp-session-id', 'www-authenticate', 'retry-after', 'ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset']) {
    t.ok(list(res.headers['access-control-expose-headers']).includes(header), header)
  }
})

t.test('an Origin that is present and not allowed gets 403, preflight included', async (t) => {
  const app = await build(t, { ALLOWED_ORIGINS: 'https://app.example.com' })
  const post = await app.inject({ method: 'POST', url: '/mcp', headers: { origin: 'https://evil.example' }, payload: {} })
  t.equal(post.statusCode, 403)
  t.same(post.json(), { error: 'forbidden', message: 'Origin not allowed' })
  t.notOk(post.headers['access-control-allow-origin'])
  const pre = await preflight(app, 'https://evil.example')
  t.equal(pre.statusCode, 403)
  t.notOk(pre.headers['access-control-allow-origin'])
  t.equal((await app.inject({ method: 'GET', url: '/mcp', headers: { origin: 'null' } })).statusCode, 403, 'opaque origin')
})

t.test('no Origin header (non-browser client) passes without CORS headers', async (t) => {
  const app = await build(t, { ALLOWED_ORIGINS: 'https://app.example.com' })
  const res = await app.inject({ method: 'POST', url: '/mcp', payload: {} })
  t.equal(res.statusCode, 200)
  t.notOk(res.headers['access-control-allow-origin'])
})

t.test('ALLOWED_ORIGINS unset: every browser origin is refused', async (t) => {
  const app = await build(t, {})
  t.equal((await preflight(app, 'http://localhost:6274')).statusCode, 403)
  t.equal((await app.inject({ method: 'POST', url: '/mcp', payload: {} })).statusCode, 200)
})

t.test('same-origin requests pass only where the Host header is allowlisted', async (t) => {
  const loopback = await build(t, {}, [hosts, cors])
  const own = await loopback.inject({ method: 'POST', url: '/mcp', headers: { host: '127.0.0.1:3001', origin: 'http://127.0.0.1:3001' }, payload: {} })
  t.equal(own.statusCode, 200, 'a page served from the gateway host itself is not cross-site')
  const rebound = await loopback.inject({ method: 'POST', url: '/mcp', headers: { host: 'evil.example.com', origin: 'http://evil.example.com' }, payload: {} })
  t.equal(rebound.statusCode, 403, 'a DNS-rebound name is refused (by Host)')
  const otherPort = await loopback.inject({ method: 'POST', url: '/mcp', headers: { host: '127.0.0.1:3001', origin: 'http://127.0.0.1:6274' }, payload: {} })
  t.equal(otherPort.statusCode, 403, 'another port is another origin')
  const open = await build(t, { HOST: '0.0.0.0' }, [hosts, cors])
  const unchecked = await open.inject({ method: 'POST', url: '/mcp', headers: { host: 'evil.example.com', origin: 'http://evil.example.com' }, payload: {} })
  t.equal(unchecked.statusCode, 403, 'without a Host allowlist, same-origin proves nothing')
})

t.test('ALLOWED_ORIGINS=*: any origin, answered with the requesting origin', async (t) => {
  const app = await build(t, { ALLOWED_ORIGINS: '*' })
  const res = await preflight(app, 'https://anywhere.example', 'DELETE')
  t.equal(res.statusCode, 204)
  t.equal(res.headers['access-control-allow-origin'], 'https://anywhere.example')
})

t.test('through the whole /mcp chain a preflight needs no key and spends no budget', async (t) => {
  const app = await build(t, {
    ALLOWED_ORIGINS: 'https://app.example.com', AUTH_KEYS: 'chain-secret', AUTH_FAILURE_MAX: '1', RATE_LIMIT_MAX: '1'
  }, [hosts, cors, auth, rateLimit])
  for (let i = 0; i < 3; i++) {
    const res = await preflight(app, 'https://app.example.com')
    t.equal(res.statusCode, 204, `preflight ${i + 1}`)
    t.notOk(res.headers['ratelimit-limit'], 'not rate limited')
  }
  const ok = await app.inject({ method: 'POST', url: '/mcp', headers: { origin: 'https://app.example.com', 'x-api-key': 'chain-secret' }, payload: {} })
  t.equal(ok.statusCode, 200, 'preflights counted neither as auth failures nor against the budget')
  t.equal(ok.headers['access-control-allow-origin'], 'https://app.example.com')

  const unauthorised = await app.inject({ method: 'POST', url: '/mcp', headers: { origin: 'https://app.example.com' }, payload: {}, remoteAddress: '10.9.9.9' })
  t.equal(unauthorised.statusCode, 401)
  t.equal(unauthorised.headers['access-control-allow-origin'], 'https://app.example.com', 'a browser can read the 401')
  t.equal(unauthorised.headers['www-authenticate'], 'Bearer realm="mcp"')

  const badOrigin = await preflight(app, 'https://evil.example')
  t.equal(badOrigin.statusCode, 403)
  t.equal((await app.inject({ method: 'OPTIONS', url: '/mcp', headers: { origin: 'https://app.example.com', host: 'evil.example' } })).statusCode, 403, 'Host is checked first')
})

t.test('closes cleanly', async (t) => {
  const app = await build({ teardown () {} }, { ALLOWED_ORIGINS: '*' })
  await app.close()
  t.pass('closed')
})

t.test('an OPTIONS that is not a preflight gets no plain-text 400', async (t) => {
  const app = await build(t, { ALLOWED_ORIGINS: 'https://app.example' })
  const res = await app.inject({ method: 'OPTIONS', url: '/mcp', headers: { origin: 'https://app.example' } })
  t.ok(res.statusCode < 400, `status ${res.statusCode}`)
})
