// Each X-GitHub-Delivery is used once. GitHub retries and people redeliver from the hook's page
// with the same id, and a captured delivery could be replayed: the id is claimed with SET NX (with
// a TTL) in Redis when there is one, so one replica of many uses it, and always in a bounded
// in-process LRU, which also answers while Redis is unreachable.
import { LRUCache } from 'lru-cache'
import type { Redis } from 'ioredis'
import type { Logger } from '../../mcp/session-context.js'

export interface DeliveryOptions {
  redis?: Redis
  /** Redis key prefix; replicas of one deployment share it. */
  prefix: string
  /** How long an id is remembered. */
  ttlMs: number
  /** Ids remembered in process. */
  max: number
  log: Logger
}

export class Deliveries {
  private readonly seen: LRUCache<string, true>
  private warned = false

  constructor (private readonly opts: DeliveryOptions) {
    this.seen = new LRUCache({ max: opts.max, ttl: opts.ttlMs })
  }

  private key (id: string): string { return `${this.opts.prefix}delivery:${id}` }

  /** True when this delivery has not been used yet (and is now claimed); false for a repeat. */
  async claim (id: string): Promise<boolean> {
    if (this.seen.has(id)) return false
    this.seen.set(id, true)
    const { redis } = this.opts
    if (redis === undefined) return true
    try {
      const set = await redis.set(this.key(id), '1', 'PX', this.opts.ttlMs, 'NX')
      this.warned = false
      return set === 'OK'
    } catch (error) {
      // Redis down: this replica still refuses its own repeats; another replica might not.
      if (!this.warned) this.opts.log.warn({ reason: (error as Error).message }, 'webhooks: Redis unreachable, repeated deliveries are recognised per replica only')
      this.warned = true
      return true
    }
  }
}
