import t from 'tap'
import hosts, { hostMatcher, parseHost } from '../../plugins/hosts.js'
import { buildPlugins, ok, type TestContext } from '../helper.js'

const build = (t: TestContext, env: Record<string, string>) =>
  buildPlugins(t, async (app) => { await app.register(hosts); app.get('/mcp', ok) }, { env })

const status = async (app: Awaited<ReturnType<typeof build>>, host: string) =>
  (await app.inject({ method: 'GET', url: '/mcp', headers: { host } })).statusCode

t.test('bound to loopback without ALLOWED_HOSTS: only loopback names, any port', async (t) => {
  const app = await build(t, { HOST: '127.0.0.1' })
  for (const host of ['localhost', 'localhost:3001', '127.0.0.1:3001', '[::1]', '[::1]:3001', 'LOCALHOST:80']) {
    t.equal(await status(app, host), 200, host)
  }
  for (const host of ['evil.example', 'evil.example:3001', 'localhost.evil.example', '127.0.0.2', '[::2]:3001']) {
    t.equal(await status(app, host), 403, JSON.stringify(host))
  }
  const refused = await app.inject({ method: 'GET', url: '/mcp', headers: { host: 'rebind.attacker.example:3001' } })
  t.equal(refused.statusCode, 403)
  t.match(refused.headers['content-type'], /application\/json/)
  t.same(refused.json(), { error: 'forbidden', message: 'Host not allowed' })
})

t.test('HOST localhost or ::1 counts as loopback too', async (t) => {
  for (const HOST of ['localhost', '::1']) {
    const app = await build(t, { HOST })
    t.equal(await status(app, 'evil.example'), 403, HOST)
    t.equal(await status(app, 'localhost:8080'), 200, HOST)
  }
})

t.test('bound elsewhere without ALLOWED_HOSTS: any host', async (t) => {
  const app = await build(t, { HOST: '0.0.0.0' })
  t.equal(await status(app, 'gateway.internal:3001'), 200)
  t.equal(await status(app, 'anything.example'), 200)
})

t.test('ALLOWED_HOSTS: names match any port, name:port only that port, IPv6 in brackets', async (t) => {
  const app = await build(t, { HOST: '0.0.0.0', ALLOWED_HOSTS: 'Gateway.Example.com, api.example.com:8443, ::1' })
  t.equal(await status(app, 'gateway.example.com'), 200)
  t.equal(await status(app, 'gateway.example.com:443'), 200)
  t.equal(await status(app, 'api.example.com:8443'), 200)
  t.equal(await status(app, 'api.example.com:9000'), 403)
  t.equal(await status(app, 'api.example.com'), 403)
  t.equal(await status(app, '[::1]:3001'), 200)
  t.equal(await status(app, 'localhost'), 403, 'an explicit list replaces the loopback default')
})

t.test('ALLOWED_HOSTS=* accepts any host even on loopback', async (t) => {
  const app = await build(t, { HOST: '127.0.0.1', ALLOWED_HOSTS: '*' })
  t.equal(await status(app, 'whatever.example'), 200)
})

t.test('parseHost and hostMatcher', async (t) => {
  t.same(parseHost('[::1]:3001'), { name: '[::1]', port: '3001' })
  t.same(parseHost('[::1]'), { name: '[::1]', port: undefined })
  t.same(parseHost('::1'), { name: '[::1]' })
  t.same(parseHost('Example.COM.:80'), { name: 'example.com', port: '80' })
  t.equal(hostMatcher({ HOST: '0.0.0.0', ALLOWED_HOSTS: undefined }), null)
  const loopback = hostMatcher({ HOST: '127.0.0.1', ALLOWED_HOSTS: undefined })
  t.ok(loopback?.('localhost:1'))
  t.notOk(loopback?.(undefined), 'no Host header')
  t.notOk(loopback?.(''), 'empty Host header')
})

t.test('closes cleanly', async (t) => {
  const app = await build({ teardown () {} }, {})
  await app.close()
  t.pass('closed')
})
