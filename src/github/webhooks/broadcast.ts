// Every replica applies every change. The replica that received a delivery applies it at once and
// publishes it on a Redis channel; the others apply what they hear there (their caches revalidate what
// is stale, their subscribed sessions are told). Without Redis there is one replica: applying
// locally is all there is. A message is checked before use: the channel is Redis's, not ours alone.
import { randomUUID } from 'node:crypto'
import type { Redis, RedisOptions } from 'ioredis'
import type { Logger } from '../../mcp/session-context.js'
import type { Change } from './events.js'

export interface BroadcastOptions {
  redis?: Redis
  channel: string
  apply (change: Change): void
  log: Logger
}

const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string')

/** The change a channel message carries, with the replica it came from; null when malformed. */
export function readMessage (raw: string): { origin: string, change: Change } | null {
  let m: unknown
  try { m = JSON.parse(raw) } catch { return null }
  if (typeof m !== 'object' || m === null) return null
  const { origin, change } = m as { origin?: unknown, change?: Partial<Change> }
  if (typeof origin !== 'string' || typeof change !== 'object' || change === null) return null
  const { live, stale, topics, partialHook } = change
  if (!(live === null || typeof live === 'string') || !strings(stale) || !strings(topics)) return null
  if (partialHook !== undefined && typeof partialHook !== 'boolean') return null
  return { origin, change: { live, stale, topics, ...(partialHook === undefined ? {} : { partialHook }) } }
}

export class ChangeBroadcast {
  private readonly origin = randomUUID()
  private readonly subscriber?: Redis
  private closing = false
  private warned = false
  /** Resolves once this replica hears the channel (at once without Redis). */
  readonly listening: Promise<void>

  constructor (private readonly opts: BroadcastOptions) {
    if (opts.redis === undefined) {
      this.listening = Promise.resolve()
      return
    }
    // A subscribed connection can run no other command: a connection of its own, which queues the
    // SUBSCRIBE until it connects and subscribes again after every reconnect.
    const own: Partial<RedisOptions> = {
      enableOfflineQueue: true,
      maxRetriesPerRequest: null,
      // The shared client's command timeout would reject a SUBSCRIBE queued on a slow start (while
      // Redis still subscribes it), and `listening` would never resolve; this connection serves
      // no request, so it waits instead.
      commandTimeout: undefined,
      retryStrategy: (attempt: number) => this.closing ? null : Math.min(100 * 2 ** Math.min(attempt, 6), 5000),
    }
    const subscriber: Redis = this.subscriber = opts.redis.duplicate(own)
    subscriber.on('error', () => {}) // reported by the shared client (plugins/rate-limit.ts); reconnects on its own
    subscriber.on('message', (channel: string, raw: string) => {
      if (channel !== opts.channel) return
      const message = readMessage(raw)
      if (message === null) return opts.log.warn({ channel }, 'webhooks: ignored a malformed message on the update channel')
      if (message.origin !== this.origin) this.applySafely(message.change)
    })
    this.listening = new Promise((resolve) => {
      subscriber.subscribe(opts.channel).then(() => resolve(), (error: unknown) => {
        if (!this.closing) opts.log.warn({ reason: (error as Error).message }, 'webhooks: could not listen on the update channel')
      })
    })
  }

  /** Applies here, then tells the other replicas. Never throws for Redis trouble. */
  async publish (change: Change): Promise<void> {
    this.applySafely(change)
    const { redis } = this.opts
    if (redis === undefined) return
    try {
      await redis.publish(this.opts.channel, JSON.stringify({ origin: this.origin, change }))
      this.warned = false
    } catch (error) {
      if (!this.warned) this.opts.log.warn({ reason: (error as Error).message }, 'webhooks: Redis unreachable, a change reached this replica only')
      this.warned = true
    }
  }

  private applySafely (change: Change): void {
    try {
      this.opts.apply(change)
    } catch (error) {
      this.opts.log.error({ err: error }, 'webhooks: applying a change failed')
    }
  }

  async close (): Promise<void> {
    this.closing = true
    const s = this.subscriber
    if (s === undefined) return
    if (s.status === 'ready') await s.quit().catch(() => s.disconnect())
    else s.disconnect()
  }
}
