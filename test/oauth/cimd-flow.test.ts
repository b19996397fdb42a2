import t from 'tap'
import { CLIENT_REDIRECT, MemoryOAuthProvider, oauthGateway, signIn } from './helpers.js'
import { metadataHost } from './metadata-host.js'

// An MCP client known by the URL of its metadata document (Client ID Metadata Documents, the MCP
// authorization spec's preferred registration): it never registers; the gateway fetches the
// document, names the client from it, and the rest of the sign-in is the same as after
// registration.

t.test('the authorization server metadata says client ids may be metadata document URLs', async (t) => {
  const gw = await oauthGateway(t)
  for (const path of ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']) {
    const as = await (await fetch(gw.url + path)).json() as Record<string, unknown>
    t.equal(as.client_id_metadata_document_supported, true, path)
  }
})

t.test('an SDK client with a metadata document URL signs in without registering; its tokens are for /mcp', async (t) => {
  const host = await metadataHost(t)
  const clientId = host.url('/oauth/client-metadata.json')
  host.set('/oauth/client-metadata.json', {
    headers: { 'cache-control': 'max-age=300' },
    body: {
      client_id: clientId, client_name: 'Example MCP Client', client_uri: host.origin, redirect_uris: [CLIENT_REDIRECT],
      grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], token_endpoint_auth_method: 'none',
    },
  })
  const gw = await oauthGateway(t)
  const provider = new MemoryOAuthProvider()
  provider.clientMetadataUrl = clientId
  const { browser, client } = await signIn(t, gw.url, 'alice', provider)
  t.teardown(() => client.close())
  t.same(provider.client, { client_id: clientId, issuer: gw.url }, 'the client id is the document URL: nothing was registered')

  const consent = browser.pages.find((p) => p.url.includes('/oauth/interaction/'))
  t.match(consent?.body, /Allow “Example MCP Client” to use GitHub issues as you\?/, 'the consent page names the client from its document')
  t.match(consent?.body, `published at <code>${new URL(host.origin).host}</code>`, 'and shows where the document lives')
  t.match(consent?.body, /returns to a program on this computer<\/strong> \(<code>127\.0\.0\.1:9<\/code>\)/, 'and warns that a loopback redirect cannot prove which program asks')

  const access = provider.saved?.access_token ?? ''
  const token = await gw.app.oauth!.provider!.AccessToken.find(access)
  t.equal(token?.clientId, clientId, 'the token belongs to the document URL')
  t.equal(token?.aud, `${gw.url}/mcp`, 'and is bound to this gateway\'s /mcp (RFC 8707)')
  const res = await client.callTool({ name: 'create_issue', arguments: { owner: 'octo-org', repo: 'widgets', title: 'Signed in through a metadata document' } })
  t.notOk(res.isError)
  const made = gw.github.state.repos.find((r) => r.name === 'widgets')?.issues.find((i) => i.title === 'Signed in through a metadata document')
  t.equal(made?.user, 'alice', 'tool calls act as the signed-in user')

  const refreshed = await fetch(`${gw.url}/oauth/token`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: provider.saved?.refresh_token ?? '', client_id: clientId }),
  })
  t.equal(refreshed.status, 200, 'the refresh token works for the same client id')
  t.equal(host.hits.get('/oauth/client-metadata.json'), 1, 'the document was fetched once for the whole sign-in and the refresh (cached)')
})

t.test('a client registered by DCR is not shown a document host or the loopback warning', async (t) => {
  const gw = await oauthGateway(t)
  const { browser, client } = await signIn(t, gw.url, 'bob')
  await client.close()
  const consent = browser.pages.find((p) => p.url.includes('/oauth/interaction/'))
  t.match(consent?.body, /Test MCP Client/)
  t.notMatch(consent?.body, /published at|program on this computer/)
})
