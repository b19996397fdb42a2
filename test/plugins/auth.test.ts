import t from 'tap'
import { createHash } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import auth from '../../plugins/auth.js'
import { buildPlugins, startError as failsToStart, type TestContext } from '../helper.js'

const hex = (key: string) => createHash('sha256').update(key).digest('hex')

/** Auth alone, guarding a route that answers with the identity it was given. */
async function setup (app: FastifyInstance) {
  await app.register(auth)
  app.post('/mcp', async (request) => {
    const key = request.apiKey!
    return { name: key.name, id: key.id, scopes: [...key.access.scopes], repos: key.access.repos, rateLimit: key.rateLimit ?? null }
  })
}
const build = (t: TestContext, env: Record<string, string>, logLines?: string[]) => buildPlugins(t, setup, { env, logLines })
const startError = (env: Record<string, string>) => failsToStart(setup, { env })

type App = Awaited<ReturnType<typeof build>>
const call = (app: App, headers: Record<string, string> = {}, remoteAddress = '10.0.0.1') =>
  app.inject({ method: 'POST', url: '/mcp', headers, remoteAddress, payload: {} })

t.test('missing key: 401 JSON with WWW-Authenticate; wrong key: 403 JSON', async (t) => {
  const app = await build(t, { AUTH_KEYS: 'alpha-secret' })
  const missing = await call(app)
  t.equal(missing.statusCode, 401)
  t.equal(missing.headers['www-authenticate'], 'Bearer realm="mcp"')
  t.equal(missing.json().error, 'unauthorized')
  t.match(missing.json().message, /X-API-Key/)
  t.equal((await call(app, { authorization: 'Basic YWxhZGRpbjpvcGVu' })).statusCode, 401, 'another scheme is no key')
  t.equal((await call(app, { 'x-api-key': '' })).statusCode, 401, 'an empty header is no key')

  const wrong = await call(app, { 'x-api-key': 'alpha-secreT' })
  t.equal(wrong.statusCode, 403)
  t.same(wrong.json(), { error: 'forbidden', message: 'Invalid API key' })
  t.notOk(wrong.headers['www-authenticate'])
  t.equal((await call(app, { authorization: 'Bearer nope' })).statusCode, 403)
})

t.test('X-API-Key or Bearer: the request carries the identity, never the key', async (t) => {
  const app = await build(t, { AUTH_KEYS: 'alpha-secret, beta-secret' })
  const byHeader = await call(app, { 'x-api-key': 'beta-secret' })
  t.equal(byHeader.statusCode, 200)
  t.same(byHeader.json(), {
    name: `key-${hex('beta-secret').slice(0, 8)}`, id: hex('beta-secret').slice(0, 16),
    scopes: ['issues:read', 'issues:write'], repos: null, rateLimit: null
  })
  t.notMatch(byHeader.body, 'beta-secret')
  const byBearer = await call(app, { authorization: 'bearer alpha-secret' })
  t.equal(byBearer.statusCode, 200)
  t.equal(byBearer.json().id, hex('alpha-secret').slice(0, 16))
})

t.test('sha256 entries: first, middle and last digest all match; the digest itself is not a key', async (t) => {
  const keys = ['one', 'two', 'three']
  const app = await build(t, { AUTH_KEYS: keys.map((k) => `sha256:${hex(k)}`).join(',') + ',SHA256:' + hex('four').toUpperCase() })
  for (const key of [...keys, 'four']) {
    const res = await call(app, { 'x-api-key': key })
    t.equal(res.statusCode, 200, key)
    t.equal(res.json().id, hex(key).slice(0, 16), 'same id as the plain form gives')
  }
  t.equal((await call(app, { 'x-api-key': `sha256:${hex('one')}` })).statusCode, 403)
  t.equal((await call(app, { 'x-api-key': 'five' })).statusCode, 403)
})

t.test('malformed AUTH_KEYS entries stop the start (details: test/auth/keys.test.ts)', async (t) => {
  t.match((await startError({ AUTH_KEYS: 'good,sha256:abc123' }))?.message, /^AUTH_KEYS: entry 2 starts with "sha256:"/)
})

