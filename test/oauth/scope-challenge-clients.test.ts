import t, { type Test } from 'tap'
import { Client, StreamableHTTPClientTransport, UnauthorizedError } from '@modelcontextprotocol/client'
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport as V1Transport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { MODERN, post, rpc, widgets } from '../mcp/era-2026-kit.js'
import { Browser, type MemoryOAuthProvider, oauthGateway } from './helpers.js'
import { bearer, issuesTitled, readOnlyProvider, tokensFor } from './scope-kit.js'

// The step-up as MCP clients go through it: the v2 SDK client, challenged for a write call with a
// read-only sign-in, sends the user to authorize again with the wider scope and retries, in the
// 2026-07-28 era and in a 2025 session; the v1 SDK client with a refresh token cannot. And the
// gateway's own access tokens on 2026-07-28 requests at all.

const gw = await oauthGateway(t)
const mcpUrl = `${gw.url}/mcp`

/** What the user does when the client opens the browser: consent, sign in, and hand the callback to the client. */
async function authorizeInBrowser (t: Test, provider: MemoryOAuthProvider, login: string): Promise<URLSearchParams> {
  const url = provider.authorizationUrl
  if (url === undefined) throw new Error('the client never opened the browser')
  // The SDK adds offline_access, which the authorization server's metadata offers.
  const asked = url.searchParams.get('scope')?.split(' ') ?? []
  t.ok(asked.includes('issues:read') && asked.includes('issues:write'), 'the client asks for the scopes the challenge named')
  t.equal(url.searchParams.get('resource'), mcpUrl)
  const back = await new Browser().authorize(url, login)
  return back.searchParams
}

t.test('2026-07-28 with an access token of the gateway\'s own authorization server: tools/list and get_issue', async (t) => {
  const { tokens } = await tokensFor(gw, 'dave', 'issues:read issues:write')
  const sessions = gw.app.sessions.size
  const client = new Client({ name: 'modern-oauth', version: '1.0.0' }, { versionNegotiation: { mode: { pin: MODERN } } })
  await client.connect(new StreamableHTTPClientTransport(new URL(mcpUrl), { requestInit: { headers: bearer(tokens.access_token) } }))
  t.teardown(() => client.close())
  t.equal(client.getProtocolEra(), 'modern')
  const names = (await client.listTools()).tools.map((x) => x.name)
  t.ok(names.includes('get_issue') && names.includes('create_issue'), 'both scopes: read and write tools listed')
  const issue = await client.callTool({ name: 'get_issue', arguments: { ...widgets, issue_number: 1 } }) as { isError?: boolean, structuredContent?: { number?: number } }
  t.notOk(issue.isError)
  t.equal(issue.structuredContent?.number, 1)
  t.equal(gw.app.sessions.size, sessions, 'no session was opened')
})

t.test('step-up with the SDK client, 2026-07-28: 403 → authorize again with issues:write → the call goes through', async (t) => {
  const provider = await readOnlyProvider(gw, 'alice')
  const transport = new StreamableHTTPClientTransport(new URL(mcpUrl), { authProvider: provider })
  const client = new Client({ name: 'step-up-modern', version: '1.0.0' }, { versionNegotiation: { mode: { pin: MODERN } } })
  await client.connect(transport)
  t.teardown(() => client.close())
  t.notOk((await client.listTools()).tools.some((x) => x.name === 'create_issue'), 'read-only: no write tools listed')
  const call = () => client.callTool({ name: 'create_issue', arguments: { ...widgets, title: 'Filed after a step-up' } })

  await t.rejects(call(), UnauthorizedError, 'the challenge sends the user to authorize')
  t.equal(provider.redirects, 1)
  await transport.finishAuth(await authorizeInBrowser(t, provider, 'alice'))
  t.equal(provider.saved?.scope, 'issues:read issues:write', 'the new token holds both scopes')

  const res = await call() as { isError?: boolean }
  t.notOk(res.isError, 'the same call, retried, is served')
  t.equal(issuesTitled(gw, 'Filed after a step-up')[0]?.user, 'alice')
  // The client keeps its cached list for the list's ttlMs; the server lists the write tools now.
  const listed = await post({ url: mcpUrl, auth: bearer(provider.saved?.access_token ?? '') }, rpc(9, 'tools/list'))
  t.ok((listed.answer?.result?.tools as Array<{ name: string }>).some((x) => x.name === 'create_issue'), 'the new token sees the write tools')
})

t.test('step-up with the SDK client, 2025 session: after authorizing again the session is gone (404), a new one serves the call', async (t) => {
  const provider = await readOnlyProvider(gw, 'bob')
  const transport = new StreamableHTTPClientTransport(new URL(mcpUrl), { authProvider: provider })
  const client = new Client({ name: 'step-up-legacy', version: '1.0.0' })
  await client.connect(transport)
  t.teardown(() => client.close())
  t.equal(client.getProtocolEra(), 'legacy')
  const call = (c: Client) => c.callTool({ name: 'create_issue', arguments: { ...widgets, title: 'Filed in a new session' } })

  await t.rejects(call(client), UnauthorizedError)
  await transport.finishAuth(await authorizeInBrowser(t, provider, 'bob'))
  // A session keeps the access it was opened with and belongs to the sign-in that opened it: the
  // new sign-in is not its owner. A client opens a new session on 404, as the transport spec says.
  await t.rejects(call(client), { message: /Session not found/ }, 'the old session is not the new sign-in\'s')
  const again = new Client({ name: 'step-up-legacy', version: '1.0.0' })
  await again.connect(new StreamableHTTPClientTransport(new URL(mcpUrl), { authProvider: provider }))
  t.teardown(() => again.close())
  const res = await call(again) as { isError?: boolean }
  t.notOk(res.isError)
  t.equal(issuesTitled(gw, 'Filed in a new session')[0]?.user, 'bob')
})

t.test('the v1 SDK client holding a refresh token refreshes instead of authorizing again, and gives up (its limit, not the gateway\'s)', async (t) => {
  const provider = await readOnlyProvider(gw, 'carol')
  t.ok(provider.saved?.refresh_token, 'the read-only sign-in came with a refresh token')
  const client = new V1Client({ name: 'step-up-v1', version: '1.0.0' })
  await client.connect(new V1Transport(new URL(mcpUrl), { authProvider: provider }))
  t.teardown(() => client.close())
  // A refresh cannot widen a grant (RFC 6749 §6), so the retried call meets the same challenge.
  await t.rejects(client.callTool({ name: 'create_issue', arguments: { ...widgets, title: 'v1 step-up' } }), { code: 403, message: /after trying upscoping/ })
  t.equal(provider.redirects, 0, 'the user was never sent to authorize')
  t.same(issuesTitled(gw, 'v1 step-up'), [])
})
