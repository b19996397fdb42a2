import { randomBytes } from 'node:crypto'
import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type {} from './oauth.js'
import { normalizeIP } from '@fastify/rate-limit'
import { ConfigError, list, type Config } from '../src/config.js'
import { assertUnique, createVerifier, parseAuthKeys, type ApiKey, type StoredKey } from '../src/auth/keys.js'
import { loadKeyFile } from '../src/auth/key-file.js'
import { FailureCounter } from '../src/auth/failures.js'
import { oauthMode } from '../src/oauth/settings.js'
import type { Verified } from '../src/oauth/issuer.js'

export type { ApiKey } from '../src/auth/keys.js'

declare module 'fastify' {
  interface FastifyInstance {
    authKeys: AuthKeys
  }
  interface FastifyRequest {
    /** Set by the auth hook on every request it lets through; null before it runs. */
    apiKey: ApiKey | null
  }
}

export interface AuthKeys {
  readonly count: number
  /** Development only: the key generated because none was configured (printed once to stderr). */
  readonly generatedKey?: string
  /** The identity of a presented key, in constant time; null when it is not a configured key. */
  verify (presented: string): ApiKey | null
}

function loadKeys (config: Config): AuthKeys {
  const fromEnv = parseAuthKeys(list(config.AUTH_KEYS))
  const keys: StoredKey[] = [...fromEnv, ...(config.AUTH_KEYS_FILE ? loadKeyFile(config.AUTH_KEYS_FILE) : [])]
  assertUnique(keys, (i) => i < fromEnv.length
    ? `AUTH_KEYS: entry ${i + 1}`
    : `AUTH_KEYS_FILE: keys[${i - fromEnv.length}] ("${keys[i].identity.name}")`)
  if (keys.length > 0) return { count: keys.length, verify: createVerifier(keys) }
  // With OAuth on, signed-in users are enough: keys are optional then.
  if (config.NODE_ENV === 'production' && oauthMode(config) === null) throw new ConfigError(['AUTH_KEYS: no API keys configured (production requires at least one, or OAuth: GITHUB_OAUTH_CLIENT_ID or OAUTH_ISSUER)'])
  if (config.NODE_ENV !== 'development') return { count: 0, verify: () => null }

  const generatedKey = randomBytes(32).toString('base64url')
  // Straight to stderr, never through the logger: log lines must never hold a key.
  // Whatever LOG_LEVEL says: without it the gateway is unusable. With how to keep it, since a
  // key that changes on every restart breaks every client configured with it.
  process.stderr.write([
    '', 'No AUTH_KEYS set: generated a development API key (a new one on every start):', '',
    `    ${generatedKey}`, '',
    'Clients send it as "X-API-Key: <key>" or "Authorization: Bearer <key>".',
    `To keep it across restarts, set it: export AUTH_KEYS=${generatedKey}  (several keys: comma-separated)`, '', ''
  ].join('\n'))
  return { count: 1, generatedKey, verify: createVerifier(parseAuthKeys([generatedKey])) }
}

/**
 * The configured keys. Registered by the guard below when absent; register it at the root
 * instead when code outside the /mcp scope (the demo, health) must read `app.authKeys`.
 */
export const authKeys = fp(async function authKeys (app: FastifyInstance) {
  app.decorate('authKeys', loadKeys(app.config))
}, { name: 'auth-keys', dependencies: ['env'] })

/** What the request presents: an X-API-Key (always a key), or a bearer (a key or, with OAuth on, a token). */
function presented (request: FastifyRequest): { value: string, header: 'x-api-key' | 'bearer' } | undefined {
  const apiKey = request.headers['x-api-key']
  if (typeof apiKey === 'string' && apiKey !== '') return { value: apiKey, header: 'x-api-key' }
  const bearer = /^Bearer +(\S+)$/i.exec(request.headers.authorization ?? '')?.[1]
  return bearer === undefined ? undefined : { value: bearer, header: 'bearer' }
}

export interface AuthOptions {
  /** The clock of the failure windows (tests move it instead of waiting). */
  now?: () => number
}

