import { Writable } from 'node:stream'
import { createServer, type Socket } from 'node:net'
import t from 'tap'
import { CompactSign, SignJWT, UnsecuredJWT, decodeJwt, decodeProtectedHeader, importJWK } from 'jose'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../src/app.js'
import { discoveryUrls } from '../../src/oauth/issuer.js'
import { KEY_A, MCP_HEADERS, initializeBody, standin, testEnv, type TestContext } from '../helper.js'
import type { GitHubStandin } from '../../sandbox/github-standin.js'
import { freePort } from './helpers.js'
import { identityProvider, signingKey } from './identity-provider.js'

// Resource-server mode (OAUTH_ISSUER): JWT access tokens issued by a real OpenID provider
// (oidc-provider, started here) are checked against its published keys; each rule has a token
// that breaks it, and the log says which rule refused it.

interface Gateway { app: FastifyInstance, url: string, logs: string[], github: GitHubStandin }

async function gateway (t: TestContext, env: Record<string, string>, github?: GitHubStandin): Promise<Gateway> {
  const gh = github ?? await standin(t)
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const logs: string[] = []
  const stream = new Writable({ write (chunk, _enc, done) { logs.push(String(chunk)); done() } })
  const app = await buildApp({ env: testEnv(gh, { PUBLIC_URL: url, LOG_LEVEL: 'info', ...env }), logger: { level: 'info', stream } })
  t.teardown(() => app.close())
  await app.listen({ port, host: '127.0.0.1' })
  return { app, url, logs, github: gh }
}

const idp = await identityProvider(t)
const gw = await gateway(t, { OAUTH_ISSUER: idp.issuer })
const resource = `${gw.url}/mcp`
const mcp = (url: string, headers: Record<string, string>) =>
  fetch(`${url}/mcp`, { method: 'POST', headers: { ...MCP_HEADERS, ...headers }, body: JSON.stringify(initializeBody()) })
const bearer = (token: string) => ({ authorization: `Bearer ${token}` })
const connect = async (t: TestContext, token: string) => {
  const client = new Client({ name: 'issuer-test', version: '1.0.0' })
  await client.connect(new StreamableHTTPClientTransport(new URL(resource), { requestInit: { headers: bearer(token) } }))
  t.teardown(() => client.close())
  return client
}
/** The reason the guard logged for the last refused token. */
const lastRefusal = (logs: string[]) => [...logs].reverse().map((l) => JSON.parse(l) as { authFailure?: string, reason?: string }).find((l) => l.authFailure !== undefined)

t.test('protected resource metadata names the issuer as the authorization server', async (t) => {
  for (const path of ['/.well-known/oauth-protected-resource', '/.well-known/oauth-protected-resource/mcp']) {
    const prm = await (await fetch(gw.url + path)).json()
    t.same(prm, { resource, authorization_servers: [idp.issuer], scopes_supported: ['issues:read', 'issues:write'], bearer_methods_supported: ['header'], resource_name: 'GitHub issues MCP gateway' })
  }
  const none = await mcp(gw.url, {})
  t.equal(none.status, 401)
  t.equal(none.headers.get('www-authenticate'), `Bearer resource_metadata="${gw.url}/.well-known/oauth-protected-resource/mcp", scope="issues:read issues:write"`)
  t.equal((await fetch(`${gw.url}/.well-known/oauth-authorization-server`)).status, 404, 'the gateway is no authorization server in this mode')
})

t.test('a token from the issuer with both scopes: write tools listed, GitHub calls made with the service credential, audit line names the subject', async (t) => {
  const token = await idp.token({ resource, scope: 'issues:read issues:write' })
  t.equal(decodeJwt(token).aud, resource, 'the provider bound the token to the gateway (RFC 8707)')
  const client = await connect(t, token)
  const names = (await client.listTools()).tools.map((x) => x.name)
  t.ok(names.includes('create_issue'))
  const res = await client.callTool({ name: 'create_issue', arguments: { owner: 'octo-org', repo: 'widgets', title: 'Filed through the issuer' } })
  t.notOk(res.isError)
  const made = gw.github.state.repos.find((r) => r.name === 'widgets')?.issues.find((i) => i.title === 'Filed through the issuer')
  t.equal(made?.user, gw.github.state.viewer, 'GitHub sees the service credential')
  const audit = gw.logs.map((l) => JSON.parse(l) as { msg?: string, key?: string, tool?: string }).find((l) => l.msg === 'tool call' && l.tool === 'create_issue')
  t.equal(audit?.key, 'oidc:svc', 'the audit line names the token\'s subject')
  t.notOk(gw.logs.some((l) => l.includes(token) || l.includes(token.split('.')[2])), 'the token is never logged')
})

