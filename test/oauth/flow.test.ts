import t from 'tap'
import { oauthGateway, signIn } from './helpers.js'

// What a user of Claude, mcp-remote or any SDK client does: connect by URL alone, get sent to
// sign in, consent, pick a GitHub account, and come back with tokens. Their tool calls then act
// as them on GitHub.

t.test('discovery → registration → consent → GitHub login → tokens → create_issue authored by the signed-in user', async (t) => {
  const gw = await oauthGateway(t)
  const { provider, browser, back, client } = await signIn(t, gw.url, 'alice')
  t.teardown(() => client.close())
  t.equal(back.searchParams.get('iss'), gw.url, 'the authorization response names its issuer (RFC 9207)')
  const consent = browser.pages.find((p) => p.url.includes('/oauth/interaction/'))
  t.match(consent?.body, /Test MCP Client/, 'the consent page names the MCP client')
  t.match(consent?.body, /issues:write/)
  t.ok(browser.pages.some((p) => p.url.startsWith(`${gw.github.url}/login/oauth/authorize`)), 'the user signed in on (sandbox) GitHub after consenting')
  t.match(provider.saved, { token_type: /bearer/i })
  t.ok(provider.saved?.refresh_token, 'a refresh token came with it')

  const res = await client.callTool({ name: 'create_issue', arguments: { owner: 'octo-org', repo: 'widgets', title: 'Signed in as alice' } })
  t.notOk(res.isError)
  const made = gw.github.state.repos.find((r) => r.name === 'widgets')?.issues.find((i) => i.title === 'Signed in as alice')
  t.equal(made?.user, 'alice', 'GitHub sees the user, not the service token')
  for (const page of browser.pages) t.notMatch(page.body, /gho_/, 'no GitHub token on any page')
  t.notMatch(JSON.stringify(provider.saved), /gho_/, 'the client holds only the gateway\'s tokens')
})

t.test('refresh rotates: the new refresh token works, the old one is refused and its reuse revokes the family', async (t) => {
  const gw = await oauthGateway(t)
  const { provider, client } = await signIn(t, gw.url, 'bob')
  await client.close()
  const tokenUrl = `${gw.url}/oauth/token`
  const clientId = provider.client?.client_id ?? ''
  const refresh = async (token: string) => {
    const res = await fetch(tokenUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: token, client_id: clientId }) })
    return { status: res.status, body: await res.json() as Record<string, string> }
  }
  const first = provider.saved?.refresh_token ?? ''
  const access1 = provider.saved?.access_token ?? ''
  const r1 = await refresh(first)
  t.equal(r1.status, 200)
  t.not(r1.body.refresh_token, first, 'a new refresh token each time')
  const mcp = (token: string) => fetch(`${gw.url}/mcp`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'x', version: '1' } } }) })
  t.equal((await mcp(r1.body.access_token)).status, 200, 'the refreshed access token works')
  const reuse = await refresh(first)
  t.equal(reuse.status, 400)
  t.equal(reuse.body.error, 'invalid_grant')
  t.equal((await refresh(r1.body.refresh_token)).status, 400, 'reusing the old token revoked the rotated one too')
  const after = await mcp(r1.body.access_token)
  t.equal(after.status, 401, 'and every access token of the family')
  t.match(after.headers.get('www-authenticate'), /error="invalid_token"/)
  t.equal((await mcp(access1)).status, 401)
})
