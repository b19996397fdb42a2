import { createHash } from 'node:crypto'
import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { Redis } from 'ioredis'
import type Provider from 'oidc-provider'
import type { ApiKey } from '../src/auth/keys.js'
import { SCOPES, userAccess } from '../src/auth/access.js'
import { memoryKv, redisKv } from '../src/oauth/kv.js'
import { deriveSecrets } from '../src/oauth/keys.js'
import { createProvider, REFRESH_TTL_S } from '../src/oauth/provider.js'
import { SealedTokens } from '../src/oauth/sealed-tokens.js'
import { interactionRoutes } from '../src/oauth/interactions.js'
import { oauthMode, type OAuthMode } from '../src/oauth/settings.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** Null when OAuth is off: API keys only. */
    oauth: OAuthGuard | null
  }
}

/** What the /mcp guard asks of OAuth: who a bearer token stands for, and how to say no. */
export interface OAuthGuard {
  readonly mode: OAuthMode
  /** The authorization server itself (oidc-provider), for its events and models. */
  readonly provider: Provider
  /** The caller behind an access token; null when the token is not valid for this gateway. */
  verify (token: string): Promise<ApiKey | null>
  /** The WWW-Authenticate value of a 401 (RFC 9728 §5.1, RFC 6750 §3). */
  challenge (error?: 'invalid_token'): string
}

/** RFC 9728 metadata: where clients learn which authorization server to use, and for what. */
function resourceMetadata (mode: OAuthMode) {
  return {
    resource: mode.resource,
    authorization_servers: [mode.kind === 'issuer' ? mode.issuer : mode.publicUrl],
    scopes_supported: SCOPES,
    bearer_methods_supported: ['header'],
    resource_name: 'GitHub issues MCP gateway',
  }
}

const callerId = (grantId: string) => `oauth-${createHash('sha256').update(grantId).digest('hex').slice(0, 16)}`

/**
 * OAuth for /mcp, on when GITHUB_OAUTH_CLIENT_ID/SECRET (the gateway's own authorization server in
 * front of GitHub's login) are set. Serves the protected-resource metadata, the authorization
 * server (oidc-provider, mounted as a Node handler) and its login interaction; the /mcp guard
 * (plugins/auth.ts) asks `app.oauth.verify` about bearer tokens that are not API keys.
 */
async function oauth (app: FastifyInstance) {
  const mode = oauthMode(app.config)
  if (mode === null || mode.kind !== 'github') {
    app.decorate('oauth', null)
    return
  }
  const secrets = deriveSecrets(mode.encryptionKey)
  let redis: Redis | undefined
  if (app.config.REDIS_URL !== undefined) {
    redis = new Redis(app.config.REDIS_URL, { maxRetriesPerRequest: 1, connectTimeout: 2000, commandTimeout: 2000 })
    // Never the URL: it may hold a password.
    redis.on('error', (err: Error) => app.log.warn({ reason: err.message }, 'oauth store: Redis error'))
  }
  const kv = redis === undefined ? memoryKv() : redisKv(redis, 'mcp-gateway:oauth:')
  const tokens = new SealedTokens(kv, secrets.sealing)
  const provider = createProvider(mode, kv, secrets)
  provider.proxy = app.config.TRUST_PROXY !== 'false'
  // A revoked grant (revocation, refresh-token reuse) takes its GitHub token with it.
  provider.on('grant.revoked', (_ctx: unknown, grantId: string) => { void tokens.delete(grantId).catch(() => {}) })
  provider.on('server_error', (_ctx: unknown, err: Error) => app.log.error({ err: { message: err.message, name: err.name } }, 'oauth: authorization server error'))

  const metadata = resourceMetadata(mode)
  const sendMetadata = async (_request: FastifyRequest, reply: FastifyReply) =>
    reply.header('access-control-allow-origin', '*').header('cache-control', 'max-age=300').send(metadata)
  app.get('/.well-known/oauth-protected-resource', sendMetadata)
  app.get('/.well-known/oauth-protected-resource/mcp', sendMetadata)

  // oidc-provider reads its own bodies: this scope leaves them unread.
  await app.register(async function authorizationServer (scope) {
    scope.removeAllContentTypeParsers()
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined))
    const callback = provider.callback()
    const pass = (url?: string) => async (request: FastifyRequest, reply: FastifyReply) => {
      reply.hijack()
      if (url !== undefined) request.raw.url = url
      callback(request.raw, reply.raw)
    }
    scope.all('/oauth/*', pass())
    scope.route({ method: ['GET', 'OPTIONS'], url: '/.well-known/openid-configuration', handler: pass() })
    // RFC 8414's address for an issuer without a path; the same document.
    scope.route({ method: ['GET', 'OPTIONS'], url: '/.well-known/oauth-authorization-server', handler: pass('/.well-known/openid-configuration') })
    await interactionRoutes(scope, {
      mode, provider, tokens, stateKey: secrets.state, refreshTtlS: REFRESH_TTL_S,
      viewer: (credential, signal) => app.github.viewer(credential, signal),
    })
  })

  const resourceMetadataUrl = `${mode.publicUrl}/.well-known/oauth-protected-resource/mcp`
  const guard: OAuthGuard = {
    mode,
    provider,
    challenge: (error) => `Bearer resource_metadata="${resourceMetadataUrl}", scope="${SCOPES.join(' ')}"` +
      (error === undefined ? '' : `, error="${error}", error_description="The access token is invalid, expired, revoked or for another audience"`),
    async verify (value) {
      const token = await provider.AccessToken.find(value)
      if (token === undefined || token.isExpired || token.grantId === undefined) return null
      // Bound to this gateway's /mcp (RFC 8707): a token for any other audience is not ours to accept.
      const aud: unknown = token.aud
      if (!(aud === mode.resource || (Array.isArray(aud) && aud.length === 1 && aud[0] === mode.resource))) return null
      const user = await tokens.get(token.grantId)
      if (user === null) return null
      const scopes = SCOPES.filter((s) => token.scopes.has(s))
      return { name: `github:${user.login}`, id: callerId(token.grantId), access: userAccess(scopes, user.credential) }
    },
  }
  app.decorate('oauth', guard)
  app.addHook('onClose', async () => {
    if (redis === undefined) return
    if (redis.status === 'ready') await redis.quit().catch(() => redis.disconnect())
    else redis.disconnect()
  })
}

export default fp(oauth, { name: 'oauth', dependencies: ['env', 'github'] })
