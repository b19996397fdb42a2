// A real OpenID provider (oidc-provider) on loopback, standing in for Keycloak, Auth0, Okta or
// Entra ID in resource-server tests: it issues JWT access tokens for a resource indicator
// (RFC 8707) through the client_credentials grant, signed with its own key, published at its
// jwks_uri and found through its discovery document.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { exportJWK, generateKeyPair, type JWK } from 'jose'
import Provider from 'oidc-provider'
import type { TestContext } from '../helper.js'
import { freePort } from './helpers.js'

export const SCOPE = 'issues:read issues:write'
/** Its clients: `svc` gets 10-minute tokens, `short` one-second ones. */
export const CLIENTS = { svc: 'svc-secret', short: 'short-secret' } as const

export interface IdentityProviderOptions {
  /** The signing key (a private JWK with kid and alg); default: a fresh ES256 key. */
  key?: JWK
  /** Serve discovery only at RFC 8414's address, as some authorization servers do. */
  rfc8414Only?: boolean
}

export interface IdentityProvider {
  issuer: string
  key: JWK
  /** An access token from the token endpoint (client_credentials), for `resource` and `scope`. */
  token (opts: { resource: string, scope?: string, client?: keyof typeof CLIENTS }): Promise<string>
}

export async function signingKey (kid = 'idp-key'): Promise<JWK> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true })
  return { ...await exportJWK(privateKey), kid, alg: 'ES256', use: 'sig' }
}

export async function identityProvider (t: TestContext, opts: IdentityProviderOptions = {}): Promise<IdentityProvider> {
  const key = opts.key ?? await signingKey()
  const port = await freePort()
  const issuer = `http://127.0.0.1:${port}`
  const provider = new Provider(issuer, {
    clients: Object.entries(CLIENTS).map(([id, secret]) => ({
      client_id: id, client_secret: secret, grant_types: ['client_credentials'], redirect_uris: [], response_types: [], scope: SCOPE,
    })),
    jwks: { keys: [key] },
    clientDefaults: { id_token_signed_response_alg: 'ES256' },
    scopes: ['openid', ...SCOPE.split(' ')],
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        // Any audience a client asks for: the tests ask for the wrong one on purpose.
        getResourceServerInfo: (_ctx, resource, client) => ({
          scope: SCOPE, audience: resource, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'ES256' } },
          accessTokenTTL: client.clientId === 'short' ? 1 : 600,
        }),
      },
    },
  })
  const callback = provider.callback()
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (opts.rfc8414Only === true) {
      if (req.url === '/.well-known/openid-configuration') { res.statusCode = 404; res.end(); return }
      if (req.url === '/.well-known/oauth-authorization-server') req.url = '/.well-known/openid-configuration'
    }
    callback(req, res)
  })
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  t.teardown(() => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve) }))

  return {
    issuer,
    key,
    async token ({ resource, scope, client = 'svc' }) {
      const body = new URLSearchParams({ grant_type: 'client_credentials', resource, ...(scope === undefined ? {} : { scope }) })
      const res = await fetch(`${issuer}/token`, {
        method: 'POST', body,
        headers: { authorization: `Basic ${Buffer.from(`${client}:${CLIENTS[client]}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      })
      const json = await res.json() as { access_token?: string, error?: string, error_description?: string }
      if (json.access_token === undefined) throw new Error(`token endpoint: ${res.status} ${json.error ?? ''} ${json.error_description ?? ''}`)
      return json.access_token
    },
  }
}