t.test('AUTH_KEYS_FILE: named, scoped keys with their own limits', async (t) => {
  const dir = t.testdir()
  const file = join(dir, 'keys.json')
  writeFileSync(file, JSON.stringify({
    keys: [
      { name: 'triage-bot', key: `sha256:${hex('triage-secret')}`, scopes: ['issues:read'], repos: ['octo-org/*'], rateLimit: { max: 120, windowMs: 60000 } },
      { name: 'writer', key: 'writer-secret' }
    ]
  }))
  const app = await build(t, { AUTH_KEYS: 'env-secret', AUTH_KEYS_FILE: file })
  t.equal(app.authKeys.count, 3)
  t.same((await call(app, { 'x-api-key': 'triage-secret' })).json(), {
    name: 'triage-bot', id: hex('triage-secret').slice(0, 16), scopes: ['issues:read'], repos: ['octo-org/*'], rateLimit: { max: 120, windowMs: 60000 }
  })
  t.same((await call(app, { authorization: 'Bearer writer-secret' })).json(), {
    name: 'writer', id: hex('writer-secret').slice(0, 16), scopes: ['issues:read', 'issues:write'], repos: null, rateLimit: null
  })
  t.equal((await call(app, { 'x-api-key': 'env-secret' })).statusCode, 200)
})

t.test('invalid AUTH_KEYS_FILE: registration fails naming the entry, never the key', async (t) => {
  const file = join(t.testdir(), 'keys.json')
  writeFileSync(file, JSON.stringify({
    keys: [{ name: 'a', key: 'k-a' }, { name: 'b', key: 'k-b' }, { name: 'triage-bot', key: 'leak-me', scopes: ['issues:admin'] }]
  }))
  const err = await startError({ AUTH_KEYS: 'env-secret', AUTH_KEYS_FILE: file })
  t.equal(err?.message, 'AUTH_KEYS_FILE: keys[2] ("triage-bot"): scopes[0] must be issues:read or issues:write')
  writeFileSync(file, JSON.stringify({ keys: [{ name: 'a', key: 'k-a' }] }))
  t.equal((await startError({ AUTH_KEYS: 'k-a', AUTH_KEYS_FILE: file }))?.message,
    'AUTH_KEYS_FILE: keys[0] ("a"): key duplicates another configured key', 'the same key in AUTH_KEYS and the file')
  // Every other rule of the file format: test/auth/key-file.test.ts.
})

t.test('development without keys: one generated key, printed once to stderr, never logged', async (t) => {
  const printed: string[] = []
  const write = process.stderr.write
  process.stderr.write = ((chunk: string) => { printed.push(String(chunk)); return true }) as typeof process.stderr.write
  const logLines: string[] = []
  let app: App
  try {
    app = await build(t, { NODE_ENV: 'development' }, logLines)
  } finally {
    process.stderr.write = write
  }
  const key = app.authKeys.generatedKey!
  t.match(key, /^[A-Za-z0-9_-]{43}$/, '32 random bytes, base64url')
  t.equal(app.authKeys.count, 1)
  t.equal(printed.filter((line) => line.includes(key)).length, 1, 'printed once')
  t.equal((await call(app, { 'x-api-key': key })).statusCode, 200)
  t.equal((await call(app, { 'x-api-key': 'guess' })).statusCode, 403)
  t.ok(logLines.length > 0, 'requests were logged')
  t.notOk(logLines.some((line) => line.includes(key)), 'no log line holds the key')
})

t.test('no generated key outside development; production without keys refuses to start', async (t) => {
  const app = await build(t, {})
  t.equal(app.authKeys.count, 0)
  t.equal(app.authKeys.generatedKey, undefined)
  t.equal((await call(app, { 'x-api-key': 'anything' })).statusCode, 403)
  t.match((await startError({ NODE_ENV: 'production', AUTH_KEYS: ' , ' }))?.message, /^AUTH_KEYS: no API keys configured \(production requires at least one, or OAuth: GITHUB_OAUTH_CLIENT_ID or OAUTH_ISSUER\)$/)
  t.equal(await startError({ NODE_ENV: 'production', AUTH_KEYS: ' , ', PUBLIC_URL: 'https://mcp.example.com', OAUTH_ISSUER: 'https://idp.example.com' }), null, 'with OAuth on, production needs no key')
})

t.test('closes cleanly', async (t) => {
  const app = await build({ teardown () {} }, { AUTH_KEYS: 'k' })
  await app.close()
  t.pass('closed')
})
