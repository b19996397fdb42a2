import t from 'tap'
import Fastify from 'fastify'
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
  t.same(await problems({}), ['GITHUB_TOKEN is required'])
  t.same(await problems({ GITHUB_TOKEN: 'x', PORT: '70000' }), ['PORT must be <= 65535'])
  t.same(await problems({ GITHUB_TOKEN: 'x', PORT: '0' }), ['PORT must be >= 1'])
  t.same(await problems({ GITHUB_TOKEN: 'x', PORT: 'abc' }), ['PORT must be integer'])
  t.same(await problems({ GITHUB_TOKEN: 'x', MCP_STATELESS: 'maybe' }), ['MCP_STATELESS must be boolean'])
  t.same(await problems({ GITHUB_TOKEN: 'x', LOG_LEVEL: 'verbose' }), ['LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent'])
  t.same(await problems({ GITHUB_TOKEN: 'x', NODE_ENV: 'production' }), ['AUTH_KEYS (or AUTH_KEYS_FILE) is required when NODE_ENV=production'])
  t.same(await problems({ GITHUB_TOKEN: 'x', REDIS_URL: 'localhost:6379' }), ['REDIS_URL must match pattern "^rediss?://"'])
  const many = await problems({ PORT: '-1', RATE_LIMIT_MAX: 'lots' })
  t.equal(many.length, 3, 'all problems at once, not only the first')
})

t.test('production with keys is accepted', async (t) => {
  const config = await load({ GITHUB_TOKEN: 'x', NODE_ENV: 'production', AUTH_KEYS: 'k1' })
  t.equal(config.NODE_ENV, 'production')
  const viaFile = await load({ GITHUB_TOKEN: 'x', NODE_ENV: 'production', AUTH_KEYS_FILE: '/etc/keys.json' })
  t.equal(viaFile.AUTH_KEYS_FILE, '/etc/keys.json')
})
