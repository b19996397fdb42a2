import t from 'tap'
import Fastify from 'fastify'
import { generateKeyPairSync } from 'node:crypto'
import env, { ConfigError } from '../../plugins/env.js'

async function load (vars: Record<string, string | undefined>) {
  const app = Fastify()
  await app.register(env, { env: vars })
  await app.ready()
  t.teardown(() => app.close())
  return app.config
}

async function problems (vars: Record<string, string | undefined>): Promise<string[]> {
  try {
    await load(vars)
  } catch (err) {
    if (err instanceof ConfigError) return err.problems
    throw err
  }
  throw new Error('expected a ConfigError')
}

t.test('defaults and coercion', async (t) => {
  const config = await load({ GITHUB_TOKEN: 'x', PORT: '8080', MCP_STATELESS: 'true' })
  t.equal(config.PORT, 8080)
  t.equal(config.HOST, '127.0.0.1')
  t.equal(config.NODE_ENV, 'development')
  t.equal(config.RATE_LIMIT_MAX, 60)
  t.equal(config.RATE_LIMIT_WINDOW_MS, 60000)
  t.equal(config.MCP_STATELESS, true)
  t.equal(config.BODY_LIMIT_BYTES, 1048576)
  t.equal(config.HEADERS_TIMEOUT_MS, 30000)
  t.equal(config.REQUEST_TIMEOUT_MS, 60000)
  t.equal(config.KEEP_ALIVE_TIMEOUT_MS, 72000)
  t.equal(config.GITHUB_API_URL, 'https://api.github.com')
})

t.test('unknown variables are dropped, empty ones mean unset', async (t) => {
  const config = await load({ GITHUB_TOKEN: 'x', PATH: '/bin', AUTH_KEYS: '' }) as Record<string, unknown>
  t.equal(config.PATH, undefined)
  t.equal(config.AUTH_KEYS, undefined)
})

t.test('one line per problem, naming the variable', async (t) => {
  t.same(await problems({}), ['GITHUB_TOKEN is required (or a GitHub App: GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY)'])
  t.same(await problems({ GITHUB_TOKEN: 'x', PORT: '70000' }), ['PORT must be <= 65535'])
  t.same(await problems({ GITHUB_TOKEN: 'x', PORT: '0' }), ['PORT must be >= 1'])
  t.same(await problems({ GITHUB_TOKEN: 'x', PORT: 'abc' }), ['PORT must be integer'])
  t.same(await problems({ GITHUB_TOKEN: 'x', MCP_STATELESS: 'maybe' }), ['MCP_STATELESS must be boolean'])
  t.same(await problems({ GITHUB_TOKEN: 'x', LOG_LEVEL: 'verbose' }), ['LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent'])
  t.same(await problems({ GITHUB_TOKEN: 'x', NODE_ENV: 'production' }), ['AUTH_KEYS (or AUTH_KEYS_FILE), or OAuth (GITHUB_OAUTH_CLIENT_ID or OAUTH_ISSUER), is required when NODE_ENV=production'])
  // OAuth, either mode, is enough sign-in for production without API keys.
  await load({ GITHUB_TOKEN: 'x', NODE_ENV: 'production', PUBLIC_URL: 'https://mcp.example.com', OAUTH_ISSUER: 'https://idp.example.com' })
  await load({ GITHUB_TOKEN: 'x', NODE_ENV: 'production', PUBLIC_URL: 'https://mcp.example.com', GITHUB_OAUTH_CLIENT_ID: 'id', GITHUB_OAUTH_CLIENT_SECRET: 'secret', TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64') })
  t.same(await problems({ GITHUB_TOKEN: 'x', REDIS_URL: 'localhost:6379' }), ['REDIS_URL must match pattern "^rediss?://"'])
  const many = await problems({ PORT: '-1', RATE_LIMIT_MAX: 'lots' })
  t.equal(many.length, 3, 'all problems at once, not only the first')
})

t.test('a GitHub App instead of GITHUB_TOKEN: complete, alone, and with a usable key', async (t) => {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs1', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } })
  const config = await load({ GITHUB_APP_ID: '4242', GITHUB_APP_PRIVATE_KEY: privateKey, GITHUB_APP_INSTALLATION_ID: '11' })
  t.equal(config.GITHUB_APP_INSTALLATION_ID, 11)
  t.equal(config.GITHUB_TOKEN, undefined)
  // One-line form, as .env files and CI secrets often hold it.
  await load({ GITHUB_APP_ID: '4242', GITHUB_APP_PRIVATE_KEY: privateKey.replace(/\n/g, '\\n') })

  t.same(await problems({ GITHUB_APP_ID: '4242' }), ['GITHUB_APP_PRIVATE_KEY is required with GITHUB_APP_ID'])
  t.same(await problems({ GITHUB_APP_PRIVATE_KEY: privateKey }), ['GITHUB_APP_ID is required with the other GITHUB_APP_* settings'])
  t.same(await problems({ GITHUB_TOKEN: 'x', GITHUB_APP_ID: '4242', GITHUB_APP_PRIVATE_KEY: privateKey }),
    ['GITHUB_TOKEN and a GitHub App (GITHUB_APP_*) are both set: keep one service credential'])
  t.same(await problems({ GITHUB_APP_ID: 'my-app', GITHUB_APP_PRIVATE_KEY: privateKey }), ['GITHUB_APP_ID must match pattern "^(?:[0-9]+|Iv[0-9A-Za-z.]+)$"'])
  const secret = 'not-a-key-but-a-secret-value'
  const bad = await problems({ GITHUB_APP_ID: '4242', GITHUB_APP_PRIVATE_KEY: secret })
  t.same(bad, ['GITHUB_APP_PRIVATE_KEY is not a PEM private key (paste the whole .pem file GitHub gave you, BEGIN and END lines included)'])
  t.notOk(bad.join().includes(secret), 'the value is never echoed')
  const { privateKey: ec } = generateKeyPairSync('ec', { namedCurve: 'P-256', privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } })
  t.same(await problems({ GITHUB_APP_ID: '4242', GITHUB_APP_PRIVATE_KEY: ec }), ['GITHUB_APP_PRIVATE_KEY must be an RSA key (GitHub Apps sign with RS256), not ec'])
})

t.test('production with keys is accepted', async (t) => {
  const config = await load({ GITHUB_TOKEN: 'x', NODE_ENV: 'production', AUTH_KEYS: 'k1' })
  t.equal(config.NODE_ENV, 'production')
  const viaFile = await load({ GITHUB_TOKEN: 'x', NODE_ENV: 'production', AUTH_KEYS_FILE: '/etc/keys.json' })
  t.equal(viaFile.AUTH_KEYS_FILE, '/etc/keys.json')
})
