import { createHash, randomBytes } from 'node:crypto'
import t from 'tap'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { KEY_A, MCP_HEADERS, initializeBody } from '../helper.js'
import { Browser, CLIENT_REDIRECT, MemoryOAuthProvider, oauthGateway, signIn } from './helpers.js'

// One test per rule of the authorization server and the /mcp guard, each failing without it.
const gw = await oauthGateway(t)
const metadataUrl = `${gw.url}/.well-known/oauth-protected-resource/mcp`
const mcp = (headers: Record<string, string>) => fetch(`${gw.url}/mcp`, { method: 'POST', headers: { ...MCP_HEADERS, ...headers }, body: JSON.stringify(initializeBody()) })

async function register (redirectUris = [CLIENT_REDIRECT]): Promise<string> {
  const res = await fetch(`${gw.url}/oauth/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ client_name: 'Rules', redirect_uris: redirectUris, token_endpoint_auth_method: 'none', grant_types: ['authorization_code', 'refresh_token'] }) })
  t.equal(res.status, 201, 'dynamic client registration (RFC 7591)')
  return ((await res.json()) as { client_id: string }).client_id
}

const pkce = () => {
  const verifier = randomBytes(32).toString('base64url')
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') }
}
const authorizeUrl = (clientId: string, extra: Record<string, string>) => `${gw.url}/oauth/authorize?${new URLSearchParams({
  response_type: 'code', client_id: clientId, redirect_uri: CLIENT_REDIRECT, scope: 'issues:read issues:write', state: 's', resource: `${gw.url}/mcp`, ...extra,
})}`
const exchange = async (clientId: string, code: string, verifier: string) => {
  const res = await fetch(`${gw.url}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'authorization_code', code, code_verifier: verifier, client_id: clientId, redirect_uri: CLIENT_REDIRECT }) })
  return { status: res.status, body: await res.json() as Record<string, string> }
}

t.test('metadata: protected resource (RFC 9728) at both addresses, authorization server (RFC 8414)', async (t) => {
  for (const path of ['/.well-known/oauth-protected-resource', '/.well-known/oauth-protected-resource/mcp']) {
    const prm = await (await fetch(gw.url + path)).json()
    t.same(prm, { resource: `${gw.url}/mcp`, authorization_servers: [gw.url], scopes_supported: ['issues:read', 'issues:write'], bearer_methods_supported: ['header'], resource_name: 'GitHub issues MCP gateway' })
  }
  const as = await (await fetch(`${gw.url}/.well-known/oauth-authorization-server`)).json() as Record<string, unknown>
  t.match(as, { issuer: gw.url, registration_endpoint: `${gw.url}/oauth/register`, revocation_endpoint: `${gw.url}/oauth/revoke`, code_challenge_methods_supported: ['S256'], authorization_response_iss_parameter_supported: true })
})

t.test('every 401 on /mcp names the resource metadata; a bad token adds error="invalid_token"', async (t) => {
  const none = await mcp({})
  t.equal(none.status, 401)
  t.equal(none.headers.get('www-authenticate'), `Bearer resource_metadata="${metadataUrl}", scope="issues:read issues:write"`)
  const bad = await mcp({ authorization: 'Bearer not-a-token' })
  t.equal(bad.status, 401)
  t.match(bad.headers.get('www-authenticate'), `resource_metadata="${metadataUrl}"`)
  t.match(bad.headers.get('www-authenticate'), 'error="invalid_token"')
})

t.test('a tampered token, an expired one and one for another audience get 401 invalid_token', async (t) => {
  const { provider, client } = await signIn(t, gw.url, 'alice')
  await client.close()
  const good = provider.saved?.access_token ?? ''
  t.equal((await mcp({ authorization: `Bearer ${good}` })).status, 200)
  const tampered = good.slice(0, -2) + (good.endsWith('AA') ? 'BB' : 'AA')
  t.match((await mcp({ authorization: `Bearer ${tampered}` })).headers.get('www-authenticate'), 'error="invalid_token"')
  // Tokens minted by this server's own models, as the token endpoint would: one for another
  // audience, one already expired; both under alice's live grant.
  const provider_ = gw.app.oauth!.provider!
  const real = await provider_.AccessToken.find(good)
  const client_ = await provider_.Client.find(real!.clientId!)
  const mint = async (aud: string, expiresIn: number) => {
    const token = new provider_.AccessToken({ accountId: real!.accountId, client: client_!, grantId: real!.grantId, gty: 'authorization_code', scope: 'issues:read issues:write', expiresIn })
    token.aud = aud
    return await token.save()
  }
  const other = await mint('https://other.example/mcp', 600)
  const otherRes = await mcp({ authorization: `Bearer ${other}` })
  t.equal(otherRes.status, 401, 'another audience')
  t.match(otherRes.headers.get('www-authenticate'), 'error="invalid_token"')
  t.equal((await mcp({ authorization: `Bearer ${await mint(`${gw.url}/mcp`, 600)}` })).status, 200, 'the same token for this audience works')
  const expiring = await mint(`${gw.url}/mcp`, 1)
  await new Promise((resolve) => setTimeout(resolve, 2100))
  const expired = await mcp({ authorization: `Bearer ${expiring}` })
  t.equal(expired.status, 401, 'expired')
  t.match(expired.headers.get('www-authenticate'), 'error="invalid_token"')
})