t.test('issues:read only: write tools are not listed and a write call gets the 403 insufficient_scope challenge', async (t) => {
  const token = await idp.token({ resource, scope: 'issues:read' })
  const client = await connect(t, token)
  const names = (await client.listTools()).tools.map((x) => x.name)
  t.ok(names.includes('get_issue'))
  t.notOk(names.includes('create_issue'))
  await t.rejects(client.callTool({ name: 'create_issue', arguments: { owner: 'octo-org', repo: 'widgets', title: 'nope' } }), { code: 403 })
  const res = await fetch(resource, {
    method: 'POST', headers: { ...MCP_HEADERS, ...bearer(token), 'mcp-protocol-version': '2025-11-25' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'create_issue', arguments: { owner: 'octo-org', repo: 'widgets', title: 'nope' } } }),
  })
  t.equal(res.status, 403)
  t.equal(res.headers.get('www-authenticate'), `Bearer error="insufficient_scope", scope="issues:read issues:write", resource_metadata="${gw.url}/.well-known/oauth-protected-resource/mcp", ` +
    'error_description="create_issue needs the issues:write scope, which this access token was not granted"')
})

t.test('a session opened with a read-only token is not served to the same subject\'s wider token (404: it opens its own)', async (t) => {
  const narrow = await idp.token({ resource, scope: 'issues:read' })
  const opened = await mcp(gw.url, bearer(narrow))
  const session = opened.headers.get('mcp-session-id') ?? ''
  t.equal(opened.status, 200)
  const call = (token: string) => fetch(resource, {
    method: 'POST', headers: { ...MCP_HEADERS, ...bearer(token), 'mcp-session-id': session, 'mcp-protocol-version': '2025-11-25' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'create_issue', arguments: { owner: 'octo-org', repo: 'widgets', title: 'nope' } } }),
  })
  // The session's tools were fixed when it opened: served by it, the call would still be refused.
  t.equal((await call(await idp.token({ resource, scope: 'issues:read issues:write' }))).status, 404)
  t.equal((await call(narrow)).status, 403, 'the token that opened it still reaches it (and gets the challenge)')
})

t.test('a token with none of the scopes: 403 insufficient_scope with the scopes to ask for', async (t) => {
  const token = await idp.token({ resource })
  t.notOk(decodeJwt(token).scope, 'the provider granted no scope')
  const res = await mcp(gw.url, bearer(token))
  t.equal(res.status, 403)
  t.match(res.headers.get('www-authenticate'), /error="insufficient_scope"/)
  t.match(res.headers.get('www-authenticate'), /scope="issues:read issues:write"/)
  t.equal(((await res.json()) as { error: string }).error, 'insufficient_scope')
})

t.test('scopes in an `scp` claim (Okta, Entra ID) count like `scope`', async (t) => {
  const { tokenScopes } = await import('../../src/oauth/issuer.js')
  t.same(tokenScopes({ scp: ['issues:read', 'other'] }), ['issues:read'])
  t.same(tokenScopes({ scp: 'issues:write openid' }), ['issues:write'])
  t.same(tokenScopes({ scope: 'issues:read', scp: ['issues:write'] }), ['issues:read', 'issues:write'])
  t.same(tokenScopes({ scope: 'issues:readx issues' }), [])
})

t.test('refused with 401 invalid_token, each for its own reason', async (t) => {
  const good = await idp.token({ resource, scope: 'issues:read issues:write' })
  t.equal((await mcp(gw.url, bearer(good))).status, 200, 'the good token is accepted')
  const [header, payload] = good.split('.')
  const claims = decodeJwt(good)
  const other = await signingKey(decodeProtectedHeader(good).kid)
  const resign = async (key: typeof other, changes: Record<string, unknown> = {}, kid = key.kid) =>
    await new SignJWT({ ...claims, ...changes }).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid }).sign(await importJWK(key))
  const otherIssuer = await identityProvider(t, { key: idp.key })
  const cases: Array<[string, Promise<string>, RegExp]> = [
    ['for another audience', idp.token({ resource: 'https://other.example/mcp', scope: 'issues:read' }), /"aud"/],
    ['from another issuer signing with the same key', otherIssuer.token({ resource, scope: 'issues:read' }), /"iss"/],
    ['signed by another key under the same kid', resign(other), /signature verification failed/],
    ['signed by a key the issuer does not publish', resign(await signingKey('unknown-kid')), /no applicable key/],
    ['with its claims changed after signing', Promise.resolve(`${header}.${Buffer.from(JSON.stringify({ ...claims, sub: 'admin' })).toString('base64url')}.${good.split('.')[2]}`), /signature verification failed/],
    ['unsigned (alg none)', Promise.resolve(new UnsecuredJWT(claims).encode()), /"alg"/],
    ['an HMAC token', new CompactSign(Buffer.from(payload, 'base64url')).setProtectedHeader({ alg: 'HS256' }).sign(new Uint8Array(32)), /"alg"/],
    ['not a JWT at all', Promise.resolve('opaque-token-value'), /JWS|JWT/],
  ]
  for (const [name, token, reason] of cases) {
    const res = await mcp(gw.url, bearer(await token))
    t.equal(res.status, 401, name)
    t.match(res.headers.get('www-authenticate'), /error="invalid_token"/, name)
    t.match(lastRefusal(gw.logs)?.reason, reason, `${name}: refused for that reason`)
  }
})

