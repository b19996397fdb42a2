import t from 'tap'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js'
import type { OAuthClientInformationMixed, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js'
import { API_KEY_HELP } from '../../plugins/oauth-discovery.js'
import { build } from '../helper.js'

const DISCOVERY = [
  '/.well-known/oauth-protected-resource',
  '/.well-known/oauth-protected-resource/mcp',
  '/.well-known/oauth-authorization-server',
  '/.well-known/openid-configuration'
]

t.test('discovery routes answer 404 with how to send an API key, without a key or a Host check', async (t) => {
  const { app } = await build(t)
  for (const url of DISCOVERY) {
    const res = await app.inject({ method: 'GET', url, headers: { host: 'evil.example' } })
    t.equal(res.statusCode, 404, url)
    t.match(res.json(), { error: 'not_found', error_description: API_KEY_HELP, message: API_KEY_HELP }, url)
  }
  t.match(API_KEY_HELP, /X-API-Key: <key>/)
  t.match(API_KEY_HELP, /Authorization: Bearer <key>/)
})

t.test('POST /register answers an RFC 7591 error carrying the API-key text, whatever the body', async (t) => {
  const { app } = await build(t)
  const bodies = [
    { headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ redirect_uris: ['http://localhost:1/cb'] }) },
    { headers: { 'content-type': 'application/json' }, payload: '{not json' },
    { headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'a=b' }
  ]
  for (const b of bodies) {
    const res = await app.inject({ method: 'POST', url: '/register', ...b })
    t.equal(res.statusCode, 400)
    t.match(res.json(), { error: 'registration_not_supported', error_description: API_KEY_HELP })
  }
})

/** The smallest OAuth provider an SDK client can be given: nothing stored, no browser. */
class NoBrowserProvider implements OAuthClientProvider {
  redirected = false
  private info?: OAuthClientInformationMixed
  get redirectUrl () { return 'http://127.0.0.1:9/callback' }
  get clientMetadata () { return { redirect_uris: ['http://127.0.0.1:9/callback'], client_name: 'test' } }
  clientInformation () { return this.info }
  saveClientInformation (info: OAuthClientInformationMixed) { this.info = info }
  tokens (): OAuthTokens | undefined { return undefined }
  saveTokens () {}
  redirectToAuthorization () { this.redirected = true }
  saveCodeVerifier () {}
  codeVerifier (): string { throw new Error('no verifier') }
}

t.test('an SDK client with an OAuth provider and no key shows the API-key text', async (t) => {
  const { app } = await build(t)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as { port: number }
  const provider = new NoBrowserProvider()
  const client = new Client({ name: 'oauth-client', version: '1.0.0' })
  const transport = new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`), { authProvider: provider })
  const err = await client.connect(transport).then(() => undefined, (e: unknown) => e)
  t.ok(err instanceof Error, 'connecting fails')
  t.equal((err as Error).message, API_KEY_HELP, 'with the text a user can act on')
  t.notOk(provider.redirected, 'no browser is opened for a sign-in that cannot work')
  await client.close()
})