t.test('PKCE: a wrong verifier fails, plain is refused, a request without a challenge is refused', async (t) => {
  const clientId = await register()
  const browser = new Browser()
  const { challenge } = pkce()
  const back = await browser.authorize(authorizeUrl(clientId, { code_challenge: challenge, code_challenge_method: 'S256' }), 'carol')
  const wrong = await exchange(clientId, back.searchParams.get('code') ?? '', pkce().verifier)
  t.equal(wrong.status, 400)
  t.equal(wrong.body.error, 'invalid_grant')
  for (const extra of [{ code_challenge: 'a'.repeat(43), code_challenge_method: 'plain' }, {} as Record<string, string>]) {
    const res = await fetch(authorizeUrl(clientId, extra), { redirect: 'manual' })
    const to = new URL(res.headers.get('location') ?? '', gw.url)
    t.equal(to.searchParams.get('error'), 'invalid_request', `refused: ${JSON.stringify(extra)}`)
  }
})

t.test('an unregistered redirect URI is never redirected to', async (t) => {
  const clientId = await register()
  const { challenge } = pkce()
  const res = await fetch(authorizeUrl(clientId, { code_challenge: challenge, code_challenge_method: 'S256', redirect_uri: 'https://evil.example/cb' }), { redirect: 'manual' })
  t.equal(res.status, 400)
  t.equal(res.headers.get('location'), null)
  const near = await fetch(authorizeUrl(clientId, { code_challenge: challenge, code_challenge_method: 'S256', redirect_uri: `${CLIENT_REDIRECT}/x` }), { redirect: 'manual' })
  t.equal(near.headers.get('location'), null, 'exact match: a longer path is not the registered URI')
})

t.test('a token for another resource is not issued (RFC 8707)', async (t) => {
  const clientId = await register()
  const { challenge } = pkce()
  const res = await fetch(authorizeUrl(clientId, { code_challenge: challenge, code_challenge_method: 'S256', resource: 'https://other.example/mcp' }), { redirect: 'manual' })
  const to = new URL(res.headers.get('location') ?? '', gw.url)
  t.equal(to.searchParams.get('error'), 'invalid_target')
})

t.test('revocation (RFC 7009): a revoked access token gets 401', async (t) => {
  const { provider, client } = await signIn(t, gw.url, 'dave')
  await client.close()
  const token = provider.saved?.access_token ?? ''
  t.equal((await mcp({ authorization: `Bearer ${token}` })).status, 200)
  const res = await fetch(`${gw.url}/oauth/revoke`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token, client_id: provider.client?.client_id ?? '' }) })
  t.equal(res.status, 200)
  const after = await mcp({ authorization: `Bearer ${token}` })
  t.equal(after.status, 401)
  t.match(after.headers.get('www-authenticate'), 'error="invalid_token"')
})

t.test('scopes: a read-only sign-in lists no write tools, and a write call is refused with a 403 insufficient_scope challenge', async (t) => {
  const clientId = await register()
  const { challenge, verifier } = pkce()
  const back = await new Browser().authorize(authorizeUrl(clientId, { code_challenge: challenge, code_challenge_method: 'S256', scope: 'issues:read' }), 'erin')
  const tokens = await exchange(clientId, back.searchParams.get('code') ?? '', verifier)
  t.equal(tokens.body.scope, 'issues:read')
  const client = new Client({ name: 'read-only', version: '1.0.0' })
  await client.connect(new StreamableHTTPClientTransport(new URL(`${gw.url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${tokens.body.access_token}` } } }))
  t.teardown(() => client.close())
  const names = (await client.listTools()).tools.map((x) => x.name)
  t.ok(names.includes('get_issue'))
  t.notOk(names.includes('create_issue'), 'write tools are not listed')
  // The step-up itself, both eras and the SDK's re-authorization: scope-challenge.test.ts.
  await t.rejects(client.callTool({ name: 'create_issue', arguments: { owner: 'octo-org', repo: 'widgets', title: 'nope' } }), { code: 403, message: /insufficient_scope/ })
})

t.test('API keys keep working on the same /mcp with OAuth on, and a key-header client is never sent to sign in', async (t) => {
  t.equal((await mcp({ 'x-api-key': KEY_A })).status, 200)
  t.equal((await mcp({ authorization: `Bearer ${KEY_A}` })).status, 200, 'a key as a bearer is still a key')
  t.equal((await mcp({ 'x-api-key': 'wrong-key' })).status, 403, 'a wrong key header is still 403, not an OAuth challenge')
  const provider = new MemoryOAuthProvider()
  const client = new Client({ name: 'keyed', version: '1.0.0' })
  await client.connect(new StreamableHTTPClientTransport(new URL(`${gw.url}/mcp`), { authProvider: provider, requestInit: { headers: { 'x-api-key': KEY_A } } }))
  t.teardown(() => client.close())
  const res = await client.callTool({ name: 'get_issue', arguments: { owner: 'octo-org', repo: 'widgets', issue_number: 1 } })
  t.notOk(res.isError)
  t.equal(provider.redirects, 0, 'never redirected to sign in')
  t.equal(provider.client, undefined, 'never registered')
})
