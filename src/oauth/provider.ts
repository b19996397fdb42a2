// The OAuth 2.1 authorization server, oidc-provider configured for MCP clients: dynamic client
// registration (RFC 7591) and Client ID Metadata Documents for public clients, authorization code
// with PKCE S256 only, exact redirect-URI matching, every token bound to this gateway's /mcp
// (RFC 8707), short-lived opaque access tokens, refresh tokens rotated on use (a reused one
// revokes its whole grant), revocation (RFC 7009), `iss` in the authorization response (RFC 9207).
// Logging in is the interaction in interactions.ts: a consent page, then GitHub's web flow.
import Provider, { errors, type Configuration, type KoaContextWithOIDC } from 'oidc-provider'
import { SCOPES } from '../auth/access.js'
import { adapterFactory, type AdapterHooks } from './adapter.js'
import type { OAuthSecrets } from './keys.js'
import type { Kv } from './kv.js'
import { errorPage } from './pages.js'
import type { GitHubLoginMode } from './settings.js'

/** Refresh tokens (and so a sign-in) last 30 days of disuse; access tokens OAUTH_ACCESS_TOKEN_TTL_S. */
export const REFRESH_TTL_S = 30 * 86_400

/** Where oidc-provider's endpoints live, below PUBLIC_URL. */
export const ROUTES = {
  authorization: '/oauth/authorize',
  token: '/oauth/token',
  registration: '/oauth/register',
  revocation: '/oauth/revoke',
  jwks: '/oauth/jwks',
  end_session: '/oauth/session/end',
  code_verification: '/oauth/device',
  device_authorization: '/oauth/device/auth',
  introspection: '/oauth/introspect',
  pushed_authorization_request: '/oauth/par',
  userinfo: '/oauth/me',
  backchannel_authentication: '/oauth/backchannel',
  challenge: '/oauth/challenge',
} as const

export const INTERACTION_PATH = '/oauth/interaction'

/**
 * A metadata document is kept at least `min` seconds (one sign-in resolves its client several
 * times; this is one fetch) and at most `max`, whatever its headers say: a redirect URI its owner
 * withdrew stops working here within the hour.
 */
export const METADATA_DOCUMENT_CACHE_S = { min: 30, max: 3600 }
/** The CIMD draft's recommended bound (§8.7), and oidc-provider's default, stated where it is relied on. */
export const METADATA_DOCUMENT_MAX_BYTES = 5 * 1024
/** A client's key set (private_key_jwt), fetched from a jwks_uri its document or registration names. */
export const JWKS_MAX_BYTES = 64 * 1024

/**
 * After a failed look-up oidc-provider's authorization error handler looks the client up again,
 * which would fetch a refused document twice and wait out its timeout twice: each request fetches
 * at most once. (The consent page's look-up runs outside a request of the provider's: no context.)
 */
function oneFetchPerRequest (): (ctx: KoaContextWithOIDC | undefined) => boolean {
  const fetched = new WeakSet<KoaContextWithOIDC>()
  return (ctx) => {
    if (ctx === undefined) return true
    if (fetched.has(ctx)) return false
    fetched.add(ctx)
    return true
  }
}

export function createProvider (mode: GitHubLoginMode, kv: Kv, secrets: OAuthSecrets, hooks: AdapterHooks = {}): Provider {
  const resource = mode.resource
  const scope = SCOPES.join(' ')
  const config: Configuration = {
    adapter: adapterFactory(kv, hooks),
    clients: [],
    cookies: { keys: secrets.cookies },
    jwks: { keys: [secrets.signing] },
    routes: ROUTES,
    responseTypes: ['code'],
    scopes: ['openid', 'offline_access', ...SCOPES],
    claims: { openid: ['sub'] },
    clientDefaults: {
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      id_token_signed_response_alg: 'EdDSA',
    },
    // PKCE for every client; oidc-provider knows S256 only, so `plain` is refused.
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      registration: { enabled: true },
      revocation: { enabled: true },
      rpInitiatedLogout: { enabled: false },
      userinfo: { enabled: false },
      // A DPoP-bound token would need a proof on every /mcp request, which the guard does not check.
      dPoP: { enabled: false },
      // A client_id that is an https URL names the client's own metadata document, fetched here
      // instead of a registration (docs/oauth.md#client-id-metadata-documents). oidc-provider does the
      // fetch safely: the URL must be https with no userinfo, fragment or dot segments; connections
      // to special-use addresses (loopback, private, link-local) are dropped; 2.5 s; redirects are
      // not followed; at most METADATA_DOCUMENT_MAX_BYTES are read; the document's client_id must
      // be the URL, and it may hold no secret. Documents are cached per process as their
      // Cache-Control or Expires says, within these bounds; failures are never cached.
      clientIdMetadataDocument: { enabled: true, ack: 'draft-02', cacheDuration: METADATA_DOCUMENT_CACHE_S, allowFetch: oneFetchPerRequest() },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => resource,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx: KoaContextWithOIDC, asked: string) => {
          if (asked !== resource) throw new errors.InvalidTarget(`this server issues tokens for ${resource} only`)
          return { scope, audience: resource, accessTokenTTL: mode.accessTokenTtlS, accessTokenFormat: 'opaque' }
        },
      },
    },
    // Every URL the server fetches comes from an unknown client: bounded, as the document is
    // (oidc-provider reads a jwks_uri to the end by default).
    fetchResponseBodyLimits: { 'client_id metadata document': METADATA_DOCUMENT_MAX_BYTES, jwks_uri: JWKS_MAX_BYTES },
    // Only public subject identifiers are issued here, so a client's sector_identifier_uri (used for
    // pairwise ones) would be fetched for nothing: it is not fetched at all.
    sectorIdentifierUriValidate: () => false,
    rotateRefreshToken: true,
    // MCP clients rarely ask for offline_access; a refresh token is what keeps access tokens short.
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    expiresWithSession: async () => false,
    ttl: {
      AccessToken: mode.accessTokenTtlS,
      AuthorizationCode: 60,
      IdToken: 3600,
      Interaction: 600,
      Session: 600,
      Grant: REFRESH_TTL_S,
      RefreshToken: REFRESH_TTL_S,
    },
    findAccount: async (_ctx, sub) => ({ accountId: sub, claims: async () => ({ sub }) }),
    interactions: { url: async (_ctx, interaction) => `${INTERACTION_PATH}/${interaction.uid}` },
    renderError: async (ctx, out) => {
      ctx.type = 'html'
      ctx.body = errorPage(String(out.error), typeof out.error_description === 'string' ? out.error_description : '')
    },
  }
  return new Provider(mode.publicUrl, config)
}
