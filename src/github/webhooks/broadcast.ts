// Every replica applies every change. The replica that received a delivery applies it at once and
// publishes it on a Redis channel; the others apply what they hear there (their caches revalidate what
// is stale, their subscribed sessions are told). Without Redis there is one replica: applying
// locally is all there is. A message is checked before use: the channel is Redis's, not ours alone.
// The issue objects a change carries become cached answers that clients are served, so that part
// is signed with a key derived from the webhook secret, which every replica holds and Redis does
// not; unsigned, it is ignored (the answers are then only marked stale).
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto'
import type { Redis, RedisOptions } from 'ioredis'
import type { Logger } from '../../mcp/session-context.js'
import type { IssueChange } from '../upstream/issue-change.js'
import { MAX_OBJECTS_JSON, readIssueChange, type Change } from './events.js'

export interface BroadcastOptions {
  redis?: Redis
  channel: string
  /** GITHUB_WEBHOOK_SECRET: the replicas' shared key for the issue objects. */
  secret: string
  apply (change: Change): void
  log: Logger
}

const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string')

// Room for the change's names and numbers around its objects.
const MAX_ISSUE_JSON = MAX_OBJECTS_JSON + 1024

/** The key the issue part is signed with: derived, so the webhook secret itself signs only GitHub's deliveries. */
export const channelKey = (secret: string): Buffer => createHmac('sha256', secret).update('mcp-gateway: webhook changes between replicas').digest()

const sign = (key: Buffer, text: string): Buffer => createHmac('sha256', key).update(text).digest()

/** The message publishing `change` from `origin`: the issue part as signed JSON, left out when too large. */
export function writeMessage (origin: string, change: Change, key: Buffer): string {
  const { issue, ...rest } = change
  const json = issue === undefined ? undefined : JSON.stringify(issue)
  const signed = json !== undefined && json.length <= MAX_ISSUE_JSON ? { issue: json, sig: sign(key, json).toString('base64url') } : {}
  return JSON.stringify({ origin, change: rest, ...signed })
}

function signedBy (key: Buffer, text: string, sig: unknown): boolean {
  if (text.length > MAX_ISSUE_JSON || typeof sig !== 'string') return false
  const given = Buffer.from(sig, 'base64url')
  const expected = sign(key, text)
  return given.length === expected.length && timingSafeEqual(given, expected)
}

function issueFrom (json: string): IssueChange | null {
  try { return readIssueChange(JSON.parse(json)) } catch { return null }
}

/**
 * The change a channel message carries, with the replica it came from; null when malformed.
 * `unsigned` tells that its issue part was dropped: not signed with `key`, or unreadable.
 */
export function readMessage (raw: string, key: Buffer): { origin: string, change: Change, unsigned: boolean } | null {
  let m: unknown
  try { m = JSON.parse(raw) } catch { return null }
  if (typeof m !== 'object' || m === null) return null
  const { origin, change, issue, sig } = m as { origin?: unknown, change?: Partial<Change>, issue?: unknown, sig?: unknown }
  if (typeof origin !== 'string' || typeof change !== 'object' || change === null) return null
  const { live, stale, topics, partialHook } = change
  if (!(live === null || typeof live === 'string') || !strings(stale) || !strings(topics)) return null
  if (partialHook !== undefined && typeof partialHook !== 'boolean') return null
  const read: Change = { live, stale, topics, ...(partialHook === undefined ? {} : { partialHook }) }
  if (issue === undefined) return { origin, change: read, unsigned: false }
  const part = typeof issue === 'string' && signedBy(key, issue, sig) ? issueFrom(issue) : null
  return { origin, change: part === null ? read : { ...read, issue: part }, unsigned: part === null }
}

export class ChangeBroadcast {
  private readonly origin = randomUUID()
  private readonly key: Buffer
  private readonly subscriber?: Redis
  private closing = false
  private warned = false
  private warnedUnsigned = false
  /** Resolves once this replica hears the channel (at once without Redis). */
  readonly listening: Promise<void>

  constructor (private readonly opts: BroadcastOptions) {
    this.key = channelKey(opts.secret)
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
      const message = readMessage(raw, this.key)
      if (message === null) return opts.log.warn({ channel }, 'webhooks: ignored a malformed message on the update channel')
      if (message.origin === this.origin) return
      // Once until a signed one arrives: replicas with different secrets would otherwise log every change.
      if (message.unsigned) {
        if (!this.warnedUnsigned) opts.log.warn({ channel }, 'webhooks: ignored the issue objects of a message not signed with this replica\'s webhook secret')
        this.warnedUnsigned = true
      } else if (message.change.issue !== undefined) {
        this.warnedUnsigned = false
      }
      this.applySafely(message.change)
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
      await redis.publish(this.opts.channel, writeMessage(this.origin, change, this.key))
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
