import { createHash } from 'node:crypto'
import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { Redis } from 'ioredis'
import type Provider from 'oidc-provider'
import { SCOPES, userAccess, type Scope } from '../src/auth/access.js'
import { memoryKv, redisKv } from '../src/oauth/kv.js'
import { deriveSecrets } from '../src/oauth/keys.js'
import { createProvider, REFRESH_TTL_S } from '../src/oauth/provider.js'
import { SealedTokens } from '../src/oauth/sealed-tokens.js'
import { interactionRoutes } from '../src/oauth/interactions.js'
import { oauthMode, type GitHubLoginMode, type IssuerMode, type OAuthMode } from '../src/oauth/settings.js'
import { IssuerTokens, type Verified } from '../src/oauth/issuer.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** Null when OAuth is off: API keys only. */
    oauth: OAuthGuard | null
  }
}

/** What the /mcp guard asks of OAuth: who a bearer token stands for, and how to say no. */
export interface OAuthGuard {
  readonly mode: OAuthMode
  /** The gateway's own authorization server (oidc-provider), for its events and models; null in resource-server mode. */
  readonly provider: Provider | null
  /** The caller behind an access token, or why it is not valid for this gateway. Throws when that cannot be known now. */
  verify (token: string): Promise<Verified>
  /**
   * The WWW-Authenticate value of a 401 or 403 (RFC 9728 §5.1, RFC 6750 §3). `detail` replaces the
   * defaults (every scope, the error's stock description) in a step-up: a call that needs more.
   */
  challenge (error?: 'invalid_token' | 'insufficient_scope', detail?: ChallengeDetail): string
}

