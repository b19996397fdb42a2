import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import t from 'tap'
import { JWKS_MAX_BYTES } from '../../src/oauth/provider.js'
import { CLIENT_REDIRECT } from './helpers.js'
import { cimdKit } from './cimd-kit.js'
import type { Route } from './metadata-host.js'

// What a fetched metadata document must say to be accepted, and what is done with the URLs in it.
const { gw, host, doc, serve, authorize, proceeds, refused } = await cimdKit(t)

t.test('the document\'s client_id must be its URL exactly', async (t) => {
  const others = [(id: string) => id.replace('.json', '-other.json'), (id: string) => id.replace('https://127.0.0.1', 'https://localhost'), (id: string) => `${id}?`]
  for (const other of others) {
    const { clientId } = serve((id) => ({ body: doc(other(id)) }))
    refused(t, await authorize(clientId), 'invalid_client_metadata', 'client_id metadata document client_id does not match the expected value', other(clientId))
  }
})

t.test('the redirect_uri must be one the document lists, exactly', async (t) => {
  const second = 'http://127.0.0.1:9/second'
  const { clientId } = serve((id) => ({ body: doc(id, { redirect_uris: [CLIENT_REDIRECT, second] }) }))
  proceeds(t, await authorize(clientId, { redirect_uri: second }), 'the second listed URI')
  for (const uri of ['https://evil.example/callback', `${CLIENT_REDIRECT}/x`, CLIENT_REDIRECT.replace('127.0.0.1', 'localhost'), `${CLIENT_REDIRECT}?x=1`]) {
    refused(t, await authorize(clientId, { redirect_uri: uri }), 'invalid_redirect_uri', /did not match/, uri)
  }
})

t.test('documents that are not acceptable are refused, each with its reason', async (t) => {
  const cases: Array<[string, (id: string) => Route, string, string | RegExp]> = [
    ['a 404', () => ({ status: 404, body: {} }), 'invalid_client', 'client_id metadata document fetch failed'],
    ['not JSON', () => ({ body: '<html>hello</html>' }), 'invalid_client', 'client_id metadata document fetch failed'],
    ['a JSON array', (id) => ({ body: [doc(id)] }), 'invalid_client_metadata', 'client_id metadata document is not a JSON object'],
    ['a client secret', (id) => ({ body: doc(id, { client_secret: 'shh' }) }), 'invalid_client_metadata', /must not contain client_secret/],
    ['a shared-secret auth method', (id) => ({ body: doc(id, { token_endpoint_auth_method: 'client_secret_basic' }) }), 'invalid_client_metadata', /shared-secret/],
    ['no redirect_uris', (id) => ({ body: doc(id, { redirect_uris: undefined }) }), 'invalid_redirect_uri', /redirect_uris/],
    ['an http client_uri', (id) => ({ body: doc(id, { client_uri: 'http://example.com' }) }), 'invalid_client_metadata', /client_uri must be an https: URL/],
  ]
  for (const [what, route, error, description] of cases) refused(t, await authorize(serve(route).clientId), error, description, what)
})

t.test('a sector_identifier_uri in a document is not fetched (no pairwise subjects here)', async (t) => {
  const sector = serve(() => ({ body: [CLIENT_REDIRECT] }))
  proceeds(t, await authorize(serve((id) => ({ body: doc(id, { sector_identifier_uri: sector.clientId }) })).clientId), 'with a sector_identifier_uri')
  t.equal(host.hits.get(sector.path), undefined, 'never asked')
})

t.test(`a private_key_jwt client: its jwks_uri is read up to ${JWKS_MAX_BYTES} bytes, a larger key set is refused`, async (t) => {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true })
  const jwk = { ...await exportJWK(publicKey), kid: 'k1', alg: 'ES256', use: 'sig' }
  // Token request with a made-up code: client authentication comes first, so invalid_grant means
  // the client's key was fetched and its assertion accepted, invalid_client that it was not.
  const tokenRequest = async (jwks: unknown) => {
    const keys = serve(() => ({ body: jwks }))
    const { clientId } = serve((id) => ({ body: doc(id, { token_endpoint_auth_method: 'private_key_jwt', jwks_uri: keys.clientId }) }))
    const assertion = await new SignJWT({}).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).setIssuer(clientId).setSubject(clientId)
      .setAudience(`${gw.url}/oauth/token`).setJti(crypto.randomUUID()).setIssuedAt().setExpirationTime('1m').sign(privateKey)
    const res = await fetch(`${gw.url}/oauth/token`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code', code: 'made-up', redirect_uri: CLIENT_REDIRECT, code_verifier: 'v'.repeat(43), client_id: clientId,
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion,
      }),
    })
    return { status: res.status, error: ((await res.json()) as { error?: string }).error, jwksHits: host.hits.get(keys.path) }
  }
  t.match(await tokenRequest({ keys: [jwk] }), { status: 400, error: 'invalid_grant', jwksHits: 1 }, 'a small key set: the client is authenticated')
  // The same key, with an unknown member that makes the set one byte too large.
  const set = { keys: [jwk], padding: '' }
  set.padding = 'x'.repeat(JWKS_MAX_BYTES + 1 - JSON.stringify(set).length)
  t.match(await tokenRequest(set), { status: 401, error: 'invalid_client' }, 'one byte over the limit: not read, the client is not authenticated')
  set.padding = set.padding.slice(1)
  t.match(await tokenRequest(set), { status: 400, error: 'invalid_grant' }, 'at the limit: read')
})
