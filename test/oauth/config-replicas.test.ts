import t from 'tap'
import { Redis } from 'ioredis'
import { buildApp } from '../../src/app.js'
import { SANDBOX_OAUTH_APP } from '../../sandbox/github-standin.js'
import { MCP_HEADERS, initializeBody, standin, testEnv } from '../helper.js'
import { ENCRYPTION_KEY, freePort, oauthGateway, signIn } from './helpers.js'

// OAuth configuration that cannot work stops the start with one line each; with Redis, a sign-in
// made on one replica is honoured by another.

t.test('misconfiguration stops at start with one line each', async (t) => {
  const gh = await standin(t)
  const oauth = { GITHUB_OAUTH_CLIENT_ID: SANDBOX_OAUTH_APP.clientId, GITHUB_OAUTH_CLIENT_SECRET: SANDBOX_OAUTH_APP.clientSecret }
  const cases: Array<[Record<string, string>, string[]]> = [
    [oauth, ['PUBLIC_URL is required when OAuth is on (GITHUB_OAUTH_CLIENT_ID or OAUTH_ISSUER)']],
    [{ GITHUB_OAUTH_CLIENT_ID: 'x', PUBLIC_URL: 'http://127.0.0.1:1' }, ['GITHUB_OAUTH_CLIENT_SECRET is required with GITHUB_OAUTH_CLIENT_ID']],
    [{ ...oauth, PUBLIC_URL: 'https://mcp.example.com', NODE_ENV: 'production' }, ['TOKEN_ENCRYPTION_KEY is required with GITHUB_OAUTH_CLIENT_ID when NODE_ENV=production']],
    [{ ...oauth, PUBLIC_URL: 'https://mcp.example.com', TOKEN_ENCRYPTION_KEY: 'short' }, ['TOKEN_ENCRYPTION_KEY must match pattern "^[A-Za-z0-9+/]{43}=$"']],
  ]
  for (const [env, problems] of cases) {
    const err = await buildApp({ env: testEnv(gh, env) }).then(async (app) => { await app.close(); return null }, (e: unknown) => e as { problems?: string[] })
    t.same(err?.problems, problems, JSON.stringify(env))
  }
})

t.test('two replicas sharing Redis: a token issued by one is accepted by the other; close() ends each Redis client', async (t) => {
  const gh = await standin(t)

  const one = await oauthGateway(t, { REDIS_URL: 'redis://127.0.0.1:6379' }, gh)
  const { provider, client } = await signIn(t, one.url, 'alice')
  await client.close()
  const port = await freePort()
  const two = await buildApp({ env: testEnv(gh, {
    PUBLIC_URL: one.url, GITHUB_WEB_URL: gh.url, TOKEN_ENCRYPTION_KEY: ENCRYPTION_KEY, REDIS_URL: 'redis://127.0.0.1:6379',
    GITHUB_OAUTH_CLIENT_ID: SANDBOX_OAUTH_APP.clientId, GITHUB_OAUTH_CLIENT_SECRET: SANDBOX_OAUTH_APP.clientSecret,
  }) })
  await two.listen({ port, host: '127.0.0.1' })
  const res = await fetch(`http://127.0.0.1:${port}/mcp`, { method: 'POST', headers: { ...MCP_HEADERS, authorization: `Bearer ${provider.saved?.access_token ?? ''}` }, body: JSON.stringify(initializeBody()) })
  t.equal(res.status, 200, 'the other replica found the token and the sealed GitHub token in Redis')
  await t.resolves(two.close(), 'close ends the replica (its Redis client included) without hanging')
})
