import t, { type Test } from 'tap'
import { buildApp } from '../../src/app.js'
import { SANDBOX_OAUTH_APP } from '../../sandbox/github-standin.js'
import { MCP_HEADERS, initializeBody, standin, testEnv } from '../helper.js'
import { ENCRYPTION_KEY, freePort, oauthGateway, signIn } from './helpers.js'

// A refresh token is accepted once, even when several requests present it at the same moment on
// two replicas sharing Redis: exactly one gets new tokens, and the others are reuse, which revokes
// the whole family (the winner's new tokens included). (Within one process the race does not show:
// the store's claim is checked in test/oauth/kv.test.ts, each interleaving in test/oauth/adapter.test.ts.)

const RACERS = 6

async function race (t: Test, urls: string[]) {
  const { provider, client } = await signIn(t, urls[0], 'bob')
  await client.close()
  const refresh = async (url: string, token: string) => {
    const res = await fetch(`${url}/oauth/token`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: token, client_id: provider.client?.client_id ?? '' }),
    })
    return { status: res.status, body: await res.json() as Record<string, string> }
  }
  const token = provider.saved?.refresh_token ?? ''
  const results = await Promise.all(Array.from({ length: RACERS }, async (_, i) => await refresh(urls[i % urls.length], token)))
  const won = results.filter((r) => r.status === 200)
  t.equal(won.length, 1, `exactly one of ${RACERS} concurrent refreshes is accepted (statuses ${results.map((r) => r.status).join(' ')})`)
  for (const lost of results.filter((r) => r.status !== 200)) t.match(lost, { status: 400, body: { error: 'invalid_grant' } })
  const winner = won[0]?.body ?? {}
  t.equal((await refresh(urls[0], winner.refresh_token ?? '')).status, 400, 'the reuse revoked the winner\'s new refresh token')
  const mcp = await fetch(`${urls[0]}/mcp`, { method: 'POST', headers: { ...MCP_HEADERS, authorization: `Bearer ${winner.access_token ?? ''}` }, body: JSON.stringify(initializeBody()) })
  t.equal(mcp.status, 401, 'and its new access token')
}

t.test('two replicas sharing Redis', async (t) => {
  const gh = await standin(t)
  const one = await oauthGateway(t, { REDIS_URL: 'redis://127.0.0.1:6379' }, gh)
  const port = await freePort()
  const two = await buildApp({ env: testEnv(gh, {
    PUBLIC_URL: one.url, GITHUB_WEB_URL: gh.url, TOKEN_ENCRYPTION_KEY: ENCRYPTION_KEY, REDIS_URL: 'redis://127.0.0.1:6379',
    GITHUB_OAUTH_CLIENT_ID: SANDBOX_OAUTH_APP.clientId, GITHUB_OAUTH_CLIENT_SECRET: SANDBOX_OAUTH_APP.clientSecret,
  }) })
  t.teardown(() => two.close())
  await two.listen({ port, host: '127.0.0.1' })
  await race(t, [one.url, `http://127.0.0.1:${port}`])
})
