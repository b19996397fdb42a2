import fp from 'fastify-plugin'
import fastifyRateLimit from '@fastify/rate-limit'
import { Redis } from 'ioredis'
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest } from 'fastify'

declare module 'fastify' {
  interface FastifyInstance {
    rateLimitStore: RateLimitStore
  }
}

export interface RateLimitStore {
  readonly kind: 'memory' | 'redis'
  /** 'n/a' for the in-process store. A down Redis means limits are not enforced (fail open). */
  status (): 'up' | 'down' | 'n/a'
  /** The shared client, when kind is 'redis'. */
  readonly redis?: Redis
}

export interface RateLimitOptions {
  /** Redis key prefix; replicas of one deployment must share it. */
  nameSpace?: string
}

/** Redis client tuned to fail fast: every command either answers quickly or errors. */
function connectRedis (url: string, log: FastifyBaseLogger): { client: Redis; closing: () => void } {
  let state: 'starting' | 'up' | 'down' = 'starting'
  let closing = false
  const client = new Redis(url, {
    enableOfflineQueue: false, // while disconnected a command errors at once, and skipOnError lets the request through
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    commandTimeout: 1000, // a Redis that accepts but never answers must not hang requests
    retryStrategy: (attempt) => closing ? null : Math.min(100 * 2 ** Math.min(attempt, 6), 5000)
  })
  // One warning per incident (on the transition down), one info line on recovery. Never the URL:
  // it may hold a password.
  client.on('ready', () => {
    if (state === 'down') log.info('rate-limit store: Redis reachable again, shared limits enforced')
    state = 'up'
  })
  const down = (err?: Error) => {
    if (closing || state === 'down') return
    state = 'down'
    log.warn({ reason: err?.message ?? 'connection closed' }, 'rate-limit store: Redis unreachable, requests are NOT rate limited (fail open) until it is back')
  }
  client.on('error', down)
  client.on('close', () => down())
  return { client, closing: () => { closing = true } }
}

/**
 * Where counters live. Registered by the limiter below when absent; register it at the root
 * instead when code outside the /mcp scope (health) must read `app.rateLimitStore`.
 * Never awaits the connection: starting with Redis down serves at once, unlimited.
 */
export const rateLimitStore = fp(async function rateLimitStore (app: FastifyInstance) {
  const url = app.config.REDIS_URL
  if (url === undefined) {
    app.decorate('rateLimitStore', { kind: 'memory', status: () => 'n/a' } satisfies RateLimitStore)
    return
  }
  const { client, closing } = connectRedis(url, app.log)
  app.decorate('rateLimitStore', { kind: 'redis', redis: client, status: () => client.status === 'ready' ? 'up' : 'down' } satisfies RateLimitStore)
  app.addHook('onClose', async () => {
    closing()
    // A client between connections has no socket: disconnect() cancels its reconnect timer, and
    // ioredis then stays 'reconnecting' rather than reaching 'end'. With a socket, wait for 'end'.
    if (['reconnecting', 'close', 'end'].includes(client.status)) return client.disconnect()
    const ended = new Promise((resolve) => client.once('end', resolve))
    if (client.status === 'ready') await client.quit().catch(() => client.disconnect())
    else client.disconnect()
    await ended
  })
}, { name: 'rate-limit-store', dependencies: ['env'] })

const keyOf = (request: FastifyRequest) => request.apiKey ? `key:${request.apiKey.id}` : `ip:${request.ip}`

async function rateLimit (app: FastifyInstance, opts: RateLimitOptions) {
  if (!app.hasDecorator('rateLimitStore')) await app.register(rateLimitStore)
  const { RATE_LIMIT_MAX, RATE_LIMIT_WINDOW_MS } = app.config
  await app.register(fastifyRateLimit, {
    // No route hooks: the hook below answers 429 itself, so the JSON body and headers do not
    // depend on how the root error handler renders thrown errors.
    global: false,
    keyGenerator: keyOf,
    max: (request) => request.apiKey?.rateLimit?.max ?? RATE_LIMIT_MAX,
    timeWindow: (request) => request.apiKey?.rateLimit?.windowMs ?? RATE_LIMIT_WINDOW_MS,
    redis: app.rateLimitStore.redis,
    nameSpace: opts.nameSpace ?? 'mcp-gateway:rate-limit:',
    skipOnError: true // Redis trouble lets requests through rather than failing them
  })
  const limit = app.createRateLimit()

  const metrics = app.hasDecorator('metrics') ? app.metrics : undefined
  // An instance-level onRequest hook registered after auth's, so it runs after the key is known.
  app.addHook('onRequest', async (request, reply) => {
    const result = await limit(request)
    // A store error (skipOnError) yields ttl 0: nothing was counted, so claim no budget either.
    if (result.isAllowed || result.ttl === 0) return
    reply.header('ratelimit-limit', result.max)
    reply.header('ratelimit-remaining', result.remaining)
    reply.header('ratelimit-reset', result.ttlInSeconds)
    if (!result.isExceeded) return
    reply.header('retry-after', result.ttlInSeconds)
    request.log.info({ key: request.apiKey?.name }, 'rate limited')
    metrics?.rateLimited.inc({ reason: 'key' })
    return reply.code(429).send({
      error: 'rate_limited',
      message: `Rate limit of ${result.max} requests per ${Math.round(result.timeWindow / 1000)} s exceeded; retry in ${result.ttlInSeconds} s`,
      retryAfterSeconds: result.ttlInSeconds
    })
  })
}

export default fp(rateLimit, { name: 'rate-limit', dependencies: ['env', 'auth'] })