export interface ChallengeDetail {
  scopes: readonly Scope[]
  /** Plain words for a person; no double quote or backslash (RFC 6750 §3). */
  description: string
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

/** Serves the RFC 9728 metadata and builds the guard's challenge, in both modes alike. */
function protectedResource (app: FastifyInstance, mode: OAuthMode): OAuthGuard['challenge'] {
  const metadata = resourceMetadata(mode)
  const sendMetadata = async (_request: FastifyRequest, reply: FastifyReply) =>
    reply.header('access-control-allow-origin', '*').header('cache-control', 'max-age=300').send(metadata)
  app.get('/.well-known/oauth-protected-resource', sendMetadata)
  app.get('/.well-known/oauth-protected-resource/mcp', sendMetadata)
  const resourceMetadataUrl = `${mode.publicUrl}/.well-known/oauth-protected-resource/mcp`
  const described = {
    invalid_token: 'The access token is invalid, expired, revoked or for another audience',
    insufficient_scope: 'The access token grants none of this server\'s scopes',
  }
  return (error, detail) => error === undefined
    ? `Bearer resource_metadata="${resourceMetadataUrl}", scope="${SCOPES.join(' ')}"`
    // In the order of the MCP specification's example.
    : `Bearer error="${error}", scope="${(detail?.scopes ?? SCOPES).join(' ')}", resource_metadata="${resourceMetadataUrl}", ` +
      `error_description="${detail?.description ?? described[error]}"`
}

/** An error's description and its causes (a failed fetch's own reason is two causes down), once each. */
function refusalReason (err: Error & { error_description?: string, error_detail?: string }): string {
  const parts = [err.error_description, err.error_detail]
  let cause = err.cause
  for (let depth = 0; depth < 3 && cause instanceof Error; depth++, cause = cause.cause) parts.push(cause.message)
  return [...new Set(parts.filter((p) => typeof p === 'string' && p !== ''))].join(': ')
}

const callerId = (grantId: string) => `oauth-${createHash('sha256').update(grantId).digest('hex').slice(0, 16)}`

/**
 * OAuth for /mcp, in one of two modes. With GITHUB_OAUTH_CLIENT_ID/SECRET: the gateway's own
 * authorization server in front of GitHub's login (oidc-provider, mounted as a Node handler) and its
 * login interaction. With OAUTH_ISSUER: resource-server mode, JWTs from an existing issuer. Both
 * serve the protected-resource metadata; the /mcp guard (plugins/auth.ts) asks `app.oauth.verify`
 * about bearer tokens that are not API keys.
 */
async function oauth (app: FastifyInstance) {
  const mode = oauthMode(app.config)
  if (mode === null) app.decorate('oauth', null)
  else if (mode.kind === 'issuer') resourceServer(app, mode)
  else await githubLogin(app, mode)
}

/** Resource-server mode: the issuer's JWTs, checked against its published keys (src/oauth/issuer.ts). */
function resourceServer (app: FastifyInstance, mode: IssuerMode) {
  const tokens = new IssuerTokens(mode)
  const challenge = protectedResource(app, mode)
  app.decorate('oauth', { mode, provider: null, challenge, verify: async (value: string) => await tokens.verify(value) } satisfies OAuthGuard)
  // Finding the keys early shows a wrong OAUTH_ISSUER in the log at start, not at the first call;
  // the start does not wait for it, and an issuer down now is asked again later.
  app.addHook('onReady', async () => {
    tokens.keys().catch((err: Error) => app.log.warn({ reason: err.message }, 'oauth: issuer discovery failed'))
  })
  app.addHook('onClose', async () => tokens.close())
}

/** The gateway's own authorization server in front of GitHub's login. */
async function githubLogin (app: FastifyInstance, mode: GitHubLoginMode) {
  const secrets = deriveSecrets(mode.encryptionKey)
  let redis: Redis | undefined
  if (app.config.REDIS_URL !== undefined) {
    redis = new Redis(app.config.REDIS_URL, { maxRetriesPerRequest: 1, connectTimeout: 2000, commandTimeout: 2000 })
    // Never the URL: it may hold a password.
    redis.on('error', (err: Error) => app.log.warn({ reason: err.message }, 'oauth store: Redis error'))
  }
  const kv = redis === undefined ? memoryKv() : redisKv(redis, 'mcp-gateway:oauth:')
  const tokens = new SealedTokens(kv, secrets.sealing)
  // A revoked grant (revocation, refresh-token reuse, by oidc-provider or by the store's atomic
  // use check) takes its GitHub token with it.
  const provider = createProvider(mode, kv, secrets, { grantRevoked: async (grantId) => await tokens.delete(grantId) })
  provider.proxy = app.config.TRUST_PROXY !== 'false'
  provider.on('grant.revoked', (_ctx: unknown, grantId: string) => { void tokens.delete(grantId).catch(() => {}) })
  provider.on('server_error', (_ctx: unknown, err: Error) => app.log.error({ err: { message: err.message, name: err.name } }, 'oauth: authorization server error'))
  // The user sees the error code and description; why a client's metadata document was refused
  // (a status, a timeout, a special-use address) is only here, for whoever runs the gateway.
  provider.on('authorization.error', (ctx, err) => {
    const client = ctx.oidc?.params?.client_id
    app.log.info({ client: typeof client === 'string' ? client : undefined, error: err.error, reason: refusalReason(err) }, 'oauth: authorization refused')
  })

  const challenge = protectedResource(app, mode)

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

  const guard: OAuthGuard = {
    mode,
    provider,
    challenge,
    async verify (value) {
      const token = await provider.AccessToken.find(value)
      if (token === undefined || token.isExpired || token.grantId === undefined) return { caller: null, reason: 'unknown, expired or revoked token' }
      // Bound to this gateway's /mcp (RFC 8707): a token for any other audience is not ours to accept.
      const aud: unknown = token.aud
      if (!(aud === mode.resource || (Array.isArray(aud) && aud.length === 1 && aud[0] === mode.resource))) return { caller: null, reason: 'another audience' }
      const user = await tokens.get(token.grantId)
      if (user === null) return { caller: null, reason: 'no GitHub sign-in for this grant' }
      const scopes = SCOPES.filter((s) => token.scopes.has(s))
      return { caller: { name: `github:${user.login}`, id: callerId(token.grantId), access: userAccess(scopes, user.credential) } }
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
