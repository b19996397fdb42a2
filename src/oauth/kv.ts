// Where the OAuth server keeps its records (clients, grants, codes, tokens, interactions) and the
// sealed GitHub tokens: Redis when REDIS_URL is set, so any replica serves any user; otherwise a
// bounded in-process store (an LRU: past its bound the least recently used records go, which
// signs those users out rather than growing without end).
import { LRUCache } from 'lru-cache'
import type { Redis } from 'ioredis'

export interface Kv {
  get (key: string): Promise<string | undefined>
  /** ttlS undefined: kept until deleted (or evicted, in memory). */
  set (key: string, value: string, ttlS?: number): Promise<void>
  del (...keys: string[]): Promise<void>
  /** Adds to a set kept at least ttlS (the longest member's lifetime). */
  addToSet (key: string, member: string, ttlS?: number): Promise<void>
  members (key: string): Promise<string[]>
  /** Sets key only if it is absent, atomically (Redis SET NX): true for the one caller that set it. */
  claim (key: string, ttlS?: number): Promise<boolean>
}

type Value = string | Set<string>

export function memoryKv (maxEntries = 20_000): Kv {
  const entries = new LRUCache<string, Value>({ max: maxEntries })
  const ttl = (s?: number) => (s === undefined ? undefined : { ttl: Math.max(1, s) * 1000 })
  return {
    async get (key) { const v = entries.get(key); return typeof v === 'string' ? v : undefined },
    async set (key, value, ttlS) { entries.set(key, value, ttl(ttlS)) },
    async del (...keys) { for (const k of keys) entries.delete(k) },
    async addToSet (key, member, ttlS) {
      const v = entries.get(key)
      const set = v instanceof Set ? v : new Set<string>()
      set.add(member)
      const left = entries.getRemainingTTL(key)
      const keep = ttlS === undefined || !Number.isFinite(left) || left === 0 ? ttlS : Math.max(ttlS, Math.ceil(left / 1000))
      entries.set(key, set, ttl(keep))
    },
    async members (key) { const v = entries.get(key); return v instanceof Set ? [...v] : [] },
    // No await between the look and the set: one process runs it to the end before any other claim.
    async claim (key, ttlS) {
      if (entries.has(key)) return false
      entries.set(key, '1', ttl(ttlS))
      return true
    },
  }
}

/** Keys are namespaced under `prefix`, so several deployments can share one Redis. */
export function redisKv (redis: Redis, prefix: string): Kv {
  const k = (key: string) => prefix + key
  return {
    async get (key) { return (await redis.get(k(key))) ?? undefined },
    async set (key, value, ttlS) {
      if (ttlS === undefined) await redis.set(k(key), value)
      else await redis.set(k(key), value, 'EX', Math.max(1, Math.ceil(ttlS)))
    },
    async del (...keys) { if (keys.length > 0) await redis.del(...keys.map(k)) },
    async addToSet (key, member, ttlS) {
      const multi = redis.multi().sadd(k(key), member)
      // Never shortens the set's life: a member added later may outlive the earlier ones.
      if (ttlS !== undefined) multi.expire(k(key), Math.max(1, Math.ceil(ttlS)), 'GT').expire(k(key), Math.max(1, Math.ceil(ttlS)), 'NX')
      await multi.exec()
    },
    async members (key) { return await redis.smembers(k(key)) },
    async claim (key, ttlS) {
      const set = ttlS === undefined ? await redis.set(k(key), '1', 'NX') : await redis.set(k(key), '1', 'EX', Math.max(1, Math.ceil(ttlS)), 'NX')
      return set === 'OK'
    },
  }
}