t.test('an expired token is refused', async (t) => {
  const token = await idp.token({ resource, scope: 'issues:read', client: 'short' })
  t.equal((await mcp(gw.url, bearer(token))).status, 200, 'accepted while it lasts')
  // One second of life plus the verifier's five seconds of clock tolerance.
  await new Promise((resolve) => setTimeout(resolve, ((decodeJwt(token).exp ?? 0) + 6) * 1000 - Date.now()))
  const res = await mcp(gw.url, bearer(token))
  t.equal(res.status, 401)
  t.match(res.headers.get('www-authenticate'), /error="invalid_token"/)
  t.match(lastRefusal(gw.logs)?.reason, /"exp"/)
})

t.test('API keys keep working beside the issuer\'s tokens', async (t) => {
  t.equal((await mcp(gw.url, { 'x-api-key': KEY_A })).status, 200)
  t.equal((await mcp(gw.url, bearer(KEY_A))).status, 200)
  t.equal((await mcp(gw.url, { 'x-api-key': 'wrong' })).status, 403)
})

t.test('OAUTH_AUDIENCE replaces the default audience; discovery at RFC 8414\'s address alone works', async (t) => {
  const idp8414 = await identityProvider(t, { rfc8414Only: true })
  const custom = await gateway(t, { OAUTH_ISSUER: idp8414.issuer, OAUTH_AUDIENCE: 'api://mcp-gateway' })
  t.equal((await mcp(custom.url, bearer(await idp8414.token({ resource: 'api://mcp-gateway', scope: 'issues:read' })))).status, 200)
  t.equal((await mcp(custom.url, bearer(await idp8414.token({ resource: `${custom.url}/mcp`, scope: 'issues:read' })))).status, 401, 'PUBLIC_URL/mcp is not the audience then')
  t.same(discoveryUrls('https://idp.example/realms/acme/'), [
    'https://idp.example/.well-known/oauth-authorization-server/realms/acme',
    'https://idp.example/.well-known/openid-configuration/realms/acme',
    'https://idp.example/realms/acme/.well-known/openid-configuration',
  ], 'an issuer with a path: RFC 8414 and OpenID Connect addresses, in the MCP spec\'s order')
})

t.test('an unreachable issuer: 503 with Retry-After (not a refusal of the token), and the cause in the log', async (t) => {
  const down = await gateway(t, { OAUTH_ISSUER: `http://127.0.0.1:${await freePort()}` })
  const res = await mcp(down.url, bearer(await idp.token({ resource: `${down.url}/mcp`, scope: 'issues:read' })))
  t.equal(res.status, 503)
  t.equal(res.headers.get('retry-after'), '5')
  t.ok(down.logs.some((l) => l.includes('no discovery document for')))
})

t.test('a discovery document for another issuer is not used', async (t) => {
  // The provider answers for its own issuer; configured with a trailing slash, the names differ.
  const wrong = await gateway(t, { OAUTH_ISSUER: `${idp.issuer}/` })
  t.equal((await mcp(wrong.url, bearer(await idp.token({ resource: `${wrong.url}/mcp`, scope: 'issues:read' })))).status, 503)
  t.ok(wrong.logs.some((l) => l.includes('not OAUTH_ISSUER')))
})

t.test('production with OAUTH_ISSUER and no API keys starts and accepts the issuer\'s tokens', async (t) => {
  const prod = await gateway(t, { OAUTH_ISSUER: idp.issuer, NODE_ENV: 'production', AUTH_KEYS: '' })
  t.equal((await mcp(prod.url, bearer(await idp.token({ resource: `${prod.url}/mcp`, scope: 'issues:read' })))).status, 200)
  t.equal((await mcp(prod.url, { 'x-api-key': KEY_A })).status, 403, 'no keys configured')
})

t.test('close() stops a discovery in flight', async (t) => {
  // An issuer that accepts connections and never answers: discovery would wait out its timeout.
  const sockets: Socket[] = []
  const hang = createServer((s) => { sockets.push(s) })
  await new Promise<void>((resolve) => hang.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { for (const s of sockets) s.destroy(); hang.close() })
  const logs: string[] = []
  const stream = new Writable({ write (chunk, _enc, done) { logs.push(String(chunk)); done() } })
  const gh = await standin(t)
  const issuer = `http://127.0.0.1:${(hang.address() as { port: number }).port}`
  const app = await buildApp({ env: testEnv(gh, { PUBLIC_URL: 'http://127.0.0.1:1', OAUTH_ISSUER: issuer, LOG_LEVEL: 'info' }), logger: { level: 'info', stream } })
  while (sockets.length === 0) await new Promise((resolve) => setTimeout(resolve, 10))
  const started = Date.now()
  await app.close()
  while (!logs.some((l) => l.includes('issuer discovery failed')) && Date.now() - started < 4000) await new Promise((resolve) => setTimeout(resolve, 10))
  t.ok(Date.now() - started < 2500, 'the discovery ended at close, not at its 5 s timeout')
  t.match(logs.find((l) => l.includes('issuer discovery failed')), /aborted/)
  t.equal(sockets.length, 1, 'and tried no further address')
})