async function auth (app: FastifyInstance, opts: AuthOptions) {
  if (!app.hasDecorator('authKeys')) await app.register(authKeys)
  app.decorateRequest('apiKey', null)

  // Brute-force defence. Once an address has used its failure budget, it gets 429 for the rest
  // of the window before any key is compared, even when it now presents a valid key: letting
  // valid keys through would turn 429-versus-200 into an oracle, and the guessing would go on.
  // Valid keys from other addresses are unaffected. IPv6 clients are counted per /64, as one
  // host usually owns the whole prefix.
  const failures = new FailureCounter({ max: app.config.AUTH_FAILURE_MAX, windowMs: app.config.RATE_LIMIT_WINDOW_MS, now: opts.now })

  // Counted when the app has metrics (plugin tests build the auth plugin alone).
  const metrics = app.hasDecorator('metrics') ? app.metrics : undefined
  // With OAuth on, a 401 says where to sign in (RFC 9728), and a bearer that is no key is a token.
  const oauth = app.hasDecorator('oauth') ? app.oauth : null

  type Refusal = 'missing' | 'invalid_key' | 'invalid_token' | 'insufficient_scope'

  function refuse (request: FastifyRequest, reply: FastifyReply, address: string, refusal: Refusal, reason?: string) {
    // Only wrong keys (and tokens) count: a request without any guesses nothing, and counting those
    // would let anyone behind the same NAT or proxy lock everyone else out with keyless requests.
    if (refusal === 'invalid_key' || refusal === 'invalid_token') failures.record(address)
    metrics?.authFailures.inc({ reason: refusal === 'missing' ? 'missing' : 'invalid' })
    request.log.info({ authFailure: refusal === 'missing' ? 'missing_key' : refusal, ...(reason === undefined ? {} : { reason }) }, 'authentication failed')
    if (refusal === 'invalid_token' && oauth !== null) {
      return reply.code(401).header('www-authenticate', oauth.challenge('invalid_token')).send({
        error: 'invalid_token', message: 'The access token is invalid, expired or revoked: sign in again (or send a valid API key)'
      })
    }
    // A valid token that grants none of the scopes (RFC 6750 §3.1): the client may ask for them.
    if (refusal === 'insufficient_scope' && oauth !== null) {
      return reply.code(403).header('www-authenticate', oauth.challenge('insufficient_scope')).send({
        error: 'insufficient_scope', message: 'The access token grants neither issues:read nor issues:write: sign in again and grant them'
      })
    }
    if (refusal === 'missing') {
      return reply.code(401).header('www-authenticate', oauth?.challenge() ?? 'Bearer realm="mcp"').send({
        error: 'unauthorized',
        message: oauth === null
          ? 'API key required: send "X-API-Key: <key>" or "Authorization: Bearer <key>"'
          : 'Sign in (OAuth: see WWW-Authenticate), or send an API key as "X-API-Key: <key>"'
      })
    }
    return reply.code(403).send({ error: 'forbidden', message: 'Invalid API key' })
  }

  app.addHook('onRequest', async (request, reply) => {
    const address = normalizeIP(request.ip)
    const retryAfter = failures.blockedFor(address)
    if (retryAfter > 0) {
      metrics?.rateLimited.inc({ reason: 'auth_failures' })
      return reply.code(429).header('retry-after', retryAfter).send({
        error: 'rate_limited',
        message: `Too many failed authentication attempts from this address; retry in ${retryAfter} s`,
        retryAfterSeconds: retryAfter
      })
    }
    const credential = presented(request)
    if (credential === undefined) return refuse(request, reply, address, 'missing')
    const key = app.authKeys.verify(credential.value)
    if (key !== null) {
      request.apiKey = key
      return
    }
    if (oauth === null || credential.header === 'x-api-key') return refuse(request, reply, address, 'invalid_key')
    let verified: Verified
    try {
      verified = await oauth.verify(credential.value)
    } catch (err) {
      // The token store (Redis) or, in resource-server mode, the issuer's keys cannot be reached.
      request.log.error({ reason: (err as Error).message }, 'oauth: tokens cannot be checked now')
      return reply.code(503).header('retry-after', '5').send({ error: 'unavailable', message: 'Sign-in cannot be checked right now; retry shortly' })
    }
    if (verified.caller === null) return refuse(request, reply, address, 'invalid_token', verified.reason)
    if (verified.caller.access.scopes.size === 0) return refuse(request, reply, address, 'insufficient_scope')
    request.apiKey = verified.caller
  })
}

export default fp(auth, { name: 'auth', dependencies: ['env'] })
