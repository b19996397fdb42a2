import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { verify } from '@octokit/webhooks-methods'
import { ChangeBroadcast } from '../src/github/webhooks/broadcast.js'
import { Deliveries } from '../src/github/webhooks/deliveries.js'
import { changeOf, missingEvents, USED_EVENTS } from '../src/github/webhooks/events.js'

declare module 'fastify' {
  interface FastifyInstance {
    webhooks: { listening: Promise<void> }
  }
}

// GitHub redelivers failed deliveries for up to three days; ids are remembered a day, which covers
// its automatic retries and anyone redelivering by hand the same day.
const DELIVERY_TTL_MS = 24 * 60 * 60 * 1000
const DELIVERIES_IN_PROCESS = 10_000
// X-GitHub-Delivery is a GUID; anything else is refused before it reaches Redis or a log line.
const DELIVERY_ID = /^[A-Za-z0-9-]{1,100}$/
const EVENT = /^[a-z_]{1,50}$/
const KNOWN_EVENTS = new Set<string>(['ping', ...USED_EVENTS])

const header = (request: FastifyRequest, name: string): string | undefined => {
  const v = request.headers[name]
  return typeof v === 'string' && v !== '' ? v : undefined
}

/**
 * POST /webhooks/github, only when GITHUB_WEBHOOK_SECRET is set. GitHub's signature over the raw
 * body is the credential (no API key, not under the /mcp guards or limiter): a missing or wrong
 * X-Hub-Signature-256 is 401 and nothing else happens. A verified delivery is used once
 * (deliveries.ts); `issues`, `issue_comment` and `label` change caches and subscriptions on every
 * replica (broadcast.ts), `ping` marks the hook live, other events are acknowledged and ignored.
 */
async function webhooks (app: FastifyInstance) {
  const { GITHUB_WEBHOOK_SECRET: secret, WEBHOOK_BODY_LIMIT_BYTES: bodyLimit, WEBHOOK_REDIS_PREFIX: prefix } = app.config
  if (secret === undefined) return
  const log = app.log.child({ component: 'webhooks' })
  const redis = app.rateLimitStore.redis
  const deliveries = new Deliveries({ redis, prefix, ttlMs: DELIVERY_TTL_MS, max: DELIVERIES_IN_PROCESS, log })
  const broadcast = new ChangeBroadcast({ redis, channel: `${prefix}changes`, secret, apply: (change) => app.github.apply(change), log })
  app.decorate('webhooks', { listening: broadcast.listening })
  app.addHook('onClose', async () => { await broadcast.close() })
  const count = (event: string, outcome: string) => app.metrics.webhookDeliveries.inc({ event: KNOWN_EVENTS.has(event) ? event : 'other', outcome })

  async function receive (request: FastifyRequest, reply: FastifyReply) {
    const raw = typeof request.body === 'string' ? request.body : ''
    const signature = header(request, 'x-hub-signature-256')
    const event = header(request, 'x-github-event') ?? ''
    if (signature === undefined || raw === '' || !(await verify(secret!, raw, signature))) {
      count(event, 'unauthorized')
      request.log.warn({ signature: signature === undefined ? 'missing' : 'invalid' }, 'webhook refused: bad signature')
      return reply.code(401).send({ error: 'unauthorized', message: 'Missing or invalid X-Hub-Signature-256 signature' })
    }
    const id = header(request, 'x-github-delivery')
    let payload: unknown
    try { payload = JSON.parse(raw) } catch { payload = undefined }
    if (id === undefined || !DELIVERY_ID.test(id) || !EVENT.test(event) || payload === undefined) {
      count(event, 'invalid')
      return reply.code(400).send({ error: 'bad_request', message: 'A delivery needs X-GitHub-Event, X-GitHub-Delivery and a JSON body' })
    }
    if (!(await deliveries.claim(id))) {
      count(event, 'duplicate')
      request.log.info({ delivery: id, event }, 'webhook delivery repeated: ignored')
      return reply.send({ status: 'duplicate' })
    }
    const change = changeOf(event, payload)
    if (change !== null) await broadcast.publish(change)
    count(event, change === null ? 'ignored' : 'used')
    request.log.info({ delivery: id, event, used: change !== null }, 'webhook delivery')
    if (event !== 'ping') return reply.send({ status: change === null ? 'ignored' : 'processed' })
    const missing = missingEvents(payload)
    if (missing.length > 0) log.warn({ missing }, 'webhook does not send every event the gateway uses: its repository is revalidated as without webhooks')
    return reply.send({ status: 'pong', missingEvents: missing })
  }

  // Its own scope: the raw body as a string (the signature covers the exact bytes), JSON only.
  await app.register(async function webhookRoute (scope) {
    scope.removeAllContentTypeParsers()
    scope.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit }, (_request, body, done) => done(null, body))
    scope.post('/webhooks/github', { bodyLimit }, receive)
  })
}

export default fp(webhooks, { name: 'webhooks', dependencies: ['env', 'metrics', 'github', 'rate-limit-store'] })
